"""The coach workbook without widgets: one athlete's answers, log and assessment.

:class:`WorkbookModel` is what the workbook shows, as plain Python, tested
without a browser. Everything that belongs to one athlete (the answers being
edited, the what-if answers, the training log, the assessment computed from
them) lives in one :class:`AthleteState`, keyed by the athlete's id, and the
model holds exactly one of them. Opening or starting an athlete builds a whole
new state from that athlete's own files and swaps it in only once it is
complete, so nothing of the previous athlete can be shown, scored or written
under the new one, whatever the order of clicks. Every write names the
athlete of the state it came from.

The scores come from :func:`heavylegs.analysis.pipeline.assess`, the same pipeline as
the dashboard and ``heavylegs score``.
"""
from __future__ import annotations

import datetime as _dt
import os
import re
import stat
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from heavylegs.analysis.patterns import pattern_evidence
from heavylegs.analysis.pipeline import Assessment, LogAnalysis, assess, assessment_day
from heavylegs.analysis.plan import apply_plan_edits, build_plan, distance_unit, plan_load_projection, validate_plan
from heavylegs.analysis.scoring import score_profile
from heavylegs.engine.device_load import check_metric, load_summary
from heavylegs.errors import InputError, Problem
from heavylegs.logs.checkins import add_checkin, follow_up, load_checkins
from heavylegs.logs.formats import import_sources, not_importable_reason
from heavylegs.logs.formats.wellness_import import import_wellness
from heavylegs.store.wellness_files import save_wellness, wellness_path
from heavylegs.logs.traininglog import merge_logs  # the one same-session rule, shared with the importers and the CLI
from heavylegs.logs.traininglog import read_log, validate_log, write_log
from heavylegs.store.assessments import list_assessments, save_assessment, top_cause_history
from heavylegs.store.athlete import load_athlete
from heavylegs.store.drafts import DRAFT_NAME, draft_path, read_draft, remove_draft, set_draft_aside, write_draft
from heavylegs.store.profiles import validate_profile
from heavylegs.files import ATHLETE_ID_PATTERN, athlete_paths, validate_athlete_id
from heavylegs.store.storage import default_data_dir
from heavylegs.views.html import UNKNOWN, field_label, format_answer
from heavylegs.vocabulary import PROFILE_FIELDS

__all__ = [
    "UNKNOWN",
    "IMPORT_SUFFIXES",
    "WELLNESS_SUFFIXES",
    "parse_answer",
    "format_answer",
    "ranking_delta",
    "rename_source",
    "merge_logs",
    "AthleteState",
    "WorkbookModel",
    "check_import_path",
]

_BOOL_TEXT = {"yes": True, "true": True, "no": False, "false": False}
# Answers the session loads depend on (spec/device-load.md): a change recomputes the log's series.
_LOAD_ANSWERS = ("hr_max_bpm", "hr_rest_bpm", "resting_hr_bpm", "lthr_bpm", "threshold_pace_min_km", "age_years",
                 "sex", "birth_year")
#: File endings the workbook imports (also gzipped activity files, and folders).
IMPORT_SUFFIXES = (".csv", ".fit", ".gpx", ".tcx", ".gz", ".zip")
#: File endings of the wellness exports the workbook imports (``spec/wellness.md``), and folders.
WELLNESS_SUFFIXES = (".zip", ".xml", ".json", ".csv")


# --- Plain functions -----------------------------------------------------------------------

def parse_answer(name: str, text):
    """Turn what a coach typed into a profile value.

    Parameters
    ----------
    name : str
        A profile field of :data:`heavylegs.vocabulary.FIELDS`.
    text : str, bool, number, list or None
        The typed text (``""``, ``"unknown"`` or None mean unknown); values
        that already have the right Python type pass through.

    Returns
    -------
    object or None
        The value to validate (None = unknown): numbers as typed (``"8"``
        gives 8, ``"8.0"`` gives 8.0; whole-number fields take ``"2.0"``
        as 2). Numbers accept a decimal comma;
        yes/no questions accept yes, no, true, false.

    Raises
    ------
    InputError
        When the text cannot be read as the field's kind; the message says
        what was found and what was expected.
    """
    spec = PROFILE_FIELDS.get(name)
    if spec is None:
        raise InputError([Problem("<form>", "unknown field, expected a profile field name", field=name)])
    if text is None:
        return None
    if not isinstance(text, str):
        return list(text) if isinstance(text, tuple) else text
    raw = text.strip()
    if raw == "" or raw.lower() == UNKNOWN:
        return None
    if spec.kind in ("int", "number"):
        try:
            value = float(raw.replace(",", "."))
        except ValueError:
            raise InputError([Problem("<form>", f"found {raw!r}, expected {spec.expected()}", field=name)]) from None
        # Keep the number as typed ("14" stays 14, "14.0" stays 14.0) so messages and
        # evidence quote the coach's own writing; a whole-number field takes "2.0" as 2.
        if value.is_integer() and (spec.kind == "int" or re.fullmatch(r"[+-]?\d+", raw)):
            return int(value)
        return value
    if spec.kind == "bool":
        if raw.lower() not in _BOOL_TEXT:
            raise InputError([Problem("<form>", f"found {raw!r}, expected yes, no or unknown", field=name)])
        return _BOOL_TEXT[raw.lower()]
    if spec.kind == "list":
        return [part.strip() for part in re.split(r"[;,]", raw) if part.strip()]
    return raw


