"""heavylegs.store.athlete: one athlete read once, into a record every page reads."""
import dataclasses
import json
import os
import shutil
from pathlib import Path

import pytest

from heavylegs.errors import InputError
from heavylegs.store.assessments import list_assessments, save_assessment
from heavylegs.store.athlete import AthleteRecord, athlete_signature, load_athlete

DATA = Path(__file__).resolve().parents[2] / "data"


@pytest.fixture
def data(tmp_path):
    shutil.copytree(DATA, tmp_path / "data")
    return tmp_path / "data"


def test_a_sample_athlete_with_an_assessment(data):
    record = load_athlete(data, "ana")
    assert isinstance(record, AthleteRecord) and record.athlete_id == "ana" and record.data_dir == data
    assert record.answers_source == "assessment" and record.exists
    assert record.assessments == tuple(list_assessments(data, "ana"))
    assert record.last_assessment == record.profile["assessed_on"] == "2026-11-16"
    assert record.previous_profile is None  # one assessment only
    assert len(record.log) == 126 and record.log_problems == ()
    assert record.has_checkins and len(record.checkins) > 0
    assert [p.name for p, _sig in record.files] == ["ana.json", "log.csv", "checkins.csv", "wellness.csv"]
    assert record.signature == athlete_signature(data, "ana")


def test_a_profile_without_assessment_and_an_athlete_with_nothing(data):
    ben = load_athlete(data, "ben")
    assert ben.answers_source == "profile" and ben.assessments == () and ben.plan is None
    assert ben.last_assessment is None and not ben.has_checkins and len(ben.checkins) == 0
    nobody = load_athlete(data, "nobody")
    assert (nobody.answers_source, nobody.exists, nobody.log) == (None, False, None)
    assert set(nobody.profile) <= {"athlete_id", "assessed_on"} and nobody.profile["athlete_id"] == "nobody"
    assert nobody.signature == (None, None, None, None, None)
    with pytest.raises(InputError, match=r"nobody\.json.*no profile for athlete 'nobody'"):
        nobody.require()


def test_the_record_cannot_be_changed(data):
    record = load_athlete(data, "ben")
    with pytest.raises(dataclasses.FrozenInstanceError):
        record.athlete_id = "ana"
    with pytest.raises(TypeError):
        record.profile["sleep_h"] = 3
    answers = record.answers()
    answers["sleep_h"] = 3  # a copy
    assert record.profile.get("sleep_h") != 3


def test_the_newest_assessment_wins_and_the_one_before_is_kept(data):
    ben = load_athlete(data, "ben")
    first = dict(ben.profile, sleep_h=5.0)
    save_assessment(data, first, {"causes": [], "red_flags": []})
    second = dict(ben.profile, sleep_h=6.5)
    save_assessment(data, second, {"causes": [], "red_flags": []})
    again = load_athlete(data, "ben")
    assert again.answers_source == "assessment" and again.profile["sleep_h"] == 6.5
    assert again.previous_profile["sleep_h"] == 5.0 and len(again.assessments) == 2
    assert again.signature != ben.signature  # a cache keyed by it sees the change


def test_answers_of_another_athlete_are_refused(data):
    doc = json.loads((data / "athletes" / "ben.json").read_text(encoding="utf-8"))
    doc["athlete_id"] = "ana"
    (data / "athletes" / "ben.json").write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(InputError, match=r"found the answers of 'ana', expected those of 'ben'"):
        load_athlete(data, "ben")


def test_a_bad_log_raises_or_is_kept_aside(data):
    (data / "athletes" / "ben" / "log.csv").write_text("date,activity,duration_min\n2026-13-01,run,30\n",
                                                        encoding="utf-8")
    with pytest.raises(InputError, match=r"log\.csv:2"):
        load_athlete(data, "ben")
    record = load_athlete(data, "ben", bad_log="keep")
    assert record.log is None and record.log_problems and "log.csv" in record.log_problems[0].file
    with pytest.raises(InputError, match=r"log\.csv:2"):
        record.require()
    with pytest.raises(ValueError, match="bad_log"):
        load_athlete(data, "ben", bad_log="ignore")


@pytest.mark.parametrize("bad", ["../ana", "ANA", "", "a/b"])
def test_an_invalid_id_touches_no_file(data, bad):
    with pytest.raises(InputError, match="athlete_id"):
        load_athlete(data, bad)


def test_the_signature_changes_with_every_file_and_not_without(data):
    before = athlete_signature(data, "dev")
    assert athlete_signature(data, "dev") == before
    path = data / "athletes" / "dev" / "checkins.csv"
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    changed = athlete_signature(data, "dev")
    assert changed[2] != before[2] and changed[:2] == before[:2]
    os.replace(data / "athletes" / "dev.json", data / "athletes" / "dev.json.bak")
    assert athlete_signature(data, "dev")[0] is None


def test_wellness_joins_the_record_and_its_signature(data):
    """spec/wellness.md: the wearable's file is read by the one loader, and a change of it changes the signature."""
    hana = load_athlete(data, "hana")
    assert hana.has_wellness and set(hana.wellness["source"]) == {"apple"}
    assert load_athlete(data, "ana").has_wellness is False
    path = data / "athletes" / "ana" / "wellness.csv"
    before = athlete_signature(data, "ana")
    path.write_text("date,source,rhr_bpm\n2026-11-15,garmin,50\n")
    assert athlete_signature(data, "ana")[4] is not None and athlete_signature(data, "ana") != before
    assert load_athlete(data, "ana").wellness["rhr_bpm"].tolist() == [50.0]
    path.write_text("date,source,rhr_bpm\n2026-11-15,garmin,500\n")
    with pytest.raises(InputError, match="rhr_bpm: found 500"):
        load_athlete(data, "ana")
    kept = load_athlete(data, "ana", bad_log="keep")
    assert not kept.has_wellness and "found 500" in str(kept.wellness_problems[0])
