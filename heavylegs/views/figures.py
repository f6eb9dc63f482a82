"""Plotly figures of the coach workbook, built from plain results.

Each builder takes what the package computes (a ranking document from
:func:`heavylegs.analysis.scoring.score_profile`, a weekly table from
:func:`heavylegs.engine.load.weekly_table`, the history from
:func:`heavylegs.store.assessments.top_cause_history`) and returns a
:class:`plotly.graph_objects.Figure`. Nothing here computes a metric or calls
``.show()``; the widget copies the traces into a ``FigureWidget`` in place.

Every builder returns the same traces in the same order whatever the data
(empty traces stay in place), so a live figure can be updated trace by trace
without being rebuilt.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from heavylegs.knowledge.causes import rule_threshold
from heavylegs.vocabulary import ACWR_SAFE_BAND, KM_PER_MILE
from heavylegs.views.html import BAND_COLOURS, escape
from heavylegs.engine.wellness import choose_source, morning_series
from heavylegs.logs.wellness import SOURCE_NAMES
from heavylegs.analysis.scoring import BAND_LIKELY, BAND_POSSIBLE

__all__ = [
    "BAND_COLOURS",
    "BANDS",
    "RECENT_WEEKS",
    "LOAD_METRIC_NAMES",
    "CHART_LINE_FIELDS",
    "chart_lines",
    "ranking_figure",
    "weekly_load_figure",
    "history_figure",
    "flagged_weeks",
    "evidence_text",
]

#: Bands of a cause score, strongest first.
BANDS = ("likely", "possible", "unlikely")
# BAND_COLOURS (Okabe-Ito vermilion and orange, a neutral grey) lives in heavylegs.views.html,
# shared by the figures and the HTML panels.

#: How each load metric (spec/device-load.md) is named on the weekly chart, with its unit.
LOAD_METRIC_NAMES = {
    "srpe": ("weekly load (session RPE × min)", "AU"), "trimp": ("weekly TRIMP (heart rate)", "AU"),
    "hrss": ("weekly HRSS (heart rate)", "AU"), "rtss": ("weekly rTSS (pace)", "AU"),
    "stress": ("weekly stress (heart rate, else pace)", "AU"), "duration": ("weekly training time", "min"),
    "distance": ("weekly distance (load metric)", "km"),
}
#: Weeks the weekly chart shows when it opens; the whole log is one click away.
RECENT_WEEKS = 16
#: The weekly chart's lines and flags, each drawn where the catalogue's rule on a log field begins to
#: fire (see :func:`chart_lines`): the ACWR line (1.5, Gabbett 2016; contested), weekly monotony
#: (2.0, Foster 1998), a run longer than the longest of the 30 days before (10 %, Frandsen et al.
#: 2025) and a week-on-week rise in distance (30 %, Nielsen et al. 2014).
CHART_LINE_FIELDS = {"acwr": "log_acwr", "monotony": "log_monotony",
                     "long_run_spike": "log_long_run_spike_pct", "distance_rise": "log_distance_change_pct"}

_FONT = dict(family="Inter, Helvetica, Arial, sans-serif", size=12)
_FLAG_STYLE = {
    "monotony": dict(symbol="diamond", color="#7B3294", label="monotony > {:g}"),
    "long_run_spike": dict(symbol="triangle-up", color="#CC0000", label="long-run spike > {:g} %"),
    "distance_rise": dict(symbol="star", color="#0072B2", label="distance up > {:g} % on the week before"),
}
_LINE_COLOURS = {"fitness": "#0072B2", "fatigue": "#D55E00", "form": "#009E73"}


def _esc(text) -> str:
    # plotly's hover labels understand a few tags and entities; quotes may stay as they are
    return escape(text, quote=False)


def _wrap(text: str, width: int = 34) -> str:
    """``text`` broken into lines of at most ``width`` characters at spaces (plotly's ``<br>``), never cut."""
    lines: list = []
    for word in str(text).split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(_esc(line) for line in lines)


def evidence_text(cause: dict, max_items: int = 6) -> str:
    """Hover text of one ranked cause: score, band, coverage and its evidence.

    Parameters
    ----------
    cause : dict
        One entry of ``ranking["causes"]``.
    max_items : int
        Evidence lines shown before "and N more".

    Returns
    -------
    str
        Plotly hover HTML (``<br>`` line breaks), evidence in the athlete's
        own numbers as scoring wrote it.
    """
    lines = [f"<b>{_esc(cause['title'])}</b>",
             f"score {cause['score']} ({cause['band']}), {cause['coverage']:.0%} of its questions answered"]
    evidence = cause.get("evidence", [])
    for item in evidence[:max_items]:
        sign = "+" if item["points"] > 0 else ""
        week = f" (week of {item['week']})" if item.get("week") else ""
        lines.append(f"{sign}{item['points']}  {_esc(item['because'])}{week}")
    if len(evidence) > max_items:
        lines.append(f"… and {len(evidence) - max_items} more")
    if not evidence:
        lines.append("no evidence for it in the answers so far")
    if cause.get("missing"):
        lines.append(f"{len(cause['missing'])} question(s) still unknown")
    return "<br>".join(lines)


def ranking_figure(ranking: dict, compare: dict | None = None, top: int | None = None,
                   selected: str | None = None) -> go.Figure:
    """Horizontal bar chart of the cause scores, coloured by band.

    Parameters
    ----------
    ranking : dict
        A ``heavylegs.ranking/1`` document (:func:`heavylegs.analysis.scoring.score_profile`).
    compare : dict, optional
        A second ranking (the saved answers during a what-if); the scores
        it gives the causes that moved are drawn as black ticks.
    top : int, optional
        Show only the best ``top`` causes (all by default).
    selected : str, optional
        Cause id to outline.

    Returns
    -------
    plotly.graph_objects.Figure
        Four traces, always in this order: one bar trace per band
        (``likely``, ``possible``, ``unlikely``; ``customdata`` holds the
        cause ids, ``hovertext`` the evidence) and a scatter of the compared
        scores (empty without ``compare``). Dotted lines mark the band
        limits, score 35 and 60.
    """
    causes = ranking.get("causes", [])
    if top is not None:
        causes = causes[:top]
    labels = [_wrap(c["title"]) for c in causes]
    traces = []
    for band in BANDS:
        rows = [(label, c) for label, c in zip(labels, causes) if c["band"] == band]
        traces.append(go.Bar(
            name=band, orientation="h",
            x=[c["score"] for _, c in rows], y=[label for label, _ in rows],
            customdata=[c["id"] for _, c in rows],
            text=[f"{c['score']} ({c['coverage']:.0%} known)" for _, c in rows],
            textposition="outside", cliponaxis=False,
            hovertext=[evidence_text(c) for _, c in rows],
            hovertemplate="%{hovertext}<extra></extra>",
            marker=dict(color=BAND_COLOURS[band],
                        line=dict(color=["#000000" if c["id"] == selected else BAND_COLOURS[band]
                                         for _, c in rows],
                                  width=[2.5 if c["id"] == selected else 0 for _, c in rows])),
        ))
    cx, cy, ctext = [], [], []
    if compare is not None:
        before = {c["id"]: c for c in compare.get("causes", [])}
        for label, cause in zip(labels, causes):
            old = before.get(cause["id"])
            if old is None or old["score"] == cause["score"]:
                continue  # only the causes that moved, so the marks stand out
            cx.append(old["score"])
            cy.append(label)
            delta = cause["score"] - old["score"]
            ctext.append(f"{_esc(cause['title'])}<br>saved answers: {old['score']}, "
                         f"what-if: {cause['score']} ({delta:+d})")
    traces.append(go.Scatter(
        name="saved answers", mode="markers", x=cx, y=cy, hovertext=ctext,
        hovertemplate="%{hovertext}<extra></extra>",
        marker=dict(symbol="line-ns-open", size=18, color="#222222", line=dict(width=3)),
        showlegend=compare is not None,
    ))
    height = max(280, 90 + 24 * len(causes) + 14 * sum(label.count("<br>") for label in labels))
    layout = go.Layout(
        # the title on the first line, the band legend on the second, so they never overlap
        height=height + _MODEBAR_ROW, margin=dict(l=10, r=20, t=58 + _MODEBAR_ROW, b=36), font=_FONT,
        title=_title("What-if ranking (black ticks: scores with the saved answers)" if compare is not None
                     else "Likely causes (score 0-100; hover a bar for the evidence)"),
        barmode="overlay", bargap=0.25, plot_bgcolor="white",
        xaxis=dict(range=[0, 135], tickvals=[0, BAND_POSSIBLE, BAND_LIKELY, 100], gridcolor="#EEEEEE",
                   title=dict(text="score", standoff=4), fixedrange=True),
        yaxis=dict(categoryorder="array", categoryarray=labels, autorange="reversed",
                   automargin=True, fixedrange=True),
        legend=dict(orientation="h", x=1, xanchor="right", y=1.0, yanchor="bottom", font=dict(size=11)),
        shapes=[dict(type="line", xref="x", yref="paper", x0=v, x1=v, y0=0, y1=1,
                     line=dict(color="#777777", width=1, dash="dot")) for v in (BAND_POSSIBLE, BAND_LIKELY)],
        hoverlabel=dict(align="left", bgcolor="white", font=dict(size=12)),
    )
    return go.Figure(data=traces, layout=layout)


def _num(value):
    """A float, or None for missing values (None, NaN, pandas NA)."""
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(value) else value


def flagged_weeks(weekly) -> dict:
    """The weeks the load chart marks, by flag.

    Parameters
    ----------
    weekly : pandas.DataFrame
        From :func:`heavylegs.engine.load.weekly_table`.

    Returns
    -------
    dict
        ``monotony`` (above 2.0, Foster 1998), ``long_run_spike`` (above
        10 %, Frandsen et al. 2025) and ``distance_rise`` (above 30 %,
        Nielsen et al. 2014): each a list of row positions. Missing values
        never flag.

    Notes
    -----
    When the table has its ``days`` column, comparisons that reach back
    before the log began are not marked, as they compare with days the log
    does not hold: a long-run spike in a week that starts less than 30 days
    after the first logged day, and a distance rise over a part week. The
    table's values stay as ``spec/metrics.md`` defines them.
    """
    out = {"monotony": [], "long_run_spike": [], "distance_rise": []}
    rows = len(weekly) if weekly is not None and hasattr(weekly, "columns") else 0
    full_lookback = [True] * rows
    after_whole_week = [True] * rows
    if rows and {"week_start", "days"} <= set(weekly.columns):
        starts = pd.to_datetime(weekly["week_start"])
        days = weekly["days"].astype(int).tolist()
        first_day = starts.iloc[0] + pd.Timedelta(days=7 - days[0])
        full_lookback = [bool(start - pd.Timedelta(days=30) >= first_day) for start in starts]
        after_whole_week = [i > 0 and days[i - 1] == 7 for i in range(rows)]
    lines = chart_lines()
    rules = (("monotony", "monotony", lines["monotony"], None),
             ("long_run_spike", "long_run_spike_pct", lines["long_run_spike"], full_lookback),
             ("distance_rise", "distance_change_pct", lines["distance_rise"], after_whole_week))
    for key, column, limit, fair in rules:
        if column not in getattr(weekly, "columns", ()):
            continue
        for i, value in enumerate(weekly[column].tolist()):
            value = _num(value)
            if value is not None and value > limit and (fair is None or fair[i]):
                out[key].append(i)
    return out


def chart_lines(causes=None) -> dict:
    """Where the weekly chart draws its lines and flags: the catalogue's thresholds.

    Parameters
    ----------
    causes : sequence of Cause, optional
        Default: the packaged catalogue.

    Returns
    -------
    dict
        For each key of :data:`CHART_LINE_FIELDS`, the value above which
        the catalogue's rule on that field fires
        (:func:`heavylegs.knowledge.causes.rule_threshold`): ``acwr`` 1.5,
        ``monotony`` 2.0, ``long_run_spike`` 10 [%], ``distance_rise`` 30
        [%] in the packaged catalogue.
    """
    return {key: rule_threshold(field, causes) for key, field in CHART_LINE_FIELDS.items()}


def _column(weekly, name):
    if weekly is None or name not in weekly.columns:
        return []
    return [_num(v) for v in weekly[name].tolist()]


def weekly_load_figure(weekly, metric: str = "distance", show_fitness: bool = False,
                       daily=None, plan=None, unit: str = "km", audience: str = "coach") -> go.Figure:
    """Weekly distance or load as bars, with the ACWR on a second axis.

    Parameters
    ----------
    weekly : pandas.DataFrame or None
        From :func:`heavylegs.engine.load.weekly_table`; ``None`` or empty gives
        an empty chart that says no log is loaded.
    metric : {"distance", "load"}
        Bars of ``distance_km`` [km], or of the week's load in the table's
        load metric (its ``load`` column, named after ``load_metric``;
        ``load_au`` for a table without one).
    show_fitness : bool
        Add a lower panel with fitness, fatigue and form [AU] (Banister
        impulse-response, as in :func:`heavylegs.engine.load.fitness_fatigue`).
    daily : pandas.DataFrame, optional
        Daily ``fitness``, ``fatigue`` and ``form`` (indexed by date or with
        a ``date`` column); without it the weekly values at each week's end
        are drawn.
    plan : pandas.DataFrame, optional
        :func:`heavylegs.analysis.plan.plan_load_projection`: the plan's daily loads
        after the log (``load``, ``planned``) and the ACWR they lead to
        (``acwr``). Drawn as hatched bars of planned weekly load (with
        ``metric="load"``) and a dashed ACWR line.
    unit : {"km", "mi"}
        The athlete's distance unit: with ``metric="distance"``, the bars
        are in kilometres or miles (the weekly table keeps km).
    audience : {"coach", "athlete"}
        Who reads the chart: the coach's labels name the heuristics and
        their sources; the athlete's say the same in plain words.

    Returns
    -------
    plotly.graph_objects.Figure
        Traces in this order: the bars, the coupled ACWR (``yaxis="y2"``),
        one marker trace per flag of :func:`flagged_weeks`, then, with
        ``show_fitness``, fitness, fatigue and form on ``yaxis="y3"``, and
        last the planned weekly load and the planned ACWR (empty without a
        plan, so the structure stays the same). Shapes
        shade the ACWR band 0.8-1.3 and draw the 1.5 line on ``y2``; both are
        labelled as contested heuristics.

        The chart opens on the log's own last weeks (:func:`chart_window`):
        the :data:`RECENT_WEEKS` weeks up to the last week with a session,
        and the plan when it follows the log, whatever the date of the
        table's last row; every axis range fits what is drawn in that
        window. A log longer than the window gets two buttons, the log's
        last weeks and the whole log, each setting every axis range; a log
        that stopped before the table's end says since when.

    Notes
    -----
    The ACWR band and line come from Gabbett (2016); Impellizzeri et al.
    (2020) and Lolli et al. (2019) showed the ratio's statistical problems,
    so the chart calls them heuristics.
    """
    if metric not in ("distance", "load"):
        raise ValueError(f"found metric {metric!r}, expected 'distance' or 'load'")
    if unit not in ("km", "mi"):
        raise ValueError(f"found unit {unit!r}, expected 'km' or 'mi'")
    if audience not in ("coach", "athlete"):
        raise ValueError(f"found audience {audience!r}, expected 'coach' or 'athlete'")
    coach = audience == "coach"
    distance_unit = unit
    empty = weekly is None or len(weekly) == 0
    used = None
    if metric == "distance":
        column, unit, name = "distance_km", distance_unit, "weekly distance"
    else:
        used = None if empty or "load_metric" not in weekly.columns else str(weekly["load_metric"].iloc[-1])
        column = "load" if used else "load_au"
        name, unit = LOAD_METRIC_NAMES.get(used or "srpe", (f"weekly {used}", "AU"))
    weeks = [] if empty else [str(w)[:10] for w in weekly["week_start"].tolist()]
    bars = [] if empty else [v if v is not None else 0.0 for v in _column(weekly, column)]
    if metric == "distance" and unit == "mi":
        bars = [v / KM_PER_MILE for v in bars]
    acwr = [] if empty else _column(weekly, "acwr")
    estimated = ([] if empty or metric == "distance" or "sessions_load_estimated" not in weekly.columns
                 else [int(v) for v in weekly["sessions_load_estimated"].tolist()])
    hover = f"week of %{{x|%Y-%m-%d}}<br>%{{y:.1f}} {unit}"
    if estimated:
        hover += "<br>%{customdata} session(s) estimated or without a value"
    ratio_name = "ACWR (coupled, 7:28 days)" if coach else "load ratio: last 7 days ÷ usual week"
    ratio_hover = "ACWR at the week's end" if coach else "load ratio at the week's end"
    traces = [go.Bar(name=f"{name} [{unit}]", x=weeks, y=bars, marker=dict(color="#9CC3E6"),
                     customdata=estimated or None, hovertemplate=hover + "<extra></extra>"),
              go.Scatter(name=ratio_name, x=weeks, y=acwr, yaxis="y2", mode="lines+markers",
                         connectgaps=False,
                         line=dict(color="#333333", width=2), marker=dict(size=6),
                         hovertemplate=f"week of %{{x|%Y-%m-%d}}<br>{ratio_hover} %{{y:.2f}}<extra></extra>")]
    flags = {k: [] for k in _FLAG_STYLE} if empty else flagged_weeks(weekly)
    top = max([b for b in bars if b is not None] or [1.0])
    lines = chart_lines()
    acwr_line = lines["acwr"]
    for n, (key, style) in enumerate(_FLAG_STYLE.items()):
        rows = flags[key]
        style = {**style, "label": style["label"].format(lines[key])}
        # Stacked just above each flagged week's bar, one row per kind of flag.
        traces.append(go.Scatter(
            name=style["label"], mode="markers", x=[weeks[i] for i in rows],
            y=[bars[i] + top * (0.06 + 0.07 * n) for i in rows],
            marker=dict(symbol=style["symbol"], size=11, color=style["color"]),
            hovertemplate=f"week of %{{x|%Y-%m-%d}}: {style['label']}<extra></extra>",
        ))
    if show_fitness:
        traces.extend(_fitness_traces(weekly, daily, empty))
    traces.extend(_plan_traces(plan, metric, coach, used, distance_unit))
    shapes = [
        dict(type="rect", xref="paper", yref="y2", x0=0, x1=1, y0=ACWR_SAFE_BAND[0], y1=ACWR_SAFE_BAND[1],
             fillcolor="rgba(0,158,115,0.13)", line=dict(width=0), layer="below"),
        dict(type="line", xref="paper", yref="y2", x0=0, x1=1, y0=acwr_line, y1=acwr_line,
             line=dict(color="#CC0000", width=1.5, dash="dash")),
    ]
    if coach:
        band_text = f"ACWR {ACWR_SAFE_BAND[0]:g}-{ACWR_SAFE_BAND[1]:g}: a contested heuristic"
        danger_text = f"ACWR {acwr_line:g} (Gabbett 2016): a contested heuristic"
    else:  # the athlete's phone: plain words; the sources stay in the coach's view
        band_text = "green band: a build legs usually absorb"
        danger_text = "red line: load rising faster than legs usually adapt"
    annotations = [
        dict(xref="paper", yref="y2", x=0.005, y=ACWR_SAFE_BAND[1], xanchor="left", yanchor="top",
             text=band_text, showarrow=False, font=dict(size=10, color="#00704F")),
        dict(xref="paper", yref="y2", x=0.005, y=acwr_line, xanchor="left", yanchor="bottom",
             text=danger_text, showarrow=False, font=dict(size=10, color="#CC0000")),
    ]
    if empty:
        annotations.append(dict(xref="paper", yref="paper", x=0.5, y=0.5, showarrow=False,
                                text="No training log yet: upload one above." if coach else
                                "No training log yet.", font=dict(size=14)))
    window = chart_window(weekly, plan)
    if window["quiet_days"] >= 7:  # a whole week or more without a session before the table's end
        annotations.append(dict(
            xref="paper", yref="paper", x=0.5, y=0.98, xanchor="center", yanchor="top", showarrow=False,
            bgcolor="rgba(255,255,255,0.85)", font=dict(size=11, color="#8a3300"),
            text=(f"No session after the week of {_day_text(window['last_session_week'])}:"
                  "<br>the chart shows the log's last weeks")))
    main_domain = [0.36, 1.0] if show_fitness else [0.0, 1.0]
    short = _AXIS_NAMES.get(used or "srpe", name) if metric == "load" else "weekly distance"
    layout = dict(
        height=540 if show_fitness else 400, font=_FONT, plot_bgcolor="white",
        margin=dict(l=60, r=60, t=_TOP_MARGIN, b=40), barmode="overlay", hovermode="closest",
        title=_title(f"Weekly {'distance' if metric == 'distance' else 'load'} and "
                     + ("acute:chronic ratio" if coach else "load ratio")),
        xaxis=dict(type="date", gridcolor="#EEEEEE", anchor="y3" if show_fitness else "y"),
        yaxis=dict(title=dict(text=f"{short} [{unit}]"), domain=main_domain, gridcolor="#EEEEEE"),
        yaxis2=dict(title=dict(text="ACWR" if coach else "load ratio"), overlaying="y", side="right",
                    tickmode="linear", tick0=0, dtick=0.5, showgrid=False, zeroline=False),
        legend=dict(orientation="h", x=0, y=-0.12 if not show_fitness else -0.1, yanchor="top",
                    font=dict(size=11)),
        shapes=shapes, annotations=annotations,
    )
    if show_fitness:
        layout["yaxis3"] = dict(title=dict(text="fitness, fatigue,<br>form [AU]"), domain=[0.0, 0.28],
                                anchor="x", gridcolor="#EEEEEE", zeroline=True, zerolinecolor="#BBBEBB")
        layout["yaxis"]["anchor"] = "x"
    figure = go.Figure(data=traces, layout=layout)
    views = [window["recent"]] + ([window["whole"]] if window["whole"] != window["recent"] else [])
    ranges = [_fitting_ranges(figure, view, acwr_line) for view in views]
    figure.update_layout(ranges[0])
    if len(views) > 1:
        labels = ([f"last {RECENT_WEEKS} weeks of the log", f"whole log ({len(weeks)} weeks)"] if coach
                  else [f"last {RECENT_WEEKS} weeks", f"all {len(weeks)} weeks"])
        figure.update_layout(updatemenus=[dict(
            type="buttons", direction="left", showactive=True, active=0,
            x=1, xanchor="right", y=1.0, yanchor="bottom", pad=dict(b=4, r=0, t=0, l=0),
            font=dict(size=11), bgcolor="#F4F4F4", bordercolor="#BBBBBB",
            buttons=[dict(label=label, method="relayout", args=[r]) for label, r in zip(labels, ranges)])])
    return figure


#: Short names of the load metrics for the y axis title (the legend keeps the long ones).
_AXIS_NAMES = {"srpe": "session-RPE load", "trimp": "TRIMP", "hrss": "HRSS", "rtss": "rTSS",
               "stress": "stress", "duration": "training time", "distance": "distance"}
# Top margin of a titled chart [px]: the mode bar's row, the title's line, and a row for buttons
# or a legend, so the mode bar never covers the title.
_TOP_MARGIN = 84
_MODEBAR_ROW = 30


def _title(text: str) -> dict:
    """A chart title on its own line below the mode bar's row."""
    return dict(text=text, x=0, xanchor="left", y=1, yref="container", yanchor="top",
                pad=dict(t=_MODEBAR_ROW, l=4), font=dict(size=14))


def _day_text(day: str) -> str:
    return pd.Timestamp(day).strftime("%d %b %Y").lstrip("0")


def chart_window(weekly, plan=None, weeks: int | None = None) -> dict:
    """The dates a weekly chart opens on: the log's own last weeks, not the calendar's.

    Parameters
    ----------
    weekly : pandas.DataFrame or None
        From :func:`heavylegs.engine.load.weekly_table`.
    plan : pandas.DataFrame, optional
        :func:`heavylegs.analysis.plan.plan_load_projection` (indexed by day).
    weeks : int, optional
        Weeks in the window (:data:`RECENT_WEEKS` by default).

    Returns
    -------
    dict
        ``recent`` and ``whole``: ``(first, last)`` ``YYYY-MM-DD`` x ranges
        (half a bar before the first week, half a bar after the last, or
        the day after the plan's last day); ``last_session_week``: the
        ``week_start`` of the last week with a session (None without one);
        ``quiet_days``: days after that week up to the table's end.
        ``recent`` ends on the last week with a session, and takes in the
        plan when the plan starts within :data:`RECENT_WEEKS` weeks of it;
        it begins ``weeks`` weeks earlier (or at the first week).
    """
    weeks = RECENT_WEEKS if weeks is None else weeks
    if weekly is None or len(weekly) == 0:
        return {"recent": None, "whole": None, "last_session_week": None, "quiet_days": 0}
    starts = [pd.Timestamp(w).normalize() for w in weekly["week_start"].tolist()]
    active = [False] * len(starts)
    for name in ("duration_min", "distance_km", "load", "load_au"):
        if name in weekly.columns:
            values = [_num(v) or 0.0 for v in weekly[name].tolist()]
            active = [a or v > 0 for a, v in zip(active, values)]
    last = max((i for i, a in enumerate(active) if a), default=None)
    end_index = len(starts) - 1 if last is None else last
    first_index = max(0, end_index - weeks + 1)
    half = pd.Timedelta(days=4)
    recent = [starts[first_index] - half, starts[end_index] + half]
    whole = [starts[0] - half, starts[-1] + half]
    if plan is not None and len(plan):
        days = pd.DatetimeIndex(plan.index)
        plan_end = days.max().normalize() + pd.Timedelta(days=1)
        whole[1] = max(whole[1], plan_end)
        if days.min() - starts[end_index] <= pd.Timedelta(weeks=RECENT_WEEKS):
            recent[1] = max(recent[1], plan_end)
    text = lambda pair: (pair[0].strftime("%Y-%m-%d"), pair[1].strftime("%Y-%m-%d"))  # noqa: E731
    days = int(weekly["days"].iloc[-1]) if "days" in weekly.columns else 7
    table_end = starts[-1] + pd.Timedelta(days=days)
    quiet = 0 if last is None else max(0, (table_end - (starts[last] + pd.Timedelta(days=7))).days)
    return {"recent": text(recent), "whole": text(whole),
            "last_session_week": None if last is None else starts[last].strftime("%Y-%m-%d"),
            "quiet_days": quiet}


def _fitting_ranges(figure: go.Figure, x_range, acwr_line: float) -> dict:
    """Layout ranges of the x axis and of every y axis fitting the data drawn inside ``x_range``."""
    if x_range is None:
        return {"yaxis.range": [0, 1], "yaxis2.range": [0, acwr_line * 1.15]}
    first, last = x_range
    found: dict = {}
    for trace in figure.data:
        axis = trace.yaxis or "y"
        xs, ys = trace.x, trace.y
        if xs is None or ys is None or not len(xs) or not len(ys):
            continue
        days = np.array([str(x)[:10] for x in xs])
        values = np.array([np.nan if y is None else y for y in ys], dtype=float)
        inside = values[(days >= first) & (days <= last) & ~np.isnan(values)]
        if inside.size:
            low, high = found.get(axis, (0.0, 0.0))
            found[axis] = (min(low, float(inside.min())), max(high, float(inside.max())))
    out = {"xaxis.range": list(x_range)}
    low, high = found.get("y", (0.0, 0.0))
    out["yaxis.range"] = [0, high * 1.12 if high > 0 else 1]
    high2 = max(found.get("y2", (0.0, 0.0))[1], acwr_line)
    out["yaxis2.range"] = [0, high2 * 1.15]
    if "y3" in found:
        low3, high3 = found["y3"]
        pad = 0.08 * ((high3 - low3) or 1.0)
        out["yaxis3.range"] = [low3 - pad, high3 + pad]
    return out


def _plan_traces(plan, metric, coach=True, table_metric=None, distance_unit="km"):
    """The plan's weekly load (hatched bars) and its daily ACWR (dashed line).

    The bars are drawn only on the axis of the plan's own metric
    (``plan.attrs["load_metric"]``): a plan in kilometres on the distance
    chart, a plan in the table's load metric on the load chart; never one
    metric on the other's axis.
    """
    weeks, loads, days, acwr = [], [], [], []
    if plan is not None and len(plan):
        frame = plan.copy()
        index = pd.DatetimeIndex(frame.index)
        planned = frame["planned"].to_numpy(dtype=bool)
        plan_metric = plan.attrs.get("load_metric", table_metric or "srpe")
        same_axis = ((metric == "load" and plan_metric == (table_metric or "srpe"))
                     or (metric == "distance" and plan_metric == "distance"))
        if same_axis and planned.any():
            monday = (index - pd.to_timedelta(index.day_of_week, unit="D")).normalize()
            sums = pd.Series(frame["load"].to_numpy(dtype=float)[planned], index=monday[planned]).groupby(level=0).sum()
            weeks = [d.strftime("%Y-%m-%d") for d in sums.index]
            loads = [float(v) for v in sums.to_numpy()]
            if plan_metric == "distance" and distance_unit == "mi":
                loads = [v / KM_PER_MILE for v in loads]
        days = [d.strftime("%Y-%m-%d") for d in index]
        acwr = [_num(v) for v in frame["acwr"].tolist()]
    return [go.Bar(name="planned weekly load", x=weeks, y=loads, showlegend=bool(weeks),
                   marker=dict(color="rgba(0,114,178,0.25)", pattern=dict(shape="/")),
                   hovertemplate="planned, week of %{x|%Y-%m-%d}<br>%{y:.0f}<extra></extra>"),
            go.Scatter(name="ACWR the plan leads to" if coach else "load ratio the plan leads to",
                       x=days, y=acwr, yaxis="y2", mode="lines", showlegend=bool(days),
                       line=dict(color="#0072B2", width=2, dash="dash"),
                       hovertemplate="planned, %{x|%Y-%m-%d}<br>" + ("ACWR" if coach else "load ratio")
                       + " %{y:.2f}<extra></extra>")]


def _fitness_traces(weekly, daily, empty):
    if daily is not None and len(daily):
        if "date" in daily.columns:
            x = [str(d)[:10] for d in daily["date"].tolist()]
        else:
            x = [str(d)[:10] for d in daily.index.tolist()]
        source = daily
    else:
        x = [] if empty else [str(w)[:10] for w in weekly["week_start"].tolist()]
        source = weekly
    out = []
    for key in ("fitness", "fatigue", "form"):
        y = [] if (source is None or empty and source is weekly) else _column(source, key)
        out.append(go.Scatter(name=f"{key} [AU]", x=x if y else [], y=y, yaxis="y3", mode="lines",
                              line=dict(color=_LINE_COLOURS[key], width=2, dash="dot" if key == "form" else None),
                              hovertemplate=f"%{{x|%Y-%m-%d}}<br>{key} %{{y:.1f}} AU<extra></extra>"))
    return out


def history_figure(history) -> go.Figure:
    """How the top causes' scores changed across saved assessments.

    Parameters
    ----------
    history : pandas.DataFrame
        From :func:`heavylegs.store.assessments.top_cause_history`: one row per
        assessment and cause, with ``saved_at``, ``cause_id``, ``title``,
        ``score``, ``rank`` and ``band``.

    Returns
    -------
    plotly.graph_objects.Figure
        One line per cause (score at each saved assessment, evenly spaced and
        labelled by the time of saving), in the order
        of the causes' best rank. Empty, with a note, when there is no
        saved assessment.
    """
    traces = []
    labels = []
    if history is not None and len(history):
        # One evenly spaced category per assessment, named by when it was saved: saves
        # can be minutes or months apart, and a time axis would squash or stretch them.
        times = sorted(set(history["saved_at"].tolist()))
        label_of = {}
        for t in times:
            text = pd.Timestamp(t).strftime("%d %b %Y, %H:%M")
            while text in labels:  # two saves in the same minute
                text += "\u200b"  # an invisible mark keeps the categories apart
            labels.append(text)
            label_of[t] = text
        best = history.groupby("cause_id")["rank"].min().sort_values(kind="stable")
        for cause_id in best.index:
            rows = history[history["cause_id"] == cause_id].sort_values("saved_at")
            title = rows["title"].iloc[-1]
            traces.append(go.Scatter(
                name=_wrap(title, 30), x=[label_of[t] for t in rows["saved_at"].tolist()],
                y=rows["score"].tolist(), mode="lines+markers", customdata=rows["rank"].tolist(),
                hovertemplate=f"{_esc(title)}<br>saved %{{x}}<br>score %{{y}}, rank %{{customdata}}<extra></extra>",
            ))
    layout = dict(
        height=260 + _MODEBAR_ROW, font=_FONT, plot_bgcolor="white",
        margin=dict(l=50, r=20, t=36 + _MODEBAR_ROW, b=30),
        title=_title("Top causes across saved assessments"),
        yaxis=dict(title=dict(text="score"), range=[0, 105], gridcolor="#EEEEEE"),
        xaxis=dict(type="category", categoryorder="array", categoryarray=labels, gridcolor="#EEEEEE"),
        legend=dict(font=dict(size=11)),
        annotations=[] if traces else [dict(xref="paper", yref="paper", x=0.5, y=0.5, showarrow=False,
                                            text="No saved assessment yet.", font=dict(size=13))],
    )
    return go.Figure(data=traces, layout=layout)


# --- Check-ins: heaviness with the daily load beneath it ------------------------------------

__all__.append("heaviness_figure")

_HEAVINESS_COLOUR = "#D55E00"
_HEAVINESS_MEAN_DAYS = 7


def heaviness_figure(checkins, daily=None, plan_start=None, last_days: int | None = 112,
                     until=None) -> go.Figure:
    """Daily heaviness [0-10] with the daily training load [AU] beneath it.

    Parameters
    ----------
    checkins : pandas.DataFrame or None
        :func:`heavylegs.logs.checkins.read_checkins` (``date``, ``heaviness``).
    daily : pandas.DataFrame, optional
        The daily series (:func:`heavylegs.engine.load.daily_load`, or
        :attr:`heavylegs.analysis.pipeline.Assessment.daily`), indexed by date or with
        a ``date`` column, with ``load_au`` [AU].
    plan_start : str or date, optional
        The first day of a plan, drawn as a dashed vertical line on both
        panels.
    last_days : int or None
        Show the days up to ``until`` of this many days (None: everything).
    until : str or date, optional
        Last day shown (default: the latest check-in or log day).

    Returns
    -------
    plotly.graph_objects.Figure
        Three traces, in this order whatever the data: the heaviness of each
        check-in (markers, ``yaxis="y"``, 0-10), its mean over the
        7 days ending each check-in day (a line; days without a check-in are
        left out of the mean), and the daily load (bars, ``yaxis="y2"``, the
        lower panel). Empty traces and a note when there is no check-in.
    """
    def dates_of(frame):
        if frame is None or len(frame) == 0:
            return pd.DatetimeIndex([])
        values = frame["date"] if "date" in frame.columns else frame.index
        return pd.DatetimeIndex(pd.to_datetime(values)).normalize()

    ck_dates = dates_of(checkins)
    load_dates = dates_of(daily)
    ends = [d.max() for d in (ck_dates, load_dates) if len(d)]
    end = pd.Timestamp(str(until)[:10]) if until is not None else (max(ends) if ends else None)
    first = None if end is None or last_days is None else end - pd.Timedelta(days=last_days - 1)

    def keep(dates):
        mask = pd.Series(True, index=range(len(dates)))
        if end is not None and len(dates):
            mask = pd.Series((dates <= end) & ((dates >= first) if first is not None else True))
        return mask.to_numpy(dtype=bool)

    x_ck, y_ck, x_mean, y_mean = [], [], [], []
    if len(ck_dates):
        heaviness = pd.Series(checkins["heaviness"].to_numpy(dtype=float), index=ck_dates).sort_index()
        mean = heaviness.rolling(f"{_HEAVINESS_MEAN_DAYS}D").mean()
        shown = keep(heaviness.index)
        x_ck = [d.strftime("%Y-%m-%d") for d in heaviness.index[shown]]
        y_ck = heaviness.to_numpy()[shown].tolist()
        x_mean, y_mean = x_ck, mean.to_numpy()[shown].round(2).tolist()
    x_load, y_load = [], []
    if len(load_dates) and "load_au" in daily.columns:
        shown = keep(load_dates)
        x_load = [d.strftime("%Y-%m-%d") for d in load_dates[shown]]
        y_load = daily["load_au"].to_numpy(dtype=float)[shown].tolist()
    traces = [
        go.Scatter(name="heaviness (0 light - 10 like lead)", x=x_ck, y=y_ck, mode="markers",
                   marker=dict(color=_HEAVINESS_COLOUR, size=7, opacity=0.75),
                   hovertemplate="%{x|%a %Y-%m-%d}<br>heaviness %{y:.0f} of 10<extra></extra>"),
        go.Scatter(name=f"heaviness, {_HEAVINESS_MEAN_DAYS}-day mean", x=x_mean, y=y_mean, mode="lines",
                   line=dict(color=_HEAVINESS_COLOUR, width=2),
                   hovertemplate="%{x|%a %Y-%m-%d}<br>7-day mean %{y:.1f}<extra></extra>"),
        go.Bar(name="daily load [AU]", x=x_load, y=y_load, yaxis="y2", marker=dict(color="#9CC3E6"),
               hovertemplate="%{x|%a %Y-%m-%d}<br>load %{y:.0f} AU<extra></extra>"),
    ]
    shapes, annotations = [], []
    if plan_start is not None:
        day = str(plan_start)[:10]
        for yref in ("y domain", "y2 domain"):
            shapes.append(dict(type="line", xref="x", yref=yref, x0=day, x1=day, y0=0, y1=1,
                               line=dict(color="#009E73", width=2, dash="dash")))
        annotations.append(dict(xref="x", yref="y domain", x=day, y=1.0, xanchor="left", yanchor="bottom",
                                text="plan began", showarrow=False, font=dict(size=11, color="#00704F")))
    if not x_ck:
        annotations.append(dict(xref="paper", yref="paper", x=0.5, y=0.75, showarrow=False,
                                text="No check-in yet: add today's heaviness above.", font=dict(size=14)))
    x_range = None if first is None else [first.strftime("%Y-%m-%d"),
                                          (end + pd.Timedelta(days=1)).strftime("%Y-%m-%d")]
    layout = dict(
        height=380 + _MODEBAR_ROW, font=_FONT, plot_bgcolor="white",
        margin=dict(l=60, r=20, t=40 + _MODEBAR_ROW, b=40), hovermode="closest", bargap=0.15,
        title=_title("How heavy the legs felt, and the training load of each day"),
        xaxis=dict(type="date", gridcolor="#EEEEEE", anchor="y2", range=x_range),
        yaxis=dict(title=dict(text="heaviness (0-10)"), domain=[0.4, 1.0], range=[-0.3, 10.5],
                   tickmode="linear", tick0=0, dtick=2, gridcolor="#EEEEEE"),
        yaxis2=dict(title=dict(text="load [AU]"), domain=[0.0, 0.3], anchor="x", gridcolor="#EEEEEE",
                    rangemode="tozero"),
        legend=dict(orientation="h", x=0, y=-0.12, yanchor="top", font=dict(size=11)),
        shapes=shapes, annotations=annotations,
    )
    return go.Figure(data=traces, layout=layout)


__all__.append("wellness_figure")

#: Colours of the wearables' sources (Okabe-Ito, as the other figures).
_SOURCE_COLOURS = {"garmin": "#0072B2", "apple": "#D55E00", "fitbit": "#009E73", "oura": "#CC79A7",
                   "whoop": "#E69F00", "polar": "#56B4E9", "csv": "#555555"}


def wellness_figure(wellness, until=None, last_days: int | None = 112, x_range=None) -> go.Figure:
    """The wearable's nights and mornings: sleep, resting heart rate and HRV with its normal band, per source.

    Parameters
    ----------
    wellness : pandas.DataFrame or None
        :func:`heavylegs.logs.wellness.read_wellness` rows (any sources).
    until : str or date, optional
        Last day shown and the day the baselines are taken up to (default:
        the last day of the rows).
    last_days : int or None
        Days shown up to ``until`` (None: all).
    x_range : list of two str, optional
        The date range of the x axis, e.g. the heaviness chart's, so the two
        charts show the same days one under the other.

    Returns
    -------
    plotly.graph_objects.Figure
        Three panels sharing the dates: sleep [h] (bars, ``yaxis="y3"``),
        resting heart rate [bpm] (``y2``) and HRV [ms] (``y``), one trace per
        source (HRV per source and kind: Apple's SDNN and the others' rMSSD
        are never drawn as one line); the HRV normal band of the source the
        ranking uses (the 60 days before each morning, mean ± 1 SD of ln HRV)
        as a shaded area. A note when there are no rows.
    """
    traces, annotations = [], []
    frame = None if wellness is None or len(wellness) == 0 else wellness.copy()
    end = None
    if frame is not None:
        frame["date"] = pd.to_datetime(frame["date"]).dt.normalize()
        end = pd.Timestamp(str(until)[:10]) if until is not None else frame["date"].max()
        first = None if last_days is None else end - pd.Timedelta(days=last_days - 1)
        if x_range is None:
            # the last ``last_days`` days, or from the first row when the rows began later
            start = frame.loc[frame["date"] <= end, "date"].min()
            start = start if first is None or pd.isna(start) else max(first, start - pd.Timedelta(days=2))
            if not pd.isna(start):
                x_range = [start.strftime("%Y-%m-%d"), (end + pd.Timedelta(days=1)).strftime("%Y-%m-%d")]
        shown = frame.loc[(frame["date"] <= end) & ((frame["date"] >= first) if first is not None else True)]
        chosen = choose_source(frame, "hrv", end)
        band = morning_series(frame, "hrv", end) if chosen is not None else None
        if band is not None:
            band = band.loc[band.index >= (first if first is not None else band.index[0])]
            known = band["low"].notna()
            name = f"{SOURCE_NAMES.get(chosen[0], chosen[0])} {'SDNN' if chosen[1] == 'sdnn' else 'rMSSD'}"
            x_band = [d.strftime("%Y-%m-%d") for d in band.index[known]]
            traces.append(go.Scatter(name="HRV normal band, low", x=x_band, y=band["low"][known].round(1).tolist(),
                                     mode="lines", line=dict(width=0, color="#999999"), showlegend=False,
                                     hoverinfo="skip"))
            traces.append(go.Scatter(name=f"{name} normal band (60 days before, mean ± 1 SD of ln HRV)", x=x_band,
                                     y=band["high"][known].round(1).tolist(), mode="lines", fill="tonexty",
                                     line=dict(width=0, color="#999999"), fillcolor="rgba(0,114,178,0.12)",
                                     hovertemplate="%{x|%a %Y-%m-%d}<br>normal up to %{y:.0f} ms<extra></extra>"))
        for source, part in shown.groupby("source", sort=False):
            colour = _SOURCE_COLOURS.get(source, "#333333")
            vendor = SOURCE_NAMES.get(source, source)
            x = [d.strftime("%Y-%m-%d") for d in part["date"]]
            for kind in ("rmssd", "sdnn"):
                pick = (part["hrv_kind"] == kind).to_numpy() & part["hrv_ms"].notna().to_numpy()
                if pick.any():
                    label = "SDNN" if kind == "sdnn" else "rMSSD"
                    traces.append(go.Scatter(
                        name=f"HRV {vendor} ({label}) [ms]", x=[d for d, k in zip(x, pick) if k],
                        y=part["hrv_ms"].to_numpy()[pick].tolist(), mode="lines+markers", yaxis="y",
                        line=dict(color=colour, width=1.5, dash="dot" if kind == "sdnn" else "solid"),
                        marker=dict(size=5, color=colour),
                        hovertemplate=f"%{{x|%a %Y-%m-%d}}<br>{vendor} {label} %{{y:.0f}} ms<extra></extra>"))
            pick = part["rhr_bpm"].notna().to_numpy()
            if pick.any():
                traces.append(go.Scatter(
                    name=f"resting HR {vendor} [bpm]", x=[d for d, k in zip(x, pick) if k],
                    y=part["rhr_bpm"].to_numpy()[pick].tolist(), mode="lines+markers", yaxis="y2",
                    line=dict(color=colour, width=1.5), marker=dict(size=5, color=colour),
                    hovertemplate=f"%{{x|%a %Y-%m-%d}}<br>{vendor} resting HR %{{y:.0f}} bpm<extra></extra>"))
            pick = part["sleep_h"].notna().to_numpy()
            if pick.any():
                traces.append(go.Bar(
                    name=f"sleep {vendor} [h]", x=[d for d, k in zip(x, pick) if k],
                    y=part["sleep_h"].to_numpy()[pick].round(2).tolist(), yaxis="y3",
                    marker=dict(color=colour, opacity=0.7),
                    hovertemplate=f"%{{x|%a %Y-%m-%d}}<br>{vendor} sleep %{{y:.1f}} h<extra></extra>"))
    if not traces:
        annotations.append(dict(xref="paper", yref="paper", x=0.5, y=0.5, showarrow=False, font=dict(size=14),
                                text="No wellness data yet: import a watch or ring export above."))
    else:
        drawn = {t.yaxis or "y" for t in traces}
        for axis, what in (("y", "HRV"), ("y2", "resting heart rate"), ("y3", "sleep duration")):
            if axis not in drawn:
                # an empty trace keeps the panel and its axis drawn, so the dates stay at the bottom
                traces.append(go.Scatter(x=x_range or [], y=[None, None] if x_range else [], yaxis=axis,
                                         mode="lines", showlegend=False, hoverinfo="skip",
                                         name=f"no {what}"))
                annotations.append(dict(xref="paper", yref=f"{axis} domain", x=0.5, y=0.5, showarrow=False,
                                        font=dict(size=12, color="#777777"),
                                        text=f"no {what} from the watch or ring on these days"))
    layout = dict(
        height=460, font=_FONT, plot_bgcolor="white", margin=dict(l=60, r=20, t=40, b=40),
        hovermode="closest", bargap=0.15, barmode="group",
        title=dict(text="From the watch or ring: HRV with its normal band, resting heart rate, sleep", x=0,
                   font=dict(size=14)),
        xaxis=dict(type="date", gridcolor="#EEEEEE", anchor="y3", range=x_range),
        yaxis=dict(title=dict(text="HRV [ms]"), domain=[0.68, 1.0], gridcolor="#EEEEEE"),
        yaxis2=dict(title=dict(text="rest HR [bpm]"), domain=[0.36, 0.62], anchor="x", gridcolor="#EEEEEE"),
        yaxis3=dict(title=dict(text="sleep [h]"), domain=[0.0, 0.3], anchor="x", gridcolor="#EEEEEE",
                    rangemode="tozero"),
        legend=dict(orientation="h", x=0, y=-0.1, yanchor="top", font=dict(size=11)),
        annotations=annotations,
    )
    return go.Figure(data=traces, layout=layout)
