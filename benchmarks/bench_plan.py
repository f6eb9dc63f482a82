"""Speed of the two-week plan: built from an assessment in-process, and `heavylegs plan` end to end.

Targets (issue 12): the plan from an assessment < 100 ms; `heavylegs plan` < 1.5 s.
Prints figures; asserts nothing. Run as ``python benchmarks/bench_plan.py``.
"""
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import median_time  # noqa: E402

from heavylegs.analysis.pipeline import assess  # noqa: E402
from heavylegs.analysis.plan import build_plan, plan_load_projection  # noqa: E402
from heavylegs.views.plan_pages import plan_files  # noqa: E402
from heavylegs.store.profiles import read_profile  # noqa: E402
from heavylegs.logs.traininglog import read_log  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
ATHLETES = ("ana", "ben", "dev", "gus")


def main():
    data = ROOT / "data" / "athletes"
    results = {a: assess(read_profile(data / f"{a}.json"), read_log(data / a / "log.csv")) for a in ATHLETES}
    build_plan(results["ana"])  # read the knowledge file once
    for athlete, result in results.items():
        t = median_time(lambda: build_plan(result), repeat=50)
        plan = build_plan(result)
        p = median_time(lambda: plan_load_projection(result, plan), repeat=50)
        f = median_time(lambda: plan_files(result, plan), repeat=20)
        print(f"{athlete}: build_plan {t * 1000:.1f} ms, plan_load_projection {p * 1000:.1f} ms, "
              f"the files as text {f * 1000:.1f} ms")
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "data"
        shutil.copytree(ROOT / "data", copy)
        for athlete in ("ben", "gus"):
            times, cpu = [], []
            for i in range(5):
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                start = time.perf_counter()
                subprocess.run([sys.executable, "-m", "heavylegs", "plan", athlete, "-o", Path(tmp) / f"out{i}",
                                "--data", copy], check=True, capture_output=True)
                times.append(time.perf_counter() - start)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
            times.sort()
            cpu.sort()
            # wall time counts waiting for a core on a shared machine; CPU time is the command's own work
            print(f"heavylegs plan {athlete}: wall median {times[2]:.2f} s (runs {', '.join(f'{x:.2f}' for x in times)}); "
                  f"CPU median {cpu[2]:.2f} s")


if __name__ == "__main__":
    main()
