"""The athlete dashboard: one page, in plain language, for the runner.

The athlete does not open a notebook: they open a link or a file on a phone,
often offline. The page answers, in this order:

1. whether to see a doctor, and how soon (the red flags, first and
   unmissable);
2. the three most likely causes of the heavy legs, each with *why* (the
   athlete's own values, as scoring wrote them) and what to do this week;
3. the weekly training chart, with the acute:chronic ratio explained in one
   sentence;
4. the date of the assessment and of the last logged run, and the reminder
   that this is coaching support, not a diagnosis.

One content model (:func:`dashboard_content`, plain data) feeds both outputs:

* :class:`AthleteDashboard` displays it in a notebook, which Voila serves
  (:func:`serve_dashboard`) with the code hidden;
* :func:`export_dashboard` writes it as one standalone HTML file with
  plotly.js inlined once, which opens with no network at all.

A served dashboard is locked to one athlete: the server sets
``HEAVYLEGS_ATHLETE`` and the page refuses a query string that asks for
another one, so a link can never show someone else's data.
"""
from __future__ import annotations

import datetime as _dt
import html
import os
import re
import urllib.parse
from pathlib import Path

from .errors import InputError, Problem
# The Voila process manager lives in heavylegs.server; its names stay importable from here.
from .server import (DATA_DIR_ENV, SERVED_ATHLETE_ENV, DashboardServer, notebook_path, serve_dashboard,
                     voila_command)
from .storage import athlete_paths, atomic_write_text, default_data_dir, validate_athlete_id

__all__ = [
    "AthleteDashboard",
    "DashboardServer",
    "dashboard_content",
    "dashboard_figure",
    "dashboard_sections",
    "dashboard_page",
    "requested_athlete",
    "export_dashboard",
    "serve_dashboard",
    "voila_command",
    "notebook_path",
    "SERVED_ATHLETE_ENV",
    "DATA_DIR_ENV",
    "TOP_CAUSES",
]

#: Number of causes the dashboard explains.
TOP_CAUSES = 3

# What each urgency asks the athlete to do, in words a runner acts on.
_URGENCY = {
    "emergency": ("Get medical help now", "Today, at an emergency department or by calling emergency services."),
    "urgent": ("See a doctor today", "Do not wait until tomorrow or for the next training week."),
    "soon": ("Book a doctor's appointment within days", "Within the next few days, before hard training."),
}
_URGENCY_ORDER = {"emergency": 0, "urgent": 1, "soon": 2}
#: Advice items shown at once per cause; the rest fold under "more" (a phone screen is short).
_ADVICE_SHOWN = 3
#: Reasons shown at once per cause, strongest first.
_BECAUSE_SHOWN = 4
_BAND_WORDS = {"likely": "most likely", "possible": "possible", "unlikely": "less likely"}

DISCLAIMER = ("This page is coaching support, not a diagnosis. It ranks common reasons for heavy legs "
              "from your answers and your training log; only a doctor can examine you and rule out illness.")
ACWR_SENTENCE = ("The dark line compares your last 7 days of training load with your average week of the "
                 "last 4: inside the green band (0.8 to 1.3) training grew at a pace legs usually absorb, "
                 "and above the red dashed line (1.5) it rose faster than they usually adapt, a rough rule "
                 "of thumb rather than a verdict.")


# --- content model -------------------------------------------------------------------------

def _date_text(value) -> str | None:
    """``YYYY-MM-DD`` as "16 Nov 2026" (unambiguous in any country)."""
    if value is None:
        return None
    try:
        day = _dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    return f"{day.day} {day.strftime('%b %Y')}"


def _last_run(log) -> str | None:
    """Date ``YYYY-MM-DD`` of the last ``run`` session of a log, or None."""
    if log is None or len(log) == 0:
        return None
    runs = log[log["activity"] == "run"] if "activity" in log.columns else log
    if len(runs) == 0:
        return None
    return str(max(runs["date"].tolist()))[:10]


def _latest_acwr(weekly) -> dict | None:
    """The last week with an ACWR: ``{"value", "week"}``, or None."""
    if weekly is None or "acwr" not in getattr(weekly, "columns", ()):
        return None
    rows = weekly[weekly["acwr"].notna()]
    if len(rows) == 0:
        return None
    last = rows.iloc[-1]
    return {"value": float(last["acwr"]), "week": str(last["week_start"])[:10]}


