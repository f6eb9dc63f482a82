"""The workbook model: one athlete's state at a time, never mixed, nothing a coach entered lost.

The examples reproduce what was seen in the browser (issue: "Every athlete's
data stays right"); the state machine at the end drives the model through
any order of opens, new athletes, answers, what-ifs, imports, saves, reopens
and restarts, and checks after every step that each athlete's files changed
only through actions on that athlete, that what is shown is computed from
that athlete's own files, and that every acknowledged save is on disk.
"""
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from heavylegs.store.assessments import list_assessments, read_assessment
from heavylegs.errors import InputError
from heavylegs.engine.load import weekly_table
from heavylegs.logs.traininglog import read_log
from heavylegs.app.widgets import CoachWorkbook
from heavylegs.app.workbook import WorkbookModel, check_import_path
from heavylegs.store.drafts import draft_path, read_draft

ROOT = Path(__file__).resolve().parents[2]
ACTIVITIES = ROOT / "tests" / "data" / "activities"


def _files(folder: Path) -> dict:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _athlete_files(data: Path, athlete_id: str) -> dict:
    root = data / "athletes"
    out = {}
    profile = root / f"{athlete_id}.json"
    if profile.exists():
        out["profile"] = profile.read_bytes()
    folder = root / athlete_id
    if folder.is_dir():
        out.update({str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
                    if p.is_file() and not p.name.startswith(".")})
    return out


def _csv(tmp: Path, name: str, dates, minutes=40) -> Path:
    path = tmp / name
    rows = "".join(f"{d},run,{minutes},8.0,4,easy\n" for d in dates)
    path.write_text("date,activity,duration_min,distance_km,rpe,session_type\n" + rows, encoding="utf-8")
    return path


# --- what was seen in the browser, as examples -------------------------------------------------

def test_switching_athletes_shows_the_new_athletes_own_log(data_copy):
    """Seen: pick ben after ana, and ben's chart showed ana's weekly distances."""
    app = CoachWorkbook(data_dir=data_copy, athlete_id="ana", export_dir=data_copy.parent / "exports")
    app.athlete_picker.value = "ben"
    ben_log = read_log(data_copy / "athletes" / "ben" / "log.csv")
    expected = weekly_table(ben_log, until=app.model.answers["assessed_on"], profile=app.model.answers)
    pd.testing.assert_frame_equal(app.model.weekly, expected)
    bars = app.load_figure.data[0]
    assert list(bars.y) == pytest.approx(list(expected["distance_km"]))
    assert app.model.log_facts["values"] == app.model.assessment.log.facts["values"]
    assert app.form.profile["athlete_id"] == "ben" and app.model.ranking["athlete_id"] == "ben"


def test_new_athlete_opens_the_new_athlete_and_its_upload_goes_to_its_own_log(data_copy, tmp_path):
    """Seen: New athlete from ben showed ana, and the next upload went into ana's log.csv."""
    app = CoachWorkbook(data_dir=data_copy, athlete_id="ana", export_dir=tmp_path / "exports")
    app.athlete_picker.value = "ben"
    before = _files(data_copy)
    app.new_id.value = "newbie"
    app.new_button.click()
    assert app.model.athlete_id == "newbie" and app.athlete_picker.value == "newbie"
    assert app.form.profile == {"athlete_id": "newbie", "assessed_on": app.model.answers["assessed_on"]}
    assert app.model.log is None and app.model.weekly is None
    app.import_uploads([{"name": "mine.csv", "content": _csv(tmp_path, "mine.csv", ["2026-11-01"]).read_bytes()}])
    after = _files(data_copy)
    changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
    assert changed == {"athletes/newbie/log.csv"}
    assert len(read_log(data_copy / "athletes" / "newbie" / "log.csv")) == 1


