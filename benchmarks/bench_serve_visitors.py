"""30 visitors at once on the served dashboard, each with its own query string (issue 18).

Target: median <= 2 s, p95 <= 5 s from the request to the page's last byte,
for 30 visitors arriving together, each with a different query string (a
campaign tag, a cache-buster: ``?token=...&v=N``), the page showing the
athlete's newest data. Issue 18 measured median 21.2 s, p95 36.8 s: every
distinct query string was rendered in a kernel of its own.

    .venv/bin/python benchmarks/bench_serve_visitors.py [--visitors 30] [--athlete ana] [--root DIR]

Runs ``python -m heavylegs serve ATHLETE`` (of this checkout, or of ``--root
DIR``, e.g. an older commit unpacked with ``git archive COMMIT | tar -x -C
DIR``, which is how the figure before the change is taken) on a copy of
``data/``, waits for the first page, then:

1. ``visitors`` GETs at once, each with its own ``&v=N``, timed to the last byte;
2. one check-in added through the API (``add_checkin``, for 2026-11-29, the
   day after the sample check-ins), then the same again: every page must show
   it (the count of pages differing from the first page, kernel ids aside:
   0 in the first round, all in the second).

Prints the latencies (median, p95, max), the CPU time of the server's
processes (Voila and its kernels) over each round and the load average. The
machine is shared: give the load and the CPU time with the wall clock.
"""
import argparse
import http.client
import os
import re
import shutil
import signal
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


def _free_port():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _tree_cpu(pid):
    total = 0.0
    try:
        procs = [psutil.Process(pid)] + psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return 0.0
    for proc in procs:
        try:
            t = proc.cpu_times()
            total += t.user + t.system + t.children_user + t.children_system
        except psutil.NoSuchProcess:
            pass
    return total


def _get(port, path, timeout=300):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def _round(port, token, visitors, before):
    """``visitors`` GETs at once: (latency [s], status, page differs from ``before``) each, and the wall clock."""
    results, start = [], threading.Event()

    def visit(i):
        start.wait()
        t = time.perf_counter()
        status, body = _get(port, f"/?token={token}&v={i}-{time.time_ns()}")
        results.append((time.perf_counter() - t, status, _figures(body) != _figures(before)))

    threads = [threading.Thread(target=visit, args=(i,)) for i in range(visitors)]
    for thread in threads:
        thread.start()
    t0 = time.perf_counter()
    start.set()
    for thread in threads:
        thread.join()
    return results, time.perf_counter() - t0


def _figures(page):
    """The page less what differs between two renders of the same data (kernel ids, the cookie)."""
    return re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "", page)


def _quantile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def _line(label, results, wall, cpu):
    latencies = [r[0] for r in results]
    ok = sum(1 for r in results if r[1] == 200)
    changed = sum(1 for r in results if r[2])
    return (f"  {label}: {ok}/{len(results)} pages 200, {changed} differing from the page before; latency median "
            f"{statistics.median(latencies):.2f} s, p95 {_quantile(latencies, 0.95):.2f} s, max {max(latencies):.2f} s; "
            f"all in {wall:.2f} s; server CPU {cpu:.1f} s; load average {os.getloadavg()[0]:.1f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visitors", type=int, default=30)
    parser.add_argument("--athlete", default="ana")
    parser.add_argument("--root", default=str(ROOT), help="checkout whose `heavylegs serve` runs")
    args = parser.parse_args()
    root = Path(args.root).resolve()
    tmp = Path(tempfile.mkdtemp(prefix="bench-serve-visitors-"))
    data = tmp / "data"
    shutil.copytree(ROOT / "data", data)
    env = {**os.environ, "PYTHONPATH": str(root)}
    for name, sub in (("JUPYTER_CONFIG_DIR", "c"), ("JUPYTER_DATA_DIR", "d"), ("JUPYTER_RUNTIME_DIR", "r"),
                      ("IPYTHONDIR", "i")):
        env[name] = str(tmp / sub)
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "heavylegs", "serve", args.athlete, "--port", str(port),
                             "--data", str(data)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env, cwd=root)
    try:
        url = re.search(r"(http://\S+)", proc.stdout.readline()).group(1)
        token = url.rsplit("token=", 1)[1]
        print(f"{args.visitors} visitors at once, each with its own query string; `heavylegs serve` of {root}")
        status, first = _get(port, f"/?token={token}")  # the first page, rendered as Voila started
        print(f"  first page: status {status}; load average {os.getloadavg()[0]:.1f}")
        time.sleep(5)  # the next preloaded kernel imports meanwhile, as it would between two visits
        cpu0 = _tree_cpu(proc.pid)
        results, wall = _round(port, token, args.visitors, first)
        print(_line("unchanged files", results, wall, _tree_cpu(proc.pid) - cpu0))
        sys.path.insert(0, str(root))
        from heavylegs.logs.checkins import add_checkin

        add_checkin(data, args.athlete, {"date": "2026-11-29", "heaviness": 9})
        cpu0 = _tree_cpu(proc.pid)
        results, wall = _round(port, token, args.visitors, first)
        print(_line("after a new check-in", results, wall, _tree_cpu(proc.pid) - cpu0))
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
