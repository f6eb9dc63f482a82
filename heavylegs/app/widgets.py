"""The coach workbook's widgets: a thin ipywidgets view of :class:`heavylegs.app.workbook.WorkbookModel`.

:class:`ProfileForm` builds the question form from
:data:`heavylegs.vocabulary.FIELDS`, and :class:`CoachWorkbook` wires the form,
the figures of :mod:`heavylegs.views.figures`, the HTML panels of
:mod:`heavylegs.views.html` and the buttons to the model, which holds all the
state. A notebook only needs::

    from heavylegs.app.widgets import CoachWorkbook
    CoachWorkbook(data_dir="data", athlete_id="ana")

Unknown is a real answer everywhere: number and text boxes are empty when
unknown (never 0), yes/no and choice questions offer "unknown" first, and the
multiple-choice question has an "unknown" box of its own.
"""
from __future__ import annotations

import contextlib
import datetime as _dt
import os
import tempfile
from pathlib import Path

import ipywidgets as widgets
from IPython.display import HTML
from ipywidgets.widgets import widget_description, widget_string
import traitlets

from heavylegs.views import figures
from heavylegs.errors import InputError
from heavylegs.errors import Problem as type_problem
from heavylegs.vocabulary import KM_PER_MILE, PROFILE_FIELDS, SECTIONS
from heavylegs.views.html import UNKNOWN, ask_next_html, cause_detail_html, delta_html, format_answer, red_flag_html, status_html
from heavylegs.views.html import draft_note_html, red_flag_note_html
from heavylegs.analysis.scoring import red_flag_fields
from heavylegs.views.html import follow_up_html, latest_ratio, load_summary_html, patterns_html, plan_table_html, ratio_sentence
from heavylegs.views.dashboard import export_dashboard
from heavylegs.analysis.plan import KINDS, distance_unit, plan_column_labels, plan_columns, plan_rows
from heavylegs.views.html import wellness_html, wellness_import_html
from heavylegs.views.html import escape as _esc
from heavylegs.views.portal_pages import last_checkin, last_checkin_html, portal_link_html
from heavylegs.store.portal_links import make_link
from heavylegs.views.html import field_label as _label
from heavylegs.store.profiles import validate_profile
from heavylegs.app.page import PageAddress, page_query, served_by_voila
from heavylegs.app.plotly_chart import PlotlyChart, plotly_library
from heavylegs.app.upload import ChunkedUpload
from heavylegs.app.workbook import (WorkbookModel, check_import_path, merge_logs, parse_answer,  # noqa: F401 (re-exported)
                                    ranking_delta, rename_source)
from heavylegs.app.workbook import WELLNESS_SUFFIXES

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
    "import_status_line",
]

_AUTO = {"width": "auto"}
# Units a question shows in miles for an athlete who reads miles (the files keep km).
_MILE_UNITS = {"km": "mi", "min/km": "min/mi"}
_UPLOAD_TYPES = ".csv,.fit,.gpx,.tcx,.gz,.zip"
_WELLNESS_TYPES = ".zip,.xml,.json,.csv"


def import_status_line(athlete_id: str, outcome: dict) -> tuple:
    """The workbook's one status line after an import, and whether it is an error.

    Parameters
    ----------
    athlete_id : str
    outcome : dict
        From :meth:`heavylegs.app.workbook.WorkbookModel.import_files`
        (``added``, ``duplicates``, ``failed``).

    Returns
    -------
    (str, bool)
        Green only when sessions were added and every file was read; an
        error when nothing was added because files could not be read.
    """
    added, duplicates, failed = outcome["added"], outcome["duplicates"], len(outcome["failed"])
    unread = f"{failed} file(s) could not be read (reasons below the upload button)"
    if added and not failed:
        return f"Imported {added} session(s) into {athlete_id}'s log.", False
    if added:
        return f"Imported {added} session(s) into {athlete_id}'s log; {unread}.", True
    if failed:
        return f"Nothing imported into {athlete_id}'s log: {unread}.", True
    if duplicates:
        return f"Nothing new for {athlete_id}'s log: {duplicates} session(s) were already in it.", False
    return f"Nothing imported into {athlete_id}'s log: the files held no session.", True


# --- The form ------------------------------------------------------------------------------


@contextlib.contextmanager
def _uploaded_paths(files):
    """The files of an upload as paths, for as long as the ``with`` block runs.

    An item with a ``path`` (a chunked upload already on disk) is used as it
    is; one with ``content`` (bytes) is written to a temporary folder of its
    own, so it keeps its name (messages quote it) even when two share one.
    """
    with tempfile.TemporaryDirectory(prefix="heavylegs-upload-") as tmp:
        paths = []
        for i, item in enumerate(files):
            if item.get("path") is not None:
                paths.append(Path(item["path"]))
                continue
            name = Path(str(item["name"])).name or f"upload-{i}"
            path = Path(tmp) / f"{i:03d}" / name
            path.parent.mkdir()
            path.write_bytes(bytes(item["content"]))
            paths.append(path)
        yield paths

