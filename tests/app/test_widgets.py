"""The workbook without a browser: set widget values, check the ranking, figures and files."""
import json
from pathlib import Path

import pandas as pd
import pytest

from heavylegs.errors import InputError
from heavylegs.vocabulary import PROFILE_FIELDS, SECTIONS
from heavylegs.app.widgets import (UNKNOWN, CoachWorkbook, ProfileForm, WorkbookModel, ask_next_html,
                               cause_detail_html, delta_html, format_answer, merge_logs, parse_answer,
                               ranking_delta, red_flag_html)

ACTIVITIES = Path(__file__).resolve().parents[1] / "data" / "activities"


def _files(folder):
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _score(ranking, cause_id):
    return next(c["score"] for c in ranking["causes"] if c["id"] == cause_id)


# --- plain functions -------------------------------------------------------------------------

@pytest.mark.parametrize("name, text, expected", [
    ("sleep_h", "7.5", 7.5), ("sleep_h", " 7,5 ", 7.5), ("sleep_h", "8", 8), ("sleep_h", "8.0", 8.0),
    ("sleep_h", "0", 0),
    ("sleep_h", "", None), ("sleep_h", "unknown", None), ("sleep_h", None, None),
    ("rest_days_per_week", "2", 2), ("rest_days_per_week", "2.0", 2), ("cramps", "yes", True), ("cramps", "No", False),
    ("cramps", True, True), ("diet", "vegan", "vegan"),
    ("recent_changes", "heat; travel", ["heat", "travel"]), ("recent_changes", ("heat",), ["heat"]),
])
def test_parse_answer(name, text, expected):
    value = parse_answer(name, text)
    assert value == expected and type(value) is type(expected)


def test_parse_answer_refuses_what_it_cannot_read():
    with pytest.raises(InputError, match=r"sleep_h: found 'lots', expected a number from 0 to 14 \[h\]"):
        parse_answer("sleep_h", "lots")
    with pytest.raises(InputError, match="cramps: found 'maybe', expected yes, no or unknown"):
        parse_answer("cramps", "maybe")
    with pytest.raises(InputError, match="sleep_hours: unknown field"):
        parse_answer("sleep_hours", "7")


def test_format_answer_shows_unknown_as_empty_never_zero():
    assert format_answer(None) == "" and format_answer(0) == "0" and format_answer(0.0) == "0.0"
    assert format_answer(7.5) == "7.5" and format_answer(False) == "no" and format_answer(["a", "b"]) == "a; b"


def _doc(scores):
    return {"causes": [{"id": cid, "title": cid, "score": s, "rank": i + 1,
                        "band": "likely" if s >= 60 else "possible" if s >= 35 else "unlikely"}
                       for i, (cid, s) in enumerate(scores)]}


def test_ranking_delta_lists_changed_causes_biggest_fall_first():
    before = _doc([("a", 63), ("b", 45), ("c", 0)])
    after = _doc([("b", 55), ("a", 18), ("c", 0)])
    delta = ranking_delta(before, after)
    assert [(d["id"], d["change"]) for d in delta] == [("a", -45), ("b", 10)]
    assert delta[0]["band_before"] == "likely" and delta[0]["band_after"] == "unlikely"
    assert delta[0]["rank_after"] == 2
    assert ranking_delta(before, before) == []
    assert "No what-if change yet" in delta_html([], {})
    assert "-45" in delta_html(delta, {"sleep_h": 8}) and "Sleep [h] = 8" in delta_html(delta, {"sleep_h": 8})


def test_merge_logs_drops_sessions_seen_twice():
    old = pd.DataFrame({"date": ["2026-11-01", "2026-11-02"], "activity": ["run", "run"],
                        "duration_min": [40.0, 50.0], "distance_km": [8.0, 10.0],
                        "start_time": ["2026-11-01T07:00:12+01:00", None]})
    new = pd.DataFrame({"date": ["2026-11-01", "2026-11-02", "2026-11-03", "2026-11-03"],
                        "activity": ["run", "run", "strength", "strength"],
                        "duration_min": [41.0, 50.0, 30.0, 30.0], "distance_km": [8.1, 10.0, None, None],
                        "start_time": ["2026-11-01T07:00:48+01:00", None, None, None]})
    merged, dropped = merge_logs(old, new)
    # same start minute (device rounding differs), same numbers without a start time, a repeat in new
    assert dropped == 3
    assert list(merged["date"]) == ["2026-11-01", "2026-11-02", "2026-11-03"]
    assert merged["duration_min"].iloc[0] == 40.0  # the existing session wins
    merged, dropped = merge_logs(None, new.iloc[:1])
    assert len(merged) == 1 and dropped == 0


