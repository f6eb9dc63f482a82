"""Speed of the activity importers; prints the figures.

Run from the repository root::

    python benchmarks/bench_import.py [--activities 1000] [--files 200]

1. FIT decoding speed (records per second) on the largest real file, against
   fitdecode for comparison.
2. A synthetic Strava bulk export of N activities (the real 99-column header,
   one real .fit.gz copied per activity), imported end to end as a folder and
   as a .zip, then again from the cache.
3. A folder of M real activity files (FIT, GPX, TCX), read by one process and
   by two worker processes, then again from the cache.
"""
from __future__ import annotations

import argparse
import csv
import io
import shutil
import tempfile
import time
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "activities"
HEADER = ROOT / "tests" / "data" / "strava" / "header_en_99cols_export-2025-12.txt"
LARGEST_FIT = DATA / "fitparse__activity-large-fenxi2-multisport.fit"

import sys  # noqa: E402

sys.path.insert(0, str(ROOT))
from heavylegs.logs.formats import import_sources  # noqa: E402
from heavylegs.logs.formats.fit import decode_fit  # noqa: E402
from heavylegs.logs.formats.strava import normalise_header  # noqa: E402
from _timing import median_time  # noqa: E402  (benchmarks/_timing.py)

TYPES = ["Run"] * 6 + ["Ride", "Weight Training", "Walk", "Golf"]


def bench_fit():
    data = LARGEST_FIT.read_bytes()
    records = len(decode_fit(data)["messages"][20])
    ours = median_time(lambda: decode_fit(data))
    print(f"FIT decoder, {LARGEST_FIT.name} ({len(data) / 1e6:.2f} MB, {records} records):")
    print(f"  heavylegs decode_fit: {ours * 1000:.1f} ms  -> {records / ours:,.0f} records/s")
    try:
        import fitdecode

        def run_fitdecode():
            with fitdecode.FitReader(io.BytesIO(data), check_crc=fitdecode.CrcCheck.DISABLED) as reader:
                for _ in reader:
                    pass
        theirs = median_time(run_fitdecode, repeat=3)
        print(f"  fitdecode (no CRC):   {theirs * 1000:.0f} ms  -> {records / theirs:,.0f} records/s "
              f"({theirs / ours:.0f}x slower)")
    except ImportError:
        pass


def _write_export(folder: Path, n: int) -> Path:
    header = next(csv.reader([HEADER.read_text(encoding="utf-8").strip()]))
    keys, seen = [], {}
    for cell in header:
        name = normalise_header(cell)
        keys.append((name, seen.get(name, 0)))
        seen[name] = seen.get(name, 0) + 1
    (folder / "activities").mkdir(parents=True)
    fit_gz = (DATA / "gap__12866632127.fit.gz").read_bytes()
    start = datetime(2022, 1, 1, 6, 0, tzinfo=timezone.utc)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for i in range(n):
        moment = start + timedelta(hours=17 * i)
        moving = 1800 + (i % 7) * 300
        meters = moving * 2.8
        values = {
            ("activity id", 0): str(10_000_000_000 + i),
            ("activity date", 0): moment.strftime("%b %d, %Y, ") + moment.strftime("%I:%M:%S %p").lstrip("0"),
            ("activity name", 0): f"Session {i}, with a comma",
            ("activity type", 0): TYPES[i % len(TYPES)],
            ("elapsed time", 0): str(moving + 60), ("distance", 0): f"{meters / 1000:.2f}",
            ("filename", 0): f"activities/{20_000_000_000 + i}.fit.gz",
            ("elapsed time", 1): f"{moving + 60}.0", ("moving time", 0): f"{moving}.0",
            ("distance", 1): repr(meters), ("average heart rate", 0): f"{140 + i % 20}.0",
            ("elevation gain", 0): "42.0", ("perceived exertion", 0): "" if i % 3 else "6.0",
        }
        writer.writerow([values.get(key, "") for key in keys])
        (folder / "activities" / f"{20_000_000_000 + i}.fit.gz").write_bytes(fit_gz)
    (folder / "activities.csv").write_text(out.getvalue(), encoding="utf-8")
    return folder


def _zip(folder: Path, target: Path) -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            archive.write(path, path.relative_to(folder))
    return target


def _timed_import(sources, **kwargs):
    start = time.perf_counter()
    result = import_sources(sources, **kwargs)
    return time.perf_counter() - start, result


def bench_export(tmp: Path, n: int):
    folder = _write_export(tmp / "strava_export", n)
    archive = _zip(folder, tmp / "strava_export.zip")
    print(f"\nSynthetic Strava export: {n} activities, 99-column activities.csv "
          f"({(folder / 'activities.csv').stat().st_size / 1e3:.0f} kB), zip {archive.stat().st_size / 1e6:.1f} MB")
    for label, source in (("folder", folder), ("zip", archive)):
        cache = tmp / f"cache_{label}"
        first, result = _timed_import([source], cache_dir=cache)
        again, cached = _timed_import([source], cache_dir=cache)
        assert cached.from_cache == 1 and cached.log.equals(result.log)
        print(f"  {label:6s}: first import {first:.3f} s ({result.sessions} sessions, "
              f"skipped {sum(result.skipped.values())} golf, {len(result.failed)} failures); "
              f"again from cache {again:.3f} s")


def bench_files(tmp: Path, m: int):
    names = sorted(p.name for p in DATA.iterdir() if p.name != "gap__activities.csv")
    folder = tmp / "files"
    folder.mkdir()
    for i in range(m):
        name = names[i % len(names)]
        shutil.copy(DATA / name, folder / f"{i:04d}_{name}")
    size = sum(p.stat().st_size for p in folder.iterdir()) / 1e6
    print(f"\nFolder of {m} real activity files ({size:.0f} MB; FIT, GPX, TCX):")
    serial, _ = _timed_import([folder], workers=1, use_cache=False)
    cache = tmp / "cache_files"
    parallel, result = _timed_import([folder], workers=2, cache_dir=cache)
    again, cached = _timed_import([folder], workers=2, cache_dir=cache)
    assert cached.log.equals(result.log)
    print(f"  1 process: {serial:.2f} s; 2 workers: {parallel:.2f} s "
          f"({m / parallel:.0f} files/s); again from cache: {again:.2f} s")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activities", type=int, default=1000)
    parser.add_argument("--files", type=int, default=200)
    args = parser.parse_args()
    bench_fit()
    with tempfile.TemporaryDirectory(prefix="heavylegs-bench-") as tmp:
        bench_export(Path(tmp), args.activities)
        bench_files(Path(tmp), args.files)


if __name__ == "__main__":
    main()
