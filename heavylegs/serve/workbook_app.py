"""``make run``: the coach's workbook served ready, with JupyterLab one click away.

Two servers on 127.0.0.1, both behind one token:

* **the app** (``--port``, 8888 by default): Voila serving the notebooks
  folder with *preheated* kernels. Voila starts a kernel for
  ``coach_workbook.ipynb`` (and one for ``squad.ipynb``) as soon as it is
  up and runs the notebook ahead, so the coach who opens the printed
  address finds the ranking drawn, with no Run All and no code on screen.
  Each page takes the kernel that was waiting and Voila starts the next
  one for the following page (a reload, a second tab). What the coach types
  is kept as a draft on disk after every answer, so a reload, which opens a
  new kernel, shows it again (``docs/workbook.md``).
* **JupyterLab** (``--lab-port``, the app's port + 1): the same notebooks as
  code, for a coach who wants to see or change the wiring. The workbook
  shows a link to it.

Why this and not JupyterLab alone: measured in ``benchmarks/`` and
``docs/workbook.md`` (JupyterLab needs Run All, 10-14 s to the ranking on
a loaded machine, and a reload empties the page).

Run ``python -m heavylegs.serve.workbook_app --help``. Ctrl+C or SIGTERM
stops both servers and their kernels.
"""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from plotly.offline import get_plotlyjs_version

from heavylegs.app.plotly_chart import PLOTLY_JS_ENV
from heavylegs.serve.server import plotly_js_version

__all__ = ["APP_EXTENSIONS", "BASIC_PLOTLY_JS", "plotly_bundle", "app_command", "lab_command", "app_url", "lab_url", "WorkbookApp", "main"]

#: The JupyterLab extensions the app page loads: the widget managers and anywidget (the charts).
#: Left out: plotly's renderer (4.8 MB, for figures drawn as outputs, which the workbook does not
#: use), jupytext and pygments.
APP_EXTENSIONS = ("@voila-dashboards/widgets-manager8", "@jupyter-widgets/jupyterlab-manager", "anywidget")
#: Notebooks of the folder that get no preheated kernel (they are not the coach's app).
_NOT_PREHEATED = ("athlete_dashboard.ipynb",)
_WORKBOOK = "coach_workbook.ipynb"
#: plotly.js's basic bundle (bar, scatter, pie), vendored for the dashboard (its PLOTLY-BASIC.md).
BASIC_PLOTLY_JS = Path(__file__).resolve().parent / "templates" / "heavylegs-dashboard" / "static" / \
    "plotly-basic.min.js"


def plotly_bundle() -> Path | None:
    """The basic plotly.js bundle when it is the version the plotly package draws for, else None."""
    if BASIC_PLOTLY_JS.is_file() and plotly_js_version(BASIC_PLOTLY_JS) == get_plotlyjs_version():
        return BASIC_PLOTLY_JS
    return None


def app_command(notebooks: Path, port: int, token: str, pool_size: int = 1, preheat: bool = True,
                python: str = sys.executable) -> list:
    """The Voila command line of the app.

    Parameters
    ----------
    notebooks : Path
        The folder of ``coach_workbook.ipynb`` and ``squad.ipynb``.
    port : int
        Port on 127.0.0.1 (never another: ``port_retries=0``).
    token : str
        Needed in every address (``?token=``), or the cookie it sets.
    pool_size : int
        Kernels kept run ahead per notebook.
    preheat : bool
        False gives Voila's default (the notebook runs when the page is
        asked for), measured against the preheated app in the benchmarks.
    python : str
        The Python of the virtual environment.
    """
    command = [python, "-m", "voila", str(notebooks), "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1",
               "--Voila.port_retries=0", f"--token={token}", "--show_tracebacks=False",
               # the dashboards the workbook exports, offered as downloads (Voila serves only images otherwise)
               r"--VoilaConfiguration.file_allowlist=exports/[a-z0-9_-]+[^/]*\.html",
               *(f"--VoilaConfiguration.extension_allowlist={name}" for name in APP_EXTENSIONS)]
    if preheat:
        command += ["--preheat_kernel=True", f"--pool_size={pool_size}",
                    *(f"--VoilaKernelManager.preheat_denylist={name}" for name in _NOT_PREHEATED)]
    return command


