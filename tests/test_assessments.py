"""Dated assessments: saving, listing, restoring, history, and crash safety."""
import datetime as dt
import json
import os

import pytest

from heavylegs import assessments
from heavylegs.assessments import (ASSESSMENT_FORMAT, list_assessments, load_latest_profile, read_assessment,
                                   save_assessment, top_cause_history)
from heavylegs.errors import InputError


def _ranking(athlete_id, scores):
    causes = [{"id": cid, "title": cid.title(), "rank": i + 1, "score": s,
               "band": "likely" if s >= 60 else "possible" if s >= 35 else "unlikely",
               "evidence": [], "missing": [], "coverage": 1.0, "advice": [], "see_doctor_if": ""}
              for i, (cid, s) in enumerate(scores)]
    return {"format": "heavylegs.ranking/1", "athlete_id": athlete_id, "assessed_on": "2026-11-16",
            "red_flags": [], "causes": causes, "ask_next": []}


T1 = dt.datetime(2026, 11, 1, 9, 30, 5)
T2 = dt.datetime(2026, 11, 8, 18, 0, 0)


def test_save_writes_a_dated_file_and_the_profile(tmp_path):
    profile = {"athlete_id": "zoe", "sleep_h": 6.5, "assessed_on": "2026-11-01"}
    path = save_assessment(tmp_path, profile, _ranking("zoe", [("iron", 70)]), when=T1)
    assert path == tmp_path / "athletes" / "zoe" / "assessments" / "2026-11-01T093005.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["format"] == ASSESSMENT_FORMAT and doc["saved_at"] == "2026-11-01T09:30:05"
    assert doc["profile"] == {"athlete_id": "zoe", "assessed_on": "2026-11-01", "sleep_h": 6.5}
    assert doc["ranking"]["causes"][0]["id"] == "iron"
    current = json.loads((tmp_path / "athletes" / "zoe.json").read_text(encoding="utf-8"))
    assert current["sleep_h"] == 6.5 and current["format"] == "heavylegs.profile/1"


def test_earlier_assessments_stay_and_the_newest_is_restored(tmp_path):
    save_assessment(tmp_path, {"athlete_id": "zoe", "sleep_h": 6.0}, _ranking("zoe", [("iron", 40)]), when=T1)
    save_assessment(tmp_path, {"athlete_id": "zoe", "sleep_h": 8.0}, _ranking("zoe", [("iron", 20)]), when=T2)
    files = list_assessments(tmp_path, "zoe")
    assert [p.name for p in files] == ["2026-11-01T093005.json", "2026-11-08T180000.json"]
    assert load_latest_profile(tmp_path, "zoe")["sleep_h"] == 8.0
    assert read_assessment(files[0])["profile"]["sleep_h"] == 6.0


def test_two_saves_in_one_second_keep_both_in_order(tmp_path):
    first = save_assessment(tmp_path, {"athlete_id": "zoe", "sleep_h": 6.0}, _ranking("zoe", []), when=T1)
    second = save_assessment(tmp_path, {"athlete_id": "zoe", "sleep_h": 7.0}, _ranking("zoe", []), when=T1)
    third = save_assessment(tmp_path, {"athlete_id": "zoe", "sleep_h": 9.0}, _ranking("zoe", []), when=T1)
    assert second.name == "2026-11-01T093005-2.json" and third.name == "2026-11-01T093005-3.json"
    assert list_assessments(tmp_path, "zoe") == [first, second, third]
    assert load_latest_profile(tmp_path, "zoe")["sleep_h"] == 9.0


def test_a_crash_during_the_write_loses_nothing(tmp_path, monkeypatch):
    good = save_assessment(tmp_path, {"athlete_id": "zoe", "sleep_h": 6.0}, _ranking("zoe", [("iron", 40)]),
                           when=T1)
    folder = good.parent
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    profile_before = (tmp_path / "athletes" / "zoe.json").read_bytes()

    def boom(src, dst):
        raise OSError("disk full")
    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        save_assessment(tmp_path, {"athlete_id": "zoe", "sleep_h": 9.0}, _ranking("zoe", [("iron", 10)]), when=T2)
    monkeypatch.undo()
    after = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert after == before  # the earlier file intact, no partial or temporary file left
    assert (tmp_path / "athletes" / "zoe.json").read_bytes() == profile_before
    assert sorted(p.name for p in (tmp_path / "athletes").iterdir()) == ["zoe", "zoe.json"]
    assert load_latest_profile(tmp_path, "zoe")["sleep_h"] == 6.0