def ranking_delta(before: dict, after: dict) -> list:
    """How each cause moved between two rankings (saved answers and a what-if).

    Parameters
    ----------
    before, after : dict
        Ranking documents of :func:`heavylegs.analysis.scoring.score_profile`.

    Returns
    -------
    list of dict
        ``id``, ``title``, ``score_before``, ``score_after``, ``change``
        (after − before [score points]), ``band_before``, ``band_after``,
        ``rank_before`` and ``rank_after``, for the causes whose score
        changed, largest fall first, then largest rise.
    """
    old = {c["id"]: c for c in before.get("causes", [])}
    out = []
    for cause in after.get("causes", []):
        prev = old.get(cause["id"])
        if prev is None or prev["score"] == cause["score"]:
            continue
        out.append({"id": cause["id"], "title": cause["title"], "score_before": prev["score"],
                    "score_after": cause["score"], "change": cause["score"] - prev["score"],
                    "band_before": prev["band"], "band_after": cause["band"],
                    "rank_before": prev["rank"], "rank_after": cause["rank"]})
    out.sort(key=lambda d: (d["change"], d["id"]))
    return out


def rename_source(source, names: dict):
    """``source`` with a temporary path replaced by its display name (kept inside a Strava export)."""
    if not isinstance(source, str):
        return source
    for path, name in names.items():
        # a Strava export's rows add "#<activity id>"; files inside a folder add "/<name>"
        if source == path or (source.startswith(path) and source[len(path)] in "#!/:"):
            return name + source[len(path):]
    return source


def check_import_path(text, source: str = "path", suffixes: tuple = IMPORT_SUFFIXES) -> Path:
    """The file or folder a coach typed, checked before anything is read.

    Parameters
    ----------
    text : str or Path
        A path on the machine running the workbook: a Strava export (folder
        or ``.zip``), a training-log CSV, an activity file (``.fit``,
        ``.gpx``, ``.tcx``, also gzipped) or a folder of them. ``~`` is the
        home folder.
    source : str
        What to name in messages.
    suffixes : tuple of str
        File endings accepted (:data:`IMPORT_SUFFIXES`; the wellness import
        passes :data:`WELLNESS_SUFFIXES`).

    Returns
    -------
    Path
        The resolved path.

    Raises
    ------
    InputError
        When the path is empty, missing, not a regular file or folder (a
        device, a pipe), or a file of another type.
    """
    raw = str(text or "").strip().strip('"').strip("'")
    if not raw:
        raise InputError([Problem(source, "found nothing, expected the path of a Strava export (folder or "
                                          ".zip), a training log or activity files on this machine")])
    path = Path(raw).expanduser()
    try:
        info = path.stat()
    except OSError:
        raise InputError([Problem(source, f"found {raw!r}, which does not exist on this machine, expected "
                                          "an existing file or folder")]) from None
    if stat.S_ISDIR(info.st_mode):
        return path.resolve()
    if not stat.S_ISREG(info.st_mode):
        raise InputError([Problem(source, f"found {raw!r}, which is not a regular file, expected a file "
                                          "or a folder")])
    if not path.name.lower().endswith(suffixes):
        raise InputError([Problem(source, f"found {path.name!r}, expected a file ending in "
                                          f"{', '.join(suffixes)} or a folder")])
    return path.resolve()


# --- The model -----------------------------------------------------------------------------

