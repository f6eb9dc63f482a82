"""Speed of the batched weekly tables against the per-athlete ones and a NumPy floor.

Run:  python benchmarks/bench_batch.py [--athletes 500] [--repeat 5]

Prints, for N athletes x 5 years (benchmarks/bench_load.py's synthetic logs),
median wall-clock and CPU times of:
* ``weekly_tables`` from the athletes' frames (``{id: log}``) (target <= 0.3 s);
* ``weekly_tables`` from one long frame, with text columns, then with
  ``activity`` and ``session_type`` categorical (as the Parquet store reads
  them);
* the NumPy floor: the bare array operations for the same columns, from the
  sessions already as flat arrays with the enumerations as integer codes
  (athlete, day, activity code, RPE, session-type code, duration, distance),
  by the cheapest means known: the day matrices by ``bincount``, weekly sums,
  sRPE with the session-type RPE, rTSS with the threshold pace of the 90 days
  before (running maxima), the week sums and counts of every column, the
  7/21/28-day sums from whole weeks, four exponential averages stepped a week
  at a time, monotony and the 30-day spike maximum; over the same chunks of
  athletes as the engine; no checks, no text, no metric choice, no frame
  (target: ``weekly_tables`` within 3 x this);
* the floor as first measured for issue 13 (fewer columns: no rTSS, pace or
  device sums; pandas exponential averages over every day; one pass over all
  athletes), for comparison with the figures of that day;
* one ``weekly_table`` per athlete, for comparison;
and ``read_log`` (``--read-log`` runs only this part), median wall-clock and
CPU of the fast path and of the cell-by-cell path (``_log_from_text``), with
the load average of the machine:
* one 5-year log as ``write_log`` writes bench_load.py's synthetic log
  (target <= 4 ms, and >= 10 x faster than the cell-by-cell path);
* the same log as an importer writes it, with a start time and a source file
  on every row;
* each sample log of ``data/athletes`` (about 4 months; the squad reads many).
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from heavylegs.engine import batch  # noqa: E402
from heavylegs.engine._common import rolling_max_before  # noqa: E402
from heavylegs.engine.batch import long_log, weekly_tables  # noqa: E402
from heavylegs.metrics.session import DEFAULT_RPE  # noqa: E402
from heavylegs.engine.load import weekly_table  # noqa: E402
from heavylegs.logs.traininglog import _log_from_text, read_log, write_log  # noqa: E402
from bench_load import synthetic_log  # noqa: E402


def timed(func, repeat):
    """(median wall-clock, median CPU) of ``repeat`` calls [s]."""
    walls, cpus = [], []
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        func()
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    return float(np.median(walls)), float(np.median(cpus))


def floor_chunks(long: pd.DataFrame, codes: np.ndarray, n_athletes: int) -> list:
    """The floor's inputs: per chunk of athletes (as the engine takes them), the sessions as flat arrays."""
    days = long["date"].to_numpy(dtype="datetime64[D]").astype(np.int64)
    activity = long["activity"].to_numpy(dtype=object)
    kind = np.select([activity == "run", activity == "rest", activity == "strength"], [1, 2, 3], 0).astype(np.int8)
    types = list(DEFAULT_RPE)
    session_type = long["session_type"].to_numpy(dtype=object)
    type_code = np.full(len(long), len(types), dtype=np.int64)
    for i, name in enumerate(types):
        type_code[session_type == name] = i
    counts = np.bincount(codes, minlength=n_athletes)
    starts = np.concatenate(([0], np.cumsum(counts)))
    chunks = []
    for lo, hi in batch._chunks(counts):
        rows = slice(int(starts[lo]), int(starts[hi]))
        ath = codes[rows] - lo
        first = np.full(hi - lo, np.iinfo(np.int64).max)
        np.minimum.at(first, ath, days[rows])
        last = np.full(hi - lo, np.iinfo(np.int64).min)
        np.maximum.at(last, ath, days[rows])
        offset = (first + 3) % 7
        n_weeks = -(-(offset + last - first + 1) // 7)
        chunks.append({
            "ath": ath, "day": days[rows] - first[ath], "offset": offset, "n_days": last - first + 1,
            "n_cols": int(n_weeks.max()) * 7, "kind": kind[rows], "rpe": long["rpe"].to_numpy()[rows],
            "type_code": type_code[rows], "duration": long["duration_min"].to_numpy()[rows],
            "distance": long["distance_km"].to_numpy()[rows]})
    return chunks


_TYPE_RPE = np.array(list(DEFAULT_RPE.values()) + [3.0])


def floor(c: dict):
    """The bare NumPy operations behind the weekly tables' columns, for one chunk of athletes."""
    ath, day, offset, n_days, n_cols, kind = c["ath"], c["day"], c["offset"], c["n_days"], c["n_cols"], c["kind"]
    rpe, duration, distance = c["rpe"], c["duration"], c["distance"]
    n_athletes, n_weeks = len(offset), n_cols // 7
    size, wsize = n_athletes * n_cols, n_athletes * n_weeks
    flat = ath * n_cols + offset[ath] + day
    wflat = flat // 7
    rest, run = kind == 2, kind == 1
    # Session loads: sRPE (RPE from the session type where unknown), rTSS with the pace from the log.
    unknown = np.isnan(rpe) & ~rest
    srpe = np.where(unknown, _TYPE_RPE[c["type_code"]], rpe) * np.nan_to_num(duration)
    srpe[rest] = 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        speed = distance / duration
        usable = run & (duration >= 30) & (duration <= 75) & (speed >= 1 / 12) & (speed <= 1 / 2.5)
        best = np.full(size, -np.inf)
        np.maximum.at(best, flat[usable], speed[usable])
        best[best == -np.inf] = np.nan
        pace_speed = rolling_max_before(best.reshape(n_athletes, n_cols), 90).reshape(-1)[flat]
        rtss = 100.0 * (duration / 60.0) * (speed / pace_speed) ** 2
    rtss[~run] = np.nan
    rtss[rest] = 0.0
    # Sums by day and week.
    daily = np.bincount(flat, weights=srpe, minlength=size)
    kinds = np.bincount(wflat * 4 + kind, minlength=wsize * 4).reshape(n_athletes, n_weeks, 4)
    busy = np.zeros(size, dtype=bool)
    busy[flat[~rest]] = True
    known_run = run & ~np.isnan(distance)
    km = np.bincount(wflat, weights=np.where(known_run, distance, 0.0), minlength=wsize).reshape(n_athletes, -1)
    minutes = np.nan_to_num(duration)
    minutes[rest] = 0.0
    week = {"duration": np.bincount(wflat, weights=minutes, minlength=wsize),
            "estimated": np.bincount(wflat[unknown], minlength=wsize)}
    known = ~np.isnan(rtss)
    week["rtss"] = np.bincount(wflat, weights=np.where(known, rtss, 0.0), minlength=wsize)
    week["rtss_known"] = np.bincount(wflat[known], minlength=wsize)
    days = [daily.reshape(n_athletes, n_weeks, 7)[:, :, j] for j in range(7)]
    weekly = batch._week_reduce(days, np.add)
    columns = np.arange(n_cols)
    in_series = (columns >= offset[:, None]) & (columns < (offset + n_days)[:, None])
    rest_days = (in_series.reshape(-1) & ~busy).reshape(n_athletes, n_weeks, 7).sum(axis=2)
    previous = np.concatenate((np.full((n_athletes, 1), np.nan), km[:, :-1]), axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        change = (km - previous) / previous * 100.0
    # 7/21/28-day sums at the Sundays from whole weeks; the exponential averages a week at a time.
    padded = np.concatenate((np.zeros((n_athletes, 3)), weekly), axis=1)
    before = (padded[:, :-3] + padded[:, 1:-2]) + padded[:, 2:-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        acwr = weekly / ((before + weekly) / 4.0)
        uncoupled = weekly / (before / 3.0)
    ewm = ewm_at_sundays(daily.reshape(n_athletes, n_weeks, 7), (0.25, 2 / 29, 0.0235, 0.133))
    mean = weekly / 7.0
    with np.errstate(divide="ignore", invalid="ignore"):
        monotony = mean / np.sqrt(batch._week_reduce([np.square(d - mean) for d in days], np.add) / 6.0)
    # Long-run spike: each day's longest run against the 30 days before.
    longest = np.full(size, -np.inf)
    np.maximum.at(longest, flat[known_run], distance[known_run])
    longest[longest == -np.inf] = np.nan
    longest = longest.reshape(n_athletes, n_cols)
    with np.errstate(divide="ignore", invalid="ignore"):
        spike = longest / rolling_max_before(longest, 30)
    spike = batch._week_reduce([spike.reshape(n_athletes, n_weeks, 7)[:, :, j] for j in range(7)], np.fmax)
    return kinds, rest_days, change, acwr, uncoupled, ewm, monotony, spike, week


def ewm_at_sundays(weeks: np.ndarray, alphas) -> np.ndarray:
    """Four exponential averages at every Sunday, from 0, a week at a time (the floor's cheapest way)."""
    alphas = np.asarray(alphas)
    keep = 1.0 - alphas
    gains = weeks @ (alphas[None, :] * keep[None, :] ** (6 - np.arange(7))[:, None])  # (athletes, weeks, k)
    out = np.empty_like(gains)
    x = gains[:, 0, :]
    out[:, 0, :] = x
    for k in range(1, weeks.shape[1]):
        x = keep ** 7 * x + gains[:, k, :]
        out[:, k, :] = x
    return out


def floor_issue13(ath, day, offset, load, run_km, n_athletes, n_cols):
    """The floor as first measured for issue 13 (fewer columns, pandas averages, all athletes at once)."""
    flat = ath * n_cols + offset[ath] + day
    size = n_athletes * n_cols
    daily = np.bincount(flat, weights=load, minlength=size).reshape(n_athletes, n_cols)
    km = np.bincount(flat, weights=run_km, minlength=size).reshape(n_athletes, n_cols)
    sessions = np.bincount(flat, minlength=size).reshape(n_athletes, n_cols)
    weeks = daily.reshape(n_athletes, -1, 7)
    weekly = {name: m.reshape(n_athletes, -1, 7).sum(axis=2) for name, m in
              (("load", daily), ("km", km), ("rest", sessions == 0))}
    for _ in range(5):  # runs, duration, load_au, estimated, strength: more weekly sums
        np.bincount(ath * (n_cols // 7) + (offset[ath] + day) // 7, weights=load, minlength=size // 7)
    csum = np.concatenate((np.zeros((n_athletes, 1)), np.cumsum(daily, axis=1)), axis=1)
    ends = np.arange(6, n_cols, 7)
    acute = csum[:, ends + 1] - csum[:, np.maximum(ends - 6, 0)]
    chronic = csum[:, ends + 1] - csum[:, np.maximum(ends - 27, 0)]
    with np.errstate(divide="ignore", invalid="ignore"):
        acwr = acute / (chronic / 4.0)
        uncoupled = acute / ((chronic - acute) / 3.0)
    frame = pd.DataFrame(daily.T)
    ewm = [frame.ewm(alpha=a, adjust=False).mean().to_numpy().T[:, ends] for a in (0.25, 2 / 29, 0.0235, 0.133)]
    with np.errstate(divide="ignore", invalid="ignore"):
        monotony = weeks.mean(axis=2) / weeks.std(axis=2, ddof=1)
    longest = np.full(size, np.nan)
    np.fmax.at(longest, flat, run_km)
    before = rolling_max_before(longest.reshape(n_athletes, n_cols), 30)
    with np.errstate(divide="ignore", invalid="ignore"):
        spike = np.fmax.reduce((longest.reshape(n_athletes, n_cols) / before).reshape(n_athletes, -1, 7), axis=2)
    return weekly, acwr, uncoupled, ewm, monotony, spike


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--athletes", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--read-log", action="store_true", help="only the read_log figures")
    args = parser.parse_args(argv)
    if args.read_log:
        read_log_figures()
        return

    logs = {i: synthetic_log(5, seed=100 + i) for i in range(args.athletes)}
    sessions = sum(map(len, logs.values()))
    long = long_log(logs)
    weekly_tables(logs)  # warm up
    # The floor's inputs: flat arrays, as the batch engine has them after its checks.
    codes = np.repeat(np.arange(args.athletes), [len(log) for log in logs.values()])
    chunks = floor_chunks(long, codes, args.athletes)
    # As the Parquet store reads it: activity and session_type as dictionaries (pandas categoricals).
    coded = long.assign(activity=long["activity"].astype("category"),
                        session_type=long["session_type"].astype("category"))
    days = long["date"].to_numpy(dtype="datetime64[D]").astype(np.int64)
    first = np.minimum.reduceat(days, np.r_[0, np.cumsum([len(log) for log in logs.values()])[:-1]])
    day = days - first[codes]
    offset = (first + 3) % 7
    n_cols = int(-(-(offset + day.max() + 1) // 7).max() * 7) + 7
    load = np.nan_to_num(long["rpe"].to_numpy() * long["duration_min"].to_numpy())
    run_km = np.where(long["activity"].to_numpy(dtype=object) == "run", np.nan_to_num(long["distance_km"]), 0.0)

    print(f"{args.athletes} athletes x 5 years, {sessions} sessions; median of {args.repeat} "
          "(wall-clock / CPU of this process)")
    results = {}
    for name, func in (
            ("weekly_tables({id: log})", lambda: weekly_tables(logs)),
            ("weekly_tables(long frame)", lambda: weekly_tables(long)),
            ("  the same, text categorical", lambda: weekly_tables(coded)),
            ("NumPy floor", lambda: [floor(c) for c in chunks]),
            ("floor as of issue 13", lambda: floor_issue13(codes, day, offset, load, run_km, args.athletes,
                                                            n_cols))):
        results[name] = timed(func, args.repeat)
        print(f"  {name:28s} {results[name][0]:.3f} s / {results[name][1]:.3f} s CPU")
    cpu = {name: value[1] for name, value in results.items()}
    base, frames = cpu["NumPy floor"], cpu["weekly_tables({id: log})"]
    print(f"  ratio to the floor (CPU): {frames / base:.1f} x from frames, "
          f"{cpu['weekly_tables(long frame)'] / base:.1f} x from the long frame, "
          f"{cpu['  the same, text categorical'] / base:.1f} x categorical (target <= 3 x); "
          f"from frames to the floor as of issue 13: {frames / cpu['floor as of issue 13']:.1f} x")
    wall, cpu = timed(lambda: [weekly_table(log) for log in logs.values()], max(1, args.repeat // 3))
    print(f"  one weekly_table per athlete   {wall:.3f} s / {cpu:.3f} s CPU")

    read_log_figures(logs[0])


def read_log_figures(log=None) -> None:
    """Print read_log's figures: the fast path against the cell-by-cell path, in CPU and wall-clock."""
    log = synthetic_log(5, seed=100) if log is None else log
    imported = log.copy()
    starts = log["date"] + pd.to_timedelta(np.arange(len(log)) % 600 + 360, unit="min")
    imported["start_time"] = starts.dt.strftime("%Y-%m-%dT%H:%M:%S+01:00")
    imported["source"] = [f"activity_{8000000 + i}.fit" for i in range(len(log))]
    print("read_log, median (wall-clock / CPU of this process); load average "
          + " / ".join(f"{x:.2f}" for x in os.getloadavg()))
    with tempfile.TemporaryDirectory() as folder:
        for name, frame in (("5-year log", log), ("5-year log with start times and sources", imported)):
            path = Path(folder) / "log.csv"
            write_log(frame, path)
            text = path.read_text(encoding="utf-8")
            read_log(path)
            fast = timed(lambda: read_log(path), 51)
            careful = timed(lambda: _log_from_text(text, str(path)), 9)
            print(f"  {name} ({len(frame)} sessions, {path.stat().st_size / 1e3:.0f} kB): "
                  f"{fast[0] * 1e3:.2f} ms / {fast[1] * 1e3:.2f} ms CPU (target <= 4 ms); the cell-by-cell "
                  f"path: {careful[0] * 1e3:.1f} ms / {careful[1] * 1e3:.1f} ms CPU "
                  f"({careful[1] / fast[1]:.1f} x in CPU, target >= 10 x)")
    samples = sorted((Path(__file__).resolve().parent.parent / "data" / "athletes").glob("*/log.csv"))
    texts = [path.read_text(encoding="utf-8-sig") for path in samples]
    fast = timed(lambda: [read_log(path) for path in samples], 31)
    careful = timed(lambda: [_log_from_text(text, "x") for text in texts], 5)
    rows = sum(text.count("\n") - 1 for text in texts) / len(texts)
    print(f"  the {len(samples)} sample logs (about {rows:.0f} sessions each), per log: "
          f"{fast[0] / len(samples) * 1e3:.2f} ms / {fast[1] / len(samples) * 1e3:.2f} ms CPU; the cell-by-cell "
          f"path: {careful[0] / len(samples) * 1e3:.1f} ms / {careful[1] / len(samples) * 1e3:.1f} ms CPU "
          f"({careful[1] / fast[1]:.1f} x in CPU)")

if __name__ == "__main__":
    main()