def _because(item: dict) -> str:
    """An evidence line, with its week when the text does not already name it."""
    week = item.get("week")
    if week and str(week) not in item["because"]:
        return f"{item['because']} (week of {_date_text(week)})"
    return item["because"]


def dashboard_content(athlete_id: str, data_dir=None, top: int = TOP_CAUSES) -> dict:
    """Everything the athlete's page shows, as plain data.

    Parameters
    ----------
    athlete_id : str
        A valid athlete id (checked with
        :func:`heavylegs.storage.validate_athlete_id`).
    data_dir : str or Path, optional
        The data folder; :func:`heavylegs.storage.default_data_dir` by
        default (``$HEAVYLEGS_DATA_DIR`` when set).
    top : int
        Number of causes to explain.

    Returns
    -------
    dict
        ``athlete_id``; ``name`` (first name, or the id); ``assessed_on``
        and ``last_run`` (``YYYY-MM-DD`` or None); ``red_flags`` (most urgent
        first, each with ``title``, ``reason``, ``action``, ``urgency`` and
        the plain ``urgency_label`` and ``urgency_when``); ``causes`` (the
        best ``top``: ``rank``, ``id``, ``title``, ``summary``, ``band``,
        ``score`` [0-100], ``because`` (list of str, the athlete's own
        values), ``advice`` (list of str) and ``see_doctor_if``);
        ``weekly`` (the :func:`heavylegs.load.weekly_table` DataFrame, or
        None without a log) and ``acwr`` (the latest ``{"value", "week"}``
        or None).

    Raises
    ------
    InputError
        For an invalid id, an athlete with neither profile nor assessment,
        or an unreadable profile or log.
    """
    from .assessments import list_assessments, load_latest_profile
    from .scoring import score_profile

    validate_athlete_id(athlete_id, "athlete")
    data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
    paths = athlete_paths(data_dir, athlete_id)
    if not paths["profile"].exists() and not list_assessments(data_dir, athlete_id):
        raise InputError([Problem(str(paths["profile"]), f"no profile for athlete {athlete_id!r}, "
                                                          "expected a file DATA/athletes/<id>.json",
                                  field="athlete_id")])
    profile = load_latest_profile(data_dir, athlete_id)
    log = weekly = facts = None
    if paths["log"].exists():
        from .load import log_facts, weekly_table
        from .traininglog import read_log

        log = read_log(paths["log"])
        until = profile.get("assessed_on")
        facts = log_facts(log, until=_dt.date.fromisoformat(until) if until else None)
        weekly = weekly_table(log)
    ranking = score_profile(profile, log_facts=facts)
    flags = sorted(ranking["red_flags"], key=lambda f: _URGENCY_ORDER.get(f["urgency"], 9))
    name = str(profile.get("name") or athlete_id).split()[0]
    return {
        "athlete_id": athlete_id,
        "name": name,
        "assessed_on": ranking.get("assessed_on"),
        "last_run": _last_run(log),
        "red_flags": [dict(flag, urgency_label=_URGENCY[flag["urgency"]][0],
                           urgency_when=_URGENCY[flag["urgency"]][1]) for flag in flags],
        "causes": [{
            "rank": c["rank"], "id": c["id"], "title": c["title"], "summary": c.get("summary", ""),
            "band": c["band"], "score": c["score"],
            "because": [_because(e) for e in sorted(c["evidence"], key=lambda e: -e["points"])
                        if e["points"] > 0],
            "advice": list(c.get("advice", [])),
            "see_doctor_if": c.get("see_doctor_if") or "",
        } for c in ranking["causes"][:top]],
        "weekly": weekly,
        "acwr": _latest_acwr(weekly),
    }


def dashboard_figure(content: dict):
    """The weekly chart of the page, sized for a phone as well as a desktop.

    Parameters
    ----------
    content : dict
        From :func:`dashboard_content`.

    Returns
    -------
    plotly.graph_objects.Figure
        :func:`heavylegs.figures.weekly_load_figure` of the weekly distance
        [km] with the ACWR, with a shorter title, small margins and the
        legend under the plot so it fits 390 px.
    """
    from .figures import weekly_load_figure

    fig = weekly_load_figure(content["weekly"], metric="distance")
    fig.update_layout(
        title=dict(text="Weekly distance [km] and load ratio", x=0, font=dict(size=14)),
        margin=dict(l=44, r=40, t=40, b=20), height=400, autosize=True,
        legend=dict(orientation="h", x=0, y=-0.12, yanchor="top", font=dict(size=10)),
        yaxis=dict(title=dict(text="km")), yaxis2=dict(title=dict(text="ACWR"), tickformat=".1f", dtick=0.5),
    )
    return fig