@dataclass(frozen=True)
class AthleteState:
    """Everything the workbook holds about one athlete, built from that athlete's files only.

    Attributes
    ----------
    athlete_id : str
    answers : dict
        The validated answers being edited.
    saved_answers : dict or None
        The answers as last saved (None: never saved).
    what_if : dict
        Trial answers layered over ``answers``, never saved.
    log : pandas.DataFrame or None
        The training log (``athletes/<id>/log.csv``).
    log_problems : tuple of Problem
        Why the log file was left out when it could not be read.
    assessment : Assessment
        :func:`heavylegs.analysis.pipeline.assess` of ``answers`` and ``log``.
    what_if_ranking : dict
        The ranking with ``what_if`` applied (``assessment.ranking`` without).
    wellness : pandas.DataFrame or None
        The wearable's nights and mornings (``athletes/<id>/wellness.csv``).
    wellness_problems : tuple of Problem
        Why that file was left out when it could not be read.
    """

    athlete_id: str
    answers: dict
    saved_answers: dict | None
    what_if: dict
    log: object
    log_problems: tuple
    assessment: Assessment
    what_if_ranking: dict
    checkins: object = None
    plan: dict | None = None
    plan_source: str = "none"
    saved_plan: dict | None = None
    metric: str = "auto"
    wellness: object = None
    wellness_problems: tuple = ()
    #: The unsaved draft restored when the athlete was opened (None: none was): ``updated`` (ISO
    #: time), ``newer_save`` (an assessment saved after the draft began, or None).
    draft_restored: dict | None = None
    #: The newest saved assessment's file name when the athlete was opened (a draft records it).
    based_on: str | None = None

    @staticmethod
    def build(athlete_id: str, answers: dict, saved_answers, what_if: dict, log, log_problems=(),
              analysis: LogAnalysis | None = None, checkins=None, patterns=None, plan=None,
              plan_source: str = "draft", saved_plan=None, metric: str = "auto",
              wellness=None) -> "AthleteState":
        """Assess ``answers`` with ``log`` and ``checkins``.

        ``analysis`` and ``patterns`` are reused when they cover the same day
        (the caller vouches that the log and the check-ins are the same). A
        ``plan_source`` of ``"draft"`` (no saved or edited plan) rebuilds the
        plan from the new assessment, so a draft follows the answers.
        """
        day = assessment_day(answers)
        if analysis is not None and (analysis.until != day or analysis.metric != metric):
            analysis, patterns = None, None
        has_checkins = checkins is not None and len(checkins) > 0
        has_wellness = wellness is not None and len(wellness) > 0
        result = assess(answers, log, analysis=analysis, checkins=checkins if has_checkins else None,
                        patterns=patterns if has_checkins else None, metric=metric,
                        wellness=wellness if has_wellness else None)
        trial = result.ranking
        if what_if:
            merged = validate_profile({**answers, **what_if}, "What-if")
            evidence = None
            if result.patterns is not None:
                evidence = pattern_evidence(result.patterns)
            trial = score_profile(merged, log_facts=result.log_facts, pattern_evidence=evidence,
                                  wellness_facts=result.wellness)
        if plan_source == "draft":
            plan = build_plan(result)
        return AthleteState(athlete_id, answers, saved_answers, dict(what_if), log, tuple(log_problems),
                            result, trial, checkins, plan, plan_source, saved_plan, metric, wellness)


