"""The athlete dashboard: one page, in plain language, for the runner.

The athlete does not open a notebook: they open a link or a file on a phone,
often offline. The page answers, in this order:

1. whether to see a doctor, and how soon (the red flags, first and
   unmissable), with the one-page summary "For your doctor" right after
   them;
2. the three most likely causes of the heavy legs, each with *why* (the
   athlete's own values, as scoring wrote them, in the athlete's distance
   unit) and what to do this week;
3. the two-week plan the coach saved with the assessment, day by day, and,
   once it has started, whether the legs feel lighter since;
4. how heavy the legs felt (the check-ins, with the daily load beneath)
   and what comes before the heavy days;
5. the weekly training chart, with the acute:chronic ratio explained in one
   sentence;
6. "For your doctor" when a likely cause calls for a doctor but no red
   flag stands; the dates of the assessment and of the last logged run, and
   the reminder that this is coaching support, not a diagnosis.

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
import os
import re
import urllib.parse
from pathlib import Path

from IPython.display import HTML, display

from heavylegs.analysis.pipeline import assess_athlete
from heavylegs.analysis.plan import distance_unit
from heavylegs.engine.device_load import load_summary
from heavylegs.errors import InputError, Problem
from heavylegs.logs.checkins import follow_up
from heavylegs.store.athlete import load_athlete
from heavylegs.files import atomic_write_text, validate_athlete_id
from heavylegs.store.storage import SERVED_ATHLETE_ENV, default_data_dir
from heavylegs.views.figures import heaviness_figure, weekly_load_figure
# CSS and DISCLAIMER stay importable from here; the page's primitives are heavylegs.views.html's.
from heavylegs.views.html import (acwr_sentence, ADVICE_SHOWN, BAND_WORDS, BECAUSE_SHOWN, CSS, DISCLAIMER,
                                  URGENCY_ORDER, date_text, escape, follow_up_html, in_unit, latest_ratio,
                                  patterns_html, ratio_sentence, refused_html, urgency_label, urgency_when,
                                  wellness_sentences)
from heavylegs.views.plan_pages import doctor_summary_html, doctor_summary_needed, plan_section_html

__all__ = [
    "AthleteDashboard",
    "dashboard_content",
    "dashboard_figure",
    "heaviness_chart",
    "dashboard_blocks",
    "CHARTS",
    "dashboard_sections",
    "dashboard_page",
    "requested_athlete",
    "export_dashboard",
    "flags_html",
    "cause_html",
    "doctor_section_html",
    "PRINT_DOCTOR_CLASS",
    "SERVED_ATHLETE_ENV",
    "TOP_CAUSES",
]

#: Number of causes the dashboard explains.
TOP_CAUSES = 3



# --- content model -------------------------------------------------------------------------

def _last_run(log) -> str | None:
    """Date ``YYYY-MM-DD`` of the last ``run`` session of a log, or None."""
    if log is None or len(log) == 0:
        return None
    runs = log[log["activity"] == "run"] if "activity" in log.columns else log
    if len(runs) == 0:
        return None
    return str(max(runs["date"].tolist()))[:10]


def _because(item: dict) -> str:
    """An evidence line, with its week when the text does not already name it."""
    week = item.get("week")
    if week and str(week) not in item["because"]:
        return f"{item['because']} (week of {date_text(week)})"
    return item["because"]


def _plan_in_unit(plan: dict, unit: str) -> dict:
    """The plan with its sentences (notes, red-flag headline) in the athlete's unit."""
    if unit == "km":
        return plan
    return dict(plan, headline=[in_unit(t, unit) for t in plan.get("headline") or []],
                days=[dict(day, notes=[in_unit(n, unit) for n in day.get("notes") or []])
                      for day in plan["days"]])