def test_html_fragments():
    flags = {"red_flags": [{"id": "cardiac_symptoms", "urgency": "emergency", "title": "Chest <pain>",
                            "reason": "r", "action": "a"}]}
    banner = red_flag_html(flags)
    assert "See a doctor" in banner and "EMERGENCY" in banner and "Chest &lt;pain&gt;" in banner
    assert red_flag_html({"red_flags": []}) == ""
    assert "Sleep [h]" in ask_next_html({"ask_next": ["sleep_h"]})
    assert "nothing left" in ask_next_html({"ask_next": []})
    cause = {"id": "x", "title": "X", "score": 45, "band": "possible", "coverage": 0.25, "summary": "s",
             "evidence": [{"field": "log_acwr", "value": 1.6, "points": 2, "because": "ACWR 1.6",
                           "week": "2026-11-02", "from_log": True}],
             "missing": ["ferritin_ug_l"], "advice": ["Ease off."], "see_doctor_if": "it hurts"}
    text = cause_detail_html(cause)
    for part in ("+2</b> ACWR 1.6", "week of 2026-11-02", "Ease off.", "it hurts", "Ferritin [µg/L]", "25%"):
        assert part in text
    assert "Pick a cause" in cause_detail_html(None)


# --- the form ------------------------------------------------------------------------------

def test_form_is_built_from_the_field_table_and_starts_unknown():
    form = ProfileForm()
    assert set(form.controls) == set(PROFILE_FIELDS)
    sections = [key for key, _ in SECTIONS if key != "log"]
    assert len(form.accordion.children) == len(sections) == 7
    assert form.accordion.titles[0].startswith("Identity")
    for name, control in form.controls.items():
        kind = PROFILE_FIELDS[name].kind
        if kind in ("int", "number"):
            assert control.value == "" and control.placeholder == UNKNOWN  # never a silent 0
        elif kind in ("bool", "enum"):
            assert control.value == "" and control.label == UNKNOWN
        elif kind == "list":
            assert form.unknown_boxes[name].value is True
    assert form.profile == {}


def test_form_shows_unit_and_help_for_every_field():
    form = ProfileForm()
    for name, spec in PROFILE_FIELDS.items():
        text = form._fields[name].description.value
        assert spec.label.replace("'", "&#x27;") in text or spec.label in text
        if spec.unit:
            assert f"[{spec.unit}]" in text


def test_form_accepts_refuses_and_forgets_answers():
    form = ProfileForm({"athlete_id": "ana", "assessed_on": "2026-11-16"})
    seen = []
    form.observe(lambda ch: seen.append(ch["new"]), names="profile")
    form.controls["sleep_h"].value = "6.5"
    assert form.profile["sleep_h"] == 6.5 and len(seen) == 1
    form.controls["sleep_h"].value = "0"
    assert form.profile["sleep_h"] == 0   # 0 is an answer, distinct from unknown
    form.controls["sleep_h"].value = "20"
    assert form.errors == {"sleep_h": "found 20, expected a number from 0 to 14 [h]"}
    assert "expected a number from 0 to 14" in form._fields["sleep_h"].error_text
    assert form.profile["sleep_h"] == 0   # the refused value never reaches the profile
    form.controls["sleep_h"].value = ""
    assert "sleep_h" not in form.profile and form.errors == {}
    assert form._fields["sleep_h"].error_text == ""


