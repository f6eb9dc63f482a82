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

from heavylegs.knowledge.causes import load_causes, load_red_flags
from heavylegs.vocabulary import COMPUTED_INPUTS, FIELDS, URGENCY_ORDER

__all__ = [
    "RANKING_FORMAT",
    "score_to_band",
    "points_to_score",
    "merge_log_facts",
    "computed_facts",
    "red_flags_for",
    "red_flag_fields",
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
        ``{"id", "urgency", "reason", "title", "action"}`` for each flag
        that applies.
    """
    flags = load_red_flags() if flags is None else flags
    out = []
    for flag in flags:
        for alt in flag.when:
            if _alt_fires(alt, values):
                first = alt[0]
                reason = flag.reason.format(value=_fmt_value(values.get(first.field)),
                                            threshold=_fmt_threshold(first.value))
                out.append({"id": flag.id, "urgency": flag.urgency, "reason": reason,
                            "title": flag.title, "action": flag.action})
                break
    out.sort(key=lambda f: URGENCY_ORDER[f["urgency"]])
    return out


def red_flag_fields(values: dict, flags=None) -> dict:
    """The answers that raise each red flag, so a form can warn beside the question.

    Parameters
    ----------
    values : dict
        Known values (a profile).
    flags : sequence of RedFlag, optional
        The packaged red flags by default.

    Returns
    -------
    dict
        Flag id to the tuple of fields, known in ``values``, of the first
        alternative that fires (the same alternative as
        :func:`red_flags_for`); flags that do not apply are absent.
    """
    flags = load_red_flags() if flags is None else flags
    out = {}
    for flag in flags:
        for alt in flag.when:
            if _alt_fires(alt, values):
                out[flag.id] = tuple(dict.fromkeys(c.field for c in alt if c.field in values))
                break
    return out


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


def _score_cause(cause, values, weeks, filled):
    evidence, raw = [], 0
    missing = [f for f in cause.fields if f not in values]
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
    n_fields = len(cause.fields)
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
    """The profile questions whose answers would make an unknown field known."""
    if FIELDS[name].source == "profile":
        return [name]
    # A computed fact: ask for each missing input; of alternatives (waking or morning
    # resting heart rate) ask the last, the one most athletes know.
    return [group[-1] for group in COMPUTED_INPUTS[name] if not any(n in values for n in group)]


def _ask_next(values, results, causes, flags):
    """Unknown profile fields ordered by how much their answer could move the top of the ranking."""
    top = results[:3]
    top_ids = {r["id"] for r in top}
    cutoff = top[-1]["score"] if top else 0
    by_id = {r["id"]: r for r in results}
    impact = {}
    raised = set()
    for flag in flags:
        for alt in flag.when:
            if any(c.field in values and not c.test(values[c.field]) for c in alt):
                continue
            unknown = [c.field for c in alt if c.field not in values and c.if_unknown is None]
            if not unknown and _alt_fires(alt, values):
                raised.add(flag.id)
            for name in unknown:
                # A possible red flag outranks any change of the cause ranking.
                weight = 300 - 100 * URGENCY_ORDER[flag.urgency]
                impact[name] = max(impact.get(name, 0), weight)
    for cause in causes:
        result = by_id[cause.id]
        net = sum(e["points"] for e in result["evidence"])
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
        for name in cause.fields:
            if name in values or FIELDS[name].source == "log":
                continue
            reach = points_to_score(net + up.get(name, 0))
            gain = reach - result["score"] if (in_top or reach > cutoff) else 0
            loss = result["score"] - points_to_score(net + down.get(name, 0)) if in_top else 0
            best = max(gain, loss)
            for ask in _questions_for(name, values):
                if best > impact.get(ask, 0):
                    impact[ask] = best
    ranked = [n for n in impact if impact[n] > 0]
    ranked.sort(key=lambda n: (-impact[n], _FIELD_ORDER[n]))
    return ranked


def _add_evidence(results, extra) -> None:
    """Add evidence found outside the rules (the check-ins' patterns) to the causes it points to."""
    for result in results:
        items = extra.get(result["id"], ())
        if items:
            result["evidence"].extend(dict(item) for item in items)
            result["raw_points"] += sum(item["points"] for item in items)
            result["score"] = points_to_score(result["raw_points"])
            result["band"] = score_to_band(result["score"])


def score_profile(profile: dict, causes=None, red_flags=None, log_facts=None, pattern_evidence=None) -> dict:
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

    Returns
    -------
    dict
        The ``heavylegs.ranking/1`` document of ``spec/cli.md``: ``format``,
        ``athlete_id``, ``assessed_on``, ``red_flags``, ``causes`` (best
        first, each with ``rank``, ``score`` 0-100, ``band``, ``evidence``,
        ``missing``, ``coverage``, ``advice``, ``see_doctor_if``, plus
        ``title``, ``summary``, ``category`` and ``raw_points``) and
        ``ask_next``; also ``filled_from_log``, the fields taken from the log.
    """
    causes = load_causes() if causes is None else causes
    flags = load_red_flags() if red_flags is None else red_flags
    values, weeks, filled = merge_log_facts(profile, log_facts)
    values = {k: v for k, v in values.items()
              if v is not None and k in FIELDS and FIELDS[k].source != "computed"}
    values.update(computed_facts(values))
    results = [_score_cause(c, values, weeks, filled) for c in causes]
    if pattern_evidence:
        _add_evidence(results, pattern_evidence)
    results.sort(key=_sort_key({c.id: c for c in causes}))
    for rank, result in enumerate(results, start=1):
        result["rank"] = rank
    return {
        "format": RANKING_FORMAT,
        "athlete_id": profile.get("athlete_id"),
        "assessed_on": profile.get("assessed_on"),
        "red_flags": [{k: f[k] for k in ("id", "urgency", "reason", "title", "action")}
                      for f in red_flags_for(values, flags)],
        "causes": results,
        "ask_next": _ask_next(values, results, causes, flags),
        "filled_from_log": filled,
    }


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
    profiles = [{k: v for k, v in p.items() if v is not None and k not in _COMPUTED} for p in profiles]
    n = len(profiles)
    columns = {}
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
    flag_cols = []
    for flag in sorted(flags, key=lambda f: URGENCY_ORDER[f.urgency]):
        any_alt = np.zeros(n, dtype=bool)
        for alt in flag.when:
            fires = np.ones(n, dtype=bool)
            for cond in alt:
                holds, _ = _vector_condition(cond, columns, profiles, n)
                fires &= holds
            any_alt |= fires
        flag_cols.append((flag.id, any_alt))
    flag_text = [";".join(fid for fid, mask in flag_cols if mask[i]) for i in range(n)]
    frame = pd.DataFrame(scores, columns=[c.id for c in causes])
    frame.insert(0, "top_3", ids[order[:, 2]] if len(causes) > 2 else None)
    frame.insert(0, "top_2", ids[order[:, 1]] if len(causes) > 1 else None)
    frame.insert(0, "top_1", ids[order[:, 0]])
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
