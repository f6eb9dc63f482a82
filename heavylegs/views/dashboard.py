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

from heavylegs.errors import InputError, Problem
# The page's HTML lives in heavylegs.views.html; CSS, DISCLAIMER and dashboard_sections stay importable here.
from heavylegs.views.html import ACWR_SENTENCE, CSS, DISCLAIMER, URGENCY_ORDER, dashboard_blocks, dashboard_sections, date_text, escape, in_unit, refused_html, urgency_label, urgency_when
# The Voila process manager lives in heavylegs.serve.server; its names stay importable from here.
from heavylegs.serve.server import DATA_DIR_ENV, SERVED_ATHLETE_ENV, DashboardServer, notebook_path, serve_dashboard, voila_command
from heavylegs.store.storage import athlete_paths, atomic_write_text, default_data_dir, validate_athlete_id
from heavylegs.store.wellness_files import load_wellness
from heavylegs.views.html import wellness_sentences

__all__ = [
    "AthleteDashboard",
    "DashboardServer",
    "dashboard_content",
    "dashboard_figure",
    "heaviness_chart",
    "dashboard_blocks",
    "CHARTS",
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



# --- content model -------------------------------------------------------------------------

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
        return f"{item['because']} (week of {date_text(week)})"
    return item["because"]


def _previous_profile(data_dir, athlete_id) -> dict | None:
    """The answers of the assessment before the newest one (None for a first assessment)."""
    from heavylegs.store.assessments import list_assessments, read_assessment

    files = list_assessments(data_dir, athlete_id)
    return read_assessment(files[-2])["profile"] if len(files) > 1 else None


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
    from heavylegs.engine.device_load import load_summary

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


def dashboard_content(athlete_id: str, data_dir=None, top: int = TOP_CAUSES, today=None) -> dict:
    """Everything the athlete's page shows, as plain data.

    Parameters
    ----------
    athlete_id : str
        A valid athlete id (checked with
        :func:`heavylegs.store.storage.validate_athlete_id`).
    data_dir : str or Path, optional
        The data folder; :func:`heavylegs.store.storage.default_data_dir` by
        default (``$HEAVYLEGS_DATA_DIR`` when set).
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
        log) and ``acwr`` (the latest ``{"value", "week"}`` or None);
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
    from heavylegs.store.assessments import list_assessments, load_latest_plan, load_latest_profile
    from heavylegs.logs.checkins import empty_checkins, follow_up, load_checkins
    from heavylegs.analysis.pipeline import assess
    from heavylegs.analysis.plan import distance_unit
    from heavylegs.views.plan_pages import doctor_summary_html, doctor_summary_needed

    validate_athlete_id(athlete_id, "athlete")
    data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
    paths = athlete_paths(data_dir, athlete_id)
    if not paths["profile"].exists() and not list_assessments(data_dir, athlete_id):
        raise InputError([Problem(str(paths["profile"]), f"no profile for athlete {athlete_id!r}, "
                                                          "expected a file DATA/athletes/<id>.json",
                                  field="athlete_id")])
    day = _dt.date.fromisoformat(str(today)[:10]) if today is not None else _dt.date.today()
    profile = load_latest_profile(data_dir, athlete_id)
    unit = distance_unit(profile)
    log = None
    if paths["log"].exists():
        from heavylegs.logs.traininglog import read_log

        log = read_log(paths["log"])
    checkins = load_checkins(data_dir, athlete_id)
    checkins = checkins if len(checkins) else None
    wellness = load_wellness(data_dir, athlete_id)
    wellness = wellness if len(wellness) else None
    # the workbook's own pipeline: the same ranking, and the chart ends on the same day
    result = assess(profile, log, checkins=checkins, wellness=wellness)
    ranking, weekly = result.ranking, result.weekly
    plan = load_latest_plan(data_dir, athlete_id)
    started = plan is not None and _dt.date.fromisoformat(plan["start"]) <= day
    doctor = None
    if doctor_summary_needed(ranking):
        doctor = in_unit(doctor_summary_html(result, previous_profile=_previous_profile(data_dir, athlete_id),
                                             plan=plan, printed=day), unit)
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
            "because": [in_unit(_because(e), unit) for e in sorted(c["evidence"], key=lambda e: -e["points"])
                        if e["points"] > 0],
            "advice": [in_unit(a, unit) for a in c.get("advice", [])],
            "see_doctor_if": in_unit(c.get("see_doctor_if") or "", unit),
        } for c in ranking["causes"][:top]],
        "weekly": weekly,
        "acwr": _latest_acwr(weekly),
        "load": _load_words(log, profile),
        "daily": result.daily,
        "checkins": checkins,
        "patterns": result.patterns,
        "plan": None if plan is None else _plan_in_unit(plan, unit),
        "follow_up": follow_up(checkins if checkins is not None else empty_checkins(),
                               plan["start"]) if started else None,
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
    from heavylegs.views.figures import weekly_load_figure

    unit = content.get("unit", "km")
    fig = weekly_load_figure(content["weekly"], metric="distance", unit=unit)
    fig.update_layout(
        title=dict(text=f"Weekly distance [{unit}] and load ratio", x=0, font=dict(size=14)),
        margin=dict(l=44, r=40, t=40, b=20), height=400, autosize=True,
        legend=dict(orientation="h", x=0, y=-0.12, yanchor="top", font=dict(size=10)),
        yaxis=dict(title=dict(text=unit)), yaxis2=dict(title=dict(text="ACWR"), tickformat=".1f", dtick=0.5),
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
    from heavylegs.views.figures import heaviness_figure

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


#: The charts of the page, by the names :func:`heavylegs.views.html.dashboard_blocks` gives them.
CHARTS = {"heaviness": heaviness_chart, "weekly": dashboard_figure}
_CHART_WORDS = {"heaviness": "heaviness chart", "weekly": "weekly training chart"}


# --- HTML ------------------------------------------------------------------------------------

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
        from voila.utils import wait_for_request

        wait_for_request()


class AthleteDashboard:
    """The athlete's dashboard, displayed as the body of a notebook.

    Parameters
    ----------
    athlete_id : str
        A valid athlete id.
    data_dir : str or Path, optional
        The data folder (:func:`heavylegs.store.storage.default_data_dir` by
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
    Display emits the blocks of :func:`dashboard_blocks` in order: HTML,
    and each chart (heaviness, weekly) as plotly's own mimetype (rendered
    offline by Voila and JupyterLab).
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
        from IPython.display import HTML, display

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

def export_dashboard(athlete_id: str, out_dir, data_dir=None) -> Path:
    """Write the athlete's dashboard as one standalone HTML file.

    Parameters
    ----------
    athlete_id : str
        A valid athlete id.
    out_dir : str or Path
        Folder to write into (created when missing).
    data_dir : str or Path, optional
        The data folder (:func:`heavylegs.store.storage.default_data_dir` by
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