def test_form_bool_enum_and_list_controls():
    form = ProfileForm({"athlete_id": "ana"})
    form.controls["cramps"].value = "no"
    assert form.profile["cramps"] is False
    form.controls["cramps"].value = ""
    assert "cramps" not in form.profile
    form.controls["diet"].value = "vegan"
    assert form.profile["diet"] == "vegan"
    form.controls["recent_changes"].value = ("heat", "travel")
    assert form.profile["recent_changes"] == ["heat", "travel"] and form.unknown_boxes["recent_changes"].value is False
    form.controls["recent_changes"].value = ()
    assert form.profile["recent_changes"] == []    # known: none of these
    form.unknown_boxes["recent_changes"].value = True
    assert "recent_changes" not in form.profile and form.controls["recent_changes"].disabled
    form.controls["age_years"].value = "30.5"
    assert form.errors["age_years"].startswith("found 30.5, expected a whole number")


def test_form_loads_a_profile_and_counts_known_answers():
    form = ProfileForm()
    form.load({"athlete_id": "ana", "sleep_h": 7.5, "cramps": False, "recent_changes": ["heat"]})
    assert form.controls["sleep_h"].value == "7.5" and form.controls["cramps"].value == "no"
    assert form.controls["athlete_id"].value == "ana" and form.controls["athlete_id"].disabled
    assert form.controls["recent_changes"].value == ("heat",)
    assert form.accordion.titles[2].startswith("Recovery (1 of")


# --- the model -----------------------------------------------------------------------------

def test_model_opens_an_athlete_and_rescores_on_each_answer(data_copy):
    model = WorkbookModel(data_copy, "ana")
    assert model.answers["athlete_id"] == "ana" and model.log is not None and model.weekly is not None
    before = _score(model.ranking, "iron_deficiency")
    model.set_answer("ferritin_ug_l", 150)
    assert _score(model.ranking, "iron_deficiency") < before
    with pytest.raises(InputError, match="ferritin_ug_l: found 5000"):
        model.set_answer("ferritin_ug_l", 5000)
    assert model.answers["ferritin_ug_l"] == 150
    model.set_answer("ferritin_ug_l", None)
    assert "ferritin_ug_l" not in model.answers


def test_an_unreadable_log_leaves_the_answers_usable(data_copy):
    (data_copy / "athletes" / "ana" / "log.csv").write_text("date,duration_min\nyesterday,30\n", encoding="utf-8")
    app = CoachWorkbook(data_dir=data_copy, athlete_id="ana")
    assert app.model.answers["athlete_id"] == "ana" and app.model.log is None
    assert "without the training log" in app.status.value and "log.csv:2" in app.status.value
    assert any("No training log" in a.text for a in app.load_figure.layout.annotations)


def test_model_what_if_leaves_the_answers_alone(data_copy):
    model = WorkbookModel(data_copy, "ana")
    saved = dict(model.answers)
    model.set_what_if("ferritin_ug_l", 150)
    assert model.answers == saved
    delta = model.what_if_delta()
    assert delta and delta[0]["id"] == "iron_deficiency" and delta[0]["change"] < 0
    with pytest.raises(InputError, match=r"What-if: Sleep \[h\]: found 99"):
        model.set_what_if("sleep_h", 99)
    model.clear_what_if()
    assert model.what_if_ranking is model.ranking and model.what_if_delta() == []


def test_model_new_athlete_and_save(data_copy):
    model = WorkbookModel(data_copy)
    with pytest.raises(InputError, match="already has files"):
        model.new("ana")
    with pytest.raises(InputError, match="athlete_id"):
        model.new("Bad Id")
    model.new("zoe", name="Zoe")
    assert model.answers["name"] == "Zoe" and model.log is None and model.weekly is None
    model.set_answer("sleep_h", 5.5)
    path = model.save()
    assert path.parent == data_copy / "athletes" / "zoe" / "assessments"
    assert "zoe" in model.athletes()
    reopened = WorkbookModel(data_copy, "zoe")
    assert reopened.answers["sleep_h"] == 5.5
    assert list(reopened.history()["cause_id"].unique())


# --- the view ------------------------------------------------------------------------------

@pytest.fixture
def app(data_copy):
    return CoachWorkbook(data_dir=data_copy, athlete_id="ana", export_dir=data_copy.parent / "exports")


