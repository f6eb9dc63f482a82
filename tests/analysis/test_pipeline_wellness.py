"""The wearable's facts in the ranking and the patterns (spec/wellness.md, "Baselines"; reference cases)."""
import math

import numpy as np
import pandas as pd
import pytest

from heavylegs.analysis.pipeline import assess
from heavylegs.analysis.scoring import format_ranking
from heavylegs.engine.wellness import choose_source, morning_series, wellness_facts
from heavylegs.logs.wellness import validate_wellness

END = pd.Timestamp("2026-03-08")


def _garmin_hrv(days=67, low_last=7, usual=60.0, low=45.0, rhr=None):
    dates = pd.date_range(end=END, periods=days)
    hrv = [usual] * (days - low_last) + [low] * low_last
    frame = {"date": dates.strftime("%Y-%m-%d"), "source": "garmin", "hrv_ms": hrv, "hrv_kind": "rmssd"}
    if rhr is not None:
        frame["rhr_bpm"] = rhr
    return pd.DataFrame(frame)


def _profile(**answers):
    base = {"format": "heavylegs.profile/1", "athlete_id": "zoe", "assessed_on": END.date().isoformat()}
    base.update(answers)
    return base


def _evidence(ranking, cause_id, field):
    cause = next(c for c in ranking["causes"] if c["id"] == cause_id)
    return [e for e in cause["evidence"] if e["field"] == field]


def test_reference_case_hrv_below_normal_raises_overtraining_and_muscle_fatigue():
    wellness = validate_wellness(_garmin_hrv())
    facts = wellness_facts(wellness, END)
    assert facts["values"] == {"hrv_below_normal": True}
    assert round(facts["hrv"]["baseline"], 3) == 4.094 and round(facts["hrv"]["recent"], 3) == 3.807
    assert facts["hrv"]["sd"] == 0.0
    result = assess(_profile(), wellness=wellness)
    plain = assess(_profile())
    for cause_id in ("overtraining", "muscle_fatigue"):
        [item] = _evidence(result.ranking, cause_id, "hrv_below_normal")
        assert item["points"] == 2 and item["grade"] == "M" and item["from_device"] is True
        # shown with the two numbers, the device and the days
        assert "Garmin rMSSD: mean ln 3.807 (45 ms) over 7 nights, 2026-03-02 to 2026-03-08" in item["because"]
        assert "below the normal band's lower edge ln 4.094 (60 ms; mean ln 4.094 − 1 SD 0.000, 60 nights " \
               "2026-01-01 to 2026-03-01)" in item["because"]
        before = next(c for c in plain.ranking["causes"] if c["id"] == cause_id)
        after = next(c for c in result.ranking["causes"] if c["id"] == cause_id)
        assert after["raw_points"] == before["raw_points"] + 2


def test_hrv_within_its_band_adds_nothing():
    wellness = validate_wellness(_garmin_hrv(low=60.0))
    result = assess(_profile(), wellness=wellness)
    assert result.wellness["values"] == {"hrv_below_normal": False}
    assert not _evidence(result.ranking, "overtraining", "hrv_below_normal")


def test_reference_case_two_sources_two_baselines_and_the_line_names_the_one_used():
    garmin = _garmin_hrv()
    apple = _garmin_hrv(days=50, usual=30.0, low=40.0).assign(source="apple", hrv_kind="sdnn")
    wellness = validate_wellness(pd.concat([garmin, apple]))
    facts = wellness_facts(wellness, END)
    hrv = {(b["source"], b["kind"]): b for b in facts["baselines"] if b["measure"] == "hrv"}
    assert set(hrv) == {("garmin", "rmssd"), ("apple", "sdnn")}
    assert round(hrv[("garmin", "rmssd")]["baseline"], 3) == 4.094          # never mixed with Apple's SDNN
    assert hrv[("apple", "sdnn")]["baseline"] == pytest.approx(math.log(30))
    assert hrv[("apple", "sdnn")]["below_normal"] is False
    assert choose_source(wellness, "hrv", END) == ("garmin", "rmssd")     # 67 days against 50
    assert facts["why"]["hrv_below_normal"].startswith("Garmin rMSSD")
    # with more Apple days, Apple's SDNN is the one used, and it is not below normal
    apple_more = _garmin_hrv(days=67, usual=30.0, low=40.0).assign(source="apple", hrv_kind="sdnn")
    wellness = validate_wellness(pd.concat([garmin.iloc[10:], apple_more]))
    facts = wellness_facts(wellness, END)
    assert facts["hrv"]["source"] == "apple" and facts["values"] == {"hrv_below_normal": False}
    assert facts["why"]["hrv_below_normal"].startswith("Apple Health SDNN")


