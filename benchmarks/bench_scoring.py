"""Speed of scoring: one profile in-process, a 10,000-athlete roster, `heavylegs score` end to end.

Targets (issue 2): one profile median < 2 ms; 10,000-athlete roster < 1 s; the command < 0.8 s.
Prints figures; asserts nothing.
"""
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from heavylegs.fields import PROFILE_FIELDS
from heavylegs.profile import validate_profile
from heavylegs.scoring import score_profile, score_roster

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
            profile[name] = round(rng.uniform(spec.minimum, spec.maximum), 1)
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
        cmd = [str(exe), "score", str(target), "--json"]
        subprocess.run(cmd, capture_output=True, check=True)
        runs = []
        for _ in range(10):
            t0 = time.perf_counter()
            subprocess.run(cmd, capture_output=True, check=True)
            runs.append(time.perf_counter() - t0)
        print(f"`heavylegs score --json` end to end: median {statistics.median(runs):.3f} s (target < 0.8 s)")


if __name__ == "__main__":
    main()