def test_opening_writes_nothing(data_copy):
    before = _files(data_copy)
    CoachWorkbook(data_dir=data_copy, athlete_id="ana")
    assert _files(data_copy) == before


def test_workbook_opens_the_athlete_with_its_answers_and_figures(app):
    assert app.athlete_picker.value == "ana" and "ana" in app.athlete_picker.options
    assert app.form.controls["athlete_id"].value == "ana"
    assert app.form.profile == app.model.answers
    bars = [t for t in app.ranking_figure.data if t.type == "bar"]
    assert sum(len(t.x) for t in bars) == len(app.model.ranking["causes"])
    assert len(app.load_figure.data[0].x) == len(app.model.weekly)
    assert app.cause_picker.value == app.model.ranking["causes"][0]["id"]
    assert app.model.ranking["causes"][0]["title"] in app.cause_detail.value


def test_a_changed_answer_updates_the_ranking_and_the_figure(app):
    before = _score(app.model.ranking, "iron_deficiency")
    view = app.ranking_view
    app.form.controls["ferritin_ug_l"].value = "150"
    after = _score(app.model.ranking, "iron_deficiency")
    assert after < before
    assert app.ranking_view is view       # the same view on screen, redrawn
    scores = {cid: x for t in app.ranking_figure.data[:3] for cid, x in zip(t.customdata, t.x)}
    assert scores["iron_deficiency"] == after
    # what a page opened now (a reload, the app page) draws: the synced output, not the first figure
    drawn = view.get_state()["figure"]
    shown = {cid: x for t in drawn["data"][:3] for cid, x in zip(t.get("customdata", []), t.get("x", []))}
    assert shown["iron_deficiency"] == after


def test_the_page_receives_a_few_hundred_kilobytes_not_plotly_js_per_figure(app):
    """Five FigureWidgets each carried plotly.js (5 MB) in their state: 25 MB at every page load."""
    import json

    from ipywidgets.widgets.widget import _instances

    from heavylegs.app.plotly_chart import PlotlyLibrary

    def size(widget):
        return len(json.dumps(widget.get_state(), default=str))

    shown = set()
    stack = [app]
    while stack:                                  # every widget the workbook's page shows
        widget = stack.pop()
        if id(widget) in shown:
            continue
        shown.add(id(widget))
        for value in widget.get_state().values():
            for item in value if isinstance(value, (list, tuple)) else [value]:
                if isinstance(item, str) and item.startswith("IPY_MODEL_"):
                    stack.append(_instances[item[len("IPY_MODEL_"):]])
    library = [w for w in _instances.values() if id(w) in shown and isinstance(w, PlotlyLibrary)]
    assert len(library) == 1                      # plotly.js once, whatever the number of charts
    total = sum(size(w) for w in _instances.values() if id(w) in shown and w not in library)
    assert len(shown) > 300 and total < 600_000, total


def test_a_click_on_a_bar_explains_its_cause(app):
    second = app.model.ranking["causes"][1]["id"]
    app.ranking_view.clicked({"curve": 0, "index": 0, "customdata": second})
    assert app.cause_picker.value == second
    assert app.model.ranking["causes"][1]["title"] in app.cause_detail.value


def test_out_of_range_answer_is_refused_inline(app):
    ranking = app.model.ranking
    app.form.controls["sleep_h"].value = "25"
    assert "expected a number from 0 to 14" in app.form._fields["sleep_h"].error_text
    assert app.model.ranking is ranking and app.model.answers["sleep_h"] == 7.5


def test_red_flags_show_in_a_banner_above_everything(app):
    assert app.banner.value == ""
    app.form.controls["chest_pain_or_fainting"].value = "yes"
    assert "See a doctor" in app.banner.value and "EMERGENCY" in app.banner.value
    assert app.children.index(app.banner) < app.children.index(app.children[-3])  # before the form row
    assert app.children.index(app.banner) == 1
    app.form.controls["chest_pain_or_fainting"].value = ""
    assert app.banner.value == ""


