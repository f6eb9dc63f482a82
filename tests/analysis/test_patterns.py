"""The athlete's own patterns: exposures, permutation p-values, Benjamini-Hochberg, reported or not seen."""
import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from heavylegs.logs.checkins import load_checkins
from heavylegs.analysis.patterns import (DEVICE_FACTS, FACTS, benjamini_hochberg, exposures, find_patterns, pattern_evidence,
                                permutation_p_values)
from heavylegs.analysis.pipeline import assess
from heavylegs.store.profiles import read_profile
from heavylegs.analysis.scoring import score_profile
from heavylegs.files import athlete_paths
from heavylegs.logs.traininglog import read_log, validate_log

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
START = pd.Timestamp("2026-09-01")  # a Tuesday


def day(t):
    return START + pd.Timedelta(days=t)


@pytest.fixture(scope="module")
def small_log():
    """40 days of 30-min easy runs (6 km, RPE 3: 90 AU a day), except: no session on day 30,
    a 10 km race (40 min, RPE 9: 360 AU) instead of the run on day 33, a strength session
    (60 min, RPE 5: 300 AU) besides the run on day 35, a 100-min long run (18 km, RPE 4: 400 AU)
    on day 36."""
    rows = []
    for t in range(40):
        if t == 30:
            continue
        if t == 33:
            rows.append({"date": day(t), "activity": "run", "duration_min": 40.0, "distance_km": 10.0,
                         "rpe": 9.0, "session_type": "race"})
        elif t == 36:
            rows.append({"date": day(t), "activity": "run", "duration_min": 100.0, "distance_km": 18.0,
                         "rpe": 4.0, "session_type": "long"})
        else:
            rows.append({"date": day(t), "activity": "run", "duration_min": 30.0, "distance_km": 6.0,
                         "rpe": 3.0, "session_type": "easy"})
        if t == 35:
            rows.append({"date": day(t), "activity": "strength", "duration_min": 60.0, "rpe": 5.0})
    return validate_log(pd.DataFrame(rows))


CHECKIN_DAYS = [1, 31, 32, 33, 34, 35, 36, 37, 38, 39]
N = np.nan


def test_exposures_known_values(small_log):
    sleep = [8.0, 6.5, 7.0, N, 6.9, 8, 8, 8, 8, 8]
    out = exposures([day(t) for t in CHECKIN_DAYS], sleep, small_log, until=day(39))
    # strength on day 35: days 36 and 37
    assert_array_equal(out["after_strength"], [N, 0, 0, 0, 0, 0, 1, 1, 0, 0])
    # race on day 33: days 34, 35, 36
    assert_array_equal(out["after_race"], [N, 0, 0, 0, 1, 1, 1, 0, 0, 0])
    # the rest day 30 is in d-7 .. d-1 for days 31-37
    assert_array_equal(out["no_rest_7d"], [N, 0, 0, 0, 0, 0, 0, 0, 1, 1])
    # day 34: 360 AU on day 33 against 1.5 x (27 x 90 + 0) / 28 = 130.2; day 36: 390 against 144.6;
    # day 37: 400 against 160.7; day 1 lacks the 28 days before d-1
    assert_array_equal(out["after_hard_day"], [N, 0, 0, 0, 1, 0, 1, 1, 0, 0])
    # day 37: the 100-min run; day 34: the 10 km race is its week's longest run and >= 1.5 x 6 km
    assert_array_equal(out["after_long_run"], [N, 0, 0, 0, 1, 0, 0, 1, 0, 0])
    # 7-day sums: 24 x 630, 3 x 540, 2 x 810, 1110, 1420, 3 x 1510; 2/3 quantile 630;
    # above it: the sums ending on days 33-38
    assert_array_equal(out["high_acute_load"], [N, 0, 0, 0, 1, 1, 1, 1, 1, 1])
    assert_array_equal(out["after_short_sleep"], [0, 1, 0, N, 1, 0, 0, 0, 0, 0])


