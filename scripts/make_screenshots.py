"""Screenshots of the coach workbook for docs/workbook.md, from the current code.

Starts JupyterLab on a copy of the sample data (``tests/jupyterlab_driver.py``),
runs the workbook for ``ana`` in Debian's Chromium and saves one picture per
part of the page into ``docs/screenshots/``.

Run: ``.venv/bin/python scripts/make_screenshots.py``.
"""
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from jupyterlab_driver import CHROMIUM, CHROMIUM_ARGS, LabServer, Workbook  # noqa: E402

SHOTS = ROOT / "docs" / "screenshots"
#: File name, and the heading the page is scrolled to (None: the top).
PARTS = [("workbook-top.png", None), ("workbook-load.png", "Training log"),
         ("workbook-plan.png", "Two-week plan"), ("workbook-checkins.png", "Daily check-ins")]


def main():
    from playwright.sync_api import sync_playwright

    lab = LabServer("ana")
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
            Workbook(page, lab.url).open()
            for name, heading in PARTS:
                if heading:
                    page.get_by_text(heading, exact=True).first.evaluate("e => e.scrollIntoView({block: 'start'})")
                time.sleep(2)  # plotly draws after the widgets arrive
                page.screenshot(path=str(SHOTS / name))
                print(f"wrote {SHOTS / name}")
            browser.close()
    finally:
        lab.stop()


if __name__ == "__main__":
    main()
