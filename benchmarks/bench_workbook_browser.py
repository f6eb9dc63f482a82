"""Speed of the coach workbook as a coach sees it, in Debian's Chromium (issue 17).

Prints, on private copies of ``data/`` and ``notebooks/``, for the app that ``make run`` serves
(Voila with kernels run ahead, ``heavylegs.serve.workbook_app``):

* server start until it answers, and until both notebooks' kernels have run ahead;
* the printed address opened → ranking drawn, as soon as the server answers and once the
  kernels have run ahead (target ≤ 3 s after the server is up);
* reload → ranking drawn again, with the draft (target ≤ 3 s), spaced out and back to back;
* another athlete picked → its status line and ranking drawn (target ≤ 0.5 s), median;
* the squad page → table drawn (target ≤ 3 s); "Open in the workbook" → the athlete's ranking
  drawn below the table (target ≤ 1.5 s);

and, to choose with evidence, the same first figures for the alternatives: JupyterLab with
Run All (the old way), and Voila starting a kernel per page (no preheating).

Each figure comes with the CPU time [s] of every process the measurement started (servers,
kernels, Chromium) over that step, and the load average: the machine is shared by several
people, so wall-clock times are inflated.

Run: ``.venv/bin/python benchmarks/bench_workbook_browser.py [--quick]``.
"""
from __future__ import annotations

import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from jupyterlab_driver import (CHROMIUM, CHROMIUM_ARGS, RANKING_DRAWN, AppPage, AppServer,  # noqa: E402
                               LabServer, Workbook)

_TICK = os.sysconf("SC_CLK_TCK")


def _tree_cpu() -> float:
    """CPU time [s] of every process descending from this one (servers, kernels, Chromium)."""
    children, cpu = {}, {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
        cpu[int(entry)] = (int(fields[11]) + int(fields[12])) / _TICK
    total, stack = 0.0, [os.getpid()]
    while stack:
        pid = stack.pop()
        total += cpu.get(pid, 0.0)
        stack += children.get(pid, [])
    return total


class Figures:
    """Rows of (what, seconds, CPU seconds, load average) to print."""

    def __init__(self):
        self.rows = []

    def timed(self, what: str, func):
        cpu = _tree_cpu()
        start = time.perf_counter()
        result = func()
        self.add(what, time.perf_counter() - start, _tree_cpu() - cpu)
        return result

    def add(self, what: str, seconds, cpu=None):
        """Record and print one figure at once (a later step may fail)."""
        if not self.rows:
            print(f"{'what':78s} {'wall [s]':>16s} {'CPU [s]':>8s} {'load':>5s}")
        row = (what, seconds, cpu, os.getloadavg()[0])
        self.rows.append(row)
        if isinstance(seconds, list):
            wall = f"{statistics.median(seconds):.2f} ({min(seconds):.2f}-{max(seconds):.2f})"
        else:
            wall = f"{seconds:.2f}"
        cpu_text = "" if cpu is None else f"{cpu:.2f}"
        print(f"{what:78s} {wall:>16s} {cpu_text:>8s} {row[3]:5.1f}", flush=True)

    def print(self):
        print(f"(load average: 1-minute figure at the end of each step, {os.cpu_count()} cores; the CPU column "
              "counts every process the step's servers, kernels and browser used)")


def _browser(p):
    return p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


def bench_app(figures: Figures, switches: int, reloads: int) -> None:
    from playwright.sync_api import sync_playwright

    cpu = _tree_cpu()
    app = AppServer("ana")
    figures.add("app: server start → it answers", app.up_after, _tree_cpu() - cpu)
    try:
        with sync_playwright() as p:
            browser = _browser(p)
            page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
            wb = AppPage(page, app.url)
            figures.timed("app: address opened as soon as the server answers → ranking drawn", wb.open)
            ahead = app.wait_preheated()
            figures.add("app: server start → both notebooks' kernels run ahead", ahead)
            page.close()
            time.sleep(3)                                    # the pool refills after the first page
            app.wait_preheated()
            page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
            wb = AppPage(page, app.url)
            figures.timed("app: address opened → ranking drawn (target ≤ 3 s), kernels run ahead", wb.open)
            wb.answer("Sleep", "Recovery", "5.5")            # a draft for the reloads to bring back
            spaced, back_to_back = [], []
            for _ in range(reloads):
                time.sleep(8)                                # time for the next kernel to run ahead
                spaced.append(wb.reload())
                page.locator(".hl-draft-note").wait_for(timeout=60_000)
            figures.add(f"app: reload → ranking and draft back (target ≤ 3 s), 8 s apart, {reloads}", spaced)
            for _ in range(2):
                back_to_back.append(wb.reload())
            figures.add("app: reload again at once (the next kernel still running ahead), 2", back_to_back)
            order = ["ben", "carla", "ana", "gus", "hana", "dev", "elena", "femi"]
            cpu = _tree_cpu()
            picks = [wb.pick(order[i % len(order)]) for i in range(switches)]
            figures.add(f"app: another athlete picked → status and ranking drawn (target ≤ 0.5 s), {switches}",
                        picks, (_tree_cpu() - cpu) / switches)
            squad = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()

            def open_squad():
                squad.goto(app.squad_url, wait_until="domcontentloaded", timeout=120_000)
                squad.wait_for_selector("table.hl-squad tbody tr", timeout=120_000)
            figures.timed("app: squad page opened → table drawn (target ≤ 3 s)", open_squad)

            def open_in_workbook():
                label = squad.locator("label", has_text=re.compile("^Athlete$"))
                select = squad.locator(".widget-dropdown:visible").filter(has=label).locator("select")
                names = select.locator("option").all_inner_texts()
                select.select_option(label=next(name for name in names if name.endswith("(ben)")))
                squad.get_by_role("button", name="Open in the workbook").click()
                squad.wait_for_function(RANKING_DRAWN, timeout=120_000, polling=50)
            figures.timed("app: squad's \"Open in the workbook\" → ranking drawn (target ≤ 1.5 s)", open_in_workbook)
            browser.close()
    finally:
        app.stop()


def bench_alternatives(figures: Figures) -> None:
    from playwright.sync_api import sync_playwright

    app = AppServer("ana", preheat=False)
    try:
        with sync_playwright() as p:
            browser = _browser(p)
            page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
            figures.timed("Voila, a kernel started per page: address opened → ranking drawn",
                          AppPage(page, app.url).open)
            browser.close()
    finally:
        app.stop()
    lab = LabServer("ana")
    try:
        with sync_playwright() as p:
            browser = _browser(p)
            page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
            figures.timed("JupyterLab: notebook opened, Run All → ranking drawn (the old way)",
                          Workbook(page, lab.url).open)
            browser.close()
    finally:
        lab.stop()


def main() -> None:
    quick = "--quick" in sys.argv
    figures = Figures()
    bench_app(figures, switches=4 if quick else 8, reloads=2 if quick else 4)
    if "--no-alternatives" not in sys.argv:
        bench_alternatives(figures)
    figures.print()


if __name__ == "__main__":
    main()
