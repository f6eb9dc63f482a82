"""Roster import: a roster CSV creates or updates many athletes at once.

A roster CSV has the profile field names as columns, one athlete a row
(``spec/profile.md``; :func:`heavylegs.store.profiles.read_roster`). Importing it:

1. **checks every row first**: a bad cell is reported with its file, line,
   column number and column name, and nothing is written when any row is
   bad; the athletes' current files are read at this step too, so a broken
   file of the data folder also stops the import before anything is
   written;
2. **merges** each row into the athlete's current answers (the newest saved
   assessment, else ``athletes/<id>.json``): an empty cell keeps what is
   there (it never erases an answer); a filled cell adds an answer that was
   unknown;
3. **refuses to change an answer the coach entered**: a filled cell whose
   value differs from the current answer is a conflict; every conflict is
   listed and the whole import refused unless ``overwrite`` is given;
4. **writes** one dated assessment per created or changed athlete with
   :func:`heavylegs.store.assessments.save_assessment` (atomic), ranked by the one pipeline with the athlete's training
   log and check-ins, so the history keeps every earlier assessment. An
   athlete whose answers do not change gets no new assessment.

Steps 2-4 run while holding the lock of every athlete of the roster
(:func:`heavylegs.files.athlete_lock`, the lock the workbook's saves
and the check-in writers take): each row is a read-modify-write of the newest
answers, so an import running beside another import or a workbook save never
loses an answer either wrote.

``assessed_on`` is not an answer: the new assessment is dated by the row's
``assessed_on``, else today.
"""
from __future__ import annotations

import contextlib
import csv
import datetime as _dt
import json
from dataclasses import dataclass, field
from pathlib import Path

from heavylegs.analysis.pipeline import assess_athlete
from heavylegs.errors import InputError, Problem
from heavylegs.store.assessments import save_assessment
from heavylegs.store.athlete import load_athlete
from heavylegs.store.profiles import read_roster, validate_profile
from heavylegs.files import athlete_lock, check_writable

__all__ = ["RosterImport", "RosterChange", "import_roster", "merge_answers"]

_NOT_ANSWERS = ("athlete_id", "assessed_on")


@dataclass(frozen=True)
class RosterChange:
    """One answer the roster changes.

    Attributes
    ----------
    athlete_id, field : str
    line : int
        Line of the roster CSV.
    old, new
        The current answer (None: unknown) and the roster's.
    """

    athlete_id: str
    field: str
    line: int
    old: object
    new: object

    @property
    def overwrites(self) -> bool:
        """True when it changes an answer the coach entered (not an unknown one)."""
        return self.old is not None


@dataclass
class RosterImport:
    """What a roster import did, or would do (``dry_run``).

    Attributes
    ----------
    created, updated, unchanged : list of str
        Athlete ids: new athletes, athletes with changed answers, athletes
        the roster leaves as they were.
    changes : list of RosterChange
        Every answer added or changed.
    written : list of Path
        The assessment files written (empty for a dry run).
    dry_run : bool
    """

    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)
    changes: list = field(default_factory=list)
    written: list = field(default_factory=list)
    dry_run: bool = False

    @property
    def overwritten(self) -> list:
        """The changes that replace an answer the coach entered."""
        return [c for c in self.changes if c.overwrites]

    def lines(self) -> list:
        """A summary for a person, one line each."""
        verb = "would " if self.dry_run else ""
        out = [f"{verb}create {len(self.created)}, {verb}update {len(self.updated)}, "
               f"leave {len(self.unchanged)} unchanged"]
        for change in self.overwritten:
            out.append(f"  {'would overwrite' if self.dry_run else 'overwrote'} {change.athlete_id}: "
                       f"{change.field}: {_show(change.old)} -> {_show(change.new)} (line {change.line})")
        if self.dry_run:
            out.append("dry run: nothing written")
        else:
            out.append(f"wrote {len(self.written)} assessments")
        return out


def _show(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def merge_answers(current: dict, row: dict) -> tuple:
    """Merge a roster row into an athlete's current answers.

    Parameters
    ----------
    current : dict
        The current answers (a validated profile; ``{}`` for a new athlete).
    row : dict
        The roster row (a validated profile); a field missing from it is an
        empty cell and keeps the current answer.

    Returns
    -------
    tuple of (dict, list of (str, old, new))
        The merged answers (``assessed_on`` and ``athlete_id`` from the row)
        and the answers that differ: ``old`` is None where the answer was
        unknown.
    """
    merged = {k: v for k, v in current.items() if k not in _NOT_ANSWERS}
    changed = []
    for key, value in row.items():
        if key in _NOT_ANSWERS or (key.startswith("x_") and value == ""):
            continue
        old = current.get(key)
        if old != value:
            changed.append((key, old, value))
        merged[key] = value
    merged["athlete_id"] = row["athlete_id"]
    merged["assessed_on"] = row["assessed_on"]
    return merged, changed


def _with_columns(problems, header: list) -> list:
    """Add the column number to the problems that name a column but not its number."""
    index = {name: i for i, name in enumerate(header, start=1)}
    out = []
    for p in problems:
        if p.column is None and p.field in index and p.line is not None:
            p = Problem(p.file, p.message, field=p.field, line=p.line, column=index[p.field])
        out.append(p)
    return out


def _header(path: Path) -> list:
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            return next(csv.reader(handle), [])
    except (OSError, UnicodeDecodeError, csv.Error):
        return []




def _lines_of(path: Path, profiles: list) -> dict:
    """Line of each athlete in the roster (read_roster keeps file order, blank rows skipped)."""
    lines, ids = {}, {p["athlete_id"] for p in profiles}
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, [])
        col = header.index("athlete_id") if "athlete_id" in header else None
        for row in reader:
            if col is not None and col < len(row) and row[col].strip() in ids:
                lines.setdefault(row[col].strip(), reader.line_num)
    return lines