class _FieldControl:
    """The widgets of one question: a description (with its inline error) and an input.

    Layouts and styles are shared by every question of a form (``shared``):
    each widget model is one message to the browser, and about 80 questions
    with a layout and a style each used to send over a thousand, enough to
    fill the kernel's output queue when the workbook opens.
    """

    def __init__(self, spec, shared: dict):
        self.spec = spec
        unit = f" <span style='color:#555'>[{_esc(spec.unit)}]</span>" if spec.unit else ""
        self._text = (f"<div style='line-height:1.25'><b>{_esc(spec.label)}</b>{unit}<br>"
                      f"<span style='color:#666;font-size:11px'>{_esc(spec.help)}</span></div>")
        self.description = widgets.HTML(self._text, layout=shared["description"], style=shared["html"])
        self.unknown = None
        box = shared["input"]
        if spec.kind == "bool":
            self.input = widgets.Dropdown(options=[(UNKNOWN, ""), ("yes", "yes"), ("no", "no")], value="",
                                          layout=box, style=shared["description_style"])
        elif spec.kind == "enum":
            self.input = widgets.Dropdown(options=[(UNKNOWN, "")] + [(v.replace("_", " "), v) for v in spec.values],
                                          value="", layout=box, style=shared["description_style"])
        elif spec.kind == "list":
            self.input = widgets.SelectMultiple(options=[(v.replace("_", " "), v) for v in spec.values],
                                                value=(), rows=4, disabled=True, layout=box,
                                                style=shared["description_style"])
            # wide enough for the whole word "unknown" (80 px cut it to "unkno...")
            self.unknown = widgets.Checkbox(value=True, description=UNKNOWN, indent=False,
                                            layout=widgets.Layout(width="100px"))
        else:
            hint = {"date": "YYYY-MM-DD (empty = today)"}.get(spec.kind, UNKNOWN)
            self.input = widgets.Text(value="", placeholder=hint, continuous_update=False, layout=box,
                                      style=shared["text"])
            if spec.name == "athlete_id":
                self.input.disabled = True
        parts = [self.description, self.input] + ([self.unknown] if self.unknown else [])
        self.row = widgets.HBox(parts, layout=shared["row"])
        self.row.add_class("hl-question")  # one question's row, for the browser tests and the page's style
        self._message = ""
        self._flag = ""
        self._unit = "km"

    @property
    def in_miles(self) -> bool:
        """True when this question shows its distance or pace in miles."""
        return self._unit == "mi" and self.spec.unit in _MILE_UNITS

    def set_distance_unit(self, unit: str):
        """Show this question in kilometres or miles (the stored value stays in km)."""
        if self.spec.unit not in _MILE_UNITS or unit == self._unit:
            return
        self._unit = unit
        shown = _MILE_UNITS[self.spec.unit] if unit == "mi" else self.spec.unit
        label = f" <span style='color:#555'>[{_esc(shown)}]</span>"
        self._text = (f"<div style='line-height:1.25'><b>{_esc(self.spec.label)}</b>{label}<br>"
                      f"<span style='color:#666;font-size:11px'>{_esc(self.spec.help)}</span></div>")
        self._render()

    @staticmethod
    def shared() -> dict:
        """Layouts and styles for every question of one form."""
        return {"description": widgets.Layout(width="230px"), "input": widgets.Layout(width="170px"),
                "row": widgets.Layout(align_items="flex-start", margin="1px 0"),
                "html": widget_string.HTMLStyle(), "text": widget_string.TextStyle(),
                "description_style": widget_description.DescriptionStyle()}

    def read(self):
        """The value in the controls (None = unknown), in the profile's units; raises InputError for bad text."""
        if self.unknown is not None:
            return None if self.unknown.value else list(self.input.value)
        value = parse_answer(self.spec.name, self.input.value)
        if value is not None and self.in_miles:
            factor = KM_PER_MILE if self.spec.unit == "km" else 1 / KM_PER_MILE  # miles -> km; min/mi -> min/km
            value = round(float(value) * factor, 3)
            if self.spec.kind == "int":
                value = int(round(value))
        return value

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
        elif value is not None and self.in_miles:
            factor = 1 / KM_PER_MILE if self.spec.unit == "km" else KM_PER_MILE
            self.input.value = format_answer(round(float(value) * factor, 2))
        else:
            self.input.value = format_answer(value)

    @property
    def error_text(self) -> str:
        """The refusal shown under the question ("" when none)."""
        return self._message

    def set_error(self, message: str):
        if message == self._message:
            return
        self._message = message
        self._render()

    @property
    def flag_html(self) -> str:
        """The red-flag warning shown under the question ("" when none)."""
        return self._flag

    def set_flag(self, html: str):
        """Show (or clear, with "") the red-flag warning this answer raises."""
        if html == self._flag:
            return
        self._flag = html
        self._render()

    def _render(self):
        error = ("" if not self._message else
                 f"<div style='color:#B00020;font-size:12px'>&#10007; {_esc(self._message)}</div>")
        self.description.value = self._text + error + self._flag


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
        shared = _FieldControl.shared()
        self._fields = {name: _FieldControl(spec, shared) for name, spec in PROFILE_FIELDS.items()}
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
        """Show a profile's answers (clears every inline error), distances in the athlete's unit."""
        self._loading = True
        try:
            unit = profile.get("distance_unit") or "km"
            for fc in self._fields.values():
                fc.set_distance_unit(unit)
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
        if name == "distance_unit":
            # the boxes with a distance or a pace now read in the other unit; the stored km stay
            self._loading = True
            try:
                for other in self._fields.values():
                    if other.spec.unit in _MILE_UNITS:
                        other.set_distance_unit(clean.get("distance_unit") or "km")
                        other.show(clean.get(other.spec.name))
            finally:
                self._loading = False
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

    def show_flags(self, flags: list, fields: dict):
        """Warn under each question whose answer raises a red flag, and nowhere else.

        Parameters
        ----------
        flags : list of dict
            The ranking's ``red_flags``.
        fields : dict
            Flag id to the fields that raise it
            (:func:`heavylegs.analysis.scoring.red_flag_fields`).
        """
        by_field = {}
        for flag in flags:
            for name in fields.get(flag["id"], ()):
                by_field.setdefault(name, []).append(flag)
        for name, fc in self._fields.items():
            fc.set_flag(red_flag_note_html(by_field[name]) if name in by_field else "")

    @property
    def flagged(self) -> dict:
        """Field name to the red-flag warning shown under it."""
        return {name: fc.flag_html for name, fc in self._fields.items() if fc.flag_html}

    def open_section(self, section: str):
        """Unfold one section (a key of :data:`heavylegs.vocabulary.SECTIONS`)."""
        keys = [key for key, _ in self._sections]
        if section in keys:
            self.accordion.selected_index = keys.index(section)

    def set_value(self, name: str, value):
        """Set a question programmatically as a coach would (None = unknown)."""
        self._fields[name].show(value)
        self._changed(name)


# --- The workbook view ---------------------------------------------------------------------

#: Figure widths in the workbook [px], fixed to fit JupyterLab and the app page at 1280 px.
FIGURE_WIDTHS = {"ranking": 570, "load": 880, "history": 880}