# --- HTML ------------------------------------------------------------------------------------

CSS = """
div.hl-dash{--hl-red:#a50e0e;--hl-red-bg:#fdecea;--hl-ink:#1f2328;--hl-mute:#57606a;--hl-line:#d0d7de;
  font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:var(--hl-ink);
  font-size:16px;line-height:1.5;max-width:820px;margin:0 auto;padding:0 4px;box-sizing:border-box}
div.hl-dash *{box-sizing:border-box}
div.hl-dash h1{font-size:1.5rem;font-weight:700;line-height:1.25;margin:.4rem 0 .2rem}
div.hl-dash h2{font-size:1.2rem;font-weight:700;line-height:1.3;margin:1.4rem 0 .5rem}
div.hl-dash h3{font-size:1.05rem;font-weight:700;line-height:1.3;margin:0 0 .3rem}
div.hl-dash p{margin:.3rem 0}
div.hl-dash ul{margin:.2rem 0 .5rem;padding-left:1.2rem}
div.hl-dash li{margin:.15rem 0}
div.hl-dash .hl-meta{color:var(--hl-mute);font-size:.9rem;margin:0}
div.hl-dash .hl-date{white-space:nowrap}
div.hl-dash .hl-flags{background:var(--hl-red-bg);border:3px solid var(--hl-red);border-radius:10px;
  padding:12px 14px;margin:14px 0}
div.hl-dash .hl-flags>h2{color:var(--hl-red);font-size:1.35rem;margin:0 0 .4rem}
div.hl-dash .hl-flag-group{margin-top:.7rem}
div.hl-dash .hl-flag{border-top:1px solid #f1b5b0;padding:.45rem 0 .2rem;margin-top:.35rem}
div.hl-dash .hl-flag:first-of-type{border-top:0}
div.hl-dash .hl-more{list-style:none;margin-left:-1.2rem}
div.hl-dash summary{cursor:pointer;color:#0b5cad;font-weight:600;padding:.2rem 0}
div.hl-dash .hl-urgency{display:inline-block;background:var(--hl-red);color:#fff;font-weight:700;
  border-radius:6px;padding:2px 8px;font-size:.95rem;margin-bottom:.2rem}
div.hl-dash .hl-ok{background:#eef7f0;border-left:5px solid #2e7d32;border-radius:6px;padding:8px 12px;
  margin:14px 0}
div.hl-dash .hl-cause{border:1px solid var(--hl-line);border-radius:10px;padding:12px 14px;margin:10px 0;
  background:#fff}
div.hl-dash .hl-cause-head{display:flex;gap:10px;align-items:flex-start}
div.hl-dash .hl-rank{flex:0 0 auto;width:2rem;height:2rem;border-radius:50%;background:#1f2328;color:#fff;
  font-weight:700;display:flex;align-items:center;justify-content:center}
div.hl-dash .hl-band{display:inline-block;font-size:.8rem;font-weight:600;border-radius:999px;padding:1px 8px;
  margin-left:2px;vertical-align:middle}
div.hl-dash .hl-band-likely{background:#fbe3d4;color:#8a3300}
div.hl-dash .hl-band-possible{background:#fdf0d2;color:#6b4a00}
div.hl-dash .hl-band-unlikely{background:#eeeeee;color:#444}
div.hl-dash .hl-label{font-weight:700;margin:.5rem 0 0}
div.hl-dash .hl-doctor{font-size:.92rem;color:var(--hl-mute);margin-top:.4rem}
div.hl-dash .hl-chart-note{font-size:.95rem}
div.hl-dash .hl-disclaimer{border-top:1px solid var(--hl-line);color:var(--hl-mute);font-size:.9rem;
  margin-top:1.2rem;padding-top:.6rem}
div.hl-dash .hl-refused{border:2px solid var(--hl-line);border-radius:10px;padding:14px;margin:14px 0}
/* Voila draws the chart outside our block: give it the same width as the text */
div.jp-OutputArea-child:has(>div.jp-RenderedPlotly){max-width:820px;margin-left:auto;margin-right:auto}
div.jp-OutputArea-child>div.jp-RenderedPlotly.jp-OutputArea-output{min-width:0}
@media (min-width:700px){div.hl-dash{font-size:17px;padding:0 12px}div.hl-dash h1{font-size:1.8rem}}
"""


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def _flags_html(content: dict) -> str:
    flags = content["red_flags"]
    if not flags:
        return ('<section class="hl-ok" id="hl-no-flags"><p><strong>No warning sign that needs a doctor '
                'was found in your answers.</strong> If anything listed under "see a doctor if" below '
                'appears, do see one.</p></section>')
    worst = flags[0]
    groups = []
    for urgency in _URGENCY_ORDER:
        group = [f for f in flags if f["urgency"] == urgency]
        if not group:
            continue
        items = "".join(
            f'<div class="hl-flag"><h3>{_e(f["title"])}</h3><p>{_e(f["reason"])}</p>'
            f'<p><strong>What to do:</strong> {_e(f["action"])}</p></div>' for f in group)
        groups.append(f'<div class="hl-flag-group"><span class="hl-urgency">{_e(group[0]["urgency_label"])}'
                      f'</span>{items}</div>')
    return (f'<section class="hl-flags" id="hl-red-flags" role="alert"><h2>&#9888; See a doctor first</h2>'
            f'<p class="hl-flags-lead"><strong>{_e(worst["urgency_label"])}.</strong> '
            f'{_e(worst["urgency_when"])} Your answers include warning signs that training cannot explain; '
            f'the training advice below does not replace a doctor.</p>{"".join(groups)}</section>')