def test_a_new_athletes_uploads_survive_a_restart_and_are_never_overwritten(data_copy, tmp_path):
    """Seen: an unsaved new athlete's 49-session log became 1 session after a restart."""
    app = CoachWorkbook(data_dir=data_copy, athlete_id="ana", export_dir=tmp_path / "exports")
    app.new_athlete("newbie")
    dates = pd.date_range("2026-09-01", periods=49, freq="D").strftime("%Y-%m-%d")
    app.import_uploads([{"name": "big.csv", "content": _csv(tmp_path, "big.csv", dates).read_bytes()}])
    assert len(read_log(data_copy / "athletes" / "newbie" / "log.csv")) == 49
    # restart: a new kernel, Run All
    again = CoachWorkbook(data_dir=data_copy, athlete_id="ana", export_dir=tmp_path / "exports")
    assert "newbie" in again.athlete_picker.options            # listed, though never saved
    again.new_id.value = "newbie"
    again.new_button.click()                                   # opens it, does not start it again
    assert again.model.athlete_id == "newbie" and len(again.model.log) == 49
    assert "already has files" in again.status.value
    again.import_uploads([{"name": "run.gpx", "content": (ACTIVITIES / "runpandas__run.gpx").read_bytes()}])
    assert len(read_log(data_copy / "athletes" / "newbie" / "log.csv")) == 50
    with pytest.raises(InputError, match="already has files"):
        WorkbookModel(data_copy).new("newbie")


def test_save_refuses_while_a_box_is_refused(data_copy, tmp_path):
    """Seen: sleep "-3" and ferritin "abc" shown as refused, and Save said "Saved"."""
    app = CoachWorkbook(data_dir=data_copy, athlete_id="ana", export_dir=tmp_path / "exports")
    before = _files(data_copy)
    app.form.controls["sleep_h"].value = "-3"
    app.form.controls["ferritin_ug_l"].value = "abc"
    assert set(app.form.errors) == {"sleep_h", "ferritin_ug_l"}
    app.save_button.click()
    assert "Not saved" in app.status.value and "Sleep [h]" in app.status.value and "Ferritin" in app.status.value
    assert _files(data_copy) == before
    app.export_button.click()                                   # export saves first, so it refuses too
    assert "Not saved" in app.status.value and _files(data_copy) == before
    app.form.controls["sleep_h"].value = "7"
    app.form.controls["ferritin_ug_l"].value = ""
    app.save_button.click()
    assert "Saved" in app.status.value
    saved = read_assessment(list_assessments(data_copy, "ana")[-1])["profile"]
    assert saved["sleep_h"] == 7 and "ferritin_ug_l" not in saved


def test_a_refused_open_keeps_the_athlete_on_screen(data_copy, tmp_path):
    (data_copy / "athletes" / "ben.json").write_text('{"format": "heavylegs.profile/1", "athlete_id": "ben", '
                                                     '"sleep_h": 99}', encoding="utf-8")
    app = CoachWorkbook(data_dir=data_copy, athlete_id="ana", export_dir=tmp_path / "exports")
    app.athlete_picker.value = "ben"
    assert app.model.athlete_id == "ana" and app.athlete_picker.value == "ana"
    assert "sleep_h" in app.status.value and "99" in app.status.value


def test_chunked_upload_of_a_file_over_the_old_10_mb_limit(data_copy, tmp_path):
    """Seen: uploads over about 10 MB vanished without a word."""
    app = CoachWorkbook(data_dir=data_copy, athlete_id="ana", export_dir=tmp_path / "exports")
    dates = pd.date_range("2001-01-01", periods=3000, freq="D").strftime("%Y-%m-%d")
    note = "x" * 4000
    text = "date,activity,duration_min,notes\n" + "".join(f"{d},run,30,{note}\n" for d in dates)
    data = text.encode()
    assert len(data) > 11 * 1024 ** 2
    n_before = len(app.model.log)
    seen = []
    app.upload.on_upload(lambda files: seen.extend(f["path"] for f in files))
    app.upload.simulate([("old-years.csv", data)])
    assert app.upload.received == len(data)
    assert len(app.model.log) == n_before + 3000
    assert "3000 session(s) added to ana's log" in app.log_status.value
    assert not seen[0].exists()                      # the temporary copy is gone once imported


