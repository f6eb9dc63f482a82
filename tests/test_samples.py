"""The bundled sample athletes: valid files, the story each one tells, reproducible logs."""
import datetime as dt
import importlib.util
import sys
from pathlib import Path

import pytest

from heavylegs.engine.load import log_facts
from heavylegs.store.profiles import read_profile
from heavylegs.analysis.scoring import score_profile
from heavylegs.files import athlete_paths
from heavylegs.store.storage import list_athletes
from heavylegs.logs.traininglog import read_log

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"

#: What a coach reading each sample should see on top (data/README.md).
EXPECTED_TOP = {
    "ana": "iron_deficiency",
    "ben": "overtraining",
    "carla": "glycogen_depletion",
    "dev": "strength_overload",
    "elena": "poor_circulation",
    "femi": "unsuitable_shoes",
    "gus": "neurological",
    "hana": "muscle_fatigue",
}
#: Red flags each sample must raise; every other sample raises none.
EXPECTED_RED_FLAGS = {
    "gus": {"cannot_lift_leg", "progressive_weakness", "persistent_numbness"},
}
IDS = sorted(EXPECTED_TOP)


def _script():
    spec = importlib.util.spec_from_file_location("make_sample_logs", ROOT / "scripts" / "make_sample_logs.py")
    module = importlib.util.module_from_spec(spec)
    # dataclasses look their module up in sys.modules while the class is built
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module


@pytest.fixture(scope="module")
def profiles():
    return {a: read_profile(athlete_paths(DATA, a)["profile"]) for a in IDS}


@pytest.fixture(scope="module")
def logs():
    return {a: read_log(athlete_paths(DATA, a)["log"]) for a in IDS}


@pytest.fixture(scope="module")
def facts(logs):
    return {a: log_facts(log) for a, log in logs.items()}


def test_the_samples_are_the_documented_ones():
    assert list_athletes(DATA) == IDS
    assert sorted(p.name for p in (DATA / "athletes").iterdir() if p.is_dir()) == IDS
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    for athlete_id, cause in EXPECTED_TOP.items():
        assert f"`{athlete_id}`" in readme and f"`{cause}`" in readme


@pytest.mark.parametrize("athlete_id", IDS)
def test_profile_validates_and_says_it_is_fictional(profiles, athlete_id):
    profile = profiles[athlete_id]
    assert profile["athlete_id"] == athlete_id
    assert profile["assessed_on"] == "2026-11-16"
    assert "fictional" in profile["x_sample"]
    raw = (athlete_paths(DATA, athlete_id)["profile"]).read_text(encoding="utf-8")
    assert '"format": "heavylegs.profile/1"' in raw
    # Plenty is known, but not everything: the notebooks show coverage and "ask next".
    assert 35 <= len(profile) < 80


@pytest.mark.parametrize("athlete_id", IDS)
def test_log_reads_and_covers_sixteen_weeks_up_to_the_assessment(logs, profiles, athlete_id):
    log = logs[athlete_id]
    dates = sorted({dt.date.fromisoformat(str(d)[:10]) for d in log["date"]})
    assessed = dt.date.fromisoformat(profiles[athlete_id]["assessed_on"])
    assert (dates[-1] - dates[0]).days + 1 >= 16 * 7
    assert 0 <= (assessed - dates[-1]).days <= 14
    assert set(log["source"]) == {"sample"}
    assert (log["activity"] == "run").sum() >= 16 * 2


def test_logs_exercise_estimated_rpe_and_every_activity(logs):
    activities = set()
    missing_rpe = 0
    for log in logs.values():
        activities |= set(log["activity"])
        runs = log[log["activity"] == "run"]
        missing_rpe += int(runs["rpe"].isna().sum())
        # RPE is given for most sessions of every athlete.
        assert runs["rpe"].notna().mean() > 0.6
    assert activities == {"run", "strength", "cross", "rest"}
    assert missing_rpe > 20


@pytest.mark.parametrize("athlete_id", IDS)
def test_top_cause_from_profile_alone(profiles, athlete_id):
    doc = score_profile(profiles[athlete_id])
    assert doc["causes"][0]["id"] == EXPECTED_TOP[athlete_id], [c["id"] for c in doc["causes"][:3]]


@pytest.mark.parametrize("athlete_id", IDS)
def test_top_cause_with_the_log(profiles, facts, athlete_id):
    doc = score_profile(profiles[athlete_id], log_facts=facts[athlete_id])
    assert doc["causes"][0]["id"] == EXPECTED_TOP[athlete_id], [c["id"] for c in doc["causes"][:3]]


@pytest.mark.parametrize("athlete_id", IDS)
def test_red_flags_only_where_intended(profiles, facts, athlete_id):
    expected = EXPECTED_RED_FLAGS.get(athlete_id, set())
    for doc in (score_profile(profiles[athlete_id]),
                score_profile(profiles[athlete_id], log_facts=facts[athlete_id])):
        assert {f["id"] for f in doc["red_flags"]} >= expected
        if not expected:
            assert doc["red_flags"] == []


def test_samples_show_many_different_causes(profiles, facts):
    tops = {score_profile(profiles[a], log_facts=facts[a])["causes"][0]["id"] for a in IDS}
    assert len(tops) >= 6, tops


def test_ben_log_shows_the_load_spike(facts):
    values = facts["ben"]["values"]
    assert values["log_acwr"] > 1.5
    assert values["log_monotony"] > 2.0
    assert values["log_long_run_spike_pct"] > 10
    assert values["log_rest_days_14d"] == 0


def test_other_logs_show_no_load_spike(facts):
    for athlete_id in ("carla", "elena", "femi", "gus"):
        values = facts[athlete_id]["values"]
        assert values["log_acwr"] < 1.3, athlete_id
        assert values["log_long_run_spike_pct"] <= 10, athlete_id


def test_dev_log_shows_three_strength_sessions_a_week(facts):
    assert facts["dev"]["values"]["log_strength_sessions_per_week"] == pytest.approx(3.0)


def test_the_committed_files_are_what_the_script_writes():
    # The script is the source of the samples: editing a JSON or CSV by hand is caught here.
    assert _script()._stale(DATA) == []


def test_hanas_watch_is_current_fills_nothing_and_keeps_her_story():
    """data/athletes/hana/wellness.csv (scripts/make_sample_wellness.py): entered answers win, top cause stands."""
    spec = importlib.util.spec_from_file_location("make_sample_wellness", ROOT / "scripts" / "make_sample_wellness.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main(["--check"]) == 0
    from heavylegs.analysis.pipeline import assess
    from heavylegs.store.wellness_files import load_wellness

    profile = read_profile(athlete_paths(DATA, "hana")["profile"])
    result = assess(profile, read_log(athlete_paths(DATA, "hana")["log"]), wellness=load_wellness(DATA, "hana"))
    assert result.ranking["causes"][0]["id"] == EXPECTED_TOP["hana"]
    assert {e["field"]: e["used"] for e in result.ranking["from_wellness"]} == {
        "resting_hr_bpm": "entered", "resting_hr_baseline_bpm": "entered", "sleep_h": "entered",
        "hrv_below_normal": "device"}
    assert result.wellness["values"] == {"hrv_below_normal": False}
    assert result.wellness["hrv"]["kind"] == "sdnn" and result.wellness["sleep"]["mean_h"] < 6.5