def _folded_list(items, shown, noun) -> str:
    """``<li>`` items: the first ``shown`` open, the rest folded under "N more …"."""
    html_items = "".join(f"<li>{_e(item)}</li>" for item in items[:shown])
    rest = items[shown:]
    if rest:
        label = f"{len(rest)} {noun}{'s' if len(rest) > 1 else ''}"
        html_items += (f'<li class="hl-more"><details><summary>{label}</summary><ul>'
                       + "".join(f"<li>{_e(item)}</li>" for item in rest) + "</ul></details></li>")
    return html_items


def _cause_html(cause: dict) -> str:
    because = _folded_list(cause["because"], _BECAUSE_SHOWN, "more reason") or \
        "<li>Nothing in your answers points to it strongly yet; it ranks here because others score lower.</li>"
    advice = _folded_list(cause["advice"], _ADVICE_SHOWN, "more tip")
    doctor = (f'<p class="hl-doctor"><strong>See a doctor if:</strong> {_e(cause["see_doctor_if"])}</p>'
              if cause["see_doctor_if"] else "")
    return (f'<article class="hl-cause" id="hl-cause-{cause["rank"]}" data-cause="{_e(cause["id"])}">'
            f'<div class="hl-cause-head"><span class="hl-rank">{cause["rank"]}</span><div>'
            f'<h3 class="hl-cause-title">{_e(cause["title"])}</h3>'
            f'<span class="hl-band hl-band-{_e(cause["band"])}">{_e(_BAND_WORDS.get(cause["band"], cause["band"]))}'
            f' &middot; score {cause["score"]}/100</span></div></div>'
            f'<p>{_e(cause["summary"])}</p>'
            f'<p class="hl-label">Why, in your numbers</p><ul class="hl-because">{because}</ul>'
            f'<p class="hl-label">This week</p><ul class="hl-advice">{advice}</ul>{doctor}</article>')


def dashboard_sections(content: dict) -> tuple:
    """The page's HTML around the chart.

    Parameters
    ----------
    content : dict
        From :func:`dashboard_content`.

    Returns
    -------
    before : str
        Styles, heading with the dates, red flags (or the all-clear), the
        top causes and the chart's heading with its one-sentence
        explanation, inside ``<div class="hl-dash">``.
    after : str
        The disclaimer.
    """
    dates = [f"Assessment: <strong class=\"hl-date\">{_e(_date_text(content['assessed_on']) or 'not dated')}"
             "</strong>", "Last logged run: <strong class=\"hl-date\">"
             f"{_e(_date_text(content['last_run']) or 'none logged')}</strong>"]
    causes = "".join(_cause_html(c) for c in content["causes"])
    if content["acwr"]:
        latest = (f" Your latest ratio is <strong>{content['acwr']['value']:.2f}</strong> "
                  f"(week of {_e(_date_text(content['acwr']['week']))}).")
    else:
        latest = ""
    chart_note = (f'<p class="hl-chart-note">Bars are your kilometres each week. {_e(ACWR_SENTENCE)}{latest}</p>'
                  if content["weekly"] is not None else
                  '<p class="hl-chart-note">No training log yet, so there is no chart.</p>')
    before = (f'<style>{CSS}</style><div class="hl-dash">'
              f'<header><h1>Heavy legs: {_e(content["name"])}\'s check</h1>'
              f'<p class="hl-meta">{" &middot; ".join(dates)}</p>'
              f'<p class="hl-meta">Coaching support, not a diagnosis.</p></header>'
              f'{_flags_html(content)}'
              f'<section id="hl-causes"><h2>What is most likely behind your heavy legs</h2>{causes}</section>'
              f'<section id="hl-training"><h2>Your training, week by week</h2>{chart_note}</section></div>')
    after = (f'<div class="hl-dash"><p class="hl-disclaimer" id="hl-disclaimer">{_e(DISCLAIMER)}</p></div>')
    return before, after


