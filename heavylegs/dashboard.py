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

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from .errors import InputError, Problem
# The page's HTML lives in heavylegs.fragments; CSS, DISCLAIMER and dashboard_sections stay importable here.
from .fragments import (ACWR_SENTENCE, CSS, DISCLAIMER, URGENCY_ORDER, dashboard_sections, date_text,  # noqa: F401
                        escape, refused_html, urgency_label, urgency_when)
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

#: Environment variable naming the one athlete a server shows.
SERVED_ATHLETE_ENV = "HEAVYLEGS_ATHLETE"
#: Environment variable naming the data folder (read by :func:`heavylegs.storage.default_data_dir`).
DATA_DIR_ENV = "HEAVYLEGS_DATA_DIR"
#: Number of causes the dashboard explains.
TOP_CAUSES = 3
_NOTEBOOK_NAME = "athlete_dashboard.ipynb"
_TEMPLATE = "heavylegs"



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
    from .pipeline import assess

    validate_athlete_id(athlete_id, "athlete")
    data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
    paths = athlete_paths(data_dir, athlete_id)
    if not paths["profile"].exists() and not list_assessments(data_dir, athlete_id):
        raise InputError([Problem(str(paths["profile"]), f"no profile for athlete {athlete_id!r}, "
                                                          "expected a file DATA/athletes/<id>.json",
                                  field="athlete_id")])
    profile = load_latest_profile(data_dir, athlete_id)
    log = None
    if paths["log"].exists():
        from .traininglog import read_log

        log = read_log(paths["log"])
    # the workbook's own pipeline: the same ranking, and the chart ends on the same day
    result = assess(profile, log)
    ranking, weekly = result.ranking, result.weekly
    flags = sorted(ranking["red_flags"], key=lambda f: URGENCY_ORDER.get(f["urgency"], 9))
    name = str(profile.get("name") or athlete_id).split()[0]
    return {
        "athlete_id": athlete_id,
        "name": name,
        "assessed_on": ranking.get("assessed_on"),
        "last_run": _last_run(log),
        "red_flags": [dict(flag, urgency_label=urgency_label(flag["urgency"]),
                           urgency_when=urgency_when(flag["urgency"])) for flag in flags],
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
    title = f"Heavy legs: {content['name']}'s check ({date_text(content['assessed_on']) or 'undated'})"
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{escape(title)}</title>"
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
            return [refused_html(self.error or "unknown error")]
        before, after = dashboard_sections(self.content)
        if self.content["weekly"] is None:
            return [before, after]
        return [before, dashboard_figure(self.content), after]

    def page(self) -> str:
        """The standalone HTML page (see :func:`dashboard_page`)."""
        if self.content is None:
            return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
                    "content=\"width=device-width, initial-scale=1\"><title>Heavy legs</title></head><body>"
                    f"{refused_html(self.error or 'unknown error')}</body></html>\n")
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


# --- serve ----------------------------------------------------------------------------------

def notebook_path() -> Path:
    """The dashboard notebook of the source checkout (``notebooks/athlete_dashboard.ipynb``)."""
    return Path(__file__).resolve().parent.parent / "notebooks" / _NOTEBOOK_NAME


# Voila started as ``python -m voila``, less one import: jsonschema (through jupyter_events)
# imports rfc3987_syntax when it is installed, to check "iri" strings, and that module
# builds a Lark grammar on import: about 1.0 of Voila's 1.9 s start on 2 cores. Nothing
# Voila serves here validates IRIs, so the Voila process goes without it.
_VOILA_MAIN = ("import sys; sys.modules['rfc3987_syntax'] = None; "
               "from voila.app import main; sys.exit(main())")


def voila_command(port: int = 8866, preheat: bool = False) -> list:
    """The Voila command line that serves the dashboard notebook.

    Parameters
    ----------
    port : int
        Port on 127.0.0.1; Voila fails rather than take another one.
    preheat : bool
        Run the notebook in a kernel ahead of the first request (and keep
        one spare kernel ready after each).

    Returns
    -------
    list of str
        Arguments for :class:`subprocess.Popen`, run in the folder holding
        only the notebook copy.
    """
    return [sys.executable, "-c", _VOILA_MAIN, _NOTEBOOK_NAME, "--no-browser",
            f"--port={port}", "--Voila.ip=127.0.0.1", "--Voila.port_retries=0",
            f"--preheat_kernel={preheat}", "--strip_sources=True", "--show_tracebacks=False",
            f"--template={_TEMPLATE}", "--theme=light", "--VoilaExecutor.timeout=60",
            # no file of the folder is served, not even images
            "--VoilaConfiguration.file_denylist=.*",
            # the page needs only plotly's renderer (the widget manager is always loaded)
            "--VoilaConfiguration.extension_allowlist=jupyterlab-plotly"]


def _write_template(jupyter_dir: Path) -> None:
    """Voila's ``lab`` template without the icon fonts it links from a CDN.

    The page then loads nothing but what the local server sends (the same
    icon font is bundled in Voila's own scripts).
    """
    from jupyter_core.paths import jupyter_path

    for root in jupyter_path():
        lab = Path(root) / "voila" / "templates" / "lab" / "index.html.j2"
        if lab.exists():
            break
    else:
        raise RuntimeError("Voila's lab template was not found; is voila installed?")
    lines = lab.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = "".join(line for line in lines if not re.search(r"<link[^>]+href=\"https?://", line))
    target = jupyter_dir / "voila" / "templates" / _TEMPLATE
    target.mkdir(parents=True)
    (target / "index.html.j2").write_text(kept, encoding="utf-8")
    (target / "conf.json").write_text('{"base_template": "lab"}\n', encoding="utf-8")