def test_a_file_too_large_for_the_browser_is_refused_with_what_to_do(data_copy, tmp_path):
    app = CoachWorkbook(data_dir=data_copy, athlete_id="ana", export_dir=tmp_path / "exports")
    app.upload.max_bytes = 1000
    before = _files(data_copy)
    app.upload.simulate([("export.zip", b"z" * 5000)])
    assert "Too large to upload through the browser: export.zip" in app.status.value
    assert "Import from path" in app.status.value
    assert _files(data_copy) == before


def test_import_from_a_path_reads_the_named_folder(data_copy, tmp_path):
    app = CoachWorkbook(data_dir=data_copy, athlete_id="ana", export_dir=tmp_path / "exports")
    folder = tmp_path / "watch"
    folder.mkdir()
    shutil.copy(ACTIVITIES / "runpandas__run.gpx", folder)
    shutil.copy(ACTIVITIES / "runpandas__run.tcx", folder)
    n_before = len(app.model.log)
    app.import_path_text.value = str(folder)
    app.import_path_button.click()
    assert len(app.model.log) > n_before
    assert "added to ana's log" in app.log_status.value


@pytest.mark.parametrize("make, message", [
    (lambda tmp: "", "found nothing"),
    (lambda tmp: str(tmp / "missing.zip"), "does not exist"),
    (lambda tmp: (tmp / "notes.txt").write_text("x") and str(tmp / "notes.txt"), "expected a file ending in"),
    (lambda tmp: os.mkfifo(tmp / "a.gpx") or str(tmp / "a.gpx"), "not a regular file"),
])
def test_import_path_is_checked_before_anything_is_read(tmp_path, make, message):
    with pytest.raises(InputError, match=message):
        check_import_path(make(tmp_path))


def test_export_appears_as_a_download_link_in_the_notebook_folder(data_copy, tmp_path, monkeypatch):
    """Seen: the HTML was written outside JupyterLab's root, so a remote coach had no link."""
    monkeypatch.chdir(tmp_path)
    app = CoachWorkbook(data_dir=data_copy, athlete_id="ana")
    app.export_button.click()
    assert (tmp_path / "exports" / "ana-dashboard.html").exists()
    html = app.export_link.outputs[0]["data"]["text/html"]
    assert "href='exports/ana-dashboard.html'" in html and "download=" in html


def test_in_the_app_the_export_link_goes_through_voilas_files(data_copy, tmp_path, monkeypatch):
    """The app page lives at voila/render/: a relative link would miss; Voila serves exports at voila/files/."""
    import re

    from heavylegs.serve.workbook_app import app_command

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("VOILA_BASE_URL", "/")
    app = CoachWorkbook(data_dir=data_copy, athlete_id="ana")
    app.export_button.click()
    html = app.export_link.outputs[0]["data"]["text/html"]
    assert "href='/voila/files/exports/ana-dashboard.html'" in html
    allowed = [c.split("=", 1)[1] for c in app_command(tmp_path, 1, "t") if "file_allowlist" in c]
    assert any(re.fullmatch(rule, "exports/ana-dashboard.html") for rule in allowed)
    assert not any(re.fullmatch(rule, "../data/athletes/ana.json") or re.fullmatch(rule, "exports/../x.html")
                   for rule in allowed)


# --- the state machine -------------------------------------------------------------------------

_ANSWERS = {"sleep_h": st.sampled_from([None, 5, 6.5, 8]),
            "ferritin_ug_l": st.sampled_from([None, 14, 80]),
            "assessed_on": st.sampled_from(["2026-10-20", "2026-11-20"])}


