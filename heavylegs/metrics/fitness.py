"""Fitness, fatigue and form: the impulse-response model of daily load."""
from __future__ import annotations

import numpy as np

from heavylegs.metrics.averages import exponential_average, time_constant_alpha

__all__ = ["FITNESS_DAYS", "FATIGUE_DAYS", "FITNESS_ALPHA", "FATIGUE_ALPHA", "fitness_fatigue"]

#: Time constants of fitness and fatigue [days].
FITNESS_DAYS, FATIGUE_DAYS = 42, 7
#: Their smoothing factors, α = 1 − e^(−1/N).
FITNESS_ALPHA = time_constant_alpha(FITNESS_DAYS)
FATIGUE_ALPHA = time_constant_alpha(FATIGUE_DAYS)


def fitness_fatigue(daily_load):
    """Fitness, fatigue and form from daily loads, along the last axis.

    Parameters
    ----------
    daily_load : array-like
        Daily load [AU], one value per consecutive day (a day without a
        session is 0); leading axes are independent series.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray, numpy.ndarray)
        Fitness, fatigue and form [AU] on each day, each the shape of
        ``daily_load`` (floats for one day given as a number).

    Notes
    -----
    Both are exponentially weighted averages of daily load,
    Xₜ = Xₜ₋₁ + α(Lₜ − Xₜ₋₁) with X = 0 before the first day, with
    α = 1 − e^(−1/42) for fitness and 1 − e^(−1/7) for fatigue; form is
    fitness − fatigue on the same day. This is Coggan's simplification of the
    impulse-response model of Banister et al. (1975), with the α convention
    of GoldenCheetah (``spec/metrics.md``).

    References
    ----------
    Banister EW, Calvert TW, Savage MV, Bach T (1975). A systems model of
    training for athletic performance. Aust J Sports Med 7:57-61.

    Examples
    --------
    >>> fitness, fatigue, form = fitness_fatigue(100.0)
    >>> round(fitness, 3), round(fatigue, 3)
    (2.353, 13.312)
    """
    load = np.asarray(daily_load, dtype=float)
    fitness = exponential_average(load, FITNESS_ALPHA, 0.0)
    fatigue = exponential_average(load, FATIGUE_ALPHA, 0.0)
    return fitness, fatigue, fitness - fatigue