def test_exposures_without_a_log_know_only_sleep():
    out = exposures([day(1), day(2)], [6.0, 8.0])
    assert_array_equal(out["after_short_sleep"], [1, 0])
    assert all(np.isnan(out[f.id]).all() for f in FACTS if f.id != "after_short_sleep")


def _exact_p(h, x):
    """Two-sided p over every split of the days into groups of the same sizes (the exact test)."""
    h, x = np.asarray(h, float), np.asarray(x, bool)
    k, n = x.sum(), len(h)
    observed = abs(h[x].mean() - h[~x].mean())
    hits = total = 0
    for idx in itertools.combinations(range(n), k):
        mask = np.zeros(n, bool)
        mask[list(idx)] = True
        total += 1
        hits += abs(h[mask].mean() - h[~mask].mean()) >= observed - 1e-12
    return hits / total


def test_permutation_p_hand_case():
    # heaviness 1, 2, 3, 4 with the first two exposed: |delta| = 2; of the 6 splits
    # {1,2} and {3,4} reach it, so the exact p is 1/3
    p = permutation_p_values([1, 2, 3, 4], [1, 1, 0, 0])
    assert_allclose(p, [1 / 3], atol=0.015)
    assert p[0] == permutation_p_values([1, 2, 3, 4], [1, 1, 0, 0])[0]  # seed 0: always the same


def test_permutation_p_matches_the_exact_test_for_several_facts_at_once():
    h = [7, 6, 3, 2, 3, 4, 8, 2, 3, 5, 3, 2]
    facts = np.array([[1, 1, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0],
                      [0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1],
                      [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]], dtype=float)
    p = permutation_p_values(h, facts)
    assert_allclose(p, [_exact_p(h, f) for f in facts], atol=0.015)
    # the smallest p a test of 10,000 shuffles can give is 1/10,001, never 0
    assert permutation_p_values([9] * 10 + [1] * 20, [1] * 10 + [0] * 20)[0] == pytest.approx(1 / 10001)


def test_permutation_p_leaves_unknown_days_out():
    h = [7, 6, 3, 2, 3, 4, 8, 2, 9, 9]
    with_unknown = [1, 1, 0, 0, 0, 0, 1, 0, N, N]
    assert_allclose(permutation_p_values(h, with_unknown), [_exact_p(h[:8], with_unknown[:8])], atol=0.015)


def test_permutation_p_is_nan_for_an_empty_group():
    p = permutation_p_values([3, 4, 5], [[1, 1, 1], [0, 0, 0], [N, N, N]])
    assert np.isnan(p).all()
    with pytest.raises(ValueError, match="exposed has 2 days, heaviness 3"):
        permutation_p_values([3, 4, 5], [1, 0])


def test_benjamini_hochberg_against_a_hand_computation():
    # sorted: 0.01 <= 1/4 x 0.1, 0.03 <= 2/4 x 0.1, 0.04 <= 3/4 x 0.1, 0.20 > 0.1
    passes, adjusted = benjamini_hochberg([0.01, 0.04, 0.03, 0.20], fdr=0.10)
    assert passes.tolist() == [True, True, True, False]
    # adjusted: min over j >= i of 4 p(j) / j: 0.04, 0.0533, 0.0533, 0.20
    assert_allclose(adjusted, [0.04, 0.16 / 3, 0.16 / 3, 0.20])


def test_benjamini_hochberg_steps_up_and_skips_untested():
    # 0.03 fails its own step (0.025) but 0.035 passes the second (0.05): both pass
    passes, adjusted = benjamini_hochberg([0.035, None, 0.03, np.nan], fdr=0.05)
    assert passes.tolist() == [True, False, True, False]
    assert_allclose(adjusted, [0.035, N, 0.035, N])
    assert benjamini_hochberg([0.2, 0.5], fdr=0.1)[0].tolist() == [False, False]
    assert benjamini_hochberg([])[0].tolist() == []


