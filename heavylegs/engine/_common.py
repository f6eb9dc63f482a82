"""What the engine's modules share: the weekly columns, the day, the session RPE, window helpers.

The per-athlete tables (:mod:`heavylegs.engine.load`), the tables of many
athletes at once (:mod:`heavylegs.engine.batch`) and the device loads
(:mod:`heavylegs.engine.device_load`) take these from here, so that a
column, a convention or a window is written once. The formulas themselves
live in :mod:`heavylegs.metrics`.
"""
from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pandas as pd

from heavylegs.errors import InputError, Problem
from heavylegs.metrics.ratios import acute_chronic_ratio, ewma_acute_chronic_ratio, uncoupled_acute_chronic_ratio
from heavylegs.metrics.session import assumed_rpe

__all__ = [
    "WEEKLY_COLUMNS",
    "INT_COLUMNS",
    "TEXT_COLUMNS",
    "DEVICE_METRICS",
    "AUTO_DAYS",
    "empty_weekly",
    "as_day",
    "day_number",
    "session_rpe",
    "rolling_max_before",
    "auto_uses_stress",
    "ratio_columns",
]

#: Columns of the weekly table, in the spec's order.
WEEKLY_COLUMNS = (
    "week_start", "days", "runs", "distance_km", "duration_min", "load_au",
    "sessions_rpe_estimated", "strength_sessions", "rest_days", "longest_run_km",
    "distance_change_pct", "long_run_spike_pct", "acwr", "acwr_uncoupled", "acwr_ewma",
    "monotony", "strain", "fitness", "fatigue", "form",
    # Device load (spec/device-load.md): every metric's weekly sum, and the one in use.
    "trimp", "hrss", "rtss", "stress", "load_metric", "load", "sessions_load_estimated",
)
#: Its integer columns (counts) and its text column.
INT_COLUMNS = ("days", "runs", "sessions_rpe_estimated", "strength_sessions", "rest_days",
               "sessions_load_estimated")
TEXT_COLUMNS = ("load_metric",)
#: The device metrics summed by week (``spec/device-load.md``).
DEVICE_METRICS = ("trimp", "hrss", "rtss", "stress")
#: ``auto`` chooses the load metric from the sessions of this many days up to the last day.
AUTO_DAYS = 90


def empty_weekly() -> pd.DataFrame:
    """A weekly table without rows, with the columns and dtypes of a full one."""
    frame = pd.DataFrame({name: pd.Series(dtype="float64") for name in WEEKLY_COLUMNS})
    frame["week_start"] = pd.Series(dtype="datetime64[ns]")
    for name in INT_COLUMNS:
        frame[name] = pd.Series(dtype="int64")
    for name in TEXT_COLUMNS:
        frame[name] = pd.Series(dtype=object)
    return frame


def as_day(until, default):
    """``until`` as a midnight ``Timestamp`` (None: ``default``).

    Raises
    ------
    InputError
        When ``until`` is not a date (``YYYY-MM-DD`` text, a date, a
        datetime, a ``Timestamp`` or a ``datetime64``).
    """
    if until is None:
        return default
    if isinstance(until, str):
        try:
            return pd.Timestamp(date.fromisoformat(until.strip()))
        except ValueError:
            raise InputError([Problem("until", f"found {until!r}, expected a date YYYY-MM-DD")]) from None
    if isinstance(until, (pd.Timestamp, datetime)):
        stamp = pd.Timestamp(until)
        if stamp.tzinfo is not None:
            stamp = stamp.tz_localize(None)
        return stamp.normalize()
    if isinstance(until, date):
        return pd.Timestamp(until)
    if isinstance(until, np.datetime64):
        return pd.Timestamp(until).normalize()
    raise InputError([Problem("until", f"found {until!r}, expected a date YYYY-MM-DD")])


def day_number(value) -> int:
    """A date-like value (as :func:`as_day` reads it) as days since 1970-01-01."""
    return int(as_day(value, None).to_datetime64().astype("datetime64[D]").astype(np.int64))


def session_rpe(log: pd.DataFrame):
    """Each session's RPE, assumed by session type where unknown, and which were assumed.

    Parameters
    ----------
    log : pandas.DataFrame
        A checked training log.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        RPE [CR-10] of every row, and True where it was unknown and taken
        from :func:`heavylegs.metrics.session.assumed_rpe` (never for
        ``rest`` rows, whose RPE stays NaN).
    """
    rpe = np.array(log["rpe"], dtype=float)
    rest = (log["activity"] == "rest").to_numpy()
    unknown = np.isnan(rpe) & ~rest
    if unknown.any():
        rpe[unknown] = assumed_rpe(log["session_type"].to_numpy(dtype=object)[unknown])
    return rpe, unknown


def rolling_max_before(values: np.ndarray, window: int) -> np.ndarray:
    """For each day, the largest value (NaN ignored) of the ``window`` days before it, along the last axis.

    Parameters
    ----------
    values : numpy.ndarray
        Daily values, days along the last axis (leading axes: athletes).
    window : int
        Days looked back: day c sees days c − window … c − 1.

    Returns
    -------
    numpy.ndarray
        The shape of ``values``; NaN where none of those days has a value.

    Notes
    -----
    A doubling table of running maxima: about log₂(window) NumPy passes,
    whatever the window.
    """
    values = np.asarray(values, dtype=float)
    cols = values.shape[-1]
    padded = np.concatenate((np.full(values.shape[:-1] + (window,), np.nan), values), axis=-1)
    # span[..., i] = max of padded[..., i : i + width]; doubled until width ≥ window / 2.
    span, width = padded, 1
    while width * 2 <= window:
        span = np.fmax(span[..., :-width], span[..., width:])
        width *= 2
    # A window of `window` days from i is the union of [i, i + width) and [i + window − width, i + window).
    return np.fmax(span[..., :cols], span[..., window - width:window - width + cols])


def auto_uses_stress(total, with_rpe, with_stress):
    """Whether ``auto`` takes ``stress`` rather than ``srpe`` (``spec/device-load.md``).

    Parameters
    ----------
    total, with_rpe, with_stress : int or array-like
        Sessions (not rest rows) of the last :data:`AUTO_DAYS` days; those
        with an RPE; those with a stress value.

    Returns
    -------
    bool or numpy.ndarray
        True when fewer than half have an RPE and at least half have a
        stress value; ``srpe`` otherwise (also without sessions).
    """
    total = np.asarray(total)
    out = (total > 0) & (2 * np.asarray(with_rpe) < total) & (2 * np.asarray(with_stress) >= total)
    return bool(out) if out.ndim == 0 else out


def ratio_columns(acute, chronic, before_acute, acute_ewma, chronic_ewma, full) -> dict:
    """The three acute:chronic columns of the weekly table at each week's end.

    Parameters
    ----------
    acute, chronic, before_acute : numpy.ndarray
        Load of the 7 days, the 28 days and the 21 days before the 7 [AU].
    acute_ewma, chronic_ewma : numpy.ndarray
        The EWMA averages on the same day [AU].
    full : numpy.ndarray of bool
        Whether the series has 28 days up to that day; the ratios are null
        where not (``spec/metrics.md``).

    Returns
    -------
    dict
        ``acwr``, ``acwr_uncoupled``, ``acwr_ewma``.
    """
    return {
        "acwr": np.where(full, acute_chronic_ratio(acute, chronic), np.nan),
        "acwr_uncoupled": np.where(full, uncoupled_acute_chronic_ratio(acute, before_acute), np.nan),
        "acwr_ewma": np.where(full, ewma_acute_chronic_ratio(acute_ewma, chronic_ewma), np.nan),
    }
