"""Wellness baselines (heavylegs.metrics.wellness): known values, the spec's reference case, edges."""
import doctest
import math

import numpy as np
import pytest

import heavylegs.metrics.wellness as wellness_metrics
from heavylegs.metrics.wellness import recent_and_baseline, rolling_baseline, window_mean


def test_reference_case_hrv_below_normal():
    offsets = np.arange(66, -1, -1)
    hrv = np.r_[np.full(60, 60.0), np.full(7, 45.0)]
    out = recent_and_baseline(offsets, hrv, log=True)
    assert out["baseline"] == pytest.approx(math.log(60)) and round(out["baseline"], 3) == 4.094
    assert out["recent"] == pytest.approx(math.log(45)) and round(out["recent"], 3) == 3.807
    assert out["sd"] == 0.0 and out["below_normal"] is True
    assert (out["n_recent"], out["n_baseline"]) == (7, 60)


def test_minimum_counts_and_the_windows_edges():
    # 3 values in the last 7 days: no recent; 20 in the 60 before: no baseline
    offsets = np.r_[0, 3, 6, np.arange(7, 27)]
    out = recent_and_baseline(offsets, np.full(len(offsets), 50.0))
    assert out["recent"] is None and out["n_recent"] == 3
    assert out["baseline"] is None and out["n_baseline"] == 20 and out["below_normal"] is None
    # day 67 before is outside the baseline; NaNs are missing values
    mean, sd, n = window_mean([7, 66, 67], [1.0, 3.0, 100.0], 7, 66)
    assert (mean, sd, n) == (2.0, pytest.approx(math.sqrt(2)), 2)
    assert math.isnan(window_mean([1], [np.nan], 0, 6)[0])


def test_a_drop_within_one_sd_is_not_below_normal():
    rng = np.random.default_rng(1)
    base = np.exp(np.log(60) + rng.normal(0, 0.1, 60))
    offsets = np.arange(66, -1, -1)
    sd = np.std(np.log(base), ddof=1)
    recent = np.full(7, math.exp(np.log(base).mean() - 0.5 * sd))
    assert recent_and_baseline(offsets, np.r_[base, recent], log=True)["below_normal"] is False
    recent = np.full(7, math.exp(np.log(base).mean() - 1.5 * sd))
    assert recent_and_baseline(offsets, np.r_[base, recent], log=True)["below_normal"] is True


def test_rolling_baseline_matches_the_one_day_computation():
    rng = np.random.default_rng(2)
    values = 50 + rng.normal(0, 5, 120)
    values[rng.random(120) < 0.2] = np.nan
    mean, sd = rolling_baseline(values, log=True)
    for day in (30, 66, 67, 100, 119):
        offsets = day - np.arange(day + 1)
        one = recent_and_baseline(offsets, values[:day + 1], log=True)
        if one["baseline"] is None:
            assert np.isnan(mean[day])
        else:
            assert mean[day] == pytest.approx(one["baseline"]) and sd[day] == pytest.approx(one["sd"])
    assert np.isnan(mean[:27]).all()  # fewer than 21 values before


def test_doctests():
    assert doctest.testmod(wellness_metrics).failed == 0
