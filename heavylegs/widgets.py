"""The coach workbook: a plain model and a thin ipywidgets view.

:class:`WorkbookModel` holds one athlete's answers, training log and ranking
and recomputes them; it knows nothing of widgets and is tested as plain
Python. :class:`ProfileForm` builds the question form from
:data:`heavylegs.fields.FIELDS`, and :class:`CoachWorkbook` wires the form,
the figures of :mod:`heavylegs.figures` and the buttons to the model. A
notebook only needs::

    from heavylegs.widgets import CoachWorkbook
    CoachWorkbook(data_dir="data", athlete_id="ana")

Unknown is a real answer everywhere: number and text boxes are empty when
unknown (never 0), yes/no and choice questions offer "unknown" first, and the
multiple-choice question has an "unknown" box of its own.
"""
from __future__ import annotations

import datetime as _dt
import html
import re
import tempfile
from pathlib import Path

import ipywidgets as widgets
import plotly.graph_objects as go
import traitlets

from . import figures
from .assessments import load_latest_profile, save_assessment, top_cause_history
from .errors import InputError, Problem
from .fields import FIELDS, PROFILE_FIELDS, SECTIONS
from .profile import validate_profile
from .scoring import score_profile
from .storage import athlete_paths, default_data_dir, list_athletes, validate_athlete_id

__all__ = [
    "UNKNOWN",
    "parse_answer",
    "format_answer",
    "ranking_delta",
    "merge_logs",
    "WorkbookModel",
    "ProfileForm",
    "CoachWorkbook",
    "red_flag_html",
    "cause_detail_html",
    "ask_next_html",
    "delta_html",
    "FIGURE_WIDTHS",
]

#: What the form shows for an unknown answer.
UNKNOWN = "unknown"
_BOOL_TEXT = {"yes": True, "true": True, "no": False, "false": False}
_UPLOAD_TYPES = ".csv,.fit,.gpx,.tcx,.gz,.zip"
_AUTO = {"width": "auto"}
_URGENCY_TEXT = {"emergency": "EMERGENCY: get medical help now", "urgent": "URGENT: see a doctor today",
                 "soon": "SOON: book a doctor's appointment within days"}


# --- Plain functions -----------------------------------------------------------------------

def parse_answer(name: str, text):
    """Turn what a coach typed into a profile value.

    Parameters
    ----------
    name : str
        A profile field of :data:`heavylegs.fields.FIELDS`.
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


def format_answer(value) -> str:
    """The text a form box shows for a value ("" for unknown; numbers as stored, 14.0 stays 14.0)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return "; ".join(value)
    return str(value)


