"""Heart-rate load (spec/device-load.md reference cases, and the anchors' conventions)."""
import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

from heavylegs.metrics.heart_rate import (
    banister_coefficients,
    estimated_lthr,
    heart_rate_bin,
    heart_rate_reserve,
    hr_histogram,
    hrss,
    hrss_scale,
    tanaka_hr_max,
    training_impulse,
    trimp,
)


def test_reference_male_30_min_at_130_bpm():
    value = trimp({130: 30 * 60}, 200, 40, "male")
    assert_allclose(value, 30 * 0.5625 * 0.64 * math.exp(1.92 * 0.5625))
    assert round(value, 2) == 31.80
    assert round(hrss(value, 200, 40, 172, "male"), 2) == 20.59


def test_reference_female_60_min_at_155_bpm():
    assert round(trimp({155: 3600}, 190, 50, "female"), 2) == 135.41


def test_goldencheetah_average_hr_trimp_uses_064_for_both_sexes():
    # GoldenCheetah TRIMPPoints: minutes × HRr × 0.64 × e^(ksex × HRr), average HR, ksex 1.67 for women.
    ours = trimp({155: 3600}, 190, 50, "female")
    theirs = trimp({155: 3600}, 190, 50, "female", a=0.64)
    assert_allclose(theirs, 60 * 0.75 * 0.64 * math.exp(1.67 * 0.75))
    assert round(theirs, 2) == 100.77 and ours > theirs
    assert trimp({130: 1800}, 200, 40, "male", a=0.64, b=1.92) == trimp({130: 1800}, 200, 40, "male")


def test_runalyze_worked_example_and_its_female_constant():
    # Runalyze CalculatorTest (fellrnr example): male, max 200, rest 40, 30 min at 130 -> 32 (exact 31.8).
    value = trimp({130: 1800}, 200, 40, "male")
    assert round(value) == 32 and round(value, 1) == 31.8
    assert_allclose(trimp({155: 3600}, 190, 50, "female", a=0.821776),
                    60 * 0.75 * 0.821776 * math.exp(1.67 * 0.75))


def test_hrss_is_100_for_one_hour_at_threshold():
    one_hour = trimp({172: 3600}, 200, 40, "male")
    assert_allclose(hrss(one_hour, 200, 40, 172, "male"), 100.0)
    assert_allclose(hrss_scale(200, 40, 172, "male") * one_hour, 100.0)


def test_unknown_sex_takes_the_mean_coefficients():
    assert banister_coefficients(None) == pytest.approx((0.75, 1.795))
    value = trimp({130: 1800}, 200, 40, None)
    assert_allclose(value, 30 * 0.5625 * 0.75 * math.exp(1.795 * 0.5625))
    assert trimp({130: 1800}, 200, 40, "other") == value


def test_trimp_clamps_the_reserve_and_needs_a_maximum():
    assert trimp({30: 600}, 200, 40, "male") == 0.0             # below rest counts 0
    assert_allclose(trimp({230: 60}, 200, 40, "male"), 1 * 0.64 * math.exp(1.92))  # above max counts as max
    assert math.isnan(trimp({130: 60}, None, 40, "male"))
    assert math.isnan(trimp({130: 60}, 150, 150, "male"))
    assert trimp({}, 200, 40) == 0.0
    assert math.isnan(hrss(10.0, 200, 40, None))
    assert math.isnan(hrss(10.0, 200, 40, 40))                  # threshold at rest: x_L = 0


def test_element_wise_forms_take_arrays_nan_and_empty():
    assert_allclose(heart_rate_reserve([40, 120, 200, 250], 200, 40), [0.0, 0.5, 1.0, 1.0])
    assert math.isnan(heart_rate_reserve(np.nan, 200, 40))
    minutes = np.array([30.0, 60.0])
    got = training_impulse(minutes, [130, 155], np.array([200, 190]), np.array([40, 50]),
                           np.array([0.64, 0.86]), np.array([1.92, 1.67]))
    assert_allclose(got, [trimp({130: 1800}, 200, 40, "male"), trimp({155: 3600}, 190, 50, "female")])
    assert training_impulse([], [], 200, 40, 0.64, 1.92).shape == (0,)
    scale = hrss_scale(np.array([200.0, 200.0, np.nan]), 40.0, np.array([172.0, 30.0, 172.0]), "male")
    assert scale[0] == pytest.approx(hrss_scale(200, 40, 172, "male")) and np.isnan(scale[1:]).all()
    assert_allclose(hrss(np.array([10.0, np.nan]), 200, 40, 172, "male"),
                    [10 * hrss_scale(200, 40, 172, "male"), np.nan])


def test_histogram_counts_time_to_the_next_record_rounds_half_up_and_skips_pauses():
    times = [0, 1, 3, 4, 100, 101, 102]
    hr = [120.5, 121.4, np.nan, 130, 140, 0, 150]
    # 120.5 -> 121 for 1 s; 121.4 -> 121 for 2 s; no HR for 1 s; 130 before a 96 s pause counts 0;
    # 140 for 1 s; 0 is a drop-out; the last record counts 0.
    assert hr_histogram(times, hr) == {121: 3.0, 140: 1.0}
    assert hr_histogram([5], [120]) == {} and hr_histogram([], []) == {}
    assert heart_rate_bin(120.5) == 121.0 and heart_rate_bin(120.49) == 120.0
    assert_allclose(heart_rate_bin([np.nan, 99.5]), [np.nan, 100.0])


def test_tanaka_and_the_estimated_threshold():
    assert tanaka_hr_max(30) == 187            # 208 - 21
    assert tanaka_hr_max(45) == 176.5 + 0.5    # 176.5 rounds half up
    assert_allclose(tanaka_hr_max([20, np.nan]), [194.0, np.nan])
    assert tanaka_hr_max([]).shape == (0,)
    # Elevate's defaults: max 190, rest 65, lthr = rest + 0.85 (max - rest) = 171.25.
    assert estimated_lthr(190, 65) == pytest.approx(171.25)
    assert_allclose(estimated_lthr(np.array([200.0, np.nan]), 40), [176.0, np.nan])
