"""A federation's training logs as a Parquet store, processed chunk by chunk or on Dask.

* :func:`write_parquet_store` — logs (in memory, or a folder of CSV files)
  into a store of Parquet parts, each athlete's sessions in one part;
* :func:`process_store` — the weekly tables of every athlete of a store
  (:func:`heavylegs.engine.batch.weekly_tables`), one chunk of athletes at a time,
  written as Parquet parts; on a Dask cluster when a scheduler is given;
* :func:`csv_to_weekly` — both in one pass, straight from a folder of CSV
  files: each chunk of athletes is read (:func:`~heavylegs.logs.traininglog.read_log`),
  its weekly tables computed and written, and (optionally) its logs written
  as a part of a store, by worker processes or Dask tasks.

Memory is bounded by one part (its sessions and its weekly tables), never by
the federation. A store is "partitioned by athlete" in the sense that every
athlete lives wholly in one part, sorted by athlete then date; parts hold
blocks of athletes rather than one athlete each, because 100,000 one-athlete
files cost more to open than to read. The store needs ``pyarrow``; Dask is
optional (``pip install heavylegs[dask]``).
"""
from __future__ import annotations

import json
import os
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

try:  # optional: only Parquet stores need it (pip install 'heavylegs[dask]')
    import pyarrow as pa
    import pyarrow.parquet as pq
except ImportError:  # pragma: no cover - pyarrow is a test dependency
    pa = pq = None

from heavylegs.engine.batch import BATCH_COLUMNS, READ_COLUMNS, weekly_tables
from heavylegs.errors import InputError, Problem
from heavylegs.logs.traininglog import LOG_COLUMNS, checked_log, read_log
from heavylegs.files import atomic_write_text

__all__ = ["STORE_MANIFEST", "csv_logs", "write_parquet_store", "process_store", "csv_to_weekly", "read_store",
           "read_results"]

#: Name of the file listing a store's parts and athletes.
STORE_MANIFEST = "manifest.json"
_TEXT = ("activity", "session_type", "surface", "start_time", "source", "notes", "hr_histogram")


def _pyarrow():
    if pa is None:  # pragma: no cover - pyarrow is a test dependency
        raise InputError([Problem("pyarrow", "is not installed, expected it for Parquet stores: "
                                             "pip install 'heavylegs[dask]'")])
    return pa, pq