def lab_command(notebooks: Path, port: int, token: str, python: str = sys.executable) -> list:
    """The JupyterLab command line: the notebooks as code, outputs dropped whenever they are saved."""
    return [python, "-m", "jupyterlab", "--no-browser", "--allow-root", "--ip=127.0.0.1", f"--port={port}",
            "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={notebooks}",
            f"--LabApp.default_url=/lab/tree/{_WORKBOOK}",
            "--ContentsManager.pre_save_hook=heavylegs.app.jupyter_hooks.strip_outputs",
            "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]


def app_url(port: int, token: str, notebook: str = _WORKBOOK, **query) -> str:
    """The address of a notebook in the app, e.g. ``http://127.0.0.1:8888/voila/render/coach_workbook.ipynb?token=…``."""
    extra = "".join(f"&{key}={value}" for key, value in query.items())
    return f"http://127.0.0.1:{port}/voila/render/{notebook}?token={token}{extra}"


def lab_url(port: int, token: str, notebook: str = _WORKBOOK) -> str:
    """The address of a notebook in JupyterLab."""
    return f"http://127.0.0.1:{port}/lab/tree/{notebook}?token={token}"


def _answers(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=2)
    except urllib.error.HTTPError:
        return True  # it answered
    except OSError:
        return False
    return True


class WorkbookApp:
    """The app (and JupyterLab, unless ``lab_port`` is None) as child processes; :meth:`stop` ends them.

    Parameters
    ----------
    notebooks : str or Path
        The notebooks folder.
    data_dir : str or Path
        The data folder the notebooks open (``HEAVYLEGS_DATA_DIR``).
    athlete_id : str
        The athlete the workbook opens first (``HEAVYLEGS_ATHLETE``).
    port, lab_port : int
        Ports of the app and of JupyterLab (None: no JupyterLab).
    token : str
    env : dict, optional
        More environment for both servers and their kernels (tests point
        the Jupyter folders elsewhere).
    preheat, pool_size : see :func:`app_command`.
    log : file, optional
        Where both servers write (a file of the caller; the terminal by default).
    """

    def __init__(self, notebooks, data_dir, athlete_id: str, port: int = 8888, lab_port: int | None = 8889,
                 token: str = "heavylegs", env: dict | None = None, preheat: bool = True, pool_size: int = 1,
                 log=None):
        self.notebooks = Path(notebooks).resolve()
        self.port, self.lab_port, self.token = port, lab_port, token
        self.url = app_url(port, token)
        self.lab = lab_url(lab_port, token) if lab_port else None
        environment = dict(os.environ)
        environment.update(env or {})
        environment.update({"HEAVYLEGS_ATHLETE": athlete_id, "HEAVYLEGS_DATA_DIR": str(Path(data_dir).resolve()),
                            "PYDEVD_DISABLE_FILE_VALIDATION": "1"})
        bundle = plotly_bundle()
        if bundle is not None:
            environment[PLOTLY_JS_ENV] = str(bundle)
        if self.lab:
            environment["HEAVYLEGS_LAB_URL"] = self.lab
        else:
            environment.pop("HEAVYLEGS_LAB_URL", None)
        self.started = time.monotonic()
        self.processes = []
        streams = {"stdout": log, "stderr": subprocess.STDOUT} if log is not None else {}
        self.processes.append(subprocess.Popen(app_command(self.notebooks, port, token, pool_size, preheat),
                                               cwd=self.notebooks, env=environment, stdin=subprocess.DEVNULL,
                                               start_new_session=True, **streams))
        if lab_port:
            self.processes.append(subprocess.Popen(lab_command(self.notebooks, lab_port, token),
                                                   cwd=self.notebooks, env=environment, stdin=subprocess.DEVNULL,
                                                   start_new_session=True, **streams))

    def wait_up(self, timeout: float = 120.0) -> float:
        """Wait until the app answers HTTP; seconds since the start."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.processes[0].poll() is not None:
                raise RuntimeError(f"the workbook app stopped with status {self.processes[0].returncode}")
            if _answers(f"http://127.0.0.1:{self.port}/api/status?token={self.token}"):
                return time.monotonic() - self.started
            time.sleep(0.1)
        raise RuntimeError(f"the workbook app did not answer within {timeout:.0f} s")

    def wait_lab(self, timeout: float = 120.0) -> float:
        """Wait until JupyterLab answers HTTP; seconds since the start."""
        deadline = time.monotonic() + timeout
        while self.lab_port and time.monotonic() < deadline:
            if self.processes[1].poll() is not None:
                raise RuntimeError(f"JupyterLab stopped with status {self.processes[1].returncode}")
            if _answers(f"http://127.0.0.1:{self.lab_port}/api/status?token={self.token}"):
                return time.monotonic() - self.started
            time.sleep(0.1)
        return time.monotonic() - self.started

    def stop(self, timeout: float = 20.0) -> None:
        """Stop both servers and their kernels (SIGTERM, then SIGKILL)."""
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def main(argv=None) -> int:
    """``python -m heavylegs.serve.workbook_app``: serve the workbook until Ctrl+C."""
    parser = argparse.ArgumentParser(prog="python -m heavylegs.serve.workbook_app", description=__doc__.split("\n")[0])
    parser.add_argument("--notebooks", default="notebooks", help="the notebooks folder (default: notebooks)")
    parser.add_argument("--data", default="data", help="the data folder (default: data)")
    parser.add_argument("--athlete", default="ana", help="the athlete opened first (default: ana)")
    parser.add_argument("--port", type=int, default=8888, help="the app's port (default: 8888)")
    parser.add_argument("--lab-port", type=int, default=None, help="JupyterLab's port (default: the app's + 1)")
    parser.add_argument("--token", default="heavylegs", help="the token every address carries")
    args = parser.parse_args(argv)
    app = WorkbookApp(args.notebooks, args.data, args.athlete, port=args.port,
                      lab_port=args.lab_port or args.port + 1, token=args.token)

    def stop(signum, _frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        app.wait_up()
        sys.stdout.write(f"\nThe coach workbook, ready (no Run All): {app.url}\n"
                         f"The squad:                             {app_url(args.port, args.token, 'squad.ipynb')}\n")
        app.wait_lab()
        sys.stdout.write(f"The notebooks in JupyterLab:           {app.lab}\n"
                         "Stop with Ctrl+C.\n")
        sys.stdout.flush()
        while all(p.poll() is None for p in app.processes):
            time.sleep(0.5)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        app.stop()


if __name__ == "__main__":
    sys.exit(main())
