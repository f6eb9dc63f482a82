"""An athlete's wellness.csv: path, atomic merge under the athlete's lock."""
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from heavylegs.errors import InputError
from heavylegs.logs.wellness import read_wellness, validate_wellness
from heavylegs.store import storage
from heavylegs.store.wellness_files import athlete_of_path, load_wellness, save_wellness, wellness_path


def _rows(source, days, **values):
    return validate_wellness(pd.DataFrame({"date": days, "source": source, **values}))


def test_paths_and_loading(tmp_path):
    assert wellness_path(tmp_path, "ana") == tmp_path / "athletes" / "ana" / "wellness.csv"
    assert athlete_of_path(tmp_path / "athletes" / "ana" / "wellness.csv") == (tmp_path, "ana")
    assert athlete_of_path(tmp_path / "w.csv") is None
    assert len(load_wellness(tmp_path, "ana")) == 0
    with pytest.raises(InputError, match="expected an id"):
        wellness_path(tmp_path, "../x")


def test_save_merges_and_a_bad_existing_file_is_left_alone(tmp_path):
    path = wellness_path(tmp_path, "ana")
    save_wellness(path, _rows("garmin", ["2026-03-01"], sleep_h=[7.0]))
    saved = save_wellness(path, _rows("apple", ["2026-03-01"], sleep_h=[6.5]))
    assert (saved.rows, saved.before, saved.changed) == (2, 1, 0)
    assert sorted(read_wellness(path)["source"]) == ["apple", "garmin"]
    path.write_text("date,source,sleep_h\n2026-03-01,garmin,99\n")
    with pytest.raises(InputError, match=":2:3: sleep_h: found 99"):
        save_wellness(path, _rows("garmin", ["2026-03-02"], sleep_h=[7.0]))
    assert path.read_text() == "date,source,sleep_h\n2026-03-01,garmin,99\n"


def test_an_import_waits_for_the_athletes_lock(tmp_path):
    """Two writers of one athlete never interleave: a save waits while another holder keeps the lock."""
    path = wellness_path(tmp_path, "ana")
    done = []

    def writer():
        save_wellness(path, _rows("oura", ["2026-03-02"], rhr_bpm=[50.0]))
        done.append(time.monotonic())

    with storage.athlete_lock(tmp_path, "ana"):
        thread = threading.Thread(target=writer)
        thread.start()
        time.sleep(0.3)
        assert not done and not path.exists()
        released = time.monotonic()
    thread.join(10)
    assert done and done[0] >= released
    assert len(read_wellness(path)) == 1


def test_concurrent_imports_of_two_vendors_keep_both(tmp_path):
    path = wellness_path(tmp_path, "ana")
    days = pd.date_range("2026-01-01", periods=20).strftime("%Y-%m-%d").tolist()
    errors = []

    def run(source):
        try:
            for day in days:
                save_wellness(path, _rows(source, [day], rhr_bpm=[50.0]))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(s,)) for s in ("garmin", "oura")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    assert len(read_wellness(path)) == 40
    assert not [p for p in Path(path).parent.iterdir() if p.name.endswith(".tmp")]
