"""Heart-rate load: the histogram of a session's records, TRIMP, HRSS, Tanaka's maximum.

Conventions (``spec/device-load.md``; the anchors are compared in
``reference/device-load-anchors.md``): TRIMP is summed over a per-bpm
histogram (as Runalyze does, so that intervals count) with Banister's
coefficients for each sex; HRSS puts one hour at lactate-threshold heart
rate at 100. The anchors' own conventions are reproduced by passing their
coefficients (``a``, ``b``).
"""
from __future__ import annotations

import math

import numpy as np

__all__ = [
    "BANISTER_COEFFICIENTS",
    "DEFAULT_HR_REST_BPM",
    "LTHR_RESERVE_FRACTION",
    "HEART_RATE_RANGE_BPM",
    "PAUSE_S",
    "heart_rate_bin",
    "hr_histogram",
    "banister_coefficients",
    "heart_rate_reserve",
    "training_impulse",
    "trimp",
    "hrss_scale",
    "hrss",
    "estimated_lthr",
    "tanaka_hr_max",
]

#: Banister's (1991) TRIMP weighting a·e^(b·x), by sex: (a, b).
BANISTER_COEFFICIENTS = {"male": (0.64, 1.92), "female": (0.86, 1.67)}
#: Heart rate at rest assumed when the profile has none [bpm].
DEFAULT_HR_REST_BPM = 60
#: Lactate-threshold heart rate estimated at this fraction of the heart-rate reserve.
LTHR_RESERVE_FRACTION = 0.85
#: Heart rates outside this range are sensor drop-outs, not heart rates [bpm].
HEART_RATE_RANGE_BPM = (30, 250)
#: A gap between records longer than this is a pause and counts 0 [s].
PAUSE_S = 60.0


def heart_rate_bin(heart_rate_bpm):
    """The histogram bin of a heart rate: rounded half up to a whole bpm.

    Parameters
    ----------
    heart_rate_bpm : float or array-like
        Heart rate [bpm].

    Returns
    -------
    float or numpy.ndarray
        ⌊bpm + 0.5⌋ [bpm] (as a float; NaN stays NaN).

    Examples
    --------
    >>> heart_rate_bin(120.5), heart_rate_bin(121.4)
    (121.0, 121.0)
    """
    out = np.floor(np.asarray(heart_rate_bpm, dtype=float) + 0.5)
    return float(out) if out.ndim == 0 else out


def hr_histogram(times_s, heart_rate_bpm) -> dict:
    """Seconds spent at each heart rate, from records.

    Parameters
    ----------
    times_s : array-like of float
        Record times [s], any origin.
    heart_rate_bpm : array-like of float
        Heart rate of each record [bpm]; NaN (or a value outside 30-250
        bpm, a sensor drop-out) when the record has none.

    Returns
    -------
    dict of int to float
        bpm → seconds, bpm ascending, bins of 0 s left out.

    Notes
    -----
    Records are taken in time order; each record with a heart rate counts
    for the time to the next record, at its own heart rate rounded half up
    (:func:`heart_rate_bin`). A gap over 60 s is a pause and counts 0; the
    last record counts 0 (``spec/device-load.md``).

    Examples
    --------
    >>> hr_histogram([0, 1, 2, 100, 101], [120, 120.5, 121, 130, 131])
    {120: 1.0, 121: 1.0, 130: 1.0}
    """
    t = np.asarray(times_s, dtype=float)
    hr = np.asarray(heart_rate_bpm, dtype=float)
    if len(t) < 2:
        return {}
    order = np.argsort(t, kind="stable")
    t, hr = t[order], hr[order]
    dt = np.diff(t)
    dt = np.where(dt > PAUSE_S, 0.0, dt)
    bpm = heart_rate_bin(hr[:-1])
    low, high = HEART_RATE_RANGE_BPM
    keep = ~np.isnan(bpm) & (bpm >= low) & (bpm <= high) & (dt > 0)
    if not keep.any():
        return {}
    seconds = np.bincount(bpm[keep].astype(np.int64), weights=dt[keep])
    return {int(b): float(seconds[b]) for b in np.flatnonzero(seconds)}


