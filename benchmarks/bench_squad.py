"""Speed of the squad: 200 athletes, from the files to the drawn table.

Builds, in a temporary folder, 200 athletes copied from the sample athletes of
``data/`` (each sample's profile, training log, check-ins and saved
assessments, under new ids ``s001`` … ``s200``), then prints:

* ``squad_rows`` for the 200 (median of 3) and what one athlete's row costs,
  split into the parts of the chain every page uses: ``load_athlete`` (with
  ``read_log`` and ``read_checkins`` apart), ``assess_athlete``, and the row
  made from them;
* the same with the rows reused from the squad's cache (no file changed);
* building ``SquadView`` (rows, filters and the HTML table) in the kernel;
* ``notebooks/squad.ipynb`` run top to bottom with nbclient, kernel start
  included (as ``bench_workbook.py`` runs the workbook): first with the
  cache emptied, then with the rows cached (target ≤ 3 s);
* in Debian's Chromium at 1280×800, the squad served by ``heavylegs squad
  --serve``: from the request to the drawn table with its 200 rows (target
  ≤ 3 s), first with the cache emptied, then twice with it (a fresh page
  and a new kernel each time).

Each figure is printed with the CPU time of this process and the load
average beside it (the machine is shared). Run:
``.venv/bin/python benchmarks/bench_squad.py [--ports 9400-9499] [--runs 3]``.
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _timing import run_notebook  # benchmarks/_timing.py, beside this script

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
_TMP = Path(tempfile.mkdtemp(prefix="heavylegs-bench-squad-"))
for _var, _sub in (("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_DATA_DIR", "data"),
                   ("JUPYTER_RUNTIME_DIR", "runtime"), ("IPYTHONDIR", "ipython")):
    os.environ.setdefault(_var, str(_TMP / _sub))
os.environ["HEAVYLEGS_CACHE_DIR"] = str(_TMP / "cache")  # the squad's row cache, emptied below for cold runs

N_ATHLETES = 200


def _renamed(doc, new_id):
    """An assessment or profile document with every athlete id replaced."""
    doc = json.loads(json.dumps(doc))
    for part in (doc, doc.get("profile"), doc.get("ranking"), doc.get("plan")):
        if isinstance(part, dict) and "athlete_id" in part:
            part["athlete_id"] = new_id
    return doc


def make_squad(target: Path, n: int = N_ATHLETES) -> Path:
    """``n`` athletes in ``target/athletes``, copied in turn from the sample athletes."""
    source = ROOT / "data" / "athletes"
    samples = sorted(p.stem for p in source.glob("*.json"))
    (target / "athletes").mkdir(parents=True)
    for i in range(n):
        sample, new_id = samples[i % len(samples)], f"s{i + 1:03d}"
        profile = _renamed(json.loads((source / f"{sample}.json").read_text(encoding="utf-8")), new_id)
        (target / "athletes" / f"{new_id}.json").write_text(json.dumps(profile), encoding="utf-8")
        if (source / sample).is_dir():
            folder = target / "athletes" / new_id
            shutil.copytree(source / sample, folder)
            for path in (folder / "assessments").glob("*.json"):
                doc = _renamed(json.loads(path.read_text(encoding="utf-8")), new_id)
                path.write_text(json.dumps(doc), encoding="utf-8")
    return target


def _free_port(first=8993, last=8999):
    for port in range(first, last + 1):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {first}-{last}")


def _load() -> str:
    return "load average " + " ".join(f"{x:.1f}" for x in os.getloadavg())


def bench_notebook(data_dir: Path) -> float:
    """``notebooks/squad.ipynb`` top to bottom with nbclient, from the kernel's start to the last output [s]."""
    took, _, nb = run_notebook(ROOT / "notebooks" / "squad.ipynb", data_dir, timeout=180)
    html = "".join(str(o.get("data", {})) for c in nb.cells for o in c.get("outputs", []))
    assert "SquadView" in html or "application/vnd.jupyter.widget-view+json" in html, "the view was not displayed"
    return took


