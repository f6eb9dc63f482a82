"""Print the ranking figures of docs/scoring.md: top-3 agreement and ask_next questions to the top cause.

Cases: the sample athletes (``data/athletes/*.json``, intended top cause from
``data/README.md``) and the vignettes of ``tests/data/vignettes.json``.

* agreement: the share of cases whose intended cause is first, and in the top three;
* questions: starting from an empty profile, answer the first question of
  ``ask_next`` the full profile knows (a question it does not know counts as asked
  and answered "unknown"), rescore, and count the questions until the top cause
  equals the full profile's top cause; the median over the cases is printed.

Answers a package version does not know are left out (so that the same script
measures an older version: ``PYTHONPATH=<old checkout> python scripts/ranking_figures.py``).
"""
import json
import statistics
import sys
from pathlib import Path

from heavylegs.vocabulary import PROFILE_FIELDS
from heavylegs.analysis.scoring import score_profile

ROOT = Path(__file__).resolve().parent.parent
#: Intended top cause of each sample athlete (data/README.md, tests/test_samples.py).
SAMPLES = {"ana": "iron_deficiency", "ben": "overtraining", "carla": "glycogen_depletion",
           "dev": "strength_overload", "elena": "poor_circulation", "femi": "unsuitable_shoes",
           "gus": "neurological", "hana": "muscle_fatigue"}


def cases():
    """(group, id, profile, intended cause), answers unknown to this version dropped."""
    def known(profile):
        out = {}
        for key, value in profile.items():
            spec = PROFILE_FIELDS.get(key)
            if spec is None or value is None:
                continue
            if spec.kind == "list":
                value = [v for v in value if v in spec.values]
            elif spec.kind == "enum" and value not in spec.values:
                continue
            out[key] = value
        return out

    for athlete, cause in SAMPLES.items():
        raw = json.loads((ROOT / "data" / "athletes" / f"{athlete}.json").read_text(encoding="utf-8"))
        yield "samples", athlete, known(raw), cause
    vignettes = json.loads((ROOT / "tests" / "data" / "vignettes.json").read_text(encoding="utf-8"))
    for v in vignettes["vignettes"]:
        yield "vignettes", v["id"], known({"athlete_id": "v", **v["profile"]}), v["expected"]


def questions_to_top(profile, limit=200):
    """How many ask_next questions, from an empty profile, until the top cause is the full profile's."""
    target = score_profile(profile)["causes"][0]["id"]
    answers, asked = {"athlete_id": profile["athlete_id"]}, set()
    for count in range(limit + 1):
        doc = score_profile(answers)
        if doc["causes"][0]["id"] == target:
            return count
        ask = [name for name in doc["ask_next"] if name not in asked]
        if not ask:
            # nothing left to ask that could move the top: answer the rest at once
            return count + len([k for k in profile if k not in answers])
        name = ask[0]
        asked.add(name)
        if name in profile:
            answers[name] = profile[name]
    return limit


def main():
    rows = list(cases())
    print(f"heavylegs at {sys.modules['heavylegs'].__file__}")
    for group in ("samples", "vignettes", "all"):
        sel = [r for r in rows if group in ("all", r[0])]
        tops = [score_profile(p)["causes"] for _, _, p, _ in sel]
        top1 = sum(c[0]["id"] == want for c, (*_, want) in zip(tops, sel))
        top3 = sum(want in [x["id"] for x in c[:3]] for c, (*_, want) in zip(tops, sel))
        counts = [questions_to_top(p) for _, _, p, _ in sel]
        print(f"{group:>9}: n={len(sel):2d}  top-1 {top1}/{len(sel)}  top-3 {top3}/{len(sel)}  "
              f"ask_next questions to the full top cause: median {statistics.median(counts):g} "
              f"(min {min(counts)}, max {max(counts)})")
    for (group, case_id, p, want), c in zip(rows, [score_profile(p)["causes"] for *_, p, _ in rows]):
        mark = "top-3" if want in [x["id"] for x in c[:3]] else "MISS "
        print(f"  {mark} {group:<9} {case_id:<26} want {want:<24} got {', '.join(x['id'] for x in c[:3])}"
              f"  questions {questions_to_top(p)}")


if __name__ == "__main__":
    main()