class CoachWorkbook(widgets.VBox):
    """The whole workbook as one widget: pick an athlete, answer, read the ranking, upload logs.

    Parameters
    ----------
    data_dir : str or Path, optional
        The data folder (``heavylegs.store.storage.default_data_dir()`` by default).
    athlete_id : str, optional
        Athlete to open; the first in the folder by default. An id that is
        not in the folder starts a new athlete.
    export_dir : str or Path, optional
        Where "Export dashboard" writes: ``exports/`` under the current
        folder by default, which is the notebook's folder, so JupyterLab
        offers the file as a download link.
    lab_url : str, optional
        The address of this notebook in JupyterLab, linked under the title
        when the workbook is served as an app (``make run``).

    Attributes
    ----------
    model : WorkbookModel
        The plain model behind the widgets; it holds every piece of state.
    form : ProfileForm
        The questions.
    ranking_view, load_view, heaviness_view, history_view : heavylegs.app.plotly_chart.PlotlyChart
        The figures on screen (``ranking_figure``, ``load_figure``,
        ``heaviness_figure`` and ``history_figure`` are the figures they show).

    Notes
    -----
    Nothing is written into the data folder until the coach presses Save or
    imports a log. Every view is redrawn from the model's one athlete state,
    so a switch of athlete can never leave another athlete's figures or
    answers on screen.
    """

    def __init__(self, data_dir=None, athlete_id: str | None = None, export_dir=None, lab_url: str | None = None,
                 **kwargs):
        self.model = WorkbookModel(data_dir)
        self.lab_url = lab_url
        self.export_dir = Path(export_dir) if export_dir is not None else Path("exports")
        self.selected_cause = None
        self._busy = False
        self._drawn_log = None
        self._drawn_unit = "km"
        self._build()
        super().__init__(self._layout(), **kwargs)
        ids = self.model.athletes()
        self._set_picker(ids, None)
        athlete_id = athlete_id or (ids[0] if ids else None)
        # a bad id or an unreadable profile shows as a message, never as a traceback
        if athlete_id in ids:
            self._guard(lambda: self.open_athlete(athlete_id))
        elif athlete_id:
            self._guard(lambda: self.new_athlete(athlete_id))

    ranking_figure = property(lambda self: self.ranking_view.shown, doc="The ranking figure shown.")
    load_figure = property(lambda self: self.load_view.shown, doc="The weekly load figure shown.")
    heaviness_figure = property(lambda self: self.heaviness_view.shown, doc="The heaviness figure shown.")
    history_figure = property(lambda self: self.history_view.shown, doc="The history figure shown.")
    wellness_figure = property(lambda self: self.wellness_view.shown, doc="The wellness figure shown.")

    # building
    def _build(self):
        self.title = widgets.HTML(
            "<h2 style='margin:4px 0'>Heavy legs: coach workbook</h2>"
            "<div style='color:#555'>Coaching support, not a diagnosis. Leave a question empty or "
            "&ldquo;unknown&rdquo; when you do not know: unknown is never counted as no or 0."
            + (f" <a href='{_esc(self.lab_url)}' target='_blank' class='hl-lab-link'>Open the notebook in "
               "JupyterLab &#8599;</a>" if self.lab_url else "") + "</div>"
            # served as the app: the notebook's notes for JupyterLab (cells tagged lab-only) are not shown
            + ("<style>.celltag_lab-only{display:none}</style>" if served_by_voila() else ""))
        self.banner = widgets.HTML("")
        self.address = PageAddress()  # the page's ?athlete=, once page_opened says it is the app's page
        self.athlete_picker = widgets.Dropdown(description="Athlete", options=[], value=None,
                                               layout=widgets.Layout(width="230px"))
        self.new_id = widgets.Text(placeholder="new athlete id", continuous_update=True,
                                   layout=widgets.Layout(width="160px"))
        self.new_button = widgets.Button(description="New athlete", icon="user-plus", layout=_AUTO)
        self.save_button = widgets.Button(description="Save assessment", button_style="primary", icon="save",
                                          layout=_AUTO)
        self.export_button = widgets.Button(description="Export dashboard", icon="file-export", layout=_AUTO)
        self.status = widgets.HTML("")
        # unsaved answers restored from the athlete's draft: say so, with Save and Discard beside
        self.draft_note = widgets.HTML("")
        self.draft_save_button = widgets.Button(description="Save", button_style="primary", icon="save",
                                                layout=_AUTO, tooltip="Save these answers as an assessment")
        self.draft_discard_button = widgets.Button(description="Discard", icon="trash", layout=_AUTO,
                                                   tooltip="Forget the unsaved answers; open the saved ones")
        self.draft_box = widgets.HBox([self.draft_note, self.draft_save_button, self.draft_discard_button],
                                      layout=widgets.Layout(align_items="center", flex_flow="row wrap",
                                                            display="none"))
        # an Output, so JupyterLab turns the relative link into a download of the notebook folder's file
        self.export_link = widgets.Output()
        self.form = ProfileForm()
        empty = {"causes": [], "red_flags": [], "ask_next": []}
        self.ranking_view = PlotlyChart(figures.ranking_figure(empty), FIGURE_WIDTHS["ranking"])
        self.cause_picker = widgets.Dropdown(description="Explain", options=[],
                                             layout=widgets.Layout(width="100%"))
        self.cause_detail = widgets.HTML(cause_detail_html(None))
        self.ask_next = widgets.HTML("")
        # what-if
        self.what_if_toggle = widgets.ToggleButton(description="What-if", icon="flask", value=False,
                                                   tooltip="Try answers without changing the saved ones")
        choices = [(_label(n), n) for n in PROFILE_FIELDS if n not in ("athlete_id", "name")]
        self.what_if_field = widgets.Dropdown(options=choices, layout=widgets.Layout(width="250px"))
        # every keystroke reaches the kernel before a click on Try does, so Try uses what is typed
        self.what_if_value = widgets.Text(placeholder="value, e.g. 8 or yes", continuous_update=True,
                                          layout=widgets.Layout(width="130px"))
        self.what_if_try = widgets.Button(description="Try", icon="play", layout=_AUTO)
        self.what_if_reset = widgets.Button(description="Saved answers", icon="undo", layout=_AUTO,
                                            tooltip="Forget the what-if answers")
        self.what_if_summary = widgets.HTML(delta_html([], {}))
        self.what_if_message = widgets.HTML("")
        self.what_if_panel = widgets.VBox(
            [widgets.HBox([self.what_if_field, self.what_if_value, self.what_if_try, self.what_if_reset],
                          layout=widgets.Layout(flex_flow="row wrap")),
             self.what_if_message, self.what_if_summary],
            layout=widgets.Layout(display="none", border="1px dashed #999", padding="6px"))
        # log
        self.upload = ChunkedUpload(accept=_UPLOAD_TYPES, description="Upload log or activities")
        self.upload.on_upload(lambda files: self._guard(lambda: self.import_uploads(files)))
        self.upload.on_too_large(self._too_large)
        self.import_path_text = widgets.Text(placeholder="or a path on this machine, e.g. ~/export_123.zip",
                                             continuous_update=True, layout=widgets.Layout(width="330px"))
        self.import_path_button = widgets.Button(description="Import from path", icon="folder-open",
                                                 layout=_AUTO, tooltip="Import a Strava export (folder or "
                                                 "zip), a training log or activity files where they lie")
        self.progress = widgets.IntProgress(value=0, min=0, max=1, description="Import",
                                            layout=widgets.Layout(width="300px"))
        self.log_status = widgets.HTML("")
        self.metric = widgets.ToggleButtons(options=[("Distance", "distance"), ("Load", "load")],
                                            value="distance")
        self.show_fitness = widgets.Checkbox(value=False, description="Fitness / fatigue / form", indent=False)
        self.load_metric = widgets.Dropdown(
            options=[("load: automatic", "auto"), ("session RPE × min", "srpe"), ("TRIMP (heart rate)", "trimp"),
                     ("HRSS (heart rate)", "hrss"), ("rTSS (pace)", "rtss"), ("stress (HR, else pace)", "stress"),
                     ("minutes", "duration"), ("kilometres", "distance")],
            value="auto", layout=widgets.Layout(width="200px"),
            tooltip="Which load the weekly table, the ratios and the evidence use")
        self.load_summary = widgets.HTML("")
        self.load_view = PlotlyChart(figures.weekly_load_figure(None), FIGURE_WIDTHS["load"])
        self.history_view = PlotlyChart(figures.history_figure(None), FIGURE_WIDTHS["history"])
        self._build_checkins()
        self._build_wellness()
        self._build_plan()
        self._wire()

    def _build_checkins(self):
        # as wide as the label and the choice need: "Soreness 1-7" and "unknown" are never cut
        small = {"layout": widgets.Layout(width="auto"), "style": {"description_width": "initial"}}
        self.checkin_date = widgets.Text(placeholder="YYYY-MM-DD (empty = today)", continuous_update=True,
                                         description="Day", layout=widgets.Layout(width="230px"))
        self.checkin_heaviness = widgets.Dropdown(options=[("heaviness?", None)] + [(str(i), i) for i in range(11)],
                                                  value=None, description="Heavy 0-10", **small)
        self.checkin_items = {}
        for name, label in (("sleep_quality", "Sleep 1-7"), ("fatigue", "Fatigue 1-7"),
                            ("stress", "Stress 1-7"), ("soreness", "Soreness 1-7")):
            self.checkin_items[name] = widgets.Dropdown(options=[(UNKNOWN, None)] + [(str(i), i) for i in range(1, 8)],
                                                        value=None, description=label, **small)
        self.checkin_button = widgets.Button(description="Add check-in", icon="plus", layout=_AUTO)
        self.checkin_status = widgets.HTML("")
        self.heaviness_view = PlotlyChart(figures.heaviness_figure(None), FIGURE_WIDTHS["load"])
        self.patterns = widgets.HTML("")
        self.follow_up = widgets.HTML("")
        # the athlete portal: where the last check-in came from, and the athlete's link with its QR code
        self.last_checkin = widgets.HTML("")
        self.portal_button = widgets.Button(description="Make a portal link", icon="qrcode", layout=_AUTO,
                                            tooltip="a new secret link to the athlete's own pages and daily check-in")
        self.portal_link = widgets.HTML("")

    def _build_wellness(self):
        """Beside the training log: import a watch's or ring's export; under the heaviness chart: its panel."""
        self.wellness_upload = ChunkedUpload(accept=_WELLNESS_TYPES, description="Upload wellness (watch, ring)",
                                             css_prefix="hl-wellness-upload")
        self.wellness_upload.on_upload(lambda files: self._guard(lambda: self.import_wellness_uploads(files)))
        self.wellness_upload.on_too_large(self._too_large)
        self.wellness_path_text = widgets.Text(placeholder="or a path, e.g. ~/apple_health_export/export.xml",
                                               continuous_update=True, layout=widgets.Layout(width="330px"))
        self.wellness_path_button = widgets.Button(description="Import wellness from path", icon="heartbeat",
                                                   layout=_AUTO, tooltip="Garmin, Apple Health, Fitbit, Oura, "
                                                   "WHOOP exports or a wellness CSV, where they lie")
        self.wellness_status = widgets.HTML("")
        self.wellness_summary = widgets.HTML("")
        self.wellness_view = PlotlyChart(figures.wellness_figure(None), FIGURE_WIDTHS["load"])

    def _build_plan(self):
        self.plan_new_button = widgets.Button(description="New plan from these answers", icon="calendar",
                                              layout=_AUTO)
        self.plan_apply_button = widgets.Button(description="Apply plan edits", icon="check", layout=_AUTO)
        self.plan_status = widgets.HTML("")
        self.plan_view = widgets.HTML("")
        self.plan_edit_toggle = widgets.ToggleButton(description="Edit the plan", icon="edit", value=False,
                                                     layout=_AUTO, tooltip="Change days, minutes, loads, notes")
        self._plan_unit = "km"
        self._plan_header, self._plan_cells = [], []
        # the editable grid (140 widgets) is built the first time the coach asks for it
        self.plan_grid = widgets.GridBox([], layout=widgets.Layout(grid_gap="2px 4px", display="none"))

    def _build_plan_grid(self):
        """The 14-row editable grid, built once and refilled: a plan always has 14 days."""
        self._plan_header = [widgets.HTML("") for _ in range(10)]
        self._plan_cells = []
        for _ in range(14):
            row = [widgets.Label(""), widgets.Label(""),
                   widgets.Dropdown(options=list(KINDS), layout=widgets.Layout(width="auto"))]
            row += [widgets.Text(continuous_update=True, layout=widgets.Layout(width="auto")) for _ in range(7)]
            self._plan_cells.append(row)
        self.plan_grid.layout.grid_template_columns = "40px 95px 95px 70px 70px 70px 70px 150px 60px 1fr"
        self.plan_grid.children = tuple(self._plan_header + [cell for row in self._plan_cells for cell in row])

    def _layout(self):
        bar = widgets.HBox([self.athlete_picker, self.new_id, self.new_button, self.save_button,
                            self.export_button], layout=widgets.Layout(flex_flow="row wrap"))
        # Side by side when there is room, the ranking under the form when there is not.
        results = widgets.VBox([self.ranking_view, self.what_if_toggle, self.what_if_panel, self.ask_next,
                                self.cause_picker, self.cause_detail],
                               layout=widgets.Layout(flex="1 1 580px", padding="0 0 0 12px"))
        form = widgets.VBox([widgets.HTML("<h3 style='margin:4px 0'>Answers</h3>"), self.form],
                            layout=widgets.Layout(flex="0 0 480px"))
        load = widgets.VBox([widgets.HTML("<h3 style='margin:8px 0 4px 0'>Training log</h3>"),
                             widgets.HBox([self.upload, self.import_path_text, self.import_path_button],
                                          layout=widgets.Layout(align_items="center", flex_flow="row wrap")),
                             widgets.HBox([self.progress, self.log_status],
                                          layout=widgets.Layout(align_items="center")),
                             widgets.HBox([self.wellness_upload, self.wellness_path_text, self.wellness_path_button],
                                          layout=widgets.Layout(align_items="center", flex_flow="row wrap")),
                             self.wellness_status,
                             widgets.HBox([self.metric, self.load_metric, self.show_fitness],
                                          layout=widgets.Layout(align_items="center", flex_flow="row wrap")),
                             self.load_summary, self.load_view])
        history = widgets.VBox([widgets.HTML("<h3 style='margin:8px 0 4px 0'>History</h3>"), self.history_view])
        checkins = widgets.VBox([
            widgets.HTML("<h3 style='margin:8px 0 4px 0'>Daily check-ins</h3>"
                         "<div style='color:#555'>How heavy the legs felt today (0 light, 10 like lead) and the "
                         "four Hooper items (1 very, very good to 7 very, very bad).</div>"),
            widgets.HBox([self.checkin_date, self.checkin_heaviness, *self.checkin_items.values(),
                          self.checkin_button], layout=widgets.Layout(flex_flow="row wrap", align_items="center")),
            self.checkin_status, self.last_checkin,
            widgets.HBox([self.portal_button, self.portal_link], layout=widgets.Layout(align_items="center")),
            self.follow_up, self.heaviness_view, self.wellness_summary, self.wellness_view,
            self.patterns])
        plan = widgets.VBox([
            widgets.HTML("<h3 style='margin:8px 0 4px 0'>Two-week plan</h3>"),
            widgets.HBox([self.plan_new_button, self.plan_edit_toggle, self.plan_apply_button, self.plan_status],
                          layout=widgets.Layout(flex_flow="row wrap", align_items="center")),
            self.plan_view, self.plan_grid])
        main = widgets.HBox([form, results], layout=widgets.Layout(flex_flow="row wrap", width="100%"))
        return [self.title, self.banner, bar, self.draft_box, self.status, self.export_link, main, load, plan,
                checkins, history, plotly_library(), self.address]

    def _wire(self):
        self.athlete_picker.observe(self._on_pick, names="value")
        self.new_button.on_click(lambda _b: self._guard(lambda: self.new_athlete(self.new_id.value.strip())))
        self.save_button.on_click(lambda _b: self._guard(self.save))
        self.draft_save_button.on_click(lambda _b: self._guard(self.save))
        self.draft_discard_button.on_click(lambda _b: self._guard(self.discard_draft))
        self.export_button.on_click(lambda _b: self._guard(self.export_dashboard))
        self.form.observe(self._on_answers, names="profile")
        self.cause_picker.observe(lambda ch: self.select_cause(ch["new"]), names="value")
        self.what_if_toggle.observe(self._on_what_if_toggle, names="value")
        self.what_if_try.on_click(lambda _b: self._guard_what_if(self.try_what_if))
        self.what_if_reset.on_click(lambda _b: self._guard_what_if(self.reset_what_if))
        self.import_path_button.on_click(lambda _b: self._guard(self.import_from_path))
        self.wellness_path_button.on_click(lambda _b: self._guard(self.import_wellness_from_path))
        self.checkin_button.on_click(lambda _b: self._guard_in(self.checkin_status, self.add_checkin))
        self.portal_button.on_click(lambda _b: self._guard_in(self.portal_link, self.make_portal_link))
        self.plan_new_button.on_click(lambda _b: self._guard_in(self.plan_status, self.new_plan))
        self.plan_apply_button.on_click(lambda _b: self._guard_in(self.plan_status, self.apply_plan_edits))
        self.plan_edit_toggle.observe(lambda ch: self.refresh_plan(), names="value")
        self.ranking_view.on_click(self._bar_click)
        self.metric.observe(lambda ch: self.refresh_load(), names="value")
        self.load_metric.observe(self._on_load_metric, names="value")
        self.show_fitness.observe(lambda ch: self.refresh_load(), names="value")

    def _bar_click(self, point):
        """A click on a bar explains its cause (the bars' customdata are cause ids)."""
        if point.get("customdata") in [value for _, value in self.cause_picker.options]:
            self.cause_picker.value = point["customdata"]

    def _guard(self, action):
        """Run a button's action; show bad input as a message instead of a traceback."""
        try:
            return action()
        except InputError as exc:
            self._say("; ".join(str(p) for p in exc.problems), error=True)
        except OSError as exc:
            self._say(f"Could not read or write a file: {exc}", error=True)
        return None

    def _guard_what_if(self, action):
        """Run a what-if action; its message shows in the what-if panel and a success clears it."""
        try:
            action()
        except InputError as exc:
            self.what_if_message.value = status_html("; ".join(str(p) for p in exc.problems), error=True)
            return
        self.what_if_message.value = ""

    def _guard_in(self, where, action):
        """Run an action whose message belongs beside its own button."""
        try:
            action()
        except InputError as exc:
            where.value = status_html("; ".join(str(p) for p in exc.problems), error=True)
        except OSError as exc:
            where.value = status_html(f"Could not read or write a file: {exc}", error=True)

    def _say(self, text, error=False):
        self.status.value = status_html(text, error=error)

    def _set_picker(self, options, value):
        """Set the athlete list and choice without the change opening anything."""
        self._busy = True
        try:
            self.athlete_picker.options = list(options)
            self.athlete_picker.value = value
        finally:
            self._busy = False

    # athletes
    def _on_pick(self, change):
        if self._busy or not change["new"] or change["new"] == self.model.athlete_id:
            return
        self._guard(lambda: self.open_athlete(change["new"]))
        if self.athlete_picker.value != self.model.athlete_id:  # refused: show who is really open
            self._set_picker(self.athlete_picker.options, self.model.athlete_id)

    def open_athlete(self, athlete_id: str):
        """Open a saved athlete: latest answers (or the unsaved draft), log, ranking and history."""
        self.model.open(athlete_id)
        self._after_open()
        if self.model.draft_problem:
            self._say(f"Opened {athlete_id}. {self.model.draft_problem}", error=True)
        elif self.model.log_problems:
            self._say(f"Opened {athlete_id}, without the training log, which has problems: "
                      + "; ".join(str(p) for p in self.model.log_problems[:3]), error=True)
        else:
            self._say(f"Opened {athlete_id}.")

    def new_athlete(self, athlete_id: str, name: str | None = None):
        """Start a new athlete (saved on the first Save); an id with files on disk is opened instead."""
        if athlete_id and self.model.exists(athlete_id):
            self.open_athlete(athlete_id)
            self._say(f"{athlete_id} already has files here, so its saved answers and log are open; "
                      "nothing was overwritten.")
            return
        self.model.new(athlete_id, name)
        self._after_open()
        self.new_id.value = ""
        self._say(f"New athlete {athlete_id}: answer what you know, then Save.")

    def _after_open(self):
        self.selected_cause = None
        self._busy = True
        try:
            self.what_if_toggle.value = False
            self.what_if_panel.layout.display = "none"
            self.what_if_message.value = ""
            self.load_metric.value = self.model.metric
            self.form.load(self.model.answers)
        finally:
            self._busy = False
        self._set_picker(sorted(set(self.model.athletes()) | {self.model.athlete_id}), self.model.athlete_id)
        if self.address.athlete:
            self.address.athlete = self.model.athlete_id or ""
        self.log_status.value = ""
        self.progress.value = 0
        self.export_link.outputs = ()
        self.checkin_status.value = ""
        self.portal_link.value = ""
        self.plan_status.value = ""
        self.refresh()
        self.refresh_load()
        self.refresh_checkins()
        self.refresh_plan()
        self.refresh_history()
        self.refresh_draft()
        # Unfold where the most useful unknown answer is, so the form starts somewhere helpful.
        ask = self.model.ranking.get("ask_next") or []
        self.form.open_section(PROFILE_FIELDS[ask[0]].section if ask else "training")

    # answers and ranking
    def _on_answers(self, change):
        if self._busy:
            return
        self._guard(lambda: self.model.set_answers(change["new"]))
        if self.model.draft_problem:
            self._say(self.model.draft_problem, error=True)
        self.refresh()
        if self.model.assessment is not None and (self.model.assessment.log is not self._drawn_log
                                                  or self._unit() != self._drawn_unit):
            self.refresh_load()  # a new assessment date moves the end of the chart; a new unit, its bars
        if self.model.plan_source == "draft":
            self.refresh_plan()  # a draft follows the answers until the coach edits or saves it

    def _unit(self) -> str:
        """The open athlete's distance unit, "km" or "mi"."""
        return (self.model.answers.get("distance_unit") or "km") if self.model.state is not None else "km"

    def shown_ranking(self) -> dict:
        """The ranking on screen: the what-if one while What-if is on."""
        return self.model.what_if_ranking if self.what_if_toggle.value else self.model.ranking

    def refresh(self):
        """Redraw the banner, the ranking, the detail panel and the ask-next list."""
        ranking = self.shown_ranking()
        compare = self.model.ranking if (self.what_if_toggle.value and self.model.what_if) else None
        self.banner.value = red_flag_html(ranking)
        # the same flags, under the very questions that raise them, in the same refresh
        self.form.show_flags(ranking.get("red_flags") or [],
                             red_flag_fields({**self.model.answers, **(self.model.what_if if compare else {})}))
        fig = figures.ranking_figure(ranking, compare=compare, selected=self.selected_cause)
        self.ranking_view.show(fig)
        options = [(f"{c['rank']}. {c['title']} ({c['score']})", c["id"]) for c in ranking["causes"]]
        current = self.selected_cause or (ranking["causes"][0]["id"] if ranking["causes"] else None)
        self._busy = True
        try:
            self.cause_picker.options = options
            self.cause_picker.value = current
        finally:
            self._busy = False
        self.cause_detail.value = cause_detail_html(next((c for c in ranking["causes"] if c["id"] == current), None),
                                                    unit=self._unit())
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
        if self._busy:
            return
        if not change["new"] and self.model.what_if:
            self.model.clear_what_if()
        self.what_if_message.value = ""
        self.refresh()

    def try_what_if(self, name: str | None = None, text=None):
        """Apply one what-if answer (the panel's question and value by default)."""
        name = name or self.what_if_field.value
        text = self.what_if_value.value if text is None else text
        try:
            value = parse_answer(name, text)
        except InputError as exc:
            raise InputError([type(p)("What-if", p.message, field=_label(name)) for p in exc.problems]) from None
        self.model.set_what_if(name, value)
        self.what_if_toggle.value = True
        self.what_if_message.value = ""
        self.refresh()

    def reset_what_if(self):
        """Forget the what-if answers."""
        self.model.clear_what_if()
        self.what_if_message.value = ""
        self.refresh()

    # log
    def refresh_load(self):
        """Redraw the weekly load chart from the model's log."""
        self._drawn_log = None if self.model.assessment is None else self.model.assessment.log
        self._drawn_unit = self._unit()
        ratio = ratio_sentence(latest_ratio(self.model.weekly, self.model.daily), "coach") if self.model.state else ""
        self.load_summary.value = ((load_summary_html(self.model.load_summary()) if self.model.state else "")
                                   + (f"<div class='hl-ratio' style='font-size:12px'>{ratio}</div>" if ratio else ""))
        projection = self.model.plan_projection() if self.model.state is not None else None
        fig = figures.weekly_load_figure(self.model.weekly, metric=self.metric.value,
                                         show_fitness=self.show_fitness.value, daily=self.model.daily,
                                         plan=projection, unit=self._unit())
        self.load_view.show(fig)

    def _on_load_metric(self, change):
        if self._busy or self.model.state is None:
            return
        self._guard(lambda: self.model.set_metric(change["new"]))
        self.refresh()
        self.refresh_load()
        self.refresh_plan()

    def _progress(self, done, total):
        self.progress.max = max(1, total)
        self.progress.value = min(done, self.progress.max)

    def _too_large(self, files):
        names = ", ".join(f"{f['name']} ({f['size'] / 1024 ** 3:.1f} GB)" for f in files)
        self._say(f"Too large to upload through the browser: {names}. Type the file's path on this machine "
                  "in the box beside the button and press Import from path instead.", error=True)

    def import_uploads(self, files):
        """Import uploaded files into the open athlete's log.

        Parameters
        ----------
        files : sequence of dict
            ``{"name", "path"}`` (as :class:`heavylegs.app.upload.ChunkedUpload`
            passes them) or ``{"name", "content"}`` (bytes, as
            ``ipywidgets.FileUpload`` holds them).
        """
        with _uploaded_paths(files) as paths:
            self._import(paths, names={str(p): p.name for p in paths})

    def import_wellness_uploads(self, files):
        """Import uploaded wellness exports into the open athlete's wellness.csv (as :meth:`import_uploads`)."""
        with _uploaded_paths(files) as paths:
            names = {str(p): (Path(str(f["name"])).name if f.get("name") else p.name) for p, f in zip(paths, files)}
            self._import_wellness(paths, names)

    def import_wellness_from_path(self, text: str | None = None):
        """Import the wellness export typed in the wellness path box (an Apple export.zip of several GB, say)."""
        text = self.wellness_path_text.value if text is None else text
        path = check_import_path(text, "Import wellness from path", WELLNESS_SUFFIXES)
        self._say(f"Importing {path}...")
        self._import_wellness([path])

    def _import_wellness(self, paths, names=None):
        athlete_id = self.model.athlete_id
        outcome = self.model.import_wellness(paths, names=names)
        self.wellness_status.value = wellness_import_html(outcome, athlete_id)
        self._say(f"Imported wellness into {athlete_id}'s wellness.csv.")
        if athlete_id not in self.athlete_picker.options:
            self._set_picker(sorted(set(self.model.athletes()) | {athlete_id}), athlete_id)
        self.refresh()
        self.refresh_checkins()

    def refresh_wellness(self, x_range=None):
        """Redraw the wellness panel on the heaviness chart's dates, and its summary in words."""
        state = self.model.state
        until = None if state is None else state.answers.get("assessed_on")
        fig = figures.wellness_figure(self.model.wellness, until=until, x_range=x_range)
        self.wellness_view.show(fig)
        self.wellness_summary.value = wellness_html(self.model.wellness_summary(), self.model.wellness_problems)

    def import_from_path(self, text: str | None = None):
        """Import the file or folder typed in the path box (a large Strava export, say)."""
        text = self.import_path_text.value if text is None else text
        path = check_import_path(text, "Import from path")
        self._say(f"Importing {path}...")
        self._import([path])

    def _import(self, paths, names=None):
        athlete_id = self.model.athlete_id
        self.progress.value = 0
        self.progress.max = max(1, len(paths))
        outcome = self.model.import_files(paths, progress=self._progress, names=names)
        self.progress.value = self.progress.max
        failed = "".join(f"<br>&#10007; {_esc(Path(p).name)}: {_esc(r)}" for p, r in outcome["failed"])
        kept = "" if outcome["path"] is not None else " The log was left as it was."
        self.log_status.value = (f"{outcome['added']} session(s) added to {_esc(athlete_id)}'s log, "
                                 f"{outcome['duplicates']} duplicate(s) skipped.{kept}{failed}")
        line, error = import_status_line(athlete_id, outcome)
        self._say(line, error=error)
        self.upload.note = line
        if athlete_id not in self.athlete_picker.options:
            self._set_picker(sorted(set(self.model.athletes()) | {athlete_id}), athlete_id)
        self.refresh()
        self.refresh_load()

    # saving
    def save(self) -> Path | None:
        """Save a dated assessment of the answers; returns its file.

        Nothing is saved while a box holds a refused value: the coach is told
        which boxes to correct, so a save never silently keeps older values.
        """
        if self._refuse_refused_boxes("Not saved"):
            return None
        path = self.model.save()
        self.refresh_draft()
        self.refresh_plan()
        self.refresh_checkins()
        self._set_picker(sorted(set(self.model.athletes()) | {self.model.athlete_id}), self.model.athlete_id)
        self.refresh_history()
        self._say(f"Saved {path.name} for {self.model.athlete_id}.")
        return path

    # the page
    def page_opened(self, request: dict | None = None) -> "CoachWorkbook":
        """Bring the workbook up to date for the page that is being opened; returns itself.

        Served as an app, the notebook runs before the coach asks for the
        page (:mod:`heavylegs.app.page`). When the page comes, the athlete
        named in its address (``?athlete=ben``) is opened, and the open
        athlete is read again if their files changed meanwhile (unsaved
        answers another page left as a draft, a save). Nothing happens when
        nothing changed, so the page shows at once.

        Parameters
        ----------
        request : dict, optional
            What :func:`heavylegs.app.page.wait_for_page` returned.
        """
        if served_by_voila():  # the app's workbook page: a reload comes back to the athlete shown
            self.address.athlete = self.model.athlete_id or ""
        wanted = page_query(request).get("athlete")
        if wanted and wanted != self.model.athlete_id:
            if self.model.exists(wanted):
                self._guard(lambda: self.open_athlete(wanted))
            else:
                self._guard(lambda: self.new_athlete(wanted))
        elif self.model.state is not None and self.model.changed_on_disk():
            self._guard(lambda: self.open_athlete(self.model.athlete_id))
        return self

    # unsaved answers
    def refresh_draft(self):
        """Show the note on restored unsaved answers (with Save and Discard), or hide it."""
        restored = self.model.draft_restored if self.model.state is not None else None
        self.draft_note.value = draft_note_html(restored) if restored else ""
        self.draft_box.layout.display = "flex" if restored else "none"

    def discard_draft(self):
        """Forget the open athlete's unsaved answers and show the saved ones."""
        athlete_id = self.model.athlete_id
        self.model.discard_draft()
        self._after_open()
        self._say(f"Unsaved answers of {athlete_id} discarded; the saved answers are back.")

    # check-ins
    def add_checkin(self):
        """Add the check-in typed in the quick-entry row for the open athlete."""
        if self.checkin_heaviness.value is None:
            raise InputError([type_problem("Check-in", "found no heaviness, expected a number from 0 to 10",
                                           "heaviness")])
        day = self.checkin_date.value.strip() or _dt.date.today().isoformat()
        entry = {"date": day, "heaviness": self.checkin_heaviness.value}
        entry.update({name: box.value for name, box in self.checkin_items.items() if box.value is not None})
        outcome = self.model.add_checkin(entry)
        word = "replaced" if outcome.get("replaced") else "added"
        self.checkin_status.value = status_html(
            f"Check-in of {outcome['entry']['date']} {word} for {self.model.athlete_id} "
            f"({outcome.get('count', len(self.model.checkins))} in all).")
        self.checkin_heaviness.value = None
        for box in self.checkin_items.values():
            box.value = None
        self.refresh_checkins()
        self.refresh()

    def refresh_checkins(self):
        """Redraw the heaviness chart, the patterns and the follow-up."""
        plan = self.model.state.saved_plan if self.model.state is not None else None
        fig = figures.heaviness_figure(self.model.checkins, self.model.daily,
                                       plan_start=plan["start"] if plan else None)
        self.heaviness_view.show(fig)
        self.refresh_wellness(fig.layout.xaxis.range)
        self.patterns.value = patterns_html(self.model.patterns, detail=True)
        self.follow_up.value = follow_up_html(self.model.follow_up()) if self.model.state is not None else ""
        state = self.model.state
        self.last_checkin.value = last_checkin_html(last_checkin(state.checkins), _dt.date.today()) \
            if state is not None else ""

    def make_portal_link(self) -> str:
        """Make a new portal link for the open athlete and show it with its QR code (``docs/portal.md``)."""
        state = self.model.state
        if state is None:
            raise InputError([type_problem("Portal link", "found no athlete open, expected one")])
        link = make_link(self.model.data_dir, state.athlete_id)
        name = str(self.model.answers.get("name") or state.athlete_id)
        self.portal_link.value = portal_link_html(link, name)
        return link

    # the plan
    def new_plan(self):
        """Draft a new plan from the current answers and log."""
        self.model.new_plan()
        self.plan_status.value = status_html("A new plan was drafted from these answers; Save keeps it.")
        self.refresh_plan()
        self.refresh_load()

    def apply_plan_edits(self):
        """Apply what the coach typed in the plan table."""
        columns = plan_columns(self._plan_unit)
        rows = []
        for cells in self._plan_cells:
            row = {col: cell.value for col, cell in zip(columns, cells)}
            row["day"] = int(row["day"])
            rows.append(row)
        self.model.edit_plan(rows)
        self.plan_status.value = status_html("Plan edits applied; Save keeps them with the assessment.")
        self.refresh_plan()
        self.refresh_load()

    def refresh_plan(self):
        """Show the plan: a table to read, and the editable grid while "Edit the plan" is on."""
        plan = self.model.plan if self.model.state is not None else None
        editing = self.plan_edit_toggle.value and plan is not None
        self.plan_apply_button.layout.display = "" if editing else "none"
        if plan is None:
            self.plan_view.value = ""
            self.plan_grid.layout.display = "none"
            return
        unit = self._plan_unit = distance_unit(self.model.answers)
        columns = plan_columns(unit)
        labels = plan_column_labels(unit, plan.get("load_metric"))
        rows = plan_rows(plan, unit)
        self.plan_view.value = "" if editing else plan_table_html(rows, columns, labels)
        if editing:
            if not self._plan_cells:
                self._build_plan_grid()
            for box, col in zip(self._plan_header, columns):
                box.value = f"<b>{_esc(labels.get(col, col))}</b>"
            for cells, row in zip(self._plan_cells, rows):
                for cell, col in zip(cells, columns):
                    value = row.get(col)
                    cell.value = value if col == "kind" else ("" if value is None else str(value))
        self.plan_grid.layout.display = "grid" if editing else "none"
        source = {"saved": "the plan saved with the last assessment",
                  "edited": "your edits, not saved yet",
                  "draft": "a draft from these answers, not saved yet"}.get(self.model.plan_source, "")
        withheld = plan.get("withheld_for") or []
        note = (f"Training withheld for the red flag(s) {', '.join(withheld)}: every day is rest. "
                if withheld else "")
        if not self.plan_status.value or "Plan:" in self.plan_status.value:
            self.plan_status.value = status_html(f"Plan: {note}{source}, from {plan['start']}.")

    def _refuse_refused_boxes(self, what: str) -> bool:
        """Say which boxes hold a refused value (True), or nothing (False)."""
        if not self.form.errors:
            return False
        boxes = ", ".join(_label(n) for n in self.form.errors)
        self._say(f"{what}: correct or empty these boxes first: {boxes}.", error=True)
        return True

    def refresh_history(self):
        """Redraw the history of the top causes."""
        try:
            history = self.model.history() if self.model.athlete_id else None
        except InputError as exc:
            history = None
            self._say("History unreadable: " + "; ".join(str(p) for p in exc.problems), error=True)
        fig = figures.history_figure(history)
        self.history_view.show(fig)

    def export_dashboard(self, out_dir=None):
        """Export the athlete's dashboard with :func:`heavylegs.views.dashboard.export_dashboard`.

        Parameters
        ----------
        out_dir : str or Path, optional
            Folder for the HTML file (``export_dir`` by default).

        Returns
        -------
        Path or None
            The file written (None when refused). Answers changed since the
            last save are saved first (a new dated assessment), as the
            dashboard shows the saved answers; a link to the file appears
            under the buttons.
        """
        # The dashboard shows the saved answers: save first what the coach sees on screen.
        if self._refuse_refused_boxes("Not saved, not exported"):
            return None
        saved = None
        if self.model.unsaved:
            saved = self.save()
            if saved is None:
                return None
        out_dir = Path(out_dir) if out_dir else self.export_dir
        self._say(f"Exporting the dashboard of {self.model.athlete_id}...")
        result = export_dashboard(self.model.data_dir, self.model.athlete_id, out_dir)
        first = f"Saved {saved.name} first, so it shows these answers. " if saved else ""
        self._say(f"{first}Dashboard exported to {result}.")
        try:
            href = result.resolve().relative_to(Path.cwd().resolve()).as_posix()
        except ValueError:
            href = None
        if href and os.environ.get("VOILA_BASE_URL"):
            # the app (Voila) serves the notebook folder's exports at voila/files/ (make run allows them)
            href = f"{os.environ['VOILA_BASE_URL']}voila/files/{href}"
        if href:
            link = (f"<a href='{_esc(href)}' download='{_esc(result.name)}' class='hl-export-link'>"
                    f"&#11015; Download {_esc(result.name)}</a> (one file; it opens offline, on a phone too)")
        else:
            link = f"Written to <code>{_esc(result)}</code>."
        # appended as output data, which JupyterLab renders with its links resolved to the file
        self.export_link.outputs = ()
        self.export_link.append_display_data(HTML(link))
        return result