def banister_coefficients(sex=None) -> tuple:
    """(a, b) of Banister's TRIMP for ``"male"``, ``"female"``, else their means.

    ``other`` or unknown sex gets the mean of the male and female values,
    (0.75, 1.795) (``spec/device-load.md``).

    References
    ----------
    Banister EW (1991), as :func:`trimp`.
    """
    if sex in BANISTER_COEFFICIENTS:
        return BANISTER_COEFFICIENTS[sex]
    (am, bm), (af, bf) = BANISTER_COEFFICIENTS["male"], BANISTER_COEFFICIENTS["female"]
    return ((am + af) / 2, (bm + bf) / 2)


def heart_rate_reserve(heart_rate_bpm, hr_max, hr_rest):
    """Fraction of the heart-rate reserve, x = (bpm − rest) ÷ (max − rest), clamped to [0, 1].

    Parameters
    ----------
    heart_rate_bpm, hr_max, hr_rest : float or array-like
        Heart rate, maximum and resting heart rate [bpm] (broadcast).

    Returns
    -------
    float or numpy.ndarray
        x [-]; NaN where an input is NaN.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.clip((np.asarray(heart_rate_bpm, dtype=float) - hr_rest) / (np.subtract(hr_max, hr_rest)),
                      0.0, 1.0)
    return float(out) if out.ndim == 0 else out


def training_impulse(minutes, heart_rate_bpm, hr_max, hr_rest, a, b):
    """Banister's training impulse of time at one heart rate: t × x × a·e^(b·x).

    Parameters
    ----------
    minutes : float or array-like
        Time at the heart rate [min].
    heart_rate_bpm, hr_max, hr_rest : float or array-like
        Heart rate, maximum and resting heart rate [bpm].
    a, b : float or array-like
        Banister's coefficients (:func:`banister_coefficients`).

    Returns
    -------
    float or numpy.ndarray
        Training impulse [AU], element by element (a session's TRIMP is the
        sum over its histogram bins, :func:`trimp`).
    """
    x = heart_rate_reserve(heart_rate_bpm, hr_max, hr_rest)
    out = np.asarray(minutes, dtype=float) * x * a * np.exp(np.multiply(b, x))
    return float(out) if np.ndim(out) == 0 else out


def _coefficients(sex, a, b):
    ca, cb = banister_coefficients(sex)
    return (ca if a is None else a), (cb if b is None else b)


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def trimp(histogram, hr_max, hr_rest, sex=None, *, a=None, b=None) -> float:
    """Banister's training impulse summed over a heart-rate histogram [AU].

    Parameters
    ----------
    histogram : dict of int to float
        Seconds at each heart rate [bpm → s] (:func:`hr_histogram`); for a
        session known only by its average, ``{round(avg): minutes × 60}``.
    hr_max, hr_rest : float
        Maximum and resting heart rate [bpm].
    sex : str, optional
        ``"male"``, ``"female"``; otherwise the mean coefficients.
    a, b : float, optional
        Override the coefficients (e.g. GoldenCheetah's a = 0.64 for both
        sexes).

    Returns
    -------
    float
        Σ (seconds ÷ 60) × x × a·e^(b·x), x = (bpm − hr_rest) ÷ (hr_max −
        hr_rest) clamped to [0, 1] (:func:`training_impulse`); NaN without
        ``hr_max`` or ``hr_rest``, or with ``hr_max`` ≤ ``hr_rest``.

    References
    ----------
    Banister EW (1991). Modeling elite athletic performance. In MacDougall
    JD, Wenger HA, Green HJ (eds), Physiological Testing of the
    High-Performance Athlete, 2nd ed. Human Kinetics, 403-424.

    Examples
    --------
    >>> round(trimp({130: 1800}, 200, 40, "male"), 2)
    31.8
    """
    if _missing(hr_max) or _missing(hr_rest) or hr_max <= hr_rest:
        return math.nan
    if not histogram:
        return 0.0
    a, b = _coefficients(sex, a, b)
    bpm = np.fromiter(histogram.keys(), dtype=float)
    seconds = np.fromiter(histogram.values(), dtype=float)
    return float(np.sum(training_impulse(seconds / 60.0, bpm, hr_max, hr_rest, a, b)))


def hrss_scale(hr_max, hr_rest, lthr, sex=None, *, a=None, b=None):
    """HRSS per unit of TRIMP: 100 ÷ the TRIMP of one hour at threshold heart rate.

    Parameters
    ----------
    hr_max, hr_rest, lthr : float or array-like
        Maximum, resting and lactate-threshold heart rate [bpm].
    sex : str, optional
        As in :func:`trimp`; ``a``, ``b`` (floats or arrays) override the
        coefficients.

    Returns
    -------
    float or numpy.ndarray
        100 ÷ (60 × x_L × a·e^(b·x_L)), x_L = (lthr − hr_rest) ÷ (hr_max −
        hr_rest) [1/AU]; NaN where an input is missing, hr_max ≤ hr_rest or
        x_L ≤ 0.
    """
    if any(v is None for v in (hr_max, hr_rest, lthr)):
        return math.nan
    a, b = _coefficients(sex, a, b)
    with np.errstate(divide="ignore", invalid="ignore"):
        x_l = heart_rate_reserve(lthr, hr_max, hr_rest)
        valid = (np.asarray(x_l) > 0) & (np.subtract(hr_max, hr_rest) > 0)
        out = np.where(valid, 100.0 / (60.0 * x_l * a * np.exp(np.multiply(b, x_l))), np.nan)
    return float(out) if out.ndim == 0 else out


def hrss(trimp_value, hr_max, hr_rest, lthr, sex=None, *, a=None, b=None):
    """Heart-rate stress score: TRIMP scaled so one hour at threshold heart rate is 100.

    Parameters
    ----------
    trimp_value : float or array-like
        The session's :func:`trimp` [AU].
    hr_max, hr_rest, lthr : float or array-like
        Maximum, resting and lactate-threshold heart rate [bpm].
    sex : str, optional
        As in :func:`trimp`; ``a``, ``b`` override the coefficients.

    Returns
    -------
    float or numpy.ndarray
        100 × TRIMP ÷ (60 × x_L × a·e^(b·x_L)) = TRIMP × :func:`hrss_scale`
        [-]; NaN when an input is missing or x_L ≤ 0.

    Examples
    --------
    >>> round(hrss(31.8, 200, 40, 172, "male"), 1)
    20.6
    """
    if trimp_value is None:
        return math.nan
    out = np.multiply(np.asarray(trimp_value, dtype=float), hrss_scale(hr_max, hr_rest, lthr, sex, a=a, b=b))
    return float(out) if np.ndim(out) == 0 else out


def estimated_lthr(hr_max, hr_rest):
    """Lactate-threshold heart rate estimated from the reserve: rest + 0.85 × (max − rest) [bpm].

    Examples
    --------
    >>> estimated_lthr(190, 65)
    171.25
    """
    out = np.add(hr_rest, LTHR_RESERVE_FRACTION * np.subtract(hr_max, hr_rest), dtype=float)
    return float(out) if np.ndim(out) == 0 else out


def tanaka_hr_max(age_years):
    """Age-predicted maximum heart rate, 208 − 0.7 × age, rounded half up [bpm].

    Parameters
    ----------
    age_years : float or array-like
        Age [years].

    Returns
    -------
    float or numpy.ndarray
        Maximum heart rate [bpm]; NaN where the age is NaN.

    References
    ----------
    Tanaka H, Monahan KD, Seals DR (2001). Age-predicted maximal heart rate
    revisited. J Am Coll Cardiol 37(1):153-156.

    Examples
    --------
    >>> tanaka_hr_max(30)
    187.0
    """
    return heart_rate_bin(208.0 - 0.7 * np.asarray(age_years, dtype=float))
