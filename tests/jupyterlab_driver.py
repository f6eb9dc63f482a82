"""Drive the coach workbook in JupyterLab with Debian's Chromium, as a coach would.

Shared by ``tests/test_workbook_browser.py`` and
``benchmarks/bench_workbook_browser.py``: a JupyterLab server on a private
copy of the data folder and of the workbook notebook, and the few gestures a
coach makes (pick an athlete, type a new one, upload, save, reload), each
waiting for what the coach waits for on screen.
"""
from __future__ import annotations

import os
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
        # the training log's upload: the first of the page (the wellness upload follows it)
        self.page.locator("input.hl-upload-input").first.set_input_files(str(path))
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
