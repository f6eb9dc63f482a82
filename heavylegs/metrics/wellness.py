"""Wellness baselines (``spec/wellness.md``, "Baselines"): NumPy only.

For one source's daily values (one HRV kind), on the days up to day d:

* **recent** = mean of the values of the 7 days d−6 … d (at least 4 values);
* **baseline** = mean and standard deviation of the values of the 60 days
  before those 7, d−66 … d−7 (at least 21 values).

HRV is compared on ln(ms), as in Plews 2012: HRV is skewed and its day-to-day
changes are proportional. "Below normal" is recent < baseline mean − 1 SD.
The standard deviation is the sample one (n − 1).

References
----------
Plews DJ, Laursen PB, Kilding AE, Buchheit M 2012, Heart rate variability in
elite triathletes, is variation in variability the key to effective training?
A case comparison, Eur J Appl Physiol 112(11).

Buchheit M 2014, Monitoring training status with HR measures: do all roads
lead to Rome? Front Physiol 5:73.
"""
from __future__ import annotations

import numpy as np

__all__ = ["RECENT_DAYS", "RECENT_MIN", "BASELINE_DAYS", "BASELINE_MIN", "SLEEP_DAYS", "SLEEP_MIN",
           "HIGH_RHR_BPM", "recent_and_baseline", "window_mean", "rolling_baseline"]

#: Days of the recent window, ending on the assessment day [days].
RECENT_DAYS = 7
#: Values the recent window needs.
RECENT_MIN = 4
#: Days of the baseline, just before the recent window [days].
BASELINE_DAYS = 60
#: Values the baseline needs.
BASELINE_MIN = 21
#: Days of the sleep mean that fills an unknown ``sleep_h`` [days].
SLEEP_DAYS = 14
#: Nights that mean needs (half the window; the spec leaves it open).
SLEEP_MIN = 7
#: A morning's resting heart rate this far above the baseline mean is "high" [bpm].
HIGH_RHR_BPM = 5.0


def window_mean(offsets, values, first: int, last: int):
    """Mean and count of the values whose day offset lies in ``first`` … ``last``.

    Parameters
    ----------
    offsets : array_like of int
        Days before the assessment day (0 = that day, 6 = six days before).
    values : array_like of float
        One value per offset; NaN counts as missing.
    first, last : int
        Offsets bounding the window, inclusive (``first`` ≤ ``last``).

    Returns
    -------
    mean : float
        NaN when the window holds no value.
    sd : float
        Sample standard deviation; NaN with fewer than 2 values.
    n : int
    """
    offsets = np.asarray(offsets, dtype=np.int64)
    values = np.asarray(values, dtype=float)
    pick = (offsets >= first) & (offsets <= last) & ~np.isnan(values)
    n = int(pick.sum())
    if n == 0:
        return float("nan"), float("nan"), 0
    chosen = values[pick]
    sd = float(np.std(chosen, ddof=1)) if n > 1 else float("nan")
    return float(chosen.mean()), sd, n


def recent_and_baseline(offsets, values, *, log: bool = False) -> dict:
    """The recent mean and the baseline of one series up to the assessment day.

    Parameters
    ----------
    offsets : array_like of int
        Days before the assessment day of each value (0 = that day).
    values : array_like of float
        The values (rMSSD or SDNN [ms], resting heart rate [bpm]); NaN missing.
    log : bool
        Work on ln(value) (HRV).

    Returns
    -------
    dict
        ``recent`` (mean of d−6 … d, None with fewer than 4 values),
        ``n_recent``, ``baseline`` and ``sd`` (of d−66 … d−7, None with fewer
        than 21 values), ``n_baseline``, and ``below_normal`` (recent <
        baseline − sd; None when either is unknown), on the ln scale when
        ``log``.

    Examples
    --------
    >>> import numpy as np
    >>> offsets = np.arange(66, -1, -1)                      # 67 days, oldest first
    >>> hrv = np.r_[np.full(60, 60.0), np.full(7, 45.0)]     # spec reference case
    >>> out = recent_and_baseline(offsets, hrv, log=True)
    >>> round(out["baseline"], 3), round(out["recent"], 3), out["sd"], out["below_normal"]
    (4.094, 3.807, 0.0, True)
    """
    values = np.asarray(values, dtype=float)
    if log:
        with np.errstate(divide="ignore", invalid="ignore"):
            values = np.where(values > 0, np.log(values), np.nan)
    recent, _sd, n_recent = window_mean(offsets, values, 0, RECENT_DAYS - 1)
    base, sd, n_base = window_mean(offsets, values, RECENT_DAYS, RECENT_DAYS + BASELINE_DAYS - 1)
    recent_v = recent if n_recent >= RECENT_MIN else None
    base_v = base if n_base >= BASELINE_MIN else None
    sd_v = sd if n_base >= BASELINE_MIN else None
    below = None if recent_v is None or base_v is None else bool(recent_v < base_v - sd_v)
    return {"recent": recent_v, "n_recent": n_recent, "baseline": base_v, "sd": sd_v,
            "n_baseline": n_base, "below_normal": below}


def rolling_baseline(values, *, log: bool = False):
    """For each day of a daily series, the baseline as that morning's (the 60 days d−66 … d−7).

    Parameters
    ----------
    values : array_like of float, shape (n,)
        One value per consecutive day (NaN: none that day).
    log : bool
        Work on ln(value) (HRV).

    Returns
    -------
    mean, sd : numpy.ndarray of float, shape (n,)
        NaN where the 60 days before hold fewer than 21 values.
    """
    x = np.asarray(values, dtype=float)
    if log:
        with np.errstate(divide="ignore", invalid="ignore"):
            x = np.where(x > 0, np.log(x), np.nan)
    n = len(x)
    known = ~np.isnan(x)
    z = np.where(known, x, 0.0)
    c0 = np.concatenate([[0], np.cumsum(known.astype(np.int64))])
    c1 = np.concatenate([[0.0], np.cumsum(z)])
    c2 = np.concatenate([[0.0], np.cumsum(z * z)])
    day = np.arange(n)
    a = np.clip(day - (RECENT_DAYS + BASELINE_DAYS - 1), 0, n)
    b = np.clip(day - RECENT_DAYS + 1, 0, n)
    count = c0[b] - c0[a]
    total = c1[b] - c1[a]
    squares = c2[b] - c2[a]
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = total / count
        var = (squares - count * mean * mean) / (count - 1)
    sd = np.sqrt(np.clip(var, 0.0, None))
    enough = count >= BASELINE_MIN
    return np.where(enough, mean, np.nan), np.where(enough, sd, np.nan)