class DashboardServer:
    """A running Voila server of one athlete's dashboard.

    Attributes
    ----------
    process : subprocess.Popen
        The Voila process.
    url : str
        The page's address.
    root : Path
        The temporary folder holding ``site/`` (Voila's root, only the
        notebook copy) and ``voila.log``; removed by :meth:`stop`.
    """

    def __init__(self, process, url, root):
        self.process = process
        self.url = url
        self.root = Path(root)

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Block until the server answers HTTP, or raise RuntimeError."""
        deadline = time.monotonic() + timeout
        probe = self.url.rsplit("/", 1)[0] + "/voila/static/"  # answers without running the notebook
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"voila stopped with status {self.process.returncode}: {self._stderr_tail()}")
            try:
                with urllib.request.urlopen(probe, timeout=2):
                    return
            except urllib.error.HTTPError:
                return  # any HTTP answer means the server is up
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"voila did not answer on {self.url} within {timeout:g} s")

    def _stderr_tail(self) -> str:
        log = self.root / "voila.log"
        try:
            return log.read_text(encoding="utf-8", errors="replace")[-2000:]
        except OSError:
            return ""

    def wait(self) -> int:
        """Wait until the server stops (Ctrl+C stops it); returns its exit status."""
        try:
            return self.process.wait()
        except KeyboardInterrupt:
            self.stop()
            raise

    def stop(self, timeout: float = 10.0) -> None:
        """Stop Voila with SIGTERM (SIGKILL after ``timeout`` s) and remove the folder."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def __repr__(self) -> str:
        return f"DashboardServer({self.url!r}, pid={self.process.pid})"


def _check_port_free(port: int) -> None:
    if not isinstance(port, int) or isinstance(port, bool) or not 1 <= port <= 65535:
        raise InputError([Problem("--port", f"found {port!r}, expected a port from 1 to 65535")])
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # as tornado does, so a port left in TIME_WAIT by a stopped server counts as free
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            raise InputError([Problem("--port", f"found {port}, which is already in use on 127.0.0.1, "
                                                "expected a free port")]) from None


def serve_dashboard(athlete_id: str, port: int = 8866, data_dir=None, open_browser: bool = False,
                    out=None, preheat: bool = False, wait_ready: bool = True,
                    env: dict | None = None) -> DashboardServer:
    """Start Voila serving one athlete's dashboard on 127.0.0.1.

    Parameters
    ----------
    athlete_id : str
        A valid athlete id with a profile in ``data_dir``.
    port : int
        Port to listen on; an error when it is in use.
    data_dir : str or Path, optional
        The data folder (:func:`heavylegs.storage.default_data_dir` by
        default); passed to the kernel as ``$HEAVYLEGS_DATA_DIR``.
    open_browser : bool
        Open the page in the default browser once the server answers.
    out : file-like, optional
        Where to write the address (one line), e.g. ``sys.stdout``.
    preheat : bool
        Run the notebook in a spare kernel ahead of each request. The
        notebook is light (about 1 s), so this pays only when the page is
        asked for well after the start: measured on 2 cores, a request at
        once drew the chart 6.1 s after the start with it and 3.6 s
        without; a request 10 s later drew it 2.0 s after the request with
        it and 2.9 s without (``benchmarks/bench_dashboard.py``).
    wait_ready : bool
        Return only once the server answers HTTP.
    env : dict, optional
        Extra environment variables for Voila and its kernel.

    Returns
    -------
    DashboardServer
        Call ``.wait()`` to block until Ctrl+C, ``.stop()`` to end it.

    Raises
    ------
    InputError
        For an invalid or unknown athlete, or a port in use.

    Notes
    -----
    Voila runs in a new temporary folder holding only a copy of the
    notebook, with every file download refused, so no file of the data
    folder can be fetched through it. The kernel finds the athlete in
    ``$HEAVYLEGS_ATHLETE`` and refuses a query string naming another one.
    """
    validate_athlete_id(athlete_id, "ATHLETE")
    data_dir = Path(data_dir if data_dir is not None else default_data_dir()).resolve()
    profile = athlete_paths(data_dir, athlete_id)["profile"]
    if not profile.exists():
        raise InputError([Problem(str(profile), f"no profile for athlete {athlete_id!r}, "
                                                "expected a file DATA/athletes/<id>.json")])
    _check_port_free(port)
    base = Path(tempfile.mkdtemp(prefix="heavylegs-dashboard-"))
    site = base / "site"  # Voila's root: the notebook copy and nothing else
    site.mkdir()
    shutil.copy2(notebook_path(), site / _NOTEBOOK_NAME)
    _write_template(base / "jupyter")
    package_root = str(Path(__file__).resolve().parent.parent)
    kernel_env = {**os.environ, **(env or {}), DATA_DIR_ENV: str(data_dir), SERVED_ATHLETE_ENV: athlete_id,
                  "PYTHONPATH": os.pathsep.join(p for p in (package_root, os.environ.get("PYTHONPATH")) if p)}
    kernel_env["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(base / "jupyter"), kernel_env.get("JUPYTER_PATH"))
                                                 if p)
    kernel_env.pop("QUERY_STRING", None)
    with open(base / "voila.log", "wb") as log:
        # a session of its own: Ctrl+C reaches only the caller, which then stops Voila cleanly
        process = subprocess.Popen(voila_command(port, preheat), cwd=site, env=kernel_env,
                                   stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   start_new_session=True)
    server = DashboardServer(process, f"http://127.0.0.1:{port}/", base)
    if wait_ready:
        try:
            server.wait_ready()
        except BaseException:
            server.stop()
            raise
    if out is not None:
        out.write(f"Serving {athlete_id}'s dashboard at {server.url} (Ctrl+C to stop)\n")
        out.flush()
    if open_browser:
        import webbrowser

        webbrowser.open(server.url)
    return server