class WorkbookMachine(RuleBasedStateMachine):
    """Any order of coach actions on a data folder of three athletes (one new)."""

    @initialize()
    def setup(self):
        import tempfile

        self.tmp = Path(tempfile.mkdtemp(prefix="heavylegs-machine-"))
        self.data = self.tmp / "data"
        (self.data / "athletes").mkdir(parents=True)
        for athlete in ("ana", "ben"):
            shutil.copy(ROOT / "data" / "athletes" / f"{athlete}.json", self.data / "athletes")
            (self.data / "athletes" / athlete).mkdir()
            shutil.copy(ROOT / "data" / "athletes" / athlete / "log.csv", self.data / "athletes" / athlete)
        self.uploads = [
            _csv(self.tmp, "a.csv", ["2026-10-05", "2026-10-06"]),
            _csv(self.tmp, "b.csv", ["2026-11-10"], minutes=55),
            ACTIVITIES / "runpandas__run.gpx",
        ]
        self.model = WorkbookModel(self.data, "ana")
        self.snapshot = {a: _athlete_files(self.data, a) for a in ("ana", "ben", "cleo")}
        self.acked = []           # (path, answers) of every save that returned
        # What the coach last saw accepted for each athlete: typed and unsaved, saved, or discarded.
        self.typed = {"ana": dict(self.model.answers)}

    def teardown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def _acted(self, athlete_id):
        """Files of athletes other than ``athlete_id`` must be as they were."""
        for other, files in self.snapshot.items():
            if other != athlete_id:
                assert _athlete_files(self.data, other) == files, f"{other}'s files changed"
        self.snapshot[athlete_id] = _athlete_files(self.data, athlete_id)

    @rule(athlete=st.sampled_from(["ana", "ben", "cleo"]))
    def open(self, athlete):
        if self.model.exists(athlete):
            self.model.open(athlete)
        else:
            with pytest.raises(InputError):
                self.model.new(athlete + "!")          # a bad id changes nothing
            self.model.new(athlete)
        assert self.model.athlete_id == athlete
        self._back(athlete)
        self._acted(athlete)

    def _back(self, athlete):
        """An athlete opened again shows exactly what the coach last had on screen for them."""
        if athlete in self.typed:
            assert self.model.answers == self.typed[athlete], "unsaved answers were lost"
        self.typed[athlete] = dict(self.model.answers)

    @precondition(lambda self: self.model.state is not None)
    @rule(data=st.data())
    def answer(self, data):
        name = data.draw(st.sampled_from(sorted(_ANSWERS)))
        value = data.draw(_ANSWERS[name])
        if name == "assessed_on" and value is None:
            return
        self.model.set_answer(name, value)
        assert self.model.answers.get(name) == value
        self.typed[self.model.athlete_id] = dict(self.model.answers)
        self._acted(self.model.athlete_id)

    @precondition(lambda self: self.model.state is not None)
    @rule(value=st.sampled_from([-3, 7, 99]))
    def what_if(self, value):
        answers = dict(self.model.answers)
        if 0 <= value <= 14:
            self.model.set_what_if("sleep_h", value)
        else:
            with pytest.raises(InputError, match="What-if: Sleep"):
                self.model.set_what_if("sleep_h", value)
        assert self.model.answers == answers
        self._acted(self.model.athlete_id)

    @precondition(lambda self: self.model.state is not None)
    @rule(index=st.integers(0, 2))
    def import_file(self, index):
        self.model.import_files([self.uploads[index]])
        self._acted(self.model.athlete_id)

    @precondition(lambda self: self.model.state is not None)
    @rule()
    def save(self):
        path = self.model.save()
        self.acked.append((path, dict(self.model.answers)))
        assert not self.model.unsaved
        assert not draft_path(self.data, self.model.athlete_id).exists()   # Save turns the draft into this
        self.typed[self.model.athlete_id] = dict(self.model.answers)
        self._acted(self.model.athlete_id)

    @precondition(lambda self: self.model.state is not None)
    @rule()
    def discard(self):
        athlete = self.model.athlete_id
        saved = self.model.saved_answers
        self.model.discard_draft()
        assert self.model.athlete_id == athlete
        assert not draft_path(self.data, athlete).exists()
        if saved is not None:
            assert self.model.answers == saved       # the saved answers are back
        self.typed[athlete] = dict(self.model.answers)
        self._acted(athlete)

    @precondition(lambda self: self.model.state is not None and self.model.exists(self.model.athlete_id))
    @rule()
    def reopen(self):
        athlete = self.model.athlete_id
        self.model.open(athlete)                     # as a reload of the page does
        self._back(athlete)
        self._acted(athlete)

    @rule()
    def restart(self):
        athlete = self.model.athlete_id
        self.model = WorkbookModel(self.data)        # a kernel restart, or a crash: only the files remain
        if athlete is not None and self.model.exists(athlete):
            self.model.open(athlete)
            self._back(athlete)
            self._acted(athlete)

    @invariant()
    def shows_only_its_own_files(self):
        model = getattr(self, "model", None)
        if model is None or model.state is None:
            return
        log_path = self.data / "athletes" / model.athlete_id / "log.csv"
        assert model.answers["athlete_id"] == model.athlete_id == model.ranking["athlete_id"]
        if log_path.exists():
            own = read_log(log_path)
            pd.testing.assert_frame_equal(model.log.reset_index(drop=True), own.reset_index(drop=True))
            expected = weekly_table(own, until=model.answers["assessed_on"], profile=model.answers)
            if model.weekly is None:
                assert len(expected) == 0
            else:
                pd.testing.assert_frame_equal(model.weekly, expected)
        else:
            assert model.log is None and model.weekly is None

    @invariant()
    def every_draft_holds_its_own_athletes_unsaved_answers(self):
        for athlete, answers in getattr(self, "typed", {}).items():
            draft = read_draft(self.data, athlete)
            if draft is not None:
                assert draft["athlete_id"] == athlete == draft["answers"]["athlete_id"]
                assert draft["answers"] == answers
            files = list_assessments(self.data, athlete)
            if files and draft is None:
                assert read_assessment(files[-1])["profile"] == answers    # nothing unsaved, nothing lost
        assert not list((self.data / "athletes").glob("*/assessments/draft*"))

    @invariant()
    def every_acknowledged_save_is_on_disk(self):
        for path, answers in getattr(self, "acked", []):
            assert read_assessment(path)["profile"] == answers


