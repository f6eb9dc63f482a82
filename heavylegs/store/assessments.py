"""Dated assessments: what the coach answered and what scoring said, kept over time.

Every save of the workbook writes one file::

    data/athletes/<id>/assessments/<YYYY-MM-DDTHHMMSS>.json

holding the validated profile and its ranking. Files are never edited or
removed, so the folder is the athlete's history; the newest file holds the
answers the workbook restores.

Safety of a save, with any number of processes saving at once:

* **No save overwrites another.** The assessment is written in full to a
  temporary file, which is then hard-linked to its final name; the link fails
  when the name exists, and the save tries the next ``-N`` suffix. A reader
  therefore never sees a half-written or empty assessment. (Where a file
  system has no hard links, the name is reserved with ``O_CREAT | O_EXCL``
  and the content renamed onto it; :func:`list_assessments` skips an empty,
  reserved file.)
* **The profile and the newest assessment agree.** A save holds the
  athlete's lock (:func:`heavylegs.files.athlete_lock`) while it writes the
  assessment and then ``athletes/<id>.json``. A save that raises removes the
  assessment it wrote. A save killed between its two writes leaves the
  profile older than the newest assessment; :func:`reconcile_profile`, run
  at the start of every save and by :func:`load_latest_profile` (when the
  workbook or dashboard opens the athlete), rewrites the profile from the
  newest assessment. A profile written after that assessment (edited on
  purpose) is left as it is.
* **Stale temporary files are cleaned.** The same steps remove the temporary
  files that killed writes left in the athlete's folders
  (:func:`heavylegs.files.remove_stale_temp_files`), never one that a live
  process is writing.
"""
from __future__ import annotations

import datetime as _dt
import errno
import json
import os
import re
from pathlib import Path

import pandas as pd

from heavylegs.errors import InputError, Problem, read_input_file
from heavylegs.store.plans import validate_plan
from heavylegs.store.profiles import profile_to_json, read_profile, validate_profile
from heavylegs.files import (athlete_lock, athlete_paths, atomic_write_text, fsync_folder, mode_for,
                             remove_stale_temp_files, temp_file, write_all)

__all__ = [
    "ASSESSMENT_FORMAT",
    "save_assessment",
    "list_assessments",
    "read_assessment",
    "load_latest_profile",
    "load_latest_plan",
    "reconcile_profile",
    "top_cause_history",
]

ASSESSMENT_FORMAT = "heavylegs.assessment/1"
_STAMP = "%Y-%m-%dT%H%M%S"
# A second save within the same second gets a suffix: 2025-03-01T101500-2.json
_NAME_RE = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{6})(?:-(\d+))?\.json\Z")
# Errors of os.link on a file system without hard links
_NO_LINKS = {errno.EPERM, errno.EXDEV, errno.EMLINK, getattr(errno, "ENOTSUP", -1),
             getattr(errno, "EOPNOTSUPP", -1), errno.ENOSYS}


def _sort_key(path: Path):
    match = _NAME_RE.match(path.name)
    return match.group(1), int(match.group(2) or 1)


def list_assessments(data_dir, athlete_id) -> list:
    """The athlete's assessment files, oldest first.

    Parameters
    ----------
    data_dir : str or Path
        The data folder (holding ``athletes/``).
    athlete_id : str
        A valid athlete id.

    Returns
    -------
    list of Path
        Files named ``YYYY-MM-DDTHHMMSS.json`` (or with a ``-N`` suffix for
        a second save in the same second); temporary files of an interrupted
        write, empty files (a name reserved by a save still writing) and
        anything else in the folder are ignored.
    """
    folder = athlete_paths(data_dir, athlete_id)["assessments"]
    try:
        entries = list(os.scandir(folder))
    except (FileNotFoundError, NotADirectoryError):
        return []
    found = []
    for entry in entries:
        if not _NAME_RE.match(entry.name):
            continue
        try:
            if entry.is_file() and entry.stat().st_size > 0:
                found.append(folder / entry.name)
        except FileNotFoundError:
            continue
    return sorted(found, key=_sort_key)