def test_ask_next_lists_field_labels(data_copy):
    app = CoachWorkbook(data_dir=data_copy, athlete_id="ana")
    app.new_id.value = "kim"
    app.new_button.click()
    assert app.model.athlete_id == "kim" and app.form.profile["athlete_id"] == "kim"
    assert app.model.ranking["ask_next"]
    first = app.model.ranking["ask_next"][0]
    assert PROFILE_FIELDS[first].label in app.ask_next.value


def test_selecting_a_cause_shows_its_evidence(app):
    last = app.model.ranking["causes"][-1]
    app.cause_picker.value = last["id"]
    assert app.selected_cause == last["id"] and last["title"] in app.cause_detail.value


def test_what_if_panel_shows_the_delta_without_touching_the_answers(app, data_copy):
    answers = dict(app.model.answers)
    files = _files(data_copy)
    app.what_if_toggle.value = True
    assert app.what_if_panel.layout.display == "flex"
    app.what_if_field.value = "ferritin_ug_l"
    app.what_if_value.value = "150"
    app.what_if_try.click()
    assert app.model.answers == answers and app.form.profile == answers
    assert "what-if" in app.what_if_summary.value and "Low iron" in app.what_if_summary.value
    saved_marks = app.ranking_figure.data[3]
    moved = app.model.what_if_delta()
    assert len(saved_marks.x) == len(moved) >= 1   # saved scores of the moved causes, for comparison
    assert app.ranking_figure.layout.title.text.startswith("What-if")
    shown = {cid: x for t in app.ranking_figure.data[:3] for cid, x in zip(t.customdata, t.x)}
    assert shown["iron_deficiency"] == _score(app.model.what_if_ranking, "iron_deficiency")
    app.what_if_reset.click()
    assert app.model.what_if == {}
    app.what_if_value.value = "lots"
    app.what_if_try.click()
    message = app.what_if_message.value
    assert "What-if: Ferritin" in message and "found &#x27;lots&#x27;, expected a number" in message
    assert "ferritin_ug_l" not in message and "<what-if>" not in message   # the coach's words, not ours
    app.what_if_value.value = "80"
    app.what_if_try.click()
    assert app.what_if_message.value == ""                               # a success clears the old error
    assert app.model.what_if == {"ferritin_ug_l": 80}
    app.what_if_toggle.value = False
    assert app.what_if_panel.layout.display == "none"
    assert _files(data_copy) == files


def test_save_button_writes_a_dated_assessment_and_reopening_restores_it(app, data_copy):
    before = set((data_copy / "athletes" / "ana" / "assessments").glob("*.json"))   # ana's sample one
    app.form.controls["sleep_h"].value = "6"
    app.save_button.click()
    files = sorted(set((data_copy / "athletes" / "ana" / "assessments").glob("*.json")) - before)
    assert len(files) == 1 and "Saved" in app.status.value
    doc = json.loads(files[0].read_text(encoding="utf-8"))
    assert doc["profile"]["sleep_h"] == 6 and doc["ranking"]["causes"]
    assert len(app.history_figure.data) >= 1
    other = CoachWorkbook(data_dir=data_copy, athlete_id="ana")
    assert other.form.controls["sleep_h"].value == "6"   # as typed, not "6.0"
    app.athlete_picker.value = "ben"
    assert app.model.athlete_id == "ben" and app.form.profile["athlete_id"] == "ben"


def _upload(path, name=None):
    data = path.read_bytes()
    return {"name": name or path.name, "type": "", "size": len(data), "content": memoryview(data)}


def test_uploading_a_csv_log_merges_it_without_duplicates(app, data_copy, tmp_path):
    log_path = data_copy / "athletes" / "ana" / "log.csv"
    n_before = len(pd.read_csv(log_path))
    extra = tmp_path / "more.csv"
    own = pd.read_csv(log_path)
    new_row = {"date": "2026-11-17", "activity": "run", "duration_min": 30.0, "distance_km": 5.0, "rpe": 3}
    pd.concat([own.tail(3), pd.DataFrame([new_row])]).to_csv(extra, index=False)
    app.import_uploads([_upload(extra)])
    after = pd.read_csv(log_path)
    assert len(after) == n_before + 1
    assert "1 session(s) added to ana's log, 3 duplicate(s) skipped" in app.log_status.value
    assert app.progress.value == app.progress.max
    assert not list(log_path.parent.glob(".*tmp"))


