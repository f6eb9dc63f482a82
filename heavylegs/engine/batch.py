"""The weekly load tables of many athletes at once (``spec/metrics.md``, ``spec/device-load.md``).

:func:`weekly_tables` gives, for every athlete, exactly the table
:func:`heavylegs.engine.load.weekly_table` gives for that athlete alone, but computes
them together: the athletes are taken in chunks of about
:data:`_CHUNK_SESSIONS` sessions; the sessions of a chunk are one set of flat
arrays (the enumerations as integer codes), the daily series one athlete ×
day matrix and the weeks an athlete × week × 7 view of it, so the cost is a
fixed number of NumPy passes over cache-sized arrays instead of a few
hundred pandas calls per athlete.

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

from heavylegs.engine._common import (
    AUTO_DAYS,
    DEVICE_METRICS,
    INT_COLUMNS,
    WEEKLY_COLUMNS,
    auto_uses_stress,
    day_number,
    empty_weekly,
    ratio_columns,
    rolling_max_before,
)
from heavylegs.engine.device_load import check_metric, resolve_thresholds, session_heart_rate_bins
from heavylegs.errors import InputError, Problem
from heavylegs.logs.traininglog import checked_log, has_log_types
from heavylegs.metrics.averages import exponential_average
from heavylegs.metrics.fitness import FATIGUE_ALPHA, FITNESS_ALPHA
from heavylegs.metrics.heart_rate import banister_coefficients, hrss_scale, training_impulse
from heavylegs.metrics.monotony import monotony as monotony_of
from heavylegs.metrics.monotony import strain as strain_of
from heavylegs.metrics.pace import THRESHOLD_PACE_LOOKBACK_DAYS, rtss, threshold_run_speed
from heavylegs.metrics.progression import SPIKE_LOOKBACK_DAYS, distance_change_pct, long_run_spike_pct
from heavylegs.metrics.ratios import ACUTE_DAYS, CHRONIC_DAYS, EWMA_ACUTE_ALPHA, EWMA_CHRONIC_ALPHA
from heavylegs.metrics.session import (
    CALIBRATION_DAYS,
    DEFAULT_RPE_UNKNOWN_TYPE,
    assumed_rpe,
    rpe_calibration_factor,
    session_rpe_load,
)
from heavylegs.vocabulary import LOAD_METRICS

__all__ = ["BATCH_COLUMNS", "READ_COLUMNS", "weekly_tables", "long_log"]

#: Columns of :func:`weekly_tables`: ``athlete_id`` then those of :func:`~heavylegs.engine.load.weekly_table`.
BATCH_COLUMNS = ("athlete_id",) + WEEKLY_COLUMNS

#: Session columns the weekly tables read.
READ_COLUMNS = ("date", "activity", "duration_min", "distance_km", "rpe", "session_type", "avg_hr_bpm",
         "max_hr_bpm", "gap_distance_km", "hr_histogram")
# Columns the engine reads (the heart-rate ones only when a threshold allows TRIMP), and the texts.
_READ = ("date", "activity", "duration_min", "distance_km", "rpe", "session_type", "gap_distance_km")
_TEXT = ("activity", "session_type", "hr_histogram")
_TEXT_BLOCK = 4096  # texts compared together
_METRIC_CODE = {name: i for i, name in enumerate(LOAD_METRICS)}
#: Sessions computed together: the athletes are taken in chunks of about this many sessions, so
#: that the engine's temporary arrays stay small (in the processor's caches, and reused by the
#: allocator instead of being mapped afresh from the system each time).
_CHUNK_SESSIONS = 1 << 17


def long_log(logs) -> pd.DataFrame:
    """Many athletes' training logs as one frame with an ``athlete_id`` column.

    Parameters
    ----------
    logs : mapping or pandas.DataFrame
        ``{athlete_id: log}`` (each log as from
        :func:`~heavylegs.logs.traininglog.read_log`, or any frame
        :func:`~heavylegs.logs.traininglog.validate_log` accepts), or already one
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
        for name in READ_COLUMNS:
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
    parts = {name: [] for name in READ_COLUMNS}
    lengths = []
    for athlete in order:
        log = logs.get(athlete)
        log = checked_log(log) if log is not None else checked_log(None)
        lengths.append(len(log))
        for name in READ_COLUMNS:
            if name == "date":
                parts[name].append(log["date"].to_numpy(dtype="datetime64[ns]"))
            elif name in log.columns:
                dtype = object if name in ("activity", "session_type", "hr_histogram") else float
                parts[name].append(log[name].to_numpy(dtype=dtype))
            else:
                parts[name].append(np.full(len(log), np.nan, dtype=object if name == "hr_histogram" else float))
    columns = {}
    for name in READ_COLUMNS:
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
        :func:`long_log`; its logs must already have :func:`read_log`'s types;
        ``activity`` and ``session_type`` may be categorical, as a Parquet
        dictionary column gives them).
    until : date-like or mapping, optional
        Last day of every series, or ``{athlete_id: day}`` (a missing athlete
        or None: the last date of that athlete's log). As in
        :func:`~heavylegs.engine.load.weekly_table`.
    metric : str
        The load metric, as in :func:`~heavylegs.engine.load.weekly_table`, for
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
        :func:`~heavylegs.engine.load.weekly_table` (same dtypes), with a fresh
        0..n−1 index.

    Notes
    -----
    Every formula is the one :func:`~heavylegs.engine.load.weekly_table` calls
    (:mod:`heavylegs.metrics`), applied to all athletes' arrays at once; only
    the order of work differs, so a value may differ from the per-athlete
    one in its last bits (relative differences below 1e-12 on the random
    logs of ``tests/engine/test_batch.py``), never in whether it is null:

    * the enumerations ``activity`` and ``session_type`` are compared as
      text once per athlete (or once per category), then carried as codes;
    * session loads (sRPE with its estimates, TRIMP, HRSS, rTSS with the
      threshold pace from the log, the calibration of sRPE from HRSS) are
      computed on all sessions at once with each athlete's thresholds
      broadcast to its sessions; the heart-rate metrics only for athletes
      whose thresholds allow them;
    * the 7-, 21- and 28-day sums at a Sunday are sums of whole weeks'
      loads; the exponential averages are read at the Sundays only
      (:func:`~heavylegs.metrics.averages.exponential_average` with
      ``every=7``); the last week of each athlete, which may end before its
      Sunday, has its 7-, 21- and 28-day sums computed day by day and its
      averages taken back from the Sunday over the days without load. Loads are
      never negative, so a sum is 0 exactly when every day in it is 0 and
      the ratios are null exactly where the per-athlete table has them
      null (a log with a negative load takes the day-by-day path for every
      window);
    * rolling maxima over the 30 and 90 days before a day use a doubling
      table of running maxima.
    """
    metric = check_metric(metric)
    if isinstance(logs, pd.DataFrame):
        frame, codes, order = _frame_codes(logs, athletes)
        thresholds = _thresholds(profiles or {}, order)
        chunks = _frame_chunks(frame, codes, len(order), bool(thresholds["heart_rate"].any()))
    elif isinstance(logs, Mapping):
        order = list(logs.keys()) if athletes is None else list(athletes)
        thresholds = _thresholds(profiles or {}, order)
        chunks = _mapping_chunks(logs, order, bool(thresholds["heart_rate"].any()))
    else:
        raise InputError([Problem("logs", f"found {type(logs).__name__}, expected a mapping "
                                          "{athlete_id: log} or a frame with an 'athlete_id' column")])
    parts = []
    for lo, hi, sessions in chunks:
        part = _tables(sessions, order[lo:hi], until, metric, {k: v[lo:hi] for k, v in thresholds.items()})
        if part is not None:
            part["athlete_id"] += lo
            parts.append(part)
    if not parts:
        out = empty_weekly()
        out.insert(0, "athlete_id", pd.Series(dtype=object))
        return out
    columns = parts[0] if len(parts) == 1 else {name: np.concatenate([p[name] for p in parts])
                                                  for name in BATCH_COLUMNS}
    columns["athlete_id"] = _texts(order, columns["athlete_id"])
    columns["load_metric"] = _texts(LOAD_METRICS, columns["load_metric"])
    # Fresh arrays of this call only: no copy.
    return pd.DataFrame(columns, columns=list(BATCH_COLUMNS), copy=False)


def _texts(values, codes: np.ndarray):
    """``values[codes]`` as the column pandas would make of those objects (``str`` where it infers it).

    pandas infers the dtype of an object column from its values; it is
    inferred here from the distinct values used only, then the column is
    built by position, which is the same column at a fraction of the cost.
    """
    small = np.empty(len(values), dtype=object)
    for i, value in enumerate(values):  # element by element: a tuple stays one value
        small[i] = value
    used = np.bincount(codes, minlength=len(small)) > 0
    dtype = pd.Series(small[used]).dtype
    if dtype == object:
        return small[codes]
    return pd.array(small[used], dtype=dtype).take(np.cumsum(used)[codes] - 1)


# ---------------------------------------------------------------------------
# The sessions as flat arrays

_OTHER, _RUN, _REST, _STRENGTH = 0, 1, 2, 3  # activity codes
_NS_PER = {"D": 1, "h": 24, "m": 1440, "s": 86_400, "ms": 86_400_000, "us": 86_400_000_000,
           "ns": 86_400_000_000_000}


def _kinds(activity) -> np.ndarray:
    """Activity codes (:data:`_RUN`, :data:`_REST`, :data:`_STRENGTH`, else :data:`_OTHER`) of texts."""
    if isinstance(activity, pd.Categorical):
        of_category = np.append(_kinds(np.asarray(activity.categories, dtype=object)), _OTHER)
        return of_category[activity.codes]  # code −1 (no value): the last, other
    activity = np.asarray(activity, dtype=object)
    kind = np.empty(len(activity), dtype=np.int8)
    # In blocks, so that the texts compared a second time are still in the processor's cache.
    for start in range(0, len(activity), _TEXT_BLOCK):
        block = activity[start:start + _TEXT_BLOCK]
        run = block == "run"
        codes = kind[start:start + _TEXT_BLOCK]
        codes[:] = run
        others = np.flatnonzero(~run)  # one full text comparison; the rest only on the non-runs
        if len(others):
            text = block[others]
            codes[others[text == "rest"]] = _REST
            codes[others[text == "strength"]] = _STRENGTH
    return kind


def _assumed_rpe(session_type) -> np.ndarray:
    """The RPE ``spec/metrics.md`` assumes for each session type (texts or a categorical)."""
    if isinstance(session_type, pd.Categorical):
        of_category = np.append(_assumed_rpe(np.asarray(session_type.categories, dtype=object)),
                                DEFAULT_RPE_UNKNOWN_TYPE)
        return of_category[session_type.codes]  # code −1 (no value): the last, the RPE of no type
    return assumed_rpe(np.asarray(session_type, dtype=object))


def _day_numbers(dates) -> np.ndarray:
    """Days since 1970-01-01 of datetime64 values (any unit), floored like NumPy's conversion."""
    dates = np.asarray(dates)
    if dates.dtype.kind != "M":
        dates = dates.astype("datetime64[ns]")
    unit, count = np.datetime_data(dates.dtype)
    if unit not in _NS_PER or count != 1:
        return dates.astype("datetime64[D]").astype(np.int64)
    return dates.view(np.int64) // _NS_PER[unit]


def _getter(frame: pd.DataFrame):
    """A function giving a column's values without building a Series.

    pandas' ``DataFrame._get_column_array`` is internal; when it is missing
    (or the columns are not unique) the public ``frame[name].array`` is used.
    """
    fast = getattr(frame, "_get_column_array", None)
    if fast is not None and frame.columns.is_unique:
        where = frame.columns.get_loc
        try:
            fast(0)
            return lambda name: fast(where(name))
        except Exception:  # noqa: BLE001 - any change in pandas' internals: use the public path
            pass
    return lambda name: frame[name].array


def _values(column, dtype):
    if isinstance(column, pd.Categorical):
        return column
    return np.asarray(column, dtype=dtype)


def _coded(get, n: int, present) -> tuple:
    """(activity codes, rpe, unknown RPE, the RPE assumed for those) of a block of sessions."""
    kind = _kinds(_values(get("activity"), object)) if "activity" in present else np.zeros(n, np.int8)
    rpe = np.asarray(get("rpe"), dtype=float) if "rpe" in present else np.full(n, np.nan)
    unknown = np.isnan(rpe) & (kind != _REST)
    if "session_type" in present:
        types = _values(get("session_type"), object)[unknown]
    else:
        types = np.full(int(unknown.sum()), None, dtype=object)
    return kind, rpe, unknown, _assumed_rpe(types)


def _part(get, n: int, present, heart_rate: bool, coded=None) -> dict:
    """One block of sessions (athletes' logs, or a long frame) as the arrays the engine reads."""
    def floats(name):
        return np.asarray(get(name), dtype=float) if name in present else np.full(n, np.nan)

    kind, rpe, unknown, assumed = _coded(get, n, present) if coded is None else coded
    gap = get("gap_distance_km") if "gap_distance_km" in present else None
    gap = None if gap is None else np.asarray(gap, dtype=float)
    part = {"day": _day_numbers(get("date")), "kind": kind, "duration": floats("duration_min"),
            "distance": floats("distance_km"), "rpe": rpe, "unknown": unknown,
            "gap": None if gap is None or np.isnan(gap).all() else gap,  # None: no grade-adjusted distance
            "assumed": assumed}
    if heart_rate:
        part["avg_hr"] = floats("avg_hr_bpm")
        part["histogram"] = np.asarray(get("hr_histogram"), dtype=object) if "hr_histogram" in present \
            else np.full(n, np.nan, dtype=object)
    return part


def _frame_codes(logs: pd.DataFrame, athletes):
    """(the rows of the athletes asked for, their athletes' positions, the athletes) of a long frame."""
    if "athlete_id" not in logs.columns:
        raise InputError([Problem("logs", "found a frame without an 'athlete_id' column, expected "
                                          "one log per athlete or a frame with that column")])
    codes, uniques = pd.factorize(logs["athlete_id"], sort=False)
    codes = np.asarray(codes, dtype=np.int64)
    if athletes is None:
        return logs, codes, list(uniques)
    order = list(athletes)
    where = {a: i for i, a in enumerate(order)}
    remap = np.array([where.get(a, -1) for a in uniques], dtype=np.int64)
    codes = remap[codes] if len(codes) else codes
    if len(codes) and codes.min() < 0:  # rows of athletes not asked for
        return logs[codes >= 0], codes[codes >= 0], order
    return logs, codes, order


def _chunks(counts: np.ndarray) -> list:
    """Ranges of athletes [lo, hi) of about :data:`_CHUNK_SESSIONS` sessions each, from each one's count."""
    if len(counts) == 0:
        return []
    chunk = np.cumsum(counts) // _CHUNK_SESSIONS  # the chunk in which each athlete's sessions end
    cuts = np.flatnonzero(np.diff(chunk)) + 1
    bounds = [0] + cuts.tolist() + [len(counts)]
    return list(zip(bounds[:-1], bounds[1:]))


def _frame_chunks(frame: pd.DataFrame, codes: np.ndarray, n_athletes: int, heart_rate: bool):
    """(lo, hi, sessions) for ranges of athletes of a long frame; ``ath`` counts from ``lo``."""
    rows = None
    if len(codes) > 1 and (codes[1:] < codes[:-1]).any():  # athletes' rows not in order: sort them once
        rows = np.argsort(codes, kind="stable")
        codes = codes[rows]
    present = set(frame.columns)
    columns = {}

    def column(name):
        if name not in columns:
            values = frame[name]
            if isinstance(values.dtype, pd.CategoricalDtype):
                values = values.array
            else:
                values = values.to_numpy(dtype="datetime64[ns]" if name == "date" else (
                    object if name in ("activity", "session_type", "hr_histogram") else float))
            columns[name] = values if rows is None else values[rows]
        return columns[name]

    counts = np.bincount(codes, minlength=n_athletes)
    starts = np.concatenate(([0], np.cumsum(counts)))
    for lo, hi in _chunks(counts):
        r0, r1 = int(starts[lo]), int(starts[hi])
        part = _part(lambda name: column(name)[r0:r1], r1 - r0, present, heart_rate)
        part["ath"] = codes[r0:r1] - lo
        yield lo, hi, part


def _plain(values, name: str) -> np.ndarray:
    """A column's values as a NumPy array: datetime64, object for text, else float."""
    if name == "date":
        values = np.asarray(values)
        return values if values.dtype.kind == "M" else values.astype("datetime64[ns]")
    dtype = object if name in _TEXT else float
    if isinstance(values, np.ndarray) and values.dtype == dtype:
        return values
    return np.asarray(values, dtype=dtype)


def _mapping_chunks(logs: Mapping, order: list, heart_rate: bool):
    """(lo, hi, sessions) for ranges of athletes of ``{athlete_id: log}``; ``ath`` counts from ``lo``.

    The columns of a chunk's logs are joined first, so every later step is one
    NumPy call per chunk rather than one per athlete.
    """
    # The texts are coded athlete by athlete (while they are in the processor's cache); the other
    # columns are joined as they are and read once per chunk.
    names = ("date", "duration_min", "distance_km", "gap_distance_km") + \
        (("avg_hr_bpm", "hr_histogram") if heart_rate else ())
    coded_names = ("kind", "rpe", "unknown", "assumed")
    present = frozenset(names + ("activity", "rpe", "session_type"))

    def fresh():
        return {name: [] for name in names + coded_names}

    columns, lengths, lo, total = fresh(), [], 0, 0
    for position, athlete in enumerate(order):
        log = logs.get(athlete)
        count = 0
        if log is not None:
            if not has_log_types(log):
                log = checked_log(log)
            count = len(log)
            if count:
                get = _getter(log)
                for name in names:
                    values = _plain(get(name), name)
                    if name == "gap_distance_km" and np.isnan(values).all():
                        values = None  # no grade-adjusted distance: nothing to join
                    columns[name].append(values)
                for name, values in zip(coded_names, _coded(get, count, present)):
                    columns[name].append(values)
        lengths.append(count)
        total += count
        if total >= _CHUNK_SESSIONS or position == len(order) - 1:
            gaps = columns.pop("gap_distance_km")
            joined = {name: np.concatenate(parts) if parts else _plain(np.zeros(0), name)
                      for name, parts in columns.items() if name not in coded_names}
            if any(g is not None for g in gaps):
                joined["gap_distance_km"] = np.concatenate(
                    [np.full(len(k), np.nan) if g is None else g for g, k in zip(gaps, columns["kind"])])
            coded = tuple(np.concatenate(columns[name]) if columns[name] else np.zeros(0, dtype)
                          for name, dtype in zip(coded_names, (np.int8, float, bool, float)))
            part = _part(joined.get, total, present, heart_rate, coded)
            part["ath"] = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
            yield lo, position + 1, part
            columns, lengths, lo, total = fresh(), [], position + 1, 0


def _thresholds(profiles, athletes) -> dict:
    """Each athlete's heart-rate and pace thresholds as arrays (NaN: none)."""
    n = len(athletes)
    profile_list = _per_athlete(profiles, athletes) if isinstance(profiles, Mapping) else [profiles] * n
    names = ("hr_max", "hr_rest", "coef_a", "coef_b", "hrss_scale", "pace_entered")
    out = {name: np.full(n, np.nan) for name in names}
    out["pace_from_log"] = np.ones(n, dtype=bool)
    cache = {}
    for a, profile in enumerate(profile_list):
        key = None if not profile else tuple(sorted((k, str(v)) for k, v in dict(profile).items()))
        if key not in cache:
            t = resolve_thresholds(dict(profile or {}), None)
            hmax, hrest, lthr = t["hr_max"]["value"], t["hr_rest"]["value"], t["lthr"]["value"]
            entry = [np.nan] * 6 + [True]
            if hmax is not None and hrest is not None and hmax > hrest:
                ca, cb = banister_coefficients(t["sex"])
                scale = hrss_scale(hmax, hrest, lthr, t["sex"]) if lthr is not None else np.nan
                entry[:5] = [hmax, hrest, ca, cb, scale]
            if t["threshold_pace"]["provenance"] == "entered":
                entry[5], entry[6] = t["threshold_pace"]["value"], False
            cache[key] = entry
        for name, value in zip(names + ("pace_from_log",), cache[key]):
            out[name][a] = value
    out["heart_rate"] = ~np.isnan(out["hr_max"])
    return out


# ---------------------------------------------------------------------------
# Helpers


def _cell_extreme(cells: np.ndarray, values: np.ndarray, size: int, largest: bool) -> np.ndarray:
    """Min or max of integer ``values`` per cell (cells without values: the int64 limit)."""
    fill = np.iinfo(np.int64).min if largest else np.iinfo(np.int64).max
    out = np.full(size, fill, dtype=np.int64)
    if len(cells) == 0:
        return out
    starts = np.flatnonzero(np.concatenate(([True], cells[1:] != cells[:-1])))
    if len(np.unique(cells[starts])) == len(starts):  # each cell's values contiguous, as from a mapping
        out[cells[starts]] = (np.maximum if largest else np.minimum).reduceat(values, starts)
    else:
        (np.maximum if largest else np.minimum).at(out, cells, values)
    return out


def _per_athlete(values, athletes, default=None):
    if isinstance(values, Mapping):
        return [values.get(a, default) for a in athletes]
    return [values] * len(athletes)


# ---------------------------------------------------------------------------
# The engine


def _tables(s: dict, athletes: list, until, metric: str, th: dict) -> pd.DataFrame:
    n_athletes = len(athletes)
    ath, days_all = s["ath"], s["day"]

    # Each athlete's first day and last day (until), as day numbers since 1970.
    first = _cell_extreme(ath, days_all, n_athletes, largest=False)
    has = first != np.iinfo(np.int64).max
    latest = _cell_extreme(ath, days_all, n_athletes, largest=True)
    last = latest.copy()
    if isinstance(until, Mapping):
        for a, value in enumerate(_per_athlete(until, athletes)):
            if has[a] and value is not None:
                last[a] = day_number(value)
    elif until is not None and has.any():
        last[has] = day_number(until)
    n_days = np.where(has, np.maximum(last - first + 1, 0), 0)
    live = n_days > 0
    if not live.any():
        return None
    first = np.where(live, first, 0)
    if (last < latest)[has].any() or not live[has].all():  # sessions after `until` are left out
        keep = live[ath] & (days_all <= last[ath])
        rows = np.flatnonzero(keep)
        assumed = s["assumed"][keep[s["unknown"]]]  # one value per session of unknown RPE
        s = {name: None if values is None else values[rows] for name, values in s.items() if name != "assumed"}
        s["assumed"] = assumed
        ath, days_all = s["ath"], s["day"]
    kind, duration, distance, rpe = s["kind"], s["duration"], s["distance"], s["rpe"]
    rest, run = kind == _REST, kind == _RUN
    n = len(ath)

    # --- The athlete × day matrix: row a from the Monday of a's first week ---
    offset = ((first + 3) % 7).astype(np.int64)  # 1970-01-01 was a Thursday: Monday 0
    ends_at = offset + n_days  # one past the last column in the series
    n_weeks = np.where(live, -(-ends_at // 7), 0)
    n_week_cols = int(n_weeks.max())
    n_cols = n_week_cols * 7
    size = n_athletes * n_cols
    wsize = n_athletes * n_week_cols
    base = np.arange(n_athletes, dtype=np.int64) * n_cols + offset - first  # a session's cell: day + base
    flat = days_all + base[ath]
    week_flat = flat // 7  # = athlete × weeks + column // 7, as n_cols is a multiple of 7

    def week_sum(weights):
        return np.bincount(week_flat, weights=weights, minlength=wsize).reshape(n_athletes, n_week_cols)

    def week_count(mask):
        return np.bincount(week_flat[mask], minlength=wsize).reshape(n_athletes, n_week_cols)

    def day_max(mask, values):
        """Each day's largest of ``values`` (not NaN) over the sessions in ``mask``, (athletes, columns)."""
        best = np.full(size, -np.inf)
        np.maximum.at(best, flat[mask], values[mask])
        best[best == -np.inf] = np.nan
        return best.reshape(n_athletes, n_cols)

    # --- Session loads (device_load.session_load_arrays, every athlete at once) ---
    unknown = s["unknown"]
    rpe_used = rpe.copy()
    rpe_used[unknown] = s["assumed"]
    minutes = np.nan_to_num(duration)
    srpe = session_rpe_load(rpe_used, minutes)
    srpe[rest] = 0.0
    minutes[rest] = 0.0  # the week's duration: every session but rest rows

    trimp = hrss = None  # None: no session has one (rest rows have 0)
    hr_athletes = th["heart_rate"] & live
    if hr_athletes.any():
        hr_max, hr_rest, coef_a, coef_b = th["hr_max"], th["hr_rest"], th["coef_a"], th["coef_b"]
        rows = np.flatnonzero(hr_athletes[ath])
        bins = session_heart_rate_bins(rest[rows], duration[rows], s["avg_hr"][rows], s["histogram"][rows])
        has_hr = np.zeros(n, dtype=bool)
        has_hr[rows] = bins.source != None  # noqa: E711 - element-wise on an object array
        session = rows[bins.session]
        b_ath = ath[session]
        weights = training_impulse(bins.seconds / 60.0, bins.bpm, hr_max[b_ath], hr_rest[b_ath],
                                   coef_a[b_ath], coef_b[b_ath])
        sums = np.bincount(session, weights=weights, minlength=n)[:n]
        trimp = np.where(has_hr, sums, np.nan)
        hrss = trimp * th["hrss_scale"][ath]

    gap = s["gap"]
    pace_distance = distance if gap is None else np.where(np.isnan(gap), distance, gap)
    pace_from_log = th["pace_from_log"] & live
    pace = th["pace_entered"][ath] if (~pace_from_log & live).any() else None
    if pace_from_log.any():
        # device_load._log_paces: the runs that can set a threshold pace, and the best of the 90 days
        # before each day; columns outside a series hold none.
        speed = threshold_run_speed(duration, pace_distance)
        usable = run & ~np.isnan(speed)
        if not pace_from_log.all():
            usable &= pace_from_log[ath]
        if usable.any():
            best = rolling_max_before(day_max(usable, speed), THRESHOLD_PACE_LOOKBACK_DAYS).reshape(-1)
            with np.errstate(divide="ignore"):
                from_log = 1.0 / best[flat]
            pace = from_log if pace is None else np.where(pace_from_log[ath], from_log, pace)
    if pace is None:
        pace = np.full(n, np.nan)
    rtss_values = rtss(duration, pace_distance, pace)
    rtss_values[~run] = np.nan
    stress = rtss_values if hrss is None else np.where(np.isnan(hrss), rtss_values, hrss)

    # sRPE calibrated from HRSS: k over the pairs of the 365 days up to the session's date.
    estimated = unknown
    if hrss is not None:
        pair = ~unknown & ~rest & ~np.isnan(hrss)
        candidates = unknown & ~np.isnan(hrss)
        if pair.any() and candidates.any():
            # One range of keys per athlete, further apart than a window: athletes calibrated at once.
            span = int(n_days.max()) + CALIBRATION_DAYS + 1
            key = ath * span + (days_all - first[ath])
            cand = np.flatnonzero(candidates)
            k = rpe_calibration_factor(key[pair], srpe[pair], hrss[pair], key[cand])
            ok = ~np.isnan(k)
            srpe[cand[ok]] = k[ok] * hrss[cand[ok]]
    for values in (trimp, hrss, rtss_values, stress):
        if values is not None:
            values[rest] = 0.0

    # --- The metric in use, per athlete ---
    if metric == "auto":
        # The sessions of the 90 days up to each athlete's last day.
        window = flat > (base + last - AUTO_DAYS)[ath]
        window &= ~rest
        total = np.bincount(ath[window], minlength=n_athletes)
        with_rpe = np.bincount(ath[window & ~np.isnan(rpe)], minlength=n_athletes)
        with_stress = total  # counted only where it can matter: too few RPEs
        if ((total > 0) & (2 * with_rpe < total)).any():
            with_stress = np.bincount(ath[window & ~np.isnan(stress)], minlength=n_athletes)
        use_stress = auto_uses_stress(total, with_rpe, with_stress)
        chosen = np.where(use_stress, _METRIC_CODE["stress"], _METRIC_CODE["srpe"])
        if not use_stress.any():
            values, load_estimated = srpe, estimated
        else:
            values = np.where(use_stress[ath], stress, srpe)
            load_estimated = np.where(use_stress[ath], ~rest & np.isnan(values), estimated)
    else:
        chosen = np.full(n_athletes, _METRIC_CODE[metric])
        if metric in ("trimp", "hrss") and trimp is None:
            values = np.where(rest, 0.0, np.nan)
        else:
            values = {"srpe": srpe, "trimp": trimp, "hrss": hrss, "rtss": rtss_values, "stress": stress}.get(metric)
        if metric == "duration":
            values = np.where(rest, 0.0, duration)
        elif metric == "distance":
            values = np.where(run, distance, 0.0)
        load_estimated = estimated if metric == "srpe" else ~rest & np.isnan(values)

    # --- Sums by day and by week ---
    kinds_week = np.bincount(week_flat * 4 + kind, minlength=wsize * 4).reshape(n_athletes, n_week_cols, 4)
    busy = np.zeros(size, dtype=bool)  # days with a session that is not a rest row
    busy[flat[~rest]] = True
    load_day = np.bincount(flat, weights=values if values is srpe else np.nan_to_num(values), minlength=size)
    weeks = load_day.reshape(n_athletes, n_week_cols, 7)
    day_of = [weeks[:, :, j] for j in range(7)]  # the weekdays as (athletes, weeks) views
    weekly_load = _week_reduce(day_of, np.add)

    columns = np.arange(n_cols)
    in_series = ((columns >= offset[:, None]) & (columns < ends_at[:, None]))
    days = in_series.reshape(n_athletes, n_week_cols, 7).sum(axis=2)
    rest_days = (in_series.reshape(-1) & ~busy).reshape(n_athletes, n_week_cols, 7).sum(axis=2)

    known_run = run & ~np.isnan(distance)
    longest_day = day_max(known_run, distance)
    distance_week = week_sum(np.where(known_run, distance, 0.0))
    longest = _week_reduce(_weekdays(longest_day), np.fmax)
    previous = np.concatenate((np.full((n_athletes, 1), np.nan), distance_week[:, :-1]), axis=1)
    change = distance_change_pct(distance_week, previous)
    spike_day = long_run_spike_pct(longest_day, rolling_max_before(longest_day, SPIKE_LOOKBACK_DAYS))
    spike = _week_reduce(_weekdays(spike_day), np.fmax)

    # 7-, 21- and 28-day sums at each week's end.
    week_index = np.arange(n_week_cols)
    end_col = np.maximum(np.minimum(week_index[None, :] * 7 + 6, ends_at[:, None] - 1), 0)  # (athletes, weeks)
    full = (end_col - offset[:, None]) >= CHRONIC_DAYS - 1
    last_week = np.where(live, n_weeks - 1, -1)
    if load_day.min(initial=0.0) >= 0.0:
        # A Sunday's windows are whole weeks: sums of non-negative week sums.
        padded = np.concatenate((np.zeros((n_athletes, 3)), weekly_load), axis=1)
        acute = weekly_load.copy()
        before_acute = (padded[:, 0:-3] + padded[:, 1:-2]) + padded[:, 2:-1]
        chronic = before_acute + acute
        alive = np.flatnonzero(live)
        ends = (alive, last_week[alive])  # the last week may end before its Sunday: day by day
    else:
        ends = np.nonzero(week_index[None, :] < n_weeks[:, None])
        acute, chronic, before_acute = (np.zeros((n_athletes, n_week_cols)) for _ in range(3))
    daily = np.concatenate((np.zeros((n_athletes, CHRONIC_DAYS - 1)), load_day.reshape(n_athletes, n_cols)),
                           axis=1)
    windows = sliding_window_view(daily, CHRONIC_DAYS, axis=1)[ends[0], end_col[ends]]
    acute[ends] = windows[:, -ACUTE_DAYS:].sum(axis=1)
    chronic[ends] = windows.sum(axis=1)
    before_acute[ends] = windows[:, :-ACUTE_DAYS].sum(axis=1)

    # Exponential averages at each Sunday. The averages of the EWMA ratio start at the first day's
    # load: X = that load on the day before it, which, over the days of its week before the series
    # (0 in the row), is X = load ÷ (1 − λ)^offset before the row. The last week ends on its last day
    # in the series, not its Sunday: the days after it hold no load, so X there is the Sunday's X
    # undone by those days' decay, ÷ (1 − α) a day.
    daily_load = load_day.reshape(n_athletes, n_cols)
    first_load = daily_load[np.arange(n_athletes), np.minimum(offset, n_cols - 1)]
    alive = np.flatnonzero(live)
    after = (6 - (ends_at - 1) % 7)[alive]
    averages = []
    for alpha, seeded in ((EWMA_ACUTE_ALPHA, True), (EWMA_CHRONIC_ALPHA, True), (FITNESS_ALPHA, False),
                          (FATIGUE_ALPHA, False)):
        keep = 1.0 - alpha
        x = exponential_average(daily_load, alpha, first_load / keep ** offset if seeded else 0.0, every=7)
        x[alive, last_week[alive]] /= keep ** after
        averages.append(x)
    e_acute, e_chronic, fitness, fatigue = averages

    ratios = ratio_columns(acute, chronic, before_acute, e_acute, e_chronic, full)
    monotony = np.where(days == 7, monotony_of(weeks), np.nan)  # whole weeks only
    strain = strain_of(weekly_load, monotony)

    # --- Rows: the weeks each athlete has, athlete by athlete ---
    pick = week_index[None, :] < n_weeks[:, None]  # row-major: athlete by athlete, weeks in order
    week_start = ((first - offset)[:, None] + week_index[None, :] * 7)[pick]
    out = {
        "athlete_id": np.repeat(np.arange(n_athletes, dtype=np.int64), n_weeks),  # positions, named later
        "week_start": week_start.astype("datetime64[D]").astype("datetime64[ns]"),
        "days": days[pick],
        "runs": kinds_week[..., _RUN][pick],
        "distance_km": distance_week[pick],
        "duration_min": week_sum(minutes)[pick],
        "load_au": (weekly_load if values is srpe else week_sum(srpe))[pick],
        "sessions_rpe_estimated": week_count(estimated)[pick],
        "strength_sessions": kinds_week[..., _STRENGTH][pick],
        "rest_days": rest_days[pick],
        "longest_run_km": np.nan_to_num(longest[pick], nan=0.0),
        "distance_change_pct": change[pick],
        "long_run_spike_pct": spike[pick],
        **{name: values[pick] for name, values in ratios.items()},
        "monotony": monotony[pick],
        "strain": strain[pick],
        "fitness": fitness[pick],
        "fatigue": fatigue[pick],
        "form": (fitness - fatigue)[pick],
    }
    rest_rows = kinds_week[..., _REST][pick]
    done = {}
    for name, column in zip(DEVICE_METRICS, (trimp, hrss, rtss_values, stress)):
        if column is None:  # only rest rows have a value: 0
            out[name] = np.where(rest_rows > 0, 0.0, np.nan)
        elif id(column) in done:
            out[name] = done[id(column)]
        else:
            known = ~np.isnan(column)
            sums = week_sum(np.where(known, column, 0.0))[pick]
            out[name] = done[id(column)] = np.where(week_count(known)[pick] > 0, sums, np.nan)
    out["load_metric"] = np.repeat(chosen, n_weeks)
    out["load"] = weekly_load[pick]
    out["sessions_load_estimated"] = (out["sessions_rpe_estimated"] if load_estimated is estimated
                                      else week_count(load_estimated)[pick])
    for name in INT_COLUMNS:
        out[name] = np.asarray(out[name]).astype(np.int64, copy=False)
    return out


def _weekdays(matrix: np.ndarray) -> list:
    """An (athletes, weeks × 7) matrix as its seven weekdays, each (athletes, weeks)."""
    weeks = matrix.reshape(matrix.shape[0], -1, 7)
    return [weeks[:, :, j] for j in range(7)]


def _week_reduce(days: list, ufunc) -> np.ndarray:
    """``ufunc`` over the seven weekdays, Monday first, one after the other.

    The same order as NumPy's reduction of seven values along an axis, so
    sums equal ``sum(axis=…)`` bit for bit, at a fraction of its cost.
    """
    out = ufunc(days[0], days[1])
    for day in days[2:]:
        ufunc(out, day, out=out)
    return out
