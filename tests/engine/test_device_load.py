"""Training load from heart rate and pace (spec/device-load.md)."""
import math

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from heavylegs.engine.device_load import (
    choose_metric,
    cumulative_distance,
    format_histogram,
    gap_factor,
    grade_adjusted_distance,
    heart_rate_bins,
    hr_histogram,
    hrss,
    load_summary,
    parse_histogram,
    resolve_thresholds,
    rtss,
    session_loads,
    tanaka_hr_max,
    threshold_pace_from_log,
    trimp,
)
from heavylegs.errors import InputError
from heavylegs.logs.traininglog import validate_log

MALE = {"sex": "male", "hr_max_bpm": 200, "hr_rest_bpm": 40, "lthr_bpm": 172}


# --- the reference cases of spec/device-load.md ------------------------------

def test_reference_male_30_min_at_130_bpm():
    value = trimp({130: 30 * 60}, 200, 40, "male")
    assert_allclose(value, 30 * 0.5625 * 0.64 * math.exp(1.92 * 0.5625))
    assert round(value, 2) == 31.80
    assert round(hrss(value, 200, 40, 172, "male"), 2) == 20.59


def test_reference_female_60_min_at_155_bpm():
    assert round(trimp({155: 3600}, 190, 50, "female"), 2) == 135.41


def test_reference_rtss_threshold_pace_four_minutes():
    assert round(rtss(50, 10, 4.0), 2) == 53.33


def test_reference_gap_factor():
    assert gap_factor(0) == pytest.approx(0.99358)
    assert round(gap_factor(10), 4) == 1.4798
    assert round(gap_factor(-10), 4) == 0.8793
    assert gap_factor(55) == gap_factor(40)  # clamped at ±40 %
    assert_allclose(gap_factor([0, 10]), [0.99358, 1.479808])


# --- the anchors' own conventions, reproduced with their parameters ----------

def test_goldencheetah_average_hr_trimp_uses_064_for_both_sexes():
    # GoldenCheetah TRIMPPoints: minutes × HRr × 0.64 × e^(ksex × HRr), average HR, ksex 1.67 for women.
    ours = trimp({155: 3600}, 190, 50, "female")
    theirs = trimp({155: 3600}, 190, 50, "female", a=0.64)
    assert_allclose(theirs, 60 * 0.75 * 0.64 * math.exp(1.67 * 0.75))
    assert round(theirs, 2) == 100.77 and ours > theirs
    # For men both conventions agree.
    assert trimp({130: 1800}, 200, 40, "male", a=0.64, b=1.92) == trimp({130: 1800}, 200, 40, "male")


def test_runalyze_worked_example_and_its_female_constant():
    # Runalyze CalculatorTest (fellrnr example): male, max 200, rest 40, 30 min at 130 -> 32 (exact 31.8).
    value = trimp({130: 1800}, 200, 40, "male")
    assert round(value) == 32 and round(value, 1) == 31.8
    # Runalyze's women: A 0.821776 instead of Banister's 0.86.
    assert_allclose(trimp({155: 3600}, 190, 50, "female", a=0.821776),
                    60 * 0.75 * 0.821776 * math.exp(1.67 * 0.75))


def test_hrss_is_100_for_one_hour_at_threshold_and_elevate_agrees():
    one_hour = trimp({172: 3600}, 200, 40, "male")
    assert_allclose(hrss(one_hour, 200, 40, 172, "male"), 100.0)
    # Elevate's defaults: max 190, rest 65, lthr = rest + 0.85 (max - rest) = 171.25.
    thresholds = resolve_thresholds({"hr_max_bpm": 190, "hr_rest_bpm": 65})
    assert thresholds["lthr"]["value"] == pytest.approx(171.25)


def test_intervals_icu_pace_load_worked_number():
    # intervals.icu forum: threshold 6:15/mi, 60 min at 7:49/mi -> 64.
    mile = 1.609344
    distance = 60 / (469 / 60) * mile
    assert round(rtss(60, distance, 6.25 / mile)) == 64