def test_uploading_activity_files_reports_the_bad_ones(app, data_copy):
    log_path = data_copy / "athletes" / "ana" / "log.csv"
    n_before = len(pd.read_csv(log_path))
    good = ACTIVITIES / "runpandas__run.gpx"
    other_list = data_copy.parent / "garmin-activities.csv"   # neither a training log nor a Strava export
    other_list.write_text("Activity Type,Date,Title,Distance\nRunning,2026-11-01 07:00:00,Morning,5.0\n",
                          encoding="utf-8")
    app.import_uploads([_upload(good), _upload(other_list)])
    assert "1 session(s) added" in app.log_status.value
    assert "garmin-activities.csv:" in app.log_status.value   # named as uploaded, with the reason
    assert app.progress.max == 2 and app.progress.value == 2
    log = pd.read_csv(log_path)
    assert len(log) == n_before + 1
    assert log["source"].astype(str).str.contains("runpandas__run.gpx").sum() == 1
    # the log names the file as the coach uploaded it, not the temporary copy it was read from
    assert "runpandas__run.gpx" in set(log["source"]) and not log["source"].astype(str).str.contains("tmp").any()
    app.import_uploads([_upload(good)])   # the same file again adds nothing
    assert "0 session(s) added to ana's log, 1 duplicate(s) skipped. The log was left as it was." in app.log_status.value
    assert len(pd.read_csv(log_path)) == n_before + 1


def test_a_broken_training_log_is_reported_with_its_own_problems(app, data_copy, tmp_path):
    bad = tmp_path / "log.csv"
    bad.write_text("date,activity,duration_min\n2026-11-20,run,-5\n", encoding="utf-8")
    before = _files(data_copy)
    app.import_uploads([_upload(bad)])
    assert "0 session(s) added" in app.log_status.value
    assert "log.csv: not a training log: line 2: duration_min" in app.log_status.value
    assert _files(data_copy) == before


def test_export_dashboard_writes_the_page(app, tmp_path):
    path = app.export_dashboard(out_dir=tmp_path / "out")
    assert path == tmp_path / "out" / "ana-dashboard.html" and path.stat().st_size > 1000
    assert "Dashboard exported" in app.status.value


def test_metric_and_fitness_switches_redraw_the_load_chart(app):
    app.metric.value = "load"
    assert "AU" in app.load_figure.data[0].name
    app.show_fitness.value = True
    assert [t.name for t in app.load_figure.data[5:8]] == ["fitness [AU]", "fatigue [AU]", "form [AU]"]
    app.show_fitness.value = False
    assert len(app.load_figure.data) == 7
    # the plan's loads follow the log, with the ACWR they lead to
    assert app.model.plan_source == "saved" and len(app.load_figure.data[-2].x) >= 2   # ana's sample plan
    assert len(app.load_figure.data[-1].x) >= 14


def test_export_saves_changed_answers_first_so_the_page_shows_them(app, data_copy, tmp_path):
    assessments = data_copy / "athletes" / "ana" / "assessments"
    before = sorted(assessments.glob("*.json")) if assessments.exists() else []
    plain = app.export_dashboard(out_dir=tmp_path / "a").read_text(encoding="utf-8")
    after_plain = sorted(assessments.glob("*.json")) if assessments.exists() else []
    assert after_plain == before                      # nothing changed: nothing saved
    app.form.controls["ferritin_ug_l"].value = "80"   # the coach changes an answer, then exports
    page = app.export_dashboard(out_dir=tmp_path / "b").read_text(encoding="utf-8")
    assert len(sorted(assessments.glob("*.json"))) == len(before) + 1
    assert "Saved" in app.status.value and "Dashboard exported" in app.status.value
    assert "ferritin 14" in plain and "ferritin 14" not in page  # the low ferritin no longer counts