def _load_words(log, profile: dict) -> str | None:
    """One plain sentence on what the load behind the ratio is, or None without a log."""
    if log is None or len(log) == 0:
        return None
    summary = load_summary(log, profile, "auto", profile.get("assessed_on"))
    words = {"srpe": "how hard each session felt (your RPE) times its minutes",
             "trimp": "your heart rate during each session", "hrss": "your heart rate during each session",
             "stress": "your heart rate, or your pace when there was no heart rate",
             "rtss": "your pace against your threshold pace", "duration": "the minutes you trained",
             "distance": "the kilometres you ran"}.get(summary.get("metric"), "your sessions")
    estimated = sum((summary.get("estimated") or {}).values())
    total = summary.get("sessions", 0)
    tail = (f" For {estimated} of your {total} sessions it had to be estimated, so read it as a rough guide."
            if estimated else "")
    return f"Training load here is worked out from {words}.{tail}"


def dashboard_content(data_dir, athlete_id: str, top: int = TOP_CAUSES, today=None) -> dict:
    """Everything the athlete's page shows, as plain data.

    The athlete is read by :func:`heavylegs.store.athlete.load_athlete` and
    assessed by :func:`heavylegs.analysis.pipeline.assess_athlete`, as in the
    workbook, the squad and the command line.

    Parameters
    ----------
    data_dir : str or Path or None
        The data folder; None for :func:`heavylegs.store.storage.default_data_dir`
        (``$HEAVYLEGS_DATA_DIR`` when set).
    athlete_id : str
        A valid athlete id (checked with
        :func:`heavylegs.files.validate_athlete_id`).
    top : int
        Number of causes to explain.
    today : str or date, optional
        The day the page is made (today by default): a plan has started
        when its first day is on or before it, and the doctor's page is
        dated with it.

    Returns
    -------
    dict
        ``athlete_id``; ``name`` (first name, or the id); ``unit`` (the
        profile's ``distance_unit``, ``"km"`` or ``"mi"``); ``assessed_on``
        and ``last_run`` (``YYYY-MM-DD`` or None); ``red_flags`` (most urgent
        first, each with ``title``, ``reason``, ``action``, ``urgency`` and
        the plain ``urgency_label`` and ``urgency_when``); ``causes`` (the
        best ``top``: ``rank``, ``id``, ``title``, ``summary``, ``band``,
        ``score`` [0-100], ``because`` (list of str, the athlete's own
        values), ``advice`` (list of str) and ``see_doctor_if``, every
        distance in ``unit``); ``weekly`` (the
        :func:`heavylegs.engine.load.weekly_table` DataFrame, km, or None without a
        log) and ``acwr`` (:func:`heavylegs.views.html.latest_ratio`: the
        latest ratio, or None for it with the days since the last session;
        None without a log);
        ``daily`` (the daily series with ``load_au`` [AU], or None);
        ``checkins`` (:func:`heavylegs.logs.checkins.load_checkins`, None
        without any); ``patterns`` (:attr:`heavylegs.analysis.pipeline.Assessment.patterns`,
        None without check-ins); ``plan`` (the ``heavylegs.plan/1``
        document saved with the newest assessment, sentences in ``unit``,
        or None: the dashboard never makes a plan the coach has not saved);
        ``follow_up`` (:func:`heavylegs.logs.checkins.follow_up` from the plan's
        first day, once that day has come, else None); ``doctor`` (the
        page of :func:`heavylegs.views.plan_pages.doctor_summary_html`, distances
        in ``unit``, when :func:`heavylegs.views.plan_pages.doctor_summary_needed`,
        else None); ``today`` (``YYYY-MM-DD``).

    Raises
    ------
    InputError
        For an invalid id, an athlete with neither profile nor assessment,
        or an unreadable profile, log, check-in file or saved plan.
    """
    validate_athlete_id(athlete_id, "athlete")
    data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
    record = load_athlete(data_dir, athlete_id).require()
    day = _dt.date.fromisoformat(str(today)[:10]) if today is not None else _dt.date.today()
    profile, log = record.answers(), record.log
    unit = distance_unit(profile)
    checkins = record.checkins if record.has_checkins else None
    # the workbook's own pipeline: the same ranking, and the chart ends on the same day
    result = assess_athlete(record)
    ranking, weekly = result.ranking, result.weekly
    plan = record.plan
    started = plan is not None and _dt.date.fromisoformat(plan["start"]) <= day
    doctor = None
    if doctor_summary_needed(ranking):
        doctor = in_unit(doctor_summary_html(result, previous_profile=record.previous_profile, plan=plan,
                                             printed=day), unit)
    flags = sorted(ranking["red_flags"], key=lambda f: URGENCY_ORDER.get(f["urgency"], 9))
    name = str(profile.get("name") or athlete_id).split()[0]
    return {
        "athlete_id": athlete_id,
        "name": name,
        "unit": unit,
        "assessed_on": ranking.get("assessed_on"),
        "last_run": _last_run(log),
        "red_flags": [dict(flag, urgency_label=urgency_label(flag["urgency"]),
                           urgency_when=urgency_when(flag["urgency"])) for flag in flags],
        "causes": [{
            "rank": c["rank"], "id": c["id"], "title": c["title"], "summary": in_unit(c.get("summary", ""), unit),
            "band": c["band"], "score": c["score"],
            # A red flag stays the first reason of the causes it points at (spec/profile.md).
            "because": [in_unit(_because(e), unit)
                        for e in sorted(c["evidence"], key=lambda e: ("red_flag" not in e, -e["points"]))
                        if e["points"] > 0],
            "advice": [in_unit(a, unit) for a in c.get("advice", [])],
            "see_doctor_if": in_unit(c.get("see_doctor_if") or "", unit),
        } for c in ranking["causes"][:top]],
        "weekly": weekly,
        "acwr": latest_ratio(weekly, result.daily),
        "load": _load_words(log, profile),
        "daily": result.daily,
        "checkins": checkins,
        "patterns": result.patterns,
        "plan": None if plan is None else _plan_in_unit(plan, unit),
        "follow_up": follow_up(record.checkins, plan["start"]) if started else None,
        "doctor": doctor,
        "today": day.isoformat(),
        "wellness": result.wellness,
        "wellness_words": wellness_sentences(result.wellness),
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
        :func:`heavylegs.views.figures.weekly_load_figure` of the weekly distance
        [km or mi, the athlete's unit] with the ACWR, with a shorter title,
        small margins and the legend under the plot so it fits 390 px.
    """
    unit = content.get("unit", "km")
    fig = weekly_load_figure(content["weekly"], metric="distance", unit=unit, audience="athlete")
    fig.update_layout(
        # the page shows no mode bar: the title needs no room above it, the buttons a row below it
        title=dict(text=f"Weekly distance [{unit}] and load ratio", pad=dict(t=8)),
        margin=dict(l=44, r=40, t=64, b=20), height=400, autosize=True,
        legend=dict(orientation="h", x=0, y=-0.12, yanchor="top", font=dict(size=10)),
        yaxis=dict(title=dict(text=unit)), yaxis2=dict(title=dict(text="load ratio"), tickformat=".1f", dtick=0.5),
    )
    return fig


def heaviness_chart(content: dict):
    """The heaviness chart of the page (the last 16 weeks), sized for a phone.

    Parameters
    ----------
    content : dict
        From :func:`dashboard_content`, with ``checkins``.

    Returns
    -------
    plotly.graph_objects.Figure
        :func:`heavylegs.views.figures.heaviness_figure` of the check-ins with the
        daily load [AU] beneath (no distance on it), the plan's first day
        marked once the plan has started, small margins and the legend under
        the plot.
    """
    plan_start = content["plan"]["start"] if content.get("plan") and content.get("follow_up") else None
    fig = heaviness_figure(content["checkins"], content["daily"], plan_start=plan_start, last_days=112)
    fig.update_layout(
        title=dict(text="Heaviness (0-10) and daily load", x=0, font=dict(size=14)),
        margin=dict(l=44, r=12, t=40, b=20), height=400, autosize=True,
        legend=dict(orientation="h", x=0, y=-0.1, yanchor="top", font=dict(size=10)),
    )
    # the plan usually began near the right edge: its label goes to the left of the line
    fig.update_annotations(selector=dict(text="plan began"), xanchor="right")
    return fig


#: The charts of the page, by the names :func:`dashboard_blocks` gives them.
CHARTS = {"heaviness": heaviness_chart, "weekly": dashboard_figure}
_CHART_WORDS = {"heaviness": "heaviness chart", "weekly": "weekly training chart"}


# --- HTML ------------------------------------------------------------------------------------

# The athlete's page in blocks of HTML; the primitives (escape, units, urgency, CSS) are heavylegs.views.html's.

def flags_html(content: dict) -> str:
    flags = content["red_flags"]
    if not flags:
        return ('<section class="hl-ok" id="hl-no-flags"><p><strong>No warning sign that needs a doctor '
                'was found in your answers.</strong> If anything listed under "see a doctor if" below '
                'appears, do see one.</p></section>')
    worst = flags[0]
    groups = []
    for urgency in URGENCY_ORDER:
        group = [f for f in flags if f["urgency"] == urgency]
        if not group:
            continue
        items = "".join(
            f'<div class="hl-flag"><h3>{escape(f["title"])}</h3><p>{escape(f["reason"])}</p>'
            f'<p><strong>What to do:</strong> {escape(f["action"])}</p></div>' for f in group)
        groups.append(f'<div class="hl-flag-group"><span class="hl-urgency">{escape(group[0]["urgency_label"])}'
                      f'</span>{items}</div>')
    return (f'<section class="hl-flags" id="hl-red-flags" role="alert"><h2>&#9888; See a doctor first</h2>'
            f'<p class="hl-flags-lead"><strong>{escape(worst["urgency_label"])}.</strong> '
            f'{escape(worst["urgency_when"])} Your answers include warning signs that training cannot explain; '
            f'the training advice below does not replace a doctor.</p>{"".join(groups)}</section>')


def _folded_list(items, shown, noun) -> str:
    """``<li>`` items: the first ``shown`` open, the rest folded under "N more …"."""
    html_items = "".join(f"<li>{escape(item)}</li>" for item in items[:shown])
    rest = items[shown:]
    if rest:
        label = f"{len(rest)} {noun}{'s' if len(rest) > 1 else ''}"
        html_items += (f'<li class="hl-more"><details><summary>{label}</summary><ul>'
                       + "".join(f"<li>{escape(item)}</li>" for item in rest) + "</ul></details></li>")
    return html_items


def cause_html(cause: dict) -> str:
    because = _folded_list(cause["because"], BECAUSE_SHOWN, "more reason") or \
        "<li>Nothing in your answers points to it strongly yet; it ranks here because others score lower.</li>"
    advice = _folded_list(cause["advice"], ADVICE_SHOWN, "more tip")
    doctor = (f'<p class="hl-doctor"><strong>See a doctor if:</strong> {escape(cause["see_doctor_if"])}</p>'
              if cause["see_doctor_if"] else "")
    return (f'<article class="hl-cause" id="hl-cause-{cause["rank"]}" data-cause="{escape(cause["id"])}">'
            f'<div class="hl-cause-head"><span class="hl-rank">{cause["rank"]}</span><div>'
            f'<h3 class="hl-cause-title">{escape(cause["title"])}</h3>'
            f'<span class="hl-band hl-band-{escape(cause["band"])}">{escape(BAND_WORDS.get(cause["band"], cause["band"]))}'
            f' &middot; score {cause["score"]}/100</span></div></div>'
            f'<p>{escape(cause["summary"])}</p>'
            f'<p class="hl-label">Why, in your numbers</p><ul class="hl-because">{because}</ul>'
            f'<p class="hl-label">This week</p><ul class="hl-advice">{advice}</ul>{doctor}</article>')


#: The class the "print for your doctor" button puts on ``<html>``: printing then shows that page only.
PRINT_DOCTOR_CLASS = "hl-print-doctor"

_PRINT_DOCTOR_JS = ("var h=document.documentElement,s=this.closest('section'),d=s&&s.querySelector('details');"
                    f"if(d)d.open=true;h.classList.add('{PRINT_DOCTOR_CLASS}');"
                    f"window.addEventListener('afterprint',function(){{h.classList.remove('{PRINT_DOCTOR_CLASS}')}},"
                    "{once:true});window.print();")
_BODY_RE = re.compile(r"<body[^>]*>(.*)</body>", re.S | re.I)


def doctor_section_html(content: dict) -> str:
    """The "For your doctor" part of the dashboard ("" when no doctor's page is needed).

    Parameters
    ----------
    content : dict
        From :func:`dashboard_content`; its ``doctor`` is
        the page of :func:`heavylegs.views.plan_pages.doctor_summary_html` (or None).

    Returns
    -------
    str
        ``<section id="hl-for-doctor">``: a heading, one sentence, a button
        that prints this page alone (one A4 page: the button puts
        :data:`PRINT_DOCTOR_CLASS` on ``<html>``, and the print styles of
        :data:`CSS` then hide the rest of the dashboard), and the page itself
        under "Show the page for your doctor", so it can be shown on the phone.
    """
    page = content.get("doctor")
    if not page:
        return ""
    match = _BODY_RE.search(page)
    body = match.group(1) if match else page
    if content.get("red_flags"):
        lead = ("Your answers include warning signs. Print this one page, or show it on your phone, and take "
                "it to the doctor: it lists the warning signs and the answers behind them, your blood values, "
                "the likely causes with their evidence, your last 8 weeks of training and what your coach changed.")
    else:
        lead = ("A likely cause above is one a doctor should check. Print this one page, or show it on your "
                "phone, at the appointment: it lists your blood values, the likely causes with their evidence, "
                "your last 8 weeks of training and what your coach changed.")
    return (f'<section class="hl-for-doctor" id="hl-for-doctor"><h2>For your doctor</h2><p>{escape(lead)}</p>'
            f'<p><button type="button" class="hl-print" id="hl-print-doctor" onclick="{escape(_PRINT_DOCTOR_JS)}">'
            "Print the page for your doctor</button></p>"
            '<details id="hl-doctor-details"><summary>Show the page for your doctor</summary>'
            f'<div class="hl-doc-page" id="hl-doctor-page">{body}</div></details></section>')


def _heaviness_note(content: dict) -> str:
    plan = content.get("plan")
    began = (" The dashed green line marks the day your plan began."
             if plan is not None and content.get("follow_up") is not None else "")
    return ('<section id="hl-heaviness"><h2>How heavy your legs felt</h2><p class="hl-chart-note">Each dot is '
            "one check-in (0 light, 10 like lead), the line the mean of the last 7 days; the bars beneath are "
            f"the training load of each day.{escape(began)}</p></section>")


def _wellness_words_html(content: dict) -> str:
    """What the athlete's watch or ring says, in plain words (nothing without wellness data)."""
    words = content.get("wellness_words") or []
    if not words:
        return ""
    items = "".join(f"<li>{escape(w)}</li>" for w in words)
    return ('<section id="hl-wellness"><h2>What your watch or ring says</h2>'
            f"<ul>{items}</ul><p class=\"hl-chart-note\">Each week compared with your own usual: the 60 days "
            "before it.</p></section>")


def dashboard_blocks(content: dict) -> list:
    """The dashboard in order: blocks of HTML and the names of the charts between them.

    Parameters
    ----------
    content : dict
        From :func:`dashboard_content`.

    Returns
    -------
    list
        Three HTML strings, each a ``<div class="hl-dash">`` (the first with
        the styles), with ``"heaviness"`` after the first when the athlete
        has check-ins, and ``"weekly"`` after the second when there is a
        training log:

        1. heading with the dates; the red flags (or the all-clear) and,
           when a red flag stands, "For your doctor" right after them; the
           top causes; the plan; "Is the plan working?"; the heaviness
           chart's heading;
        2. what comes before the heavy days; the weekly chart's heading;
        3. "For your doctor" (when needed and no red flag stands); the
           disclaimer.

        Distances are in ``content["unit"]``; every text is escaped.
    """
    unit = content.get("unit", "km")
    dates = [f"Assessment: <strong class=\"hl-date\">{escape(date_text(content['assessed_on']) or 'not dated')}"
             "</strong>", "Last logged run: <strong class=\"hl-date\">"
             f"{escape(date_text(content['last_run']) or 'none logged')}</strong>"]
    causes = "".join(cause_html(c) for c in content["causes"])
    latest = (" " + ratio_sentence(content["acwr"])) if content.get("acwr") else ""
    words = "miles" if unit == "mi" else "kilometres"
    load_words = f" {escape(content['load'])}" if content.get("load") else ""
    chart_note = (f'<p class="hl-chart-note">Bars are your {words} each week. {escape(acwr_sentence())}{latest}'
                  f'{load_words}</p>'
                  if content["weekly"] is not None else
                  '<p class="hl-chart-note">No training log yet, so there is no chart.</p>')
    doctor = doctor_section_html(content)
    flags_first = bool(content["red_flags"])
    plan = ""
    if content.get("plan") is not None:
        plan = plan_section_html(content["plan"], unit)
    has_checkins = content.get("checkins") is not None
    first = (f'<style>{CSS}</style><div class="hl-dash">'
             f'<header><h1>Heavy legs: {escape(content["name"])}\'s check</h1>'
             f'<p class="hl-meta">{" &middot; ".join(dates)}</p>'
             f'<p class="hl-meta">Coaching support, not a diagnosis.</p></header>'
             f'{flags_html(content)}{doctor if flags_first else ""}'
             f'<section id="hl-causes"><h2>What is most likely behind your heavy legs</h2>{causes}</section>'
             f'{plan}{follow_up_html(content.get("follow_up"))}'
             f'{_heaviness_note(content) if has_checkins else ""}</div>')
    second = (f'<div class="hl-dash">{_wellness_words_html(content)}{patterns_html(content.get("patterns"), detail=False)}'
              f'<section id="hl-training"><h2>Your training, week by week</h2>{chart_note}</section></div>')
    last = (f'<div class="hl-dash">{"" if flags_first else doctor}'
            f'<p class="hl-disclaimer" id="hl-disclaimer">{escape(DISCLAIMER)}</p></div>')
    blocks = [first]
    if has_checkins:
        blocks.append("heaviness")
    blocks.append(second)
    if content["weekly"] is not None:
        blocks.append("weekly")
    blocks.append(last)
    return blocks


def dashboard_sections(content: dict) -> tuple:
    """The dashboard's HTML without its charts, in two parts.

    Parameters
    ----------
    content : dict
        From :func:`dashboard_content`.

    Returns
    -------
    before : str
        Every HTML block of :func:`dashboard_blocks` but the last: styles,
        heading, red flags (or the all-clear), causes, plan, follow-up,
        patterns and the charts' headings.
    after : str
        The last block: "For your doctor" when needed and no red flag
        stands, and the disclaimer.
    """
    html = [b for b in dashboard_blocks(content) if b not in ("heaviness", "weekly")]
    return "".join(html[:-1]), html[-1]



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
        plotly.js inlined once (about 4.8 MB), before the first chart; it
        loads nothing from the network.
    """
    parts = []
    inlined = False
    for block in dashboard_blocks(content):
        if block not in CHARTS:
            parts.append(block)
            continue
        chart = CHARTS[block](content).to_html(
            full_html=False, include_plotlyjs=not inlined, config=_PLOTLY_CONFIG,
            default_width="100%", default_height="400px", div_id=f"hl-{block}-chart")
        inlined = True
        parts.append(f'<div class="hl-dash hl-chart">{chart}</div>')
    title = f"Heavy legs: {content['name']}'s check ({date_text(content['assessed_on']) or 'undated'})"
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{escape(title)}</title>"
            "<style>body{margin:0;padding:8px;background:#fff}</style></head>"
            f"<body>{''.join(parts)}</body></html>\n")


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
        # The one import inside a function outside cli/__init__ (tests/test_architecture.py lists it):
        # voila.utils costs 1.9 s and only a preheated kernel needs it.
        from voila.utils import wait_for_request

        wait_for_request()


class AthleteDashboard:
    """The athlete's dashboard, displayed as the body of a notebook.

    Parameters
    ----------
    data_dir : str or Path or None
        The data folder (None: :func:`heavylegs.store.storage.default_data_dir`).
    athlete_id : str
        A valid athlete id (there is no default athlete).

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
    Display emits the blocks of :func:`dashboard_blocks` in order: HTML,
    and each chart (heaviness, weekly) as plotly's own mimetype (rendered
    offline by Voila and JupyterLab).
    """

    def __init__(self, data_dir, athlete_id: str):
        self.athlete_id = athlete_id
        self.content = None
        self.error = None
        try:
            self.content = dashboard_content(data_dir, athlete_id)
        except InputError as exc:
            self.error = "; ".join(p.message for p in exc.problems)

    @classmethod
    def refused(cls, message: str) -> "AthleteDashboard":
        """A dashboard showing only ``message`` and no athlete data."""
        self = cls.__new__(cls)
        self.athlete_id, self.content, self.error = None, None, message
        return self

    @classmethod
    def from_request(cls, data_dir, athlete_id: str) -> "AthleteDashboard":
        """The dashboard a notebook or a Voila request asks for.

        Parameters
        ----------
        data_dir : str or Path or None
            The data folder (None: :func:`heavylegs.store.storage.default_data_dir`).
        athlete_id : str
            The notebook's parameter (used when neither the server nor the
            query string names an athlete).

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
        ready = cls(data_dir, served) if served else None
        _wait_for_voila_request()
        try:
            wanted = requested_athlete(athlete_id, os.environ.get("QUERY_STRING", ""), served)
        except InputError as exc:
            return cls.refused("; ".join(p.message for p in exc.problems) + ".")
        return ready if ready is not None else cls(data_dir, wanted)

    def parts(self) -> list:
        """What the page shows, in order: HTML strings and plotly figures (:func:`dashboard_blocks`)."""
        if self.content is None:
            return [refused_html(self.error or "unknown error")]
        return [CHARTS[b](self.content) if b in CHARTS else b for b in dashboard_blocks(self.content)]

    def page(self) -> str:
        """The standalone HTML page (see :func:`dashboard_page`)."""
        if self.content is None:
            return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
                    "content=\"width=device-width, initial-scale=1\"><title>Heavy legs</title></head><body>"
                    f"{refused_html(self.error or 'unknown error')}</body></html>\n")
        return dashboard_page(self.content)

    def _ipython_display_(self):
        if self.content is None:
            display(HTML(refused_html(self.error or "unknown error")))
            return
        for block in dashboard_blocks(self.content):
            if block not in CHARTS:
                display(HTML(block))
                continue
            # plotly's mimetype, never the "notebook" renderer: that one
            # would copy 4.8 MB of plotly.js into the page.
            fig = CHARTS[block](self.content)
            display({"application/vnd.plotly.v1+json": {**fig.to_plotly_json(), "config": _PLOTLY_CONFIG},
                     "text/plain": _CHART_WORDS[block]}, raw=True)

    def __repr__(self) -> str:
        state = f"error={self.error!r}" if self.content is None else f"{len(self.content['causes'])} causes"
        return f"AthleteDashboard({self.athlete_id!r}, {state})"


# --- export -------------------------------------------------------------------------------

def export_dashboard(data_dir, athlete_id: str, out_dir) -> Path:
    """Write the athlete's dashboard as one standalone HTML file.

    Parameters
    ----------
    data_dir : str or Path or None
        The data folder (None: :func:`heavylegs.store.storage.default_data_dir`).
    athlete_id : str
        A valid athlete id.
    out_dir : str or Path
        Folder to write into (created when missing).

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
    content = dashboard_content(data_dir, athlete_id)
    page = dashboard_page(content)
    _check_offline(page)
    return atomic_write_text(Path(out_dir) / f"{athlete_id}-dashboard.html", page)
