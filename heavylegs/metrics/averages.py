"""The exponentially weighted average, and the two ways its smoothing factor is set.

Fitness, fatigue and the EWMA acute:chronic ratio are all the recursion
Xₜ = Xₜ₋₁ + α(Lₜ − Xₜ₋₁); they differ in α (:func:`time_constant_alpha`
for Banister's impulse-response model, :func:`span_alpha` for Williams'
EWMA) and in where X starts.
"""
from __future__ import annotations

import math

import numpy as np

__all__ = ["time_constant_alpha", "span_alpha", "exponential_average"]

# The recursion is solved a block of this many days at a time: a matrix product inside each
# block, then a doubling scan over the blocks (no Python loop over days or weeks).
_BLOCK = 7


def time_constant_alpha(days: float) -> float:
    """α = 1 − e^(−1/N) of an exponential decay with time constant N [days].

    The convention of Banister's impulse-response model as GoldenCheetah
    computes it: fitness N = 42, fatigue N = 7.

    Examples
    --------
    >>> round(time_constant_alpha(42), 6)
    0.023528
    """
    return 1.0 - math.exp(-1.0 / days)


def span_alpha(days: float) -> float:
    """λ = 2 ÷ (N + 1) of an exponentially weighted moving average of span N [days].

    The convention of Williams et al. (2017) for the EWMA acute:chronic
    ratio: acute N = 7 (λ = 0.25), chronic N = 28.

    Examples
    --------
    >>> span_alpha(7)
    0.25
    """
    return 2.0 / (days + 1.0)


def exponential_average(values, alpha: float, initial=0.0, *, every: int = 1):
    """Xₜ = Xₜ₋₁ + α(Lₜ − Xₜ₋₁) over daily values, along the last axis.

    Parameters
    ----------
    values : float or array-like
        Daily values Lₜ (a load [AU], usually), one per consecutive day along
        the last axis; any leading axes are independent series (athletes).
    alpha : float
        Smoothing factor, 0 < α ≤ 1 (:func:`time_constant_alpha`,
        :func:`span_alpha`).
    initial : float or array-like
        X₀, the value before the first day (broadcast over the leading axes).
    every : int
        1 (default): X on every day. k > 1: X on the last day of each
        whole block of k days only (days k, 2k, …; a last, partial block is
        left out), which is all a weekly table needs (k = 7) and costs a
        fraction of the daily series on many athletes.

    Returns
    -------
    float or numpy.ndarray
        Xₜ on each day, the shape of ``values`` (with ``every`` = k: the
        last axis n // k long). A NaN value makes every later X NaN.

    Notes
    -----
    Xₜ = (1 − α)ᵗ X₀ + Σⱼ₌₁ᵗ α(1 − α)ᵗ⁻ʲ Lⱼ. It is evaluated seven days at a
    time (a matrix product within each week, then a doubling scan across
    weeks), so a ten-year series or a thousand athletes cost a few NumPy
    calls. With non-negative values every term is positive, so each X is
    accurate to a few units in the last place, however small it has decayed;
    it equals the day-by-day recursion to rounding (relative differences near
    1e-15), which also means that a constant series equal to X₀ stays equal
    to it only to rounding.

    Examples
    --------
    >>> exponential_average([100.0, 0.0], 0.5)
    array([50., 25.])
    >>> exponential_average([100.0, 0.0, 0.0, 0.0], 0.5, every=2)
    array([25.  ,  6.25])
    """
    x = np.asarray(values, dtype=float)
    if x.ndim == 0:
        return float(exponential_average(x[None], alpha, initial)[0])
    if every > 1:
        x = x[..., :x.shape[-1] // every * every]
    n = x.shape[-1]
    if n == 0:
        return np.zeros(x.shape)
    nan = np.isnan(x)
    if nan.any():  # a NaN would spread through its whole block in the matrix product: from itself on only
        later = np.logical_or.accumulate(nan, axis=-1)
        out = exponential_average(np.where(nan, 0.0, x), alpha, initial, every=every)
        out[later[..., every - 1::every]] = np.nan
        return out
    return _solve(x, alpha, np.asarray(initial, dtype=float), every)


def _solve(x: np.ndarray, alpha: float, initial: np.ndarray, every: int) -> np.ndarray:
    """:func:`exponential_average` of a NaN-free array with a last axis of n > 0 days."""
    n = x.shape[-1]
    keep = 1.0 - alpha
    size = every if every > 1 else _BLOCK
    blocks = -(-n // size)
    if blocks * size != n:
        x = np.concatenate((x, np.zeros(x.shape[:-1] + (blocks * size - n,))), axis=-1)
    lag = np.arange(size)[None, :] - np.arange(size)[:, None]  # day j's weight for day i: lag j − i
    weights = np.where(lag >= 0, alpha * keep ** np.maximum(lag, 0), 0.0)
    rows = x.reshape(-1, size)
    if every > 1:  # only each block's last day: a matrix-vector product
        within = None
        ends = (rows @ weights[:, -1]).reshape(x.shape[:-1] + (blocks,))
    else:  # each block's own days, as one matrix product of all blocks (of all series)
        within = (rows @ weights).reshape(x.shape[:-1] + (blocks, size))
        ends = within[..., -1].copy()
    # X at each block's last day: Xₖ = (1 − α)^k Xₖ₋₁ + (the block's own part), a linear scan.
    ends[..., 0] += keep ** size * initial
    width, factor = 1, keep ** size
    while width < blocks:
        ends[..., width:] += factor * ends[..., :-width]  # the product is taken before the sum
        width, factor = width * 2, factor * factor
    if within is None:
        return ends
    within[..., 1:, :] += ends[..., :-1, None] * keep ** np.arange(1, size + 1)
    if initial.any():
        within[..., 0, :] += initial[..., None] * keep ** np.arange(1, size + 1)
    return within.reshape(x.shape)[..., :n]
