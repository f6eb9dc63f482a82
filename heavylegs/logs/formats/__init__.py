"""Turn activity files and Strava bulk exports into a training log.

:func:`import_sources` takes any mix of ``.fit``, ``.gpx`` and ``.tcx`` files
(each also gzipped), folders of them, and Strava bulk exports (a folder
holding ``activities.csv``, or the export's ``.zip``). A file that cannot be
read is reported with the reason and the others are still imported. The
result's ``log`` follows ``spec/training-log.md``.

Large batches of activity files are read by a pool of worker processes.
Every input that was read is remembered in a cache (one JSON file per input,
keyed by path, size and modification time, and for exports also by the
SHA-256 of ``activities.csv``), so importing the same files again is served
without parsing them.
"""
from __future__ import annotations

import hashlib
import json
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from stat import S_ISREG
from typing import Callable, Iterable

import pandas as pd

from heavylegs.files import atomic_write_text
from heavylegs.logs.traininglog import same_session_keep  # the one same-session rule, shared with merge_logs
from heavylegs.logs.formats._common import LOG_COLUMNS, FileResult, ReadError, read_bytes, sniff_format, unread_reason
from heavylegs.logs.formats.fit import read_fit
from heavylegs.logs.formats.gpx import read_gpx
from heavylegs.logs.formats.strava import export_csv_bytes, looks_like_strava_csv, read_strava_csv
from heavylegs.logs.formats.tcx import read_tcx

__all__ = [
    "ImportResult",
    "import_sources",
    "read_activity_file",
    "summary_lines",
    "default_cache_dir",
    "LOG_COLUMNS",
    "PARSER_VERSION",
    "NOT_IMPORTABLE",
    "not_importable_reason",
]

#: Bump when a reader changes what it returns, so old cache entries are ignored.
PARSER_VERSION = 4
_CACHE_FORMAT = "heavylegs.import-cache/1"

_ACTIVITY_SUFFIXES = (".fit", ".gpx", ".tcx")
# Fewer files than this are read in this process: starting workers costs more.
_PARALLEL_MIN_FILES = 16
_BATCH_SIZE = 8
_NUMERIC = ("duration_min", "distance_km", "rpe", "avg_hr_bpm", "elevation_gain_m",
            "max_hr_bpm", "gap_distance_km", "relative_effort")
_TEXT = ("activity", "session_type", "surface", "start_time", "source", "notes", "hr_histogram")


@dataclass
class ImportResult:
    """The outcome of :func:`import_sources`.

    Attributes
    ----------
    log : pandas.DataFrame
        Columns :data:`LOG_COLUMNS`, sorted by date then start time; ``date``
        is datetime64 at midnight, ``start_time`` an ISO 8601 string in UTC.
    sessions : int
        Rows in ``log``.
    duplicates_skipped : int
        Sessions dropped because the same session was already imported
        (:func:`heavylegs.logs.traininglog.drop_duplicate_sessions`: spans of the
        same activity overlapping by more than half of the shorter, or the
        same start minute; without a start time the same date, activity,
        duration and distance). Of one session the richer recording is kept.
    failed : list of (str, str)
        ``(file or file:line, reason)`` for every file or row not imported.
    files_read : int
        Inputs (activity files and exports) read successfully.
    from_cache : int
        Of those, how many were served from the cache.
    warnings : list of (str, str)
        ``(file, message)``: sessions imported from damaged files.
    skipped : dict of str to int
        Activities left out because they carry no training load, by type.
    """

    log: pd.DataFrame
    sessions: int = 0
    duplicates_skipped: int = 0
    failed: list = field(default_factory=list)
    files_read: int = 0
    from_cache: int = 0
    warnings: list = field(default_factory=list)
    skipped: dict = field(default_factory=dict)


#: Why a file is not imported when it is no activity file and no Strava export: the command
#: line and the workbook say the same, and say what to upload instead.
NOT_IMPORTABLE = ("not an activity file or a Strava export: upload the .zip of Strava's bulk export "
                  "(Strava: Settings, My Account, Download or delete your account), or .fit, .gpx or .tcx "
                  "files (also .gz)")


def not_importable_reason(log_problems: str | None = None) -> str:
    """:data:`NOT_IMPORTABLE`, and why the file is no training log either when it was read as one.

    Parameters
    ----------
    log_problems : str, optional
        The problems found reading the file as a training log (a CSV the
        workbook tried as a log first), e.g. ``"line 1: date: missing column"``.
    """
    return NOT_IMPORTABLE if not log_problems else f"{NOT_IMPORTABLE}; nor a training log ({log_problems})"


