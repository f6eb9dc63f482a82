"""Distance along a track of positions."""
from __future__ import annotations

import numpy as np

__all__ = ["EARTH_RADIUS_M", "cumulative_distance"]

#: Mean Earth radius for the haversine distance [m] (IUGG).
EARTH_RADIUS_M = 6_371_008.8


def cumulative_distance(lat_deg, lon_deg) -> np.ndarray:
    """Cumulative haversine distance along positions, starting at 0.

    Parameters
    ----------
    lat_deg, lon_deg : array-like of float
        Positions [degrees], in order.

    Returns
    -------
    numpy.ndarray
        Distance from the first position to each one [m]; NaN from the
        first position that is NaN on.

    Notes
    -----
    Each step is the great-circle distance 2R·asin(√h), h = sin²(Δφ/2) +
    cos φ₁ cos φ₂ sin²(Δλ/2), with the mean Earth radius R =
    :data:`EARTH_RADIUS_M` (``spec/device-load.md``).

    Examples
    --------
    >>> round(float(cumulative_distance([0, 1], [0, 0])[1]))
    111195
    """
    lat = np.radians(np.asarray(lat_deg, dtype=float))
    lon = np.radians(np.asarray(lon_deg, dtype=float))
    if len(lat) == 0:
        return np.zeros(0)
    dlat, dlon = np.diff(lat), np.diff(lon)
    h = np.sin(dlat / 2) ** 2 + np.cos(lat[:-1]) * np.cos(lat[1:]) * np.sin(dlon / 2) ** 2
    step = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
    return np.concatenate(([0.0], np.cumsum(step)))