def csv_logs(folder) -> dict:
    """The training-log CSV files of a folder, by athlete.

    Parameters
    ----------
    folder : str or Path
        Either ``<athlete>.csv`` files, or a heavylegs data folder's
        ``<athlete>/log.csv`` (the athlete is the file's stem, or its folder).

    Returns
    -------
    dict
        ``{athlete_id: Path}``, sorted by athlete.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError([Problem(str(folder), "is not a folder, expected a folder of training-log CSV files")])
    found = {path.stem: path for path in folder.glob("*.csv")}
    found.update({path.parent.name: path for path in folder.glob("*/log.csv")})
    return dict(sorted(found.items()))


def _empty_target(path: Path, what: str) -> None:
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise InputError([Problem(str(path), f"already exists and is not an empty folder, expected a new "
                                             f"folder for {what} (nothing is overwritten)")])
    path.mkdir(parents=True, exist_ok=True)


def _write_atomic(table, path: Path) -> None:
    _, pq = _pyarrow()
    handle, temporary = tempfile.mkstemp(prefix=".part-", suffix=".tmp", dir=path.parent)
    os.close(handle)
    try:
        pq.write_table(table, temporary)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _in_processes(workers: int, function, *iterables) -> list:
    """``list(map(function, *iterables))`` on ``workers`` processes; at the first error the work not yet
    started is dropped (not finished first), and the error is raised."""
    with ProcessPoolExecutor(workers) as pool:
        try:
            return list(pool.map(function, *iterables))
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise


def _log_table(logs: dict):
    """One Arrow table of many logs: ``athlete_id`` then :data:`LOG_COLUMNS`, by athlete then date."""
    pa, _ = _pyarrow()
    ids, parts = [], {name: [] for name in LOG_COLUMNS}
    for athlete, log in logs.items():
        log = checked_log(log)
        ids.append(np.full(len(log), str(athlete), dtype=object))
        for name in LOG_COLUMNS:
            parts[name].append(log[name].to_numpy(dtype="datetime64[ns]" if name == "date" else
                                                  (object if name in _TEXT else float)))
    columns = {"athlete_id": pa.array(np.concatenate(ids) if ids else [], type=pa.string())}
    for name in LOG_COLUMNS:
        values = np.concatenate(parts[name]) if parts[name] else np.zeros(0)
        if name == "date":
            columns[name] = pa.array(values.astype("datetime64[ns]"), type=pa.timestamp("ns"))
        elif name in _TEXT:
            columns[name] = pa.array(np.where(pd.isna(values), None, values) if len(values) else [],
                                     type=pa.string())
        else:
            columns[name] = pa.array(values.astype(float), type=pa.float64())
    return pa.table(columns)


def _write_part(number: int, items: list, store: str) -> dict:
    """Read a block of logs (paths or frames) and write it as part ``number`` of ``store``."""
    pa, _ = _pyarrow()
    # Each log becomes Arrow columns as soon as it is read: text in Arrow takes a few bytes a
    # cell, against about 60 as Python strings, so a part's memory is its Parquet size, roughly.
    tables = [_log_table({athlete: read_log(log) if isinstance(log, (str, Path)) else log})
              for athlete, log in items]
    table = pa.concat_tables(tables) if tables else _log_table({})
    name = f"part-{number:05d}.parquet"
    _write_atomic(table, Path(store) / name)
    return {"file": name, "athletes": [str(a) for a, _ in items], "sessions": table.num_rows}


def write_parquet_store(logs_or_csv_folder, store, *, athletes_per_part: int = 1000,
                        workers: int = 1) -> dict:
    """Write a federation's training logs as a Parquet store.

    Parameters
    ----------
    logs_or_csv_folder : mapping or str or Path
        ``{athlete_id: log}`` (frames as from
        :func:`~heavylegs.logs.traininglog.read_log`, or paths of CSV files), or a
        folder of CSV files (see :func:`csv_logs`).
    store : str or Path
        A new (or empty) folder for the store.
    athletes_per_part : int
        Athletes per Parquet part: the unit of work and of memory later.
    workers : int
        Processes reading CSV files and writing parts in parallel.

    Returns
    -------
    dict
        The manifest, also written as ``manifest.json``: ``parts`` (file,
        athletes, sessions, in athlete order), ``athletes`` and ``sessions``
        (totals).

    Raises
    ------
    InputError
        A log with a problem (file, line and field named by
        :func:`~heavylegs.logs.traininglog.read_log`), or a store folder that is
        not empty. Parts are written atomically; the manifest last.
    """
    if athletes_per_part < 1:
        raise InputError([Problem("athletes_per_part", f"found {athletes_per_part!r}, expected 1 or more")])
    if isinstance(logs_or_csv_folder, (str, Path)):
        logs = csv_logs(logs_or_csv_folder)
    else:
        logs = dict(logs_or_csv_folder)
    store = Path(store)
    _empty_target(store, "a Parquet store")
    items = sorted(((str(a), log) for a, log in logs.items()), key=lambda item: item[0])
    blocks = [items[i:i + athletes_per_part] for i in range(0, len(items), athletes_per_part)]
    if workers > 1 and len(blocks) > 1:
        parts = _in_processes(workers, _write_part, range(len(blocks)), blocks, [str(store)] * len(blocks))
    else:
        parts = [_write_part(i, block, str(store)) for i, block in enumerate(blocks)]
    manifest = {"format": 1, "parts": parts, "athletes": sum(len(p["athletes"]) for p in parts),
                "sessions": sum(p["sessions"] for p in parts)}
    atomic_write_text(store / STORE_MANIFEST, json.dumps(manifest, indent=1))
    return manifest


def _manifest(store: Path) -> dict:
    path = Path(store) / STORE_MANIFEST
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError([Problem(str(path), f"cannot be read ({exc}), expected the manifest of a store "
                                             "written by write_parquet_store")]) from None


def read_store(store, *, athletes=None) -> pd.DataFrame:
    """The sessions of a store (or of some athletes) as one frame with ``athlete_id``."""
    _, pq = _pyarrow()
    manifest = _manifest(Path(store))
    wanted = None if athletes is None else {str(a) for a in athletes}
    frames = []
    for part in manifest["parts"]:
        if wanted is not None and not wanted.intersection(part["athletes"]):
            continue
        frame = pq.read_table(Path(store) / part["file"]).to_pandas()
        frames.append(frame if wanted is None else frame[frame["athlete_id"].isin(wanted)])
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=("athlete_id",) + LOG_COLUMNS)


def _process_part(part: dict, store: str, out: str, chunk_athletes: int, until, metric, profiles) -> dict:
    """Weekly tables of one part, ``chunk_athletes`` at a time, written as one Parquet file."""
    pa, pq = _pyarrow()
    # Enumerations as dictionaries: pandas then holds one Python string per distinct value.
    table = pq.read_table(Path(store) / part["file"], columns=["athlete_id"] + list(READ_COLUMNS),
                          read_dictionary=["activity", "session_type"])
    ids = table.column("athlete_id").to_numpy(zero_copy_only=False)
    athletes = part["athletes"]
    # Rows of each athlete are contiguous: cut the part at athlete boundaries.
    starts = np.searchsorted(ids, np.asarray(athletes[::chunk_athletes], dtype=object), side="left") \
        if len(ids) else np.zeros(0, dtype=np.int64)
    bounds = list(starts) + [len(ids)]
    results = []
    for k, lo in enumerate(bounds[:-1]):
        chunk = athletes[k * chunk_athletes:(k + 1) * chunk_athletes]
        frame = table.slice(lo, bounds[k + 1] - lo).to_pandas()
        results.append(_chunk_tables(frame, chunk, until, metric, profiles))
    name = part["file"].replace("part-", "weekly-")
    return _write_weekly(results, Path(out) / name, len(athletes))


def _chunk_tables(logs, athletes: list, until, metric, profiles) -> pd.DataFrame:
    """The per-chunk function of every path (store, CSV, local or Dask): the chunk's weekly tables."""
    return weekly_tables(logs, athletes=athletes, until=until, metric=metric,
                         profiles=None if profiles is None else {a: profiles.get(a) for a in athletes})