def default_cache_dir() -> Path:
    """``$HEAVYLEGS_CACHE_DIR``, else ``~/.cache/heavylegs``."""
    env = os.environ.get("HEAVYLEGS_CACHE_DIR")
    return Path(env) if env else Path.home() / ".cache" / "heavylegs"


def read_activity_file(path, *, source: str | None = None) -> FileResult:
    """Read one activity file, whatever its format.

    The format is recognised from the content (FIT header, ``<gpx``,
    ``<TrainingCenterDatabase``), else from the name; gzip is recognised by
    its magic bytes.

    Parameters
    ----------
    path : str or Path
        A ``.fit``, ``.gpx`` or ``.tcx`` file, optionally ``.gz``.
    source : str, optional
        Name to record as ``source``; defaults to ``str(path)``.

    Returns
    -------
    FileResult
        Rows, failures, warnings and skipped types of this file.
    """
    source = str(path) if source is None else source
    try:
        data = read_bytes(path)
    except (ReadError, OSError) as exc:
        return FileResult(failed=[(source, unread_reason(exc))])
    kind = sniff_format(data, Path(path).name)
    reader = {"fit": read_fit, "gpx": read_gpx, "tcx": read_tcx}.get(kind)
    if reader is None:
        return FileResult(failed=[(source, NOT_IMPORTABLE)])
    try:
        return reader(path, data, source=source)
    except Exception as exc:  # noqa: BLE001 - one odd file must never stop an import
        return FileResult(failed=[(source, f"could not be read ({type(exc).__name__}: {exc})")])


# --- finding inputs ---------------------------------------------------------

def _is_activity_name(name: str) -> bool:
    name = name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    return name.endswith(_ACTIVITY_SUFFIXES)


def _expand(sources) -> tuple[list, list]:
    """Inputs as ``(kind, path)`` with kind ``file`` or ``export``, and failures."""
    units, failed = [], []
    for source in sources:
        path = Path(source)
        if path.is_dir():
            # lexists, not is_file: an activities.csv that is a pipe or a link
            # to a device still marks an export, and its reader refuses it by name.
            if os.path.lexists(path / "activities.csv"):
                units.append(("export", path))
                continue
            for folder, subfolders, files in os.walk(path):
                here = Path(folder)
                if here != path and os.path.lexists(here / "activities.csv"):
                    units.append(("export", here))
                    subfolders[:] = []  # its activity files are described by the csv
                    continue
                subfolders[:] = sorted(d for d in subfolders if not d.startswith("."))
                for name in sorted(files):
                    if name.startswith("."):
                        continue
                    if _is_activity_name(name):
                        units.append(("file", here / name))
                    elif name.lower().endswith(".zip"):
                        units.append(("export", here / name))
        elif path.is_file():
            name = path.name.lower()
            if name.endswith(".zip") or name == "activities.csv" or (name.endswith(".csv")
                                                                     and _is_strava_csv(path)):
                # a Strava activities.csv under another name (a download renamed it) is read
                # as the export it came from: the export is read through that file alone
                units.append(("export", path))
            else:
                units.append(("file", path))
        elif os.path.lexists(path):
            # A pipe, a device, a socket or a broken link: the reader refuses
            # it by name, with the reason, without ever blocking on it.
            units.append(("file", path))
        else:
            failed.append((str(source), "no such file or folder"))
    return units, failed


