"""Speed of the weekly load table: prints median timings, asserts nothing.

Run:  python benchmarks/bench_load.py [--repeat N]

Cases (targets in brackets):
* ``weekly_table`` of one 10-year daily log, about 4,000 sessions (< 100 ms);
* ``weekly_table`` of 500 athletes × 5 years, one call per athlete (< 10 s in all);
* for context, ``read_log`` of the 10-year file and ``log_facts`` of the same log.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from heavylegs.engine.load import log_facts, weekly_table  # noqa: E402
from heavylegs.logs.traininglog import read_log, validate_log, write_log  # noqa: E402
from _timing import median_time  # noqa: E402  (benchmarks/_timing.py)

SESSION_TYPES = np.array(["easy", "easy", "long", "tempo", "interval", "recovery"], dtype=object)


def synthetic_log(years: float, seed: int) -> pd.DataFrame:
    """A plausible daily log: a run most days, strength twice a week, some rest rows."""
    rng = np.random.default_rng(seed)
    days = pd.date_range("2016-01-04", periods=int(round(years * 365)), freq="D")
    n = len(days)
    kind = rng.choice(["run", "rest", "cross"], size=n, p=[0.8, 0.12, 0.08])
    runs = kind == "run"
    frame = pd.DataFrame({
        "date": days,
        "activity": kind,
        "duration_min": np.where(kind == "rest", np.nan, rng.uniform(25, 120, n).round(1)),
        "distance_km": np.where(runs, rng.uniform(4, 30, n).round(2), np.nan),
        "rpe": np.where(rng.random(n) < 0.8, rng.integers(2, 9, n), np.nan),
        "session_type": np.where(runs, rng.choice(SESSION_TYPES, n), None),
        "surface": np.where(runs, rng.choice(["road", "trail"], n), None),
    })
    strength_days = days[(days.day_of_week == 1) | (days.day_of_week == 4)]
    strength = pd.DataFrame({"date": strength_days, "activity": "strength", "duration_min": 40.0,
                             "rpe": 5.0})
    return validate_log(pd.concat([frame, strength], ignore_index=True), "<synthetic>")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)

    ten_years = synthetic_log(10, seed=1)
    weekly_table(ten_years)  # warm up imports and caches
    t = median_time(lambda: weekly_table(ten_years), args.repeat)
    print(f"weekly_table, 10-year daily log ({len(ten_years)} sessions): {t * 1000:.1f} ms "
          f"(target < 100 ms)")
    t = median_time(lambda: log_facts(ten_years), args.repeat)
    print(f"log_facts, same log: {t * 1000:.1f} ms")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "log.csv"
        write_log(ten_years, path)
        t = median_time(lambda: read_log(path), max(3, args.repeat // 2))
        print(f"read_log, same log as CSV ({path.stat().st_size / 1e6:.1f} MB): {t * 1000:.1f} ms")

    athletes = [synthetic_log(5, seed=100 + i) for i in range(500)]
    t = median_time(lambda: [weekly_table(log) for log in athletes], max(1, args.repeat // 3))
    print(f"weekly_table, 500 athletes x 5 years ({sum(map(len, athletes))} sessions): {t:.2f} s "
          f"(target < 10 s)")


if __name__ == "__main__":
    main()