def _write_weekly(results: list, path: Path, athletes: int) -> dict:
    pa, _ = _pyarrow()
    weekly = pd.concat(results, ignore_index=True) if len(results) > 1 else \
        (results[0] if results else weekly_tables({}))
    weekly["load_metric"] = weekly["load_metric"].astype(object)
    _write_atomic(pa.Table.from_pandas(weekly, preserve_index=False), path)
    return {"file": path.name, "athletes": athletes, "weeks": len(weekly)}


def process_store(store, out, *, chunk_athletes: int = 500, until=None, metric="auto", profiles=None,
                  scheduler=None, workers: int = 1) -> dict:
    """The weekly tables of every athlete of a store, in bounded memory.

    Parameters
    ----------
    store : str or Path
        From :func:`write_parquet_store`.
    out : str or Path
        A new (or empty) folder for the results: one ``weekly-NNNNN.parquet``
        per part, columns :data:`heavylegs.engine.batch.BATCH_COLUMNS`.
    chunk_athletes : int
        Athletes computed together (memory grows with it: about 1 MB per
        5-year athlete).
    until, metric, profiles :
        As in :func:`heavylegs.engine.batch.weekly_tables` (mappings by athlete id).
    scheduler : str or distributed.Client, optional
        A Dask scheduler address (``tcp://host:8786``) or client: each part
        is then one task on the cluster's workers, which must see ``store``
        and ``out`` at the same paths (a shared file system). Default: this
        machine, one part after the other.
    workers : int
        Without a scheduler: processes computing parts in parallel.

    Returns
    -------
    dict
        ``parts`` (file, athletes, weeks of each result), ``athletes``,
        ``weeks``; also written as ``out/manifest.json``.
    """
    if chunk_athletes < 1:
        raise InputError([Problem("chunk_athletes", f"found {chunk_athletes!r}, expected 1 or more")])
    store, out = Path(store), Path(out)
    manifest = _manifest(store)
    _empty_target(out, "the weekly tables")
    args = (str(store), str(out), chunk_athletes, until, metric, profiles)
    parts = manifest["parts"]
    if scheduler is None and workers > 1 and len(parts) > 1:
        results = _in_processes(workers, _process_part, parts, *([a] * len(parts) for a in args))
    elif scheduler is None:
        results = [_process_part(part, *args) for part in parts]
    else:
        results = _on_dask(scheduler, parts, args)
    summary = {"format": 1, "parts": results, "athletes": sum(r["athletes"] for r in results),
               "weeks": sum(r["weeks"] for r in results)}
    atomic_write_text(out / STORE_MANIFEST, json.dumps(summary, indent=1))
    return summary


def _on_dask(scheduler, parts, args, function=None) -> list:
    try:
        from distributed import Client
    except ImportError:
        raise InputError([Problem("scheduler", "needs dask.distributed, expected it installed: "
                                               "pip install 'heavylegs[dask]'")]) from None
    function = function or _process_part
    client = scheduler if isinstance(scheduler, Client) else Client(scheduler)
    try:
        futures = [client.submit(function, part, *args, key=f"heavylegs-weekly-{part['file']}",
                                 pure=False) for part in parts]
        return client.gather(futures)
    finally:
        if client is not scheduler:
            client.close()


def _csv_chunk(job: dict, out: str, store, until, metric, profiles) -> dict:
    """Read one chunk of CSV files, write its weekly tables (and its logs as a store part)."""
    logs = {athlete: read_log(path) for athlete, path in job["athletes"]}
    athletes = list(logs)
    # One long frame (pandas concatenates whole blocks) costs less than the per-athlete columns that
    # weekly_tables would gather from a mapping: about 0.4 ms an athlete, the same tables.
    frame = pd.concat(list(logs.values()), ignore_index=True) if logs else pd.DataFrame(columns=LOG_COLUMNS)
    frame.insert(0, "athlete_id", np.repeat(np.asarray(athletes, dtype=object), [len(log) for log in logs.values()]))
    if store is None:
        logs = None  # the frame holds them now
    result = _write_weekly([_chunk_tables(frame, athletes, until, metric, profiles)],
                           Path(out) / job["file"], len(athletes))
    del frame
    if store is not None:
        table = _log_table(logs)
        part = job["file"].replace("weekly-", "part-")
        _write_atomic(table, Path(store) / part)
        result["store_part"] = {"file": part, "athletes": athletes, "sessions": table.num_rows}
    return result


