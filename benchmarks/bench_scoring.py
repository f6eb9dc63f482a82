"""Speed of scoring: one profile in-process, a 10,000-athlete roster, `heavylegs score` end to end.

Targets (issue 2): one profile median < 2 ms; 10,000-athlete roster < 1 s; the command < 0.8 s;
issue 9 tightened the command to <= 0.12 s. The command is timed twice: through this checkout's
editable install, and as a user installs it (the wheel, built from a copy of the source, in a fresh
virtual environment; with ``--no-deps``, which ``score`` does not need: it imports none of them).
Prints figures (wall-clock and the children's CPU time); asserts nothing.

    python benchmarks/bench_scoring.py [--no-wheel]
"""
import os
import resource
import shutil
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from heavylegs.vocabulary import PROFILE_FIELDS
from heavylegs.store.profiles import validate_profile
from heavylegs.analysis.scoring import score_profile, score_roster

ROOT = Path(__file__).resolve().parent.parent


def random_profile(rng, i):
    profile = {"athlete_id": f"a{i}"}
    for name, spec in PROFILE_FIELDS.items():
        if name in ("athlete_id", "name", "assessed_on") or rng.random() < 0.3:
            continue
        if spec.kind == "bool":
            profile[name] = rng.random() < 0.3
        elif spec.kind == "enum":
            profile[name] = rng.choice(spec.values)
        elif spec.kind == "list":
            profile[name] = rng.sample(spec.values, rng.randint(0, 2))
        elif spec.kind == "int":
            profile[name] = rng.randint(int(spec.minimum), int(spec.maximum))
        else:
            profile[name] = max(spec.minimum, round(rng.uniform(spec.minimum, spec.maximum), 1))
    if "diuretics" in profile and "medications" in profile:  # one answer asked twice: they agree
        profile["diuretics"] = "diuretic" in profile["medications"]
    return validate_profile(profile)


def main():
    rng = random.Random(1)
    samples = sorted((ROOT / "data" / "athletes").glob("*.json"))
    profiles = [json.loads(p.read_text()) for p in samples] or [random_profile(rng, 0)]
    profiles = [validate_profile(p) for p in profiles]
    score_profile(profiles[0])  # load the catalogue once
    times = []
    for _ in range(300):
        for p in profiles:
            t0 = time.perf_counter()
            score_profile(p)
            times.append(time.perf_counter() - t0)
    print(f"score one profile in-process: median {statistics.median(times) * 1e3:.3f} ms "
          f"(p90 {statistics.quantiles(times, n=10)[-1] * 1e3:.3f} ms, {len(times)} runs; target < 2 ms)")

    roster = [random_profile(rng, i) for i in range(10_000)]
    runs = []
    for _ in range(5):
        t0 = time.perf_counter()
        score_roster(roster)
        runs.append(time.perf_counter() - t0)
    print(f"score a 10,000-athlete roster: median {statistics.median(runs):.3f} s (target < 1 s)")

    with tempfile.TemporaryDirectory() as tmp:
        target = samples[0] if samples else Path(tmp) / "p.json"
        if not samples:
            target.write_text(json.dumps(profiles[0]))
        exe = Path(sys.executable).with_name("heavylegs")
        time_command(exe, target, "editable install (this checkout)")
        if "--no-wheel" not in sys.argv:
            time_command(wheel_install(Path(tmp)), target, "installed from the wheel")


def time_command(exe, target, label, runs=20):
    """Run ``heavylegs score TARGET --json`` ``runs`` times; print the median wall and CPU time."""
    cmd = [str(exe), "score", str(target), "--json"]
    # As on a coach's machine: Python keeps the compiled modules (a shell with
    # PYTHONDONTWRITEBYTECODE set would recompile the checkout's modules on every run).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(cmd, capture_output=True, check=True, env=env)
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True, env=env)
        walls.append(time.perf_counter() - t0)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    print(f"`heavylegs score --json` end to end, {label}: median {statistics.median(walls):.3f} s "
          f"(min {min(walls):.3f}, CPU median {statistics.median(cpus):.3f} s, {runs} runs, "
          f"load average {os.getloadavg()[0]:.2f}; target <= 0.12 s)")


def wheel_install(tmp):
    """The ``heavylegs`` script of a fresh venv holding only the wheel built from this source."""
    source = tmp / "src"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "dist", "tests", "__pycache__", ".pytest_cache", ".hypothesis", "data"))
    shutil.copytree(ROOT / "data", source / "data")
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "--quiet",
                    "--disable-pip-version-check", "-w", str(tmp / "wheel")], check=True, capture_output=True)
    venv = tmp / "venv"
    subprocess.run([getattr(sys, "_base_executable", sys.executable), "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--no-deps",
                    "--disable-pip-version-check", str(next((tmp / "wheel").glob("heavylegs-*.whl")))],
                   check=True, capture_output=True)
    return venv / "bin" / "heavylegs"

if __name__ == "__main__":
    main()