def test_export_of_a_new_athlete_saves_it_first(app, data_copy, tmp_path):
    app.new_athlete("zoe")
    app.export_button.click()
    assert "Dashboard exported" in app.status.value, app.status.value
    assert (data_copy / "athletes" / "zoe.json").exists()
    assert (data_copy.parent / "exports" / "zoe-dashboard.html").exists()


def test_upload_sources_keep_the_uploaded_names():
    from heavylegs.app.workbook import rename_source as _rename_source

    names = {"/tmp/u/000/export.zip": "export.zip", "/tmp/u/001/run.fit": "run.fit"}
    assert _rename_source("/tmp/u/000/export.zip#12345", names) == "export.zip#12345"
    assert _rename_source("/tmp/u/001/run.fit", names) == "run.fit"
    assert _rename_source("/tmp/u/001/run.fit.gz", names) == "/tmp/u/001/run.fit.gz"  # another file
    assert _rename_source(None, names) is None


def test_an_athlete_who_reads_miles_sees_and_types_miles_while_the_file_keeps_km():
    form = ProfileForm({"athlete_id": "a", "weekly_distance_km": 42.0, "threshold_pace_min_km": 4.0})
    assert form.controls["weekly_distance_km"].value == "42.0"
    form.controls["distance_unit"].value = "mi"
    assert form.controls["weekly_distance_km"].value == "26.1"           # 42 km shown as miles
    assert form.controls["threshold_pace_min_km"].value == "6.44"        # 4:00 min/km is 6.44 min/mi
    assert "[mi]" in form._fields["weekly_distance_km"].description.value
    assert form.profile["weekly_distance_km"] == 42.0                    # nothing changed on disk
    form.controls["weekly_distance_km"].value = "30"
    assert form.profile["weekly_distance_km"] == pytest.approx(48.28, abs=0.001)   # typed miles, stored km
    form.controls["distance_unit"].value = "km"
    assert form.controls["weekly_distance_km"].value == "48.28"


# --- import status (issue 17) -------------------------------------------------------------------

def test_a_file_that_adds_nothing_is_an_error_with_the_same_words_as_the_command_line(app, data_copy, capsys):
    from heavylegs import cli
    from heavylegs.logs.formats import NOT_IMPORTABLE

    other = data_copy.parent / "export.csv"
    other.write_text("Activity Type,Date,Title\nRunning,2026-11-01,Morning\n", encoding="utf-8")
    before = _files(data_copy)
    app.upload.simulate([("export.csv", other.read_bytes())])
    assert "Imported into" not in app.status.value and "#B00020" in app.status.value   # red, not green
    assert "Nothing imported into ana&#x27;s log: 1 file(s) could not be read" in app.status.value
    assert NOT_IMPORTABLE.replace("'", "&#x27;") in app.log_status.value
    assert _files(data_copy) == before
    # the upload line that said "importing..." is replaced by the outcome
    assert app.upload.note.startswith("Nothing imported into ana's log")
    assert cli.main(["import", str(other), "-o", str(data_copy.parent / "out.csv")]) == 2
    assert f"{other}: {NOT_IMPORTABLE}" in capsys.readouterr().err
    assert "Strava" in NOT_IMPORTABLE and ".zip" in NOT_IMPORTABLE       # says what to upload instead


def test_stravas_activities_csv_under_any_name_imports_as_its_export_does(app, data_copy, tmp_path):
    # the export is read through its activities.csv alone, so the file renamed by a download
    # gives the same sessions as the whole export
    from heavylegs.logs.formats import import_sources

    renamed = tmp_path / "gap__activities.csv"
    renamed.write_bytes((ACTIVITIES / "gap__activities.csv").read_bytes())
    export = tmp_path / "export"
    export.mkdir()
    (export / "activities.csv").write_bytes(renamed.read_bytes())
    alone, whole = (import_sources([p], use_cache=False) for p in (renamed, export))
    assert alone.sessions == whole.sessions == 1 and not alone.failed
    assert alone.log["start_time"].tolist() == whole.log["start_time"].tolist()
    app.import_uploads([_upload(renamed)])
    assert "1 session(s) added to ana's log" in app.log_status.value
    assert "Imported 1 session(s) into ana&#x27;s log." in app.status.value and "#1B5E20" in app.status.value