def save_assessment(data_dir, profile: dict, ranking: dict, when: _dt.datetime | None = None,
                    update_profile: bool = True, plan: dict | None = None) -> Path:
    """Write one dated assessment (profile and ranking) atomically.

    Parameters
    ----------
    data_dir : str or Path
        The data folder.
    profile : dict
        The coach's answers; validated again here, so a bad value is never
        stored.
    ranking : dict
        The ranking of those answers (:func:`heavylegs.analysis.scoring.score_profile`),
        stored as it is.
    when : datetime, optional
        Time of the save (now by default); names the file.
    update_profile : bool
        Also write the answers to ``athletes/<id>.json``, the athlete's
        current profile read by the command line and the dashboard.
    plan : dict, optional
        The two-week plan (``heavylegs.plan/1``, :func:`heavylegs.analysis.plan.build_plan`,
        perhaps edited by the coach), stored in the assessment as ``plan``;
        checked with :func:`heavylegs.analysis.plan.validate_plan` and refused when it
        belongs to another athlete.

    Returns
    -------
    Path
        The assessment file written. Earlier assessments are kept; a second
        save in the same second gets a ``-2``, ``-3`` ... suffix. Saves at
        the same moment, from any processes, each get their own file.

    Notes
    -----
    The profile file is written only when the new assessment is the newest
    (a save dated before an existing assessment leaves the profile to that
    one), so the profile always equals the newest assessment's profile.
    A save with ``update_profile=False`` records ``"updates_profile": false``
    so that :func:`reconcile_profile` does not copy it to the profile.

    Raises
    ------
    InputError
        When the profile is invalid or the ranking belongs to another athlete.
    """
    clean = validate_profile(profile, "<assessment>")
    athlete_id = clean["athlete_id"]
    if ranking.get("athlete_id") not in (None, athlete_id):
        raise InputError([Problem("<assessment>", f"found a ranking of {ranking.get('athlete_id')!r}, "
                                                  f"expected one of {athlete_id!r}", field="athlete_id")])
    if plan is not None:
        _check_plan(plan, athlete_id, "<assessment>")
    paths = athlete_paths(data_dir, athlete_id)
    with athlete_lock(data_dir, athlete_id):
        _, files = _repair(data_dir, athlete_id, paths)
        when = when or _dt.datetime.now()  # read under the lock, so names follow the order of saves
        doc = {"format": ASSESSMENT_FORMAT, "saved_at": when.isoformat(timespec="seconds"),
               "athlete_id": athlete_id, "profile": clean, "ranking": ranking}
        if not update_profile:
            doc["updates_profile"] = False
        if plan is not None:
            doc["plan"] = plan
        data = (json.dumps(doc, indent=1, ensure_ascii=False, default=_plain) + "\n").encode("utf-8")
        stamp = when.strftime(_STAMP)
        # Start after the last suffix of this second, so a later save always sorts later.
        first = 1 + max((_sort_key(p)[1] for p in files if _sort_key(p)[0] == stamp), default=0)
        target = _write_new(paths["assessments"], stamp, data, first)
        try:
            # Other savers wait for the lock, so the newest file is now the old newest or this one.
            if update_profile and (not files or _sort_key(target) > _sort_key(files[-1])):
                atomic_write_text(paths["profile"], profile_to_json(clean))
        except BaseException:
            # the save failed as a whole: take back the assessment so the profile still matches
            target.unlink(missing_ok=True)
            raise
    return target


def _write_new(folder: Path, stamp: str, data: bytes, first: int = 1) -> Path:
    """Write ``data`` under the first free name ``<stamp>[-N].json`` (N >= ``first``), never over a file."""
    folder.mkdir(parents=True, exist_ok=True)
    with temp_file(folder, f"{stamp}.json") as (fd, tmp):
        write_all(fd, data)
        os.fchmod(fd, mode_for(folder / f"{stamp}.json"))  # as a plain open() would
        os.fsync(fd)
        n = first
        while True:
            target = folder / (f"{stamp}.json" if n == 1 else f"{stamp}-{n}.json")
            try:
                os.link(tmp, target)  # fails when the name exists: nothing is overwritten
                break
            except FileExistsError:
                n += 1
            except OSError as exc:
                if exc.errno not in _NO_LINKS:
                    raise
                if _reserve(target):  # no hard links here: reserve the name, then fill it
                    os.replace(tmp, target)
                    break
                n += 1
        tmp.unlink(missing_ok=True)
    fsync_folder(folder)
    return target


def _reserve(target: Path) -> bool:
    try:
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    except FileExistsError:
        return False
    return True


