"""The Parquet store and its chunked processing, locally and on a two-worker Dask cluster."""
import json

import numpy as np
import pandas as pd
import pytest

from heavylegs.engine.batch import weekly_tables
from heavylegs.errors import InputError
from heavylegs.engine.federation import csv_logs, csv_to_weekly, process_store, read_results, read_store, write_parquet_store
from heavylegs.logs.traininglog import write_log

from engine.test_batch import random_log

TEXT = {"athlete_id": object, "load_metric": object}


@pytest.fixture(scope="module")
def logs():
    rng = np.random.default_rng(5)
    return {f"ath{i:02d}": random_log(rng, heart_rate=i % 2 == 0) for i in range(7)}


def _same(got, expected):
    pd.testing.assert_frame_equal(got.astype(TEXT).reset_index(drop=True),
                                  expected.astype(TEXT).reset_index(drop=True))


def test_store_round_trip_and_local_processing(logs, tmp_path):
    manifest = write_parquet_store(logs, tmp_path / "store", athletes_per_part=3)
    assert [len(p["athletes"]) for p in manifest["parts"]] == [3, 3, 1]
    assert manifest["athletes"] == 7 and manifest["sessions"] == sum(map(len, logs.values()))
    back = read_store(tmp_path / "store", athletes=["ath04"])
    assert set(back["athlete_id"]) == {"ath04"}
    pd.testing.assert_series_equal(back["duration_min"].reset_index(drop=True),
                                   logs["ath04"]["duration_min"].reset_index(drop=True))
    profiles = {"ath00": {"hr_max_bpm": 190, "hr_rest_bpm": 48, "sex": "male"}}
    summary = process_store(tmp_path / "store", tmp_path / "out", chunk_athletes=2, profiles=profiles,
                            until={"ath01": "2020-06-01"})
    assert json.loads((tmp_path / "out" / "manifest.json").read_text())["weeks"] == summary["weeks"]
    expected = weekly_tables(logs, profiles=profiles, until={"ath01": "2020-06-01"})
    _same(read_results(tmp_path / "out"), expected)
    assert summary["weeks"] == len(expected)


def test_a_folder_of_csv_files(logs, tmp_path):
    folder = tmp_path / "csv"
    folder.mkdir()
    for athlete in ("ath01", "ath02", "ath03"):
        write_log(logs[athlete], folder / f"{athlete}.csv")
    assert list(csv_logs(folder)) == ["ath01", "ath02", "ath03"]
    write_parquet_store(folder, tmp_path / "store", athletes_per_part=2, workers=2)
    process_store(tmp_path / "store", tmp_path / "out", workers=2)
    _same(read_results(tmp_path / "out"),
          weekly_tables({a: logs[a] for a in ("ath01", "ath02", "ath03")}))


def test_nothing_is_overwritten_and_bad_files_are_named(logs, tmp_path):
    write_parquet_store(logs, tmp_path / "store")
    with pytest.raises(InputError, match="not an empty folder"):
        write_parquet_store(logs, tmp_path / "store")
    process_store(tmp_path / "store", tmp_path / "out")
    with pytest.raises(InputError, match="not an empty folder"):
        process_store(tmp_path / "store", tmp_path / "out")
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "x.csv").write_text("date,duration_min\n2026-13-01,30\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"x\.csv:2:1: date: found '2026-13-01'"):
        write_parquet_store(folder, tmp_path / "store2")
    assert list((tmp_path / "store2").iterdir()) == []  # no part, no manifest


def test_dask_two_workers_give_the_local_tables(logs, tmp_path):
    import distributed

    write_parquet_store(logs, tmp_path / "store", athletes_per_part=2)
    process_store(tmp_path / "store", tmp_path / "local", chunk_athletes=1)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, host="127.0.0.1",
                                  scheduler_port=8731, dashboard_address=None) as cluster:
        assert len(cluster.workers) == 2
        summary = process_store(tmp_path / "store", tmp_path / "dask", chunk_athletes=1,
                                scheduler=cluster.scheduler_address)
        folder = tmp_path / "csv"
        folder.mkdir()
        for athlete in ("ath01", "ath02", "ath05"):
            write_log(logs[athlete], folder / f"{athlete}.csv")
        csv_to_weekly(folder, tmp_path / "dask-csv", chunk_athletes=2, scheduler=cluster.scheduler_address)
    assert summary["athletes"] == 7
    _same(read_results(tmp_path / "dask"), read_results(tmp_path / "local"))
    _same(read_results(tmp_path / "dask"), weekly_tables(logs))
    _same(read_results(tmp_path / "dask-csv"), weekly_tables({a: logs[a] for a in ("ath01", "ath02", "ath05")}))


