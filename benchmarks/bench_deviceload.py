"""Speed of the heart-rate and pace load (spec/device-load.md); prints figures, asserts nothing.

Run from the repository root::

    python benchmarks/bench_deviceload.py [--athletes 500] [--files 200] [--code DIR]

Cases (targets in brackets):

1. importing 200 real activity files (FIT, GPX, TCX) on 2 workers, now with
   heart-rate histograms and grade-adjusted distance (no more than 1.3 × the
   time without them: run the same case with ``--code`` pointing at a
   checkout from before, interleaved, to compare on the same machine load);
2. recomputing every session's load of a 10-year log with heart-rate
   histograms after a threshold changes, from the stored histograms (< 50 ms);
3. the weekly table of 500 athletes × 5 years on ``stress`` and on ``srpe``
   (``stress`` no slower than ``srpe``).
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _setup_path(code: str | None):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    sys.path.insert(0, str(Path(code).resolve() if code else ROOT))


def synthetic_device_log(years: float, seed: int, histograms: bool = True):
    """A daily log of a device-only athlete: runs with heart rate and distance, no RPE."""
    import numpy as np
    import pandas as pd

    from heavylegs.logs.traininglog import validate_log

    rng = np.random.default_rng(seed)
    days = pd.date_range("2016-01-04", periods=int(round(years * 365)), freq="D")
    n = len(days)
    kind = rng.choice(["run", "rest", "cross"], size=n, p=[0.8, 0.12, 0.08])
    duration = np.where(kind == "rest", np.nan, rng.uniform(25, 120, n).round(1))
    avg = rng.uniform(125, 165, n).round(0)
    frame = pd.DataFrame({
        "date": days, "activity": kind, "duration_min": duration,
        "distance_km": np.where(kind == "run", (duration / rng.uniform(4.2, 6.5, n)).round(2), np.nan),
        "avg_hr_bpm": np.where(kind == "rest", np.nan, avg),
        "rpe": np.where(rng.random(n) < 0.1, rng.integers(2, 9, n), np.nan),
    })
    if histograms:
        texts = []
        for i in range(n):
            if kind[i] == "rest":
                texts.append(None)
                continue
            centre, width = int(avg[i]), int(rng.integers(15, 40))
            bpm = np.arange(centre - width // 2, centre + width // 2)
            seconds = rng.dirichlet(np.ones(len(bpm))) * duration[i] * 60
            texts.append(" ".join(f"{b}:{s:.1f}" for b, s in zip(bpm, seconds)))
        frame["hr_histogram"] = texts
    return validate_log(frame, "<synthetic>")


def bench_import(files: int, repeat: int):
    from heavylegs.logs.formats import import_sources
    from _timing import median_time

    data = ROOT / "tests" / "data" / "activities"
    names = sorted(p.name for p in data.iterdir() if p.name != "gap__activities.csv")
    with tempfile.TemporaryDirectory(prefix="heavylegs-bench-") as tmp:
        folder = Path(tmp) / "files"
        folder.mkdir()
        for i in range(files):
            shutil.copy(data / names[i % len(names)], folder / f"{i:04d}_{names[i % len(names)]}")
        result = import_sources([folder], workers=2, use_cache=False)
        t = median_time(lambda: import_sources([folder], workers=2, use_cache=False), repeat)
        # CPU time of one process: far less sensitive than wall time to other work on the machine.
        cpu = []
        for _ in range(repeat):
            start = time.process_time()
            import_sources([folder], workers=1, use_cache=False)
            cpu.append(time.process_time() - start)
    has_hist = int(result.log["hr_histogram"].notna().sum()) if "hr_histogram" in result.log else 0
    print(f"import of {files} real files, no cache: 2 workers {t:.2f} s wall; 1 process "
          f"{min(cpu):.2f} s CPU (best of {repeat}); "
          f"({result.sessions} sessions, {has_hist} with a heart-rate histogram)")


def bench_recompute(repeat: int):
    from heavylegs.engine.device_load import heart_rate_bins, session_loads
    from _timing import median_time

    log = synthetic_device_log(10, seed=3)
    profile = {"sex": "female", "hr_max_bpm": 190, "hr_rest_bpm": 50, "threshold_pace_min_km": 4.8}
    t_parse = median_time(lambda: heart_rate_bins(log), repeat)
    bins = heart_rate_bins(log)
    changed = {**profile, "hr_max_bpm": 188, "lthr_bpm": 170}
    t_loads = median_time(lambda: session_loads(log, changed, bins=bins), repeat)
    print(f"10-year log ({len(log)} sessions, {len(bins.bpm):,} histogram bins): parse the histograms once "
          f"{t_parse * 1000:.1f} ms; recompute every session's load after a threshold change "
          f"{t_loads * 1000:.1f} ms (target < 50 ms)")


def bench_squad(athletes: int):
    from heavylegs.engine.load import weekly_table

    logs = [synthetic_device_log(5, seed=100 + i, histograms=False) for i in range(athletes)]
    profile = {"sex": "male", "hr_max_bpm": 192, "hr_rest_bpm": 48, "threshold_pace_min_km": 4.5}
    sessions = sum(len(log) for log in logs)
    for log in logs[:3]:
        weekly_table(log, metric="stress", profile=profile)  # warm up
    times = {}
    for metric in ("srpe", "stress", "srpe", "stress"):
        start = time.perf_counter()
        for log in logs:
            weekly_table(log, metric=metric, profile=profile)
        times.setdefault(metric, []).append(time.perf_counter() - start)
    print(f"weekly tables of {athletes} athletes × 5 years ({sessions:,} sessions with heart rate and pace): "
          f"srpe {min(times['srpe']):.2f} s, stress {min(times['stress']):.2f} s (best of 2 each, interleaved)")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--athletes", type=int, default=500)
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--code", help="import heavylegs from this checkout (import case only)")
    parser.add_argument("--only", choices=("import", "recompute", "squad"))
    args = parser.parse_args(argv)
    _setup_path(args.code)
    if args.only in (None, "import"):
        bench_import(args.files, args.repeat)
    if args.code:
        return
    if args.only in (None, "recompute"):
        bench_recompute(max(args.repeat, 7))
    if args.only in (None, "squad"):
        bench_squad(args.athletes)


if __name__ == "__main__":
    main()