def _refused_html(message: str) -> str:
    return (f'<style>{CSS}</style><div class="hl-dash"><section class="hl-refused" id="hl-refused">'
            f'<h1>This dashboard cannot be shown</h1><p>{_e(message)}</p></section></div>')


_PLOTLY_CONFIG = {"responsive": True, "displaylogo": False, "displayModeBar": False, "scrollZoom": False}


def dashboard_page(content: dict) -> str:
    """The whole dashboard as one standalone HTML document.

    Parameters
    ----------
    content : dict
        From :func:`dashboard_content`.

    Returns
    -------
    str
        An HTML5 page with a viewport meta tag, the styles inline and
        plotly.js inlined once (about 4.8 MB); it loads nothing from the
        network.
    """
    before, after = dashboard_sections(content)
    chart = ""
    if content["weekly"] is not None:
        chart = dashboard_figure(content).to_html(
            full_html=False, include_plotlyjs=True, config=_PLOTLY_CONFIG,
            default_width="100%", default_height="400px", div_id="hl-weekly-chart")
        chart = f'<div class="hl-dash hl-chart">{chart}</div>'
    title = f"Heavy legs: {content['name']}'s check ({_date_text(content['assessed_on']) or 'undated'})"
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{_e(title)}</title>"
            "<style>body{margin:0;padding:8px;background:#fff}</style></head>"
            f"<body>{before}{chart}{after}</body></html>\n")


_REMOTE_REF = re.compile(r"<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*[\"']?\s*(?:https?:)?//",
                         re.IGNORECASE)


def _check_offline(page: str) -> None:
    # plotly.js mentions URLs in its own strings; what must never appear is a
    # tag that makes the browser fetch something.
    match = _REMOTE_REF.search(page)
    if match:
        raise RuntimeError(f"the exported page would load {match.group(0)!r} from the network")


# --- notebook class ---------------------------------------------------------------------------

def requested_athlete(default: str, query_string: str | None = None, served: str | None = None) -> str:
    """The athlete a dashboard request asks for.

    Parameters
    ----------
    default : str
        The notebook's ``athlete_id`` parameter.
    query_string : str, optional
        The request's query string (Voila's ``QUERY_STRING``), e.g.
        ``"athlete=ben"``.
    served : str, optional
        The one athlete a server was started for (``$HEAVYLEGS_ATHLETE``).

    Returns
    -------
    str
        ``served`` when set, else the query's ``athlete``, else ``default``.

    Raises
    ------
    InputError
        When the query's id is invalid, or asks for another athlete than
        ``served``.
    """
    params = urllib.parse.parse_qs(query_string or "", keep_blank_values=True)
    asked = params.get("athlete", [None])[-1]
    if asked is not None:
        validate_athlete_id(asked, "?athlete=")
    if served:
        validate_athlete_id(served, SERVED_ATHLETE_ENV)
        if asked is not None and asked != served:
            raise InputError([Problem("?athlete=", "the link asks for another athlete, expected the one "
                                                   "athlete this server was started for", field="athlete")])
        return served
    return asked if asked is not None else validate_athlete_id(default, "athlete_id")


def _wait_for_voila_request() -> None:
    # A preheated Voila kernel runs the notebook before any request; the query
    # string reaches its environment only once a browser asks for the page.
    if os.environ.get("VOILA_PREHEAT") == "True":
        from voila.utils import wait_for_request

        wait_for_request()


