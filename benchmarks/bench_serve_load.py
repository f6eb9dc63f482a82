"""The served dashboard under load, and `heavylegs serve` from the command line to a drawn chart.

Targets (issue 9): `heavylegs serve` started from the command line until the
chart is drawn <= 3 s; 20 concurrent visitors: median and p90 latency and peak
memory (RSS of Voila and its kernels). Prints figures; asserts nothing.

    .venv/bin/python benchmarks/bench_serve_load.py [--visitors 20] [--runs 3] [--max-kernels 2 4 8]
        [--baseline DIR] [--start-only]

Each start is broken into phases, all in seconds from running the command:
the address printed; the page's first byte and last byte (Chromium's
navigation timing); the chart drawn. Next to them: the load average, and the
CPU time until the chart was drawn of the server's processes (the command,
Voila and its kernels) and of Chromium with the Playwright driver. ``--baseline DIR``
times the `heavylegs serve` of another checkout too (an older commit
unpacked with ``git archive COMMIT | tar -x -C DIR``), alternately with this
one, so both are measured in the same minutes on a shared machine.

A visitor is one GET of the page with the token, timed until the last byte:
Voila streams the page while the notebook runs and ends it once the chart's
data is in it, so this is the moment the browser can draw the chart (plotly.js
is cached after a first visit; drawing then takes about 0.1-0.3 s in
Chromium). The idle memory of a fresh server with the defaults includes the
preloaded first kernel (heavylegs.serve._kernel) until the first render takes it. All visitors start together on a fresh server: once with the
defaults (one render, reused by every visitor), then with every request
rendered in its own kernel, once with each cap on the kernels running at once. Memory is sampled every 50 ms, and once
more 3 s after the last visitor.
"""
import argparse
import http.client
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
CHART = ".js-plotly-plot .main-svg"


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _jupyter_env():
    jupyter = Path(tempfile.mkdtemp(prefix="bench-jupyter-"))
    return {name: str(jupyter / sub) for name, sub in (("JUPYTER_CONFIG_DIR", "c"), ("JUPYTER_DATA_DIR", "d"),
                                                      ("JUPYTER_RUNTIME_DIR", "r"), ("IPYTHONDIR", "i"))}


def _tree_cpu(pid):
    """CPU time [s] (user and system) of a process and its descendants alive now, and of the ones they reaped."""
    total = 0.0
    try:
        procs = [psutil.Process(pid)]
        procs += procs[0].children(recursive=True)
    except psutil.NoSuchProcess:
        return 0.0
    for proc in procs:
        try:
            times = proc.cpu_times()
            total += times.user + times.system + times.children_user + times.children_system
        except psutil.NoSuchProcess:
            pass
    return total


def cli_start_to_chart(browser, athlete, data_dir, root=ROOT):
    """Phases [s] from running `heavylegs serve` to the chart drawn in Chromium (390x844).

    Parameters
    ----------
    root : Path
        The checkout whose `heavylegs` runs (this one, or a baseline).

    Returns
    -------
    dict
        ``address``, ``first_byte``, ``page_end``, ``chart`` [s from the
        start], ``server_cpu`` and ``browser_cpu`` [s], ``load`` (the 1-minute
        load average at the end).
    """
    port = _free_port()
    env = {**os.environ, **_jupyter_env(), "PYTHONPATH": str(root)}
    page = browser.new_page(viewport={"width": 390, "height": 844})
    browser_before = _tree_cpu(os.getpid())
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "heavylegs", "serve", athlete, "--port", str(port),
                             "--data", str(data_dir)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env, cwd=root)
    try:
        line = proc.stdout.readline()
        t_url = time.perf_counter() - t0
        url = re.search(r"(http://\S+)", line).group(1)
        page.goto(url, wait_until="domcontentloaded", timeout=180_000)
        page.wait_for_selector(CHART, state="attached", timeout=180_000)
        t_chart = time.perf_counter() - t0
        timing = page.evaluate("""() => { const n = performance.getEntriesByType('navigation')[0];
            return {origin: performance.timeOrigin, start: n.responseStart, end: n.responseEnd}; }""")
        server_cpu = _tree_cpu(proc.pid)
        browser_cpu = _tree_cpu(os.getpid()) - browser_before - server_cpu
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=60)
        page.close()
    # the navigation's times are from its timeOrigin (wall clock [ms]); t0 is taken again on that clock
    origin = timing["origin"] / 1000 - (time.time() - (time.perf_counter() - t0))
    return {"address": t_url, "first_byte": origin + timing["start"] / 1000, "page_end": origin + timing["end"] / 1000,
            "chart": t_chart, "load": os.getloadavg()[0],
            "server_cpu": server_cpu, "browser_cpu": browser_cpu}


