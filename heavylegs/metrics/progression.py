"""How fast running volume grows: week-to-week distance change and the long-run spike."""
from __future__ import annotations

import numpy as np

__all__ = ["SPIKE_LOOKBACK_DAYS", "distance_change_pct", "long_run_spike_pct"]

#: A run is compared with the longest run of this many days before it [days].
SPIKE_LOOKBACK_DAYS = 30


def distance_change_pct(distance_km, previous_km):
    """Change of a week's running distance from the week before.

    Parameters
    ----------
    distance_km : float or array-like
        This week's run distance [km].
    previous_km : float or array-like
        The previous week's [km].

    Returns
    -------
    float or numpy.ndarray
        (distance − previous) ÷ previous × 100 [%]; NaN where the previous
        week is 0 km (or NaN).

    References
    ----------
    Nielsen RO, Parner ET, Nohr EA, et al. (2014). Excessive progression in
    weekly running distance and risk of running-related injuries. J Orthop
    Sports Phys Ther 44(10):739-747.

    Examples
    --------
    >>> distance_change_pct(39.0, 30.0)
    30.0
    """
    distance = np.asarray(distance_km, dtype=float)
    previous = np.asarray(previous_km, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(previous > 0, (distance - previous) / previous * 100.0, np.nan)
    return float(out) if out.ndim == 0 else out


def long_run_spike_pct(longest_km, longest_before_km):
    """How much longer a run is than the longest of the 30 days before it.

    Parameters
    ----------
    longest_km : float or array-like
        The run's distance (a day's longest run) [km].
    longest_before_km : float or array-like
        The longest run of the :data:`SPIKE_LOOKBACK_DAYS` days before that
        day, the day itself not counted [km].

    Returns
    -------
    float or numpy.ndarray
        (longest ÷ longest before − 1) × 100 [%]; NaN where there was no
        run before (0 km or NaN).

    References
    ----------
    Frandsen JSB, Hulme A, Parner ET, et al. (2025). How much running is too
    much? Identifying high-risk running sessions in a 5200-person cohort
    study (Garmin-RUNSAFE). Br J Sports Med 59(17).

    Examples
    --------
    >>> round(long_run_spike_pct(22.0, 20.0), 6)
    10.0
    """
    longest = np.asarray(longest_km, dtype=float)
    before = np.asarray(longest_before_km, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.divide(longest, before)
        out -= 1.0
        out *= 100.0  # in place: every day of many athletes goes through here
    if out.ndim == 0:
        return float(out) if before > 0 else float("nan")
    out[~(before > 0)] = np.nan
    return out