def test_unknown_sex_takes_the_mean_coefficients():
    value = trimp({130: 1800}, 200, 40, None)
    assert_allclose(value, 30 * 0.5625 * 0.75 * math.exp(1.795 * 0.5625))
    assert trimp({130: 1800}, 200, 40, "other") == value


def test_trimp_clamps_the_reserve_and_needs_a_maximum():
    assert trimp({30: 600}, 200, 40, "male") == 0.0             # below rest counts 0
    assert_allclose(trimp({230: 60}, 200, 40, "male"), 1 * 0.64 * math.exp(1.92))  # above max counts as max
    assert trimp({130: 60}, None, 40, "male") is None
    assert trimp({}, 200, 40) == 0.0
    assert hrss(10.0, 200, 40, None) is None


# --- records ------------------------------------------------------------------

def test_histogram_counts_time_to_the_next_record_rounds_half_up_and_skips_pauses():
    times = [0, 1, 3, 4, 100, 101, 102]
    hr = [120.5, 121.4, np.nan, 130, 140, 0, 150]
    # 120.5 -> 121 for 1 s; 121.4 -> 121 for 2 s; no HR for 1 s; 130 before a 96 s pause counts 0;
    # 140 for 1 s; 0 is a drop-out; the last record counts 0.
    assert hr_histogram(times, hr) == {121: 3.0, 140: 1.0}
    assert hr_histogram([5], [120]) == {}


def test_histogram_text_round_trip():
    text = format_histogram({129: 42.5, 128: 30.0})
    assert text == "128:30 129:42.5"
    assert parse_histogram(text) == {128: 30.0, 129: 42.5}
    assert format_histogram({}) is None and parse_histogram(None) == {} and parse_histogram("") == {}
    with pytest.raises(ValueError, match="bpm:seconds"):
        parse_histogram("128")


def test_haversine_uses_the_mean_earth_radius():
    assert_allclose(cumulative_distance([0, 1], [0, 0]), [0, 6_371_008.8 * math.pi / 180])


def test_grade_adjusted_distance_flat_uphill_and_without_altitude():
    d = np.arange(0, 1001, 10.0)
    assert_allclose(grade_adjusted_distance(d, np.zeros_like(d)), 0.99358)
    assert_allclose(grade_adjusted_distance(d, d * 0.10), 1.479808)
    assert grade_adjusted_distance(d, np.full_like(d, np.nan)) is None
    # Segments close at the first record reaching 20 m: 0-25, 25-50; the last 10 m are not counted.
    assert_allclose(grade_adjusted_distance([0, 15, 25, 40, 50, 60], [0, 0, 0, 0, 0, 0]), 0.05 * 0.99358)
    # A record without altitude is skipped, not counted as flat.
    assert_allclose(grade_adjusted_distance([0, 10, 20], [0, np.nan, 2]), 0.02 * 1.479808)


# --- thresholds ---------------------------------------------------------------

def test_thresholds_entered_estimated_and_unknown():
    entered = resolve_thresholds({**MALE, "threshold_pace_min_km": 4.5})
    assert {k: entered[k]["provenance"] for k in ("hr_max", "hr_rest", "lthr", "threshold_pace")} == \
        dict.fromkeys(("hr_max", "hr_rest", "lthr", "threshold_pace"), "entered")
    estimated = resolve_thresholds({"age_years": 30, "resting_hr_bpm": 50})
    assert estimated["hr_max"] == {"value": 187.0, "unit": "bpm", "provenance": "estimated",
                                   "how": estimated["hr_max"]["how"]}
    assert "Tanaka" in estimated["hr_max"]["how"]
    assert estimated["hr_rest"]["value"] == 50 and estimated["hr_rest"]["provenance"] == "entered"
    assert estimated["lthr"]["value"] == pytest.approx(50 + 0.85 * 137)
    nothing = resolve_thresholds(None)
    assert nothing["hr_max"]["value"] is None and nothing["lthr"]["value"] is None
    assert nothing["hr_rest"] == {"value": 60.0, "unit": "bpm", "provenance": "estimated",
                                  "how": "assumed 60 bpm"}
    assert nothing["threshold_pace"]["provenance"] is None


