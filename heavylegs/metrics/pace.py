"""Pace load: the grade-adjusted-pace factor and distance, rTSS, the runs that set a threshold pace."""
from __future__ import annotations

from bisect import bisect_left

import numpy as np

__all__ = [
    "GAP_COEFFICIENTS",
    "MAX_GRADE_PCT",
    "SEGMENT_M",
    "THRESHOLD_RUN_MIN",
    "THRESHOLD_PACE_RANGE_MIN_KM",
    "THRESHOLD_PACE_LOOKBACK_DAYS",
    "gap_factor",
    "grade_adjusted_distance",
    "rtss",
    "threshold_run_speed",
]

#: Polynomial f(g) fitted to Strava's grade-adjusted-pace curve, highest power
#: first (g in %, as used by GoldenCheetah's Daniels points).
GAP_COEFFICIENTS = (-3.40e-9, -4.71e-7, 7.78e-7, 0.001907, 0.02998, 0.99358)
#: Grades are clamped to ± this [%].
MAX_GRADE_PCT = 40.0
#: Grade-adjusted segments close at this distance [m].
SEGMENT_M = 20.0
#: Runs that can set a threshold pace last this long [min] ...
THRESHOLD_RUN_MIN = (30.0, 75.0)
#: ... at a pace in this range [min/km] (outside it: a recording fault) ...
THRESHOLD_PACE_RANGE_MIN_KM = (2.5, 12.0)
#: ... within this many days before the day in question.
THRESHOLD_PACE_LOOKBACK_DAYS = 90


def gap_factor(grade_pct):
    """Cost of running on a grade relative to the flat, Strava's GAP curve.

    Parameters
    ----------
    grade_pct : float or array-like
        Grade [%], 100 × rise ÷ run; clamped to ±40.

    Returns
    -------
    float or numpy.ndarray
        f(g) [-] = −3.40e-9 g⁵ − 4.71e-7 g⁴ + 7.78e-7 g³ + 0.001907 g²
        + 0.02998 g + 0.99358.

    References
    ----------
    The polynomial is the fit to Strava's grade-adjusted-pace curve used by
    GoldenCheetah (``src/Metrics/DanielsPoints.cpp``).

    Examples
    --------
    >>> round(gap_factor(0), 5), round(gap_factor(10), 4), round(gap_factor(-10), 4)
    (0.99358, 1.4798, 0.8793)
    """
    g = np.clip(np.asarray(grade_pct, dtype=float), -MAX_GRADE_PCT, MAX_GRADE_PCT)
    value = np.polyval(GAP_COEFFICIENTS, g)
    return float(value) if value.ndim == 0 else value


def grade_adjusted_distance(distance_m, altitude_m) -> float:
    """Grade-adjusted distance of a session's records.

    Parameters
    ----------
    distance_m : array-like of float
        Cumulative distance of each record [m] (the record's own, else
        :func:`heavylegs.metrics.distance.cumulative_distance` of the
        positions); NaN when unknown.
    altitude_m : array-like of float
        Altitude of each record [m]; NaN when unknown.

    Returns
    -------
    float
        Σ Δdistance × f(grade) over segments [km]; NaN without two records
        that have both a distance and an altitude.

    Notes
    -----
    Records with both a distance and an altitude are grouped, in order, into
    segments of at least 20 m: a segment closes at the first record that
    takes it to 20 m or more, and the next one starts there. Each segment
    counts Δdistance × :func:`gap_factor` (100 × Δaltitude ÷ Δdistance). The
    last, unclosed stretch (under 20 m) is not counted (``spec/device-load.md``).
    """
    d = np.asarray(distance_m, dtype=float)
    z = np.asarray(altitude_m, dtype=float)
    keep = ~np.isnan(d) & ~np.isnan(z)
    d, z = d[keep], z[keep]
    if len(d) < 2:
        return float("nan")
    d = np.maximum.accumulate(d)  # a cumulative distance never goes back
    cumulative = d.tolist()
    ends = [0]
    i, n = 0, len(cumulative)
    while True:
        j = bisect_left(cumulative, cumulative[i] + SEGMENT_M, i + 1)
        if j >= n:
            break
        ends.append(j)
        i = j
    if len(ends) < 2:
        return 0.0
    ends = np.asarray(ends)
    run = np.diff(d[ends])
    rise = np.diff(z[ends])
    return float(np.sum(run * gap_factor(100.0 * rise / run))) / 1000.0


def rtss(duration_min, distance_km, threshold_pace_min_km):
    """Running stress score: one hour at threshold pace is 100.

    Parameters
    ----------
    duration_min : float or array-like
        Moving time t [min].
    distance_km : float or array-like
        Grade-adjusted distance (else distance) [km].
    threshold_pace_min_km : float or array-like
        Pace the athlete can hold for about an hour [min/km].

    Returns
    -------
    float or numpy.ndarray
        100 × (t ÷ 60) × (v ÷ v_thr)² [-], v = distance ÷ t, v_thr = 1 ÷
        threshold pace [km/min]; NaN where an input is NaN or t ≤ 0.

    Examples
    --------
    >>> round(rtss(50, 10, 4.0), 2)
    53.33
    """
    duration = np.asarray(duration_min, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = np.asarray(distance_km, dtype=float) / duration * threshold_pace_min_km  # v ÷ v_thr
        out = duration / 60.0
        out *= 100.0
        relative *= relative
        out *= relative
    if out.ndim == 0:
        return float(out) if duration > 0 else float("nan")
    out[~(duration > 0)] = np.nan  # in place: a whole federation's sessions go through here
    return out


def threshold_run_speed(duration_min, distance_km):
    """The speed of a run that can set a threshold pace, else NaN.

    Parameters
    ----------
    duration_min : float or array-like
        The run's duration [min].
    distance_km : float or array-like
        Its grade-adjusted distance (else distance) [km].

    Returns
    -------
    float or numpy.ndarray
        Average speed [km/min] of runs of 30-75 min at a pace of 2.5-12
        min/km (:data:`THRESHOLD_RUN_MIN`, :data:`THRESHOLD_PACE_RANGE_MIN_KM`);
        NaN for any other. The caller keeps runs only, and takes the
        highest of the 90 days before a day as its threshold pace
        (``spec/device-load.md``).
    """
    duration = np.asarray(duration_min, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        speed = np.asarray(distance_km, dtype=float) / duration
    low, high = THRESHOLD_RUN_MIN
    fast, slow = THRESHOLD_PACE_RANGE_MIN_KM
    ok = (duration >= low) & (duration <= high) & (speed >= 1.0 / slow) & (speed <= 1.0 / fast)
    out = np.where(ok, speed, np.nan)
    return float(out) if out.ndim == 0 else out
