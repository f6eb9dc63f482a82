"""Dated assessments: what the coach answered and what scoring said, kept over time.

Every save of the workbook writes one file::

    data/athletes/<id>/assessments/<YYYY-MM-DDTHHMMSS>.json

holding the validated profile and its ranking. Files are never edited or
removed, so the folder is the athlete's history; the newest file holds the
answers the workbook restores. Writes are atomic (see
:func:`heavylegs.storage.atomic_write_text`): a crash during a save leaves the
earlier files as they were and no partial file.
"""
from __future__ import annotations

import datetime as _dt
import json
import re
from pathlib import Path

from .errors import InputError, Problem
from .profile import profile_to_json, read_profile, validate_profile
from .storage import athlete_paths, atomic_write_text

__all__ = [
    "ASSESSMENT_FORMAT",
    "save_assessment",
    "list_assessments",
    "read_assessment",
    "load_latest_profile",
    "top_cause_history",
]

ASSESSMENT_FORMAT = "heavylegs.assessment/1"
_STAMP = "%Y-%m-%dT%H%M%S"
# A second save within the same second gets a suffix: 2025-03-01T101500-2.json
_NAME_RE = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{6})(?:-(\d+))?\.json\Z")


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
        write and anything else in the folder are ignored.
    """
    folder = athlete_paths(data_dir, athlete_id)["assessments"]
    if not folder.is_dir():
        return []
    return sorted((p for p in folder.iterdir() if p.is_file() and _NAME_RE.match(p.name)), key=_sort_key)


def save_assessment(data_dir, profile: dict, ranking: dict, when: _dt.datetime | None = None,
                    update_profile: bool = True) -> Path:
    """Write one dated assessment (profile and ranking) atomically.

    Parameters
    ----------
    data_dir : str or Path
        The data folder.
    profile : dict
        The coach's answers; validated again here, so a bad value is never
        stored.
    ranking : dict
        The ranking of those answers (:func:`heavylegs.scoring.score_profile`),
        stored as it is.
    when : datetime, optional
        Time of the save (now by default); names the file.
    update_profile : bool
        Also write the answers to ``athletes/<id>.json``, the athlete's
        current profile read by the command line and the dashboard.

    Returns
    -------
    Path
        The assessment file written. Earlier assessments are kept; a second
        save in the same second gets a ``-2``, ``-3`` ... suffix.

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
    paths = athlete_paths(data_dir, athlete_id)
    when = when or _dt.datetime.now()
    stamp = when.strftime(_STAMP)
    target = paths["assessments"] / f"{stamp}.json"
    n = 1
    while target.exists():
        n += 1
        target = paths["assessments"] / f"{stamp}-{n}.json"
    doc = {"format": ASSESSMENT_FORMAT, "saved_at": when.isoformat(timespec="seconds"),
           "athlete_id": athlete_id, "profile": clean, "ranking": ranking}
    atomic_write_text(target, json.dumps(doc, indent=1, ensure_ascii=False, default=_plain) + "\n")
    if update_profile:
        atomic_write_text(paths["profile"], profile_to_json(clean))
    return target


def _plain(value):
    # numpy numbers from a training log
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"cannot store {type(value).__name__} in JSON")


def read_assessment(path) -> dict:
    """Read one assessment file and validate its profile.

    Returns
    -------
    dict
        ``format``, ``saved_at``, ``athlete_id``, ``profile`` (validated)
        and ``ranking``.

    Raises
    ------
    InputError
        When the file cannot be read, is not JSON, has another format, or
        holds an invalid profile.
    """
    path = Path(path)
    source = str(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError([Problem(source, f"cannot read the file ({exc.strerror or exc})")]) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError([Problem(source, f"not a JSON assessment ({exc})")]) from None
    if not isinstance(doc, dict) or doc.get("format") != ASSESSMENT_FORMAT:
        found = doc.get("format") if isinstance(doc, dict) else type(doc).__name__
        raise InputError([Problem(source, f"found format {found!r}, expected {ASSESSMENT_FORMAT!r}",
                                  field="format")])
    for key in ("saved_at", "profile", "ranking"):
        if key not in doc:
            raise InputError([Problem(source, "missing, expected it in every assessment", field=key)])
    doc["profile"] = validate_profile(doc["profile"], source)
    return doc


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
    """
    files = list_assessments(data_dir, athlete_id)
    if files:
        return read_assessment(files[-1])["profile"]
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
    import pandas as pd

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
