"""The Parquet store and its chunked processing, locally and on a two-worker Dask cluster."""
import json

import numpy as np
import pandas as pd
import pytest

from heavylegs.batch import weekly_tables
from heavylegs.errors import InputError
from heavylegs.scale import csv_logs, process_store, read_results, read_store, write_parquet_store
from heavylegs.traininglog import write_log

from test_batch import random_log

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
    assert summary["athletes"] == 7
    _same(read_results(tmp_path / "dask"), read_results(tmp_path / "local"))
    _same(read_results(tmp_path / "dask"), weekly_tables(logs))