TestWorkbookMachine = WorkbookMachine.TestCase
TestWorkbookMachine.settings = settings(max_examples=25, stateful_step_count=10, deadline=None,
                                        suppress_health_check=[HealthCheck.too_slow])


def test_a_bad_athlete_id_at_start_is_a_message_not_a_traceback(data_copy, tmp_path):
    app = CoachWorkbook(data_dir=data_copy, athlete_id="Not Valid!", export_dir=tmp_path / "exports")
    assert app.model.state is None
    assert "Not Valid!" in app.status.value and "expected an id" in app.status.value
    app.athlete_picker.value = "ben"                   # the coach can still pick one
    assert app.model.athlete_id == "ben"


def test_a_new_assessment_date_moves_the_end_of_the_chart(data_copy, tmp_path):
    app = CoachWorkbook(data_dir=data_copy, athlete_id="ben", export_dir=tmp_path / "exports")
    weeks = len(app.load_figure.data[0].x)
    app.form.controls["sleep_h"].value = "6"                 # no new date: the chart is not redrawn
    assert len(app.load_figure.data[0].x) == weeks
    day = pd.Timestamp(app.model.answers["assessed_on"]) - pd.Timedelta(days=21)
    app.form.controls["assessed_on"].value = day.strftime("%Y-%m-%d")
    assert len(app.load_figure.data[0].x) == weeks - 3
    expected = weekly_table(read_log(data_copy / "athletes" / "ben" / "log.csv"), until=day,
                            profile=app.model.answers)
    assert list(app.load_figure.data[0].y) == pytest.approx(list(expected["distance_km"]))


def test_the_plan_table_edits_are_checked_applied_and_saved(data_copy, tmp_path):
    app = CoachWorkbook(data_dir=data_copy, athlete_id="ben", export_dir=tmp_path / "exports")
    assert app.model.plan_source == "draft" and app.plan_grid.layout.display == "none"
    assert app.model.plan["days"][0]["date"] in app.plan_view.value            # shown to read
    app.plan_edit_toggle.value = True
    assert app.plan_grid.layout.display == "grid" and app.plan_view.value == ""
    first = app._plan_cells[0]
    assert first[1].value == app.model.plan["days"][0]["date"]
    first[2].value = "rest"
    first[3].value = "30"                                   # minutes on a rest day: refused
    app.plan_apply_button.click()
    assert "day 1" in app.plan_status.value and app.model.plan_source == "draft"
    first[3].value = ""
    first[5].value = ""
    app.plan_apply_button.click()
    assert app.model.plan_source == "edited" and app.model.plan["days"][0]["training"]["kind"] == "rest"
    app.form.controls["sleep_h"].value = "6"               # an answer no longer redrafts an edited plan
    assert app.model.plan["days"][0]["training"]["kind"] == "rest"
    app.save_button.click()
    from heavylegs.store.assessments import load_latest_plan

    saved = load_latest_plan(data_copy, "ben")
    assert saved["days"][0]["training"]["kind"] == "rest" and app.model.plan_source == "saved"
    again = WorkbookModel(data_copy, "ben")
    assert again.plan_source == "saved" and again.plan == saved


