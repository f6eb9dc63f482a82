"""Explainable scoring: rank every cause for one athlete and say why.

The method, with a worked example, is in ``docs/scoring.md``. In short:

* each evidence rule whose conditions all hold adds its points (specific
  signal 3, moderately specific 2, non-specific 1; answers that argue against
  a cause subtract 1-3);
* a cause's raw points ``R`` (floored at 0) become a score
  ``round(100 × (1 − e^(−R/5)))``: one specific signal gives 45, a specific and
  a shared one 63, and more evidence approaches 100 ever more slowly;
* bands: ``likely`` from 60, ``possible`` from 35, ``unlikely`` below;
* unknown answers never fire a rule; they are listed as ``missing`` and lower
  ``coverage`` (the share of the cause's inputs that are known);
* red flags are checked first and reported whatever the ranking says.

Everything is deterministic: the same profile always gives the same document.
"""
from __future__ import annotations

import math
import numbers

from heavylegs.knowledge.causes import GRADES, load_causes, load_red_flags
from heavylegs.vocabulary import (BLOOD_TESTS, COMPUTED_INPUTS, FIELDS, PATTERN_QUESTIONS, URGENCY_ORDER,
                                  follow_up_applies)

__all__ = [
    "RANKING_FORMAT",
    "score_to_band",
    "points_to_score",
    "merge_log_facts",
    "merge_wellness_facts",
    "computed_facts",
    "red_flags_for",
    "harmonise_answers",
    "score_profile",
    "score_roster",
    "format_ranking",
    "BAND_LIKELY",
    "BAND_POSSIBLE",
    "SCORE_SCALE",
]

RANKING_FORMAT = "heavylegs.ranking/1"
#: Raw points at which a score reaches 1 − 1/e (63 %).
SCORE_SCALE = 5.0
#: Lowest score of the ``likely`` band.
BAND_LIKELY = 60
#: Lowest score of the ``possible`` band.
BAND_POSSIBLE = 35
_PREVALENCE_ORDER = {"common": 0, "occasional": 1, "rare": 2}
_FIELD_ORDER = {name: i for i, name in enumerate(FIELDS)}


def points_to_score(raw_points: float) -> int:
    """Turn raw evidence points into a 0-100 score.

    Parameters
    ----------
    raw_points : float
        Sum of the points of the rules that fired [points]; negative sums
        count as 0.

    Returns
    -------
    int
        ``round(100 × (1 − exp(−max(R, 0) / 5)))``, rounding halves up.

    Examples
    --------
    >>> [points_to_score(r) for r in (0, 1, 2, 3, 5, 8)]
    [0, 18, 33, 45, 63, 80]
    """
    r = max(0.0, float(raw_points))
    return int(math.floor(100.0 * (1.0 - math.exp(-r / SCORE_SCALE)) + 0.5))


def score_to_band(score: int) -> str:
    """``likely`` (≥ 60), ``possible`` (≥ 35) or ``unlikely``."""
    if score >= BAND_LIKELY:
        return "likely"
    if score >= BAND_POSSIBLE:
        return "possible"
    return "unlikely"


