"""The exponentially weighted average against the day-by-day recursion."""
import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

from heavylegs.metrics.averages import exponential_average, span_alpha, time_constant_alpha


def recursion(values, alpha, initial):
    out, x = [], initial
    for value in values:
        x = x + alpha * (value - x)
        out.append(x)
    return np.array(out)


def test_smoothing_factors():
    assert span_alpha(7) == 0.25 and span_alpha(28) == pytest.approx(2 / 29)
    assert time_constant_alpha(7) == pytest.approx(1 - math.exp(-1 / 7))


@pytest.mark.parametrize("n", [1, 6, 7, 8, 15, 100, 3650])
def test_equals_the_recursion_to_rounding(n):
    values = np.random.default_rng(n).random(n) * 200
    for alpha in (0.25, 2 / 29, time_constant_alpha(42), time_constant_alpha(7), 1.0):
        assert_allclose(exponential_average(values, alpha, values[0]), recursion(values, alpha, values[0]),
                        rtol=1e-13, atol=1e-13 * values.max())


def test_known_values_scalar_initial_and_leading_axes():
    assert_allclose(exponential_average([100.0, 0.0, 0.0], 0.5), [50.0, 25.0, 12.5])
    assert exponential_average(100.0, 0.5, 100.0) == 100.0
    assert_allclose(exponential_average([0.0, 0.0], 0.5, 8.0), [4.0, 2.0])
    rows = np.random.default_rng(1).random((3, 20))
    seeds = np.array([1.0, 2.0, 3.0])
    assert_allclose(exponential_average(rows, 0.3, seeds),
                    np.stack([recursion(r, 0.3, s) for r, s in zip(rows, seeds)]), rtol=1e-13)


def test_zeros_stay_exactly_zero_nan_propagates_and_empty():
    assert (exponential_average(np.zeros(30), 0.25) == 0.0).all()
    out = exponential_average([1.0, np.nan, 1.0], 0.5)
    assert out[0] == 0.5 and np.isnan(out[1:]).all()
    assert exponential_average([], 0.5).shape == (0,)
    assert exponential_average(np.zeros((4, 0)), 0.5).shape == (4, 0)


def test_every_seventh_day_is_the_daily_series_at_each_weeks_end():
    rows = np.random.default_rng(7).random((4, 70)) * 100
    seeds = rows[:, 0]
    daily = exponential_average(rows, 0.25, seeds)
    assert_allclose(exponential_average(rows, 0.25, seeds, every=7), daily[:, 6::7], rtol=1e-13)
    # a last, partial week is left out; NaN from its week on
    assert exponential_average(rows[:, :68], 0.25, every=7).shape == (4, 9)
    with_nan = rows[0].copy()
    with_nan[20] = np.nan
    weekly = exponential_average(with_nan, 0.25, every=7)
    assert not np.isnan(weekly[:2]).any() and np.isnan(weekly[2:]).all()
