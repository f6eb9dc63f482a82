"""Speed of the coach workbook: one answer changed, and the whole notebook run.

Prints, for the sample athlete (``ana``, on a private copy of ``data/``):

* the median time of one widget change in the kernel: a form value set,
  the ranking recomputed, the ranking figure and the weekly load figure
  rebuilt and sent to their charts as JSON (target < 50 ms), with the
  parts it is made of;
* the time to build the workbook widget once;
* the time to execute ``notebooks/coach_workbook.ipynb`` top to bottom with
  nbclient, kernel start included (target < 10 s).

Run: ``.venv/bin/python benchmarks/bench_workbook.py``.
"""
from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _timing import run_notebook  # benchmarks/_timing.py, beside this script

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
_TMP = Path(tempfile.mkdtemp(prefix="heavylegs-bench-"))
for _var, _sub in (("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_DATA_DIR", "data"),
                   ("JUPYTER_RUNTIME_DIR", "runtime"), ("IPYTHONDIR", "ipython")):
    os.environ.setdefault(_var, str(_TMP / _sub))


def _median_ms(action, repeat):
    times = []
    for i in range(repeat):
        start = time.perf_counter()
        action(i)
        times.append((time.perf_counter() - start) * 1000.0)
    return statistics.median(times), min(times), max(times)


def bench_widget_change(data_dir, repeat=40):
    from heavylegs.views import figures
    from heavylegs.analysis.scoring import score_profile
    from heavylegs.app.widgets import CoachWorkbook

    start = time.perf_counter()
    app = CoachWorkbook(data_dir=data_dir, athlete_id="ana")
    build_s = time.perf_counter() - start
    values = ["6", "7.5", "8", "5.5", "9"]

    def change(i):
        app.form.controls["sleep_h"].value = values[i % len(values)]   # ranking + ranking figure
        app.refresh_load()                                              # weekly figure

    app.show_fitness.value = True
    rows = [("one answer changed -> ranking + both figures [ms]", _median_ms(change, repeat))]
    model = app.model
    rows.append(("  score_profile with log facts [ms]",
                 _median_ms(lambda i: score_profile(model.answers, log_facts=model.log_facts), repeat)))
    rows.append(("  ranking_figure [ms]", _median_ms(lambda i: figures.ranking_figure(model.ranking), repeat)))
    rows.append(("  weekly_load_figure with fitness [ms]",
                 _median_ms(lambda i: figures.weekly_load_figure(model.weekly, "load", True, model.daily), repeat)))
    return build_s, rows, len(model.ranking["causes"]), 0 if model.weekly is None else len(model.weekly)


def bench_notebook(data_dir):
    return run_notebook(ROOT / "notebooks" / "coach_workbook.ipynb", data_dir, timeout=120)[:2]


def main():
    data_dir = _TMP / "data"
    shutil.copytree(ROOT / "data", data_dir)
    try:
        build_s, rows, n_causes, n_weeks = bench_widget_change(data_dir)
        print(f"coach workbook, athlete ana: {n_causes} causes, {n_weeks} weeks of log")
        print(f"{'build the workbook widget [s]':<55}{build_s:>8.2f}")
        print(f"{'':<55}{'median':>8}{'min':>8}{'max':>8}")
        for label, (median, low, high) in rows:
            print(f"{label:<55}{median:>8.1f}{low:>8.1f}{high:>8.1f}")
        runs = [bench_notebook(data_dir) for _ in range(5)]
        for label, times in (("notebook top to bottom, kernel start incl. [s]", [r[0] for r in runs]),
                             ("  the same, with the kernel's shutdown [s]", [r[1] for r in runs])):
            print(f"{label:<55}{statistics.median(times):>8.2f}{min(times):>8.2f}{max(times):>8.2f}")
        print(f"load average {os.getloadavg()[0]:.2f}")
    finally:
        shutil.rmtree(_TMP, ignore_errors=True)


if __name__ == "__main__":
    main()
