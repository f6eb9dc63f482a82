"""Drive the coach workbook in JupyterLab with Debian's Chromium, as a coach would.

Shared by ``tests/test_workbook_browser.py`` and
``benchmarks/bench_workbook_browser.py``: a JupyterLab server on a private
copy of the data folder and of the workbook notebook, and the few gestures a
coach makes (pick an athlete, type a new one, upload, save, reload), each
waiting for what the coach waits for on screen.
"""
from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TOKEN = "heavylegs-test"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LabServer:
    """JupyterLab serving a copy of ``notebooks/coach_workbook.ipynb`` on a copy of ``data/``."""

    def __init__(self, athlete: str = "ana", data_source: Path | None = None):
        self.base = Path(tempfile.mkdtemp(prefix="heavylegs-lab-"))
        self.data = self.base / "data"
        shutil.copytree(data_source or ROOT / "data", self.data)
        self.root = self.base / "notebooks"
        self.root.mkdir()
        shutil.copy(ROOT / "notebooks" / "coach_workbook.ipynb", self.root)
        self.port = free_port()
        jupyter = self.base / "jupyter"
        env = dict(os.environ)
        env.update({"JUPYTER_CONFIG_DIR": str(jupyter / "config"), "JUPYTER_DATA_DIR": str(jupyter / "data"),
                    "JUPYTER_RUNTIME_DIR": str(jupyter / "runtime"), "IPYTHONDIR": str(jupyter / "ipython"),
                    "HEAVYLEGS_ATHLETE": athlete, "HEAVYLEGS_DATA_DIR": str(self.data),
                    "PYDEVD_DISABLE_FILE_VALIDATION": "1"})
        workspace = jupyter / "config" / "lab" / "workspaces"
        workspace.mkdir(parents=True)
        shutil.copy(ROOT / "scripts" / "jupyterlab-workspace.json", workspace / "default-37a8.jupyterlab-workspace")
        # no "Jupyter news" prompt over the page: the machine is offline, as `make run` sets it
        news = jupyter / "config" / "lab" / "user-settings" / "@jupyterlab" / "apputils-extension"
        news.mkdir(parents=True)
        (news / "notification.jupyterlab-settings").write_text('{"fetchNews": "false", "checkForUpdates": false}')
        self.log = open(self.base / "lab.log", "wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", "--ip=127.0.0.1",
             f"--port={self.port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={TOKEN}",
             f"--ServerApp.root_dir={self.root}", "--LabApp.expose_app_in_browser=True",
             "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
            cwd=self.root, env=env, stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True)
        self.url = f"http://127.0.0.1:{self.port}/lab/tree/coach_workbook.ipynb?token={TOKEN}"
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError((self.base / "lab.log").read_text(errors="replace")[-3000:])
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/api/status?token={TOKEN}", timeout=2)
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("JupyterLab did not answer within 90 s")

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, 15)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, 9)
                self.process.wait()
        self.log.close()
        shutil.rmtree(self.base, ignore_errors=True)