def test_tanaka():
    assert tanaka_hr_max(30) == 187 and tanaka_hr_max(45) == 177  # 176.5 rounds half up
    assert tanaka_hr_max(None) is None


def _log(rows):
    return validate_log(pd.DataFrame(rows))


def test_threshold_pace_from_the_fastest_30_to_75_min_run_of_the_90_days_before():
    log = _log([
        {"date": "2026-01-01", "duration_min": 40, "distance_km": 10},     # 4:00, 100 days before
        {"date": "2026-03-01", "duration_min": 50, "distance_km": 10},     # 5:00
        {"date": "2026-03-02", "duration_min": 50, "distance_km": 10, "gap_distance_km": 11},  # 4:32.7 GAP
        {"date": "2026-03-03", "duration_min": 20, "distance_km": 6},      # too short
        {"date": "2026-03-04", "duration_min": 90, "distance_km": 25},     # too long
        {"date": "2026-03-05", "activity": "cross", "duration_min": 60, "distance_km": 30},  # not a run
        {"date": "2026-04-11", "duration_min": 45, "distance_km": 10},     # the day itself: not before
    ])
    assert threshold_pace_from_log(log, "2026-04-11") == pytest.approx(50 / 11)
    assert threshold_pace_from_log(log, "2026-01-02") == pytest.approx(4.0)
    assert threshold_pace_from_log(log, "2026-01-01") is None
    thresholds = resolve_thresholds({}, log, "2026-04-11")
    assert thresholds["threshold_pace"]["provenance"] == "from_log"


# --- sessions -----------------------------------------------------------------

def test_session_loads_histogram_average_rest_and_stress():
    log = _log([
        {"date": "2026-03-01", "duration_min": 30, "hr_histogram": "130:1800", "rpe": 4},
        {"date": "2026-03-02", "duration_min": 30, "avg_hr_bpm": 129.6},
        {"date": "2026-03-03", "activity": "rest"},
        {"date": "2026-03-04", "duration_min": 50, "distance_km": 10},
        {"date": "2026-03-05", "activity": "strength", "duration_min": 40},
    ])
    loads = session_loads(log, {**MALE, "threshold_pace_min_km": 4.0})
    assert_allclose(loads["trimp"].iloc[:2], [31.8025, 31.8025], rtol=1e-5)
    assert [v if isinstance(v, str) else None for v in loads["hr_from"]] == \
        ["histogram", "average", None, None, None]
    assert_allclose(loads["hrss"].iloc[0], 20.5946, rtol=1e-5)
    assert loads.iloc[2][["srpe", "trimp", "hrss", "rtss", "stress"]].tolist() == [0, 0, 0, 0, 0]
    assert np.isnan(loads["trimp"].iloc[3]) and loads["rtss"].iloc[3] == pytest.approx(53.3333, rel=1e-5)
    assert loads["stress"].iloc[3] == loads["rtss"].iloc[3]                 # no heart rate: pace
    assert loads["stress"].iloc[0] == loads["hrss"].iloc[0]                 # heart rate first
    assert np.isnan(loads["stress"].iloc[4]) and np.isnan(loads["rtss"].iloc[4])
    assert loads["srpe"].iloc[0] == 120 and loads["srpe_method"].iloc[0] == "rpe"
    assert loads["srpe"].iloc[4] == 120 and loads["srpe_method"].iloc[4] == "session_type"
    # Without a maximum heart rate there is no heart-rate load.
    assert session_loads(log, {})["hrss"].iloc[:2].isna().all()


def _paired_log(pairs, unrated_days=("2026-06-20",)):
    rows = [{"date": f"2026-06-{i + 1:02d}", "duration_min": 60, "hr_histogram": f"{140 + i}:3600",
             "rpe": 5} for i in range(pairs)]
    rows += [{"date": day, "duration_min": 60, "hr_histogram": "150:3600", "session_type": "easy"}
             for day in unrated_days]
    return _log(rows)


