"""Acute:chronic workload ratios (spec/metrics.md reference case)."""
import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

from heavylegs.metrics.ratios import (
    EWMA_ACUTE_ALPHA,
    EWMA_CHRONIC_ALPHA,
    acute_chronic_ratio,
    ewma_acute_chronic_ratio,
    ewma_loads,
    uncoupled_acute_chronic_ratio,
)


def test_reference_28_days_at_50_then_7_days_at_100():
    daily = np.array([50.0] * 28 + [100.0] * 7)
    acute, chronic = daily[-7:].sum(), daily[-28:].sum()
    assert acute_chronic_ratio(acute, chronic) == pytest.approx(1.60)
    assert uncoupled_acute_chronic_ratio(acute, daily[-28:-7].sum()) == pytest.approx(2.00)


def test_ratios_arrays_zero_denominators_nan_and_empty():
    assert_allclose(acute_chronic_ratio([100.0, 0.0, 5.0], [400.0, 0.0, 0.0]), [1.0, np.nan, np.nan])
    assert_allclose(uncoupled_acute_chronic_ratio([100.0, 1.0], [300.0, 0.0]), [1.0, np.nan])
    assert math.isnan(acute_chronic_ratio(np.nan, 400.0)) and math.isnan(acute_chronic_ratio(100.0, np.nan))
    assert math.isnan(ewma_acute_chronic_ratio(1.0, 0.0))
    assert ewma_acute_chronic_ratio(120.0, 100.0) == pytest.approx(1.2)
    assert acute_chronic_ratio([], []).shape == (0,)


def test_ewma_loads_start_at_the_first_day():
    acute, chronic = ewma_loads([80.0, 0.0, 40.0])
    assert acute[0] == pytest.approx(80.0) and chronic[0] == pytest.approx(80.0)
    assert acute[1] == pytest.approx(80.0 * (1 - EWMA_ACUTE_ALPHA))
    assert chronic[2] == pytest.approx(80.0 * (1 - EWMA_CHRONIC_ALPHA) ** 2 + EWMA_CHRONIC_ALPHA * 40.0)
    assert EWMA_ACUTE_ALPHA == 0.25
    steady = ewma_loads(np.full(60, 50.0))
    assert_allclose(ewma_acute_chronic_ratio(*steady), 1.0)
    assert all(a.shape == (0,) for a in ewma_loads([]))
    assert ewma_loads(80.0) == (80.0, 80.0)