def _is_strava_csv(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            return looks_like_strava_csv(handle.read(65536))
    except OSError:
        return False


# --- cache ------------------------------------------------------------------

def _stat_key(path: Path) -> str | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    if path.is_dir():  # an export folder changes when its csv does
        try:
            stat = (path / "activities.csv").stat()
        except OSError:
            return None
    if not S_ISREG(stat.st_mode):
        return None  # a pipe or a device is never cached: it is refused afresh each time
    # The path as given, not resolved: two links to one file are reported
    # (and recorded as source) under their own names.
    text = f"{PARSER_VERSION}|{os.path.abspath(path)}|{stat.st_size}|{stat.st_mtime_ns}"
    return "stat-" + hashlib.sha256(text.encode()).hexdigest()[:40]


def _content_key(data: bytes) -> str:
    digest = hashlib.sha256(data)
    digest.update(f"|{PARSER_VERSION}".encode())
    return "csv-" + digest.hexdigest()[:40]


class _Cache:
    def __init__(self, folder: Path | None):
        self.folder = folder

    def get(self, key: str | None, with_names: bool = False):
        if self.folder is None or key is None:
            return None
        try:
            data = json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8"))
            if data.get("format") != _CACHE_FORMAT:
                return None
            result = FileResult.from_json(data)
            return (result, data["name"], data["origin"]) if with_names else result
        except (OSError, ValueError, KeyError, TypeError):
            return None  # a missing or damaged entry is simply re-read

    def put(self, key: str | None, result: FileResult, path: Path, name: str | None = None) -> None:
        if self.folder is None or key is None:
            return
        entry = {"format": _CACHE_FORMAT, "parser_version": PARSER_VERSION,
                 "origin": str(path), "name": name or str(path), **result.to_json()}
        try:
            atomic_write_text(self.folder / f"{key}.json",
                              json.dumps(entry, ensure_ascii=False, allow_nan=False))
        except (OSError, ValueError):
            pass  # the cache only saves time; failing to write it is not an error


# --- reading ----------------------------------------------------------------

def _read_batch(paths: list) -> list:
    """Worker entry point: read a few activity files, results as JSON-safe dicts."""
    return [read_activity_file(path).to_json() for path in paths]


def _read_export(path: Path, cache: _Cache) -> tuple[FileResult, bool]:
    stat_key = _stat_key(path)
    cached = cache.get(stat_key)
    if cached is not None:
        return cached, True
    try:
        data, name = export_csv_bytes(path)
    except ReadError as exc:
        return FileResult(failed=[(str(path), str(exc))]), False
    except OSError as exc:
        return FileResult(failed=[(str(path), f"could not open ({exc.strerror or exc})")]), False
    content_key = _content_key(data)
    cached = cache.get(content_key, with_names=True)
    if cached is not None:
        # The same activities.csv seen under another name (a copy, a new zip).
        result = _rename(cached[0], {cached[1]: name, cached[2]: str(path)})
        cache.put(stat_key, result, path, name)
        return result, True
    try:
        result = read_strava_csv(data, name, origin=str(path))
    except Exception as exc:  # noqa: BLE001 - one odd export must never stop an import
        result = FileResult(failed=[(name, f"could not be read ({type(exc).__name__}: {exc})")])
    cache.put(stat_key, result, path, name)
    cache.put(content_key, result, path, name)
    return result, False


def _rename(result: FileResult, renames: dict) -> FileResult:
    """``result`` with the names it mentions replaced (longest old name first)."""
    def rename(text):
        for old in sorted(renames, key=len, reverse=True):
            if text == old or text.startswith(old + ":") or text.startswith(old + "#"):
                return renames[old] + text[len(old):]
        return text
    rows = [{**row, "source": rename(row["source"])} for row in result.rows]
    return FileResult(rows=rows, failed=[(rename(w), r) for w, r in result.failed],
                      warnings=list(result.warnings), skipped=dict(result.skipped))


def import_sources(sources: Iterable, *, progress: Callable[[int, int], None] | None = None,
                   cache_dir=None, workers: int = 2, use_cache: bool = True) -> ImportResult:
    """Import activity files, folders and Strava exports into one training log.

    Parameters
    ----------
    sources : iterable of str or Path
        Files (``.fit``, ``.gpx``, ``.tcx``, each optionally ``.gz``), folders
        (searched recursively; a folder holding ``activities.csv`` is a Strava
        export and its activity files are not read separately), Strava export
        ``.zip`` files, or an ``activities.csv``.
    progress : callable, optional
        Called as ``progress(done, total)`` after each input is read, e.g. to
        advance a tqdm bar or an ``IntProgress`` widget.
    cache_dir : str or Path, optional
        Cache folder; default :func:`default_cache_dir`.
    workers : int
        Worker processes for large batches of activity files (2 suits a
        two-core machine); 1 reads everything in this process.
    use_cache : bool
        False reads everything afresh and writes no cache.

    Returns
    -------
    ImportResult
        The log and the counts for the summary (see :func:`summary_lines`).
    """
    units, failed = _expand(sources)
    cache = _Cache(Path(cache_dir) if cache_dir is not None else default_cache_dir()) \
        if use_cache else _Cache(None)
    total = len(units)
    results: list = [None] * total
    from_cache = [False] * total
    done = 0

    def tick():
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total)

    pending = []
    for index, (kind, path) in enumerate(units):
        if kind == "export":
            results[index], from_cache[index] = _read_export(path, cache)
            tick()
            continue
        key = _stat_key(path)
        cached = cache.get(key)
        if cached is not None:
            results[index], from_cache[index] = cached, True
            tick()
        else:
            pending.append((index, path, key))

    if workers > 1 and len(pending) >= _PARALLEL_MIN_FILES:
        batches = [pending[i:i + _BATCH_SIZE] for i in range(0, len(pending), _BATCH_SIZE)]
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = [(batch, pool.submit(_read_batch, [path for _, path, _ in batch]))
                       for batch in batches]
            for batch, future in futures:
                try:
                    outputs = [FileResult.from_json(item) for item in future.result()]
                except Exception as exc:  # noqa: BLE001 - a crashed worker fails its batch only
                    outputs = [FileResult(failed=[(str(path), f"could not be read ({exc})")])
                               for _, path, _ in batch]
                for (index, path, key), output in zip(batch, outputs):
                    results[index] = output
                    cache.put(key, output, path)
                    tick()
    else:
        for index, path, key in pending:
            results[index] = read_activity_file(path)
            cache.put(key, results[index], path)
            tick()

    rows, warnings, skipped = [], [], {}
    files_read = cached_count = 0
    for result, cached in zip(results, from_cache):
        rows.extend(result.rows)
        failed.extend(result.failed)
        warnings.extend(result.warnings)
        for name, count in result.skipped.items():
            skipped[name] = skipped.get(name, 0) + count
        if result.rows or result.skipped or not result.failed:
            files_read += 1
            cached_count += cached
    kept, duplicates = _drop_duplicates(rows)
    log = _to_frame(kept)
    return ImportResult(log=log, sessions=len(log), duplicates_skipped=duplicates,
                        failed=failed, files_read=files_read, from_cache=cached_count,
                        warnings=warnings, skipped=skipped)