def _fmt_value(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        # A float that is whole keeps one decimal ("12.0 g/dL"), as it was written.
        if float(value).is_integer():
            return f"{float(value):.1f}"
        return f"{float(value):.2f}".rstrip("0").rstrip(".")
    if isinstance(value, (list, tuple)):
        return ", ".join(_fmt_value(v) for v in value) if value else "none"
    return str(value).replace("_", " ")


def _fmt_threshold(value) -> str:
    if isinstance(value, (list, tuple)):
        return " or ".join(_fmt_value(v) for v in value)
    return _fmt_value(value)


def _json_value(value):
    # numpy scalars from a log become plain Python numbers for JSON
    if isinstance(value, bool):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    return value


def merge_log_facts(profile: dict, log_facts: dict | None) -> tuple:
    """Combine a profile with what a training log says.

    Parameters
    ----------
    profile : dict
        A validated profile.
    log_facts : dict or None
        As returned by :func:`heavylegs.engine.load.log_facts`: ``values`` (log
        fields), ``weeks`` (the week each value was seen) and ``fill``
        (profile training fields computed from the log).

    Returns
    -------
    values : dict
        Every known value: the coach's answers, then log-computed training
        fields the coach left unknown, then the log fields.
    weeks : dict
        Field name to the ``YYYY-MM-DD`` Monday of the week it was seen.
    filled : list of str
        Profile fields that were filled from the log.
    """
    values = dict(profile)
    if not log_facts:
        return values, {}, []
    filled = []
    for name, value in log_facts.get("fill", {}).items():
        if name in FIELDS and FIELDS[name].source == "profile" and values.get(name) is None \
                and value is not None:
            values[name] = value
            filled.append(name)
    for name, value in log_facts.get("values", {}).items():
        if value is not None:
            values[name] = value
    return values, dict(log_facts.get("weeks", {})), filled


def merge_wellness_facts(values: dict, profile: dict, wellness_facts: dict | None) -> tuple:
    """Fill the answers the coach left unknown with the wearable's values (``spec/wellness.md``).

    Parameters
    ----------
    values : dict
        Known values so far (the profile merged with the log's facts).
    profile : dict
        The coach's answers: an answer entered there always wins.
    wellness_facts : dict or None
        :func:`heavylegs.engine.wellness.wellness_facts`: ``fill`` (profile
        fields), ``values`` (``hrv_below_normal``) and ``why`` (where each
        came from).

    Returns
    -------
    values : dict
        With the device's values where the answer was unknown.
    device : dict
        ``{field: {"value", "device_value", "used", "because"}}`` for every
        field the device gave: ``used`` is ``"device"`` when its value was
        taken, ``"entered"`` when the coach's answer stood; ``because`` says
        which was used and where the device's value came from.
    """
    values = dict(values)
    device = {}
    if not wellness_facts:
        return values, device
    why = wellness_facts.get("why", {})
    for name, value in wellness_facts.get("fill", {}).items():
        if value is None or name not in FIELDS:
            continue
        field = FIELDS[name]
        unit = f" {field.unit}" if field.unit else ""
        entered = profile.get(name)
        if entered is None and values.get(name) is None:
            values[name] = value
            device[name] = {"value": value, "device_value": value, "used": "device",
                            "because": f"{field.label.lower()} {_fmt_value(value)}{unit} from {why.get(name, 'the wearable')}"}
        else:
            shown = entered if entered is not None else values.get(name)
            device[name] = {"value": shown, "device_value": value, "used": "entered",
                            "because": f"{field.label.lower()}: the entered {_fmt_value(shown)}{unit} was used "
                                       f"({why.get(name, 'the wearable')}: {_fmt_value(value)}{unit})"}
    for name, value in wellness_facts.get("values", {}).items():
        if value is None or name not in FIELDS:
            continue
        values[name] = value
        device[name] = {"value": value, "device_value": value, "used": "device",
                        "because": why.get(name, "from the wearable")}
    return values, device


def _device_notes(field, values, device) -> list:
    """Where the wearable's values behind one evidence field came from (the inputs actually used)."""
    if field in device:
        return [device[field]["because"]]
    notes = []
    for group in COMPUTED_INPUTS.get(field, ()):
        used = next((name for name in group if name in values), None)
        if used is not None and used in device:
            notes.append(device[used]["because"])
    return notes


def computed_facts(values: dict) -> dict:
    """The facts of ``spec/profile.md`` computed from two answers.

    Parameters
    ----------
    values : dict
        Known values of one athlete (a profile, possibly merged with log
        facts); ``None`` counts as unknown.

    Returns
    -------
    dict
        Only the facts whose answers are known:

        * ``distance_change_pct`` [%] = (``weekly_distance_km`` −
          ``weekly_distance_prev_km``) ÷ ``weekly_distance_prev_km`` × 100,
          unknown when the earlier distance is 0;
        * ``resting_hr_rise_bpm`` [bpm] = ``hr_rest_bpm`` (else
          ``resting_hr_bpm``) − ``resting_hr_baseline_bpm``;
        * ``mass_change_pct_90d`` [%] = ``mass_change_kg_90d`` ÷
          (``body_mass_kg`` − ``mass_change_kg_90d``) × 100, unknown when the
          mass 90 days ago would not be positive.

    Examples
    --------
    >>> computed_facts({"weekly_distance_km": 68, "weekly_distance_prev_km": 42,
    ...                 "resting_hr_bpm": 58, "resting_hr_baseline_bpm": 52,
    ...                 "body_mass_kg": 57, "mass_change_kg_90d": -3})
    {'distance_change_pct': 61.904761904761905, 'resting_hr_rise_bpm': 6.0, 'mass_change_pct_90d': -5.0}
    """
    out = {}
    for name, groups in COMPUTED_INPUTS.items():
        answers = []
        for group in groups:  # the first known answer of each group
            answers.append(next((float(values[f]) for f in group if values.get(f) is not None), None))
        if None in answers:
            continue
        formula, valid = _COMPUTED_FORMULAS[name]
        if valid is None or valid(*answers):
            out[name] = formula(*answers)
    return out


# Each computed fact once: (formula, when it is known) of the answers of its COMPUTED_INPUTS groups,
# with arithmetic and comparisons only, so that the same functions take one athlete's numbers
# (computed_facts) or every athlete's arrays (score_roster).
def _distance_change_pct(now, before):
    return (now - before) / before * 100.0


def _resting_hr_rise_bpm(rest, baseline):
    return rest - baseline


def _mass_change_pct_90d(change, mass):
    return change / (mass - change) * 100.0


_COMPUTED_FORMULAS = {
    "distance_change_pct": (_distance_change_pct, lambda now, before: before != 0),
    "resting_hr_rise_bpm": (_resting_hr_rise_bpm, None),
    "mass_change_pct_90d": (_mass_change_pct_90d, lambda change, mass: mass - change > 0),
}
assert set(_COMPUTED_FORMULAS) == set(COMPUTED_INPUTS)


def _rule_state(rule, values):
    """True (fires), False (cannot fire), or the tuple of unknown fields blocking it."""
    unknown = []
    for cond in rule.conditions:
        if cond.field in values:
            if not cond.test(values[cond.field]):
                return False
        elif cond.if_unknown is None:
            unknown.append(cond.field)
        elif not cond.if_unknown:
            return False
    return tuple(unknown) if unknown else True


def _fired_flags(values, flags):
    """``(flag, alternative)`` for every flag that applies, most urgent first (file order within)."""
    out = []
    for flag in flags:
        for alt in flag.when:
            if _alt_fires(alt, values):
                out.append((flag, alt))
                break
    out.sort(key=lambda fa: URGENCY_ORDER[fa[0].urgency])
    return out


def _flag_reason(flag, alt, values):
    first = alt[0]
    return flag.reason.format(value=_fmt_value(values.get(first.field)), threshold=_fmt_threshold(first.value))


def red_flags_for(values: dict, flags=None) -> list:
    """Every red flag that applies, most urgent first.

    Parameters
    ----------
    values : dict
        Known values (a profile, possibly merged with log facts).
    flags : sequence of RedFlag, optional
        The packaged red flags by default.

    Returns
    -------
    list of dict
        ``{"id", "urgency", "reason", "title", "action", "causes"}`` for each
        flag that applies; ``causes`` are the ids of the causes it bears on.
    """
    flags = load_red_flags() if flags is None else flags
    values = harmonise_answers(values)
    return [{"id": flag.id, "urgency": flag.urgency, "reason": _flag_reason(flag, alt, values),
             "title": flag.title, "action": flag.action, "causes": list(flag.cause_ids)}
            for flag, alt in _fired_flags(values, flags)]


def harmonise_answers(values: dict) -> dict:
    """Answers that say the same thing, made to agree before scoring.

    ``diuretics`` (the older answer) and ``diuretic`` in ``medications``
    mean the same (``spec/profile.md``, Additions 2); when only the medicine
    list is known, ``diuretics`` is read from it. Validation refuses a profile
    where both are known and differ.

    Parameters
    ----------
    values : dict
        Known values of one athlete.

    Returns
    -------
    dict
        ``values`` itself when nothing is added, else a copy with the added answer.
    """
    medicines = values.get("medications")
    if values.get("diuretics") is None and medicines is not None:
        values = dict(values, diuretics="diuretic" in medicines)
    return values


def _alt_fires(alt, values):
    for cond in alt:
        if cond.field in values:
            if not cond.test(values[cond.field]):
                return False
        elif not cond.if_unknown:
            return False
    return True


def _from_log(name, filled):
    """Whether a value came from the training log (directly, or computed from a filled answer)."""
    if name in filled or FIELDS[name].source == "log":
        return True
    return any(n in filled for alt in COMPUTED_INPUTS.get(name, ()) for n in alt)


def _score_cause(cause, values, weeks, filled, flag_fields=()):
    evidence, raw = [], 0
    inputs = tuple(dict.fromkeys(cause.fields + tuple(flag_fields)))
    missing = [f for f in inputs if f not in values]
    for rule in cause.rules:
        state = _rule_state(rule, values)
        if state is not True:
            continue
        raw += rule.points
        value = values.get(rule.field)
        because = rule.because.format(value=_fmt_value(value), threshold=_fmt_threshold(rule.conditions[0].value),
                                      week=weeks.get(rule.field, "?"))
        item = {"field": rule.field, "value": _json_value(value), "points": rule.points,
                "because": because, "grade": rule.grade, "evidence_tag": rule.evidence}
        if rule.field in weeks:
            item["week"] = weeks[rule.field]
        if _from_log(rule.field, filled):
            item["from_log"] = True
        evidence.append(item)
    n_fields = len(inputs)
    coverage = (n_fields - len(missing)) / n_fields if n_fields else 1.0
    score = points_to_score(raw)
    return {
        "id": cause.id,
        "rank": 0,
        "score": score,
        "band": score_to_band(score),
        "evidence": evidence,
        "missing": missing,
        "coverage": math.floor(100 * coverage + 0.5) / 100,
        "advice": list(cause.advice),
        "see_doctor_if": cause.see_doctor_if,
        "title": cause.title,
        "summary": cause.summary,
        "category": cause.category,
        "raw_points": raw,
    }


def _sort_key(cause_by_id):
    def key(result):
        cause = cause_by_id[result["id"]]
        return (-result["score"], -result["raw_points"], _PREVALENCE_ORDER[cause.prevalence], result["id"])
    return key


def _questions_for(name, values):
    """The profile questions whose answers would make an unknown field known.

    A follow-up question whose parent is unknown is replaced by its parent; one whose parent's
    answer makes it moot is not asked.
    """
    if FIELDS[name].source == "profile":
        applies = follow_up_applies(name, values)
        if applies is True:
            return [name]
        return [applies] if applies else []
    # A computed fact: ask for each missing input; of alternatives (waking or morning
    # resting heart rate) ask the last, the one most athletes know.
    return [group[-1] for group in COMPUTED_INPUTS[name] if not any(n in values for n in group)]


def _flag_is_plausible(flag, values):
    """Whether the answers so far make a flag plausible enough to ask its questions first."""
    return any(all(c.field in values and c.test(values[c.field]) for c in alt) for alt in flag.ask_when)


def _flag_questions(flag, values):
    """The unknown answers that could still make a flag fire, trigger first.

    For each alternative not already ruled out: its first condition (the trigger, such as the
    haemoglobin value of the anaemia flag) while that is unknown; once the trigger holds, the
    other conditions still unknown (sex and age only matter once the haemoglobin is low).
    """
    out = []
    for alt in flag.when:
        if any(c.field in values and not c.test(values[c.field]) for c in alt):
            continue
        trigger = alt[0]
        if trigger.field not in values:
            out.append(trigger.field)
        else:
            out += [c.field for c in alt[1:] if c.field not in values and c.if_unknown is None]
    return out


def _candidate_answers(name, conditions):
    """One answer for each way the conditions on a field can come out (numbers: both sides of each threshold)."""
    spec = FIELDS[name]
    if spec.kind == "bool":
        return [True, False]
    if spec.kind == "enum":
        return list(spec.values)
    if spec.kind == "list":
        return [[]] + [[v] for v in spec.values]
    step = 1 if spec.kind == "int" else 1e-6
    points = {spec.minimum, spec.maximum}  # a field only tested for being unknown still has answers
    for cond in conditions:
        if isinstance(cond.value, (int, float)) and not isinstance(cond.value, bool):
            points.update((cond.value - step, cond.value, cond.value + step))
    return sorted(v for v in points if spec.minimum <= v <= spec.maximum)


_PLANS = []


def _answer_plan(causes, flags):
    """For each field the rules and flag links that read it, and how each kind of answer sets them.

    Returns ``{field: (entries, classes, was)}``: ``entries`` are ``(cause index, points, other
    conditions)``; ``classes`` the distinct tuples of "this entry's conditions on the field hold"
    over the field's candidate answers; ``was`` the same tuple while the field is unknown. It
    depends only on the catalogue, so it is kept for the last few catalogues seen.
    """
    # The cause and flag objects themselves, by identity (a list edited in place is a new key).
    key = (tuple(map(id, causes)), tuple(map(id, flags)))
    for known, _objects, plan in _PLANS:
        if known == key:
            return plan
    raw = {}
    for i, cause in enumerate(causes):
        for rule in cause.rules:
            for name in rule.fields:
                raw.setdefault(name, []).append((i, rule.points, rule.conditions))
    position = {cause.id: i for i, cause in enumerate(causes)}
    for flag in flags:
        for alt in flag.when:
            for name in dict.fromkeys(c.field for c in alt):
                for cause_id, grade in flag.causes:
                    if cause_id in position:
                        raw.setdefault(name, []).append((position[cause_id], GRADES[grade], alt))
    plan = {}
    for name, items in raw.items():
        entries, mine = [], []
        for i, points, conds in items:
            entries.append((i, points, tuple(c for c in conds if c.field != name)))
            mine.append(tuple(c for c in conds if c.field == name))
        answers = _candidate_answers(name, [c for group in mine for c in group])
        classes = list(dict.fromkeys(tuple(all(c.test(a) for c in group) for group in mine) for a in answers))
        was = tuple(all(bool(c.if_unknown) for c in group) for group in mine)
        plan[name] = (entries, classes, was)
    _PLANS.insert(0, (key, (tuple(causes), tuple(flags)), plan))  # the objects kept alive keep their ids
    del _PLANS[4:]
    return plan


def _cond_holds(cond, values):
    """A condition against the known values (an unknown field gives ``if_unknown``, None counting as no)."""
    if cond.field in values:
        return cond.test(values[cond.field])
    return bool(cond.if_unknown)


def _top_change(plan, values, raws, order_key, top_index, new_tops=None):
    """The share of a field's answers that would change the top cause, and the best new top score.

    Every kind of answer counts once (a number's answers are both sides of each threshold its
    rules test); a flag's link counts like a rule of its cause.
    """
    entries, classes, was = plan
    live = [k for k, (_, _, others) in enumerate(entries) if all(_cond_holds(c, values) for c in others)]
    if not live or not classes:
        return 0.0, 0
    seen, changed, best = set(), 0, 0
    for outcome in classes:
        key_outcome = tuple(outcome[k] for k in live)
        if key_outcome in seen:
            continue
        seen.add(key_outcome)
        delta = {}
        for k in live:
            if outcome[k] != was[k]:
                i, points, _ = entries[k]
                delta[i] = delta.get(i, 0) + (points if outcome[k] else -points)
        if not delta:
            continue
        new_top, new_key = top_index, order_key(top_index, raws[top_index] + delta.get(top_index, 0))
        for i in delta:
            key = order_key(i, raws[i] + delta[i])
            if key < new_key:
                new_top, new_key = i, key
        if new_top == top_index and delta.get(top_index, 0) < 0:
            # the top cause lost points: an untouched cause may now lead
            for i in range(len(raws)):
                key = order_key(i, raws[i] + delta.get(i, 0))
                if key < new_key:
                    new_top, new_key = i, key
        if new_top != top_index and (new_tops is None or new_top in new_tops):
            changed += 1
            best = max(best, points_to_score(raws[new_top] + delta.get(new_top, 0)))
    return changed / len(seen), best


def _ask_next(values, results, causes, flags):
    """Unknown profile fields, the one whose answer is likeliest to change the top cause first.

    1. The questions of the red flags that the answers so far make plausible (a flag's
       ``ask_when``), most urgent flag first, trigger before context.
    2. While no cause reaches the ``possible`` band, the pattern questions
       (:data:`heavylegs.vocabulary.PATTERN_QUESTIONS`).
    3. Every other question by one step of look-ahead: the share of its possible answers
       (each way its rules and red-flag links can come out; for a list, "none of these" as
       likely as all the rest) that would put another cause on top, then how high that cause
       would score, then the largest change it could make to a top-three cause
       (:func:`_top_three_impact`), then the urgency of a red flag it could raise (every
       unanswered red-flag question stays on the list). A blood test
       counts only for a cause already in the top three; a follow-up question waits for its
       parent (:data:`heavylegs.vocabulary.FOLLOW_UPS`). docs/scoring.md, section 4.
    """
    by_id = {r["id"]: r for r in results}
    position = {cause.id: i for i, cause in enumerate(causes)}
    raws = [by_id[cause.id]["raw_points"] for cause in causes]
    tie = {i: (_PREVALENCE_ORDER[cause.prevalence], cause.id) for i, cause in enumerate(causes)}

    scores = {}

    def order_key(i, raw):
        score = scores.get(raw)
        if score is None:
            score = scores[raw] = points_to_score(raw)
        return (-score, -raw) + tie[i]

    top_index = position[results[0]["id"]] if results else 0
    first = {}
    for flag in sorted(flags, key=lambda f: URGENCY_ORDER[f.urgency]):
        if _flag_is_plausible(flag, values):
            for name in _flag_questions(flag, values):
                for ask in _questions_for(name, values):
                    first.setdefault(ask, len(first))
    plans = _answer_plan(causes, flags)
    # A blood test is asked for when it could confirm a cause already in the top three.
    suspected = {position[r["id"]] for r in results[:3] if r["score"] > 0}
    value = {}
    for name, plan in plans.items():
        if name in values or FIELDS[name].source == "log":
            continue
        share, best = _top_change(plan, values, raws, order_key, top_index,
                                  suspected if name in BLOOD_TESTS else None)
        if FIELDS[name].kind == "list":
            share /= 2  # like a yes/no question: "none of these" is as likely as all the rest
        if share > 0:
            for ask in _questions_for(name, values):
                value[ask] = max(value.get(ask, (0.0, 0)), (share, best))
    # While no cause is even possible, the pattern questions come first: they split the causes.
    opening = not results or results[0]["score"] < BAND_POSSIBLE
    pattern = {n: i for i, n in enumerate(PATTERN_QUESTIONS)}
    impact = _top_three_impact(values, results, causes, flags)
    ranked = sorted(first, key=first.get)
    # Every red-flag question stays on the list (a flag is never out of reach), those of the most
    # urgent flags first among questions of equal weight.
    urgency = {}
    for flag in flags:
        for name in _flag_questions(flag, values):
            for ask in _questions_for(name, values):
                urgency[ask] = min(urgency.get(ask, 9), URGENCY_ORDER[flag.urgency])
    rest = [n for n in set(value) | set(impact) | set(urgency) | (set(pattern) if opening else set())
            if n not in first and n not in values]
    rest.sort(key=lambda n: (not (opening and n in pattern), -value.get(n, (0.0, 0))[0],
                             -value.get(n, (0.0, 0))[1], -impact.get(n, 0), urgency.get(n, 9),
                             _FIELD_ORDER[n]))
    return ranked + rest


def _top_three_impact(values, results, causes, flags):
    """For each unknown field, the largest change its answer could make to a top-three cause."""
    top = results[:3]
    top_ids = {r["id"] for r in top}
    cutoff = top[-1]["score"] if top else 0
    by_id = {r["id"]: r for r in results}
    linked = _flag_fields(flags)
    impact = {}
    for cause in causes:
        result = by_id[cause.id]
        net = result["raw_points"]
        # One pass over the rules: the points each unknown field could still add or take away.
        up, down = {}, {}
        for rule in cause.rules:
            if _rule_state(rule, values) is False:
                continue
            bucket = up if rule.points > 0 else down
            for name in rule.fields:
                if name not in values:
                    bucket[name] = bucket.get(name, 0) + rule.points
        in_top = cause.id in top_ids
        for name in dict.fromkeys(cause.fields + linked.get(cause.id, ())):
            if name in values or FIELDS[name].source == "log":
                continue
            reach = points_to_score(net + up.get(name, 0))
            gain = reach - result["score"] if (in_top or reach > cutoff) else 0
            loss = result["score"] - points_to_score(net + down.get(name, 0)) if in_top else 0
            best = max(gain, loss)
            for ask in _questions_for(name, values):
                if best > impact.get(ask, 0):
                    impact[ask] = best
    return {n: v for n, v in impact.items() if v > 0}


def _add_evidence(results, extra) -> None:
    """Add evidence found outside the rules (the check-ins' patterns) to the causes it points to."""
    for result in results:
        items = extra.get(result["id"], ())
        if items:
            result["evidence"].extend(dict(item) for item in items)
            result["raw_points"] += sum(item["points"] for item in items)
            result["score"] = points_to_score(result["raw_points"])
            result["band"] = score_to_band(result["score"])


def score_profile(profile: dict, causes=None, red_flags=None, log_facts=None, pattern_evidence=None,
                  wellness_facts=None) -> dict:
    """Rank every cause of the catalogue for one athlete.

    Parameters
    ----------
    profile : dict
        A validated profile (see :func:`heavylegs.store.profiles.validate_profile`).
    causes : sequence of Cause, optional
        The packaged catalogue by default.
    red_flags : sequence of RedFlag, optional
        The packaged red flags by default.
    log_facts : dict, optional
        Evidence from a training log (:func:`heavylegs.engine.load.log_facts`).
        Training fields the coach left unknown are filled from it; fields the
        coach entered stand.
    pattern_evidence : dict, optional
        ``{cause id: [evidence item, ...]}`` from the check-ins' reported
        patterns (:func:`heavylegs.analysis.patterns.pattern_evidence`); each item's
        points join the cause's raw points.
    wellness_facts : dict, optional
        What the wearable says (:func:`heavylegs.engine.wellness.wellness_facts`):
        resting heart rate and sleep fill the answers the coach left unknown,
        ``hrv_below_normal`` joins the evidence; an evidence line resting on
        a device value says so (device, days), and one whose answer was
        entered says the entered answer was used.

    Returns
    -------
    dict
        The ``heavylegs.ranking/1`` document of ``spec/cli.md``: ``format``,
        ``athlete_id``, ``assessed_on``, ``red_flags``, ``causes`` (best
        first, each with ``rank``, ``score`` 0-100, ``band``, ``evidence``,
        ``missing``, ``coverage``, ``advice``, ``see_doctor_if``, plus
        ``title``, ``summary``, ``category`` and ``raw_points``) and
        ``ask_next``; also ``filled_from_log``, the fields taken from the log,
        and, with ``wellness_facts``, ``from_wellness``: one line per field
        the wearable gave (``field``, ``value`` scored, ``device_value``,
        ``used`` ``device`` or ``entered``, ``because``).
    """
    causes = load_causes() if causes is None else causes
    flags = load_red_flags() if red_flags is None else red_flags
    values, weeks, filled = merge_log_facts(profile, log_facts)
    values, device = merge_wellness_facts(values, profile, wellness_facts)
    values = {k: v for k, v in values.items()
              if v is not None and k in FIELDS and FIELDS[k].source != "computed"}
    values = harmonise_answers(values)
    values.update(computed_facts(values))
    linked = _flag_fields(flags)
    results = [_score_cause(c, values, weeks, filled, linked.get(c.id, ())) for c in causes]
    if device:
        for result in results:
            for item in result["evidence"]:
                notes = _device_notes(item["field"], values, device)
                if notes:
                    item["because"] += " (" + "; ".join(notes) + ")"
                    item["from_device"] = any(device.get(n, {}).get("used") == "device" for n in
                                              [item["field"], *(x for g in COMPUTED_INPUTS.get(item["field"], ())
                                                                for x in g)])
    if pattern_evidence:
        _add_evidence(results, pattern_evidence)
    fired = _fired_flags(values, flags)
    _add_flag_evidence(results, fired, values)
    cause_by_id = {c.id: c for c in causes}
    results.sort(key=_sort_key(cause_by_id))
    results = _lift_leads(results, flag_leads([r["id"] for r in results], fired))
    for rank, result in enumerate(results, start=1):
        result["rank"] = rank
    doc = {
        "format": RANKING_FORMAT,
        "athlete_id": profile.get("athlete_id"),
        "assessed_on": profile.get("assessed_on"),
        "red_flags": [{"id": flag.id, "urgency": flag.urgency, "reason": _flag_reason(flag, alt, values),
                       "title": flag.title, "action": flag.action, "causes": list(flag.cause_ids)}
                      for flag, alt in fired],
        "causes": results,
        "ask_next": _ask_next(values, results, causes, flags),
        "filled_from_log": filled,
    }
    if wellness_facts is not None:
        doc["from_wellness"] = [{"field": name, **{k: _json_value(v) for k, v in entry.items()}}
                                for name, entry in device.items()]
    return doc


def _flag_fields(flags):
    """For each cause id, the fields of the red flags that bear on it (they are inputs of the cause too)."""
    out = {}
    for flag in flags:
        for cause_id in flag.cause_ids:
            out[cause_id] = tuple(dict.fromkeys(out.get(cause_id, ()) + flag.fields))
    return out


def _add_flag_evidence(results, fired, values) -> None:
    """Put each fired flag, most urgent first, at the head of the evidence of every cause it bears on."""
    by_id = {r["id"]: r for r in results}
    heads = {}
    for flag, alt in fired:
        reason = _flag_reason(flag, alt, values)
        first = alt[0].field
        for cause_id, grade in flag.causes:
            result = by_id.get(cause_id)
            if result is None:
                continue
            points = GRADES[grade]
            item = {"field": first, "value": _json_value(values.get(first)), "points": points,
                    "because": f"red flag ({flag.title.lower()}): {reason}", "grade": grade,
                    "evidence_tag": flag.evidence, "red_flag": flag.id}
            at = heads.get(cause_id, 0)
            result["evidence"].insert(at, item)
            heads[cause_id] = at + 1
            result["raw_points"] += points
    for cause_id in heads:
        result = by_id[cause_id]
        result["score"] = points_to_score(result["raw_points"])
        result["band"] = score_to_band(result["score"])


def flag_leads(order, fired) -> list:
    """The causes that must be in the top three so that every fired red flag has one of its causes there.

    Parameters
    ----------
    order : sequence of str
        Cause ids, best first by score.
    fired : sequence of (RedFlag, alternative)
        The flags that apply, most urgent first.

    Returns
    -------
    list of str
        For each flag, most urgent first, the best-ranked of its causes, unless
        a cause already chosen for an earlier flag is one of them.
    """
    position = {cause_id: i for i, cause_id in enumerate(order)}
    leads = []
    for flag, _ in fired:
        mine = [c for c in flag.cause_ids if c in position]
        if mine and not set(leads).intersection(mine):
            leads.append(min(mine, key=position.__getitem__))
    return leads


def _lift_leads(results, leads, top=3):
    """The ranking with every lead in the top three, the top kept in score order.

    Nothing moves when the leads are already there. Otherwise the top three
    become the leads (at most three, the most urgent flags' first) and the best
    of the other causes; everything else keeps its order below them.
    """
    ids = [r["id"] for r in results]
    if all(lead in ids[:top] for lead in leads):
        return results
    chosen = set(leads[:top])
    for cause_id in ids:
        if len(chosen) >= top:
            break
        chosen.add(cause_id)
    return [r for r in results if r["id"] in chosen] + [r for r in results if r["id"] not in chosen]


# --- Vectorised roster scoring -------------------------------------------------------------

#: Names of the facts computed from answers; never taken from a profile as typed.
_COMPUTED = frozenset(COMPUTED_INPUTS)


def _encode_column(name, profiles):
    import numpy as np

    """A float array for one field: numbers as they are, booleans 1/0, enums as codes, NaN unknown."""
    spec = FIELDS[name]
    raw = [p.get(name) for p in profiles]
    if spec.kind in ("int", "number"):
        return np.array([np.nan if v is None else float(v) for v in raw], dtype=float)
    if spec.kind == "bool":
        return np.array([np.nan if v is None else (1.0 if v else 0.0) for v in raw], dtype=float)
    if spec.kind == "enum":
        codes = {v: float(i) for i, v in enumerate(spec.values)}
        return np.array([np.nan if v is None else codes[v] for v in raw], dtype=float)
    raise TypeError(name)


def _computed_column(name, columns, profiles):
    """A computed fact for every athlete, by the formula :func:`computed_facts` uses (NaN unknown)."""
    import numpy as np

    def col(field):
        if field not in columns:
            columns[field] = _encode_column(field, profiles)
        return columns[field]

    answers = []
    for group in COMPUTED_INPUTS[name]:  # the first known answer of each group
        values = col(group[0])
        for field in group[1:]:
            values = np.where(np.isnan(values), col(field), values)
        answers.append(values)
    formula, valid = _COMPUTED_FORMULAS[name]
    with np.errstate(invalid="ignore", divide="ignore"):
        value = formula(*answers)  # NaN wherever an answer is unknown
        return value if valid is None else np.where(valid(*answers), value, np.nan)


def _encode_ref(spec, value):
    if spec.kind == "bool":
        return 1.0 if value else 0.0
    if spec.kind == "enum":
        return float(spec.values.index(value))
    return float(value)


def _vector_condition(cond, columns, profiles, n):
    """(holds, unknown) boolean arrays for one condition over every athlete."""
    import numpy as np
    spec = FIELDS[cond.field]
    if spec.kind == "list":
        key = (cond.field, cond.value)
        if key not in columns:
            known = np.array([p.get(cond.field) is not None for p in profiles])
            has = np.array([bool(p.get(cond.field)) and cond.value in p[cond.field] for p in profiles])
            columns[key] = (has, ~known)
        holds, unknown = columns[key]
    else:
        if cond.field not in columns:
            if cond.field in _COMPUTED:
                columns[cond.field] = _computed_column(cond.field, columns, profiles)
            else:
                columns[cond.field] = _encode_column(cond.field, profiles)
        x = columns[cond.field]
        unknown = np.isnan(x)
        with np.errstate(invalid="ignore"):
            if cond.op == "unknown":
                holds = np.zeros(n, dtype=bool)
            elif cond.op in ("in", "not_in"):
                refs = [_encode_ref(spec, v) for v in cond.value]
                holds = np.isin(x, refs)
                if cond.op == "not_in":
                    holds = ~holds
            else:
                ref = _encode_ref(spec, cond.value)
                holds = {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal,
                         "==": np.equal, "!=": np.not_equal}[cond.op](x, ref)
    if cond.if_unknown is None:
        return holds & ~unknown, unknown
    return np.where(unknown, cond.if_unknown, holds), np.zeros(n, dtype=bool)


def score_roster(profiles, causes=None, red_flags=None):
    """Score many athletes at once (vectorised; same numbers as :func:`score_profile`).

    Parameters
    ----------
    profiles : sequence of dict
        Validated profiles, e.g. from :func:`heavylegs.store.profiles.read_roster`.

    Returns
    -------
    pandas.DataFrame
        One row per athlete, indexed by ``athlete_id``: ``red_flags`` (ids
        joined with ``;``, most urgent first), ``top_1``..``top_3`` (cause
        ids), and one column per cause with its score [0-100].
    """
    import numpy as np
    import pandas as pd

    causes = load_causes() if causes is None else causes
    flags = load_red_flags() if red_flags is None else red_flags
    profiles = [harmonise_answers({k: v for k, v in p.items() if v is not None and k not in _COMPUTED})
                for p in profiles]
    n = len(profiles)
    columns = {}
    flag_cols = []
    for flag in sorted(flags, key=lambda f: URGENCY_ORDER[f.urgency]):
        any_alt = np.zeros(n, dtype=bool)
        for alt in flag.when:
            fires = np.ones(n, dtype=bool)
            for cond in alt:
                holds, _ = _vector_condition(cond, columns, profiles, n)
                fires &= holds
            any_alt |= fires
        flag_cols.append((flag, any_alt))
    scores = np.zeros((n, len(causes)), dtype=np.int64)
    raws = np.zeros((n, len(causes)), dtype=np.int64)
    for j, cause in enumerate(causes):
        raw = np.zeros(n, dtype=np.int64)
        for rule in cause.rules:
            fires = np.ones(n, dtype=bool)
            for cond in rule.conditions:
                holds, _ = _vector_condition(cond, columns, profiles, n)
                fires &= holds
            raw += np.where(fires, rule.points, 0)
        for flag, mask in flag_cols:
            for cause_id, grade in flag.causes:
                if cause_id == cause.id:
                    raw += np.where(mask, GRADES[grade], 0)
        raws[:, j] = raw
        r = np.maximum(raw, 0).astype(float)
        scores[:, j] = np.floor(100.0 * (1.0 - np.exp(-r / SCORE_SCALE)) + 0.5).astype(np.int64)
    # Same order as score_profile: score, raw points, prevalence, id.
    tie = np.array(sorted(range(len(causes)),
                          key=lambda j: (_PREVALENCE_ORDER[causes[j].prevalence], causes[j].id)))
    tie_rank = np.empty(len(causes), dtype=np.int64)
    tie_rank[tie] = np.arange(len(causes))
    key = scores * 10**6 + np.clip(raws, -999, 999) * 10**3 - tie_rank
    order = np.argsort(-key, axis=1, kind="stable")
    ids = np.array([c.id for c in causes], dtype=object)
    top = [list(ids[order[:, k]]) if len(causes) > k else [None] * n for k in range(3)]
    # Each fired flag's lead (flag_leads, vectorised): its best-ranked cause, unless a cause chosen
    # for a more urgent flag is one of its causes. Only the athletes with a lead below the third
    # place are lifted, one by one, as score_profile lifts them.
    column = {cause.id: j for j, cause in enumerate(causes)}
    rank = np.empty_like(order)
    rank[np.arange(n)[:, None], order] = np.arange(len(causes))
    chosen = np.zeros((n, len(causes)), dtype=bool)
    for flag, mask in flag_cols:
        linked = [column[c] for c in flag.cause_ids if c in column]
        if not linked:
            continue
        rows = mask & ~chosen[:, linked].any(axis=1)
        best = np.array(linked)[np.argmin(rank[:, linked], axis=1)]
        chosen[rows, best[rows]] = True
    for i in np.flatnonzero((chosen & (rank >= 3)).any(axis=1)):
        fired = [(flag, None) for flag, mask in flag_cols if mask[i]]
        ranked = [{"id": cause_id} for cause_id in ids[order[i]]]
        lifted = _lift_leads(ranked, flag_leads([r["id"] for r in ranked], fired))
        for k in range(min(3, len(causes))):
            top[k][i] = lifted[k]["id"]
    flag_text = [";".join(flag.id for flag, mask in flag_cols if mask[i]) for i in range(n)]
    frame = pd.DataFrame(scores, columns=[c.id for c in causes])
    frame.insert(0, "top_3", top[2] if len(causes) > 2 else None)
    frame.insert(0, "top_2", top[1] if len(causes) > 1 else None)
    frame.insert(0, "top_1", top[0])
    frame.insert(0, "red_flags", flag_text)
    frame.index = pd.Index([p.get("athlete_id") for p in profiles], name="athlete_id")
    return frame


def format_ranking(doc: dict, top: int | None = None) -> str:
    """A readable text of a ranking document, for the command line.

    Parameters
    ----------
    doc : dict
        From :func:`score_profile`.
    top : int, optional
        Show details for this many causes (all by default; the others are
        listed in one line each).
    """
    lines = [f"heavylegs ranking for {doc['athlete_id']} (assessed {doc['assessed_on']})", ""]
    if doc["red_flags"]:
        lines.append("RED FLAGS - SEE A DOCTOR:")
        for flag in doc["red_flags"]:
            lines.append(f"  ! [{flag['urgency'].upper()}] {flag['title']}: {flag['reason']}")
            lines.append(f"      {flag['action']}")
        lines.append("")
    if doc.get("filled_from_log"):
        lines.append("From the training log: " + ", ".join(doc["filled_from_log"]))
        lines.append("")
    if doc.get("from_wellness"):
        lines.append("From the wearable:")
        lines += [f"  {entry['because']}" for entry in doc["from_wellness"]]
        lines.append("")
    lines.append(f"{'rank':>4}  {'score':>5}  {'band':<9} {'coverage':>8}  cause")
    for cause in doc["causes"]:
        lines.append(f"{cause['rank']:>4}  {cause['score']:>5}  {cause['band']:<9} "
                     f"{cause['coverage']:>8.0%}  {cause['title']} ({cause['id']})")
        if top is not None and cause["rank"] > top:
            continue
        for item in cause["evidence"]:
            sign = "+" if item["points"] > 0 else ""
            lines.append(f"{'':>22}{sign}{item['points']}  {item['because']}")
    if doc["ask_next"]:
        lines += ["", "Answer these next: " + ", ".join(doc["ask_next"][:8])]
    lines += ["", "heavylegs is coaching support, not a diagnosis."]
    return "\n".join(lines)