def test_csv_to_weekly_in_one_pass_gives_the_tables_and_the_store(logs, tmp_path):
    folder = tmp_path / "csv"
    folder.mkdir()
    for athlete in logs:
        write_log(logs[athlete], folder / f"{athlete}.csv")
    until = {"ath03": "2020-03-01"}
    profiles = {"ath02": {"hr_max_bpm": 185, "hr_rest_bpm": 50, "sex": "female"}}
    summary = csv_to_weekly(folder, tmp_path / "out", chunk_athletes=3, workers=2, until=until, profiles=profiles,
                            store=tmp_path / "store")
    expected = weekly_tables(logs, until=until, profiles=profiles)
    assert [p["file"] for p in summary["parts"]] == ["weekly-00000.parquet", "weekly-00001.parquet",
                                                     "weekly-00002.parquet"]
    assert summary["athletes"] == 7 and summary["weeks"] == len(expected)
    _same(read_results(tmp_path / "out"), expected)
    # the store it kept gives the same tables again, and the same sessions
    assert json.loads((tmp_path / "store" / "manifest.json").read_text())["sessions"] == sum(map(len, logs.values()))
    process_store(tmp_path / "store", tmp_path / "again", until=until, profiles=profiles)
    _same(read_results(tmp_path / "again"), expected)
    # one process, no store: the same tables
    csv_to_weekly(folder, tmp_path / "serial", chunk_athletes=10, workers=1, until=until, profiles=profiles)
    _same(read_results(tmp_path / "serial"), expected)


def test_csv_to_weekly_names_a_bad_file_and_overwrites_nothing(logs, tmp_path):
    folder = tmp_path / "csv"
    folder.mkdir()
    write_log(logs["ath00"], folder / "ath00.csv")
    csv_to_weekly(folder, tmp_path / "out", workers=1)
    with pytest.raises(InputError, match="not an empty folder"):
        csv_to_weekly(folder, tmp_path / "out", workers=1)
    (folder / "ath01.csv").write_text("date,duration_min\n2026-01-01,-5\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"ath01\.csv:2:2: duration_min: found -5"):
        csv_to_weekly(folder, tmp_path / "out2", workers=1)
    assert not (tmp_path / "out2" / "manifest.json").exists()
    for i in range(2, 8):  # raised in a worker process: the same error
        write_log(logs["ath00"], folder / f"ath{i:02d}.csv")
    with pytest.raises(InputError, match=r"ath01\.csv:2:2: duration_min: found -5"):
        csv_to_weekly(folder, tmp_path / "out4", chunk_athletes=1, workers=2)
    assert not (tmp_path / "out4" / "manifest.json").exists()
    with pytest.raises(InputError, match="chunk_athletes"):
        csv_to_weekly(folder, tmp_path / "out3", chunk_athletes=0)


def test_make_federation_writes_seeded_logs_read_log_accepts(tmp_path):
    import importlib.util
    from pathlib import Path

    from heavylegs.logs.traininglog import read_log

    spec = importlib.util.spec_from_file_location(
        "make_federation", Path(__file__).resolve().parents[2] / "scripts" / "make_federation.py")
    make = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make)
    make.main([str(tmp_path / "a"), "--athletes", "3", "--years", "1", "--workers", "1"])
    make.main([str(tmp_path / "b"), "--athletes", "2", "--years", "1", "--workers", "1", "--seed", "2"])
    # athlete i uses seed + i: athlete 1 of seed 1 is athlete 0 of seed 2, byte for byte
    assert (tmp_path / "a" / "athlete-000001.csv").read_bytes() == (tmp_path / "b" / "athlete-000000.csv").read_bytes()
    log = read_log(tmp_path / "a" / "athlete-000000.csv")
    days = log["date"].dt.normalize()
    assert (days.max() - days.min()).days == 364 and days.min().year == 2019 and days.is_monotonic_increasing
    strength = log[log["activity"] == "strength"]
    assert set(strength["date"].dt.day_of_week) == {1, 4} and (strength["duration_min"] == 40).all()
    assert (strength["rpe"] == 5).all() and len(strength) in (104, 105)
    runs = log[log["activity"] == "run"]
    assert runs["distance_km"].between(4, 30).all() and runs["duration_min"].between(25, 120).all()
    assert 0.7 < len(runs) / 365 < 0.9 and set(runs["surface"]) == {"road", "trail"}
    assert log.loc[log["activity"] == "rest", "duration_min"].isna().all()
    with pytest.raises(SystemExit, match="not empty"):
        make.main([str(tmp_path / "a"), "--athletes", "1"])