def _drop_duplicates(rows: list) -> tuple[list, int]:
    """Keep the richer of each session, by the one rule of :func:`heavylegs.logs.traininglog.drop_duplicate_sessions`."""
    if not rows:
        return [], 0
    keep = same_session_keep(pd.DataFrame(rows, columns=list(LOG_COLUMNS)))
    kept = [row for row, ok in zip(rows, keep) if ok]
    return kept, len(rows) - len(kept)


def _to_frame(rows: list) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(LOG_COLUMNS))
    frame["date"] = pd.to_datetime(frame["date"], format="%Y-%m-%d")
    for column in _NUMERIC:
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    if int(pd.__version__.split(".")[0]) >= 3:
        # One text dtype for every text column, even one that is all missing
        # (pandas 2 would turn None into the string "None" here).
        for column in _TEXT:
            frame[column] = frame[column].astype("str")
    frame = frame.sort_values(["date", "start_time"], kind="stable", na_position="last")
    return frame.reset_index(drop=True)


def _plural(count: int, singular: str, plural: str | None = None) -> str:
    return f"{count} {singular if count == 1 else (plural or singular + 's')}"


def summary_lines(result: ImportResult) -> list[str]:
    """The import summary for a person, one line per list item.

    Parameters
    ----------
    result : ImportResult

    Returns
    -------
    list of str
        Sessions imported, duplicates skipped, activities skipped on
        purpose, sessions read from damaged files, and every file or row that
        could not be read with the reason.
    """
    first = f"Imported {_plural(result.sessions, 'session')} from {_plural(result.files_read, 'input')}"
    if result.from_cache:
        first += f" ({result.from_cache} unchanged, taken from the cache)"
    lines = [first + "."]
    if not result.log.empty:
        lines.append(f"Dates {result.log['date'].min():%Y-%m-%d} to "
                     f"{result.log['date'].max():%Y-%m-%d}.")
    lines.append(f"Skipped {_plural(result.duplicates_skipped, 'duplicate session')} "
                 "(the same activity at overlapping times, the richer recording kept; without a "
                 "start time, same date, activity, duration and distance).")
    if result.skipped:
        kinds = ", ".join(f"{name} {count}" for name, count in sorted(result.skipped.items()))
        lines.append(f"Left out {_plural(sum(result.skipped.values()), 'activity', 'activities')} with no "
                     f"training load: {kinds}.")
    if result.warnings:
        lines.append(f"Imported from {_plural(len(result.warnings), 'damaged file')}:")
        lines += [f"  {where}: {message}" for where, message in result.warnings]
    if result.failed:
        lines.append(f"Could not read {_plural(len(result.failed), 'file or row', 'files or rows')}:")
        lines += [f"  {where}: {reason}" for where, reason in result.failed]
    else:
        lines.append("Every file could be read.")
    return lines
