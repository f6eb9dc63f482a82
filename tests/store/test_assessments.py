"""Dated assessments: saving, listing, restoring, history, and crash safety."""
import datetime as dt
import json
import os

import pytest

from heavylegs.store import assessments
from heavylegs.store.assessments import (ASSESSMENT_FORMAT, list_assessments, load_latest_profile, read_assessment,
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


# --- many processes, killed processes, repair --------------------------------------------------

# A child process: saves assessments of "zoe" and prints "<path> <sleep_h>" after each save returns.
# argv: data_dir, count (0 = forever), first sleep value index, "same" (one fixed time) or "now",
# and an optional crash point ("between": SIGKILL after the assessment, before the profile;
# "midwrite": SIGKILL halfway through writing the assessment's temporary file).
_CHILD = r"""
import datetime as dt, os, signal, sys, time
from heavylegs.store import assessments
from heavylegs.store import storage
data, count, first, mode = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
crash = sys.argv[5] if len(sys.argv) > 5 else ""
if crash == "between":
    assessments.atomic_write_text = lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL)
elif crash == "midwrite":
    def half(fd, data):
        os.write(fd, data[: len(data) // 2])
        os.kill(os.getpid(), signal.SIGKILL)
    assessments.write_all = half
go = os.path.join(data, "go")
while not os.path.exists(go):
    time.sleep(0.002)
ranking = {"athlete_id": "zoe", "causes": []}
i = 0
while count == 0 or i < count:
    sleep = round(4 + ((first + i) % 1000) / 100, 2)
    when = dt.datetime(2026, 11, 1, 9, 30, 5) if mode == "same" else None
    path = assessments.save_assessment(data, {"athlete_id": "zoe", "sleep_h": sleep}, ranking, when=when)
    sys.stdout.write(f"{path} {sleep}\n")
    sys.stdout.flush()
    i += 1
"""


def _start_child(tmp_path, *args):
    import subprocess
    import sys

    return subprocess.Popen([sys.executable, "-c", _CHILD, str(tmp_path), *map(str, args)],
                            stdout=subprocess.PIPE, text=True)


def _acknowledged(output):
    """The (path, sleep_h) pairs a child printed in full (a killed child may leave half a line)."""
    pairs = []
    for line in output.splitlines(keepends=True):
        if line.endswith("\n"):
            path, sleep = line.split()
            pairs.append((path, float(sleep)))
    return pairs


def _temp_files(tmp_path):
    athletes = tmp_path / "athletes"
    return sorted(p.name for folder in (athletes, athletes / "zoe", athletes / "zoe" / "assessments")
                  if folder.is_dir() for p in folder.iterdir() if p.name.endswith(".tmp"))


def _profile_file(tmp_path):
    from heavylegs.store.profiles import read_profile

    return read_profile(tmp_path / "athletes" / "zoe.json")


def test_saves_from_several_processes_at_once_are_all_kept(tmp_path):
    children = [_start_child(tmp_path, 80, 100 * k, "same") for k in range(3)]
    (tmp_path / "go").write_text("")
    outputs = [child.communicate(timeout=120)[0] for child in children]
    assert [child.returncode for child in children] == [0, 0, 0]
    saved = [pair for output in outputs for pair in _acknowledged(output)]
    assert len(saved) == 240
    assert len({path for path, _ in saved}) == 240  # no two saves were given the same file
    files = list_assessments(tmp_path, "zoe")
    assert sorted(map(str, files)) == sorted(path for path, _ in saved)
    for path, sleep in saved:
        assert read_assessment(path)["profile"]["sleep_h"] == sleep
    names = {p.name for p in files}
    assert "2026-11-01T093005.json" in names and "2026-11-01T093005-240.json" in names
    assert _profile_file(tmp_path) == read_assessment(files[-1])["profile"]
    assert _temp_files(tmp_path) == []


def test_a_save_killed_between_its_two_writes_is_repaired(tmp_path):
    save_assessment(tmp_path, {"athlete_id": "zoe", "sleep_h": 6.0}, _ranking("zoe", []), when=T1)
    (tmp_path / "go").write_text("")
    child = _start_child(tmp_path, 1, 300, "now", "between")  # sleep_h 7.0, killed before the profile
    child.communicate(timeout=60)
    assert child.returncode == -9
    newest = list_assessments(tmp_path, "zoe")[-1]
    assert read_assessment(newest)["profile"]["sleep_h"] == 7.0
    assert _profile_file(tmp_path)["sleep_h"] == 6.0  # the crash left the profile behind
    assert assessments.reconcile_profile(tmp_path, "zoe") is True
    assert _profile_file(tmp_path)["sleep_h"] == 7.0
    assert assessments.reconcile_profile(tmp_path, "zoe") is False  # nothing left to repair


def test_opening_an_athlete_repairs_the_profile_and_a_newer_edit_is_kept(tmp_path):
    save_assessment(tmp_path, {"athlete_id": "zoe", "sleep_h": 6.0}, _ranking("zoe", []), when=T1)
    profile_path = tmp_path / "athletes" / "zoe.json"
    old = profile_path.read_bytes()
    save_assessment(tmp_path, {"athlete_id": "zoe", "sleep_h": 8.0}, _ranking("zoe", []), when=T2)
    newest = list_assessments(tmp_path, "zoe")[-1]
    # as a crash would leave it: the profile of the save before, written before the newest assessment
    profile_path.write_bytes(old)
    stamp = newest.stat().st_mtime - 10
    os.utime(profile_path, (stamp, stamp))
    assert load_latest_profile(tmp_path, "zoe")["sleep_h"] == 8.0
    assert _profile_file(tmp_path)["sleep_h"] == 8.0
    # a coach's edit written after the newest assessment is theirs to keep
    profile_path.write_text(json.dumps({"athlete_id": "zoe", "sleep_h": 9.5}), encoding="utf-8")
    stamp = newest.stat().st_mtime + 10
    os.utime(profile_path, (stamp, stamp))
    assert assessments.reconcile_profile(tmp_path, "zoe") is False
    assert _profile_file(tmp_path)["sleep_h"] == 9.5
    # a missing profile is written again
    profile_path.unlink()
    assert assessments.reconcile_profile(tmp_path, "zoe") is True
    assert _profile_file(tmp_path)["sleep_h"] == 8.0


def test_reconcile_creates_nothing_for_an_athlete_never_saved(tmp_path):
    assert assessments.reconcile_profile(tmp_path, "nobody") is False
    assert not (tmp_path / "athletes").exists()


def test_a_backdated_save_leaves_the_profile_to_the_newest_assessment(tmp_path):
    save_assessment(tmp_path, {"athlete_id": "zoe", "sleep_h": 8.0}, _ranking("zoe", []), when=T2)
    older = save_assessment(tmp_path, {"athlete_id": "zoe", "sleep_h": 6.0}, _ranking("zoe", []), when=T1)
    assert list_assessments(tmp_path, "zoe")[0] == older
    assert _profile_file(tmp_path)["sleep_h"] == 8.0
    kept = save_assessment(tmp_path, {"athlete_id": "zoe", "sleep_h": 5.0}, _ranking("zoe", []),
                           when=dt.datetime(2026, 12, 1), update_profile=False)
    assert _profile_file(tmp_path)["sleep_h"] == 8.0
    assert json.loads(kept.read_text())["updates_profile"] is False
    assert assessments.reconcile_profile(tmp_path, "zoe") is False


def test_a_save_killed_mid_write_leaves_no_assessment_and_its_temp_is_cleaned(tmp_path):
    first = save_assessment(tmp_path, {"athlete_id": "zoe", "sleep_h": 6.0}, _ranking("zoe", []), when=T1)
    (tmp_path / "go").write_text("")
    child = _start_child(tmp_path, 1, 300, "same", "midwrite")
    child.communicate(timeout=60)
    assert child.returncode == -9
    left = _temp_files(tmp_path)
    assert len(left) == 1 and left[0].startswith(f".2026-11-01T093005.json.{child.pid}.")
    assert list_assessments(tmp_path, "zoe") == [first]  # half a file is never an assessment
    second = save_assessment(tmp_path, {"athlete_id": "zoe", "sleep_h": 9.0}, _ranking("zoe", []), when=T1)
    assert second.name == "2026-11-01T093005-2.json"
    assert _temp_files(tmp_path) == []


def test_an_empty_reserved_name_is_not_an_assessment_and_is_cleaned(tmp_path):
    first = save_assessment(tmp_path, {"athlete_id": "zoe", "sleep_h": 6.0}, _ranking("zoe", []), when=T1)
    reserved = first.parent / "2026-11-01T093005-2.json"
    reserved.write_bytes(b"")  # a name reserved by a save killed before it wrote (no hard links)
    assert list_assessments(tmp_path, "zoe") == [first]
    second = save_assessment(tmp_path, {"athlete_id": "zoe", "sleep_h": 9.0}, _ranking("zoe", []), when=T1)
    assert second == reserved and read_assessment(second)["profile"]["sleep_h"] == 9.0


def test_without_hard_links_the_name_is_reserved_then_filled(tmp_path, monkeypatch):
    import errno

    first = save_assessment(tmp_path, {"athlete_id": "zoe", "sleep_h": 6.0}, _ranking("zoe", []), when=T1)

    def no_links(src, dst):
        raise OSError(errno.EPERM, "hard links not supported")
    monkeypatch.setattr(os, "link", no_links)
    second = save_assessment(tmp_path, {"athlete_id": "zoe", "sleep_h": 7.0}, _ranking("zoe", []), when=T1)
    assert second.name == "2026-11-01T093005-2.json"
    assert read_assessment(first)["profile"]["sleep_h"] == 6.0
    assert read_assessment(second)["profile"]["sleep_h"] == 7.0
    assert _profile_file(tmp_path)["sleep_h"] == 7.0 and _temp_files(tmp_path) == []


def test_saves_killed_at_random_moments_lose_nothing_acknowledged(tmp_path):
    import random
    import signal
    import time

    from heavylegs.store.profiles import read_profile

    rng = random.Random(8)
    (tmp_path / "go").write_text("")
    acknowledged = []
    for round_ in range(10):
        child = _start_child(tmp_path, 0, 1000 * round_, "same" if round_ % 2 else "now")
        first_line = child.stdout.readline()  # the child is saving
        time.sleep(rng.uniform(0.0, 0.15))
        child.send_signal(signal.SIGKILL)
        rest = child.communicate(timeout=60)[0]
        assert child.returncode == -signal.SIGKILL
        acknowledged += _acknowledged(first_line + rest)
        files = list_assessments(tmp_path, "zoe")
        for path, sleep in acknowledged:  # every save that returned is there and whole
            assert read_assessment(path)["profile"]["sleep_h"] == sleep
        for path in files:  # and no file listed is half-written
            read_assessment(path)
        assessments.reconcile_profile(tmp_path, "zoe")
        assert read_profile(tmp_path / "athletes" / "zoe.json") == read_assessment(files[-1])["profile"]
        assert _temp_files(tmp_path) == []  # the killed child's temporary files are gone
    assert len(acknowledged) > 10
    assert len({path for path, _ in acknowledged}) == len(acknowledged)


def test_an_assessment_nested_too_deeply_is_a_clean_error(tmp_path):
    path = tmp_path / "2026-01-01T000000.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with pytest.raises(InputError, match="nested too deeply"):
        read_assessment(path)

# --- the two-week plan saved with the assessment (issue 12) ---

def _plan(athlete_id):
    from heavylegs.analysis.pipeline import assess
    from heavylegs.analysis.plan import build_plan

    return build_plan(assess({"athlete_id": athlete_id, "assessed_on": "2026-11-16", "weekly_distance_km": 30.0}))


def test_a_plan_is_saved_with_the_assessment_and_read_back(tmp_path):
    from heavylegs.store.assessments import load_latest_plan
    from heavylegs.analysis.plan import apply_plan_edits, plan_rows

    assert load_latest_plan(tmp_path, "zoe") is None
    plan = _plan("zoe")
    rows = plan_rows(plan)
    rows[0]["notes"] = "coach's note"
    edited = apply_plan_edits(plan, rows)
    path = save_assessment(tmp_path, {"athlete_id": "zoe"}, _ranking("zoe", []), when=T1, plan=edited)
    assert read_assessment(path)["plan"] == edited
    assert load_latest_plan(tmp_path, "zoe")["days"][0]["notes"] == ["coach's note"]
    save_assessment(tmp_path, {"athlete_id": "zoe"}, _ranking("zoe", []), when=T2)  # a later save without one
    assert load_latest_plan(tmp_path, "zoe") is None
    assert "plan" not in read_assessment(list_assessments(tmp_path, "zoe")[-1])


def test_a_bad_plan_or_another_athletes_plan_is_refused_before_writing(tmp_path):
    with pytest.raises(InputError, match="found a plan of 'ben', expected one of 'zoe'"):
        save_assessment(tmp_path, {"athlete_id": "zoe"}, _ranking("zoe", []), when=T1, plan=_plan("ben"))
    broken = dict(_plan("zoe"), days=[])
    with pytest.raises(InputError, match="plan.days: found 0 days, expected 14"):
        save_assessment(tmp_path, {"athlete_id": "zoe"}, _ranking("zoe", []), when=T1, plan=broken)
    assert list_assessments(tmp_path, "zoe") == []