def test_resting_hr_and_sleep_fill_unknown_answers_and_an_entered_answer_wins():
    rhr = [50.0] * 60 + [57.0] * 7
    wellness = _garmin_hrv(low=60.0, rhr=rhr)
    wellness["sleep_h"] = 6.0
    wellness = validate_wellness(wellness)
    result = assess(_profile(), wellness=wellness)
    lines = {e["field"]: e for e in result.ranking["from_wellness"]}
    assert lines["resting_hr_bpm"]["used"] == "device" and lines["resting_hr_bpm"]["value"] == 57.0
    assert lines["resting_hr_bpm"]["because"] == ("resting heart rate 57.0 bpm from Garmin, mean of 7 mornings, "
                                                  "2026-03-02 to 2026-03-08")
    assert lines["resting_hr_baseline_bpm"]["because"] == ("usual resting heart rate 50.0 bpm from Garmin, mean of "
                                                           "60 mornings, 2026-01-01 to 2026-03-01")
    assert lines["sleep_h"]["value"] == 6.0 and "mean of 14 nights, 2026-02-23 to 2026-03-08" in lines["sleep_h"]["because"]
    [rise] = _evidence(result.ranking, "overtraining", "resting_hr_rise_bpm")
    assert rise["value"] == 7.0 and rise["from_device"] is True
    assert "(resting heart rate 57.0 bpm from Garmin, mean of 7 mornings" in rise["because"]
    # the coach's answers win, and the line says which was used
    entered = assess(_profile(resting_hr_bpm=51.0, resting_hr_baseline_bpm=50.0, sleep_h=8.0), wellness=wellness)
    lines = {e["field"]: e for e in entered.ranking["from_wellness"]}
    assert lines["resting_hr_bpm"]["used"] == "entered" and lines["resting_hr_bpm"]["value"] == 51.0
    assert lines["resting_hr_bpm"]["because"] == ("resting heart rate: the entered 51.0 bpm was used (Garmin, mean "
                                                  "of 7 mornings, 2026-03-02 to 2026-03-08: 57.0 bpm)")
    assert not _evidence(entered.ranking, "overtraining", "resting_hr_rise_bpm")  # 51 − 50 < 5
    assert "From the wearable:" in format_ranking(entered.ranking)


def test_too_few_days_fill_nothing():
    wellness = validate_wellness(_garmin_hrv(days=10, rhr=[50.0] * 10).assign(sleep_h=7.0).iloc[4:])
    facts = wellness_facts(wellness, END)
    # 6 days, 2026-03-03 to 03-08: a recent mean, no 60-day baseline, 6 nights of the 7 a sleep mean needs
    assert facts["fill"] == {"resting_hr_bpm": 50.0}
    assert facts["values"] == {}
    assert "too few nights" in facts["hrv"]["text"] and "7 needed" in facts["sleep"]["text"]


def test_without_wellness_the_ranking_is_unchanged():
    plain = assess(_profile(sleep_h=6.0))
    assert "from_wellness" not in plain.ranking and plain.wellness is None


def test_morning_series_gives_the_normal_band():
    series = morning_series(validate_wellness(_garmin_hrv()), "hrv", END)
    assert series.attrs == {"source": "garmin", "kind": "rmssd"}
    assert np.isnan(series["low"].iloc[26]) and series["low"].iloc[-1] == pytest.approx(60.0)
    assert series["value"].iloc[-1] == 45.0


def _checkins(days, heaviness):
    return pd.DataFrame({"date": days, "heaviness": heaviness, "sleep_h": np.nan})


def test_patterns_after_low_hrv_and_after_high_rhr_from_the_device():
    days = pd.date_range(end=END, periods=120)
    rng = np.random.default_rng(0)
    low_mornings = rng.random(120) < 0.25
    hrv = np.where(low_mornings, 40.0, 60.0 + rng.normal(0, 1, 120))
    rhr = np.where(low_mornings, 58.0, 50.0)
    wellness = validate_wellness(pd.DataFrame({"date": days.strftime("%Y-%m-%d"), "source": "garmin", "hrv_ms": hrv,
                                               "hrv_kind": "rmssd", "rhr_bpm": rhr, "sleep_h": 7.5}))
    heaviness = np.where(low_mornings, 7, 3)
    checkins = _checkins(days[60:], heaviness[60:])
    result = assess(_profile(), checkins=checkins, wellness=wellness)
    patterns = {p["id"]: p for p in result.patterns}
    assert patterns["after_low_hrv"]["reported"] and patterns["after_high_rhr"]["reported"]
    assert patterns["after_low_hrv"]["delta"] == 4.0
    assert patterns["after_short_sleep"]["n_other"] == 60  # the device's 7.5 h nights, no check-in sleep
    ids = [e["field"] for c in result.ranking["causes"] if c["id"] == "overtraining" for e in c["evidence"]]
    assert "pattern_after_low_hrv" in ids and "pattern_after_high_rhr" in ids
    # a check-in's own sleep wins over the device's
    checkins["sleep_h"] = 5.0
    again = assess(_profile(), checkins=checkins, wellness=wellness)
    short = next(p for p in again.patterns if p["id"] == "after_short_sleep")
    assert short["n_exposed"] == 60