def _strength_case(n_checkins=40):
    """Spec reference case: heaviness 7 on the 10 days after strength sessions, 3 on the 30 others."""
    days = pd.date_range("2026-08-01", periods=80)
    rows = [{"date": d, "activity": "run", "duration_min": 40.0, "distance_km": 8.0, "rpe": 3.0,
             "session_type": "easy"} for d in days]
    strength = [days[40 + 8 * i] for i in range(5)]
    rows += [{"date": d, "activity": "strength", "duration_min": 45.0, "rpe": 5.0} for d in strength]
    log = validate_log(pd.DataFrame(rows))
    check_days = days[40:80]
    after = {d + pd.Timedelta(days=k) for d in strength for k in (1, 2)}
    heaviness = [7 if d in after else 3 for d in check_days]
    checkins = pd.DataFrame({"date": check_days, "heaviness": heaviness, "sleep_h": 8.0}).iloc[:n_checkins]
    return checkins, log, check_days[-1]


def test_reference_case_strength_reported():
    checkins, log, until = _strength_case()
    patterns = find_patterns(checkins, log, until=until)
    first = patterns[0]
    assert first["id"] == "after_strength" and first["reported"]
    assert (first["n_exposed"], first["n_other"]) == (10, 30)
    assert (first["mean_exposed"], first["mean_other"], first["delta"]) == (7.0, 3.0, 4.0)
    assert first["p"] == 0.0001
    assert first["because"] == ("heavy legs follow strength days: 7.0 on the two days after strength, "
                                "3.0 on other days (10 and 30 check-ins)")
    assert sorted(p["id"] for p in patterns) == sorted(f.id for f in FACTS if f.id not in DEVICE_FACTS)
    assert [p["reported"] for p in patterns] == sorted((p["reported"] for p in patterns), reverse=True)
    assert {p["id"] for p in patterns if not p["reported"]} >= {"after_short_sleep", "after_race"}


def test_reference_case_twenty_checkins_report_nothing():
    checkins, log, until = _strength_case(n_checkins=20)
    patterns = find_patterns(checkins, log, until=until)
    assert not any(p["reported"] for p in patterns)
    strength = next(p for p in patterns if p["id"] == "after_strength")
    assert strength["delta"] == 4.0 and strength["checkins_needed"] == 1
    assert "1 more check-in needed" in strength["because"]


def test_small_groups_and_small_differences_are_not_seen():
    # the long run and hard day: 2 exposed days each, fewer than 4
    checkins, log, until = _strength_case()
    checkins = checkins.assign(heaviness=[4 if i % 2 else 3 for i in range(len(checkins))],
                               sleep_h=[6.0 if i % 3 == 0 else 8.0 for i in range(len(checkins))])
    patterns = {p["id"]: p for p in find_patterns(checkins, log, until=until)}
    assert not any(p["reported"] for p in patterns.values())
    sleep = patterns["after_short_sleep"]
    assert sleep["because"].startswith("not seen: ") and "below 1.5" in sleep["because"]
    assert patterns["after_race"]["p"] is None and patterns["after_race"]["because"].startswith("not tested")


def test_the_window_is_the_180_days_up_to_the_assessment():
    days = pd.date_range("2026-01-01", periods=300)
    checkins = pd.DataFrame({"date": days, "heaviness": 3, "sleep_h": 8.0})
    patterns = find_patterns(checkins, until="2026-08-01")
    assert patterns[0]["window_checkins"] == 180
    sleep = next(p for p in patterns if p["id"] == "after_short_sleep")
    assert (sleep["n_exposed"], sleep["n_other"]) == (0, 180)


