"""Screenshot of the workbook's wellness panel for docs/wellness.md, from real Garmin files.

Starts JupyterLab on a copy of the sample data with one more athlete, ``gia``,
assessed on 2023-07-20; in Debian's Chromium, types the path of a folder of
real Garmin Connect JSON files (``tests/data/wellness/``: 40 nights of HRV,
20 sleep scores, see its MANIFEST) into "Import wellness from path", as a
coach does, and saves the panel under the heaviness chart into
``docs/screenshots/workbook-wellness.png``.

Run: ``.venv/bin/python scripts/make_wellness_screenshot.py``.
"""
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from jupyterlab_driver import CHROMIUM, CHROMIUM_ARGS, LabServer, Workbook  # noqa: E402

SHOT = ROOT / "docs" / "screenshots" / "workbook-wellness.png"
REAL = ROOT / "tests" / "data" / "wellness"
FILES = ("matin_garth__test_daily_hrv_paginate.i0.json", "matin_garth__test_daily_hrv_paginate.i1.json",
         "matin_garth__test_daily_sleep.i0.json")
PROFILE = {"format": "heavylegs.profile/1", "athlete_id": "gia", "name": "Gia (real Garmin nights)",
           "assessed_on": "2023-07-20", "sex": "female", "age_years": 31, "runs_per_week": 5,
           "weekly_distance_km": 55.0, "rest_days_per_week": 1}


def main():
    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp(prefix="heavylegs-shot-"))
    data = tmp / "data"
    shutil.copytree(ROOT / "data", data)
    (data / "athletes" / "gia.json").write_text(json.dumps(PROFILE, indent=2), encoding="utf-8")
    garmin = tmp / "garmin_connect"
    garmin.mkdir()
    for name in FILES:
        shutil.copy(REAL / name, garmin / name)
    lab = LabServer("gia", data_source=data)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
            book = Workbook(page, lab.url)
            book.open()
            took = book.import_wellness_path(garmin, "day(s) imported into gia's wellness.csv")
            print(f"imported in {took:.1f} s")
            page.get_by_text("From the watch or ring", exact=True).first.evaluate(
                "e => e.scrollIntoView({block: 'start'})")
            time.sleep(3)  # plotly draws after the widgets arrive
            page.screenshot(path=str(SHOT))
            print(f"wrote {SHOT}")
            browser.close()
    finally:
        lab.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
