"""A large Strava bulk export imported by path: time and peak memory; prints a table.

Run from the repository root::

    python benchmarks/bench_import_large.py [--size 1G] [--export PATH] [--trace]

The export is made by ``scripts/make_large_export.py`` in a temporary folder
(or taken from ``--export PATH`` when that file exists; written there when it
does not). It is then imported in fresh Python processes, each measured from
outside (``os.wait4`` gives the child's peak resident set, ``ru_maxrss``) and
from inside (``VmHWM`` of ``/proc/self/status``, and ``VmRSS`` just before the
import as the process's baseline with the package and pandas loaded):

* ``workbook``: ``WorkbookModel(DATA).new("bench")`` then
  ``.import_path(ZIP)`` on a temporary copy of the repository's ``data/``,
  as the workbook's path box does; with an empty importer cache (cold) and
  again with the cache the first run left (warm);
* ``cli``: ``python -m heavylegs import ZIP -o LOG`` with an empty cache;
* ``baseline``: the workbook run without the import, i.e. what the process
  costs before it reads anything; the table's last column is each run's
  peak over this one.

``--trace`` adds a run under :mod:`tracemalloc` that prints the peak of the
Python heap during the import and the lines that held most of it then.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
from make_large_export import make_export, parse_size  # noqa: E402

_WORKBOOK = r"""
import json, sys, time, tracemalloc
from heavylegs import WorkbookModel

def status(name):
    for line in open("/proc/self/status"):
        if line.startswith(name + ":"):
            return int(line.split()[1]) * 1024
data, zip_path, athlete, mode = sys.argv[1:5]
model = WorkbookModel(data)
model.new(athlete)
before = status("VmRSS")
out = {"added": 0, "duplicates": 0, "failed": 0, "seconds": 0.0}
if mode != "baseline":
    if mode == "trace":
        tracemalloc.start(8)
    start = time.perf_counter()
    result = model.import_path(zip_path)
    out = {"added": result["added"], "duplicates": result["duplicates"],
           "failed": len(result["failed"]), "seconds": time.perf_counter() - start}
    if mode == "trace":
        current, peak = tracemalloc.get_traced_memory()
        snapshot = tracemalloc.take_snapshot()
        out["heap_peak"] = peak
        out["heap_after"] = current
        out["top"] = [f"{s.size / 1e6:7.2f} MB  {s.traceback[0].filename.split('/')[-1]}:{s.traceback[0].lineno}"
                      for s in snapshot.statistics("lineno")[:6]]
out["rss_before"] = before
out["hwm"] = status("VmHWM")
print(json.dumps(out))
"""


def _run(args, env) -> tuple[str, float, int]:
    """Run ``args``; its stdout, wall time [s] and peak resident set [bytes] (``ru_maxrss``)."""
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        child = subprocess.Popen(args, stdout=out, stderr=subprocess.PIPE, env=env, cwd=ROOT)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        err = child.stderr.read().decode(errors="replace")
        child.stderr.close()
        out.seek(0)
        text = out.read().decode(errors="replace")
    if child.returncode:
        raise RuntimeError(f"{args[:4]} exited {child.returncode}: {err[-2000:]}")
    return text, wall, usage.ru_maxrss * 1024


def _env(cache: Path) -> dict:
    env = dict(os.environ, HEAVYLEGS_CACHE_DIR=str(cache), PYTHONPATH=str(ROOT))
    env.pop("PYTHONTRACEMALLOC", None)
    return env


def _workbook(data: Path, zip_path: Path, athlete: str, mode: str, cache: Path) -> dict:
    text, wall, maxrss = _run([sys.executable, "-c", _WORKBOOK, str(data), str(zip_path), athlete, mode],
                              _env(cache))
    out = json.loads(text.strip().splitlines()[-1])
    out.update(wall=wall, maxrss=maxrss)
    return out


def _cli(zip_path: Path, log: Path, cache: Path) -> dict:
    text, wall, maxrss = _run([sys.executable, "-m", "heavylegs", "import", str(zip_path), "-o", str(log),
                               "--no-progress"], _env(cache))
    sessions = next((int(line.split()[1]) for line in text.splitlines() if line.startswith("wrote ")), 0)
    return {"added": sessions, "wall": wall, "maxrss": maxrss, "seconds": None, "rss_before": None}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=parse_size, default=parse_size("1G"),
                        help="size of the export to make (default 1G; e.g. 100M for a quick run)")
    parser.add_argument("--export", type=Path, help="use this export zip (made there when missing)")
    parser.add_argument("--trace", action="store_true", help="add a tracemalloc run (slower, not timed)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="heavylegs-bench-") as tmp:
        tmp = Path(tmp)
        zip_path = args.export or tmp / "export.zip"
        print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
              f"({os.cpu_count()} cores)")
        if not zip_path.exists():
            start = time.perf_counter()
            made = make_export(zip_path, args.size)
            print(f"made {zip_path}: {made['activities']} activities in {time.perf_counter() - start:.0f} s")
        size = zip_path.stat().st_size
        import zipfile
        with zipfile.ZipFile(zip_path) as archive:
            members = len(archive.infolist())
            csv_bytes = next(i.file_size for i in archive.infolist() if i.filename.endswith("activities.csv"))
        print(f"export: {size / 1e6:.1f} MB, {members} members, activities.csv {csv_bytes / 1e6:.2f} MB")

        data = tmp / "data"
        shutil.copytree(ROOT / "data", data)
        cache = tmp / "cache"
        rows = []
        rows.append(("baseline (no import)", _workbook(data, zip_path, "base", "baseline", tmp / "cache0")))
        rows.append(("workbook import_path, cold", _workbook(data, zip_path, "bench", "run", cache)))
        rows.append(("workbook import_path, warm", _workbook(data, zip_path, "bench2", "run", cache)))
        rows.append(("cli heavylegs import, cold", _cli(zip_path, tmp / "log.csv", tmp / "cache2")))
        if args.trace:
            rows.append(("workbook, tracemalloc", _workbook(data, zip_path, "bench3", "trace", tmp / "cache3")))

        mb = 1e6
        floor = rows[0][1]["maxrss"]
        print(f"\n{'run':28} {'zip MB':>7} {'sessions':>8} {'import s':>8} {'process s':>9} "
              f"{'RSS before MB':>13} {'peak RSS MB':>11} {'over baseline MB':>16}")
        for name, r in rows:
            seconds = f"{r['seconds']:.2f}" if r.get("seconds") is not None else "-"
            before = f"{r['rss_before'] / mb:.0f}" if r.get("rss_before") else "-"
            print(f"{name:28} {size / mb:7.0f} {r['added']:8d} {seconds:>8} {r['wall']:9.2f} "
                  f"{before:>13} {r['maxrss'] / mb:11.0f} {(r['maxrss'] - floor) / mb:16.0f}")
        for name, r in rows:
            if "heap_peak" in r:
                print(f"\ntracemalloc: Python heap peak {r['heap_peak'] / mb:.1f} MB during the import, "
                      f"{r['heap_after'] / mb:.1f} MB held after it; largest holders after it:")
                for line in r["top"]:
                    print("  " + line)
        print(f"\nload average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