class Workbook:
    """The workbook page: run all cells, then act as the coach does."""

    def __init__(self, page, url: str):
        self.page = page
        self.url = url

    def open(self, timeout: float = 120_000) -> float:
        """Load the page and run every cell; returns seconds until the first ranking is drawn."""
        start = time.perf_counter()
        self.page.goto(self.url, wait_until="domcontentloaded", timeout=timeout)
        self.page.wait_for_function("window.jupyterapp && window.jupyterapp.shell.currentWidget "
                                    "&& window.jupyterapp.shell.currentWidget.sessionContext "
                                    "&& window.jupyterapp.shell.currentWidget.sessionContext.session "
                                    "&& window.jupyterapp.shell.currentWidget.sessionContext.session.kernel "
                                    "&& window.jupyterapp.shell.currentWidget.sessionContext.session.kernel"
                                    ".connectionStatus === 'connected'", timeout=timeout)
        self.page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
        self.status_contains("Opened", timeout=timeout)
        self.page.locator(".js-plotly-plot .main-svg").first.wait_for(timeout=timeout)
        return time.perf_counter() - start

    def status_contains(self, text: str, timeout: float = 30_000):
        self.page.locator(".widget-html-content", has_text=text).first.wait_for(timeout=timeout)

    def status_text(self) -> str:
        return self.page.evaluate("""() => {
            const all = Array.from(document.querySelectorAll('.widget-html-content > div'));
            const st = all.filter(d => d.getAttribute('style') && d.getAttribute('style').includes('margin: 4px 0'));
            return st.length ? st[0].innerText : '';
        }""")

    def picked(self) -> str:
        """The athlete shown in the workbook's athlete list."""
        return self.page.locator(".widget-dropdown", has_text="Athlete").locator("select").input_value()

    def pick(self, athlete_id: str) -> float:
        """Pick an athlete in the list; seconds until its status line and charts are drawn."""
        select = self.page.locator(".widget-dropdown", has_text="Athlete").locator("select")
        start = time.perf_counter()
        select.select_option(label=athlete_id)
        self.status_contains(f"Opened {athlete_id}.")
        self.wait_charts_idle()
        return time.perf_counter() - start

    def wait_charts_idle(self):
        # plotly redraws are asynchronous: wait two animation frames after the last message
        self.page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")

    def new_athlete(self, athlete_id: str) -> float:
        box = self.page.get_by_placeholder("new athlete id")
        box.fill(athlete_id)
        start = time.perf_counter()
        self.page.get_by_role("button", name="New athlete").click()
        self.status_contains(f"New athlete {athlete_id}")
        return time.perf_counter() - start

    def upload(self, path: Path, expect: str) -> float:
        start = time.perf_counter()
        self.page.locator("input.hl-upload-input").set_input_files(str(path))
        self.page.locator(".widget-html-content", has_text=expect).first.wait_for(timeout=60_000)
        return time.perf_counter() - start

    def import_wellness_path(self, path: Path, expect: str) -> float:
        """Type a wellness export's path beside the training log and import it; seconds until ``expect`` shows."""
        start = time.perf_counter()
        self.page.get_by_placeholder("or a path, e.g. ~/apple_health_export/export.xml").fill(str(path))
        self.page.get_by_role("button", name="Import wellness from path").click()
        self.page.locator(".widget-html-content", has_text=expect).first.wait_for(timeout=120_000)
        return time.perf_counter() - start

    def save(self, athlete_id: str) -> float:
        start = time.perf_counter()
        self.page.get_by_role("button", name="Save assessment").click()
        self.status_contains(f"for {athlete_id}.")
        return time.perf_counter() - start

    def question(self, label: str, section: str):
        """The row of one question, its section (e.g. "Symptoms") unfolded first."""
        name = self.page.locator("b", has_text=re.compile(f"^{re.escape(label)}$"))
        row = self.page.locator(".hl-question").filter(has=name).first
        if not row.is_visible():
            self.page.get_by_text(f"{section} (", exact=False).first.click()
        row.scroll_into_view_if_needed()
        return row

    def answer(self, label: str, section: str, value: str):
        """Answer a question as a coach does: pick in its list, or type and press Enter."""
        row = self.question(label, section)
        select = row.locator("select")
        if select.count():
            select.first.select_option(label=value)
        else:
            box = row.locator("input").first
            box.fill(value)
            box.press("Enter")

    def weekly_bars(self) -> list:
        """The y values of the weekly load chart's first trace (the bars)."""
        # JupyterLab lays out only what is on screen: scroll to the chart, as a coach does
        self.page.get_by_text("Training log", exact=True).first.scroll_into_view_if_needed(timeout=60_000)
        self.page.wait_for_function("""() => Array.from(document.querySelectorAll('.js-plotly-plot')).some(
            p => p.layout && p.layout.title && /week/i.test(p.layout.title.text || ''))""", timeout=120_000)
        return self.page.evaluate("""() => {
            const plots = Array.from(document.querySelectorAll('.js-plotly-plot'));
            const chart = plots.find(p => p.layout && p.layout.title && p.layout.title.text
                                          && /week/i.test(p.layout.title.text));
            return chart ? Array.from(chart.data[0].y || []) : null;
        }""")


