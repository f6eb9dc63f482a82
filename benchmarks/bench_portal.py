"""The athlete portal (issue 20): a phone's visit, the check-in, and a squad posting at the same moment.

Targets: in Chromium at 390×844 on loopback, link -> dashboard drawn <= 1.5 s; check-in form shown <= 0.5 s;
submit -> "saved" <= 0.5 s; a check-in shown in the athlete's dashboard and in the squad within 1 s of
"saved"; 50 athletes posting at the same moment: 50 rows, 0 lost, p95 <= 2 s, the server's processes
<= 1 GB RSS. Prints figures; asserts nothing.

    .venv/bin/python benchmarks/bench_portal.py [--runs 5] [--athletes 50] [--skip-browser] [--skip-burst]

The portal runs on a copy of data/ (and, for the burst, on a folder of N athletes made from the sample
profiles and logs, each with its own id). Every figure comes with the load average and the CPU time of the
server's processes (the Voila process, its kernels and the preloaded kernel) over the measurement; the
machine is shared, so wall-clock figures are inflated by other work.

* "link -> dashboard drawn": a new browser context (plotly.js not cached: a first visit) and the same
  context again (a return visit), each from `goto(link)` until both charts' SVG are in the page. The page
  was rendered once when the server started (warm-up); the first visit after a check-in finds it
  rendered again, or being rendered.
* "form shown": `goto(link + "checkin")` until the Save button is there (DOMContentLoaded).
* "submit -> saved": a tap on Save until "Saved" is shown (the post, the 303 and the form again).
* "saved -> in the dashboard": from "Saved" shown, `goto(link)` until the heaviness chart's last point is
  the value just sent; "saved -> in the squad": from "Saved" shown until `squad_rows` (what the squad view
  and `heavylegs squad` draw on) gives today as the athlete's last check-in.
* the burst: N threads wait at a barrier, then each posts its athlete's check-in once (form token fetched
  before); latency of each post to its 303; rows counted in the files afterwards; the RSS of the portal's
  processes (Voila, kernels, preloaded kernel) sampled every 50 ms until the renders the posts started are
  done.
"""
import argparse
import datetime as dt
import http.client
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from heavylegs.analysis.squad import squad_rows  # noqa: E402
from heavylegs.logs.checkins import load_checkins  # noqa: E402
from heavylegs.serve.portal import serve_portal  # noqa: E402
from heavylegs.store.portal_links import make_link  # noqa: E402
from jupyterlab_driver import CHROMIUM, CHROMIUM_ARGS, free_port  # noqa: E402 (tests/, beside the tests' Chromium)

CHART = ".js-plotly-plot .main-svg"
TODAY = dt.date.today()


def _env():
    jupyter = Path(tempfile.mkdtemp(prefix="bench-portal-jupyter-"))
    return {"JUPYTER_CONFIG_DIR": str(jupyter / "config"), "JUPYTER_DATA_DIR": str(jupyter / "data"),
            "JUPYTER_RUNTIME_DIR": str(jupyter / "runtime"), "IPYTHONDIR": str(jupyter / "ipython")}


