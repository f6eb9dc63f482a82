"""One athlete read from a data folder, once, into one record every page reads.

:func:`load_athlete` is the only way heavylegs reads an athlete: the
workbook, the athlete dashboard, the served portal, the squad, roster import
and the command line all call it, and hand the record it returns to the one
assessment pipeline (:func:`heavylegs.analysis.pipeline.assess_athlete`).
So two screens cannot disagree about an athlete because they read different
files, or the same files differently.

What it reads, for ``data/athletes/<id>``::

    <id>.json                 the profile (answers written by the last save or by hand)
    <id>/assessments/*.json   the dated assessments, oldest first
    <id>/log.csv              the training log
    <id>/checkins.csv         the daily check-ins
    <id>/wellness.csv         the wearable's nights and mornings (spec/wellness.md)

The current answers are those of the newest assessment (after
:func:`heavylegs.store.assessments.reconcile_profile` has repaired what a
killed save may have left), else the profile file, else none at all (a
new athlete: every answer unknown).

Every file's signature (size, modification time [ns], inode) is taken
*before* the file is read, so a cache keyed by :attr:`AthleteRecord.signature`
(the squad's row cache) is at worst recomputed once too often, never kept
when a file changed: heavylegs saves by writing a new file and renaming it
over the old one, so a save gives a new inode even within one tick of the
file system's clock.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from heavylegs.errors import InputError, Problem
from heavylegs.logs.checkins import empty_checkins, read_checkins
from heavylegs.logs.traininglog import read_log
from heavylegs.store.assessments import list_assessments, read_assessment, reconcile_profile
from heavylegs.store.profiles import read_profile, validate_profile
from heavylegs.files import athlete_paths, validate_athlete_id
from heavylegs.store.storage import athlete_signature
from heavylegs.logs.wellness import empty_wellness, read_wellness

__all__ = ["AthleteRecord", "ANSWERS_SOURCES", "athlete_signature", "load_athlete"]

#: Where the current answers come from: the newest assessment, the profile file, or nowhere (a new athlete).
ANSWERS_SOURCES = ("assessment", "profile", None)


@dataclass(frozen=True)
class AthleteRecord:
    """One athlete as read from a data folder (:func:`load_athlete`); never changed once built.

    Attributes
    ----------
    data_dir : Path
        The data folder it was read from.
    athlete_id : str
    profile : mapping
        The current answers, validated (``spec/profile.md``): the newest
        assessment's, else the profile file's, else only ``athlete_id``. A
        read-only mapping; ``dict(record.profile)`` gives a copy to edit.
    answers_source : str or None
        ``"assessment"``, ``"profile"`` or None (no answers on disk: a new
        athlete, or one with only a log or check-ins).
    log : pandas.DataFrame or None
        The training log (:func:`heavylegs.logs.traininglog.read_log`); None
        without a log file, or when it could not be read (then
        ``log_problems`` says why). Shared: read it, never change it.
    log_problems : tuple of Problem
        Why the log file was left out (empty when it was read or absent).
    checkins : pandas.DataFrame
        The daily check-ins (:func:`heavylegs.logs.checkins.read_checkins`),
        empty (with the format's columns) without a check-in file. Shared.
    plan : dict or None
        The ``heavylegs.plan/1`` document saved with the newest assessment
        (validated), or None.
    assessments : tuple of Path
        The assessment files, oldest first
        (:func:`heavylegs.store.assessments.list_assessments`).
    previous_profile : dict or None
        The answers of the assessment before the newest one (None with
        fewer than two).
    last_assessment : str or None
        ``assessed_on`` (``YYYY-MM-DD``) of the newest assessment, None
        without one.
    files : tuple of (Path, tuple or None)
        The files read, each with its signature taken before it was read
        (profile, log, check-ins: see :func:`athlete_signature`).
    signature : tuple
        :func:`heavylegs.store.storage.athlete_signature` taken before anything was read.
    wellness : pandas.DataFrame
        The wearable's rows (:func:`heavylegs.logs.wellness.read_wellness`),
        empty (with the format's columns) without a wellness file, or when it
        could not be read with ``bad_log="keep"`` (then ``wellness_problems``
        says why). Shared.
    wellness_problems : tuple of Problem
        Why ``wellness.csv`` was left out.
    """

    data_dir: Path
    athlete_id: str
    profile: MappingProxyType
    answers_source: str | None
    log: object
    log_problems: tuple
    checkins: object
    plan: dict | None
    assessments: tuple
    previous_profile: dict | None
    last_assessment: str | None
    files: tuple
    signature: tuple
    wellness: object = None
    wellness_problems: tuple = ()

    @property
    def exists(self) -> bool:
        """True when the athlete has answers on disk (an assessment or a profile file)."""
        return self.answers_source is not None

    @property
    def has_wellness(self) -> bool:
        """True when the wearable gave at least one row."""
        return self.wellness is not None and len(self.wellness) > 0

    @property
    def has_checkins(self) -> bool:
        """True when there is at least one check-in."""
        return self.checkins is not None and len(self.checkins) > 0

    def answers(self) -> dict:
        """A copy of the current answers, to edit or to pass on."""
        return dict(self.profile)

    def require(self) -> "AthleteRecord":
        """The record itself, or :class:`~heavylegs.errors.InputError` when a page cannot be shown.

        Raises
        ------
        InputError
            When the athlete has no answers on disk (no profile, no
            assessment), or the training log could not be read (its own
            problems: file, line, field).
        """
        if not self.exists:
            path = athlete_paths(self.data_dir, self.athlete_id)["profile"]
            raise InputError([Problem(str(path), f"no profile for athlete {self.athlete_id!r}, expected a file "
                                                 "DATA/athletes/<id>.json", field="athlete_id")])
        if self.log_problems:
            raise InputError(list(self.log_problems))
        return self

    def __repr__(self) -> str:
        sessions = "no log" if self.log is None else f"{len(self.log)} sessions"
        return (f"AthleteRecord({self.athlete_id!r}, answers from {self.answers_source}, {sessions}, "
                f"{len(self.checkins)} check-ins, {len(self.assessments)} assessments)")


def _read_or_keep(read, path, empty, bad_log: str) -> tuple:
    """``(read(path), ())``; with ``bad_log="keep"``, ``(empty(), problems)`` when the file has problems.

    ``empty`` is None or a callable giving what stands for an unreadable file.
    """
    try:
        return read(path), ()
    except InputError as exc:
        if bad_log == "raise":
            raise
        return (None if empty is None else empty()), tuple(exc.problems)


def load_athlete(data_dir, athlete_id: str, *, bad_log: str = "raise") -> AthleteRecord:
    """Read one athlete's files into an :class:`AthleteRecord`.

    Parameters
    ----------
    data_dir : str or Path
        The data folder (holding ``athletes/``).
    athlete_id : str
        A valid athlete id (checked: an invalid one raises before any file
        is touched).
    bad_log : {"raise", "keep"}
        What an unreadable training log (or wellness file) does: ``"raise"``
        its :class:`~heavylegs.errors.InputError` (a page, the squad, the
        CLI); ``"keep"`` reads everything else and leaves that file out, with
        its problems in :attr:`AthleteRecord.log_problems` (or
        ``wellness_problems``): the workbook still opens the answers and
        shows why.

    Returns
    -------
    AthleteRecord
        An athlete with no file at all gives a record with only
        ``athlete_id`` answered and ``answers_source`` None.

    Raises
    ------
    InputError
        For an invalid id, or an unreadable profile, assessment, check-in
        file or saved plan (and log, unless ``bad_log="keep"``): the file,
        line and field named.

    Notes
    -----
    Reading writes nothing, except that, when the athlete has assessments,
    :func:`heavylegs.store.assessments.reconcile_profile` first repairs what
    a killed save may have left (a read-only data folder is read as it is).
    """
    if bad_log not in ("raise", "keep"):
        raise ValueError(f"found bad_log={bad_log!r}, expected 'raise' or 'keep'")
    validate_athlete_id(athlete_id, "athlete")
    data_dir = Path(data_dir)
    paths = athlete_paths(data_dir, athlete_id)
    if list_assessments(data_dir, athlete_id):
        try:
            reconcile_profile(data_dir, athlete_id)
        except OSError:
            pass  # a read-only data folder: the newest assessment is still the answer
    signature = athlete_signature(data_dir, athlete_id)
    assessments = tuple(list_assessments(data_dir, athlete_id))
    plan = previous = last = None
    if assessments:
        newest = read_assessment(assessments[-1])
        profile, source, plan = newest["profile"], "assessment", newest.get("plan")
        last = profile.get("assessed_on")
        if len(assessments) > 1:
            previous = read_assessment(assessments[-2])["profile"]
    elif signature[0] is not None:
        profile, source = read_profile(paths["profile"]), "profile"
    else:
        profile, source = validate_profile({"athlete_id": athlete_id}, f"<{athlete_id}>"), None
    if profile.get("athlete_id") != athlete_id:
        where = str(assessments[-1] if assessments else paths["profile"])
        raise InputError([Problem(where, f"found the answers of {profile.get('athlete_id')!r}, expected those "
                                         f"of {athlete_id!r}", field="athlete_id")])
    log, log_problems = None, ()
    if signature[1] is not None:
        log, log_problems = _read_or_keep(read_log, paths["log"], None, bad_log)
    checkins = read_checkins(paths["checkins"]) if signature[2] is not None else empty_checkins()
    wellness, wellness_problems = empty_wellness(), ()
    if signature[4] is not None:
        wellness, wellness_problems = _read_or_keep(read_wellness, paths["wellness"], empty_wellness, bad_log)
    files = ((paths["profile"], signature[0]), (paths["log"], signature[1]), (paths["checkins"], signature[2]),
             (paths["wellness"], signature[4]))
    return AthleteRecord(data_dir, athlete_id, MappingProxyType(dict(profile)), source, log, log_problems,
                         checkins, plan, assessments, previous, last, files, signature, wellness, wellness_problems)
