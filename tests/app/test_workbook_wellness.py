"""The workbook's wellness: import beside the training log, the panel under the heaviness chart, and
each athlete's wearable rows kept to that athlete whatever the order of clicks (spec/wellness.md)."""
import shutil
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from heavylegs.app.widgets import CoachWorkbook
from heavylegs.app.workbook import WorkbookModel
from heavylegs.errors import InputError
from heavylegs.store.wellness_files import load_wellness, wellness_path

ROOT = Path(__file__).resolve().parents[2]
WELLNESS = ROOT / "tests" / "data" / "wellness"
HRV = [WELLNESS / "matin_garth__test_daily_hrv_paginate.i0.json",
       WELLNESS / "matin_garth__test_daily_hrv_paginate.i1.json"]


def _month_csv(tmp_path, end="2026-11-16", days=80, rhr_last=57.0, name="garmin.csv"):
    dates = pd.date_range(end=end, periods=days)
    rhr = [50.0] * (days - 7) + [rhr_last] * 7
    hrv = [60.0] * (days - 7) + [45.0] * 7
    path = tmp_path / name
    pd.DataFrame({"date": dates.strftime("%Y-%m-%d"), "source": "garmin", "rhr_bpm": rhr, "hrv_ms": hrv,
                  "hrv_kind": "rmssd", "sleep_h": 6.5}).to_csv(path, index=False)
    return path


def test_model_imports_into_the_open_athletes_file_and_the_ranking_uses_it(data_copy, tmp_path):
    model = WorkbookModel(data_copy, "ana")
    before = next(c for c in model.ranking["causes"] if c["id"] == "overtraining")
    outcome = model.import_wellness([_month_csv(tmp_path)], names={str(tmp_path / "garmin.csv"): "garmin.csv"})
    assert outcome["days"] == 80 and outcome["path"] == wellness_path(data_copy, "ana")
    assert outcome["lines"][0].startswith("garmin.csv: wellness CSV (Garmin): 80 days, 2026-08-29 to 2026-11-16")
    assert len(load_wellness(data_copy, "ana")) == 80
    after = next(c for c in model.ranking["causes"] if c["id"] == "overtraining")
    fields = [e["field"] for e in after["evidence"]]
    assert "hrv_below_normal" in fields and after["raw_points"] == before["raw_points"] + 2
    # ana's own answers (resting HR 58 and 52, sleep 7.5 h) were entered: they stand, and the lines say so
    used = {e["field"]: e["used"] for e in model.ranking["from_wellness"]}
    assert used == {"resting_hr_bpm": "entered", "resting_hr_baseline_bpm": "entered", "sleep_h": "entered",
                    "hrv_below_normal": "device"}
    assert not (data_copy / "athletes" / "ben" / "wellness.csv").exists()
    # reopened from disk: the same facts
    again = WorkbookModel(data_copy, "ana")
    assert again.ranking["from_wellness"] == model.ranking["from_wellness"]


def test_a_file_that_cannot_be_told_changes_nothing(data_copy, tmp_path):
    model = WorkbookModel(data_copy, "ana")
    bad = tmp_path / "notes.csv"
    bad.write_text("when,what\n2026-11-01,ran\n")
    ranking = model.ranking
    with pytest.raises(InputError, match="names no wellness column"):
        model.import_wellness([bad])
    assert not wellness_path(data_copy, "ana").exists() and model.ranking is ranking