def ranking_delta(before: dict, after: dict) -> list:
    """How each cause moved between two rankings (saved answers and a what-if).

    Parameters
    ----------
    before, after : dict
        Ranking documents of :func:`heavylegs.scoring.score_profile`.

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


def _no_start_key(frame):
    """Per row: date, activity, duration and distance, for rows without a start time (else None)."""
    import pandas as pd

    def text(col):
        if col not in frame.columns:
            return pd.Series([""] * len(frame), index=frame.index, dtype="string")
        return frame[col].astype("string").fillna("")

    start = text("start_time").str.strip()
    activity = text("activity").replace("", "run")
    key = text("date").str.slice(0, 10) + "|" + activity + "|" + text("duration_min") + "|" + text("distance_km")
    return key.where(start == "", None)


def merge_logs(existing, new):
    """Join a new log to an existing one, dropping sessions seen twice.

    Parameters
    ----------
    existing, new : pandas.DataFrame or None
        Training logs (``spec/training-log.md``).

    Returns
    -------
    merged : pandas.DataFrame
        Every session of ``existing``, then the new ones, sorted by date
        (stable, so the existing order stays within a day).
    dropped : int
        Sessions dropped as repeats (of ``existing``, or twice in ``new``).

    Notes
    -----
    Sessions with a start time follow the spec's rule, applied by
    :func:`heavylegs.traininglog.drop_duplicate_sessions`: the same start
    minute and activity are one session. A log typed by hand has no start
    times, so uploading it twice would double it; rows without a start time
    are therefore also the same when date, activity, duration and distance
    all agree.
    """
    import pandas as pd

    from .traininglog import drop_duplicate_sessions

    frames = [f for f in (existing, new) if f is not None and len(f)]
    if not frames:
        return (existing if existing is not None else new), 0
    merged = pd.concat(frames, ignore_index=True)
    total = len(merged)
    merged, _ = drop_duplicate_sessions(merged)
    key = _no_start_key(merged)
    repeat = key.notna() & key.duplicated(keep="first")
    merged = merged[~repeat.to_numpy()]
    merged = merged.sort_values("date", kind="stable").reset_index(drop=True)
    return merged, total - len(merged)


# --- HTML fragments ------------------------------------------------------------------------

def _esc(text) -> str:
    return html.escape(str(text))


def _label(name: str) -> str:
    spec = FIELDS.get(name)
    if spec is None:
        return name
    return spec.label + (f" [{spec.unit}]" if spec.unit else "")


def red_flag_html(ranking: dict) -> str:
    """The "see a doctor" banner of a ranking ("" when no red flag applies)."""
    flags = ranking.get("red_flags") or []
    if not flags:
        return ""
    items = "".join(
        f"<li><b>{_esc(_URGENCY_TEXT.get(f['urgency'], f['urgency']))}</b> — {_esc(f['title'])}. "
        f"{_esc(f['reason'])} <i>{_esc(f['action'])}</i></li>" for f in flags)
    return ("<div style='background:#B00020;color:white;padding:10px 14px;border-radius:6px;"
            "font-size:14px;line-height:1.4'><div style='font-size:17px;font-weight:bold'>"
            f"&#9888; See a doctor: {len(flags)} red flag{'s' if len(flags) > 1 else ''}</div>"
            f"<ul style='margin:6px 0 0 0;padding-left:20px'>{items}</ul>"
            "<div style='margin-top:6px'>These come before any cause below; the ranking does not "
            "replace a medical opinion.</div></div>")


def cause_detail_html(cause: dict | None) -> str:
    """Evidence, advice and coverage of one ranked cause, for the detail panel."""
    if cause is None:
        return "<i>Pick a cause to see why it ranks where it does.</i>"
    colour = figures.BAND_COLOURS.get(cause["band"], "#777")
    n_missing = len(cause.get("missing", []))
    parts = [f"<div style='border-left:6px solid {colour};padding-left:10px'>",
             f"<b style='font-size:15px'>{_esc(cause['title'])}</b> — score {cause['score']}, "
             f"<span style='color:{colour};font-weight:bold'>{_esc(cause['band'])}</span>, "
             f"{cause['coverage']:.0%} of its questions answered",
             f"<div style='color:#444;margin:4px 0'>{_esc(cause.get('summary', ''))}</div>"]
    if cause["evidence"]:
        rows = []
        for item in cause["evidence"]:
            sign = "+" if item["points"] > 0 else ""
            tag = " <span style='color:#0072B2'>(training log" + (
                f", week of {_esc(item['week'])}" if item.get("week") else "") + ")</span>" \
                if item.get("from_log") or item.get("week") else ""
            rows.append(f"<li><b>{sign}{item['points']}</b> {_esc(item['because'])}{tag}</li>")
        parts.append("<b>Why:</b><ul style='margin:2px 0'>" + "".join(rows) + "</ul>")
    else:
        parts.append("<div><b>Why:</b> nothing in the answers points to it yet.</div>")
    if cause.get("advice"):
        parts.append("<b>What to do:</b><ul style='margin:2px 0'>"
                     + "".join(f"<li>{_esc(a)}</li>" for a in cause["advice"]) + "</ul>")
    if cause.get("see_doctor_if"):
        parts.append(f"<div><b>See a doctor if:</b> {_esc(cause['see_doctor_if'])}</div>")
    if n_missing:
        shown = ", ".join(_esc(_label(m)) for m in cause["missing"][:8])
        more = f" and {n_missing - 8} more" if n_missing > 8 else ""
        parts.append(f"<div style='color:#666'><b>Unknown so far:</b> {shown}{more}</div>")
    parts.append("</div>")
    return "".join(parts)


def ask_next_html(ranking: dict, limit: int = 8) -> str:
    """The "answer these next" list: unknown questions that could move the ranking most."""
    names = (ranking.get("ask_next") or [])[:limit]
    if not names:
        return "<b>Answer these next:</b> nothing left that would change the top causes."
    sections = dict(SECTIONS)
    items = "".join(
        f"<li><b>{_esc(_label(n))}</b> <span style='color:#666'>({_esc(sections.get(FIELDS[n].section, ''))})"
        f" — {_esc(FIELDS[n].help)}</span></li>" for n in names if n in FIELDS)
    return f"<b>Answer these next</b> (they could move the top causes most):<ol style='margin:2px 0'>{items}</ol>"


def delta_html(delta: list, changes: dict) -> str:
    """The what-if summary: the answers changed and the causes that moved."""
    if not changes:
        return "<i>No what-if change yet: pick a question, type a value and press Try.</i>"
    tried = ", ".join(f"{_esc(_label(k))} = {_esc(format_answer(v) or UNKNOWN)}" for k, v in changes.items())
    if not delta:
        return f"<b>What-if:</b> {tried}.<br>No cause changed its score."
    rows = "".join(
        f"<tr><td>{_esc(d['title'])}</td><td style='text-align:right'>{d['score_before']}</td>"
        f"<td style='text-align:right'>{d['score_after']}</td>"
        f"<td style='text-align:right;color:{'#007A4D' if d['change'] < 0 else '#B00020'}'>"
        f"<b>{d['change']:+d}</b></td><td>{_esc(d['band_before'])} &rarr; {_esc(d['band_after'])}</td></tr>"
        for d in delta)
    return (f"<b>What-if:</b> {tried}. The saved answers are untouched.<table style='margin-top:4px;"
            "border-spacing:10px 0'><tr><th style='text-align:left'>cause</th><th>saved</th><th>what-if</th>"
            f"<th>change</th><th style='text-align:left'>band</th></tr>{rows}</table>")


# --- The model -----------------------------------------------------------------------------

def _rename_source(source, names: dict):
    """``source`` with a temporary path replaced by its display name (kept inside a Strava export)."""
    if not isinstance(source, str):
        return source
    for path, name in names.items():
        # a Strava export's rows add "#<activity id>"; files inside a folder add "/<name>"
        if source == path or (source.startswith(path) and source[len(path)] in "#!/:"):
            return name + source[len(path):]
    return source


class WorkbookModel:
    """One athlete's answers, log and ranking: the workbook without widgets.

    Parameters
    ----------
    data_dir : str or Path, optional
        The data folder (``heavylegs.storage.default_data_dir()`` by default).
    athlete_id : str, optional
        Athlete to open at once.

    Attributes
    ----------
    answers : dict
        The validated profile being edited (unknown fields absent).
    what_if : dict
        Temporary answers layered over ``answers``; never saved.
    log : pandas.DataFrame or None
        The athlete's training log.
    weekly, daily : pandas.DataFrame or None
        :func:`heavylegs.load.weekly_table` and the daily fitness and fatigue
        of the log, up to ``assessed_on``.
    ranking, what_if_ranking : dict
        Rankings of ``answers`` and of ``answers`` with ``what_if`` applied
        (the same object when there is no what-if).
    log_problems : list of Problem
        Why the athlete's ``log.csv`` was left out when it could not be read.
    """

    def __init__(self, data_dir=None, athlete_id: str | None = None):
        self.data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
        self.athlete_id = None
        self.answers = {}
        self.saved_answers = None
        self.what_if = {}
        self.log = None
        self.log_facts = None
        self.weekly = None
        self.daily = None
        self.ranking = None
        self.what_if_ranking = None
        self._facts_until = None
        self.log_problems = []
        if athlete_id is not None:
            self.open(athlete_id)

    # athletes
    def athletes(self) -> list:
        """Ids of the athletes in the data folder."""
        return list_athletes(self.data_dir)

    def open(self, athlete_id: str) -> dict:
        """Load an athlete: latest saved answers and the training log; returns the ranking."""
        validate_athlete_id(athlete_id)
        self.athlete_id = athlete_id
        self.answers = validate_profile(load_latest_profile(self.data_dir, athlete_id), f"<{athlete_id}>")
        self.saved_answers = dict(self.answers)
        self.what_if = {}
        log_path = athlete_paths(self.data_dir, athlete_id)["log"]
        self.log = None
        self.log_problems = []
        if log_path.exists():
            from .traininglog import read_log
            try:
                self.log = read_log(log_path)
            except InputError as exc:
                # The answers still open; the coach sees why the log is left out.
                self.log_problems = list(exc.problems)
        self._refresh_log()
        return self.rescore()

    def new(self, athlete_id: str, name: str | None = None) -> dict:
        """Start a new athlete with every answer unknown (nothing is written until saved)."""
        validate_athlete_id(athlete_id, "<new athlete>")
        if athlete_id in self.athletes():
            raise InputError([Problem("<new athlete>", f"found {athlete_id!r}, which already exists; "
                                                       "expected a new id (or pick it from the list)",
                                      field="athlete_id")])
        self.athlete_id = athlete_id
        raw = {"athlete_id": athlete_id}
        if name:
            raw["name"] = name
        self.answers = validate_profile(raw, "<new athlete>")
        self.saved_answers = None
        self.what_if = {}
        self.log = None
        self._refresh_log()
        return self.rescore()

    # answers
    def set_answers(self, profile: dict) -> dict:
        """Replace every answer (validated; the athlete id cannot change); returns the ranking."""
        raw = dict(profile)
        raw["athlete_id"] = self.athlete_id
        self.answers = validate_profile(raw, "<form>")
        self._refresh_log()
        return self.rescore()

    def set_answer(self, name: str, value) -> dict:
        """Set one answer (None = unknown) and rescore; raises InputError and keeps the old answers."""
        raw = dict(self.answers)
        raw[name] = value
        return self.set_answers(raw)

    def set_what_if(self, name: str, value) -> dict:
        """Try an answer without changing the saved ones; returns the what-if ranking."""
        if name == "athlete_id":
            raise InputError([Problem("<what-if>", "the athlete id cannot be tried", field=name)])
        trial = dict(self.answers)
        trial.update(self.what_if)
        trial[name] = value
        validate_profile(trial, "<what-if>")
        self.what_if[name] = value
        return self.rescore()

    def clear_what_if(self) -> dict:
        """Drop every what-if answer."""
        self.what_if = {}
        return self.rescore()

    def what_if_delta(self) -> list:
        """Causes whose score the what-if answers change (see :func:`ranking_delta`)."""
        return ranking_delta(self.ranking, self.what_if_ranking) if self.what_if else []

    # log
    def _refresh_log(self):
        until = self.answers.get("assessed_on")
        if self.log is None or len(self.log) == 0:
            self.log_facts = self.weekly = self.daily = None
            self._facts_until = until
            return
        if self._facts_until == until and self.weekly is not None:
            return
        from .load import daily_load, fitness_fatigue, log_facts, weekly_table
        self.log_facts = log_facts(self.log, until=until)
        self.weekly = weekly_table(self.log, until=until)
        self.daily = fitness_fatigue(daily_load(self.log, until=until))
        self._facts_until = until

    def add_log(self, new_log) -> dict:
        """Merge sessions into the athlete's log and write ``log.csv`` atomically.

        Returns
        -------
        dict
            ``added`` and ``duplicates`` (sessions), ``path`` of the log.
        """
        from .traininglog import validate_log, write_log

        new_log = validate_log(new_log, "<upload>")
        merged, dropped = merge_logs(self.log, new_log)
        path = athlete_paths(self.data_dir, self.athlete_id)["log"]
        write_log(merged, path)
        added = len(merged) - (0 if self.log is None else len(self.log))
        self.log = merged
        self.weekly = None
        self._refresh_log()
        self.rescore()
        return {"added": added, "duplicates": dropped, "path": path}

    def import_files(self, paths, progress=None, names=None) -> dict:
        """Import activity files or training logs and merge them into the athlete's log.

        Parameters
        ----------
        paths : sequence of str or Path
            CSV training logs, FIT, GPX, TCX (also gzipped) or a Strava export zip.
        progress : callable, optional
            ``progress(done, total)`` after each file.
        names : dict, optional
            ``{str(path): name}``: the name to record in the log's ``source``
            column instead of the path, e.g. the uploaded file's own name
            rather than the temporary copy the upload was read from.

        Returns
        -------
        dict
            ``added``, ``duplicates``, ``failed`` (list of (file, reason)) and ``path``.
        """
        import pandas as pd

        from .traininglog import read_log

        paths = [Path(p) for p in paths]
        frames, failed, duplicates = [], [], 0
        logs = [p for p in paths if p.suffix.lower() == ".csv"]
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
            from .importers import import_sources

            def _progress(done, n):
                if progress:
                    progress(read + done, read + n)
            result = import_sources(others, progress=_progress)
            if result.log is not None and len(result.log):
                log = result.log
                if names:
                    log = log.assign(source=log["source"].map(lambda src: _rename_source(src, names)))
                frames.append(log)
            for where, reason in result.failed:
                # A CSV that is neither a log nor an export: the log's own problems help more.
                exc = log_errors.get(str(where))
                if exc is not None:
                    reason = "not a training log: " + "; ".join(p.message if p.line is None else
                                                                 f"line {p.line}: {p.field or ''} {p.message}"
                                                                 for p in exc.problems[:3])
                failed.append((str(where), str(reason)))
            duplicates += int(getattr(result, "duplicates_skipped", 0) or 0)
        if not frames:
            return {"added": 0, "duplicates": duplicates, "failed": failed, "path": None}
        outcome = self.add_log(pd.concat(frames, ignore_index=True))
        outcome["duplicates"] += duplicates
        outcome["failed"] = failed
        return outcome

    # scoring
    def rescore(self) -> dict:
        """Rank the causes for the answers (and the what-if); returns the ranking of the answers."""
        self.ranking = score_profile(self.answers, log_facts=self.log_facts)
        if self.what_if:
            trial = dict(self.answers)
            trial.update(self.what_if)
            trial = validate_profile(trial, "<what-if>")
            self.what_if_ranking = score_profile(trial, log_facts=self.log_facts)
        else:
            self.what_if_ranking = self.ranking
        return self.ranking

    # saving
    def save(self, when: _dt.datetime | None = None) -> Path:
        """Write a dated assessment of the answers (never the what-if) and the profile file."""
        path = save_assessment(self.data_dir, self.answers, self.ranking, when=when)
        self.saved_answers = dict(self.answers)
        return path

    @property
    def unsaved(self) -> bool:
        """True when the answers differ from the last saved ones (or were never saved)."""
        return self.saved_answers is None or self.answers != self.saved_answers

    def history(self, top: int = 3):
        """:func:`heavylegs.assessments.top_cause_history` of the athlete."""
        return top_cause_history(self.data_dir, self.athlete_id, top=top)


# --- The form ------------------------------------------------------------------------------

class _FieldControl:
    """The widgets of one question: a description, an input and an inline error."""

    def __init__(self, spec):
        self.spec = spec
        unit = f" <span style='color:#555'>[{_esc(spec.unit)}]</span>" if spec.unit else ""
        self.description = widgets.HTML(
            f"<div style='line-height:1.25'><b>{_esc(spec.label)}</b>{unit}<br>"
            f"<span style='color:#666;font-size:11px'>{_esc(spec.help)}</span></div>",
            layout=widgets.Layout(width="230px"))
        self.unknown = None
        box = widgets.Layout(width="170px")
        if spec.kind == "bool":
            self.input = widgets.Dropdown(options=[(UNKNOWN, ""), ("yes", "yes"), ("no", "no")], value="",
                                          layout=box)
        elif spec.kind == "enum":
            self.input = widgets.Dropdown(options=[(UNKNOWN, "")] + [(v.replace("_", " "), v) for v in spec.values],
                                          value="", layout=box)
        elif spec.kind == "list":
            self.input = widgets.SelectMultiple(options=[(v.replace("_", " "), v) for v in spec.values],
                                                value=(), rows=4, disabled=True, layout=box)
            self.unknown = widgets.Checkbox(value=True, description=UNKNOWN, indent=False,
                                            layout=widgets.Layout(width="80px"))
        else:
            hint = {"date": "YYYY-MM-DD (empty = today)"}.get(spec.kind, UNKNOWN)
            self.input = widgets.Text(value="", placeholder=hint, continuous_update=False, layout=box)
            if spec.name == "athlete_id":
                self.input.disabled = True
        self.error = widgets.HTML("", layout=widgets.Layout(margin="0 0 0 230px"))
        parts = [self.description, self.input] + ([self.unknown] if self.unknown else [])
        self.row = widgets.VBox([widgets.HBox(parts, layout=widgets.Layout(align_items="center")), self.error],
                                layout=widgets.Layout(margin="1px 0"))

    def read(self):
        """The value in the controls (None = unknown); raises InputError for unreadable text."""
        if self.unknown is not None:
            return None if self.unknown.value else list(self.input.value)
        return parse_answer(self.spec.name, self.input.value)

    def show(self, value):
        """Put a value into the controls."""
        if self.unknown is not None:
            self.unknown.value = value is None
            self.input.disabled = value is None
            self.input.value = tuple(value or ())
        elif self.spec.kind in ("bool",):
            self.input.value = "" if value is None else ("yes" if value else "no")
        elif self.spec.kind == "enum":
            self.input.value = "" if value is None else value
        else:
            self.input.value = format_answer(value)

    def set_error(self, message: str):
        self.error.value = ("" if not message else
                            f"<span style='color:#B00020;font-size:12px'>&#10007; {_esc(message)}</span>")


class ProfileForm(widgets.VBox):
    """The profile questions, one accordion section per part of ``spec/profile.md``.

    Parameters
    ----------
    profile : dict, optional
        Answers to show (validated).

    Attributes
    ----------
    profile : dict
        The valid answers; reassigned (never mutated) after every accepted
        change, so ``observe(..., names="profile")`` fires.
    errors : dict
        Field name to the reason its input was refused; the refused value
        is kept out of ``profile``.
    controls : dict
        Field name to its input widget (a Dropdown, Text or SelectMultiple).
    """

    profile = traitlets.Dict()
    errors = traitlets.Dict()

    def __init__(self, profile: dict | None = None, **kwargs):
        self._fields = {name: _FieldControl(spec) for name, spec in PROFILE_FIELDS.items()}
        self.controls = {name: fc.input for name, fc in self._fields.items()}
        self.unknown_boxes = {name: fc.unknown for name, fc in self._fields.items() if fc.unknown is not None}
        self._sections = [(key, title) for key, title in SECTIONS
                          if any(f.section == key for f in PROFILE_FIELDS.values())]
        pages = [widgets.VBox([fc.row for fc in self._fields.values() if fc.spec.section == key])
                 for key, _ in self._sections]
        self.accordion = widgets.Accordion(children=pages)
        self._loading = False
        super().__init__([self.accordion], **kwargs)
        for name, fc in self._fields.items():
            fc.input.observe(lambda change, n=name: self._changed(n), names="value")
            if fc.unknown is not None:
                fc.unknown.observe(lambda change, n=name: self._unknown_toggled(n), names="value")
        self.load(profile or {})

    def load(self, profile: dict):
        """Show a profile's answers (clears every inline error)."""
        self._loading = True
        try:
            for name, fc in self._fields.items():
                fc.show(profile.get(name))
                fc.set_error("")
        finally:
            self._loading = False
        self.errors = {}
        self.profile = dict(profile)
        self._update_titles()

    def _unknown_toggled(self, name):
        fc = self._fields[name]
        fc.input.disabled = fc.unknown.value
        if fc.unknown.value and fc.input.value:
            self._loading = True
            fc.input.value = ()
            self._loading = False
        self._changed(name)

    def _changed(self, name):
        if self._loading:
            return
        fc = self._fields[name]
        if fc.unknown is not None and fc.input.value and fc.unknown.value:
            # Picking an item means the answer is known.
            self._loading = True
            fc.unknown.value = False
            fc.input.disabled = False
            self._loading = False
        errors = dict(self.errors)
        try:
            value = fc.read()
            raw = dict(self.profile)
            if value is None:
                raw.pop(name, None)
            else:
                raw[name] = value
            clean = validate_profile(raw, "<form>")
        except InputError as exc:
            message = "; ".join(p.message for p in exc.problems if p.field in (name, None)) or str(exc)
            fc.set_error(message)
            errors[name] = message
            self.errors = errors
            return
        fc.set_error("")
        errors.pop(name, None)
        self.errors = errors
        if name == "assessed_on" and value is None:
            self._loading = True
            fc.show(clean.get("assessed_on"))
            self._loading = False
        self.profile = clean
        self._update_titles()

    def _update_titles(self):
        titles = []
        for key, title in self._sections:
            names = [n for n, f in PROFILE_FIELDS.items() if f.section == key]
            known = sum(1 for n in names if n in self.profile)
            titles.append(f"{title} ({known} of {len(names)} known)")
        self.accordion.titles = tuple(titles)

    def open_section(self, section: str):
        """Unfold one section (a key of :data:`heavylegs.fields.SECTIONS`)."""
        keys = [key for key, _ in self._sections]
        if section in keys:
            self.accordion.selected_index = keys.index(section)

    def set_value(self, name: str, value):
        """Set a question programmatically as a coach would (None = unknown)."""
        self._fields[name].show(value)
        self._changed(name)


