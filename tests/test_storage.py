"""Atomic writes and the athlete folder layout: nothing half-written, nothing outside the data folder."""
import os
import stat
from pathlib import Path

import pytest

from heavylegs.errors import InputError
from heavylegs import storage
from heavylegs.storage import (
    PACKAGED_DATA_DIR,
    athlete_paths,
    atomic_write_text,
    default_data_dir,
    list_athletes,
    validate_athlete_id,
)


def _mode(path):
    return stat.S_IMODE(Path(path).stat().st_mode)


def test_write_creates_folders_and_the_exact_text(tmp_path):
    target = tmp_path / "a" / "b" / "profile.json"
    atomic_write_text(target, "héllo\r\nwörld")
    assert target.read_bytes() == "héllo\r\nwörld".encode("utf-8")  # no newline translation


def test_new_files_get_the_mode_a_plain_open_would(tmp_path):
    old = os.umask(0o022)
    try:
        atomic_write_text(tmp_path / "page.html", "<p>hi</p>")
        (tmp_path / "plain.html").write_text("x")
    finally:
        os.umask(old)
    assert _mode(tmp_path / "page.html") == _mode(tmp_path / "plain.html") == 0o644


def test_rewriting_keeps_the_old_files_mode(tmp_path):
    target = tmp_path / "private.json"
    target.write_text("{}")
    target.chmod(0o600)
    atomic_write_text(target, '{"a": 1}')
    assert _mode(target) == 0o600 and target.read_text() == '{"a": 1}'


def test_a_crash_before_the_rename_keeps_the_old_file_and_leaves_no_temp(tmp_path, monkeypatch):
    target = tmp_path / "ana.json"
    target.write_text("old answers")

    def crash(*args):
        raise OSError("disk pulled out")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk pulled out"):
        atomic_write_text(target, "new answers")
    assert target.read_text() == "old answers"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ana.json"]


@pytest.mark.parametrize("good", ["ana", "a", "ben-2", "carla_r", "9lives", "x" * 64])
def test_valid_ids(good):
    assert validate_athlete_id(good) == good


@pytest.mark.parametrize("bad", ["", "Ana", "../ana", "ana/..", "..", "a/b", "a\\b", "-ana", "_ana",
                                 "ana.json", "ana ", "x" * 65, None, 7, "ana\n", "ä"])
def test_invalid_ids_are_refused_naming_the_field(bad):
    with pytest.raises(InputError) as info:
        validate_athlete_id(bad, "ATHLETE")
    problem = info.value.problems[0]
    assert problem.field == "athlete_id" and repr(bad) in problem.message
    with pytest.raises(InputError):
        athlete_paths("data", bad)


def test_paths_stay_inside_the_data_folder(tmp_path):
    paths = athlete_paths(tmp_path, "ana")
    assert paths["profile"] == tmp_path / "athletes" / "ana.json"
    assert paths["log"] == tmp_path / "athletes" / "ana" / "log.csv"
    assert paths["assessments"] == tmp_path / "athletes" / "ana" / "assessments"


def test_default_data_dir_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("HEAVYLEGS_DATA_DIR", str(tmp_path))
    assert default_data_dir() == tmp_path
    monkeypatch.delenv("HEAVYLEGS_DATA_DIR")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data" / "athletes").mkdir(parents=True)
    assert default_data_dir() == tmp_path / "data"


def test_default_data_dir_is_the_checkouts_then_the_packaged_samples(tmp_path, monkeypatch):
    root = Path(__file__).resolve().parent.parent
    monkeypatch.delenv("HEAVYLEGS_DATA_DIR", raising=False)
    monkeypatch.chdir(tmp_path)  # no ./data here
    assert default_data_dir() == root / "data"  # run from the checkout (an editable install)
    monkeypatch.setattr(storage, "_checkout_data_dir", lambda: None)  # as installed from a wheel
    assert default_data_dir() == PACKAGED_DATA_DIR == root / "heavylegs" / "samples"
    assert list_athletes() == list_athletes(root / "data")


def test_packaged_samples_are_read_only(tmp_path):
    target = PACKAGED_DATA_DIR / "athletes" / "ana" / "assessments" / "2026-11-20.json"
    with pytest.raises(InputError, match="read-only.*expected a data folder of your own"):
        atomic_write_text(target, "{}")
    assert not target.parent.exists()
    atomic_write_text(tmp_path / "samples" / "x.json", "{}")  # another folder named samples is fine


def test_list_athletes_ignores_files_that_are_not_profiles(tmp_path):
    root = tmp_path / "athletes"
    root.mkdir()
    for name in ["ben.json", "ana.json", "notes.txt", "Bad Name.json", ".ana.json.x1.tmp"]:
        (root / name).write_text("{}")
    assert list_athletes(tmp_path) == ["ana", "ben"]