def _repair(data_dir, athlete_id: str, paths: dict) -> tuple:
    """Clean stale temporary files and reconcile the profile; the caller holds the athlete's lock.

    Returns (profile rewritten, the assessment files oldest first).
    """
    remove_stale_temp_files(paths["assessments"])
    remove_stale_temp_files(paths["folder"])
    remove_stale_temp_files(paths["profile"].parent, prefix=paths["profile"].name)
    _remove_empty_reservations(paths["assessments"])
    files = list_assessments(data_dir, athlete_id)
    if not files:
        return False, files
    newest = files[-1]
    try:
        doc = read_assessment(newest)
    except InputError:
        return False, files  # a damaged newest file: load_latest_profile reports it; never copy it
    if doc.get("updates_profile") is False:
        return False, files
    profile_path = paths["profile"]
    try:
        profile_mtime = profile_path.stat().st_mtime_ns
    except FileNotFoundError:
        profile_mtime = None
    if profile_mtime is not None:
        if profile_mtime > newest.stat().st_mtime_ns:
            return False, files  # written after the newest assessment: a deliberate edit
        try:
            if read_profile(profile_path) == doc["profile"]:
                return False, files
        except InputError:
            pass  # a damaged profile is rewritten
    atomic_write_text(profile_path, profile_to_json(doc["profile"]))
    return True, files


def _remove_empty_reservations(folder: Path) -> None:
    # Only under the athlete's lock: a reserved name is filled before the lock is released,
    # so an empty one now was left by a save that was killed.
    try:
        entries = list(os.scandir(folder))
    except (FileNotFoundError, NotADirectoryError):
        return
    for entry in entries:
        try:
            if _NAME_RE.match(entry.name) and entry.is_file() and entry.stat().st_size == 0:
                os.unlink(folder / entry.name)
        except FileNotFoundError:
            continue


def reconcile_profile(data_dir, athlete_id) -> bool:
    """Repair what a killed save left behind for one athlete.

    Under the athlete's lock: removes the temporary files of interrupted
    writes whose writer is gone (:func:`heavylegs.files.remove_stale_temp_files`)
    and, when the profile file ``athletes/<id>.json`` is missing, damaged or
    older than the newest assessment and holds other answers, rewrites it
    from the newest assessment. Run by every save and by
    :func:`load_latest_profile`; safe to call at any time.

    Parameters
    ----------
    data_dir : str or Path
        The data folder.
    athlete_id : str
        A valid athlete id.

    Returns
    -------
    bool
        True when the profile file was rewritten.
    """
    paths = athlete_paths(data_dir, athlete_id)
    if not paths["folder"].is_dir():
        return False  # nothing was ever saved: create nothing
    if not _may_need_repair(data_dir, athlete_id, paths):
        return False  # the usual case, checked without the lock: opening an athlete writes nothing
    with athlete_lock(data_dir, athlete_id):
        return _repair(data_dir, athlete_id, paths)[0]


def _may_need_repair(data_dir, athlete_id: str, paths: dict) -> bool:
    """False when there is surely nothing to repair: no temporary file, no empty name, profile up to date."""
    for folder, prefix in ((paths["assessments"], ""), (paths["folder"], ""),
                           (paths["profile"].parent, "." + paths["profile"].name)):
        try:
            names = os.listdir(folder)
        except (FileNotFoundError, NotADirectoryError):
            continue
        if any(n.startswith(prefix or ".") and n.endswith(".tmp") for n in names):
            return True
    files = list_assessments(data_dir, athlete_id)
    if not files:
        return False
    if any(f.stat().st_size == 0 for f in files):
        return True
    try:
        doc = read_assessment(files[-1])
    except InputError:
        return False  # _repair would not copy a damaged file either
    if doc.get("updates_profile") is False:
        return False
    try:
        if paths["profile"].stat().st_mtime_ns > files[-1].stat().st_mtime_ns:
            return False
        return read_profile(paths["profile"]) != doc["profile"]
    except (FileNotFoundError, InputError):
        return True


def _plain(value):
    # numpy numbers from a training log
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"cannot store {type(value).__name__} in JSON")


# Largest assessment file read [bytes]: a profile, a ranking and a plan take tens of kB.
_MAX_ASSESSMENT_BYTES = 16 * 2**20