def test_temporary_and_foreign_files_are_not_assessments(tmp_path):
    save_assessment(tmp_path, {"athlete_id": "zoe"}, _ranking("zoe", []), when=T1)
    folder = tmp_path / "athletes" / "zoe" / "assessments"
    (folder / ".2026-11-09T000000.json.abc.tmp").write_text("{", encoding="utf-8")
    (folder / "notes.json").write_text("{}", encoding="utf-8")
    assert [p.name for p in list_assessments(tmp_path, "zoe")] == ["2026-11-01T093005.json"]


def test_bad_input_is_refused_before_writing(tmp_path):
    with pytest.raises(InputError, match="sleep_h: found 30"):
        save_assessment(tmp_path, {"athlete_id": "zoe", "sleep_h": 30}, _ranking("zoe", []), when=T1)
    with pytest.raises(InputError, match="found a ranking of 'ana', expected one of 'zoe'"):
        save_assessment(tmp_path, {"athlete_id": "zoe"}, _ranking("ana", []), when=T1)
    with pytest.raises(InputError, match="athlete_id"):
        save_assessment(tmp_path, {"athlete_id": "../evil"}, _ranking(None, []), when=T1)
    assert not (tmp_path / "athletes").exists()


def test_read_assessment_reports_broken_files(tmp_path):
    bad = tmp_path / "2026-11-01T093005.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError, match="not a JSON assessment"):
        read_assessment(bad)
    bad.write_text(json.dumps({"format": "other/1"}), encoding="utf-8")
    with pytest.raises(InputError, match="found format 'other/1', expected 'heavylegs.assessment/1'"):
        read_assessment(bad)
    bad.write_text(json.dumps({"format": ASSESSMENT_FORMAT, "saved_at": "x", "ranking": {}}), encoding="utf-8")
    with pytest.raises(InputError, match="profile: missing"):
        read_assessment(bad)
    bad.write_text(json.dumps({"format": ASSESSMENT_FORMAT, "saved_at": "x", "ranking": {},
                               "profile": {"athlete_id": "zoe", "sleep_h": -1}}), encoding="utf-8")
    with pytest.raises(InputError, match="sleep_h: found -1"):
        read_assessment(bad)
    with pytest.raises(InputError, match="cannot read"):
        read_assessment(tmp_path / "missing.json")


def test_load_latest_profile_falls_back_to_the_profile_file_then_to_a_new_athlete(tmp_path):
    (tmp_path / "athletes").mkdir()
    (tmp_path / "athletes" / "kim.json").write_text(json.dumps({"athlete_id": "kim", "sleep_h": 7}),
                                                    encoding="utf-8")
    assert load_latest_profile(tmp_path, "kim")["sleep_h"] == 7
    assert load_latest_profile(tmp_path, "nobody") == {"athlete_id": "nobody"}
    assert list_assessments(tmp_path, "nobody") == []


def test_top_cause_history_follows_every_cause_that_was_ever_on_top(tmp_path):
    save_assessment(tmp_path, {"athlete_id": "zoe"}, _ranking("zoe", [("iron", 70), ("sleep", 40), ("shoes", 5)]),
                    when=T1)
    save_assessment(tmp_path, {"athlete_id": "zoe"}, _ranking("zoe", [("sleep", 63), ("shoes", 20), ("iron", 18)]),
                    when=T2)
    history = top_cause_history(tmp_path, "zoe", top=1)
    assert list(history.columns) == ["saved_at", "assessed_on", "cause_id", "title", "rank", "score", "band"]
    assert list(history["cause_id"]) == ["iron", "sleep", "sleep", "iron"]
    assert list(history["score"]) == [70, 40, 63, 18]
    assert list(history["rank"]) == [1, 2, 1, 3]
    assert str(history["saved_at"].iloc[-1]) == "2026-11-08 18:00:00"
    assert len(top_cause_history(tmp_path, "zoe", top=3)) == 6
    empty = top_cause_history(tmp_path, "nobody")
    assert len(empty) == 0 and "score" in empty.columns


def test_numpy_numbers_from_a_log_are_stored_as_plain_json(tmp_path):
    import numpy as np

    ranking = _ranking("zoe", [("iron", 70)])
    ranking["causes"][0]["evidence"] = [{"field": "log_acwr", "value": np.float64(1.62), "points": 2}]
    path = save_assessment(tmp_path, {"athlete_id": "zoe"}, ranking, when=T1)
    assert json.loads(path.read_text())["ranking"]["causes"][0]["evidence"][0]["value"] == 1.62
    assert assessments.ASSESSMENT_FORMAT == "heavylegs.assessment/1"
