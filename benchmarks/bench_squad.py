"""Speed of the squad: 200 athletes, from the files to the drawn table.

Builds, in a temporary folder, 200 athletes copied from the sample athletes of
``data/`` (each sample's profile, training log, check-ins and saved
assessments, under new ids ``s001`` … ``s200``), then prints:

* ``squad_rows`` for the 200 (median of 3) and what one athlete's row costs,
  split into its parts: the saved ranking or the profile scored, the training
  log read, the log's analysis (load metric, 7- and 28-day load), the
  check-ins;
* the same with the rows reused from the squad's cache (no file changed);
* building ``SquadView`` (rows, filters and the HTML table) in the kernel;
* in Debian's Chromium at 1280×800, the squad served by ``heavylegs squad
  --serve``: from the request to the drawn table with its 200 rows (target
  ≤ 3 s), first with the cache emptied, then twice with it (a fresh page
  and a new kernel each time).

Run: ``.venv/bin/python benchmarks/bench_squad.py``.
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


def _free_port():
    for port in range(8993, 9000):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 8993-8999")


def main():
    from heavylegs import squad as sq
    from heavylegs.squadview import SquadView

    data = make_squad(_TMP / "data")
    times = []
    for _ in range(3):
        start = time.perf_counter()
        rows = sq.squad_rows(data, use_cache=False)
        times.append(time.perf_counter() - start)
    print(f"squad_rows, {len(rows)} athletes, every row computed: median {statistics.median(times):.2f} s "
          f"(min {min(times):.2f}, max {max(times):.2f}); "
          f"{statistics.median(times) / len(rows) * 1000:.1f} ms an athlete")
    sq.squad_rows(data)  # fills the cache
    warm = []
    for _ in range(5):
        start = time.perf_counter()
        sq.squad_rows(data)
        warm.append(time.perf_counter() - start)
    print(f"squad_rows, {len(rows)} athletes, rows reused from the cache: median {statistics.median(warm):.3f} s")

    # one athlete's parts (the sample with a log, check-ins and a saved assessment)
    from heavylegs.checkins import load_checkins
    from heavylegs.traininglog import read_log

    athlete = next(r["athlete_id"] for r in rows if r["last_checkin"] and r["last_assessment"])
    day = sq._as_date(None)
    parts = {
        "ranking (saved, or profile scored)": lambda: sq._ranking_of(data, athlete),
        "read_log": lambda: read_log(data / "athletes" / athlete / "log.csv"),
        "log analysis incl. read_log": lambda: sq._load_of(data, athlete, sq._ranking_of(data, athlete)[0], day),
        "check-ins": lambda: load_checkins(data, athlete),
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

    from playwright.sync_api import sync_playwright

    from heavylegs.server import serve_squad

    server = serve_squad(port=_free_port(), data_dir=data)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                        args=["--no-sandbox", "--disable-gpu"])
            for attempt, label in ((1, "every row computed"), (2, "rows reused"), (3, "rows reused")):
                if attempt == 1:
                    shutil.rmtree(_TMP / "cache", ignore_errors=True)
                page = browser.new_page(viewport={"width": 1280, "height": 800})
                start = time.perf_counter()
                page.goto(server.url, wait_until="domcontentloaded", timeout=180_000)
                page.wait_for_function(
                    f"() => document.querySelectorAll('table.hl-squad tbody tr').length === {len(rows)}",
                    timeout=180_000)
                print(f"served squad, request to drawn table of {len(rows)} rows (Chromium 1280x800, "
                      f"page {attempt}, {label}): {time.perf_counter() - start:.2f} s")
                page.close()
            browser.close()
    finally:
        server.stop()
        shutil.rmtree(_TMP, ignore_errors=True)


if __name__ == "__main__":
    main()