class AthleteDashboard:
    """The athlete's dashboard, displayed as the body of a notebook.

    Parameters
    ----------
    athlete_id : str
        A valid athlete id.
    data_dir : str or Path, optional
        The data folder (:func:`heavylegs.storage.default_data_dir` by
        default).

    Attributes
    ----------
    athlete_id : str
    content : dict or None
        :func:`dashboard_content`, None when it could not be built.
    error : str or None
        Why the dashboard cannot be shown (bad id, unknown athlete, refused
        request); the page then shows only this message.

    Notes
    -----
    Display emits the HTML before the chart, the chart as plotly's own
    mimetype (rendered offline by Voila and JupyterLab), and the disclaimer.
    """

    def __init__(self, athlete_id: str = "ana", data_dir=None):
        self.athlete_id = athlete_id
        self.content = None
        self.error = None
        try:
            self.content = dashboard_content(athlete_id, data_dir)
        except InputError as exc:
            self.error = "; ".join(p.message for p in exc.problems)

    @classmethod
    def refused(cls, message: str) -> "AthleteDashboard":
        """A dashboard showing only ``message`` and no athlete data."""
        self = cls.__new__(cls)
        self.athlete_id, self.content, self.error = None, None, message
        return self

    @classmethod
    def from_request(cls, athlete_id: str = "ana", data_dir=None) -> "AthleteDashboard":
        """The dashboard a notebook or a Voila request asks for.

        Parameters
        ----------
        athlete_id : str
            The notebook's parameter (used when neither the server nor the
            query string names an athlete).
        data_dir : str or Path, optional
            The data folder.

        Returns
        -------
        AthleteDashboard
            For ``$HEAVYLEGS_ATHLETE`` when set (built before waiting for
            the request, so a preheated kernel does the work ahead), else for
            ``?athlete=`` of the query string, else for ``athlete_id``. A
            request for another athlete than the served one, or with an
            invalid id, gives a refusal that shows no data.
        """
        served = os.environ.get(SERVED_ATHLETE_ENV) or None
        ready = cls(served, data_dir) if served else None
        _wait_for_voila_request()
        try:
            wanted = requested_athlete(athlete_id, os.environ.get("QUERY_STRING", ""), served)
        except InputError as exc:
            return cls.refused("; ".join(p.message for p in exc.problems) + ".")
        return ready if ready is not None else cls(wanted, data_dir)

    def parts(self) -> list:
        """What the page shows, in order: HTML strings and the plotly figure."""
        if self.content is None:
            return [_refused_html(self.error or "unknown error")]
        before, after = dashboard_sections(self.content)
        if self.content["weekly"] is None:
            return [before, after]
        return [before, dashboard_figure(self.content), after]

    def page(self) -> str:
        """The standalone HTML page (see :func:`dashboard_page`)."""
        if self.content is None:
            return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
                    "content=\"width=device-width, initial-scale=1\"><title>Heavy legs</title></head><body>"
                    f"{_refused_html(self.error or 'unknown error')}</body></html>\n")
        return dashboard_page(self.content)

    def _ipython_display_(self):
        from IPython.display import HTML, display

        for part in self.parts():
            if isinstance(part, str):
                display(HTML(part))
            else:
                # plotly's mimetype, never the "notebook" renderer: that one
                # would copy 4.8 MB of plotly.js into the page.
                display({"application/vnd.plotly.v1+json": {**part.to_plotly_json(), "config": _PLOTLY_CONFIG},
                         "text/plain": "weekly training chart"}, raw=True)

    def __repr__(self) -> str:
        state = f"error={self.error!r}" if self.content is None else f"{len(self.content['causes'])} causes"
        return f"AthleteDashboard({self.athlete_id!r}, {state})"


# --- export -------------------------------------------------------------------------------

def export_dashboard(athlete_id: str, out_dir, data_dir=None) -> Path:
    """Write the athlete's dashboard as one standalone HTML file.

    Parameters
    ----------
    athlete_id : str
        A valid athlete id.
    out_dir : str or Path
        Folder to write into (created when missing).
    data_dir : str or Path, optional
        The data folder (:func:`heavylegs.storage.default_data_dir` by
        default).

    Returns
    -------
    Path
        ``out_dir/<athlete_id>-dashboard.html``: one file (about 4.9 MB,
        most of it plotly.js) that opens offline in any browser, phones
        included.

    Raises
    ------
    InputError
        For an invalid or unknown athlete, or an unreadable profile or log;
        nothing is written then.
    """
    content = dashboard_content(athlete_id, data_dir)
    page = dashboard_page(content)
    _check_offline(page)
    return atomic_write_text(Path(out_dir) / f"{athlete_id}-dashboard.html", page)
