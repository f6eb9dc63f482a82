"""A federation from CSV files on disk to weekly tables: time and peak memory at 1,000 / 10,000 athletes.

Run:  python benchmarks/bench_scale.py [--athletes 1000 10000] [--years 5] [--workers 2] [--folder DIR]

For each size, makes the logs with ``scripts/make_federation.py`` (not
timed), then in a fresh Python process runs the two stages of
``heavylegs.scale``: ``write_parquet_store`` (read and check every CSV file
with ``read_log``, write Parquet parts of 1,000 athletes, ``--workers``
processes) and ``process_store`` (weekly tables, 500 athletes at a time, a part per
worker process).
Prints each stage's wall-clock time, the peak resident memory of the
largest process (``ru_maxrss``: the main process and each worker), the disk
sizes, and a linear extrapolation to 100,000 athletes from the largest size
measured. Nothing is asserted.
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, resource, sys, time
from heavylegs.scale import write_parquet_store, process_store
csv, store, out, workers = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
t0 = time.perf_counter()
write_parquet_store(csv, store, athletes_per_part=1000, workers=workers)
t1 = time.perf_counter()
summary = process_store(store, out, chunk_athletes=500, workers=workers)
t2 = time.perf_counter()
print(json.dumps({"store_s": t1 - t0, "process_s": t2 - t1, "weeks": summary["weeks"],
                  "self_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "workers_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""


def size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--athletes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--years", type=float, default=5.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--folder", type=Path, default=None, help="where to make the files (default: a temporary folder)")
    args = parser.parse_args(argv)
    base = Path(tempfile.mkdtemp(prefix="heavylegs-federation-", dir=args.folder))
    rows = []
    try:
        for n in args.athletes:
            csv, store, out = base / f"csv-{n}", base / f"store-{n}", base / f"weekly-{n}"
            t = time.perf_counter()
            subprocess.run([sys.executable, str(ROOT / "scripts" / "make_federation.py"), str(csv),
                            "--athletes", str(n), "--years", str(args.years), "--workers", str(args.workers)],
                           check=True, stdout=subprocess.DEVNULL)
            made = time.perf_counter() - t
            t = time.perf_counter()
            result = subprocess.run([sys.executable, "-c", CHILD, str(csv), str(store), str(out), str(args.workers)],
                                    check=True, capture_output=True, text=True, cwd=ROOT)
            total = time.perf_counter() - t
            figures = json.loads(result.stdout.strip().splitlines()[-1])
            figures.update(athletes=n, total_s=total, made_s=made, csv_mb=size_mb(csv), store_mb=size_mb(store),
                           out_mb=size_mb(out))
            rows.append(figures)
            print(f"{n:>7} athletes: CSV -> store {figures['store_s']:.1f} s, store -> weekly tables "
                  f"{figures['process_s']:.1f} s, whole process {total:.1f} s; peak RSS main "
                  f"{figures['self_mb']:.0f} MB, largest worker {figures['workers_mb']:.0f} MB; "
                  f"CSV {figures['csv_mb']:.0f} MB, store {figures['store_mb']:.0f} MB, tables "
                  f"{figures['out_mb']:.0f} MB, {figures['weeks']} weeks (making the CSV files: {made:.0f} s)",
                  flush=True)
            shutil.rmtree(csv)
            shutil.rmtree(store)
            shutil.rmtree(out)
        last = rows[-1]
        factor = 100_000 / last["athletes"]
        print(f"extrapolated linearly from {last['athletes']} athletes (NOT measured): 100,000 athletes "
              f"about {last['total_s'] * factor / 60:.1f} min; memory does not grow with the federation "
              f"(one part of 1,000 athletes per process), so the peak stays about "
              f"{max(last['self_mb'], last['workers_mb']):.0f} MB per process")
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