# --- The workbook view ---------------------------------------------------------------------

#: Figure widths in the workbook [px]: a FigureWidget does not follow its box's width, so
#: the widths are fixed to fit JupyterLab at 1280 px with the file browser closed.
FIGURE_WIDTHS = {"ranking": 570, "load": 880, "history": 880}


def _figure_widget(fig: go.Figure, width: int) -> go.FigureWidget:
    # Layout goes to the constructor: Voila drops layout set before the first render.
    fig.layout.width = width
    return go.FigureWidget(data=fig.data, layout=fig.layout)


def _same_structure(widget: go.FigureWidget, fig: go.Figure) -> bool:
    if len(widget.data) != len(fig.data) or any(a.type != b.type for a, b in zip(widget.data, fig.data)):
        return False
    keys = lambda layout: {k for k in layout.to_plotly_json() if k.startswith(("xaxis", "yaxis"))}  # noqa: E731
    return keys(widget.layout) == keys(fig.layout)


def _sync_figure(widget: go.FigureWidget, fig: go.Figure) -> bool:
    """Copy ``fig`` into ``widget`` in place; False when the structure differs and a new widget is needed."""
    if not _same_structure(widget, fig):
        return False
    fig.layout.width = widget.layout.width
    with widget.batch_update():
        for old, new in zip(widget.data, fig.data):
            props = new.to_plotly_json()
            props.pop("type", None)
            old.update(props, overwrite=True)
        layout = fig.layout.to_plotly_json()
        layout.pop("template", None)  # the same default template; copying it costs most of the update
        widget.layout.update(layout, overwrite=True)
    return True