# --- the workbook served as an app (`make run`) ----------------------------------------------

#: True once the ranking's bars are drawn (a horizontal bar chart with at least one cause).
RANKING_DRAWN = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).some(p =>
    p.data && p.data.length && p.data[0].type === 'bar' && p.data[0].orientation === 'h'
    && p.data.slice(0, 3).some(t => (t.y || []).length > 0) && p.querySelector('.main-svg')
    && p.offsetParent !== null)"""  # shown: not inside a workbook built ahead and still hidden


def jupyter_env(base: Path) -> dict:
    """Jupyter's and IPython's folders inside ``base``, never the home folder."""
    jupyter = base / "jupyter"
    return {"JUPYTER_CONFIG_DIR": str(jupyter / "config"), "JUPYTER_DATA_DIR": str(jupyter / "data"),
            "JUPYTER_RUNTIME_DIR": str(jupyter / "runtime"), "IPYTHONDIR": str(jupyter / "ipython")}


class AppServer:
    """``make run``'s servers (heavylegs.serve.workbook_app) on copies of ``notebooks/`` and ``data/``.

    Parameters
    ----------
    athlete : str
        The athlete the workbook opens first.
    lab : bool
        Also start JupyterLab (the app links to it).
    preheat : bool
        Voila's kernels run ahead (as ``make run``), or started per page.
    """

    def __init__(self, athlete: str = "ana", lab: bool = False, preheat: bool = True, pool_size: int = 1):
        from heavylegs.serve.workbook_app import WorkbookApp, app_url

        self.base = Path(tempfile.mkdtemp(prefix="heavylegs-app-"))
        self.data = self.base / "data"
        shutil.copytree(ROOT / "data", self.data)
        self.root = self.base / "notebooks"
        self.root.mkdir()
        for name in ("coach_workbook.ipynb", "squad.ipynb"):
            shutil.copy(ROOT / "notebooks" / name, self.root)
        self.port = free_port()
        self.log = open(self.base / "app.log", "wb")
        self.app = WorkbookApp(self.root, self.data, athlete, port=self.port,
                               lab_port=free_port() if lab else None, token=TOKEN, env=jupyter_env(self.base),
                               preheat=preheat, pool_size=pool_size, log=self.log)
        self.url = self.app.url
        self.squad_url = app_url(self.port, TOKEN, "squad.ipynb")
        self.lab_url = self.app.lab
        try:
            self.up_after = self.app.wait_up()
            if lab:
                self.app.wait_lab()
        except RuntimeError:
            self.stop()
            raise

    def wait_preheated(self, notebooks=("coach_workbook.ipynb", "squad.ipynb"), timeout: float = 180.0) -> float:
        """Wait until Voila says each notebook's kernel pool is filled; seconds since the start."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = (self.base / "app.log").read_text(errors="replace")
            if all(f"Kernel pool of {name} is filled" in text for name in notebooks):
                return time.monotonic() - self.app.started
            time.sleep(0.2)
        raise RuntimeError("the kernels were not run ahead within the time allowed")

    def stop(self):
        self.app.stop()
        self.log.close()
        shutil.rmtree(self.base, ignore_errors=True)


class AppPage(Workbook):
    """The workbook page of the app: no Run All, the coach opens the address and reads."""

    def open(self, timeout: float = 120_000) -> float:
        """Load the page; seconds until the ranking is drawn."""
        start = time.perf_counter()
        self.page.goto(self.url, wait_until="domcontentloaded", timeout=timeout)
        self.page.wait_for_function(RANKING_DRAWN, timeout=timeout, polling=50)
        return time.perf_counter() - start

    def reload(self, timeout: float = 120_000) -> float:
        """Reload the tab; seconds until the ranking is drawn again."""
        start = time.perf_counter()
        self.page.reload(wait_until="domcontentloaded", timeout=timeout)
        self.page.wait_for_function(RANKING_DRAWN, timeout=timeout, polling=50)
        return time.perf_counter() - start

