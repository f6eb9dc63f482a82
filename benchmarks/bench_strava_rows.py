"""A Strava export whose ``activities.csv`` has 200,000 rows: time and peak memory of the import.

Run from the repository root::

    python benchmarks/bench_strava_rows.py [--rows 200000] [--pattern all]

Each export is a zip holding only ``activities.csv`` (no activity files, so
every row is imported from its cells), written in a temporary folder. Patterns
(issue 18 found 6.8 GB and 32 s for a 200k-row export; target ≤ 1.5 GB and
≤ 60 s):

* ``distinct``: every row its own session, 30 min each, back to back;
* ``twice``: every session recorded twice, a watch and a phone app starting a
  minute apart (the duplicates the import drops);
* ``copies``: the same 100 sessions repeated 2,000 times each, as an export
  concatenated with itself over and over (every copy overlaps every other);
* ``nested``: a long session every hour holding every 30-minute one of that
  hour twice (spans that overlap in chains).

Each import runs ``python -m heavylegs import ZIP -o LOG --no-progress`` in a
fresh process with an empty importer cache; the table gives its wall clock,
the process's CPU time (user + system) and its peak resident set
(``ru_maxrss`` from ``os.wait4``). The machine is shared: give the load
average with the figures.
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEADER = ("Activity ID,Activity Date,Activity Name,Activity Type,Elapsed Time,Distance,Moving Time,"
          "Average Heart Rate\n")
START = dt.datetime(2010, 1, 1, 6, 0, 0)
PATTERNS = ("distinct", "twice", "copies", "nested")


def _row(number: int, start: dt.datetime, minutes: float, heart=True) -> str:
    when = start.strftime("%b %d, %Y, %I:%M:%S %p").replace(" 0", " ")
    return (f'{number},"{when}",Run {number},Run,{minutes * 60:.0f},{minutes / 6:.2f},{minutes * 60:.0f},'
            f'{"140" if heart else ""}\n')


def rows_of(pattern: str, n: int):
    """The ``n`` CSV rows of one pattern."""
    if pattern == "distinct":
        for i in range(n):
            yield _row(i, START + dt.timedelta(minutes=30 * i), 30)
    elif pattern == "twice":
        for i in range(n):
            yield _row(i, START + dt.timedelta(minutes=30 * (i // 2) + i % 2), 29, heart=i % 2 == 0)
    elif pattern == "copies":
        for i in range(n):
            yield _row(i, START + dt.timedelta(days=i % 100), 45)
    elif pattern == "nested":
        for i in range(n):
            hour, k = divmod(i, 5)
            base = START + dt.timedelta(hours=hour)
            yield _row(i, base, 60) if k == 0 else _row(i, base + dt.timedelta(minutes=30 * ((k - 1) // 2)), 30)
    else:
        raise ValueError(pattern)


def make_export(path: Path, pattern: str, n: int) -> Path:
    text = io.StringIO()
    text.write(HEADER)
    for line in rows_of(pattern, n):
        text.write(line)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("activities.csv", text.getvalue())
    return path


def run_import(zip_path: Path, folder: Path) -> dict:
    env = dict(os.environ, HEAVYLEGS_CACHE_DIR=str(folder / "cache"))
    log = folder / "log.csv"
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "heavylegs", "import", str(zip_path), "-o", str(log),
                                "--no-progress"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    out = process.stdout.read().decode()
    err = process.stderr.read().decode()
    _pid, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    lines = out.strip().splitlines()
    return {"status": os.waitstatus_to_exitcode(status), "wall_s": wall,
            "cpu_s": usage.ru_utime + usage.ru_stime, "peak_mb": usage.ru_maxrss / 1024,
            "summary": lines[-1] if lines else err.strip()[-300:]}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--pattern", choices=(*PATTERNS, "all"), default="all")
    args = parser.parse_args(argv)
    print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"{'pattern':10} {'rows':>8} {'wall [s]':>9} {'CPU [s]':>8} {'peak [MB]':>10}  result")
    for pattern in PATTERNS if args.pattern == "all" else (args.pattern,):
        with tempfile.TemporaryDirectory(prefix="heavylegs-strava-rows-") as tmp:
            folder = Path(tmp)
            zip_path = make_export(folder / "export.zip", pattern, args.rows)
            got = run_import(zip_path, folder)
        print(f"{pattern:10} {args.rows:>8,} {got['wall_s']:>9.1f} {got['cpu_s']:>8.1f} {got['peak_mb']:>10.0f}  "
              f"status {got['status']}: {got['summary']}", flush=True)
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
