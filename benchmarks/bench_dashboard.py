"""Speed of the athlete dashboard: a cold Voila server to a drawn chart, and the HTML export.

Targets (dashboard issue): served dashboard, server start to chart drawn in
Chromium < 5 s; export < 3 s per athlete. Prints figures; asserts nothing.

    PYTHONPATH=. .venv/bin/python benchmarks/bench_dashboard.py [--runs N] [--athlete ID] [--export-only]

The browser is started before the clock (it is the athlete's browser, already
open). Each served run starts a new Voila on a free port, with Jupyter's
folders in a temporary directory, and stops it afterwards.
"""
import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from heavylegs.store.storage import list_athletes  # noqa: E402

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
CHART = ".js-plotly-plot .main-svg"


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def served_run(browser, athlete, data_dir, preheat, settle=0.0):
    """Seconds from starting the server to the chart drawn (and the steps on the way)."""
    from heavylegs.serve.server import serve_dashboard

    jupyter = Path(tempfile.mkdtemp(prefix="bench-jupyter-"))
    env = {name: str(jupyter / sub) for name, sub in (("JUPYTER_CONFIG_DIR", "c"), ("JUPYTER_DATA_DIR", "d"),
                                                      ("JUPYTER_RUNTIME_DIR", "r"), ("IPYTHONDIR", "i"))}
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("http://127.0.0.1")
               else route.abort())
    t0 = time.perf_counter()
    server = serve_dashboard(data_dir, athlete, port=_free_port(), preheat=preheat, env=env)
    try:
        t_answer = time.perf_counter() - t0
        if settle:
            time.sleep(settle)  # let a preheated kernel finish before the request
        t1 = time.perf_counter()
        page.goto(server.url, wait_until="domcontentloaded", timeout=180_000)
        t_html = time.perf_counter() - t1
        page.wait_for_selector(CHART, state="attached", timeout=180_000)
        t_chart = time.perf_counter() - t1
    finally:
        server.stop()
        page.close()
    return {"server_answers": t_answer, "page_html": t_html, "request_to_chart": t_chart,
            "start_to_chart": t_answer + t_chart}


def export_times(data_dir, out_dir):
    """Seconds per export: the first (with imports) in a fresh interpreter, then each athlete in-process."""
    code = ("import time, sys; t = time.perf_counter(); from heavylegs.views.dashboard import export_dashboard; "
            f"export_dashboard({str(data_dir)!r}, 'ana', {str(out_dir)!r}); "
            "print(time.perf_counter() - t)")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    t = time.perf_counter()
    inner = float(subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                                 check=True).stdout.strip())
    whole = time.perf_counter() - t
    from heavylegs.views.dashboard import export_dashboard

    per = {}
    for athlete in list_athletes(data_dir):
        t = time.perf_counter()
        path = export_dashboard(data_dir, athlete, out_dir)
        per[athlete] = (time.perf_counter() - t, path.stat().st_size)
    return inner, whole, per


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="cold server starts per setting (default 3)")
    parser.add_argument("--athlete", default="gus")
    parser.add_argument("--data", default=str(ROOT / "data"))
    parser.add_argument("--export-only", action="store_true", help="skip the served dashboard")
    args = parser.parse_args()

    print("export (target < 3 s per athlete)")
    with tempfile.TemporaryDirectory() as out:
        inner, whole, per = export_times(args.data, out)
        print(f"  first export in a fresh Python, imports included: {inner:.2f} s "
              f"({whole:.2f} s with interpreter start)")
        for athlete, (seconds, size) in per.items():
            print(f"  {athlete:<8} {seconds:.2f} s  {size / 1e6:.2f} MB")
        print(f"  median in-process: {statistics.median(s for s, _ in per.values()):.2f} s")
    if args.export_only:
        return

    from playwright.sync_api import sync_playwright

    print(f"\nserved dashboard of {args.athlete!r} in Chromium at 390x844 (target < 5 s start to chart)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        try:
            settings = [("preheat, request at once", True, 0.0),
                        ("no preheat", False, 0.0),
                        ("preheat, request after 10 s", True, 10.0)]
            for label, preheat, settle in settings:
                runs = [served_run(browser, args.athlete, args.data, preheat, settle) for _ in range(args.runs)]
                med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
                each = ", ".join(f"{r['start_to_chart']:.2f}" for r in runs)
                print(f"  {label:<28} start->chart median {med['start_to_chart']:.2f} s "
                      f"(runs {each}); "
                      f"server answers {med['server_answers']:.2f} s, page HTML {med['page_html']:.2f} s, "
                      f"request->chart {med['request_to_chart']:.2f} s")
        finally:
            browser.close()


if __name__ == "__main__":
    main()
