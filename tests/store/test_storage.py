"""Atomic writes and the athlete folder layout: nothing half-written, nothing outside the data folder."""
import os
import stat
from pathlib import Path

import pytest

from heavylegs.errors import InputError
from heavylegs.store import storage
from heavylegs.files import (PACKAGED_DATA_DIR, athlete_lock, athlete_paths, atomic_write_text,
                             remove_stale_temp_files, validate_athlete_id)
from heavylegs.store.storage import default_data_dir, list_athletes


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
    root = Path(__file__).resolve().parents[2]
    monkeypatch.delenv("HEAVYLEGS_DATA_DIR", raising=False)
    monkeypatch.chdir(tmp_path)  # no ./data here
    assert default_data_dir() == root / "data"  # run from the checkout (an editable install)
    monkeypatch.setattr(storage, "_checkout_data_dir", lambda: None)  # as installed from a wheel
    assert default_data_dir() == PACKAGED_DATA_DIR == root / "heavylegs" / "samples"
    assert list_athletes() == list_athletes(root / "data")


def test_packaged_samples_are_read_only(tmp_path):
    target = PACKAGED_DATA_DIR / "athletes" / "ben" / "assessments" / "2026-11-20.json"
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


# --- temporary files of killed writers, and the athlete's lock ---------------------------------

def _dead_pid():
    import subprocess
    import sys

    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_the_temporary_file_carries_the_writers_pid_and_is_locked_while_written(tmp_path, monkeypatch):
    import fcntl

    seen = {}
    real_replace = os.replace

    def look(src, dst):
        seen["name"] = Path(src).name
        fd = os.open(src, os.O_RDONLY)
        try:
            with pytest.raises(BlockingIOError):
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        finally:
            os.close(fd)
        seen["kept"] = remove_stale_temp_files(tmp_path, max_age_s=3600)
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", look)
    atomic_write_text(tmp_path / "log.csv", "date\n")
    assert seen["name"].startswith(f".log.csv.{os.getpid()}.") and seen["name"].endswith(".tmp")
    assert seen["kept"] == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["log.csv"]


def test_stale_temporary_files_are_removed_and_live_or_foreign_ones_kept(tmp_path):
    import time

    dead = _dead_pid()
    names = {
        f".log.csv.{dead}.k3j4h5g6.tmp": True,        # its writer is gone
        f".log.csv.{os.getpid()}.a1b2c3d4.tmp": False,  # this live process, written just now
        ".log.csv.oldstyle.tmp": False,                 # no pid, fresh
        ".log.csv.ancient.tmp": True,                   # no pid, older than the limit
        f".ben.json.{dead}.zzzz1234.tmp": False,        # another target than the prefix
        "log.csv": False, "notes.tmp": False, ".lock": False,
    }
    for name in names:
        (tmp_path / name).write_text("x")
    old = time.time() - 3600
    os.utime(tmp_path / ".log.csv.ancient.tmp", (old, old))
    removed = remove_stale_temp_files(tmp_path, prefix="log.csv", max_age_s=600)
    assert sorted(p.name for p in removed) == sorted(n for n, gone in names.items() if gone)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(n for n, gone in names.items() if not gone)
    assert remove_stale_temp_files(tmp_path / "missing") == []


def test_a_temporary_file_another_live_process_is_writing_is_never_removed(tmp_path):
    import signal
    import subprocess
    import sys

    code = ("import sys, time\nfrom pathlib import Path\nfrom heavylegs.store.storage import temp_file\n"
            "with temp_file(Path(sys.argv[1]), 'log.csv') as (fd, tmp):\n"
            "    print(tmp.name, flush=True)\n    time.sleep(60)\n")
    child = subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    try:
        name = child.stdout.readline().strip()
        assert name.startswith(f".log.csv.{child.pid}.")
        # even past any age limit, a locked file is being written
        assert remove_stale_temp_files(tmp_path, max_age_s=0) == []
        assert (tmp_path / name).exists()
    finally:
        child.send_signal(signal.SIGKILL)
        child.communicate(timeout=30)
    assert remove_stale_temp_files(tmp_path) == [tmp_path / name]


def test_the_athlete_lock_excludes_other_holders_until_released(tmp_path):
    import fcntl

    lock_file = tmp_path / "athletes" / "ana" / ".lock"
    with athlete_lock(tmp_path, "ana"):
        fd = os.open(lock_file, os.O_RDWR)
        try:
            with pytest.raises(BlockingIOError):
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        finally:
            os.close(fd)
    fd = os.open(lock_file, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # free again
    finally:
        os.close(fd)
    with pytest.raises(InputError):
        with athlete_lock(tmp_path, "../evil"):
            pass
