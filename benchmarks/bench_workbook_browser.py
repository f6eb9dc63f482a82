"""Speed of the coach workbook as a coach sees it: JupyterLab in Debian's Chromium.

Prints, on a private copy of ``data/``:

* the notebook opened and run until the first ranking is drawn;
* opening another athlete from the list until its status line, ranking and
  charts are drawn (target < 1 s), median of several switches between
  sample athletes;
* Save until the confirmation shows (target < 0.5 s), median of several.

Run: ``.venv/bin/python benchmarks/bench_workbook_browser.py``.
"""
from __future__ import annotations

import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from jupyterlab_driver import CHROMIUM, CHROMIUM_ARGS, LabServer, Workbook  # noqa: E402


def main(switches: int = 8, saves: int = 6) -> None:
    from playwright.sync_api import sync_playwright

    lab = LabServer("ana")
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
            wb = Workbook(page, lab.url)
            opened = wb.open()
            order = ["ben", "carla", "ana", "gus", "hana", "dev", "elena", "femi"]
            picks = [wb.pick(order[i % len(order)]) for i in range(switches)]
            wb.pick("ana")
            saved = [wb.save("ana") for _ in range(saves)]
            browser.close()
    finally:
        lab.stop()
    load = os.getloadavg()[0]
    print(f"{'what':58s} {'median':>8s} {'min':>7s} {'max':>7s}")
    print(f"{'notebook opened and run until the ranking is drawn [s]':58s} {opened:8.2f}")
    print(f"{'another athlete opened until drawn [s] (target < 1)':58s} {statistics.median(picks):8.2f} "
          f"{min(picks):7.2f} {max(picks):7.2f}")
    print(f"{'Save until confirmed [s] (target < 0.5)':58s} {statistics.median(saved):8.2f} "
          f"{min(saved):7.2f} {max(saved):7.2f}")
    print(f"(load average during the run: {load:.1f} on {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
