"""Session-RPE load (``spec/metrics.md``, "Session load")."""
from __future__ import annotations

import itertools

import numpy as np

__all__ = ["DEFAULT_RPE", "DEFAULT_RPE_UNKNOWN_TYPE", "CALIBRATION_DAYS", "CALIBRATION_MIN_PAIRS",
           "session_rpe_load", "assumed_rpe", "rpe_calibration_factor"]

#: Session RPE (CR-10) assumed for a session whose RPE is unknown, by session type.
DEFAULT_RPE = {
    "recovery": 2.0, "easy": 3.0, "long": 4.0, "tempo": 6.0, "hills": 7.0,
    "interval": 7.0, "race": 9.0, "strength": 5.0, "cross": 3.0,
}
#: Session RPE assumed when neither the RPE nor the session type is known.
DEFAULT_RPE_UNKNOWN_TYPE = 3.0
#: sRPE is calibrated from HRSS over the sessions of this many days up to a session's date ...
CALIBRATION_DAYS = 365
#: ... when at least this many of them have both an RPE and an HRSS.
CALIBRATION_MIN_PAIRS = 8


def session_rpe_load(rpe, duration_min):
    """Session load: session RPE × duration.

    Parameters
    ----------
    rpe : float or array-like
        Session rating of perceived exertion, CR-10 scale [0-10].
    duration_min : float or array-like
        Session duration [min].

    Returns
    -------
    float or numpy.ndarray
        Session load [AU]; NaN where an input is NaN.

    Notes
    -----
    load = RPE × t (Foster et al. 2001). An unknown RPE is not this
    function's business: see :func:`assumed_rpe`.

    References
    ----------
    Foster C, Florhaug JA, Franklin J, et al. (2001). A new approach to
    monitoring exercise training. J Strength Cond Res 15(1):109-115.

    Examples
    --------
    >>> session_rpe_load(6, 50)
    300.0
    """
    load = np.multiply(np.asarray(rpe, dtype=float), np.asarray(duration_min, dtype=float))
    return float(load) if load.ndim == 0 else load


def assumed_rpe(session_type):
    """The RPE ``spec/metrics.md`` assumes for a session of unknown RPE, by its type.

    Parameters
    ----------
    session_type : str, None or array-like of them
        Session types (``recovery``, ``easy``, ``long``, ``tempo``, ``hills``,
        ``interval``, ``race``, ``strength``, ``cross``); anything else,
        None or NaN is an unknown type.

    Returns
    -------
    float or numpy.ndarray
        RPE [CR-10]: recovery 2, easy 3, long 4, tempo 6, hills 7,
        interval 7, race 9, strength 5, cross 3; 3 for an unknown type
        (:data:`DEFAULT_RPE`, :data:`DEFAULT_RPE_UNKNOWN_TYPE`).

    Examples
    --------
    >>> assumed_rpe("tempo"), assumed_rpe(None)
    (6.0, 3.0)
    """
    if session_type is None or isinstance(session_type, (str, float)):
        return DEFAULT_RPE.get(session_type, DEFAULT_RPE_UNKNOWN_TYPE)
    texts = np.asarray(session_type, dtype=object)
    # One dict lookup a session: comparing the texts with each type would read every text nine times.
    flat = texts.ravel().tolist()
    values = np.fromiter(map(DEFAULT_RPE.get, flat, itertools.repeat(DEFAULT_RPE_UNKNOWN_TYPE)),
                         dtype=float, count=len(flat))
    return values.reshape(texts.shape)


def rpe_calibration_factor(pair_day, pair_srpe, pair_hrss, day, *, window_days: int = CALIBRATION_DAYS,
                           min_pairs: int = CALIBRATION_MIN_PAIRS):
    """The factor k that turns a session's HRSS into an estimated session-RPE load.

    Parameters
    ----------
    pair_day : array-like of int or datetime64[D]
        Day of each session that has both an entered RPE and an HRSS.
    pair_srpe : array-like of float
        Their session-RPE loads [AU].
    pair_hrss : array-like of float
        Their HRSS [-].
    day : array-like of int or datetime64[D]
        Day of each session to estimate.
    window_days : int
        The pairs of the ``window_days`` days up to each ``day`` count
        (d − 364 … d by default).
    min_pairs : int
        Fewer pairs than this give no factor.

    Returns
    -------
    numpy.ndarray
        k = Σ(srpeᵢ × hrssᵢ) ÷ Σ(hrssᵢ²) over those pairs [AU per HRSS unit],
        the least-squares slope through the origin; NaN where there are too
        few pairs or the sum of squares is 0. The estimate is k × the
        session's HRSS (``spec/device-load.md``).

    Notes
    -----
    Days may be any integer key in which a window is a range: many athletes
    are calibrated at once by giving each its own range of keys, far enough
    apart that no window reaches another athlete's.

    Examples
    --------
    >>> rpe_calibration_factor(list(range(8)), [200.0] * 8, [100.0] * 8, [7, 400])
    array([ 2., nan])
    """
    pair_day = np.asarray(pair_day)
    day = np.asarray(day)
    order = np.argsort(pair_day, kind="stable")
    sorted_days = pair_day[order]
    srpe = np.asarray(pair_srpe, dtype=float)
    hrss = np.asarray(pair_hrss, dtype=float)
    xy = np.concatenate(([0.0], np.cumsum((srpe * hrss)[order])))
    xx = np.concatenate(([0.0], np.cumsum((hrss ** 2)[order])))
    hi = np.searchsorted(sorted_days, day, side="right")
    lo = np.searchsorted(sorted_days, day - (window_days - 1), side="left")
    with np.errstate(divide="ignore", invalid="ignore"):
        k = (xy[hi] - xy[lo]) / (xx[hi] - xx[lo])
    return np.where((hi - lo >= min_pairs) & np.isfinite(k), k, np.nan)