def import_roster(data_dir, path, *, dry_run: bool = False, overwrite: bool = False,
                  today: _dt.date | None = None, when: _dt.datetime | None = None) -> RosterImport:
    """Create or update the athletes of a roster CSV, all or nothing.

    Parameters
    ----------
    data_dir : str or Path
        The data folder (holding ``athletes/``).
    path : str or Path
        The roster CSV.
    dry_run : bool
        Check everything and report what would change; write nothing.
    overwrite : bool
        Allow changing answers the coach entered (each is listed in the
        result); without it, any such change refuses the whole import.
    today : datetime.date, optional
        ``assessed_on`` of rows that leave it empty (today by default).
    when : datetime, optional
        Time of the saves (now by default): names the assessment files.

    Returns
    -------
    RosterImport

    Raises
    ------
    InputError
        For any bad row (file, line, column and field named), any athlete
        whose current files cannot be read, or, without ``overwrite``, any
        answer the roster would change; nothing is written then.
    """
    path = Path(path)
    data_dir = Path(data_dir)
    try:
        profiles = read_roster(path, today=today)
    except InputError as exc:
        raise InputError(_with_columns(exc.problems, _header(path))) from None
    if not profiles:
        raise InputError([Problem(str(path), "found no athlete, expected one athlete a row under the header")])
    lines = _lines_of(path, profiles)
    checked = _merge_and_write(data_dir, path, profiles, lines, True, overwrite, when)
    if dry_run or not (checked.created or checked.updated):
        return checked  # refused, a dry run or nothing to change: no lock taken, nothing written
    check_writable(data_dir)
    # Checked once without locks (a refused import creates nothing, not even a lock file); then
    # every athlete of the roster is locked (in id order, so two imports cannot deadlock) from the
    # second read of their answers to the last write: each row is merged into the newest answers
    # (checked again), and a save by the workbook or another import meanwhile waits instead of
    # being lost.
    with contextlib.ExitStack() as locks:
        for athlete_id in sorted({row["athlete_id"] for row in profiles}):
            locks.enter_context(athlete_lock(data_dir, athlete_id))
        return _merge_and_write(data_dir, path, profiles, lines, dry_run, overwrite, when)


def _merge_and_write(data_dir: Path, path: Path, profiles: list, lines: dict, dry_run: bool,
                     overwrite: bool, when) -> RosterImport:
    """Steps 2-4 of the import (the module docstring), the athletes' locks held unless a dry run."""
    result = RosterImport(dry_run=dry_run)
    problems, pending = [], []
    for row in profiles:
        athlete_id = row["athlete_id"]
        line = lines.get(athlete_id)
        try:
            # every file of the athlete is read here, so a broken one stops the import before any write
            record = load_athlete(data_dir, athlete_id)
        except InputError as exc:
            problems.extend(Problem(p.file, f"{p.message} (athlete {athlete_id!r} of {path}:{line})",
                                    field=p.field, line=p.line, column=p.column) for p in exc.problems)
            continue
        exists = record.exists
        merged, changed = merge_answers(record.answers() if exists else {}, row)
        changes = [RosterChange(athlete_id, key, line, old, new) for key, old, new in changed]
        refused = [c for c in changes if c.overwrites] if not overwrite else []
        problems.extend(Problem(str(path), f"would change {c.athlete_id}'s answer {_show(c.old)} to "
                                           f"{_show(c.new)}; pass --overwrite to replace answers the coach "
                                           "entered", field=c.field, line=c.line) for c in refused)
        if exists and not changes:
            result.unchanged.append(athlete_id)
            continue
        (result.updated if exists else result.created).append(athlete_id)
        result.changes.extend(changes)
        pending.append((record, validate_profile(merged, str(path), line=line)))
    if problems:
        raise InputError(problems)
    if dry_run or not pending:
        return result
    # Rank everything before the first write: each record's log and check-ins with the merged answers.
    ranked = [(profile, assess_athlete(record, answers=profile).ranking) for record, profile in pending]
    for profile, ranking in ranked:
        result.written.append(save_assessment(data_dir, profile, ranking, when=when))
    return result
