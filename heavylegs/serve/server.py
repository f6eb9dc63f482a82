"""Serving one athlete's dashboard with Voila on 127.0.0.1: the process manager.

:func:`serve_dashboard` starts Voila in a child process on a new temporary
folder holding only a copy of the dashboard notebook, and returns a
:class:`DashboardServer` that stops it. The Voila process itself runs
:mod:`heavylegs.serve._voila`, which adds to Voila what a server on a shared machine
needs:

* **a token per server**: every request needs ``?token=`` (the printed link
  carries it) or the cookie the first such request sets; anything else gets
  403, so other users of the machine cannot read the athlete's page;
* **DNS-rebinding protection**: a request whose ``Host`` header is not
  ``127.0.0.1``, ``localhost`` or ``[::1]`` with the server's port gets 403;
* **bounded kernels**: at most ``max_kernels`` kernels run at once; a request
  beyond that waits for a free one up to ``queue_timeout`` seconds, then gets
  503; the page holds no live widget, so each kernel is shut down once its
  page has been sent, and kernels left idle (a page Voila could not finish)
  are culled after ``cull_idle_timeout`` seconds;
* **pages rendered once**: the server shows one athlete, so a page is reused
  for later requests whatever else their query holds (only a request for
  another athlete, which is refused, is a page of its own) for
  ``page_cache_ttl`` seconds, and never once a file it was drawn from has
  changed (the profile, the training log, the check-ins, the assessments and
  the plan saved in them, ``wellness.csv``: size, modification time and inode
  of each); requests that come while it is rendered get that render
  streamed; the page is rendered once as soon as Voila listens, so the first
  visit finds it ready;
* **a clean stop**: SIGTERM (``kill PID``) or Ctrl+C on ``heavylegs serve``
  stops Voila and its kernels and removes the temporary folder; should the
  manager die without cleaning up (SIGKILL), Voila notices within a second
  that its parent is gone, stops and removes the folder itself.
"""
from __future__ import annotations

import contextlib
import errno
import importlib.util
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import webbrowser
from pathlib import Path

from jupyter_core.paths import jupyter_path

from heavylegs.errors import InputError, Problem
from heavylegs.files import athlete_paths, validate_athlete_id
from heavylegs.store.storage import DATA_DIR_ENV, SERVED_ATHLETE_ENV, SERVED_SQUAD_ENV, default_data_dir

__all__ = [
    "DashboardServer",
    "serve_dashboard",
    "voila_command",
    "notebook_path",
    "SERVED_ATHLETE_ENV",
    "SERVED_SQUAD_ENV",
    "NOTEBOOKS",
    "serve_squad",
    "launch_voila",
    "DATA_DIR_ENV",
    "MAX_KERNELS",
    "CULL_IDLE_TIMEOUT",
    "QUEUE_TIMEOUT",
    "PAGE_CACHE_TTL",
]

#: Kernels running at once, by default: each holds about 120 MB, and on 2 cores more than a
#: few running together only slow each other down.
MAX_KERNELS = 4
#: Seconds a kernel may stay idle before it is culled.
CULL_IDLE_TIMEOUT = 60
#: Seconds a request waits for a free kernel before it gets 503.
QUEUE_TIMEOUT = 60
#: Seconds a rendered page is sent again to later visitors while the athlete's files are unchanged.
PAGE_CACHE_TTL = 300

_NOTEBOOK_NAME = "athlete_dashboard.ipynb"
_SQUAD_NOTEBOOK = "squad.ipynb"
#: The notebooks a server may run, each shipped in ``heavylegs/app/notebooks/``.
NOTEBOOKS = (_NOTEBOOK_NAME, _SQUAD_NOTEBOOK)
_TEMPLATE = "heavylegs"
#: The dashboard's own template (``heavylegs/serve/templates/``): the outputs rendered by the server, plotly.js
#: as a static file, none of Voila's scripts (the page holds no live widget).
_PAGE_TEMPLATE = "heavylegs-dashboard"
# Read by heavylegs.serve._voila (and removed from its environment before any kernel starts).
_TOKEN_ENV = "HEAVYLEGS_SERVER_TOKEN"
_ROOT_ENV = "HEAVYLEGS_SERVER_ROOT"
_PACKAGE = Path(__file__).resolve().parents[1]  # heavylegs/
_HERE = Path(__file__).resolve().parent  # heavylegs/serve/