def test_a_check_in_is_added_for_the_open_athlete_and_feeds_the_patterns(data_copy, tmp_path):
    app = CoachWorkbook(data_dir=data_copy, athlete_id="dev", export_dir=tmp_path / "exports")
    n = len(app.model.checkins)
    assert "after strength" in app.patterns.value.lower() or "strength" in app.patterns.value.lower()
    app.checkin_date.value = "2026-11-20"
    app.checkin_heaviness.value = 7
    app.checkin_items["fatigue"].value = 5
    app.checkin_button.click()
    assert "2026-11-20" in app.checkin_status.value and "dev" in app.checkin_status.value
    assert len(app.model.checkins) in (n, n + 1)
    from heavylegs.logs.checkins import load_checkins

    on_disk = load_checkins(data_copy, "dev")
    row = on_disk[on_disk["date"] == pd.Timestamp("2026-11-20")]
    assert int(row["heaviness"].iloc[0]) == 7 and int(row["fatigue"].iloc[0]) == 5
    assert not (data_copy / "athletes" / "ana" / "checkins.csv").read_bytes() == b""   # others untouched
    app.checkin_heaviness.value = None
    app.checkin_button.click()
    assert "heaviness" in app.checkin_status.value and "expected a number from 0 to 10" in app.checkin_status.value


def test_the_coach_switches_load_metric_and_reads_what_the_load_is(data_copy, tmp_path):
    app = CoachWorkbook(data_dir=data_copy, athlete_id="ana", export_dir=tmp_path / "exports")
    assert "session RPE" in app.load_summary.value and "chosen automatically" in app.load_summary.value
    app.metric.value = "load"
    assert app.load_figure.data[0].name.startswith("weekly load (session RPE")
    app.load_metric.value = "duration"
    assert app.model.weekly["load_metric"].iloc[-1] == "duration"
    assert list(app.load_figure.data[0].y) == pytest.approx(list(app.model.weekly["load"]))
    assert app.load_figure.data[0].name == "weekly training time [min]"
    assert "chosen by you" in app.load_summary.value
    app.athlete_picker.value = "ben"                   # the choice belongs to the athlete it was made for
    assert app.model.metric == "auto" and app.load_metric.value == "auto"


def test_a_higher_heart_rate_in_the_log_suggests_entering_the_real_maximum(data_copy, tmp_path):
    app = CoachWorkbook(data_dir=data_copy, athlete_id="ana", export_dir=tmp_path / "exports")
    app.new_athlete("watch")
    app.form.set_value("hr_max_bpm", 150)
    app.import_uploads([{"name": "run.fit", "content": (ACTIVITIES / "runpandas__run.fit").read_bytes()}])
    summary = app.model.load_summary()
    assert summary["hr_max_seen"] > 150 and summary["hr_max_in_use"] == 150
    assert "&#9888;" in app.load_summary.value and str(int(summary["hr_max_seen"])) in app.load_summary.value
    assert "entered" in app.load_summary.value


def test_miles_reach_the_chart_and_the_evidence(data_copy, tmp_path):
    app = CoachWorkbook(data_dir=data_copy, athlete_id="ben", export_dir=tmp_path / "exports")
    km = list(app.load_figure.data[0].y)
    app.form.controls["distance_unit"].value = "mi"
    assert app.load_figure.data[0].name == "weekly distance [mi]"
    assert list(app.load_figure.data[0].y) == pytest.approx([v / 1.609344 for v in km])
    app.select_cause("overtraining")
    assert " mi" in app.cause_detail.value and " km" not in app.cause_detail.value
    assert read_log(data_copy / "athletes" / "ben" / "log.csv")["distance_km"].max() > 10   # files keep km