def read_assessment(path) -> dict:
    """Read one assessment file and validate its profile.

    Returns
    -------
    dict
        ``format``, ``saved_at``, ``athlete_id``, ``profile`` (validated)
        and ``ranking``; ``plan`` (validated) when one was saved with it.

    Raises
    ------
    InputError
        When the file cannot be read, is not JSON, has another format, or
        holds an invalid profile.
    """
    path = Path(path)
    source = str(path)
    try:
        # a regular file only, opened without blocking (a FIFO is refused, never waited on)
        doc = json.loads(read_input_file(path, _MAX_ASSESSMENT_BYTES, "an assessment JSON file").decode("utf-8"))
    except OSError as exc:
        raise InputError([Problem(source, f"cannot read the file ({exc.strerror or exc})")]) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError([Problem(source, f"not a JSON assessment ({exc})")]) from None
    except RecursionError:
        raise InputError([Problem(source, "nested too deeply, expected a heavylegs assessment")]) from None
    if not isinstance(doc, dict) or doc.get("format") != ASSESSMENT_FORMAT:
        found = doc.get("format") if isinstance(doc, dict) else type(doc).__name__
        raise InputError([Problem(source, f"found format {found!r}, expected {ASSESSMENT_FORMAT!r}",
                                  field="format")])
    for key in ("saved_at", "profile", "ranking"):
        if key not in doc:
            raise InputError([Problem(source, "missing, expected it in every assessment", field=key)])
    doc["profile"] = validate_profile(doc["profile"], source)
    if doc.get("plan") is not None:
        _check_plan(doc["plan"], doc.get("athlete_id") or doc["profile"]["athlete_id"], source)
    return doc


def _check_plan(plan, athlete_id: str, source: str) -> None:
    validate_plan(plan, source)
    if plan.get("athlete_id") not in (None, athlete_id):
        raise InputError([Problem(source, f"found a plan of {plan.get('athlete_id')!r}, expected one of "
                                          f"{athlete_id!r}", field="plan.athlete_id")])


def load_latest_plan(data_dir, athlete_id) -> dict | None:
    """The plan saved with the athlete's newest assessment, or None.

    Parameters
    ----------
    data_dir : str or Path
        The data folder.
    athlete_id : str
        A valid athlete id.

    Returns
    -------
    dict or None
        The ``heavylegs.plan/1`` document (validated); None when there is no
        assessment or the newest one holds no plan.
    """
    files = list_assessments(data_dir, athlete_id)
    if not files:
        return None
    return read_assessment(files[-1]).get("plan")


def load_latest_profile(data_dir, athlete_id) -> dict:
    """The answers to restore when the athlete is opened.

    Parameters
    ----------
    data_dir : str or Path
        The data folder.
    athlete_id : str
        A valid athlete id.

    Returns
    -------
    dict
        The profile of the newest assessment; else the athlete's profile
        file ``athletes/<id>.json``; else ``{"athlete_id": athlete_id}``
        (a new athlete, every answer unknown).

    Notes
    -----
    Opening an athlete first runs :func:`reconcile_profile`, so a profile
    file left behind by a killed save is brought up to date.
    """
    files = list_assessments(data_dir, athlete_id)
    if files:
        try:
            reconcile_profile(data_dir, athlete_id)
        except OSError:
            pass  # a read-only data folder: the newest assessment is still the answer
        return read_assessment(list_assessments(data_dir, athlete_id)[-1])["profile"]
    profile_path = athlete_paths(data_dir, athlete_id)["profile"]
    if profile_path.exists():
        return read_profile(profile_path)
    return {"athlete_id": athlete_id}


def top_cause_history(data_dir, athlete_id, top: int = 3):
    """How the leading causes ranked across the athlete's assessments.

    Parameters
    ----------
    data_dir : str or Path
        The data folder.
    athlete_id : str
        A valid athlete id.
    top : int
        A cause is followed when it was among the best ``top`` in at least
        one assessment.

    Returns
    -------
    pandas.DataFrame
        One row per assessment and followed cause, oldest first:
        ``saved_at`` (Timestamp), ``assessed_on``, ``cause_id``, ``title``,
        ``rank``, ``score`` [0-100] and ``band``. Empty (with these columns)
        when nothing was saved.
    """
    columns = ["saved_at", "assessed_on", "cause_id", "title", "rank", "score", "band"]
    docs = [read_assessment(p) for p in list_assessments(data_dir, athlete_id)]
    followed = set()
    for doc in docs:
        followed.update(c["id"] for c in doc["ranking"].get("causes", [])[:top])
    rows = []
    for doc in docs:
        for cause in doc["ranking"].get("causes", []):
            if cause["id"] in followed:
                rows.append({"saved_at": pd.Timestamp(doc["saved_at"]),
                             "assessed_on": doc["ranking"].get("assessed_on", doc["profile"].get("assessed_on")),
                             "cause_id": cause["id"], "title": cause.get("title", cause["id"]),
                             "rank": int(cause["rank"]), "score": int(cause["score"]),
                             "band": cause.get("band", "")})
    return pd.DataFrame(rows, columns=columns)