def notebook_path(name: str = _NOTEBOOK_NAME) -> Path:
    """The dashboard notebook (or the notebook ``name`` of :data:`NOTEBOOKS`) Voila runs.

    Returns
    -------
    Path
        ``notebooks/athlete_dashboard.ipynb`` of the source checkout when the
        package runs from one, else the copy shipped inside the package
        (``heavylegs/app/notebooks/athlete_dashboard.ipynb``; a test keeps the
        two identical).
    """
    if name not in NOTEBOOKS:
        raise ValueError(f"found notebook {name!r}, expected one of {', '.join(NOTEBOOKS)}")
    checkout = _PACKAGE.parent / "notebooks" / name
    if checkout.is_file() and (_PACKAGE.parent / "pyproject.toml").is_file():
        return checkout
    return _PACKAGE / "app" / "notebooks" / name


def voila_command(port: int = 8866, preheat: bool = False, max_kernels: int = MAX_KERNELS,
                  cull_idle_timeout: int = CULL_IDLE_TIMEOUT, queue_timeout: float = QUEUE_TIMEOUT,
                  cull_interval: int | None = None, shutdown_after_page: bool = True,
                  page_cache_ttl: float = PAGE_CACHE_TTL, notebook: str = _NOTEBOOK_NAME,
                  extensions: tuple = ("jupyterlab-plotly",), template: str = _PAGE_TEMPLATE,
                  ip: str = "127.0.0.1", reuse_kernels: int = 0) -> list:
    """The command line that serves the dashboard notebook (or ``notebook``) with Voila.

    Parameters
    ----------
    port : int
        Port on 127.0.0.1; Voila fails rather than take another one.
    preheat : bool
        Run the notebook in a kernel ahead of the first request (and keep
        one spare kernel ready after each).
    max_kernels : int
        Kernels running at once; further requests wait for one.
    cull_idle_timeout : int
        Seconds [s] after which an idle kernel is shut down.
    queue_timeout : float
        Seconds [s] a request waits for a free kernel before it gets 503.
    cull_interval : int, optional
        Seconds [s] between two checks for idle kernels; a sixth of
        ``cull_idle_timeout`` (at least 1 s) by default.
    shutdown_after_page : bool
        Shut each kernel down once its page has been sent (the page has no
        live widget); False keeps it until it is culled.
    page_cache_ttl : float
        Seconds [s] a rendered page is sent again, without a kernel, to
        requests with the same query while the athlete's profile, log and
        assessments are unchanged; 0 runs the notebook for every request.
    notebook : str
        File name of the notebook copy to serve (:data:`NOTEBOOKS`).
    extensions : tuple of str
        The JupyterLab extensions the page may load: plotly's renderer for
        the dashboard; for the squad view, which draws no figure, only Voila's
        widget manager (``@voila-dashboards/widgets-manager8``) and the
        widgets it draws (``@jupyter-widgets/jupyterlab-manager``) for its
        live controls.
    template : str
        Voila template: ``"heavylegs-dashboard"`` (the default) renders every
        output on the server and loads only plotly.js; ``"heavylegs"`` is
        Voila's ``lab`` template, whose scripts draw live widgets (the
        squad view).
    ip : str
        Address to listen on (the athlete portal's ``--host``; 127.0.0.1
        for everything else).
    reuse_kernels : int
        Kernels kept once their page is sent, each made ready for the next
        page (a clean namespace, the request's environment) instead of
        starting a new kernel: the athlete portal renders many pages; 0 (the
        default) shuts each kernel down.

    Returns
    -------
    list of str
        Arguments for :class:`subprocess.Popen`, run in the folder holding
        only the notebook copy, with the token in ``$HEAVYLEGS_SERVER_TOKEN``.
    """
    if cull_interval is None:
        cull_interval = max(1, cull_idle_timeout // 6)
    return [sys.executable, "-m", "heavylegs.serve._voila", notebook, "--no-browser",
            f"--port={port}", f"--Voila.ip={ip}", "--Voila.port_retries=0",
            f"--preheat_kernel={preheat}", "--strip_sources=True", "--show_tracebacks=False",
            f"--template={template}", "--theme=light", "--VoilaExecutor.timeout=60",
            # no file of the folder is served, not even images
            "--VoilaConfiguration.file_denylist=.*",
            # the dashboard needs only plotly's renderer; the squad view also the widget manager
            *(f"--VoilaConfiguration.extension_allowlist={name}" for name in extensions),
            "--VoilaConfiguration.multi_kernel_manager_class=heavylegs.serve._voila.BoundedKernelManager",
            f"--BoundedKernelManager.max_kernels={max_kernels}",
            f"--BoundedKernelManager.queue_timeout={queue_timeout}",
            f"--BoundedKernelManager.shutdown_after_page={shutdown_after_page}",
            f"--BoundedKernelManager.page_cache_ttl={page_cache_ttl}",
            f"--BoundedKernelManager.reuse_kernels={reuse_kernels}",
            f"--MappingKernelManager.cull_idle_timeout={cull_idle_timeout}",
            f"--MappingKernelManager.cull_interval={cull_interval}",
            "--MappingKernelManager.cull_connected=True"]


def _write_template(jupyter_dir: Path) -> None:
    """Write the two templates Voila may use under ``jupyter_dir/voila/templates/``.

    ``heavylegs`` is Voila's ``lab`` template without the icon fonts it links
    from a CDN (the same icon font is bundled in Voila's own scripts), for
    pages with live widgets. ``heavylegs-dashboard`` is the dashboard's own
    template, shipped in ``heavylegs/serve/templates/``, with plotly.js copied
    from the plotly package into its ``static/`` folder. Either page then
    loads nothing but what the local server sends.
    """
    for root in jupyter_path():
        lab = Path(root) / "voila" / "templates" / "lab" / "index.html.j2"
        if lab.exists():
            break
    else:
        raise RuntimeError("Voila's lab template was not found; is voila installed?")
    lines = lab.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = "".join(line for line in lines if not re.search(r"<link[^>]+href=\"https?://", line))
    templates = jupyter_dir / "voila" / "templates"
    target = templates / _TEMPLATE
    target.mkdir(parents=True)
    (target / "index.html.j2").write_text(kept, encoding="utf-8")
    (target / "conf.json").write_text('{"base_template": "lab"}\n', encoding="utf-8")
    page = templates / _PAGE_TEMPLATE
    shutil.copytree(_HERE / "templates" / _PAGE_TEMPLATE, page)
    plotly_bundles(page / "static", _plotly_js())


def plotly_js_version(path) -> str | None:
    """The version a plotly.js bundle names in its first lines, e.g. ``"4.1.1"``; None if it names none.

    Parameters
    ----------
    path : str or Path
        A bundle: ``plotly.min.js``, ``plotly-basic.min.js``.
    """
    with open(path, "rb") as bundle:
        head = bundle.read(512).decode("utf-8", "replace")
    match = re.search(r"plotly\.js(?: \([^)]*\))? v(\d+\.\d+\.\d+\S*)", head)
    return match.group(1) if match else None


def plotly_bundles(static_dir, full_bundle) -> str:
    """Put the dashboard template's plotly.js bundles in ``static_dir``.

    Parameters
    ----------
    static_dir : str or Path
        The template's ``static/`` folder, holding the vendored basic bundle
        ``plotly-basic.min.js`` (scatter, bar and pie traces).
    full_bundle : str or Path
        The installed plotly package's ``plotly.min.js``, copied in as
        ``plotly.min.js`` (the page loads it for other trace types).

    Returns
    -------
    str
        ``"basic"`` when the basic bundle is the plotly.js version of the full
        one, so figures are drawn by the version plotly made them for;
        ``"full"`` when it is not (or is missing), and ``plotly-basic.min.js``
        was replaced by a copy of the full bundle.
    """
    static_dir = Path(static_dir)
    static_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(full_bundle, static_dir / "plotly.min.js")
    basic = static_dir / "plotly-basic.min.js"
    if basic.is_file() and plotly_js_version(basic) == plotly_js_version(full_bundle) is not None:
        return "basic"
    shutil.copyfile(full_bundle, basic)
    return "full"


def _plotly_js() -> Path:
    """plotly.js as the installed plotly package ships it (the version its figures are made for)."""
    spec = importlib.util.find_spec("plotly")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the plotly package was not found; is plotly installed?")
    path = Path(list(spec.submodule_search_locations)[0]) / "package_data" / "plotly.min.js"
    if not path.is_file():
        raise RuntimeError(f"plotly.js was not found at {path}")
    return path


class _Stopped(Exception):
    """SIGTERM (or SIGHUP) reached the process waiting on the server."""


class DashboardServer:
    """A running Voila server of one athlete's dashboard.

    Attributes
    ----------
    process : subprocess.Popen
        The Voila process.
    url : str
        The page's address with its token, e.g.
        ``http://127.0.0.1:8866/?token=...``: the link to give the athlete.
    base_url : str
        The address without the token, e.g. ``http://127.0.0.1:8866/``.
    token : str
        The server's token.
    stopped_by : int or None
        The signal (SIGTERM, SIGHUP) that ended :meth:`wait`, if any.
    root : Path
        The temporary folder holding ``site/`` (Voila's root, only the
        notebook copy), ``jupyter/`` (the template) and ``voila.log``;
        removed by :meth:`stop`.
    """

    def __init__(self, process, base_url, root, token):
        self.process = process
        self.base_url = base_url
        self.token = token
        self.url = f"{base_url}?token={token}"
        self.root = Path(root)
        self.stopped_by = None

    def link(self, path: str = "", **query) -> str:
        """An address on this server carrying the token.

        Parameters
        ----------
        path : str
            Path after the server's root, e.g. ``"voila/static/"``.
        **query
            Further query parameters, e.g. ``athlete="ben"``.
        """
        return f"{self.base_url}{path}?" + urllib.parse.urlencode({"token": self.token, **query})

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Block until the server accepts connections, or raise RuntimeError.

        Voila listens only once its web application is built, and answers
        every connection accepted from then on; an HTTP probe would wait
        behind the first render, which starts at that moment and keeps
        Voila busy for a few tenths of a second.
        """
        deadline = time.monotonic() + timeout
        address = urllib.parse.urlsplit(self.base_url)
        host, port = address.hostname or "127.0.0.1", address.port
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"voila stopped with status {self.process.returncode}: {self._stderr_tail()}")
            try:
                with socket.create_connection((host, port), timeout=2):
                    return
            except OSError:
                time.sleep(0.02)
        raise RuntimeError(f"voila did not answer on {self.base_url} within {timeout:g} s")

    def _stderr_tail(self) -> str:
        log = self.root / "voila.log"
        try:
            return log.read_text(encoding="utf-8", errors="replace")[-2000:]
        except OSError:
            return ""

    def wait(self) -> int:
        """Wait until the server stops; returns Voila's exit status.

        Ctrl+C (KeyboardInterrupt) and SIGTERM or SIGHUP sent to this process
        stop the server (Voila, its kernels and the temporary folder) first;
        Ctrl+C is then raised again, SIGTERM and SIGHUP return Voila's status.
        """
        def stopped(signum, frame):
            raise _Stopped(signum)

        previous = {}
        for signum in (signal.SIGTERM, signal.SIGHUP):
            try:
                previous[signum] = signal.signal(signum, stopped)
            except ValueError:  # not the main thread: the caller handles signals
                break
        try:
            return self.process.wait()
        except _Stopped as exc:
            self.stopped_by = exc.args[0]
            self.stop()
            return self.process.returncode
        except KeyboardInterrupt:
            self.stop()
            raise
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop Voila with SIGTERM (SIGKILL after ``timeout`` s) and remove the folder.

        Voila shuts its kernels down on SIGTERM; with SIGKILL they see their
        parent gone and end on their own.
        """
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
        return f"DashboardServer({self.base_url!r}, pid={self.process.pid})"


def _check_port_free(port: int, ip: str = "127.0.0.1") -> None:
    if not isinstance(port, int) or isinstance(port, bool) or not 1 <= port <= 65535:
        raise InputError([Problem("--port", f"found {port!r}, expected a port from 1 to 65535")])
    family = socket.AF_INET6 if ":" in ip else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        # as tornado does, so a port left in TIME_WAIT by a stopped server counts as free
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((ip, port))
        except OSError as exc:
            if exc.errno == errno.EADDRNOTAVAIL:
                raise InputError([Problem("--host", f"found {ip}, which is no address of this machine, expected "
                                                    "127.0.0.1, 0.0.0.0 or one of its addresses")]) from None
            raise InputError([Problem("--port", f"found {port}, which is already in use on {ip}, "
                                                "expected a free port")]) from None


def serve_dashboard(data_dir, athlete_id: str, port: int = 8866, open_browser: bool = False,
                    out=None, preheat: bool = False, wait_ready: bool = True,
                    env: dict | None = None, max_kernels: int = MAX_KERNELS,
                    cull_idle_timeout: int = CULL_IDLE_TIMEOUT, queue_timeout: float = QUEUE_TIMEOUT,
                    cull_interval: int | None = None, shutdown_after_page: bool = True,
                    page_cache_ttl: float = PAGE_CACHE_TTL) -> DashboardServer:
    """Start Voila serving one athlete's dashboard on 127.0.0.1.

    Parameters
    ----------
    data_dir : str or Path or None
        The data folder (None: :func:`heavylegs.store.storage.default_data_dir`);
        passed to the kernel as ``$HEAVYLEGS_DATA_DIR``.
    athlete_id : str
        A valid athlete id with a profile in ``data_dir``.
    port : int
        Port to listen on; an error when it is in use.
    open_browser : bool
        Open the page in the default browser once the server answers.
    out : file-like, optional
        Where to write the address with its token (one line), e.g.
        ``sys.stdout``.
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
    max_kernels : int
        Kernels running at once (:data:`MAX_KERNELS`); a request beyond
        waits up to ``queue_timeout`` seconds [s] for one, then gets 503.
    cull_idle_timeout : int
        Seconds [s] after which an idle kernel is culled.
    queue_timeout : float
        Seconds [s] a request waits for a free kernel.
    cull_interval : int, optional
        Seconds [s] between checks for idle kernels.
    shutdown_after_page : bool
        Shut each kernel down once its page has been sent (the default: the
        page holds no live widget, so nothing needs the kernel afterwards).
    page_cache_ttl : float
        Seconds [s] a rendered page is reused for the same query while the
        athlete's files are unchanged (:data:`PAGE_CACHE_TTL`); 0 renders
        every request.

    Returns
    -------
    DashboardServer
        ``.url`` is the link with the token; call ``.wait()`` to block until
        Ctrl+C or SIGTERM, ``.stop()`` to end it.

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
    Whatever fails while starting, the temporary folder is removed.
    """
    validate_athlete_id(athlete_id, "ATHLETE")
    data_dir = Path(data_dir if data_dir is not None else default_data_dir()).resolve()
    profile = athlete_paths(data_dir, athlete_id)["profile"]
    if not profile.exists():
        raise InputError([Problem(str(profile), f"no profile for athlete {athlete_id!r}, "
                                                "expected a file DATA/athletes/<id>.json")])
    server = _launch(_NOTEBOOK_NAME, data_dir, {SERVED_ATHLETE_ENV: athlete_id}, port, preheat, wait_ready, env,
                     dict(max_kernels=max_kernels, cull_idle_timeout=cull_idle_timeout, queue_timeout=queue_timeout,
                          cull_interval=cull_interval, shutdown_after_page=shutdown_after_page,
                          page_cache_ttl=page_cache_ttl))
    if out is not None:
        out.write(f"Serving {athlete_id}'s dashboard at {server.url} (Ctrl+C to stop)\n")
        out.flush()
    if open_browser:
        webbrowser.open(server.url)
    return server


def launch_voila(notebook: str, data_dir, served: dict, port: int, *, ip: str = "127.0.0.1",
                 connect: str = "127.0.0.1", wait_ready: bool = True, env: dict | None = None,
                 options: dict | None = None, log=None) -> DashboardServer:
    """Start the Voila process of :mod:`heavylegs.serve._voila` on a copy of ``notebook`` alone.

    What :func:`serve_dashboard` and :func:`serve_squad` do, for other
    servers of the package (the athlete portal).

    Parameters
    ----------
    notebook : str
        One of :data:`NOTEBOOKS`.
    data_dir : Path
        The data folder (``$HEAVYLEGS_DATA_DIR`` of the process).
    served : dict
        Further environment variables of the process.
    port : int
        Port to listen on; an error when it is in use.
    ip : str
        Address to listen on.
    connect : str
        Address this process reaches the server at (``ip``, or 127.0.0.1
        for a wildcard address).
    wait_ready, env
        As :func:`serve_dashboard`.
    options : dict, optional
        Keyword arguments of :func:`voila_command`.
    log : file-like, optional
        Where Voila's log goes (e.g. ``sys.stderr``); the server's
        ``voila.log`` by default.

    Returns
    -------
    DashboardServer
    """
    return _launch(notebook, Path(data_dir), served, port, False, wait_ready, env, dict(options or {}), ip=ip,
                   connect=connect, log=log)


def _launch(notebook: str, data_dir: Path, served: dict, port: int, preheat: bool, wait_ready: bool,
            env: dict | None, options: dict, ip: str = "127.0.0.1", connect: str = "127.0.0.1",
            log=None) -> DashboardServer:
    """Start Voila on a copy of ``notebook`` alone, with the token, the Host check and the kernel bounds."""
    _check_port_free(port, ip)
    token = secrets.token_urlsafe(24)
    base = Path(tempfile.mkdtemp(prefix="heavylegs-dashboard-"))
    server = None
    try:
        site = base / "site"  # Voila's root: the notebook copy and nothing else
        site.mkdir()
        shutil.copy2(notebook_path(notebook), site / notebook)
        _write_template(base / "jupyter")
        package_root = str(_PACKAGE.parent)
        kernel_env = {**os.environ, **(env or {}), DATA_DIR_ENV: str(data_dir), **served,
                      _TOKEN_ENV: token, _ROOT_ENV: str(base),
                      "PYTHONPATH": os.pathsep.join(p for p in (package_root, os.environ.get("PYTHONPATH")) if p)}
        kernel_env["JUPYTER_PATH"] = os.pathsep.join(
            p for p in (str(base / "jupyter"), kernel_env.get("JUPYTER_PATH")) if p)
        kernel_env.pop("QUERY_STRING", None)
        command = voila_command(port, preheat, notebook=notebook, ip=ip, **options)
        with open(base / "voila.log", "wb") if log is None else contextlib.nullcontext(log) as output:
            # a session of its own: Ctrl+C reaches only the caller, which then stops Voila cleanly
            process = subprocess.Popen(command, cwd=site, env=kernel_env, stdout=output, stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL, start_new_session=True)
        host = f"[{connect}]" if ":" in connect else connect
        server = DashboardServer(process, f"http://{host}:{port}/", base, token)
        if wait_ready:
            server.wait_ready()
    except BaseException:
        if server is not None:
            server.stop()
        else:
            shutil.rmtree(base, ignore_errors=True)
        raise
    return server


def serve_squad(port: int = 8867, data_dir=None, out=None, wait_ready: bool = True, env: dict | None = None,
                max_kernels: int = MAX_KERNELS, cull_idle_timeout: int = 600,
                queue_timeout: float = QUEUE_TIMEOUT) -> DashboardServer:
    """Start Voila serving the squad view (``squad.ipynb``) read-only on 127.0.0.1.

    Parameters
    ----------
    port : int
        Port to listen on; an error when it is in use.
    data_dir : str or Path, optional
        The data folder (:func:`heavylegs.store.storage.default_data_dir` by default).
    out : file-like, optional
        Where to write the address with its token (one line).
    wait_ready : bool
        Return only once the server answers HTTP.
    env : dict, optional
        Extra environment variables for Voila and its kernel.
    max_kernels : int
        Pages open at once (each keeps its kernel while its sort and filter
        controls are used); a further request waits up to ``queue_timeout``
        seconds [s], then gets 503.
    cull_idle_timeout : int
        Seconds [s] after which the kernel of a page left alone is culled
        (its controls then stop answering; reloading the page starts anew).

    Returns
    -------
    DashboardServer

    Notes
    -----
    The protections of :func:`serve_dashboard`: a token per server, the
    Host check, a folder holding only the notebook copy with every file
    download refused, bounded and culled kernels. Unlike the dashboard,
    the squad page keeps live widgets (sort and filter), so each page keeps
    its kernel until culled and no page is cached. The kernel gets
    ``$HEAVYLEGS_SQUAD_SERVED``, so the view has no workbook and writes
    nothing.
    """
    data_dir = Path(data_dir if data_dir is not None else default_data_dir()).resolve()
    if not (data_dir / "athletes").is_dir():
        raise InputError([Problem(str(data_dir), "no athletes/ folder, expected a data folder holding "
                                                 "athletes/<id>.json")])
    server = _launch(_SQUAD_NOTEBOOK, data_dir, {SERVED_SQUAD_ENV: "1"}, port, False, wait_ready, env,
                     dict(max_kernels=max_kernels, cull_idle_timeout=cull_idle_timeout, queue_timeout=queue_timeout,
                          shutdown_after_page=False, page_cache_ttl=0,
                          # the read-only squad draws no figure: plotly's renderer (3.5 MB of script) is
                          # not loaded (about 0.5 s less from request to table, measured in Chromium)
                          extensions=("@voila-dashboards/widgets-manager8", "@jupyter-widgets/jupyterlab-manager"),
                          template=_TEMPLATE))
    if out is not None:
        out.write(f"Serving the squad at {server.url} (read-only; Ctrl+C to stop)\n")
        out.flush()
    return server