# --- unsaved drafts (issue 17: "Nothing a coach typed is lost") --------------------------------

def test_switching_athlete_keeps_the_unsaved_answers_and_says_they_were_restored(data_copy, tmp_path):
    """Seen: change ana's sleep, rest days and cramps, open ben, come back: the old values."""
    app = CoachWorkbook(data_dir=data_copy, athlete_id="ana", export_dir=tmp_path / "exports")
    assessments = list_assessments(data_copy, "ana")
    app.form.set_value("sleep_h", 5.5)
    app.form.set_value("rest_days_per_week", 0)
    app.form.set_value("cramps", True)
    assert draft_path(data_copy, "ana").is_file()
    app.athlete_picker.value = "ben"
    assert app.model.answers["athlete_id"] == "ben" and app.model.answers.get("sleep_h") != 5.5
    assert app.draft_box.layout.display == "none"           # ben has no unsaved answers
    app.athlete_picker.value = "ana"
    shown = app.form.profile
    assert (shown["sleep_h"], shown["rest_days_per_week"], shown["cramps"]) == (5.5, 0, True)
    assert app.form.controls["sleep_h"].value == "5.5"
    assert app.draft_box.layout.display == "flex"
    assert "restored: Save or Discard" in app.draft_note.value and "Unsaved answers from" in app.draft_note.value
    assert list_assessments(data_copy, "ana") == assessments  # nothing was saved behind the coach's back


def test_a_kernel_restart_restores_the_draft_and_save_turns_it_into_an_assessment(data_copy, tmp_path):
    app = CoachWorkbook(data_dir=data_copy, athlete_id="ana", export_dir=tmp_path / "exports")
    app.form.set_value("ferritin_ug_l", 12)
    del app                                                  # the kernel dies: only the files remain
    again = CoachWorkbook(data_dir=data_copy, athlete_id="ana", export_dir=tmp_path / "exports")
    assert again.model.answers["ferritin_ug_l"] == 12 and again.model.draft_restored is not None
    again.draft_save_button.click()
    assert not draft_path(data_copy, "ana").exists()
    assert read_assessment(list_assessments(data_copy, "ana")[-1])["profile"]["ferritin_ug_l"] == 12
    assert again.draft_box.layout.display == "none"
    third = CoachWorkbook(data_dir=data_copy, athlete_id="ana", export_dir=tmp_path / "exports")
    assert third.model.answers["ferritin_ug_l"] == 12 and third.model.draft_restored is None


def test_discard_brings_back_the_saved_answers_and_removes_the_draft(data_copy, tmp_path):
    app = CoachWorkbook(data_dir=data_copy, athlete_id="ana", export_dir=tmp_path / "exports")
    saved = dict(app.model.answers)
    app.form.set_value("sleep_h", 4)
    again = CoachWorkbook(data_dir=data_copy, athlete_id="ana", export_dir=tmp_path / "exports")
    again.draft_discard_button.click()
    assert again.model.answers == saved and again.form.profile == saved
    assert not draft_path(data_copy, "ana").exists() and again.draft_box.layout.display == "none"
    assert "discarded" in again.status.value


def test_a_new_athletes_unsaved_answers_come_back_after_a_switch_and_a_restart(data_copy, tmp_path):
    app = CoachWorkbook(data_dir=data_copy, athlete_id="ana", export_dir=tmp_path / "exports")
    app.new_athlete("zed")
    app.form.set_value("sleep_h", 6)
    app.athlete_picker.value = "ben"
    assert "zed" in app.athlete_picker.options            # listed: its answers are on disk
    app.athlete_picker.value = "zed"
    assert app.model.answers["sleep_h"] == 6
    restarted = WorkbookModel(data_copy)
    assert "zed" in restarted.athletes()
    restarted.open("zed")
    assert restarted.answers["sleep_h"] == 6 and restarted.saved_answers is None
    with pytest.raises(InputError, match="already has files"):
        restarted.new("zed")                                 # a new athlete never overwrites the draft
    restarted.discard_draft()                                # never saved: back to every answer unknown
    assert "sleep_h" not in restarted.answers and not draft_path(data_copy, "zed").exists()