def test_pattern_evidence_points_to_the_causes_with_grade_s():
    checkins, log, until = _strength_case()
    evidence = pattern_evidence(find_patterns(checkins, log, until=until))
    item = evidence["strength_overload"][0]
    assert item == {"field": "pattern_after_strength", "value": 4.0, "points": 3, "grade": "S",
                    "evidence_tag": "P", "from_checkins": True,
                    "because": "heavy legs follow strength days: 7.0 on the two days after strength, "
                               "3.0 on other days (10 and 30 check-ins)"}
    assert "pattern_after_strength" in [i["field"] for i in evidence["muscle_fatigue"]]
    assert pattern_evidence([{"id": "after_strength", "reported": False}]) == {}


def test_scoring_adds_pattern_points():
    profile = {"athlete_id": "zoe", "assessed_on": "2026-11-16"}
    extra = {"strength_overload": [{"field": "pattern_after_strength", "value": 4.0, "points": 3,
                                    "because": "heavy legs follow strength days", "grade": "S"}]}
    plain = {c["id"]: c for c in score_profile(profile)["causes"]}
    doc = score_profile(profile, pattern_evidence=extra)
    cause = next(c for c in doc["causes"] if c["id"] == "strength_overload")
    assert cause["raw_points"] == plain["strength_overload"]["raw_points"] + 3
    assert cause["score"] == 45 and cause["band"] == "possible" and cause["rank"] == 1
    assert cause["evidence"][-1]["field"] == "pattern_after_strength"


def test_assess_with_checkins_returns_patterns_and_their_evidence():
    checkins, log, until = _strength_case()
    profile = {"athlete_id": "zoe", "assessed_on": str(until.date())}
    result = assess(profile, log, checkins=checkins)
    assert result.patterns[0]["id"] == "after_strength" and result.ranking["patterns"] == result.patterns
    fields = [e["field"] for c in result.ranking["causes"] if c["id"] == "strength_overload"
              for e in c["evidence"]]
    assert "pattern_after_strength" in fields
    # reused patterns give the same ranking; no check-ins: no patterns, as before
    again = assess(profile, log, patterns=result.patterns)
    assert again.ranking == result.ranking
    assert assess(profile, log).patterns is None and "patterns" not in assess(profile, log).ranking


# --- the sample athletes (scripts/make_sample_checkins.py) -----------------------------------

def _sample(athlete_id):
    paths = athlete_paths(DATA, athlete_id)
    profile = read_profile(paths["profile"])
    return profile, read_log(paths["log"]), load_checkins(DATA, athlete_id)


def test_dev_sample_reports_heavy_legs_after_strength():
    profile, log, checkins = _sample("dev")
    result = assess(profile, log, checkins=checkins)
    reported = [p["id"] for p in result.patterns if p["reported"]]
    assert reported[0] == "after_strength"
    top = result.ranking["causes"][0]
    assert top["id"] == "strength_overload"
    assert "pattern_after_strength" in [e["field"] for e in top["evidence"]]


def test_ana_sample_reports_no_pattern():
    profile, log, checkins = _sample("ana")
    result = assess(profile, log, checkins=checkins)
    assert not any(p["reported"] for p in result.patterns)
    assert result.ranking["causes"][0]["id"] == "iron_deficiency"


def test_docstring_examples_run():
    import doctest

    import heavylegs.analysis.patterns

    result = doctest.testmod(heavylegs.analysis.patterns)
    assert result.attempted >= 4 and result.failed == 0


def test_no_checkins_tests_nothing_and_says_what_is_needed(small_log):
    from heavylegs.logs.checkins import empty_checkins

    patterns = find_patterns(empty_checkins(), small_log, until=day(39))
    assert [p["id"] for p in patterns] == [f.id for f in FACTS if f.id not in DEVICE_FACTS]
    assert all(p["p"] is None and not p["reported"] and p["checkins_needed"] == 21 for p in patterns)
    assert patterns[0]["because"] == ("not tested: no check-in in the last 180 days, 21 needed "
                                      "(21 more check-ins needed)")
