"""Unsaved answers: one draft per athlete, on disk, kept apart from the saved assessments.

The workbook writes the answers a coach is editing to::

    data/athletes/<id>/draft.json

after every accepted answer, so they survive a switch of athlete, a reload
of the page, a kernel restart or a crash. The draft is never an assessment:
it lives beside ``assessments/``, never in it, and nothing that reads the
history (:func:`heavylegs.store.assessments.list_assessments`, the
dashboard, the squad, ``heavylegs score``) reads it. Saving the assessment
removes the draft; so does discarding it.

A draft file (``heavylegs.draft/1``) is a JSON object::

    {"format": "heavylegs.draft/1", "athlete_id": "ana",
     "updated": "2026-11-20T10:42:07",       # local time of the last change
     "based_on": "2026-11-16T091500.json",   # newest assessment when editing began (or null)
     "answers": {...},                       # the whole validated profile being edited
     "plan": {...}}                          # only when the coach edited the plan

It is written atomically (:func:`heavylegs.files.atomic_write_text`):
a crash leaves the previous draft or the new one, never half of one.
"""
from __future__ import annotations

import datetime as _dt
import json
import os
from pathlib import Path

from heavylegs.errors import InputError, Problem
from heavylegs.store.profiles import validate_profile
from heavylegs.files import athlete_paths, atomic_write_text

__all__ = ["DRAFT_FORMAT", "DRAFT_NAME", "draft_path", "write_draft", "read_draft", "remove_draft",
           "set_draft_aside"]

DRAFT_FORMAT = "heavylegs.draft/1"
#: The draft's file name in the athlete's folder.
DRAFT_NAME = "draft.json"


def draft_path(data_dir, athlete_id: str) -> Path:
    """``athletes/<id>/draft.json`` of ``data_dir`` (the id is checked)."""
    return athlete_paths(data_dir, athlete_id)["folder"] / DRAFT_NAME


def write_draft(data_dir, athlete_id: str, answers: dict, plan: dict | None = None,
                based_on: str | None = None, when: _dt.datetime | None = None) -> dict:
    """Write (or replace) the athlete's draft atomically.

    Parameters
    ----------
    data_dir : str or Path
        The data folder.
    athlete_id : str
        Whose answers these are; must equal ``answers["athlete_id"]``.
    answers : dict
        The validated answers being edited.
    plan : dict, optional
        A plan the coach edited and has not saved.
    based_on : str, optional
        File name of the newest saved assessment when the editing began.
    when : datetime, optional
        Time of the change (now by default).

    Returns
    -------
    dict
        The draft as written (see the module's description).

    Raises
    ------
    InputError
        When the answers belong to another athlete, or the data folder is
        read-only (the packaged sample athletes).
    """
    if answers.get("athlete_id") != athlete_id:
        raise InputError([Problem("draft", f"found answers of {answers.get('athlete_id')!r}, expected "
                                           f"answers of {athlete_id!r}", field="athlete_id")])
    when = when or _dt.datetime.now()
    doc = {"format": DRAFT_FORMAT, "athlete_id": athlete_id, "updated": when.isoformat(timespec="seconds"),
           "based_on": based_on, "answers": answers}
    if plan is not None:
        doc["plan"] = plan
    atomic_write_text(draft_path(data_dir, athlete_id),
                      json.dumps(doc, indent=1, ensure_ascii=False, default=str) + "\n")
    return doc


def read_draft(data_dir, athlete_id: str) -> dict | None:
    """The athlete's draft, checked, or None when there is none.

    Returns
    -------
    dict or None
        ``format``, ``athlete_id``, ``updated`` (str), ``based_on``,
        ``answers`` (validated again) and, when present, ``plan``.

    Raises
    ------
    InputError
        When the file is not a draft of this athlete (bad JSON, another
        format or athlete, an invalid answer); the message names the file.
    """
    path = draft_path(data_dir, athlete_id)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError([Problem(str(path), f"could not be read ({exc}), expected a UTF-8 JSON draft")]) from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError([Problem(str(path), f"is not JSON ({exc.msg}), expected a draft object",
                                  line=exc.lineno)]) from None
    if not isinstance(doc, dict) or doc.get("format") != DRAFT_FORMAT:
        raise InputError([Problem(str(path), f"expected a {DRAFT_FORMAT} object", field="format")])
    if doc.get("athlete_id") != athlete_id:
        raise InputError([Problem(str(path), f"found a draft of {doc.get('athlete_id')!r}, expected one of "
                                             f"{athlete_id!r}", field="athlete_id")])
    try:
        _dt.datetime.fromisoformat(str(doc.get("updated")))
    except ValueError:
        raise InputError([Problem(str(path), f"found {doc.get('updated')!r}, expected a date and time",
                                  field="updated")]) from None
    answers = doc.get("answers")
    if not isinstance(answers, dict):
        raise InputError([Problem(str(path), "expected the answers as an object", field="answers")])
    doc["answers"] = validate_profile(answers, str(path))
    if doc["answers"].get("athlete_id") != athlete_id:
        raise InputError([Problem(str(path), f"found answers of {doc['answers'].get('athlete_id')!r}, expected "
                                             f"answers of {athlete_id!r}", field="answers.athlete_id")])
    return doc


def remove_draft(data_dir, athlete_id: str) -> bool:
    """Remove the athlete's draft; True when there was one."""
    path = draft_path(data_dir, athlete_id)
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True


def set_draft_aside(data_dir, athlete_id: str, when: _dt.datetime | None = None) -> Path | None:
    """Rename an unreadable draft to ``draft-unreadable-<time>.json`` (kept, never deleted).

    Returns
    -------
    Path or None
        The new name, or None when there was no draft.
    """
    path = draft_path(data_dir, athlete_id)
    if not path.exists():
        return None
    stamp = (when or _dt.datetime.now()).strftime("%Y-%m-%dT%H%M%S")
    target = path.with_name(f"draft-unreadable-{stamp}.json")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"draft-unreadable-{stamp}-{n}.json")
    os.replace(path, target)
    return target