def csv_to_weekly(csv_folder, out, *, chunk_athletes: int = 500, workers: int = 2, until=None, metric="auto",
                  profiles=None, store=None, scheduler=None) -> dict:
    """The weekly tables of every athlete of a folder of CSV files, in one pass and bounded memory.

    Each chunk of ``chunk_athletes`` athletes (by id) is one job: its files
    are read and checked (:func:`~heavylegs.logs.traininglog.read_log`), its weekly
    tables computed together (:func:`heavylegs.engine.batch.weekly_tables`, the
    function :func:`process_store` runs on each chunk) and written as
    ``out/weekly-NNNNN.parquet``. No store is needed between the two; give
    ``store`` to keep one as well (the same chunk's logs as
    ``store/part-NNNNN.parquet``), for recomputing the tables later with
    :func:`process_store` without reading the CSV files again.

    Parameters
    ----------
    csv_folder : str or Path
        A folder of ``<athlete>.csv`` files or a heavylegs data folder (see
        :func:`csv_logs`).
    out : str or Path
        A new (or empty) folder for the tables (read them with
        :func:`read_results`).
    chunk_athletes : int
        Athletes read and computed together: the unit of work and of memory
        (about 2 MB per 5-year athlete in a worker, its logs and tables).
    workers : int
        Processes working on chunks in parallel on this machine.
    until, metric, profiles :
        As in :func:`heavylegs.engine.batch.weekly_tables` (mappings by athlete id).
    store : str or Path, optional
        A new (or empty) folder: also write the logs as a Parquet store
        (parts of ``chunk_athletes`` athletes, with its ``manifest.json``).
    scheduler : str or distributed.Client, optional
        A Dask scheduler: each chunk is then one task on the cluster, whose
        workers must see the CSV folder, ``out`` and ``store`` at the same paths.

    Returns
    -------
    dict
        ``parts`` (file, athletes, weeks of each result), ``athletes``,
        ``weeks``; also written as ``out/manifest.json``, last.

    Raises
    ------
    InputError
        A log with a problem (file, line and field, from
        :func:`~heavylegs.logs.traininglog.read_log`), or a target folder that is
        not empty. Parts are written atomically and the manifests last, so a
        folder without a manifest is an unfinished run.
    """
    if chunk_athletes < 1:
        raise InputError([Problem("chunk_athletes", f"found {chunk_athletes!r}, expected 1 or more")])
    items = [(a, str(path)) for a, path in csv_logs(csv_folder).items()]
    out = Path(out)
    _empty_target(out, "the weekly tables")
    if store is not None:
        store = Path(store)
        _empty_target(store, "a Parquet store")
    jobs = [{"file": f"weekly-{k:05d}.parquet", "athletes": items[i:i + chunk_athletes]}
            for k, i in enumerate(range(0, len(items), chunk_athletes))]
    args = (str(out), None if store is None else str(store), until, metric, profiles)
    if scheduler is not None:
        results = _on_dask(scheduler, jobs, args, _csv_chunk)
    elif workers > 1 and len(jobs) > 1:
        results = _in_processes(min(workers, len(jobs)), _csv_chunk, jobs, *([a] * len(jobs) for a in args))
    else:
        results = [_csv_chunk(job, *args) for job in jobs]
    if store is not None:
        parts = [r.pop("store_part") for r in results]
        atomic_write_text(store / STORE_MANIFEST, json.dumps(
            {"format": 1, "parts": parts, "athletes": sum(len(p["athletes"]) for p in parts),
             "sessions": sum(p["sessions"] for p in parts)}, indent=1))
    summary = {"format": 1, "parts": results, "athletes": sum(r["athletes"] for r in results),
               "weeks": sum(r["weeks"] for r in results)}
    atomic_write_text(out / STORE_MANIFEST, json.dumps(summary, indent=1))
    return summary


def read_results(out) -> pd.DataFrame:
    """The weekly tables :func:`process_store` wrote, as one frame."""
    _, pq = _pyarrow()
    summary = _manifest(Path(out))
    frames = [pq.read_table(Path(out) / part["file"]).to_pandas() for part in summary["parts"]]
    if not frames:
        return weekly_tables({})
    frame = pd.concat(frames, ignore_index=True)
    return frame[list(BATCH_COLUMNS)]

