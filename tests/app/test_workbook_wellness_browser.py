"""In Debian's Chromium: a coach imports a real Garmin file's nights beside the training log and sees them
in the wellness panel under the heaviness chart (spec/wellness.md)."""
import json
import shutil
from pathlib import Path

import pytest

from heavylegs.store.wellness_files import load_wellness

from jupyterlab_driver import LabServer, Workbook

REAL = Path(__file__).resolve().parents[1] / "data" / "wellness"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    data = tmp_path_factory.mktemp("wellness-lab") / "data"
    shutil.copytree(ROOT / "data", data)
    (data / "athletes" / "gia.json").write_text(json.dumps({
        "format": "heavylegs.profile/1", "athlete_id": "gia", "name": "Gia", "assessed_on": "2023-07-20"}))
    server = LabServer("gia", data_source=data)
    yield server
    server.stop()


def test_a_coach_imports_real_garmin_nights_and_sees_them_with_the_normal_band(lab, browser, tmp_path):
    folder = tmp_path / "garmin"
    folder.mkdir()
    for name in ("matin_garth__test_daily_hrv_paginate.i0.json", "matin_garth__test_daily_hrv_paginate.i1.json"):
        shutil.copy(REAL / name, folder / name)
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    wb = Workbook(page, lab.url)
    wb.open()
    wb.import_wellness_path(folder, "40 day(s) imported into gia's wellness.csv")
    page.get_by_text("From the watch or ring", exact=True).first.wait_for()
    wb.wait_charts_idle()
    page.wait_for_function("""() => Array.from(document.querySelectorAll('.js-plotly-plot')).some(
        c => (c.data || []).some(t => t.name === 'HRV Garmin (rMSSD) [ms]' && (t.y || []).length === 40))""")
    drawn = page.evaluate("""() => {
        const chart = Array.from(document.querySelectorAll('.js-plotly-plot')).find(
            c => (c.data || []).some(t => t.name === 'HRV Garmin (rMSSD) [ms]'));
        const hrv = chart.data.find(t => t.name === 'HRV Garmin (rMSSD) [ms]');
        const band = chart.data.find(t => (t.name || '').includes('normal band'));
        return {first: hrv.x[0], last: hrv.x[hrv.x.length - 1], y0: hrv.y[0], band: band ? band.x.length : 0,
                text: document.body.innerText.includes('Garmin rMSSD: mean ln 3.676 (39 ms) over 7 nights')};
    }""")
    context.close()
    assert drawn == {"first": "2023-06-11", "last": "2023-07-20", "y0": 71, "band": 13, "text": True}
    assert len(load_wellness(lab.data, "gia")) == 40
    assert not (lab.data / "athletes" / "ana" / "wellness.csv").exists()