def _tree(pid):
    try:
        proc = psutil.Process(pid)
        return [proc, *proc.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


class CpuTracker(threading.Thread):
    """CPU time [s] of a process and every process it starts, short-lived kernels included.

    Each process's CPU time is read every 20 ms and its last reading kept after it ends, so a kernel that
    lived for one render still counts (less at most 20 ms of it).
    """

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.seen, self.stop = pid, {}, threading.Event()
        self.start()

    def run(self):
        while not self.stop.is_set():
            for proc in _tree(self.pid):
                try:
                    times = proc.cpu_times()
                    self.seen[proc.pid] = times.user + times.system
                except psutil.NoSuchProcess:
                    pass
            time.sleep(0.02)

    def total(self) -> float:
        return sum(self.seen.values())


_TRACKERS = {}


def _cpu(pid):
    """CPU time [s] of the server's processes since the first call for ``pid``."""
    if pid not in _TRACKERS:
        _TRACKERS[pid] = CpuTracker(pid)
        time.sleep(0.05)
    return _TRACKERS[pid].total()


def _rss(pid):
    total = 0
    for proc in _tree(pid):
        try:
            total += proc.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total


def _wait_renders_done(pid, quiet=1.5, timeout=600):
    """Until the server's processes have used less than 2 % of a core for ``quiet`` s (renders done)."""
    deadline = time.monotonic() + timeout
    last, calm_since = _cpu(pid), None
    while time.monotonic() < deadline:
        time.sleep(0.25)
        now = _cpu(pid)
        if now - last > 0.005:
            calm_since = None
        elif calm_since is None:
            calm_since = time.monotonic()
        elif time.monotonic() - calm_since >= quiet:
            return
        last = now


def _load():
    return "load {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())


def _stats(values):
    values = sorted(values)
    p95 = values[min(len(values) - 1, max(0, round(0.95 * len(values)) - 1))]
    return f"median {statistics.median(values):.2f} s, p95 {p95:.2f} s, max {values[-1]:.2f} s (n={len(values)})"


class _Sampler(threading.Thread):
    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.peak, self.stop = pid, 0, threading.Event()

    def run(self):
        while not self.stop.is_set():
            self.peak = max(self.peak, _rss(self.pid))
            time.sleep(0.05)


def _post(port, path, fields, host):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request("POST", path, body=urllib.parse.urlencode(fields),
                     headers={"Host": host, "Content-Type": "application/x-www-form-urlencoded"})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def _get(port, path, host):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request("GET", path, headers={"Host": host})
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        conn.close()


# --- a phone -------------------------------------------------------------------------------------------

def browser_figures(runs: int) -> None:
    from playwright.sync_api import sync_playwright

    data = Path(tempfile.mkdtemp(prefix="bench-portal-")) / "data"
    shutil.copytree(ROOT / "data", data)
    port = free_port()
    started = time.perf_counter()
    portal = serve_portal(data, port=port, env=_env(), log=open(os.devnull, "w"))
    _cpu(portal.process.pid)
    print(f"portal listening {time.perf_counter() - started:.2f} s after serve_portal() ({_load()})")
    link = make_link(data, "ana")
    pid = portal.process.pid
    _wait_renders_done(pid)
    print(f"every athlete's dashboard rendered once (warm-up) {time.perf_counter() - started:.1f} s after the start, "
          f"server CPU {_cpu(pid):.1f} s, RSS {_rss(pid) / 2**20:.0f} MB ({_load()})")
    first, again, form, saved_t, to_dash, to_squad = [], [], [], [], [], []
    cpu0 = _cpu(pid)
    everything = CpuTracker(os.getpid())  # this script's children: the server's processes and the browser's
    time.sleep(0.1)
    all0 = everything.total() - everything.seen.get(os.getpid(), 0.0)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            for run in range(runs):
                context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
                page = context.new_page()
                t = time.perf_counter()
                page.goto(link, wait_until="domcontentloaded")
                page.wait_for_function(f"() => document.querySelectorAll('{CHART}').length >= 2", timeout=120_000)
                first.append(time.perf_counter() - t)
                t = time.perf_counter()
                page.goto(link, wait_until="domcontentloaded")
                page.wait_for_function(f"() => document.querySelectorAll('{CHART}').length >= 2", timeout=120_000)
                again.append(time.perf_counter() - t)
                t = time.perf_counter()
                page.goto(link + "checkin", wait_until="domcontentloaded")
                page.wait_for_selector("#hl-save")
                form.append(time.perf_counter() - t)
                value = str((run % 9) + 1)
                page.tap(f'label[for="hl-heaviness-{value}"]')
                page.tap('label[for="hl-fatigue-4"]')
                t = time.perf_counter()
                page.tap("#hl-save")
                page.wait_for_selector("#hl-saved")
                saved = time.perf_counter()
                saved_t.append(saved - t)
                while True:
                    rows = {r["athlete_id"]: r for r in squad_rows(data)}
                    if rows["ana"]["last_checkin"] == TODAY.isoformat():
                        break
                to_squad.append(time.perf_counter() - saved)
                page.goto(link, wait_until="domcontentloaded")
                page.wait_for_function("""(value) => {
                    const charts = [...document.querySelectorAll('.js-plotly-plot')];
                    return charts.some(c => c.data && c.data.some(t => t.x && t.x.length
                        && String(t.x[t.x.length - 1]).startsWith('%s') && t.y[t.y.length - 1] == value));
                }""" % TODAY.isoformat(), arg=int(value), timeout=120_000)
                to_dash.append(time.perf_counter() - saved)
                context.close()
        finally:
            browser.close()
    server_cpu = _cpu(pid) - cpu0
    browser_cpu = everything.total() - everything.seen.get(os.getpid(), 0.0) - all0 - server_cpu
    everything.stop.set()
    print(f"Chromium 390x844, {runs} runs ({_load()}; CPU over the runs: server {server_cpu:.1f} s, "
          f"Chromium and its driver {browser_cpu:.1f} s):")
    print(f"  link -> dashboard drawn, first visit (plotly.js not cached): {_stats(first)}")
    print(f"  link -> dashboard drawn, return visit: {_stats(again)}")
    print(f"  check-in form shown: {_stats(form)}")
    print(f"  submit -> saved: {_stats(saved_t)}")
    print(f"  saved -> new check-in drawn in the dashboard: {_stats(to_dash)}")
    print(f"  saved -> in the squad rows: {_stats(to_squad)}")
    print(f"  server RSS now {_rss(pid) / 2**20:.0f} MB")
    portal.stop()


# --- a squad at the same moment ---------------------------------------------------------------------------

def squad_folder(n: int) -> Path:
    """A data folder of ``n`` athletes, made from the sample athletes (profile and log), each with its own id."""
    data = Path(tempfile.mkdtemp(prefix="bench-portal-squad-")) / "data"
    (data / "athletes").mkdir(parents=True)
    samples = sorted(p.stem for p in (ROOT / "data" / "athletes").glob("*.json"))
    for i in range(n):
        source = samples[i % len(samples)]
        athlete = f"a{i + 1:03d}"
        doc = json.loads((ROOT / "data" / "athletes" / f"{source}.json").read_text(encoding="utf-8"))
        doc["athlete_id"] = athlete
        doc["name"] = f"Athlete {i + 1}"
        (data / "athletes" / f"{athlete}.json").write_text(json.dumps(doc), encoding="utf-8")
        folder = ROOT / "data" / "athletes" / source
        if (folder / "log.csv").exists():
            (data / "athletes" / athlete).mkdir()
            shutil.copy(folder / "log.csv", data / "athletes" / athlete / "log.csv")
    return data


def burst_figures(n: int) -> None:
    data = squad_folder(n)
    port = free_port()
    host = f"127.0.0.1:{port}"
    portal = serve_portal(data, port=port, env=_env(), log=open(os.devnull, "w"), warm=False)
    pid = portal.process.pid
    _cpu(pid)
    athletes = [f"a{i + 1:03d}" for i in range(n)]
    paths = {a: urllib.parse.urlsplit(make_link(data, a)).path for a in athletes}
    tokens = {}
    for athlete, path in paths.items():
        status, body = _get(port, path + "checkin", host)
        tokens[athlete] = re.search(r'name="csrf" value="([0-9a-f]{64})"', body).group(1)
    idle = _rss(pid)
    barrier = threading.Barrier(n)
    latency, statuses = {}, {}

    def one(athlete):
        fields = {"csrf": tokens[athlete], "heaviness": str(int(athlete[1:]) % 11), "sleep_h": "7.5",
                  "sleep_quality": "3", "fatigue": "4", "stress": "2", "soreness": "5", "notes": f"burst {athlete}"}
        barrier.wait()
        t = time.perf_counter()
        statuses[athlete] = _post(port, paths[athlete] + "checkin", fields, host)
        latency[athlete] = time.perf_counter() - t

    sampler = _Sampler(pid)
    sampler.start()
    cpu0, load0 = _cpu(pid), _load()
    threads = [threading.Thread(target=one, args=(a,)) for a in athletes]
    t0 = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    posts_done = time.perf_counter() - t0
    cpu_posts = _cpu(pid) - cpu0
    _wait_renders_done(pid)
    renders_done = time.perf_counter() - t0
    sampler.stop.set()
    sampler.join()
    rows = sum(int(len(load_checkins(data, a).query("source == 'portal'")) == 1) for a in athletes)
    lost = n - rows
    print(f"{n} athletes posting at the same moment ({load0} before, {_load()} after):")
    print(f"  statuses: {sorted(set(statuses.values()))}; rows saved: {rows} of {n}, lost {lost}")
    print(f"  post -> 303: {_stats(list(latency.values()))}; all {n} answered {posts_done:.2f} s after the start")
    print(f"  server CPU for the posts {cpu_posts:.2f} s; the dashboards the posts changed rendered again "
          f"{renders_done:.1f} s after the start (CPU {_cpu(pid) - cpu0:.1f} s in all)")
    print(f"  server RSS: idle {idle / 2**20:.0f} MB, peak {sampler.peak / 2**20:.0f} MB (Voila process, kernels, "
          "preloaded kernel)")
    portal.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--athletes", type=int, default=50)
    parser.add_argument("--skip-browser", action="store_true")
    parser.add_argument("--skip-burst", action="store_true")
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores, {_load()}")
    if not args.skip_browser:
        browser_figures(args.runs)
    if not args.skip_burst:
        burst_figures(args.athletes)


if __name__ == "__main__":
    main()
