"""A federation from CSV files on disk to weekly tables: time, CPU and peak memory per stage.

Run:  python benchmarks/bench_scale.py [--athletes 1000 10000] [--years 5] [--workers 2]
                                       [--chunk 250] [--folder DIR] [--keep] [--with-store]

For each size, every stage runs in a fresh Python process, which reports its
wall-clock time, its CPU time and that of its worker processes, its peak
resident memory (``ru_maxrss``) and that of its largest worker, and the
load average of the machine (it is shared: CPU times are the fairer figure):

1. ``make CSV``: ``scripts/make_federation.py`` writes the 5-year CSV logs
   (seed 1, ``--workers`` processes). With ``--folder DIR`` the files are
   made in ``DIR/csv-N`` and reused by a later run (a ``.complete`` file
   marks a finished folder); without it, in a temporary folder removed at
   the end.
2. ``CSV -> tables``: ``heavylegs.engine.federation.csv_to_weekly``, the one-pass
   pipeline: chunks of ``--chunk`` athletes, each read with ``read_log`` and
   computed with ``batch.weekly_tables`` by ``--workers`` processes, the
   tables written as Parquet parts.
3. with ``--with-store``: ``CSV -> tables + store`` (the same, also writing
   the logs as a Parquet store) and ``store -> tables``
   (``process_store``, what recomputing every table from the store costs).

Disk: about 100 kB of CSV per 5-year athlete (10 GB for 100,000), 3.3 kB
of tables and, with ``--with-store``, 12 kB of store. The free space is
checked first. Outputs are removed after each size unless ``--keep``.
Nothing is asserted.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, os, resource, sys, time
stage, args = sys.argv[1], json.loads(sys.argv[2])
load0 = os.getloadavg()
t0, c0 = time.perf_counter(), os.times()
result = {}
if stage == "make":
    sys.path.insert(0, os.path.join(os.getcwd(), "scripts"))
    import make_federation
    make_federation.main(args)
elif stage == "csv":
    from heavylegs.engine.federation import csv_to_weekly
    result = csv_to_weekly(args["csv"], args["out"], chunk_athletes=args["chunk"], workers=args["workers"],
                           store=args.get("store"))
elif stage == "store":
    from heavylegs.engine.federation import process_store
    result = process_store(args["store"], args["out"], chunk_athletes=args["chunk"], workers=args["workers"])
c1 = os.times()
print(json.dumps({"wall_s": time.perf_counter() - t0, "weeks": result.get("weeks"),
                  "cpu_main_s": c1.user + c1.system - c0.user - c0.system,
                  "cpu_workers_s": c1.children_user + c1.children_system - c0.children_user - c0.children_system,
                  "main_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "worker_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
                  "load": [load0[0], os.getloadavg()[0]]}))
"""

#: Disk per 5-year athlete [bytes]: CSV, weekly tables, store.
_DISK = {"csv": 100e3, "tables": 3.5e3, "store": 13e3}


def size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6 if folder.exists() else 0.0


def stage(name: str, args, workers: int, label: str) -> dict:
    """Run one stage in a fresh process; print and return its figures."""
    done = subprocess.run([sys.executable, "-c", CHILD, name, json.dumps(args)], check=True,
                          capture_output=True, text=True, cwd=ROOT)
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    cpu = figures["cpu_main_s"] + figures["cpu_workers_s"]
    figures["peak_total_mb"] = figures["main_mb"] + workers * figures["worker_mb"]
    print(f"    {label:<22} wall {figures['wall_s']:7.1f} s | CPU {cpu:7.1f} s (main {figures['cpu_main_s']:.1f}, "
          f"workers {figures['cpu_workers_s']:.1f}) | peak RSS main {figures['main_mb']:.0f} MB, largest worker "
          f"{figures['worker_mb']:.0f} MB, main + {workers} workers at most {figures['peak_total_mb']:.0f} MB | "
          f"load average {figures['load'][0]:.1f} -> {figures['load'][1]:.1f}", flush=True)
    return figures


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--athletes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--years", type=float, default=5.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--chunk", type=int, default=250, help="athletes read and computed together")
    parser.add_argument("--folder", type=Path, default=None,
                        help="where to make (and keep, for a later run) the CSV files; default: a temporary folder")
    parser.add_argument("--keep", action="store_true", help="keep the tables (and store) too")
    parser.add_argument("--with-store", action="store_true", help="also write a store, and time process_store")
    args = parser.parse_args(argv)
    base = args.folder or Path(tempfile.mkdtemp(prefix="heavylegs-federation-"))
    base.mkdir(parents=True, exist_ok=True)
    try:
        for n in args.athletes:
            csv, out, store = base / f"csv-{n}", base / f"weekly-{n}", base / f"store-{n}"
            marker = csv / f".complete-years{args.years:g}-seed1"
            need = n * (_DISK["tables"] + (0 if marker.exists() else _DISK["csv"])
                        + (_DISK["store"] + _DISK["tables"] if args.with_store else 0))
            free = shutil.disk_usage(base).free
            if free < need * 1.1:
                sys.exit(f"{base}: {free / 1e9:.1f} GB free, expected at least {need * 1.1 / 1e9:.1f} GB "
                         f"for {n} athletes")
            for old in (out, store, base / f"weekly2-{n}"):
                shutil.rmtree(old, ignore_errors=True)
            print(f"{n} athletes x {args.years:g} years, {args.workers} workers, chunks of {args.chunk}:", flush=True)
            if marker.exists():
                print(f"    {'make CSV':<22} reused {csv} ({size_mb(csv):.0f} MB)")
            else:
                shutil.rmtree(csv, ignore_errors=True)
                stage("make", [str(csv), "--athletes", str(n), "--years", str(args.years),
                               "--workers", str(args.workers)], args.workers, "make CSV")
                marker.touch()
            work = {"csv": str(csv), "out": str(out), "chunk": args.chunk, "workers": args.workers}
            result = stage("csv", work, args.workers, "CSV -> tables")
            print(f"    {'':<22} {result['weeks']} weekly rows; CSV {size_mb(csv):.0f} MB, "
                  f"tables {size_mb(out):.0f} MB")
            if args.with_store:
                shutil.rmtree(out)
                stage("csv", dict(work, store=str(store)), args.workers, "CSV -> tables + store")
                stage("store", {"store": str(store), "out": str(base / f"weekly2-{n}"), "chunk": args.chunk,
                                "workers": args.workers}, args.workers, "store -> tables")
                print(f"    {'':<22} store {size_mb(store):.0f} MB")
            if not args.keep:
                for old in (out, store, base / f"weekly2-{n}"):
                    shutil.rmtree(old, ignore_errors=True)
            if args.folder is None:
                shutil.rmtree(csv, ignore_errors=True)
    finally:
        if args.folder is None:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