def main(argv=None):
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ports", default="8993-8999", help="ports the served squad may use (FIRST-LAST)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each notebook and served measure")
    parser.add_argument("--skip-browser", action="store_true")
    args = parser.parse_args(argv)
    first_port, last_port = (int(x) for x in args.ports.split("-"))

    from heavylegs.analysis import squad as sq
    from heavylegs.app.squad_view import SquadView

    data = make_squad(_TMP / "data")
    print(_load())
    for workers in (1, 2):
        times, cpu = [], []
        for _ in range(3):
            start, c0 = time.perf_counter(), time.process_time()
            rows = sq.squad_rows(data, use_cache=False, workers=workers)
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - c0)
        print(f"squad_rows, {len(rows)} athletes, every row computed, {workers} process(es): median "
              f"{statistics.median(times):.2f} s (min {min(times):.2f}, max {max(times):.2f}; CPU of this process "
              f"{statistics.median(cpu):.2f} s); {statistics.median(times) / len(rows) * 1000:.1f} ms an athlete; "
              f"{_load()}")
    sq.squad_rows(data)  # fills the cache
    warm = []
    for _ in range(5):
        start = time.perf_counter()
        sq.squad_rows(data)
        warm.append(time.perf_counter() - start)
    print(f"squad_rows, {len(rows)} athletes, rows reused from the cache: median {statistics.median(warm):.3f} s")

    # one athlete's parts (the sample with a log, check-ins and a saved assessment): the chain every page uses
    from heavylegs.analysis.pipeline import assess_athlete
    from heavylegs.analysis.squad_row import row_of
    from heavylegs.logs.checkins import read_checkins
    from heavylegs.logs.traininglog import read_log
    from heavylegs.store.athlete import load_athlete

    athlete = next(r["athlete_id"] for r in rows if r["last_checkin"] and r["last_assessment"])
    day = sq.as_day(None)
    record = load_athlete(data, athlete)
    assessment = assess_athlete(record)
    parts = {
        "load_athlete (answers, log, check-ins, plan)": lambda: load_athlete(data, athlete),
        "  of which read_log": lambda: read_log(data / "athletes" / athlete / "log.csv"),
        "  of which read_checkins": lambda: read_checkins(data / "athletes" / athlete / "checkins.csv"),
        "assess_athlete (daily series, weekly table, facts, patterns, scoring)": lambda: assess_athlete(record),
        "the row from them (load to today, heaviness)": lambda: row_of(record, assessment, day),
    }
    for name, func in parts.items():
        runs = []
        for _ in range(7):
            start = time.perf_counter()
            func()
            runs.append(time.perf_counter() - start)
        print(f"  {name}: {statistics.median(runs) * 1000:.1f} ms")

    start = time.perf_counter()
    SquadView(data)
    print(f"SquadView built (cached rows, filters, HTML table), {len(rows)} athletes: "
          f"{time.perf_counter() - start:.2f} s")

    for label, empty in (("cache emptied", True), ("rows cached", False)):
        runs = []
        for _ in range(args.runs):
            if empty:
                shutil.rmtree(_TMP / "cache", ignore_errors=True)
            runs.append(bench_notebook(data))
        print(f"notebooks/squad.ipynb top to bottom, nbclient, kernel start incl., {label}: median "
              f"{statistics.median(runs):.2f} s (min {min(runs):.2f}, max {max(runs):.2f}); {_load()}")
    if args.skip_browser:
        shutil.rmtree(_TMP, ignore_errors=True)
        return

    from playwright.sync_api import sync_playwright

    from heavylegs.serve.server import serve_squad

    plan = [(1, "every row computed")] + [(i, "rows reused") for i in range(2, 2 + args.runs)]
    plan += [(len(plan) + 1, "every row computed")]
    # a closed page keeps its kernel until culled (10 min): one kernel per page measured
    server = serve_squad(port=_free_port(first_port, last_port), data_dir=data, max_kernels=len(plan))
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                        args=["--no-sandbox", "--disable-gpu"])
            for attempt, label in plan:
                if label == "every row computed":
                    shutil.rmtree(_TMP / "cache", ignore_errors=True)
                page = browser.new_page(viewport={"width": 1280, "height": 800})
                start = time.perf_counter()
                page.goto(server.url, wait_until="domcontentloaded", timeout=180_000)
                page.wait_for_function(
                    f"() => document.querySelectorAll('table.hl-squad tbody tr').length === {len(rows)}",
                    timeout=180_000)
                print(f"served squad, request to drawn table of {len(rows)} rows (Chromium 1280x800, "
                      f"page {attempt}, {label}): {time.perf_counter() - start:.2f} s; {_load()}")
                page.close()
            browser.close()
    finally:
        server.stop()
        shutil.rmtree(_TMP, ignore_errors=True)


if __name__ == "__main__":
    main()