class CoachWorkbook(widgets.VBox):
    """The whole workbook as one widget: pick an athlete, answer, read the ranking, upload logs.

    Parameters
    ----------
    data_dir : str or Path, optional
        The data folder (``heavylegs.storage.default_data_dir()`` by default).
    athlete_id : str, optional
        Athlete to open; the first in the folder by default. An id that is
        not in the folder starts a new athlete.

    Attributes
    ----------
    model : WorkbookModel
        The plain model behind the widgets.
    form : ProfileForm
        The questions.
    ranking_figure, load_figure, history_figure : plotly.graph_objects.FigureWidget
        The live figures (replaced when their structure changes).

    Notes
    -----
    Nothing is written into the data folder until the coach presses Save or
    uploads a log.
    """

    def __init__(self, data_dir=None, athlete_id: str | None = None, **kwargs):
        self.model = WorkbookModel(data_dir)
        self.selected_cause = None
        self._busy = False
        self._build()
        super().__init__(self._layout(), **kwargs)
        ids = self.model.athletes()
        self.athlete_picker.options = ids
        athlete_id = athlete_id or (ids[0] if ids else None)
        if athlete_id in ids:
            self.athlete_picker.value = athlete_id  # opens it through the observer
            if self.model.athlete_id != athlete_id:
                self.open_athlete(athlete_id)
        elif athlete_id:
            self.new_athlete(athlete_id)

    # building
    def _build(self):
        self.title = widgets.HTML(
            "<h2 style='margin:4px 0'>Heavy legs: coach workbook</h2>"
            "<div style='color:#555'>Coaching support, not a diagnosis. Leave a question empty or "
            "&ldquo;unknown&rdquo; when you do not know: unknown is never counted as no or 0.</div>")
        self.banner = widgets.HTML("")
        self.athlete_picker = widgets.Dropdown(description="Athlete", options=[], value=None,
                                               layout=widgets.Layout(width="230px"))
        self.new_id = widgets.Text(placeholder="new athlete id", layout=widgets.Layout(width="160px"))
        self.new_button = widgets.Button(description="New athlete", icon="user-plus", layout=_AUTO)
        self.save_button = widgets.Button(description="Save assessment", button_style="primary", icon="save",
                                          layout=_AUTO)
        self.export_button = widgets.Button(description="Export dashboard", icon="file-export", layout=_AUTO)
        self.status = widgets.HTML("")
        self.form = ProfileForm()
        empty = {"causes": [], "red_flags": [], "ask_next": []}
        self.ranking_figure = _figure_widget(figures.ranking_figure(empty), FIGURE_WIDTHS["ranking"])
        self.cause_picker = widgets.Dropdown(description="Explain", options=[],
                                             layout=widgets.Layout(width="100%"))
        self.cause_detail = widgets.HTML(cause_detail_html(None))
        self.ask_next = widgets.HTML("")
        # what-if
        self.what_if_toggle = widgets.ToggleButton(description="What-if", icon="flask", value=False,
                                                   tooltip="Try answers without changing the saved ones")
        choices = [(_label(n), n) for n in PROFILE_FIELDS if n not in ("athlete_id", "name")]
        self.what_if_field = widgets.Dropdown(options=choices, layout=widgets.Layout(width="250px"))
        self.what_if_value = widgets.Text(placeholder="value, e.g. 8 or yes", continuous_update=False,
                                          layout=widgets.Layout(width="130px"))
        self.what_if_try = widgets.Button(description="Try", icon="play", layout=_AUTO)
        self.what_if_reset = widgets.Button(description="Saved answers", icon="undo", layout=_AUTO,
                                            tooltip="Forget the what-if answers")
        self.what_if_summary = widgets.HTML(delta_html([], {}))
        self.what_if_panel = widgets.VBox(
            [widgets.HBox([self.what_if_field, self.what_if_value, self.what_if_try, self.what_if_reset],
                          layout=widgets.Layout(flex_flow="row wrap")),
             self.what_if_summary], layout=widgets.Layout(display="none", border="1px dashed #999",
                                                          padding="6px"))
        # log
        self.upload = widgets.FileUpload(accept=_UPLOAD_TYPES, multiple=True,
                                         description="Upload log or activities", layout=_AUTO)
        self.progress = widgets.IntProgress(value=0, min=0, max=1, description="Import",
                                            layout=widgets.Layout(width="300px"))
        self.log_status = widgets.HTML("")
        self.metric = widgets.ToggleButtons(options=[("Distance", "distance"), ("Load", "load")],
                                            value="distance")
        self.show_fitness = widgets.Checkbox(value=False, description="Fitness / fatigue / form", indent=False)
        self.load_figure = _figure_widget(figures.weekly_load_figure(None), FIGURE_WIDTHS["load"])
        self.history_figure = _figure_widget(figures.history_figure(None), FIGURE_WIDTHS["history"])
        self._load_box = widgets.Box([self.load_figure], layout=widgets.Layout(width="100%"))
        self._ranking_box = widgets.Box([self.ranking_figure], layout=widgets.Layout(width="100%"))
        self._history_box = widgets.Box([self.history_figure], layout=widgets.Layout(width="100%"))
        self._wire()

    def _layout(self):
        bar = widgets.HBox([self.athlete_picker, self.new_id, self.new_button, self.save_button,
                            self.export_button], layout=widgets.Layout(flex_flow="row wrap"))
        # Side by side when there is room, the ranking under the form when there is not.
        results = widgets.VBox([self._ranking_box, self.what_if_toggle, self.what_if_panel, self.ask_next,
                                self.cause_picker, self.cause_detail],
                               layout=widgets.Layout(flex="1 1 580px", padding="0 0 0 12px"))
        form = widgets.VBox([widgets.HTML("<h3 style='margin:4px 0'>Answers</h3>"), self.form],
                            layout=widgets.Layout(flex="0 0 480px"))
        load = widgets.VBox([widgets.HTML("<h3 style='margin:8px 0 4px 0'>Training log</h3>"),
                             widgets.HBox([self.upload, self.progress, self.log_status],
                                          layout=widgets.Layout(align_items="center")),
                             widgets.HBox([self.metric, self.show_fitness],
                                          layout=widgets.Layout(align_items="center")),
                             self._load_box])
        history = widgets.VBox([widgets.HTML("<h3 style='margin:8px 0 4px 0'>History</h3>"), self._history_box])
        main = widgets.HBox([form, results], layout=widgets.Layout(flex_flow="row wrap", width="100%"))
        return [self.title, self.banner, bar, self.status, main, load, history]

    def _wire(self):
        self.athlete_picker.observe(self._on_pick, names="value")
        self.new_button.on_click(lambda _b: self._guard(lambda: self.new_athlete(self.new_id.value.strip())))
        self.save_button.on_click(lambda _b: self._guard(self.save))
        self.export_button.on_click(lambda _b: self._guard(self.export_dashboard))
        self.form.observe(self._on_answers, names="profile")
        self.cause_picker.observe(lambda ch: self.select_cause(ch["new"]), names="value")
        self.what_if_toggle.observe(self._on_what_if_toggle, names="value")
        self.what_if_try.on_click(lambda _b: self._guard(self.try_what_if))
        self.what_if_reset.on_click(lambda _b: self._guard(self.reset_what_if))
        self.upload.observe(lambda ch: self._guard(self._on_upload), names="value")
        self.metric.observe(lambda ch: self.refresh_load(), names="value")
        self.show_fitness.observe(lambda ch: self.refresh_load(), names="value")

    def _bar_click(self, trace, points, _state):
        if points.point_inds:
            self.cause_picker.value = trace.customdata[points.point_inds[0]]

    def _guard(self, action):
        """Run a button's action; show bad input as a message instead of a traceback."""
        try:
            return action()
        except InputError as exc:
            self._say("; ".join(str(p) for p in exc.problems), error=True)
        except OSError as exc:
            self._say(f"Could not write: {exc}", error=True)
        return None

    def _say(self, text, error=False):
        colour = "#B00020" if error else "#1B5E20"
        self.status.value = f"<div style='color:{colour};margin:4px 0'>{_esc(text)}</div>"

    # athletes
    def _on_pick(self, change):
        if change["new"] and change["new"] != self.model.athlete_id:
            self._guard(lambda: self.open_athlete(change["new"]))

    def open_athlete(self, athlete_id: str):
        """Open a saved athlete: latest answers, log, ranking and history."""
        self.model.open(athlete_id)
        self._after_open()
        if self.model.log_problems:
            self._say(f"Opened {athlete_id}, without the training log, which has problems: "
                      + "; ".join(str(p) for p in self.model.log_problems[:3]), error=True)
        else:
            self._say(f"Opened {athlete_id}.")

    def new_athlete(self, athlete_id: str, name: str | None = None):
        """Start a new athlete (saved on the first Save)."""
        self.model.new(athlete_id, name)
        self._after_open()
        self._say(f"New athlete {athlete_id}: answer what you know, then Save.")

    def _after_open(self):
        self.what_if_toggle.value = False
        self.selected_cause = None
        self._busy = True
        try:
            self.form.load(self.model.answers)
            if self.model.athlete_id not in self.athlete_picker.options:
                self.athlete_picker.options = sorted(set(self.athlete_picker.options) | {self.model.athlete_id})
            self.athlete_picker.value = self.model.athlete_id
        finally:
            self._busy = False
        self.refresh()
        self.refresh_load()
        self.refresh_history()
        # Unfold where the most useful unknown answer is, so the form starts somewhere helpful.
        ask = self.model.ranking.get("ask_next") or []
        self.form.open_section(PROFILE_FIELDS[ask[0]].section if ask else "training")

    # answers and ranking
    def _on_answers(self, change):
        if self._busy:
            return
        self._guard(lambda: self.model.set_answers(change["new"]))
        self.refresh()

    def shown_ranking(self) -> dict:
        """The ranking on screen: the what-if one while What-if is on."""
        return self.model.what_if_ranking if self.what_if_toggle.value else self.model.ranking

    def refresh(self):
        """Redraw the banner, the ranking, the detail panel and the ask-next list."""
        ranking = self.shown_ranking()
        compare = self.model.ranking if (self.what_if_toggle.value and self.model.what_if) else None
        self.banner.value = red_flag_html(ranking)
        fig = figures.ranking_figure(ranking, compare=compare, selected=self.selected_cause)
        if not _sync_figure(self.ranking_figure, fig):
            self.ranking_figure = _figure_widget(fig, FIGURE_WIDTHS["ranking"])
            self._ranking_box.children = [self.ranking_figure]
        for trace in self.ranking_figure.data[:3]:
            trace.on_click(self._bar_click, append=False)
        options = [(f"{c['rank']}. {c['title']} ({c['score']})", c["id"]) for c in ranking["causes"]]
        current = self.selected_cause or (ranking["causes"][0]["id"] if ranking["causes"] else None)
        self._busy = True
        try:
            self.cause_picker.options = options
            self.cause_picker.value = current
        finally:
            self._busy = False
        self.cause_detail.value = cause_detail_html(next((c for c in ranking["causes"] if c["id"] == current), None))
        self.ask_next.value = ask_next_html(self.model.ranking)
        self.what_if_summary.value = delta_html(self.model.what_if_delta(), self.model.what_if)

    def select_cause(self, cause_id):
        """Show the evidence and advice of one cause."""
        if self._busy or cause_id is None:
            return
        self.selected_cause = cause_id
        self.refresh()

    # what-if
    def _on_what_if_toggle(self, change):
        self.what_if_panel.layout.display = "flex" if change["new"] else "none"
        if not change["new"] and self.model.what_if:
            self.model.clear_what_if()
        self.refresh()

    def try_what_if(self, name: str | None = None, text=None):
        """Apply one what-if answer (the panel's question and value by default)."""
        name = name or self.what_if_field.value
        text = self.what_if_value.value if text is None else text
        self.what_if_toggle.value = True
        self.model.set_what_if(name, parse_answer(name, text))
        self.refresh()

    def reset_what_if(self):
        """Forget the what-if answers."""
        self.model.clear_what_if()
        self.refresh()

    # log
    def refresh_load(self):
        """Redraw the weekly load chart from the model's log."""
        fig = figures.weekly_load_figure(self.model.weekly, metric=self.metric.value,
                                         show_fitness=self.show_fitness.value, daily=self.model.daily)
        if not _sync_figure(self.load_figure, fig):
            self.load_figure = _figure_widget(fig, FIGURE_WIDTHS["load"])
            self._load_box.children = [self.load_figure]

    def _on_upload(self):
        files = self.upload.value
        if not files:
            return
        self.import_uploads(files)
        self.upload.value = ()

    def import_uploads(self, files):
        """Import FileUpload entries (dicts with ``name`` and ``content``) into the athlete's log."""
        self.progress.value = 0
        self.progress.max = max(1, len(files))

        def progress(done, total):
            self.progress.max = max(1, total)
            self.progress.value = min(done, self.progress.max)

        with tempfile.TemporaryDirectory(prefix="heavylegs-upload-") as tmp:
            paths = []
            for i, item in enumerate(files):
                # One folder per file keeps its own name (messages quote it) even when two share one.
                name = Path(str(item["name"])).name or f"upload-{i}"
                path = Path(tmp) / f"{i:03d}" / name
                path.parent.mkdir()
                path.write_bytes(bytes(item["content"]))
                paths.append(path)
            outcome = self.model.import_files(paths, progress=progress,
                                              names={str(p): p.name for p in paths})
        self.progress.value = self.progress.max
        failed = "".join(f"<br>&#10007; {_esc(Path(p).name)}: {_esc(r)}" for p, r in outcome["failed"])
        self.log_status.value = (f"{outcome['added']} session(s) added, {outcome['duplicates']} duplicate(s) "
                                 f"skipped{failed}")
        self.refresh()
        self.refresh_load()

    # saving
    def save(self) -> Path:
        """Save a dated assessment of the answers; returns its file."""
        path = self.model.save()
        if self.model.athlete_id not in self.athlete_picker.options:
            self._busy = True
            self.athlete_picker.options = self.model.athletes()
            self.athlete_picker.value = self.model.athlete_id
            self._busy = False
        self.refresh_history()
        self._say(f"Saved {path.name} for {self.model.athlete_id}.")
        return path

    def refresh_history(self):
        """Redraw the history of the top causes."""
        try:
            history = self.model.history() if self.model.athlete_id else None
        except InputError as exc:
            history = None
            self._say("History unreadable: " + "; ".join(str(p) for p in exc.problems), error=True)
        fig = figures.history_figure(history)
        if not _sync_figure(self.history_figure, fig):
            self.history_figure = _figure_widget(fig, FIGURE_WIDTHS["history"])
            self._history_box.children = [self.history_figure]

    def export_dashboard(self, out_dir=None):
        """Export the athlete's dashboard with :func:`heavylegs.dashboard.export_dashboard`.

        Parameters
        ----------
        out_dir : str or Path, optional
            Folder for the HTML file; ``exports/`` beside the data folder by
            default.

        Returns
        -------
        Path
            The file written. Answers changed since the last save are saved
            first (a new dated assessment), as the dashboard shows the saved
            answers.
        """
        from .dashboard import export_dashboard

        # The dashboard shows the saved answers: save first what the coach sees on screen.
        saved = self.save() if self.model.unsaved else None
        # Beside the data folder, not in it: the page is about 5 MB and is rebuilt at will.
        out_dir = Path(out_dir) if out_dir else Path(self.model.data_dir).resolve().parent / "exports"
        self._say(f"Exporting the dashboard of {self.model.athlete_id}...")
        result = export_dashboard(self.model.athlete_id, out_dir, data_dir=self.model.data_dir)
        first = f"Saved {saved.name} first, so it shows these answers. " if saved else ""
        self._say(f"{first}Dashboard exported to {result}.")
        return result