class WorkbookModel:
    """The workbook without widgets: one athlete at a time, read from and saved to a data folder.

    Parameters
    ----------
    data_dir : str or Path, optional
        The data folder (``heavylegs.store.storage.default_data_dir()`` by default).
    athlete_id : str, optional
        Athlete to open at once.

    Attributes
    ----------
    state : AthleteState or None
        The open athlete; every attribute below reads it.
    athlete_id, answers, saved_answers, what_if, log, log_problems : see AthleteState
    weekly, daily : pandas.DataFrame or None
        The weekly table and the daily series (with fitness, fatigue and
        form) of the log up to ``assessed_on``.
    log_facts : dict or None
        The log's evidence given to scoring.
    ranking, what_if_ranking : dict
        Rankings of ``answers``, and of ``answers`` with ``what_if``.
    """

    def __init__(self, data_dir=None, athlete_id: str | None = None):
        self.data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
        self.state: AthleteState | None = None
        if athlete_id is not None:
            self.open(athlete_id)

    # read-only views of the one state
    def _get(self, name, default=None):
        return default if self.state is None else getattr(self.state, name)

    athlete_id = property(lambda self: self._get("athlete_id"), doc="Id of the open athlete.")
    answers = property(lambda self: self._get("answers", {}), doc="The answers being edited.")
    saved_answers = property(lambda self: self._get("saved_answers"), doc="The answers as last saved.")
    what_if = property(lambda self: self._get("what_if", {}), doc="The what-if answers.")
    log = property(lambda self: self._get("log"), doc="The training log.")
    log_problems = property(lambda self: list(self._get("log_problems", ())), doc="Why the log was left out.")
    ranking = property(lambda self: None if self.state is None else self.state.assessment.ranking,
                       doc="The ranking of the answers.")
    what_if_ranking = property(lambda self: self._get("what_if_ranking"), doc="The what-if ranking.")
    weekly = property(lambda self: None if self.state is None else self.state.assessment.weekly,
                      doc="The weekly table of the log.")
    daily = property(lambda self: None if self.state is None else self.state.assessment.daily,
                     doc="The daily series with fitness, fatigue and form.")
    log_facts = property(lambda self: None if self.state is None else self.state.assessment.log_facts,
                         doc="The log's evidence.")
    assessment = property(lambda self: self._get("assessment"), doc="The whole assessment.")
    checkins = property(lambda self: self._get("checkins"), doc="The athlete's daily check-ins.")
    plan = property(lambda self: self._get("plan"), doc="The two-week plan shown (saved, edited or a draft).")
    plan_source = property(lambda self: self._get("plan_source", "none"),
                           doc='Where the plan comes from: "saved", "edited" or "draft".')
    patterns = property(lambda self: None if self.state is None else self.state.assessment.patterns,
                        doc="The check-ins' patterns (None without check-ins).")
    wellness = property(lambda self: self._get("wellness"), doc="The wearable's rows (wellness.csv).")
    wellness_problems = property(lambda self: list(self._get("wellness_problems", ())),
                                 doc="Why wellness.csv was left out.")

    def _require(self) -> AthleteState:
        if self.state is None:
            raise InputError([Problem("athlete", "no athlete is open, expected one picked or started first")])
        return self.state

    def _paths(self, athlete_id: str) -> dict:
        return athlete_paths(self.data_dir, athlete_id)

    # athletes
    def athletes(self) -> list:
        """Ids of the athletes with files in the data folder, sorted.

        An athlete is listed once anything of theirs is on disk: a profile,
        a saved assessment, a training log uploaded before the first save,
        or unsaved answers (a draft).
        """
        root = Path(self.data_dir) / "athletes"
        ids = set()
        if root.is_dir():
            for entry in root.iterdir():
                name = entry.stem if entry.suffix == ".json" else entry.name
                if not ATHLETE_ID_PATTERN.match(name):
                    continue
                if entry.is_file() and entry.suffix == ".json":
                    ids.add(name)
                elif entry.is_dir() and ((entry / "log.csv").is_file() or (entry / DRAFT_NAME).is_file()
                                         or list_assessments(self.data_dir, name)):
                    ids.add(name)
        return sorted(ids)

    def exists(self, athlete_id: str) -> bool:
        """True when the athlete has any file on disk (profile, log, assessment or unsaved draft)."""
        paths = self._paths(athlete_id)
        return (paths["profile"].exists() or paths["log"].exists() or draft_path(self.data_dir, athlete_id).exists()
                or bool(list_assessments(self.data_dir, athlete_id)))

    def open(self, athlete_id: str) -> dict:
        """Open an athlete from its own files: latest saved answers and the log; returns the ranking.

        Raises
        ------
        InputError
            For an invalid id or unreadable answers; the athlete shown before
            stays open, untouched.
        """
        record = load_athlete(self.data_dir, athlete_id, bad_log="keep")
        answers = validate_profile(record.answers(), f"<{athlete_id}>")
        saved = dict(answers) if record.exists else None
        saved_plan = record.plan
        answers, plan, plan_source, restored, based_on = self._restore_draft(athlete_id, answers, saved, saved_plan)
        state = AthleteState.build(athlete_id, answers, saved, {}, record.log, record.log_problems,
                                   checkins=record.checkins, plan=plan, plan_source=plan_source,
                                   saved_plan=saved_plan, wellness=record.wellness if record.has_wellness else None)
        self.state = replace(state, wellness_problems=record.wellness_problems, draft_restored=restored,
                             based_on=based_on)
        self._opened_files = self.files_signature(athlete_id)
        return self.ranking

    def files_signature(self, athlete_id: str) -> tuple:
        """What is on disk for an athlete: each file's name, size and time of change (cheap to compare).

        Covers the profile, the draft, the log, the check-ins and the
        assessments; :meth:`changed_on_disk` compares it with the one taken
        when the athlete was opened.
        """
        paths = self._paths(athlete_id)
        found = []
        for folder in (paths["folder"], paths["assessments"]):
            try:
                with os.scandir(folder) as entries:
                    found += [(entry.path, entry.stat().st_size, entry.stat().st_mtime_ns)
                              for entry in entries if entry.is_file() and not entry.name.startswith(".")]
            except FileNotFoundError:
                continue
        try:
            info = paths["profile"].stat()
            found.append((str(paths["profile"]), info.st_size, info.st_mtime_ns))
        except FileNotFoundError:
            pass
        return tuple(sorted(found))

    def changed_on_disk(self) -> bool:
        """True when the open athlete's files changed since it was opened (by another page or kernel).

        The workbook's own writes since then count too; reopening after
        them shows the same answers.
        """
        state = self._require()
        return self.files_signature(state.athlete_id) != getattr(self, "_opened_files", None)

    # drafts
    #: Why the last draft could not be written or read ("" when all went well).
    draft_problem = ""

    def _restore_draft(self, athlete_id: str, answers: dict, saved, plan):
        """The answers and plan to show: the unsaved draft's when there is one (see heavylegs.store.drafts)."""
        files = list_assessments(self.data_dir, athlete_id)
        based_on = files[-1].name if files else None
        plan_source = "saved" if plan else "draft"
        self.draft_problem = ""
        try:
            draft = read_draft(self.data_dir, athlete_id)
            if draft is not None and "plan" in draft:
                validate_plan(draft["plan"], str(draft_path(self.data_dir, athlete_id)))
                if draft["plan"].get("athlete_id") not in (None, athlete_id):
                    raise InputError([Problem(str(draft_path(self.data_dir, athlete_id)),
                                              f"found a plan of {draft['plan'].get('athlete_id')!r}, expected "
                                              f"one of {athlete_id!r}", field="plan.athlete_id")])
        except InputError as exc:
            # Never delete what a coach typed: the unreadable file is kept under another name.
            aside = set_draft_aside(self.data_dir, athlete_id)
            self.draft_problem = (f"The unsaved answers of {athlete_id} could not be read ("
                                  + "; ".join(p.message for p in exc.problems[:2])
                                  + f"); the file is kept as {aside.name if aside else 'it was'}.")
            return answers, plan, plan_source, None, based_on
        if draft is None:
            return answers, plan, plan_source, None, based_on
        if saved is not None and draft["answers"] == saved and "plan" not in draft:
            remove_draft(self.data_dir, athlete_id)  # saved, then stopped before the draft went
            return answers, plan, plan_source, None, based_on
        newer = based_on if based_on is not None and based_on != draft.get("based_on") else None
        restored = {"updated": draft["updated"], "newer_save": newer}
        if "plan" in draft:
            plan, plan_source = draft["plan"], "edited"
        return draft["answers"], plan, plan_source, restored, draft.get("based_on")

    @property
    def draft_restored(self) -> dict | None:
        """The unsaved draft restored on opening: ``updated`` (ISO time) and ``newer_save``, or None."""
        return self._get("draft_restored")

    def has_draft(self) -> bool:
        """True when the open athlete has unsaved answers kept on disk."""
        state = self._require()
        return draft_path(self.data_dir, state.athlete_id).exists()

    def _keep_draft(self, state: AthleteState) -> None:
        """Write the open athlete's unsaved answers (and edited plan) to its draft, or remove it.

        A draft that cannot be written (a read-only folder) never stops the
        answer: the reason is kept in :attr:`draft_problem`.
        """
        edited = state.plan if state.plan_source == "edited" else None
        try:
            if state.saved_answers is not None and state.answers == state.saved_answers and edited is None:
                remove_draft(self.data_dir, state.athlete_id)
            else:
                write_draft(self.data_dir, state.athlete_id, state.answers, plan=edited, based_on=state.based_on)
            self.draft_problem = ""
        except (InputError, OSError) as exc:
            reason = "; ".join(p.message for p in exc.problems) if isinstance(exc, InputError) else str(exc)
            self.draft_problem = f"Unsaved answers are not kept on disk: {reason}"

    def discard_draft(self) -> dict:
        """Forget the open athlete's unsaved answers: remove the draft and open the saved ones.

        Returns
        -------
        dict
            The ranking of the saved answers (all unknown for an athlete
            never saved).
        """
        state = self._require()
        remove_draft(self.data_dir, state.athlete_id)
        if self.exists(state.athlete_id):
            return self.open(state.athlete_id)
        return self.new(state.athlete_id, state.answers.get("name"))

    def _read_checkins(self, athlete_id: str):
        return load_checkins(self.data_dir, athlete_id)

    def _read_log(self, athlete_id: str):
        """The log as on disk now (re-read before a write), with its problems."""
        log_path = self._paths(athlete_id)["log"]
        if not log_path.exists():
            return None, ()
        try:
            return read_log(log_path), ()
        except InputError as exc:
            # The answers still open; the coach sees why the log is left out.
            return None, tuple(exc.problems)

    def new(self, athlete_id: str, name: str | None = None) -> dict:
        """Start a new athlete with every answer unknown; returns the ranking.

        Nothing is written until the coach saves or uploads a log.

        Raises
        ------
        InputError
            For an invalid id, or an id that already has files on disk (its
            answers, log or assessments), which is never overwritten: open it
            instead.
        """
        validate_athlete_id(athlete_id, "new athlete id")
        if self.exists(athlete_id):
            raise InputError([Problem("new athlete id", f"found {athlete_id!r}, which already has files in "
                                                        f"{self.data_dir}; expected a new id (or open it from "
                                                        "the list)", field="athlete_id")])
        raw = {"athlete_id": athlete_id}
        if name:
            raw["name"] = name
        answers = validate_profile(raw, "new athlete")
        self.state = AthleteState.build(athlete_id, answers, None, {}, None)
        return self.ranking

    # answers
    def _rebuild(self, state: AthleteState, answers=None, what_if=None, log=None, log_changed=False,
                 saved=..., checkins=None, plan=None, plan_source=None, saved_plan=...,
                 metric=None, wellness=None) -> dict:
        answers = state.answers if answers is None else answers
        what_if = state.what_if if what_if is None else what_if
        new_log = log if log_changed else state.log
        analysis = None if log_changed else state.assessment.log
        if analysis is not None and any(answers.get(k) != state.answers.get(k) for k in _LOAD_ANSWERS):
            analysis = None  # a threshold, the age or the sex changes every session's load
        saved_answers = state.saved_answers if saved is ... else saved
        problems = () if log_changed else state.log_problems
        checkins = state.checkins if checkins is None else checkins
        patterns = None if (log_changed or checkins is not state.checkins or wellness is not None) \
            else state.assessment.patterns
        wellness = state.wellness if wellness is None else wellness
        built = AthleteState.build(state.athlete_id, answers, saved_answers, what_if, new_log, problems,
                                   analysis=analysis, checkins=checkins, patterns=patterns,
                                   plan=state.plan if plan is None else plan,
                                   plan_source=state.plan_source if plan_source is None else plan_source,
                                   saved_plan=state.saved_plan if saved_plan is ... else saved_plan,
                                   metric=state.metric if metric is None else metric, wellness=wellness)
        if wellness is state.wellness:
            built = replace(built, wellness_problems=state.wellness_problems)
        if self.state is not state:  # never write a result over another athlete's state
            raise RuntimeError("the athlete changed while its answers were being scored")
        self.state = replace(built, draft_restored=state.draft_restored, based_on=state.based_on)
        return built.assessment.ranking

    def set_answers(self, profile: dict) -> dict:
        """Replace every answer (validated; the athlete id cannot change); returns the ranking.

        Raises
        ------
        InputError
            For an invalid answer; the answers stay as they were.
        """
        state = self._require()
        raw = dict(profile)
        raw["athlete_id"] = state.athlete_id
        clean = validate_profile(raw, "answers")
        ranking = self._rebuild(state, answers=clean)
        if clean != state.answers:
            self._keep_draft(self.state)
        return ranking

    def set_answer(self, name: str, value) -> dict:
        """Set one answer (None = unknown) and rescore; raises InputError and keeps the old answers."""
        state = self._require()
        raw = dict(state.answers)
        if value is None:
            raw.pop(name, None)
        else:
            raw[name] = value
        return self.set_answers(raw)

    def set_what_if(self, name: str, value) -> dict:
        """Try an answer without changing the saved ones; returns the what-if ranking.

        Raises
        ------
        InputError
            For the athlete id or an invalid value; the message names the
            question by its label.
        """
        state = self._require()
        if name not in PROFILE_FIELDS or name in ("athlete_id", "name"):
            raise InputError([Problem("What-if", f"found {name!r}, expected one of the questions of the form")])
        trial = {**state.answers, **state.what_if}
        if value is None:
            trial.pop(name, None)
        else:
            trial[name] = value
        try:
            validate_profile(trial, "What-if")
        except InputError as exc:
            raise InputError([Problem("What-if", p.message, field=field_label(p.field) if p.field else None)
                              for p in exc.problems if p.field in (name, None)] or exc.problems) from None
        what_if = dict(state.what_if)
        what_if[name] = value
        self._rebuild(state, what_if=what_if)
        return self.what_if_ranking

    def clear_what_if(self) -> dict:
        """Drop every what-if answer; returns the ranking."""
        state = self._require()
        return self._rebuild(state, what_if={})

    def what_if_delta(self) -> list:
        """Causes whose score the what-if answers change (see :func:`ranking_delta`)."""
        return ranking_delta(self.ranking, self.what_if_ranking) if self.what_if else []

    def rescore(self) -> dict:
        """Rank the causes again for the open athlete; returns the ranking."""
        state = self._require()
        return self._rebuild(state)

    # log
    def add_log(self, new_log) -> dict:
        """Merge sessions into the open athlete's log and write its ``log.csv`` atomically.

        Returns
        -------
        dict
            ``added`` and ``duplicates`` (sessions), ``path`` of the log
            (None when nothing new was added: the file is left as it was).
        """
        state = self._require()
        new_log = validate_log(new_log, "upload")
        merged, dropped = merge_logs(state.log, new_log)
        added = len(merged) - (0 if state.log is None else len(state.log))
        if added <= 0:
            return {"added": 0, "duplicates": dropped, "path": None}
        path = self._paths(state.athlete_id)["log"]
        # Re-read the file at write time: another kernel may have added sessions since it was opened.
        on_disk, problems = self._read_log(state.athlete_id)
        if problems:
            raise InputError(list(problems))
        if on_disk is not None and (state.log is None or len(on_disk) != len(state.log)):
            merged, dropped = merge_logs(on_disk, new_log)
            added = len(merged) - len(on_disk)
        write_log(merged, path)
        self._rebuild(state, log=merged, log_changed=True)
        return {"added": added, "duplicates": dropped, "path": path}

    def import_files(self, paths, progress=None, names=None) -> dict:
        """Import activity files or training logs and merge them into the open athlete's log.

        Parameters
        ----------
        paths : sequence of str or Path
            CSV training logs, FIT, GPX, TCX (also gzipped), folders of them,
            or a Strava export (folder or zip).
        progress : callable, optional
            ``progress(done, total)`` after each file.
        names : dict, optional
            ``{str(path): name}``: the name to record in the log's ``source``
            column instead of the path, e.g. the uploaded file's own name
            rather than the temporary copy the upload was read from.

        Returns
        -------
        dict
            ``added``, ``duplicates``, ``failed`` (list of (file, reason)) and
            ``path`` (None when the log was left as it was).
        """
        self._require()
        paths = [Path(p) for p in paths]
        frames, failed, duplicates = [], [], 0
        logs = [p for p in paths if p.suffix.lower() == ".csv" and p.is_file()]
        others = [p for p in paths if p not in logs]
        read, log_errors = 0, {}
        for path in logs:
            try:
                frames.append(read_log(path))
            except InputError as exc:
                others.append(path)  # maybe a Strava activities.csv; the importers decide
                log_errors[str(path)] = exc
                continue
            read += 1
            if progress:
                progress(read, len(paths))
        if others:
            def _progress(done, n):
                if progress:
                    progress(read + done, read + n)
            result = import_sources(others, progress=_progress)
            if result.log is not None and len(result.log):
                log = result.log
                if names:
                    log = log.assign(source=log["source"].map(lambda src: rename_source(src, names)))
                frames.append(log)
            for where, reason in result.failed:
                # A CSV that is neither a log nor an export: the log's own problems help more.
                exc = log_errors.get(str(where))
                if exc is not None:
                    found = "; ".join(p.message if p.line is None else f"line {p.line}: {p.field or ''} {p.message}"
                                      for p in exc.problems[:3])
                    # a log's header with bad rows: its own problems; anything else: what to upload
                    rows_wrong = any((p.line or 0) > 1 for p in exc.problems)
                    reason = "not a training log: " + found if rows_wrong else not_importable_reason(found)
                failed.append((names.get(str(where), str(where)) if names else str(where), str(reason)))
            duplicates += int(getattr(result, "duplicates_skipped", 0) or 0)
        if not frames:
            return {"added": 0, "duplicates": duplicates, "failed": failed, "path": None}
        outcome = self.add_log(pd.concat(frames, ignore_index=True))
        outcome["duplicates"] += duplicates
        outcome["failed"] = failed
        return outcome

    def import_wellness(self, paths, names=None) -> dict:
        """Import wellness exports (any vendor of ``spec/wellness.md``) into the open athlete's wellness.csv.

        Parameters
        ----------
        paths : sequence of str or Path
            Files or folders (uploads are first written to a temporary folder).
        names : dict, optional
            ``{str(path): name}``: the name to show and to keep in
            ``imported_from`` instead of a temporary copy's path.

        Returns
        -------
        dict
            ``lines`` (what each file gave: days, first and last date,
            columns filled, values dropped), ``path`` (the file written),
            ``rows`` (rows in it now) and ``days`` (days imported).

        Raises
        ------
        InputError
            A file that cannot be told or read (named), or files without any
            value: nothing is written and the athlete stays as it was.
        """
        state = self._require()
        result = import_wellness(paths)
        names = names or {}
        if len(result.wellness) == 0:
            raise InputError([Problem(names.get(read.file, read.file), f"{read.kind}: found no day with sleep, "
                                                                       "resting heart rate, HRV or scores")
                              for read in result.files]
                             or [Problem("wellness import", "found no wellness file")])
        rows = result.wellness.copy()
        rows["imported_from"] = rows["imported_from"].map(
            lambda v: next((Path(n).name for p, n in names.items() if Path(p).name == v), v))
        saved = save_wellness(wellness_path(self.data_dir, state.athlete_id), rows, result.covers)
        # read back through the one athlete loader, as every page reads it
        self._rebuild(state, wellness=load_athlete(self.data_dir, state.athlete_id, bad_log="keep").wellness)
        lines = result.summary_lines()
        for path, name in names.items():
            lines = [line.replace(path, name) for line in lines]
        return {"lines": lines, "path": saved.path, "rows": saved.rows, "days": result.days}

    def wellness_summary(self):
        """The wearable's baselines up to the assessment day (:func:`heavylegs.engine.wellness.wellness_facts`)."""
        return None if self.state is None else self.state.assessment.wellness

    def import_path(self, text, progress=None) -> dict:
        """Import the one file or folder a coach typed (see :func:`check_import_path`).

        Large Strava exports go this way: the file is read where it lies,
        member by member, never copied or held whole in memory.
        """
        path = check_import_path(text)
        return self.import_files([path], progress=progress)

    # saving
    def save(self, when: _dt.datetime | None = None) -> Path:
        """Write a dated assessment of the answers (never the what-if) and the profile file.

        Returns
        -------
        Path
            The assessment file, on disk and complete when this returns.
        """
        state = self._require()
        path = save_assessment(self.data_dir, state.answers, state.assessment.ranking, when=when, plan=state.plan)
        # The draft goes once its answers are safe in the assessment (a crash in between leaves a
        # draft equal to the saved answers, which the next open removes).
        remove_draft(self.data_dir, state.athlete_id)
        if self.state is state:
            self.state = replace(state, saved_answers=dict(state.answers), saved_plan=state.plan,
                                 plan_source="saved" if state.plan is not None else state.plan_source,
                                 draft_restored=None, based_on=path.name)
        return path

    # the load metric
    metric = property(lambda self: self._get("metric", "auto"), doc="The load metric asked for (auto by default).")

    def set_metric(self, metric: str) -> dict:
        """Compute the weekly table and the log's ratios on another load metric; returns the ranking.

        Raises
        ------
        InputError
            For a metric that ``spec/device-load.md`` does not define.
        """
        state = self._require()
        try:
            check_metric(metric)
        except (ValueError, InputError):
            raise InputError([Problem("load metric", f"found {metric!r}, expected one of auto, srpe, trimp, "
                                                     "hrss, rtss, stress, duration, distance")]) from None
        return self._rebuild(state, metric=metric)

    def load_summary(self) -> dict | None:
        """What the load is: the metric and why, thresholds with provenance, estimated sessions.

        See :func:`heavylegs.engine.device_load.load_summary`; None without a log.
        """
        state = self._require()
        if state.log is None or len(state.log) == 0:
            return None
        return load_summary(state.log, state.answers, state.metric, assessment_day(state.answers))

    # check-ins
    def add_checkin(self, entry: dict) -> dict:
        """Add one day's check-in of the open athlete (written at once, atomically).

        Parameters
        ----------
        entry : dict
            ``date`` and any of ``heaviness`` [0-10], the four Hooper items
            and ``notes`` (:func:`heavylegs.logs.checkins.add_checkin`).

        Returns
        -------
        dict
            What :func:`heavylegs.logs.checkins.add_checkin` returns.
        """
        state = self._require()
        outcome = add_checkin(self.data_dir, state.athlete_id, entry, source="coach")
        self._rebuild(state, checkins=self._read_checkins(state.athlete_id))
        return outcome

    def follow_up(self) -> dict | None:
        """Heaviness before the saved plan began against since (:func:`heavylegs.logs.checkins.follow_up`)."""
        state = self._require()
        plan = state.saved_plan
        if plan is None or state.checkins is None or len(state.checkins) == 0:
            return None
        return follow_up(state.checkins, plan["start"])

    # the plan
    def new_plan(self) -> dict:
        """Draft a new two-week plan from the current answers and log (saved with the next Save)."""
        state = self._require()
        self._rebuild(state, plan_source="draft")
        if state.plan_source == "edited":
            self._keep_draft(self.state)  # the edits are dropped on purpose
        return self.plan

    def edit_plan(self, rows) -> dict:
        """Apply the coach's edits of the plan table (:func:`heavylegs.analysis.plan.apply_plan_edits`).

        Raises
        ------
        InputError
            One problem per bad cell, naming the day and the column; the plan
            stays as it was.
        """
        state = self._require()
        if state.plan is None:
            raise InputError([Problem("plan", "there is no plan to edit, expected one drafted first")])
        edited = apply_plan_edits(state.plan, rows, distance_unit(state.answers))
        self._rebuild(state, plan=edited, plan_source="edited")
        self._keep_draft(self.state)
        return edited

    def plan_projection(self):
        """The plan's daily loads after the log and the ACWR they lead to, or None."""
        state = self._require()
        if state.plan is None:
            return None
        return plan_load_projection(state.assessment, state.plan)

    @property
    def unsaved(self) -> bool:
        """True when the answers differ from the last saved ones (or were never saved)."""
        return self.state is not None and (self.saved_answers is None or self.answers != self.saved_answers)

    def history(self, top: int = 3):
        """:func:`heavylegs.store.assessments.top_cause_history` of the open athlete."""
        return top_cause_history(self.data_dir, self._require().athlete_id, top=top)