def test_widget_upload_path_import_panel_and_summary(data_copy, tmp_path):
    app = CoachWorkbook(data_dir=data_copy, athlete_id="dev", export_dir=tmp_path / "exports")
    assert "No wellness data" in app.wellness_summary.value
    app.wellness_upload.simulate([("garmin.csv", _month_csv(tmp_path).read_bytes())])
    assert "Wellness: 80 day(s) imported into dev's wellness.csv" in app.wellness_status.value
    assert "garmin.csv: wellness CSV (Garmin): 80 days" in app.wellness_status.value
    summary = app.wellness_summary.value
    assert "resting heart rate (Garmin): 57.0 bpm over the last 7 mornings; usual 50.0 ± 0.0 bpm" in summary
    assert "Garmin rMSSD: mean ln 3.807 (45 ms)" in summary
    # the panel: HRV per source with its normal band, resting HR and sleep, on the heaviness chart's dates
    names = [t.name for t in app.wellness_figure.data]
    assert "HRV Garmin (rMSSD) [ms]" in names and "resting HR Garmin [bpm]" in names and "sleep Garmin [h]" in names
    assert any("normal band" in (n or "") for n in names)
    assert tuple(app.wellness_figure.layout.xaxis.range) == tuple(app.heaviness_figure.layout.xaxis.range)
    # a path import of a real Garmin file, and a path that is no wellness file
    app.wellness_path_text.value = str(HRV[0])
    app.wellness_path_button.click()
    assert "28 days, 2023-06-23 to 2023-07-20" in app.wellness_status.value
    app.wellness_path_text.value = str(tmp_path / "missing.json")
    app.wellness_path_button.click()
    assert "does not exist on this machine" in app.status.value


def test_a_bad_wellness_file_on_disk_leaves_it_out_and_says_why(data_copy, tmp_path):
    path = wellness_path(data_copy, "ana")
    path.write_text("date,source,sleep_h\n2026-11-01,garmin,25\n")
    app = CoachWorkbook(data_dir=data_copy, athlete_id="ana", export_dir=tmp_path / "exports")
    assert "wellness.csv was left out" in app.wellness_summary.value and "found 25" in app.wellness_summary.value
    assert app.model.wellness is None and app.model.log is not None


class WellnessMachine(RuleBasedStateMachine):
    """Open, switch, start and import in any order: each athlete's wellness.csv holds only its own imports."""

    def __init__(self):
        super().__init__()
        import tempfile

        self.tmp = Path(tempfile.mkdtemp(prefix="hl-wellness-sm-"))
        self.data = self.tmp / "data"
        shutil.copytree(ROOT / "data", self.data)
        self.model = WorkbookModel(self.data, "ana")
        self.expected = {}  # athlete -> {(date, source): sleep_h}
        self.counter = 0

    @initialize()
    def start(self):
        self.expected = {}

    @rule(athlete=st.sampled_from(["ana", "ben", "dev"]))
    def open(self, athlete):
        self.model.open(athlete)

    @rule()
    def new(self):
        self.counter += 1
        athlete = f"new{self.counter}"
        self.model.new(athlete)

    @rule(source=st.sampled_from(["garmin", "oura"]), start=st.integers(0, 20), days=st.integers(1, 6),
          hours=st.sampled_from([6.0, 7.5, 8.25]))
    def import_file(self, source, start, days, hours):
        dates = pd.date_range("2026-10-01", periods=40)[start:start + days]
        path = self.tmp / f"w{self.counter}_{source}.csv"
        self.counter += 1
        pd.DataFrame({"date": dates.strftime("%Y-%m-%d"), "source": source, "sleep_h": hours}).to_csv(path, index=False)
        athlete = self.model.athlete_id
        self.model.import_wellness([path])
        mine = self.expected.setdefault(athlete, {})
        for day in dates.strftime("%Y-%m-%d"):
            mine[(day, source)] = hours

    @invariant()
    def each_athlete_has_its_own_rows(self):
        for athlete in set(self.expected) | {"ana", "ben", "dev"}:
            rows = load_wellness(self.data, athlete)
            got = {(d.strftime("%Y-%m-%d"), s): v for d, s, v in rows[["date", "source", "sleep_h"]]
                   .itertuples(index=False)}
            assert got == self.expected.get(athlete, {})

    @invariant()
    def the_model_shows_the_open_athletes_file(self):
        shown = self.model.wellness
        on_disk = load_wellness(self.data, self.model.athlete_id)
        if shown is None or len(shown) == 0:
            assert len(on_disk) == 0
        else:
            pd.testing.assert_frame_equal(shown.reset_index(drop=True), on_disk.reset_index(drop=True))

    def teardown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)


TestWellnessMachine = WellnessMachine.TestCase
TestWellnessMachine.settings = settings(max_examples=8, stateful_step_count=8, deadline=None,
                                        suppress_health_check=[HealthCheck.too_slow])