def test_srpe_calibrated_from_heart_rate_with_8_pairs():
    log = _paired_log(8)
    loads = session_loads(log, MALE)
    rated = loads.iloc[:8]
    k = (rated["srpe"] * rated["hrss"]).sum() / (rated["hrss"] ** 2).sum()
    assert loads["srpe_method"].iloc[8] == "hr_calibrated"
    assert_allclose(loads["srpe"].iloc[8], k * loads["hrss"].iloc[8])


def test_srpe_by_session_type_with_7_pairs_or_pairs_over_a_year_old():
    loads = session_loads(_paired_log(7), MALE)
    assert loads["srpe_method"].iloc[7] == "session_type" and loads["srpe"].iloc[7] == 180
    late = session_loads(_paired_log(8, unrated_days=("2027-06-01", "2027-05-31")), MALE)
    # 2027-05-31 is 364 days after 2026-06-01: all 8 pairs are in its window; 2027-06-01 is not.
    assert list(late["srpe_method"].iloc[8:]) == ["hr_calibrated", "session_type"]


def test_a_changed_threshold_recomputes_from_the_stored_histograms():
    log = _paired_log(8)
    bins = heart_rate_bins(log)
    before = session_loads(log, MALE, bins=bins)
    changed = {**MALE, "hr_max_bpm": 190}
    again = session_loads(log, changed, bins=bins)
    assert_allclose(again["trimp"], session_loads(log, changed)["trimp"])
    assert (again["trimp"] > before["trimp"]).all()


# --- the metric in use ----------------------------------------------------------

def test_auto_takes_srpe_stress_or_srpe():
    rated = _log([{"date": f"2026-03-{d:02d}", "duration_min": 50, "distance_km": 10,
                   "rpe": 5 if d % 2 else None} for d in range(1, 11)])
    metric, why = choose_metric(session_loads(rated, {"threshold_pace_min_km": 4}), rated)
    assert metric == "srpe" and why.startswith("5 of 10")
    device = _log([{"date": f"2026-03-{d:02d}", "duration_min": 50, "distance_km": 10} for d in range(1, 11)])
    assert choose_metric(session_loads(device, {"threshold_pace_min_km": 4}), device)[0] == "stress"
    assert choose_metric(session_loads(device, {}), device)[0] == "stress"   # pace from the log, but the first day
    bare = _log([{"date": f"2026-03-{d:02d}", "duration_min": 50} for d in range(1, 11)])
    assert choose_metric(session_loads(bare, {}), bare)[0] == "srpe"
    assert choose_metric(session_loads(bare, {}), bare, "trimp") == ("trimp", "chosen by the coach")
    with pytest.raises(InputError, match="expected one of auto, srpe"):
        choose_metric(session_loads(bare, {}), bare, "tss")


def test_load_summary_says_what_the_load_is():
    log = _log([
        {"date": "2026-03-01", "duration_min": 30, "hr_histogram": "130:1700 196:100", "max_hr_bpm": 196},
        {"date": "2026-03-02", "duration_min": 30, "avg_hr_bpm": 140},
        {"date": "2026-03-03", "duration_min": 30, "rpe": 3},
    ])
    summary = load_summary(log, {"age_years": 30, "sex": "female"})
    assert summary["metric"] == "stress" and summary["requested"] == "auto"
    assert summary["thresholds"]["hr_max"]["provenance"] == "estimated"
    assert summary["sessions"] == 3 and summary["missing"] == 1
    assert summary["estimated"] == {"hr_calibrated": 0, "session_type": 2, "hr_from_average": 1}
    assert summary["hr_max_seen"] == 196 and summary["hr_max_in_use"] == 187
    assert summary["hr_max_note"].startswith("the log shows 196 bpm, above the 187 in use")
    assert load_summary(log, {"hr_max_bpm": 200}, metric="srpe")["hr_max_note"] is None
