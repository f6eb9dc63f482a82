"""Speed of the check-ins' patterns: 180 days of check-ins and log, 7 facts x 10,000 permutations.

Target (issue 12): < 300 ms. Prints figures; asserts nothing.
"""
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import median_time  # noqa: E402

from heavylegs.engine.load import daily_load  # noqa: E402
from heavylegs.analysis.patterns import FACTS, PERMUTATIONS, exposures, find_patterns, permutation_p_values  # noqa: E402
from heavylegs.logs.traininglog import validate_log  # noqa: E402


def sample(days=180, seed=1):
    """A 180-day check-in window with a log that starts 60 days earlier (so every fact is known)."""
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2026-03-01")
    log_days = pd.date_range(start, periods=days + 60)
    rows = []
    for i, day in enumerate(log_days):
        weekday = day.weekday()
        if weekday == 0:
            continue  # Monday off
        if weekday in (2, 4) and i > 100:
            rows.append({"date": day, "activity": "strength", "duration_min": 50.0, "rpe": 7.0})
        kind = "long" if weekday == 6 else ("race" if i % 45 == 0 else "easy")
        minutes = 100.0 if kind == "long" else 45.0
        rows.append({"date": day, "activity": "run", "duration_min": minutes + rng.normal(0, 5),
                     "distance_km": minutes / 5.5, "rpe": float(rng.integers(3, 8)), "session_type": kind})
    log = validate_log(pd.DataFrame(rows))
    check_days = log_days[60:]
    checkins = pd.DataFrame({"date": check_days, "heaviness": rng.integers(0, 11, len(check_days)),
                             "sleep_h": np.round(rng.normal(7.3, 0.8, len(check_days)), 1)})
    return checkins, log, check_days[-1]


def main():
    checkins, log, until = sample()
    daily = daily_load(log, until=until)
    total = median_time(lambda: find_patterns(checkins, log, until=until, daily=daily), repeat=7)
    cold = median_time(lambda: find_patterns(checkins, log, until=until), repeat=7)
    matrix = np.vstack(list(exposures(checkins["date"], checkins["sleep_h"], log, until=until, daily=daily)
                            .values()))
    heaviness = checkins["heaviness"].to_numpy()
    tests = median_time(lambda: permutation_p_values(heaviness, matrix), repeat=7)
    start = time.perf_counter()
    exposures(checkins["date"], checkins["sleep_h"], log, until=until, daily=daily)
    facts = time.perf_counter() - start
    print(f"patterns of {len(checkins)} days of check-ins and log, {len(FACTS)} facts x {PERMUTATIONS:,} "
          f"permutations (target < 300 ms)")
    print(f"  find_patterns, daily series given (as assess passes it): {total * 1000:7.1f} ms (median of 7)")
    print(f"  find_patterns, daily series built from the log:          {cold * 1000:7.1f} ms")
    print(f"  of which the permutation tests (one matrix for all facts): {tests * 1000:5.1f} ms")
    print(f"  of which the exposures of the 7 facts:                    {facts * 1000:5.1f} ms")


if __name__ == "__main__":
    main()
