"""Unsaved drafts: one file per athlete beside the assessments, written atomically, read back checked."""
import datetime as dt
import json

import pytest

from heavylegs.errors import InputError
from heavylegs.store.assessments import list_assessments, save_assessment
from heavylegs.store.drafts import (DRAFT_FORMAT, draft_path, read_draft, remove_draft, set_draft_aside,
                                    write_draft)
from heavylegs.store.profiles import validate_profile


def _answers(athlete="ana", **extra):
    return validate_profile({"athlete_id": athlete, "assessed_on": "2026-11-20", **extra})


def test_a_draft_round_trips_beside_the_assessments_and_never_among_them(tmp_path):
    data = tmp_path / "data"
    answers = _answers(sleep_h=6.5, calf_warm_red_swollen=True)
    doc = write_draft(data, "ana", answers, based_on="2026-11-16T180000.json",
                      when=dt.datetime(2026, 11, 20, 10, 42, 7))
    path = draft_path(data, "ana")
    assert path == data / "athletes" / "ana" / "draft.json" and path.is_file()
    assert doc["updated"] == "2026-11-20T10:42:07"
    back = read_draft(data, "ana")
    assert back["answers"] == answers and back["based_on"] == "2026-11-16T180000.json"
    assert back["format"] == DRAFT_FORMAT and "plan" not in back
    assert list_assessments(data, "ana") == []          # a draft is never an assessment
    assert [p.name for p in path.parent.iterdir()] == ["draft.json"]   # no temporary file left


def test_no_draft_reads_as_none_and_removing_twice_is_harmless(tmp_path):
    assert read_draft(tmp_path, "ana") is None
    write_draft(tmp_path, "ana", _answers())
    assert remove_draft(tmp_path, "ana") is True
    assert remove_draft(tmp_path, "ana") is False
    assert read_draft(tmp_path, "ana") is None


def test_a_draft_of_another_athlete_is_refused_on_writing_and_on_reading(tmp_path):
    with pytest.raises(InputError, match="found answers of 'ben', expected answers of 'ana'"):
        write_draft(tmp_path, "ana", _answers("ben"))
    write_draft(tmp_path, "ben", _answers("ben"))
    draft_path(tmp_path, "ana").parent.mkdir(parents=True)
    draft_path(tmp_path, "ben").rename(draft_path(tmp_path, "ana"))
    with pytest.raises(InputError, match="found a draft of 'ben', expected one of 'ana'"):
        read_draft(tmp_path, "ana")


@pytest.mark.parametrize("text, message", [
    ("{not json", "is not JSON"),
    ('{"format": "heavylegs.assessment/1"}', "expected a heavylegs.draft/1 object"),
    (json.dumps({"format": DRAFT_FORMAT, "athlete_id": "ana", "updated": "yesterday", "answers": {}}),
     "found 'yesterday', expected a date and time"),
    (json.dumps({"format": DRAFT_FORMAT, "athlete_id": "ana", "updated": "2026-11-20T10:42:00",
                 "answers": {"athlete_id": "ana", "sleep_h": 40}}), "sleep_h"),
    (json.dumps({"format": DRAFT_FORMAT, "athlete_id": "ana", "updated": "2026-11-20T10:42:00",
                 "answers": []}), "expected the answers as an object"),
])
def test_a_bad_draft_is_named_with_what_was_expected(tmp_path, text, message):
    path = draft_path(tmp_path, "ana")
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=message) as info:
        read_draft(tmp_path, "ana")
    assert str(path) in str(info.value)


def test_an_unreadable_draft_is_set_aside_never_deleted(tmp_path):
    path = draft_path(tmp_path, "ana")
    path.parent.mkdir(parents=True)
    path.write_text("{half", encoding="utf-8")
    when = dt.datetime(2026, 11, 20, 10, 42)
    first = set_draft_aside(tmp_path, "ana", when=when)
    assert first.name == "draft-unreadable-2026-11-20T104200.json" and first.read_text() == "{half"
    path.write_text("{again", encoding="utf-8")
    second = set_draft_aside(tmp_path, "ana", when=when)
    assert second.name == "draft-unreadable-2026-11-20T104200-2.json" and first.exists()
    assert set_draft_aside(tmp_path, "ana") is None


def test_a_save_leaves_the_draft_to_its_caller(tmp_path):
    """save_assessment knows nothing of drafts: the workbook removes the draft after a save."""
    write_draft(tmp_path, "ana", _answers(sleep_h=5))
    save_assessment(tmp_path, _answers(sleep_h=5), {"athlete_id": "ana", "causes": [], "red_flags": []})
    assert read_draft(tmp_path, "ana") is not None
