"""The weekly load tables of many athletes at once (``spec/metrics.md``, ``spec/device-load.md``).

:func:`weekly_tables` gives, for every athlete, exactly the table
:func:`heavylegs.load.weekly_table` gives for that athlete alone, but computes
them together: the sessions of all athletes are one set of flat arrays, the
daily series one athlete × day matrix and the weeks an athlete × week × 7
view of it, so the cost is a fixed number of NumPy passes over all the data
instead of a few hundred pandas calls per athlete.

Row ``a`` of the day matrix holds athlete ``a``'s series from the Monday of
its first week: column ``c`` is day ``c − offset`` of the series, where
``offset`` is the weekday of the first day (Monday 0). Columns outside the
series hold no sessions and are masked wherever the per-athlete definition
would not see them.
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from . import deviceload
from .errors import InputError, Problem
from .load import (
    DEFAULT_RPE, DEFAULT_RPE_UNKNOWN_TYPE, WEEKLY_COLUMNS, _ACUTE_DAYS, _CHRONIC_DAYS,
    _DEVICE_METRICS, _EWMA_ACUTE_LAMBDA, _EWMA_CHRONIC_LAMBDA, _FATIGUE_ALPHA, _FITNESS_ALPHA,
    _INT_COLUMNS, _SPIKE_LOOKBACK_DAYS, _as_day, _as_log, _empty_weekly,
)

__all__ = ["BATCH_COLUMNS", "weekly_tables", "long_log"]

#: Columns of :func:`weekly_tables`: ``athlete_id`` then those of :func:`~heavylegs.load.weekly_table`.
BATCH_COLUMNS = ("athlete_id",) + WEEKLY_COLUMNS

# Session columns the weekly tables read.
_USED = ("date", "activity", "duration_min", "distance_km", "rpe", "session_type", "avg_hr_bpm",
         "max_hr_bpm", "gap_distance_km", "hr_histogram")


def long_log(logs) -> pd.DataFrame:
    """Many athletes' training logs as one frame with an ``athlete_id`` column.

    Parameters
    ----------
    logs : mapping or pandas.DataFrame
        ``{athlete_id: log}`` (each log as from
        :func:`~heavylegs.traininglog.read_log`, or any frame
        :func:`~heavylegs.traininglog.validate_log` accepts), or already one
        frame with an ``athlete_id`` column and the log columns.

    Returns
    -------
    pandas.DataFrame
        ``athlete_id`` and the columns the weekly tables read, the rows of
        each athlete together, athletes in the given order.
    """
    columns, codes, athletes = _columns(logs)
    frame = {"athlete_id": np.asarray(athletes, dtype=object)[codes]}
    frame.update(columns)
    return pd.DataFrame(frame)


def _columns(logs, athletes=None):
    """(``{column: array}``, athlete code of each row, athletes) of ``logs``."""
    if isinstance(logs, pd.DataFrame):
        if "athlete_id" not in logs.columns:
            raise InputError([Problem("logs", "found a frame without an 'athlete_id' column, expected "
                                              "one log per athlete or a frame with that column")])
        codes, uniques = pd.factorize(logs["athlete_id"], sort=False)
        uniques = list(uniques)
        if athletes is None:
            athletes = uniques
        else:
            athletes = list(athletes)
            where = {a: i for i, a in enumerate(athletes)}
            remap = np.array([where.get(a, -1) for a in uniques], dtype=np.int64)
            codes = remap[codes] if len(codes) else codes.astype(np.int64)
        n = len(logs)
        columns = {}
        for name in _USED:
            if name == "date":
                columns[name] = logs["date"].to_numpy(dtype="datetime64[ns]")
            elif name in logs.columns:
                dtype = object if name in ("activity", "session_type", "hr_histogram") else float
                columns[name] = logs[name].to_numpy(dtype=dtype)
            else:
                columns[name] = np.full(n, np.nan, dtype=object if name == "hr_histogram" else float)
        return columns, np.asarray(codes, dtype=np.int64), list(athletes)
    if not isinstance(logs, Mapping):
        raise InputError([Problem("logs", f"found {type(logs).__name__}, expected a mapping "
                                          "{athlete_id: log} or a frame with an 'athlete_id' column")])
    order = list(logs.keys()) if athletes is None else list(athletes)
    parts = {name: [] for name in _USED}
    lengths = []
    for athlete in order:
        log = logs.get(athlete)
        log = _as_log(log) if log is not None else _as_log(None)
        lengths.append(len(log))
        for name in _USED:
            if name == "date":
                parts[name].append(log["date"].to_numpy(dtype="datetime64[ns]"))
            elif name in log.columns:
                dtype = object if name in ("activity", "session_type", "hr_histogram") else float
                parts[name].append(log[name].to_numpy(dtype=dtype))
            else:
                parts[name].append(np.full(len(log), np.nan, dtype=object if name == "hr_histogram" else float))
    columns = {}
    for name in _USED:
        if parts[name]:
            columns[name] = np.concatenate(parts[name])
        else:
            dtype = "datetime64[ns]" if name == "date" else \
                (object if name in ("activity", "session_type", "hr_histogram") else float)
            columns[name] = np.zeros(0, dtype=dtype)
    codes = np.repeat(np.arange(len(order), dtype=np.int64), lengths)
    return columns, codes, order


def weekly_tables(logs, *, until=None, metric="auto", profiles=None, athletes=None) -> pd.DataFrame:
    """The weekly tables of many athletes, computed together.

    Parameters
    ----------
    logs : mapping or pandas.DataFrame
        ``{athlete_id: log}``, or one frame with an ``athlete_id`` column (see
        :func:`long_log`; its logs must already have :func:`read_log`'s types).
    until : date-like or mapping, optional
        Last day of every series, or ``{athlete_id: day}`` (a missing athlete
        or None: the last date of that athlete's log). As in
        :func:`~heavylegs.load.weekly_table`.
    metric : str
        The load metric, as in :func:`~heavylegs.load.weekly_table`, for
        every athlete (``auto`` chooses per athlete).
    profiles : mapping, optional
        ``{athlete_id: profile dict}`` giving each athlete's thresholds and sex.
    athletes : sequence, optional
        The athletes, in output order (default: the mapping's order, or the
        order of first appearance in the frame). An athlete without sessions
        has no rows.

    Returns
    -------
    pandas.DataFrame
        :data:`BATCH_COLUMNS`: ``athlete_id`` then, for each athlete in turn,
        exactly the rows and columns of
        :func:`~heavylegs.load.weekly_table` (same dtypes), with a fresh
        0..n−1 index.

    Notes
    -----
    Every definition is that of :func:`~heavylegs.load.weekly_table`; only
    the order of work differs. Session loads (sRPE with its estimates,
    TRIMP, HRSS, rTSS with the threshold pace from the log, the calibration
    of sRPE from HRSS) are computed on all sessions at once, with each
    athlete's thresholds broadcast to its sessions; rolling maxima over the
    30 and 90 days before a day use a doubling table of running maxima.
    """
    metric = deviceload.check_metric(metric)
    columns, codes, athletes = _columns(logs, athletes)
    return _tables(columns, codes, athletes, until, metric, profiles or {})


# ---------------------------------------------------------------------------
# Helpers


def _rolling_max_before(matrix: np.ndarray, window: int) -> np.ndarray:
    """For each column c, the NaN-ignoring max of columns c − window … c − 1 of each row (NaN: none)."""
    rows, cols = matrix.shape
    padded = np.concatenate((np.full((rows, window), np.nan), matrix), axis=1)
    # span[:, i] = max of padded[:, i : i + width]; doubled until width ≥ window / 2.
    span, width = padded, 1
    while width * 2 <= window:
        span = np.fmax(span[:, :-width], span[:, width:])
        width *= 2
    # A window of `window` columns from i is the union of [i, i + width) and [i + window − width, i + window).
    return np.fmax(span[:, :cols], span[:, window - width:window - width + cols])


def _ewm_rows(matrix: np.ndarray, alpha: float) -> np.ndarray:
    """Xₜ = Xₜ₋₁ + α(Lₜ − Xₜ₋₁) along each row, starting at the row's first non-NaN value."""
    if matrix.size == 0:
        return matrix.copy()
    return pd.DataFrame(matrix.T).ewm(alpha=alpha, adjust=False).mean().to_numpy().T


def _frame(columns: dict, names) -> pd.DataFrame:
    """Some of the session arrays as a frame, text kept as object (no string inference)."""
    return pd.DataFrame({name: pd.Series(columns[name], dtype=columns[name].dtype, copy=False)
                         for name in names})


def _per_athlete(values, athletes, default=None):
    if isinstance(values, Mapping):
        return [values.get(a, default) for a in athletes]
    return [values] * len(athletes)


# ---------------------------------------------------------------------------
# The engine


def _tables(frame: dict, ath_all: np.ndarray, athletes: list, until, metric: str, profiles) -> pd.DataFrame:
    n_athletes = len(athletes)
    known_athlete = ath_all >= 0
    days_all = frame["date"].astype("datetime64[D]").astype(np.int64)
    keep = known_athlete

    # Each athlete's first day and last day (until), as day numbers since 1970.
    big = np.iinfo(np.int64).max
    first = np.full(n_athletes, big, dtype=np.int64)
    np.minimum.at(first, ath_all[keep], days_all[keep])
    latest = np.full(n_athletes, np.iinfo(np.int64).min, dtype=np.int64)
    np.maximum.at(latest, ath_all[keep], days_all[keep])
    has = first != big
    last = latest.copy()
    for a, value in enumerate(_per_athlete(until, athletes)):
        if has[a] and value is not None:
            day = _as_day(value, None)
            last[a] = np.int64(day.to_datetime64().astype("datetime64[D]").astype(np.int64))
    n_days = np.where(has, np.maximum(last - first + 1, 0), 0)
    live = n_days > 0
    if not live.any():
        out = _empty_weekly()
        out.insert(0, "athlete_id", pd.Series(dtype=object))
        return out
    first_safe = np.where(live, first, 0)
    keep = keep & live[np.maximum(ath_all, 0)] & (days_all <= last[np.maximum(ath_all, 0)])
    keep &= known_athlete

    rows = np.flatnonzero(keep)
    ath = ath_all[rows]
    day = days_all[rows] - first_safe[ath]
    whole = len(rows) == len(days_all)
    sessions = {name: (values if whole else values[rows]) for name, values in frame.items()}
    activity = sessions["activity"]
    rest = activity == "rest"
    run = activity == "run"
    strength = activity == "strength"
    duration = sessions["duration_min"]
    distance = sessions["distance_km"]
    rpe = sessions["rpe"]
    session_type = sessions["session_type"]
    n = len(rows)

    # --- Session loads (deviceload._session_loads, every athlete at once) ---
    unknown = np.isnan(rpe) & ~rest
    rpe_used = rpe.copy()
    if unknown.any():
        rpe_used[unknown] = np.fromiter((DEFAULT_RPE.get(t, DEFAULT_RPE_UNKNOWN_TYPE)
                                         for t in session_type[unknown].tolist()),
                                        dtype=float, count=int(unknown.sum()))
    srpe = np.where(rest, 0.0, rpe_used * np.nan_to_num(duration))

    profile_list = _per_athlete(profiles, athletes) if isinstance(profiles, Mapping) else [profiles] * n_athletes
    hr_max = np.full(n_athletes, np.nan)
    hr_rest = np.full(n_athletes, np.nan)
    coef_a = np.full(n_athletes, np.nan)
    coef_b = np.full(n_athletes, np.nan)
    hrss_scale = np.full(n_athletes, np.nan)
    pace_entered = np.full(n_athletes, np.nan)
    pace_from_log = np.zeros(n_athletes, dtype=bool)
    cache = {}
    for a in np.flatnonzero(live):
        profile = profile_list[a]
        key = None if not profile else tuple(sorted((k, str(v)) for k, v in dict(profile).items()))
        if key not in cache:
            t = deviceload.resolve_thresholds(dict(profile or {}), None)
            hmax, hrest, lthr = t["hr_max"]["value"], t["hr_rest"]["value"], t["lthr"]["value"]
            entry = [np.nan] * 6 + [True]
            if hmax is not None and hrest is not None and hmax > hrest:
                ca, cb = deviceload.banister_coefficients(t["sex"])
                scale = deviceload.hrss(1.0, hmax, hrest, lthr, t["sex"]) if lthr is not None else None
                entry[:5] = [hmax, hrest, ca, cb, np.nan if scale is None else scale]
            if t["threshold_pace"]["provenance"] == "entered":
                entry[5], entry[6] = t["threshold_pace"]["value"], False
            cache[key] = entry
        (hr_max[a], hr_rest[a], coef_a[a], coef_b[a], hrss_scale[a], pace_entered[a],
         pace_from_log[a]) = cache[key]

    trimp = np.full(n, np.nan)
    hrss = np.full(n, np.nan)
    if not np.isnan(hr_max).all():
        bins = deviceload._heart_rate_bins(_frame(sessions, ("activity", "duration_min", "avg_hr_bpm",
                                                              "max_hr_bpm", "hr_histogram")))
        has_hr = bins.source != None  # noqa: E711 - element-wise on an object array
        bin_ath = ath[bins.session]
        usable = ~np.isnan(hr_max[bin_ath])
        b_ath = bin_ath[usable]
        x = np.clip((bins.bpm[usable] - hr_rest[b_ath]) / (hr_max[b_ath] - hr_rest[b_ath]), 0.0, 1.0)
        weights = bins.seconds[usable] / 60.0 * x * coef_a[b_ath] * np.exp(coef_b[b_ath] * x)
        sums = np.bincount(bins.session[usable], weights=weights, minlength=n)[:n]
        trimp = np.where(has_hr & ~np.isnan(hr_max[ath]), sums, np.nan)
        hrss = trimp * hrss_scale[ath]

    gap = sessions["gap_distance_km"]
    pace_distance = np.where(np.isnan(gap), distance, gap)
    pace = pace_entered[ath]
    if pace_from_log.any():
        # deviceload._run_speed: runs of 30-75 min at a pace of 2.5-12 min/km.
        low, high = deviceload._PACE_RUN_MIN
        fast, slow = deviceload._PACE_RANGE_MIN_KM
        with np.errstate(divide="ignore", invalid="ignore"):
            speed = pace_distance / duration
        ok = run & (duration >= low) & (duration <= high) & (speed >= 1.0 / slow) & (speed <= 1.0 / fast)
        speed = np.where(ok, speed, np.nan)
        usable = ~np.isnan(speed) & pace_from_log[ath]
        if usable.any():
            width = int(n_days.max())
            best = np.full(n_athletes * width, np.nan)
            np.fmax.at(best, ath[usable] * width + day[usable], speed[usable])
            before = _rolling_max_before(best.reshape(n_athletes, width), deviceload._PACE_LOOKBACK_DAYS)
            with np.errstate(divide="ignore", invalid="ignore"):
                from_log = 1.0 / before[ath, day]
            pace = np.where(pace_from_log[ath], from_log, pace)
    with np.errstate(divide="ignore", invalid="ignore"):
        v = pace_distance / duration
        rtss = np.where(run & (duration > 0), 100.0 * (duration / 60.0) * (v * pace) ** 2, np.nan)
    stress = np.where(np.isnan(hrss), rtss, hrss)

    # sRPE calibrated from HRSS: k over the pairs of the 365 days up to the session's date.
    estimated = unknown
    pair = ~unknown & ~rest & ~np.isnan(hrss)
    candidates = unknown & ~np.isnan(hrss)
    if pair.any() and candidates.any():
        span = int(n_days.max()) + deviceload._CALIBRATION_DAYS + 1
        key = ath * span + day
        order = np.argsort(key[pair], kind="stable")
        pair_key = key[pair][order]
        xy = np.concatenate(([0.0], np.cumsum((srpe[pair] * hrss[pair])[order])))
        xx = np.concatenate(([0.0], np.cumsum((hrss[pair] ** 2)[order])))
        cand = np.flatnonzero(candidates)
        hi = np.searchsorted(pair_key, key[cand], side="right")
        lo = np.searchsorted(pair_key, key[cand] - (deviceload._CALIBRATION_DAYS - 1), side="left")
        with np.errstate(divide="ignore", invalid="ignore"):
            k = (xy[hi] - xy[lo]) / (xx[hi] - xx[lo])
        ok = (hi - lo >= deviceload._CALIBRATION_MIN_PAIRS) & np.isfinite(k)
        srpe[cand[ok]] = k[ok] * hrss[cand[ok]]
    for values in (trimp, hrss, rtss, stress):
        values[rest] = 0.0

    # --- The metric in use, per athlete ---
    if metric == "auto":
        window = (day > n_days[ath] - 1 - deviceload._AUTO_DAYS) & ~rest
        total = np.bincount(ath[window], minlength=n_athletes)
        with_rpe = np.bincount(ath[window & ~np.isnan(rpe)], minlength=n_athletes)
        with_stress = np.bincount(ath[window & ~np.isnan(stress)], minlength=n_athletes)
        use_stress = (total > 0) & (2 * with_rpe < total) & (2 * with_stress >= total)
        chosen = np.where(use_stress, "stress", "srpe").astype(object)
        values = np.where(use_stress[ath], stress, srpe)
        load_estimated = np.where(use_stress[ath], ~rest & np.isnan(values), estimated)
    else:
        chosen = np.full(n_athletes, metric, dtype=object)
        values = {"srpe": srpe, "trimp": trimp, "hrss": hrss, "rtss": rtss, "stress": stress}.get(metric)
        if metric == "duration":
            values = np.where(rest, 0.0, duration)
        elif metric == "distance":
            values = np.where(run, distance, 0.0)
        load_estimated = estimated if metric == "srpe" else ~rest & np.isnan(values)

    # --- The athlete × day matrix ---
    offset = ((first_safe + 3) % 7).astype(np.int64)  # 1970-01-01 was a Thursday: Monday 0
    ends_at = offset + n_days  # one past the last column in the series
    n_weeks = np.where(live, -(-ends_at // 7), 0)
    n_cols = int(n_weeks.max()) * 7
    col = offset[ath] + day
    flat = ath * n_cols + col
    size = n_athletes * n_cols

    def per_day(weights):
        return np.bincount(flat, weights=weights, minlength=size).reshape(n_athletes, n_cols)

    columns = np.arange(n_cols)
    in_series = (columns >= offset[:, None]) & (columns < ends_at[:, None])
    counts = per_day((~rest).astype(float))
    load = per_day(np.nan_to_num(values))
    longest_day = np.full(size, np.nan)
    known_run = run & ~np.isnan(distance)
    np.fmax.at(longest_day, flat[known_run], distance[known_run])
    longest_day = longest_day.reshape(n_athletes, n_cols)

    def by_week(matrix):
        return matrix.reshape(n_athletes, -1, 7)

    week_flat = ath * (n_cols // 7) + col // 7

    def week_sum(weights):
        return np.bincount(week_flat, weights=weights, minlength=size // 7).reshape(n_athletes, -1)

    days = by_week(in_series).sum(axis=2).astype(np.int64)
    distance_week = week_sum(np.where(run, np.nan_to_num(distance), 0.0))
    weekly_load = by_week(load).sum(axis=2)
    longest = np.fmax.reduce(by_week(longest_day), axis=2)
    previous = np.concatenate((np.full((n_athletes, 1), np.nan), distance_week[:, :-1]), axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        change = np.where(previous > 0, (distance_week - previous) / previous * 100.0, np.nan)
        before = _rolling_max_before(longest_day, _SPIKE_LOOKBACK_DAYS)
        spike_day = np.where(before > 0, (longest_day / before - 1.0) * 100.0, np.nan)
    spike = np.fmax.reduce(by_week(spike_day), axis=2)

    # Rolling sums at each week's end, as exact sums of each window.
    week_index = np.arange(n_cols // 7)
    end_col = np.minimum(week_index[None, :] * 7 + 6, ends_at[:, None] - 1)  # (athletes, weeks)
    end_col = np.maximum(end_col, 0)
    padded = np.concatenate((np.zeros((n_athletes, _CHRONIC_DAYS - 1)), np.where(in_series, load, 0.0)), axis=1)
    windows = sliding_window_view(padded, _CHRONIC_DAYS, axis=1)[np.arange(n_athletes)[:, None], end_col]
    acute = windows[..., -_ACUTE_DAYS:].sum(axis=2)
    chronic = windows.sum(axis=2)
    before_acute = windows[..., :-_ACUTE_DAYS].sum(axis=2)
    full = (end_col - offset[:, None]) >= _CHRONIC_DAYS - 1

    # Exponential averages: one column more on the left for the seed; NaN before it.
    seed_first = np.where(in_series, load, np.nan)
    grid = np.full((n_athletes, n_cols + 1), np.nan)
    grid[:, 1:] = seed_first
    lead = np.arange(n_athletes)
    first_load = load[lead, np.minimum(offset, n_cols - 1)]
    grid[lead, offset] = first_load
    take = (lead[:, None], end_col + 1)
    e_acute = _ewm_rows(grid, _EWMA_ACUTE_LAMBDA)[take]
    e_chronic = _ewm_rows(grid, _EWMA_CHRONIC_LAMBDA)[take]
    grid[lead, offset] = 0.0
    fitness = _ewm_rows(grid, _FITNESS_ALPHA)[take]
    fatigue = _ewm_rows(grid, _FATIGUE_ALPHA)[take]
    with np.errstate(divide="ignore", invalid="ignore"):
        acwr = np.where(full & (chronic > 0), acute / (chronic / 4.0), np.nan)
        acwr_uncoupled = np.where(full & (before_acute > 0), acute / (before_acute / 3.0), np.nan)
        acwr_ewma = np.where(full & (e_chronic > 0), e_acute / e_chronic, np.nan)
        daily_weeks = by_week(np.where(in_series, load, np.nan))
        spread = np.ptp(np.nan_to_num(daily_weeks), axis=2) > 0
        sd = np.std(daily_weeks, axis=2, ddof=1)
        monotony = np.where((days == 7) & spread, np.mean(daily_weeks, axis=2) / sd, np.nan)
    strain = weekly_load * monotony

    # --- Rows: the weeks each athlete has, athlete by athlete ---
    present = week_index[None, :] < n_weeks[:, None]
    pick = np.nonzero(present)
    week_start = ((first_safe - offset)[:, None] + week_index[None, :] * 7)[pick]
    out = {
        "athlete_id": np.asarray(athletes, dtype=object)[pick[0]],
        "week_start": week_start.astype("datetime64[D]").astype("datetime64[ns]"),
        "days": days[pick],
        "runs": week_sum(run.astype(float))[pick],
        "distance_km": distance_week[pick],
        "duration_min": week_sum(np.where(rest, 0.0, np.nan_to_num(duration)))[pick],
        "load_au": week_sum(srpe)[pick],
        "sessions_rpe_estimated": week_sum(estimated.astype(float))[pick],
        "strength_sessions": week_sum(strength.astype(float))[pick],
        "rest_days": by_week(in_series & (counts == 0)).sum(axis=2)[pick],
        "longest_run_km": np.nan_to_num(longest[pick], nan=0.0),
        "distance_change_pct": change[pick],
        "long_run_spike_pct": spike[pick],
        "acwr": acwr[pick],
        "acwr_uncoupled": acwr_uncoupled[pick],
        "acwr_ewma": acwr_ewma[pick],
        "monotony": monotony[pick],
        "strain": strain[pick],
        "fitness": fitness[pick],
        "fatigue": fatigue[pick],
        "form": (fitness - fatigue)[pick],
    }
    for name, column in zip(_DEVICE_METRICS, (trimp, hrss, rtss, stress)):
        known = ~np.isnan(column)
        sums = week_sum(np.where(known, column, 0.0))
        out[name] = np.where(week_sum(known.astype(float)) > 0, sums, np.nan)[pick]
    out["load_metric"] = chosen[pick[0]]
    out["load"] = weekly_load[pick]
    out["sessions_load_estimated"] = week_sum(load_estimated.astype(float))[pick]
    for name in _INT_COLUMNS:
        out[name] = np.asarray(out[name]).astype(np.int64)
    return pd.DataFrame(out, columns=list(BATCH_COLUMNS))
