"""Write N athletes x Y years of synthetic training logs as CSV files (fixed seed).

Run:  python scripts/make_federation.py FOLDER [--athletes 1000] [--years 5] [--seed 1] [--workers 2]

Each athlete gets ``FOLDER/athlete-NNNNNN.csv`` in the training-log format
(``write_log``'s first 12 columns, written by pandas: the files are checked
when ``read_log`` reads them): a run most days (distance, duration, an RPE for
about 80 % of sessions, a session type, a surface), strength twice a week,
some cross-training and rest rows, starting on a random day of 2019, and a
heart rate for about a third of the athletes. Athlete ``i`` uses seed
``seed + i``, so any subset can be regenerated alike. Existing files are
never overwritten: the folder must be new or empty.
"""
from __future__ import annotations

import argparse
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from heavylegs.traininglog import LOG_COLUMNS  # noqa: E402

SESSION_TYPES = np.array(["easy", "easy", "long", "tempo", "interval", "recovery"], dtype=object)


def athlete_log(years: float, seed: int) -> pd.DataFrame:
    """One athlete's plausible log of ``years`` years."""
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2019-01-01") + pd.Timedelta(days=int(rng.integers(0, 365)))
    days = pd.date_range(start, periods=int(round(years * 365)), freq="D")
    n = len(days)
    kind = rng.choice(["run", "rest", "cross"], size=n, p=[0.8, 0.12, 0.08])
    runs = kind == "run"
    frame = pd.DataFrame({
        "date": days.strftime("%Y-%m-%d"),
        "activity": kind,
        "duration_min": np.where(kind == "rest", np.nan, rng.uniform(25, 120, n).round(1)),
        "distance_km": np.where(runs, rng.uniform(4, 30, n).round(2), np.nan),
        "rpe": np.where(rng.random(n) < 0.8, rng.integers(2, 9, n), np.nan),
        "session_type": np.where(runs, rng.choice(SESSION_TYPES, n), None),
        "surface": np.where(runs, rng.choice(["road", "trail"], n), None),
    })
    if rng.random() < 1 / 3:
        frame["avg_hr_bpm"] = np.where(kind == "rest", np.nan, rng.integers(120, 175, n))
    strength = days[(days.day_of_week == 1) | (days.day_of_week == 4)]
    frame = pd.concat([frame, pd.DataFrame({"date": strength.strftime("%Y-%m-%d"), "activity": "strength",
                                            "duration_min": 40.0, "rpe": 5.0})], ignore_index=True)
    return frame.sort_values("date", kind="stable").reset_index(drop=True)


def _write(args) -> int:
    folder, first, count, years, seed = args
    for i in range(first, first + count):
        path = Path(folder) / f"athlete-{i:06d}.csv"
        # write_log's columns and cell forms, without its per-cell checks (read_log checks them later).
        text = athlete_log(years, seed + i).reindex(columns=LOG_COLUMNS[:12]).to_csv(index=False, lineterminator="\n")
        with open(path, "x", encoding="utf-8", newline="") as handle:  # "x": never overwrite
            handle.write(text)
    return count


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--athletes", type=int, default=1000)
    parser.add_argument("--years", type=float, default=5.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    args.folder.mkdir(parents=True, exist_ok=True)
    if any(args.folder.iterdir()):
        sys.exit(f"{args.folder}: is not empty, expected a new folder (nothing is overwritten)")
    block = 250
    jobs = [(str(args.folder), first, min(block, args.athletes - first), args.years, args.seed)
            for first in range(0, args.athletes, block)]
    with ProcessPoolExecutor(args.workers) as pool:
        written = sum(pool.map(_write, jobs))
    print(f"wrote {written} logs of {args.years:g} years to {args.folder}")


if __name__ == "__main__":
    main()
