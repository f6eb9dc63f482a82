"""Print the ranking figures of docs/scoring.md: agreement with each case's key and ask_next's speed.

Case sets (each case has the cause a sports physician would put first, its key):

* ``samples``: the sample athletes (``data/athletes/*.json``, intended top cause from
  ``data/README.md``);
* ``vignettes``: ``tests/data/vignettes.json`` (issue 10);
* ``blind``: ``tests/data/blind_cases.json``, stories set as a sports-medicine brief would set
  them, each on the presentation a named guideline or review describes (issue 22);
* ``published``: ``tests/data/published_cases.json``, each paraphrasing a named published case
  report with the few answers such a report gives, keyed by its final diagnosis (issue 22).

Figures per set:

* agreement: how often the key is first, and in the top three;
* ask-next questions: starting from an empty profile, ask the first question of ``ask_next``
  not yet asked; when the case knows the answer it is given, otherwise the answer stays unknown;
  rescore, until the top cause equals the one the full profile gives. Two counts per case: the
  questions the case answered (the measure of issue 22: a question the athlete cannot answer
  costs the coach little) and every question asked. Medians (and maxima) per set are printed.

Answers a package version does not know are left out, so the same script measures an older
version: ``PYTHONPATH=<old checkout> python scripts/ranking_figures.py``.
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
#: The case files of tests/data and the key their cases are listed under.
CASE_FILES = (("vignettes", "vignettes.json", "vignettes"), ("blind", "blind_cases.json", "cases"),
              ("published", "published_cases.json", "cases"))
SETS = ("samples",) + tuple(name for name, _, _ in CASE_FILES)


def known(profile):
    """The answers of ``profile`` that this package version knows."""
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


def cases():
    """(set, id, profile, key) for every case, answers unknown to this version dropped."""
    for athlete, cause in SAMPLES.items():
        raw = json.loads((ROOT / "data" / "athletes" / f"{athlete}.json").read_text(encoding="utf-8"))
        yield "samples", athlete, known(raw), cause
    for group, name, key in CASE_FILES:
        path = ROOT / "tests" / "data" / name
        if not path.exists():
            continue
        for case in json.loads(path.read_text(encoding="utf-8"))[key]:
            yield group, case["id"], known({"athlete_id": "case", **case["profile"]}), case["expected"]


def questions_to_top(profile, limit=200):
    """Questions of ask_next, from an empty profile, until the top cause is the full profile's.

    Returns
    -------
    (int, int)
        The questions the case could answer (the measure of issue 22), and every question asked,
        answered or not.
    """
    target = score_profile(profile)["causes"][0]["id"]
    answers, asked = {"athlete_id": profile["athlete_id"]}, []
    for _ in range(limit):
        doc = score_profile(answers)
        if doc["causes"][0]["id"] == target:
            break
        ask = [name for name in doc["ask_next"] if name not in asked]
        if not ask:
            # nothing left to ask that could move the top: answer the rest at once
            rest = [k for k in profile if k not in answers]
            return len(answers) - 1 + len(rest), len(asked) + len(rest)
        asked.append(ask[0])
        if ask[0] in profile:
            answers[ask[0]] = profile[ask[0]]
    return len(answers) - 1, len(asked)


def figures(rows):
    """Per set: (n, top-1, top-3, answered counts, asked counts), and the per-case lines."""
    out, lines = {}, []
    for group, case_id, profile, want in rows:
        top = [c["id"] for c in score_profile(profile)["causes"][:3]]
        answered, asked = questions_to_top(profile)
        n, top1, top3, counts, all_counts = out.get(group, (0, 0, 0, [], []))
        out[group] = (n + 1, top1 + (top[0] == want), top3 + (want in top), counts + [answered],
                      all_counts + [asked])
        lines.append((group, case_id, want, top, answered, asked))
    return out, lines


def main():
    rows = list(cases())
    print(f"heavylegs at {sys.modules['heavylegs'].__file__}")
    per_set, lines = figures(rows)
    print("ask-next: questions until the top cause is the full profile's, answered (asked in all)")
    every, every_asked = [], []
    for group in SETS + ("all",):
        if group == "all":
            n = sum(v[0] for v in per_set.values())
            top1, top3 = sum(v[1] for v in per_set.values()), sum(v[2] for v in per_set.values())
            counts, asked = every, every_asked
        elif group in per_set:
            n, top1, top3, counts, asked = per_set[group]
            every, every_asked = every + counts, every_asked + asked
        else:
            continue
        print(f"{group:>9}: n={n:2d}  top-1 {top1}/{n}  top-3 {top3}/{n}  ask-next median "
              f"{statistics.median(counts):g} answered (max {max(counts)}), "
              f"{statistics.median(asked):g} asked (max {max(asked)})")
    for group, case_id, want, top, answered, asked in lines:
        mark = "top-3" if want in top else "MISS "
        print(f"  {mark} {group:<9} {case_id:<36} want {want:<24} got {', '.join(top)}  "
              f"questions {answered} ({asked} asked)")


if __name__ == "__main__":
    main()