def _phases_line(runs):
    med = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
    return (f"address {med['address']:.2f} s, first byte {med['first_byte']:.2f} s, page complete "
            f"{med['page_end']:.2f} s, chart drawn {med['chart']:.2f} s (median; runs "
            + ", ".join(f"{r['chart']:.2f}" for r in runs)
            + f"); CPU: server {med['server_cpu']:.2f} s, Chromium and Playwright {med['browser_cpu']:.2f} s; load average "
            + ", ".join(f"{r['load']:.1f}" for r in runs))


def _rss(pid):
    """RSS [bytes] of a process and all its descendants."""
    try:
        proc = psutil.Process(pid)
        total = proc.memory_info().rss
        for child in proc.children(recursive=True):
            try:
                total += child.memory_info().rss
            except psutil.NoSuchProcess:
                pass
        return total
    except psutil.NoSuchProcess:
        return 0


def _visit(port, path, results, start):
    start.wait()
    t = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        body = response.read()
        # a figure's data: drawn by the page itself (heavylegs-dashboard template) or by Voila's scripts
        ok = response.status == 200 and (b"hlChart(" in body or b"application/vnd.plotly.v1+json" in body)
        results.append((time.perf_counter() - t, response.status if not ok or response.status != 200 else 200, ok))
    finally:
        conn.close()


def concurrent_visitors(athlete, data_dir, visitors, max_kernels, page_cache_ttl):
    """Latencies [s] of ``visitors`` simultaneous page loads, and the peak RSS [bytes] meanwhile."""
    from heavylegs.serve.server import serve_dashboard

    server = serve_dashboard(data_dir, athlete, port=_free_port(), env=_jupyter_env(), max_kernels=max_kernels, queue_timeout=300, page_cache_ttl=page_cache_ttl)
    try:
        port = int(server.base_url.rsplit(":", 1)[1].strip("/"))
        idle = _rss(server.process.pid)
        results, start, done = [], threading.Event(), threading.Event()
        peak = [idle]

        def sample():
            while not done.is_set():
                peak.append(_rss(server.process.pid))
                time.sleep(0.05)

        sampler = threading.Thread(target=sample)
        sampler.start()
        threads = [threading.Thread(target=_visit, args=(port, f"/?token={server.token}", results, start))
                   for _ in range(visitors)]
        for thread in threads:
            thread.start()
        t0 = time.perf_counter()
        start.set()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - t0
        done.set()
        sampler.join()
        time.sleep(3)  # the last kernel is shut down just after its page has been sent
        after = _rss(server.process.pid)
    finally:
        server.stop()
    return results, idle, max(peak), after, wall


def _quantile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visitors", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3, help="command-line starts to time (default 3)")
    parser.add_argument("--max-kernels", type=int, nargs="+", default=[2, 4, 8])
    parser.add_argument("--athlete", default="gus")
    parser.add_argument("--data", default=str(ROOT / "data"))
    parser.add_argument("--baseline", help="another checkout whose `heavylegs serve` is timed alternately")
    parser.add_argument("--start-only", action="store_true", help="time the starts only, not the visitors")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    print(f"`heavylegs serve {args.athlete}` from the command line to the chart drawn in Chromium "
          "(target <= 3 s)")
    roots = [Path(args.baseline).resolve(), ROOT] if args.baseline else [ROOT]
    runs = {root: [] for root in roots}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        try:
            for _ in range(args.runs):
                for root in roots:
                    runs[root].append(cli_start_to_chart(browser, args.athlete, Path(args.data).resolve(), root))
        finally:
            browser.close()
    for root in roots:
        label = "this checkout" if root == ROOT else f"baseline {root}"
        print(f"  {label}: {_phases_line(runs[root])}")
    if args.start_only:
        return

    print(f"\n{args.visitors} visitors at once, each one GET of the page until its last byte")
    settings = [(4, 300, "the defaults (page reused)")] + [(cap, 0, "every request rendered")
                                                            for cap in args.max_kernels]
    for cap, ttl, label in settings:
        results, idle, peak, after, wall = concurrent_visitors(args.athlete, args.data, args.visitors, cap, ttl)
        latencies = [r[0] for r in results]
        served = sum(1 for r in results if r[2])
        print(f"  {label}, max_kernels={cap}: {served}/{len(results)} pages with the chart; latency median "
              f"{statistics.median(latencies):.2f} s, p90 {_quantile(latencies, 0.9):.2f} s, max "
              f"{max(latencies):.2f} s; all served in {wall:.2f} s; RSS of Voila and kernels: idle "
              f"{idle / 2**20:.0f} MB, peak {peak / 2**20:.0f} MB, after {after / 2**20:.0f} MB")


if __name__ == "__main__":
    main()
