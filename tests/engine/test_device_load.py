"""Training load from heart rate and pace (spec/device-load.md)."""
import math

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from heavylegs.engine.device_load import (
    choose_metric,
    heart_rate_bins,
    load_summary,
    resolve_thresholds,
    session_heart_rate_bins,
    session_loads,
    threshold_pace_from_log,
)
from heavylegs.errors import InputError
from heavylegs.logs.traininglog import validate_log

MALE = {"sex": "male", "hr_max_bpm": 200, "hr_rest_bpm": 40, "lthr_bpm": 172}

# The formulas (TRIMP, HRSS, rTSS, the GAP factor, the histogram of records, Tanaka) are tested with
# their reference cases in tests/metrics/; here, how a log's sessions get them.


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


def test_elevate_defaults_estimate_lthr_from_the_reserve():
    # Elevate's defaults: max 190, rest 65, lthr = rest + 0.85 (max - rest) = 171.25.
    thresholds = resolve_thresholds({"hr_max_bpm": 190, "hr_rest_bpm": 65})
    assert thresholds["lthr"]["value"] == pytest.approx(171.25)
    assert resolve_thresholds({"age_years": 45})["hr_max"]["value"] == 177  # Tanaka, 176.5 rounds half up


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


def test_bins_of_plain_arrays_equal_those_of_the_log():
    log = _log([
        {"date": "2026-03-01", "duration_min": 30, "hr_histogram": "130:1700 196:100", "max_hr_bpm": 196},
        {"date": "2026-03-02", "duration_min": 30, "avg_hr_bpm": 140.5},
        {"date": "2026-03-03", "activity": "rest", "avg_hr_bpm": 50},
        {"date": "2026-03-04", "duration_min": 30},
    ])
    bins = heart_rate_bins(log)
    assert bins.session.tolist() == [0, 0, 1] and bins.bpm.tolist() == [130, 196, 141]
    assert bins.seconds.tolist() == [1700, 100, 1800] and list(bins.source) == ["histogram", "average", None, None]
    plain = session_heart_rate_bins(np.array([False, False, True, False]), log["duration_min"].to_numpy(),
                                    log["avg_hr_bpm"].to_numpy(), log["hr_histogram"].to_numpy(dtype=object))
    assert plain.session.tolist() == bins.session.tolist() and plain.bpm.tolist() == bins.bpm.tolist()
    assert np.isnan(plain.max_bpm[1]) and bins.max_bpm[0] == 196


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
