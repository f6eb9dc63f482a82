"""The engine's shared helpers (heavylegs/engine/_common.py)."""
import numpy as np
import pytest
from numpy.testing import assert_allclose

from heavylegs.engine._common import (
    WEEKLY_COLUMNS,
    as_day,
    auto_uses_stress,
    day_number,
    empty_weekly,
    rolling_max_before,
)
from heavylegs.errors import InputError


def naive_max_before(values, window):
    out = np.full(len(values), np.nan)
    for c in range(len(values)):
        seen = values[max(c - window, 0):c]
        if len(seen) and not np.isnan(seen).all():
            out[c] = np.nanmax(seen)
    return out


@pytest.mark.parametrize("window", [1, 2, 3, 7, 30, 90])
def test_rolling_max_before_sees_the_window_before_each_day_not_the_day(window):
    values = np.random.default_rng(window).random(200)
    values[np.random.default_rng(0).random(200) < 0.5] = np.nan
    assert_allclose(rolling_max_before(values, window), naive_max_before(values, window))
    rows = np.stack([values, values[::-1]])
    assert_allclose(rolling_max_before(rows, window)[1], naive_max_before(values[::-1], window))


def test_auto_takes_stress_only_when_fewer_than_half_have_an_rpe_and_half_a_stress():
    assert auto_uses_stress(10, 4, 5) and not auto_uses_stress(10, 5, 10) and not auto_uses_stress(10, 4, 4)
    assert not auto_uses_stress(0, 0, 0)
    assert auto_uses_stress(np.array([10, 10, 0]), np.array([0, 6, 0]), np.array([9, 9, 0])).tolist() == \
        [True, False, False]


def test_days_and_the_empty_table():
    assert day_number("1970-01-02") == 1 and as_day(None, "x") == "x"
    with pytest.raises(InputError, match="expected a date YYYY-MM-DD"):
        as_day("yesterday", None)
    empty = empty_weekly()
    assert tuple(empty.columns) == WEEKLY_COLUMNS and len(empty) == 0 and empty["days"].dtype == "int64"
