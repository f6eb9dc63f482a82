"""Grade-adjusted pace, rTSS and threshold runs (spec/device-load.md reference cases)."""
import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

from heavylegs.metrics.pace import gap_factor, grade_adjusted_distance, rtss, threshold_run_speed


def test_reference_gap_factor():
    assert gap_factor(0) == pytest.approx(0.99358)
    assert round(gap_factor(10), 4) == 1.4798
    assert round(gap_factor(-10), 4) == 0.8793
    assert gap_factor(55) == gap_factor(40)  # clamped at ±40 %
    assert_allclose(gap_factor([0, 10]), [0.99358, 1.479808])
    assert math.isnan(gap_factor(np.nan)) and gap_factor([]).shape == (0,)


def test_reference_rtss_threshold_pace_four_minutes():
    assert round(rtss(50, 10, 4.0), 2) == 53.33
    assert_allclose(rtss([60, 50], [15, 10], [4.0, 4.0]), [100.0, 100 * 50 / 60 * 0.64])
    assert math.isnan(rtss(50, np.nan, 4.0)) and math.isnan(rtss(50, 10, np.nan)) and math.isnan(rtss(0, 10, 4))
    assert rtss([], [], 4.0).shape == (0,)


def test_intervals_icu_pace_load_worked_number():
    # intervals.icu forum: threshold 6:15/mi, 60 min at 7:49/mi -> 64.
    mile = 1.609344
    distance = 60 / (469 / 60) * mile
    assert round(rtss(60, distance, 6.25 / mile)) == 64


def test_grade_adjusted_distance_flat_uphill_and_without_altitude():
    d = np.arange(0, 1001, 10.0)
    assert_allclose(grade_adjusted_distance(d, np.zeros_like(d)), 0.99358)
    assert_allclose(grade_adjusted_distance(d, d * 0.10), 1.479808)
    assert math.isnan(grade_adjusted_distance(d, np.full_like(d, np.nan)))
    assert math.isnan(grade_adjusted_distance([], []))
    # Segments close at the first record reaching 20 m: 0-25, 25-50; the last 10 m are not counted.
    assert_allclose(grade_adjusted_distance([0, 15, 25, 40, 50, 60], [0, 0, 0, 0, 0, 0]), 0.05 * 0.99358)
    # A record without altitude is skipped, not counted as flat.
    assert_allclose(grade_adjusted_distance([0, 10, 20], [0, np.nan, 2]), 0.02 * 1.479808)
    assert grade_adjusted_distance([0, 10], [0, 0]) == 0.0  # under one segment


def test_threshold_runs_30_to_75_min_at_2_5_to_12_min_per_km():
    assert threshold_run_speed(40, 10) == pytest.approx(0.25)
    assert_allclose(threshold_run_speed([29, 30, 75, 76, 60, 60], [7, 7, 15, 15, 25, 4]),
                    [np.nan, 7 / 30, 0.2, np.nan, np.nan, np.nan])
    assert math.isnan(threshold_run_speed(40, np.nan)) and threshold_run_speed([], []).shape == (0,)
