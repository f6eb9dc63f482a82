"""Acute:chronic workload ratios (``spec/metrics.md``: ``acwr``, ``acwr_uncoupled``, ``acwr_ewma``).

The ratios take the window sums or averages, not the daily series: a
caller computes those in the way that suits its data (one athlete's daily
series, or whole weeks of many athletes at once) and every caller then
applies the very same ratio. :func:`ewma_loads` gives the two averages of
the EWMA ratio from daily loads.
"""
from __future__ import annotations

import numpy as np

from heavylegs.metrics.averages import exponential_average, span_alpha

__all__ = [
    "ACUTE_DAYS",
    "CHRONIC_DAYS",
    "EWMA_ACUTE_ALPHA",
    "EWMA_CHRONIC_ALPHA",
    "acute_chronic_ratio",
    "uncoupled_acute_chronic_ratio",
    "ewma_loads",
    "ewma_acute_chronic_ratio",
]

#: The acute and chronic windows [days].
ACUTE_DAYS, CHRONIC_DAYS = 7, 28
#: Smoothing factors of the EWMA ratio, λ = 2 ÷ (N + 1).
EWMA_ACUTE_ALPHA = span_alpha(ACUTE_DAYS)
EWMA_CHRONIC_ALPHA = span_alpha(CHRONIC_DAYS)


def _ratio(numerator, denominator):
    numerator = np.asarray(numerator, dtype=float)
    denominator = np.asarray(denominator, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(denominator > 0, numerator / denominator, np.nan)
    return float(out) if out.ndim == 0 else out


def acute_chronic_ratio(acute_load, chronic_load):
    """Coupled rolling acute:chronic workload ratio.

    Parameters
    ----------
    acute_load : float or array-like
        Load of the last 7 days [AU].
    chronic_load : float or array-like
        Load of the last 28 days, those 7 included [AU].

    Returns
    -------
    float or numpy.ndarray
        acute ÷ (chronic ÷ 4); NaN where the chronic load is 0 (or NaN).

    Notes
    -----
    Both windows end on the same day (Hulin et al. 2014). ``spec/metrics.md``
    also leaves it null until the series has 28 days; that is the caller's
    (it knows where the series starts).

    References
    ----------
    Hulin BT, Gabbett TJ, Blanch P, et al. (2014). Spikes in acute workload
    are associated with increased injury risk in elite cricket fast bowlers.
    Br J Sports Med 48:708-712.

    Examples
    --------
    >>> acute_chronic_ratio(700.0, 21 * 50.0 + 700.0)  # 28 days at 50 AU, then 7 at 100
    1.6
    """
    return _ratio(acute_load, np.asarray(chronic_load, dtype=float) / 4.0)


def uncoupled_acute_chronic_ratio(acute_load, previous_load):
    """Uncoupled rolling acute:chronic workload ratio.

    Parameters
    ----------
    acute_load : float or array-like
        Load of the last 7 days [AU].
    previous_load : float or array-like
        Load of the 21 days before those 7 [AU].

    Returns
    -------
    float or numpy.ndarray
        acute ÷ (previous ÷ 3); NaN where the previous load is 0 (or NaN).

    References
    ----------
    Lolli L, Batterham AM, Hawkins R, et al. (2019). Mathematical coupling
    causes spurious correlation within the conventional acute-to-chronic
    workload ratio calculations. Br J Sports Med 53:921-922.

    Examples
    --------
    >>> uncoupled_acute_chronic_ratio(700.0, 21 * 50.0)
    2.0
    """
    return _ratio(acute_load, np.asarray(previous_load, dtype=float) / 3.0)


def ewma_loads(daily_load, first_load=None):
    """Acute and chronic exponentially weighted averages of daily load, along the last axis.

    Parameters
    ----------
    daily_load : array-like
        Daily load [AU], one value per consecutive day.
    first_load : float or array-like, optional
        Where both averages start (E₀, broadcast over leading axes); by
        default the first day's load, so that E₁ = L₁.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Acute (λ = 2/8) and chronic (λ = 2/29) averages [AU] on each day.

    Notes
    -----
    Eₜ = λLₜ + (1 − λ)Eₜ₋₁ with λ = 2 ÷ (N + 1), N = 7 and 28, E₁ = L₁
    (Williams et al. 2017; ``spec/metrics.md``).
    """
    load = np.asarray(daily_load, dtype=float)
    if first_load is None:
        first_load = load if load.ndim == 0 else (load[..., 0] if load.shape[-1] else 0.0)
    return (exponential_average(load, EWMA_ACUTE_ALPHA, first_load),
            exponential_average(load, EWMA_CHRONIC_ALPHA, first_load))


def ewma_acute_chronic_ratio(acute_ewma, chronic_ewma):
    """EWMA acute:chronic workload ratio.

    Parameters
    ----------
    acute_ewma, chronic_ewma : float or array-like
        The averages of :func:`ewma_loads` on the same day [AU].

    Returns
    -------
    float or numpy.ndarray
        acute ÷ chronic; NaN where the chronic average is 0 (or NaN).

    References
    ----------
    Williams S, West S, Cross MJ, Stokes KA (2017). Better way to determine
    the acute:chronic workload ratio? Br J Sports Med 51:209-210.

    Examples
    --------
    >>> ewma_acute_chronic_ratio(120.0, 100.0)
    1.2
    """
    return _ratio(acute_ewma, chronic_ewma)