def test_an_edited_plan_is_kept_in_the_draft(data_copy, tmp_path):
    model = WorkbookModel(data_copy, "ana")
    from heavylegs.analysis.plan import plan_rows

    rows = plan_rows(model.plan, "km")
    rows[0]["notes"] = "only a walk"
    model.edit_plan(rows)
    again = WorkbookModel(data_copy, "ana")
    assert again.plan_source == "edited" and again.plan["days"][0]["notes"] == ["only a walk"]


def test_a_crash_between_save_and_removing_the_draft_leaves_nothing_to_restore(data_copy, monkeypatch):
    import heavylegs.app.workbook as workbook

    model = WorkbookModel(data_copy, "ana")
    model.set_answer("sleep_h", 6)
    monkeypatch.setattr(workbook, "remove_draft", lambda *a: (_ for _ in ()).throw(OSError("killed")))
    with pytest.raises(OSError):
        model.save()
    monkeypatch.undo()
    again = WorkbookModel(data_copy, "ana")                 # the draft equals the save: nothing to restore
    assert again.answers["sleep_h"] == 6 and again.draft_restored is None
    assert not draft_path(data_copy, "ana").exists()


def test_a_draft_older_than_the_last_save_says_so(data_copy):
    first = WorkbookModel(data_copy, "ana")
    first.set_answer("sleep_h", 5)                          # one kernel's unsaved answers
    other = WorkbookModel(data_copy, "ben")
    other.open("ana")
    other.discard_draft()
    other.set_answer("sleep_h", 9)
    other.save()                                            # another kernel saves after they began
    first.set_answer("sleep_h", 5.5)                        # the first kernel keeps editing its draft
    again = WorkbookModel(data_copy, "ana")
    assert again.answers["sleep_h"] == 5.5
    assert again.draft_restored["newer_save"] == list_assessments(data_copy, "ana")[-1].name


def test_an_unreadable_draft_is_kept_aside_and_the_coach_told(data_copy, tmp_path):
    path = draft_path(data_copy, "ana")
    path.write_text("{not json", encoding="utf-8")
    app = CoachWorkbook(data_dir=data_copy, athlete_id="ana", export_dir=tmp_path / "exports")
    assert app.model.athlete_id == "ana"
    assert "could not be read" in app.status.value and "draft-unreadable-" in app.status.value
    assert [p.read_text() for p in path.parent.glob("draft-unreadable-*.json")] == ["{not json"]


def test_a_draft_that_cannot_be_written_never_stops_the_answer(data_copy, tmp_path, monkeypatch):
    import heavylegs.app.workbook as workbook

    app = CoachWorkbook(data_dir=data_copy, athlete_id="ana", export_dir=tmp_path / "exports")
    monkeypatch.setattr(workbook, "write_draft", lambda *a, **k: (_ for _ in ()).throw(OSError("disk full")))
    app.form.set_value("sleep_h", 5)
    assert app.model.answers["sleep_h"] == 5
    assert "not kept on disk" in app.status.value and "disk full" in app.status.value


# --- a red flag where the answer was given (issue 17: "Warnings where the coach is looking") ---

def test_a_red_flag_shows_under_the_question_that_raised_it_and_in_the_banner(data_copy, tmp_path):
    app = CoachWorkbook(data_dir=data_copy, athlete_id="ana", export_dir=tmp_path / "exports")
    assert app.form.flagged == {}
    app.form.set_value("calf_warm_red_swollen", True)
    assert list(app.form.flagged) == ["calf_warm_red_swollen"]
    assert "EMERGENCY" in app.form.flagged["calf_warm_red_swollen"]
    assert "hot, swollen calf" in app.form.flagged["calf_warm_red_swollen"].lower()
    assert "EMERGENCY" in app.banner.value                  # and it stays in the banner
    app.form.set_value("calf_warm_red_swollen", False)
    assert app.form.flagged == {} and app.banner.value == ""