def test_import_status_line_for_every_outcome():
    from heavylegs.app.widgets import import_status_line

    assert import_status_line("zoe", {"added": 3, "duplicates": 0, "failed": []}) == (
        "Imported 3 session(s) into zoe's log.", False)
    line, error = import_status_line("zoe", {"added": 2, "duplicates": 0, "failed": [("a", "b")]})
    assert error and "1 file(s) could not be read" in line
    line, error = import_status_line("zoe", {"added": 0, "duplicates": 0, "failed": [("a", "b")]})
    assert error and line.startswith("Nothing imported into zoe's log")
    assert import_status_line("zoe", {"added": 0, "duplicates": 4, "failed": []}) == (
        "Nothing new for zoe's log: 4 session(s) were already in it.", False)
    assert import_status_line("zoe", {"added": 0, "duplicates": 0, "failed": []})[1]


def test_the_upload_widget_always_tells_the_browser_the_import_is_over():
    from heavylegs.app.upload import ChunkedUpload

    upload = ChunkedUpload()
    sent = []
    upload.send = lambda content, buffers=None: sent.append(content)

    def broken(files):
        raise RuntimeError("the import crashed")

    upload.on_upload(broken)
    with pytest.raises(RuntimeError):
        upload.simulate([("a.gpx", b"<gpx/>")])
    assert sent[-1] == {"event": "finished", "note": ""}


def test_the_plan_editor_names_the_loads_unit_and_refuses_an_impossible_pace(app):
    # issue 17: "load" had no unit, and 35 min for a 16.5 km day was accepted
    app.open_athlete("ben")
    assert "load [AU]" in app.plan_view.value and "minutes [min]" in app.plan_view.value
    app.plan_edit_toggle.value = True
    assert any("load [AU]" in box.value for box in app._plan_header)
    kinds = [cells[2].value for cells in app._plan_cells]
    row = app._plan_cells[kinds.index("long")]
    row[3].value, row[4].value = "35", "16.5"
    app.plan_apply_button.click()
    assert "35 min for 16.5 km is 2:07 min/km, faster than anyone runs" in app.plan_status.value
    assert app.model.plan_source == "draft"                 # nothing applied
    row[3].value = "110"
    app.plan_apply_button.click()
    assert app.model.plan_source == "edited"


def test_the_workbook_says_when_there_is_no_current_ratio(app):
    # issue 17: a log that ended years before the assessment: no 0.00, the days without a session
    app.new_athlete("zoe")
    files = sorted(ACTIVITIES.glob("runpandas__*"))
    app.import_uploads([_upload(f) for f in files])
    summary = app.load_summary.value
    assert "no current ratio" in summary and "(the last on 4 Jul 2021)" in summary and "0.00" not in summary
    app.open_athlete("ana")
    assert "Latest ACWR: <strong>" in app.load_summary.value


def test_the_app_page_address_follows_the_athlete_shown(tmp_path, monkeypatch):
    """Served by Voila, ?athlete= of the page follows the athlete, so a reload reopens them; not in JupyterLab."""
    import shutil

    data = tmp_path / "data"
    shutil.copytree(Path(__file__).resolve().parents[2] / "data", data)
    monkeypatch.delenv("VOILA_PREHEAT", raising=False)
    lab = CoachWorkbook(data_dir=data, athlete_id="ana").page_opened({})
    lab.open_athlete("ben")
    assert lab.address.athlete == ""                       # JupyterLab's address is left alone
    monkeypatch.setenv("VOILA_PREHEAT", "True")
    app = CoachWorkbook(data_dir=data, athlete_id="ana")
    assert app.address.athlete == ""                       # not before the page is the app's
    app.page_opened({"QUERY_STRING": "token=t"})
    assert app.address.athlete == "ana"
    app.open_athlete("ben")
    assert app.address.athlete == "ben"
    app.new_athlete("zed")
    assert app.address.athlete == "zed"
    app.page_opened({"QUERY_STRING": "athlete=carla&token=t"})
    assert app.address.athlete == "carla" and app.model.athlete_id == "carla"
