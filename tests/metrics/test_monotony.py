"""Monotony and strain (spec/metrics.md reference case)."""
import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

from heavylegs.metrics.monotony import monotony, strain

WEEK = [0, 80, 40, 0, 90, 60, 80]


def test_reference_week():
    value = monotony(WEEK)
    assert value == pytest.approx(1.3207, abs=5e-5)
    assert strain(sum(WEEK), value) == pytest.approx(462.2, abs=0.05)


def test_weeks_as_rows_equal_numpy_bit_for_bit():
    weeks = np.random.default_rng(3).random((500, 7)) * 100
    assert np.array_equal(monotony(weeks), np.mean(weeks, axis=1) / np.std(weeks, axis=1, ddof=1))
    assert_allclose(monotony(weeks.T, axis=0), monotony(weeks))


def test_equal_days_nan_and_empty():
    assert math.isnan(monotony([50.0] * 7)) and math.isnan(monotony([0.1] * 7))
    assert math.isnan(monotony([1, np.nan, 2, 3, 4, 5, 6]))
    assert monotony(np.zeros((0, 7))).shape == (0,)
    assert math.isnan(strain(300.0, np.nan))
    assert_allclose(strain([100.0, 200.0], [2.0, np.nan]), [200.0, np.nan])
