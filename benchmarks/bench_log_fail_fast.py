"""`read_log` of a 1,000,000-row training log whose last row is bad, against the valid file (issue 18).

Issue 18 measured 21.9 s and 1.4 GB before the (clean) error, against 4.3 s
for the valid file: every cell went the careful, cell-by-cell way. Target:
fail about as fast as the valid file reads.

    .venv/bin/python benchmarks/bench_log_fail_fast.py [--rows 1000000] [--root DIR]

Writes both logs in a temporary folder, then reads each in a fresh process
(of this checkout, or of ``--root DIR``: an older commit unpacked with
``git archive COMMIT | tar -x -C DIR``) and prints its wall clock, CPU time
and peak resident set (``ru_maxrss``), with the load average: the machine is
shared, so the CPU time is the figure to compare.
"""
import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_READ = r"""
import json, resource, sys, time
from heavylegs.errors import InputError
from heavylegs.logs.traininglog import read_log
wall, cpu = time.perf_counter(), time.process_time()
try:
    outcome = f"{len(read_log(sys.argv[1]))} rows"
except InputError as exc:
    outcome = f"{len(exc.problems)} problem(s): {str(exc.problems[0])[-70:]}"
print(json.dumps({"outcome": outcome, "wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def write_logs(folder: Path, rows: int) -> tuple:
    start = dt.date(1950, 1, 1)
    lines = ["date,activity,duration_min,distance_km,rpe,session_type,avg_hr_bpm"]
    for i in range(rows):
        day = start + dt.timedelta(days=i // 30)
        lines.append(f"{day.isoformat()},run,{30 + i % 60},{5 + (i % 10) / 2},{i % 10},easy,{120 + i % 50}")
    good, bad = folder / "log.csv", folder / "log-bad-last-row.csv"
    good.write_text("\n".join(lines) + "\n")
    lines[-1] = lines[-1].replace(",run,", ",runn,")
    bad.write_text("\n".join(lines) + "\n")
    return good, bad


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--root", default=str(ROOT), help="checkout whose read_log runs")
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(Path(args.root).resolve())}
    with tempfile.TemporaryDirectory(prefix="bench-log-fail-fast-") as tmp:
        good, bad = write_logs(Path(tmp), args.rows)
        print(f"read_log of {args.rows:,} rows, `heavylegs` of {args.root}")
        for label, path in (("valid", good), ("bad last row", bad)):
            out = subprocess.run([sys.executable, "-c", _READ, str(path)], env=env, cwd=tmp,
                                 capture_output=True, text=True, check=True).stdout
            got = json.loads(out)
            print(f"  {label:13}: wall {got['wall']:.1f} s, CPU {got['cpu']:.1f} s, peak {got['peak_mb']:.0f} MB; "
                  f"{got['outcome']}; load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
