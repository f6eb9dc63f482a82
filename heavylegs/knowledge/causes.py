"""The catalogue of causes, kept as one YAML file per cause.

Each file under ``heavylegs/knowledge/causes/`` describes one cause: what it
is, how it makes legs feel heavy, the evidence rules that raise it, what to
do, when to see a doctor, its sources, and examples that must and must not
fire. Red flags live in ``heavylegs/knowledge/red_flags.yaml``.

Loading validates every file against the closed vocabulary of
:mod:`heavylegs.vocabulary`; any mistake fails with the file and the key named,
and an unknown field or operator lists the valid names.
"""
from __future__ import annotations

import gc
import json
import math
import string
import zlib
from dataclasses import dataclass, field as _dc_field
from functools import cached_property, lru_cache
from pathlib import Path

from heavylegs.vocabulary import FIELDS, URGENCIES

__all__ = [
    "Condition",
    "Rule",
    "Cause",
    "RedFlag",
    "CatalogueError",
    "OPERATORS",
    "GRADES",
    "EVIDENCE_TAGS",
    "CATEGORIES",
    "SPEC_CAUSE_IDS",
    "load_causes",
    "rule_threshold",
    "load_red_flags",
    "check_flag_causes",
    "parse_cause",
    "KNOWLEDGE_DIR",
    "catalogue_markdown",
]

KNOWLEDGE_DIR = Path(__file__).resolve().parent

#: Cause ids fixed by ``spec/causes.md``; the catalogue may add, never drop.
SPEC_CAUSE_IDS = (
    "overtraining", "strength_overload", "muscle_fatigue", "skipped_cooldown",
    "inadequate_warmup", "glycogen_depletion", "dehydration", "electrolyte_imbalance",
    "iron_deficiency", "vitamin_d_deficiency", "vitamin_e_deficiency", "vitamin_b1_deficiency",
    "unsuitable_shoes", "running_form", "weight_gain", "rough_terrain", "poor_circulation",
    "muscle_injury", "compartment_syndrome", "neurological",
)

#: Operators a condition may use, with what each means.
OPERATORS = {
    "<": "below the value",
    "<=": "at or below the value",
    ">": "above the value",
    ">=": "at or above the value",
    "==": "equal to the value",
    "!=": "different from the value",
    "in": "one of the listed values",
    "not_in": "none of the listed values",
    "contains": "a list answer that includes the value",
    "unknown": "the answer is unknown (value: true)",
}

#: Specificity grades and the points each carries (``spec`` grades S/M/N of
#: ``causes-evidence.md``; ``against`` marks an answer that argues against).
GRADES = {"S": 3, "M": 2, "N": 1, "against": None}

#: Evidence tags of ``causes-evidence.md`` section 0.
EVIDENCE_TAGS = {
    "CS": "consensus statement or clinical guideline",
    "SR": "systematic review or meta-analysis",
    "RCT": "randomised controlled trial",
    "COH": "prospective cohort",
    "LAB": "laboratory experiment",
    "NR": "narrative or expert review",
    "H": "practitioner heuristic, weak evidence",
    "P": "pattern question (a discriminating symptom pattern, no single study)",
}

CATEGORIES = ("training", "recovery", "nutrition", "nutrient", "fuel", "blood", "equipment", "body", "health",
              "environment", "circulation", "injury", "neurological")

PREVALENCE = ("common", "occasional", "rare")

_CAUSE_KEYS = {"id", "title", "category", "prevalence", "summary", "mechanism", "rules",
               "advice", "see_doctor_if", "sources", "examples"}
_RULE_KEYS = {"field", "op", "value", "and", "points", "grade", "evidence", "because", "examples"}
_COND_KEYS = {"field", "op", "value", "if_unknown"}
_FLAG_KEYS = {"id", "title", "urgency", "when", "reason", "action", "causes", "evidence", "ask_when", "examples"}
#: Keys a red flag must carry (``ask_when`` and ``examples`` may be left out).
_FLAG_REQUIRED = _FLAG_KEYS - {"ask_when", "examples"}


class CatalogueError(ValueError):
    """A cause or red-flag file is malformed; the message names the file and key."""


@dataclass(frozen=True)
class Condition:
    """One test on one field: ``field op value``.

    ``if_unknown`` is the result when the field is unknown; ``None`` means the
    condition cannot be assessed (the field is reported as missing).
    """

    field: str
    op: str
    value: object
    if_unknown: bool | None = None

    def test(self, observed) -> bool:
        """Apply the condition to a known value."""
        op, ref = self.op, self.value
        if op == "<":
            return observed < ref
        if op == "<=":
            return observed <= ref
        if op == ">":
            return observed > ref
        if op == ">=":
            return observed >= ref
        if op == "==":
            return observed == ref
        if op == "!=":
            return observed != ref
        if op == "in":
            return observed in ref
        if op == "not_in":
            return observed not in ref
        if op == "contains":
            return ref in observed
        if op == "unknown":
            return False  # a known answer; the unknown case is ``if_unknown`` (always true)
        raise AssertionError(op)  # unreachable: validated on load


@dataclass(frozen=True)
class Rule:
    """An evidence rule: when all its conditions hold, the cause gains ``points``.

    ``examples`` holds answers with which this very rule must fire
    (``fires``) and must not fire (``does_not_fire``).
    """

    conditions: tuple
    points: int
    grade: str
    evidence: str
    because: str
    examples: dict = _dc_field(default_factory=dict, compare=False)

    @property
    def field(self) -> str:
        """The field whose value the rule quotes (its first condition's)."""
        return self.conditions[0].field

    @cached_property
    def fields(self) -> tuple:
        return tuple(dict.fromkeys(c.field for c in self.conditions))


@dataclass(frozen=True)
class Cause:
    """One cause of heavy legs, as read from its data file."""

    id: str
    title: str
    category: str
    prevalence: str
    summary: str
    mechanism: str
    rules: tuple
    advice: tuple
    see_doctor_if: str
    sources: dict
    examples: dict
    path: str = ""

    @cached_property
    def fields(self) -> tuple:
        """Every field the cause's rules read, in rule order."""
        return tuple(dict.fromkeys(f for r in self.rules for f in r.fields))


@dataclass(frozen=True)
class RedFlag:
    """An answer that means "see a doctor" whatever else is true.

    ``causes`` names the causes of the catalogue the flag bears on, each with
    the specificity grade of that link (``(("poor_circulation", "S"),)``):
    when the flag fires, each of them gains the grade's points with the flag
    as its first reason, and one of them is ranked in the top three
    (``spec/profile.md``, "Red flags point at causes"). ``ask_when`` lists the
    answers under which the flag's questions are plausible enough to be asked
    before any other (alternatives of conditions, like ``when``); ``examples``
    holds answers with which the flag must and must not fire.
    """

    id: str
    title: str
    urgency: str
    when: tuple  # tuple of alternatives, each a tuple of Conditions (all must hold)
    reason: str
    action: str
    causes: tuple = ()
    evidence: str = "CS"
    ask_when: tuple = ()
    examples: dict = _dc_field(default_factory=dict, compare=False)

    @cached_property
    def fields(self) -> tuple:
        return tuple(dict.fromkeys(c.field for alt in self.when for c in alt))

    @property
    def cause_ids(self) -> tuple:
        """The ids of the causes the flag bears on, most specific link first (then by id)."""
        return tuple(cause_id for cause_id, _ in self.causes)


def _fail(path, key, message):
    raise CatalogueError(f"{path}: {key}: {message}")


def _valid_fields_hint():
    return "valid fields: " + ", ".join(FIELDS)


def _parse_condition(raw, path, key):
    if not isinstance(raw, dict):
        _fail(path, key, f"expected a mapping with field, op and value, found {raw!r}")
    extra = set(raw) - _COND_KEYS - _RULE_KEYS
    if extra:
        _fail(path, key, f"unknown key(s) {sorted(extra)}; valid keys: {sorted(_COND_KEYS)}")
    name = raw.get("field")
    if name not in FIELDS:
        _fail(path, f"{key}.field", f"unknown field {name!r}; {_valid_fields_hint()}")
    op = raw.get("op")
    if op not in OPERATORS:
        _fail(path, f"{key}.op", f"unknown operator {op!r}; valid operators: {', '.join(OPERATORS)}")
    if "value" not in raw:
        _fail(path, f"{key}.value", "missing")
    value = raw["value"]
    spec = FIELDS[name]
    _check_value(spec, op, value, path, f"{key}.value")
    if op in ("in", "not_in"):
        value = tuple(value)
    if_unknown = raw.get("if_unknown")
    if if_unknown is not None and not isinstance(if_unknown, bool):
        _fail(path, f"{key}.if_unknown", f"expected true or false, found {if_unknown!r}")
    if op == "unknown":
        if if_unknown is not None:
            _fail(path, f"{key}.if_unknown", "the operator unknown takes no if_unknown")
        if_unknown = True
    return Condition(name, op, value, if_unknown)


def _check_value(spec, op, value, path, key):
    kind = spec.kind
    if op == "unknown":
        if value is not True:
            _fail(path, key, f"operator unknown takes the value true, found {value!r}")
        return
    if op in ("in", "not_in"):
        if not isinstance(value, list) or not value:
            _fail(path, key, f"operator {op} needs a non-empty list, found {value!r}")
        for item in value:
            _check_value(spec, "==", item, path, key)
        return
    if op == "contains":
        if kind != "list":
            _fail(path, key, f"operator contains needs a list field, {spec.name} is {kind}")
        if value not in spec.values:
            _fail(path, key, f"{value!r} is not a valid {spec.name}; valid: {', '.join(spec.values)}")
        return
    if kind == "list":
        _fail(path, key, f"field {spec.name} is a list: use the operator contains")
    if kind in ("int", "number"):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            _fail(path, key, f"expected a number for {spec.name}, found {value!r}")
        if op in ("==", "!=") and kind == "number":
            _fail(path, key, "compare numbers with <, <=, > or >=, not == or !=")
    elif kind == "bool":
        if not isinstance(value, bool) or op not in ("==", "!="):
            _fail(path, key, f"{spec.name} is true/false: use == true or == false, found {op} {value!r}")
    elif kind == "enum":
        if op not in ("==", "!="):
            _fail(path, key, f"{spec.name} is a choice: use ==, !=, in or not_in, found {op}")
        if value not in spec.values:
            _fail(path, key, f"{value!r} is not a valid {spec.name}; valid: {', '.join(spec.values)}")
    else:
        _fail(path, key, f"field {spec.name} ({kind}) cannot be used in a rule")


_FORMATTER = string.Formatter()


def _check_template(text, path, key, allowed):
    if not isinstance(text, str) or not text.strip():
        _fail(path, key, "expected a non-empty sentence")
    try:
        names = {name for _, name, _, _ in _FORMATTER.parse(text) if name is not None}
    except ValueError as exc:
        _fail(path, key, f"bad template: {exc}")
    bad = names - set(allowed)
    if bad:
        _fail(path, key, f"unknown placeholder(s) {sorted(bad)}; valid: {sorted(allowed)}")
    return names


def _require_text(raw, key, path):
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        _fail(path, key, "expected a non-empty text")
    return " ".join(value.split())


def parse_cause(raw, path="<cause>") -> Cause:
    """Validate one cause mapping (as read from YAML) and build a :class:`Cause`.

    Raises
    ------
    CatalogueError
        Naming ``path`` and the offending key.
    """
    if not isinstance(raw, dict):
        _fail(path, "(top)", f"expected a mapping, found {type(raw).__name__}")
    extra = set(raw) - _CAUSE_KEYS
    if extra:
        _fail(path, sorted(extra)[0], f"unknown key; valid keys: {', '.join(sorted(_CAUSE_KEYS))}")
    missing = _CAUSE_KEYS - set(raw)
    if missing:
        _fail(path, sorted(missing)[0], "missing")
    cause_id = raw["id"]
    if not isinstance(cause_id, str) or not cause_id.replace("_", "").isalnum():
        _fail(path, "id", f"expected a snake_case id, found {cause_id!r}")
    if raw["category"] not in CATEGORIES:
        _fail(path, "category", f"{raw['category']!r} is not valid; valid: {', '.join(CATEGORIES)}")
    if raw["prevalence"] not in PREVALENCE:
        _fail(path, "prevalence", f"{raw['prevalence']!r} is not valid; valid: {', '.join(PREVALENCE)}")
    rules_raw = raw["rules"]
    if not isinstance(rules_raw, list) or not rules_raw:
        _fail(path, "rules", "expected a non-empty list of rules")
    rules = []
    for i, r in enumerate(rules_raw):
        key = f"rules[{i}]"
        if not isinstance(r, dict):
            _fail(path, key, "expected a mapping")
        extra = set(r) - _RULE_KEYS
        if extra:
            _fail(path, f"{key}.{sorted(extra)[0]}", f"unknown key; valid keys: {', '.join(sorted(_RULE_KEYS))}")
        conds = [_parse_condition(r, path, key)]
        ands = r.get("and", [])
        if not isinstance(ands, list):
            _fail(path, f"{key}.and", "expected a list of conditions")
        conds += [_parse_condition(c, path, f"{key}.and[{j}]") for j, c in enumerate(ands)]
        grade = r.get("grade")
        if grade not in GRADES:
            _fail(path, f"{key}.grade", f"{grade!r} is not valid; valid: {', '.join(GRADES)}")
        points = r.get("points")
        if isinstance(points, bool) or not isinstance(points, int):
            _fail(path, f"{key}.points", f"expected a whole number, found {points!r}")
        if grade == "against":
            if not -3 <= points <= -1:
                _fail(path, f"{key}.points", f"an 'against' rule takes -1 to -3 points, found {points}")
        elif points != GRADES[grade]:
            _fail(path, f"{key}.points", f"grade {grade} carries {GRADES[grade]} points, found {points}")
        evidence = r.get("evidence")
        if evidence not in EVIDENCE_TAGS:
            _fail(path, f"{key}.evidence", f"{evidence!r} is not valid; valid: {', '.join(EVIDENCE_TAGS)}")
        first = FIELDS[conds[0].field]
        names = _check_template(r.get("because"), path, f"{key}.because", ("value", "threshold", "week"))
        if first.kind != "bool" and "value" not in names:
            _fail(path, f"{key}.because", "must quote the athlete's value with {value}")
        if "week" in names and first.source != "log":
            _fail(path, f"{key}.because", "{week} is only available for fields from the training log")
        if conds[0].op == "unknown":
            _fail(path, f"{key}.op", "a rule's first condition must test a known answer")
        rule_examples = _parse_examples(r.get("examples", {}), path, f"{key}.examples", required=False)
        rules.append(Rule(tuple(conds), points, grade, evidence, " ".join(r["because"].split()),
                          rule_examples))
    advice = raw["advice"]
    if not isinstance(advice, list) or not advice or not all(isinstance(a, str) and a.strip() for a in advice):
        _fail(path, "advice", "expected a non-empty list of actions")
    sources = raw["sources"]
    if not isinstance(sources, dict) or set(sources) - {"seeds", "literature"}:
        _fail(path, "sources", "expected a mapping with seeds and literature")
    for key in ("seeds", "literature"):
        items = sources.get(key)
        if not isinstance(items, list) or not all(isinstance(s, str) and s for s in items):
            _fail(path, f"sources.{key}", "expected a list of texts")
    if not sources["literature"]:
        _fail(path, "sources.literature", "at least one reference is required")
    examples = _parse_examples(raw["examples"], path, "examples", required=True)
    return Cause(
        id=cause_id,
        title=_require_text(raw, "title", path),
        category=raw["category"],
        prevalence=raw["prevalence"],
        summary=_require_text(raw, "summary", path),
        mechanism=_require_text(raw, "mechanism", path),
        rules=tuple(rules),
        advice=tuple(" ".join(a.split()) for a in advice),
        see_doctor_if=_require_text(raw, "see_doctor_if", path),
        sources={"seeds": list(sources["seeds"]), "literature": list(sources["literature"])},
        examples={"fires": list(examples["fires"]), "does_not_fire": list(examples["does_not_fire"])},
        path=str(path),
    )


def _parse_examples(examples, path, key, required):
    """``{"fires": [answers...], "does_not_fire": [answers...]}``, each answer mapping of known fields."""
    if not isinstance(examples, dict) or set(examples) - {"fires", "does_not_fire"} \
            or (required and set(examples) != {"fires", "does_not_fire"}):
        _fail(path, key, "expected a mapping with fires and does_not_fire")
    out = {}
    for kind in ("fires", "does_not_fire"):
        cases = examples.get(kind, [] if not required else None)
        if not isinstance(cases, list) or (required and not cases) \
                or not all(isinstance(c, dict) for c in cases):
            _fail(path, f"{key}.{kind}", "expected a non-empty list of answer mappings")
        for j, case in enumerate(cases):
            for name in case:
                if name not in FIELDS:
                    _fail(path, f"{key}.{kind}[{j}].{name}", f"unknown field; {_valid_fields_hint()}")
                if FIELDS[name].source == "computed":
                    _fail(path, f"{key}.{kind}[{j}].{name}",
                          "a computed fact: give the answers it is computed from instead")
        out[kind] = list(cases)
    return out


#: The packaged YAML files, already parsed, with each file's length and CRC-32: reading this one
#: JSON file instead of parsing YAML (and importing PyYAML) is most of what ``heavylegs score``
#: saved to reach its start-up target (issue 9). Used only for a file whose bytes still match;
#: ``scripts/make_catalogue_cache.py`` rewrites it after the YAML changes (a test checks it is current).
CATALOGUE_CACHE = KNOWLEDGE_DIR / "catalogue.json"


def _yaml_loader():
    """libyaml's safe loader when PyYAML was built with it (same safe subset, several times faster)."""
    import yaml
    return yaml, getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _fingerprint(raw):
    return [len(raw), zlib.crc32(raw)]


def _cache_key(path):
    # The packaged catalogue is always read through paths built from KNOWLEDGE_DIR, so a
    # lexical comparison suffices (no resolve(): a dozen system calls a file).
    try:
        return Path(path).relative_to(KNOWLEDGE_DIR).as_posix()
    except ValueError:
        return None


def _read_cache():
    """The parsed copy of the packaged YAML files: ``{relative path: [fingerprint, data]}``."""
    try:
        with open(CATALOGUE_CACHE, encoding="utf-8") as handle:
            cache = json.load(handle)
    except (OSError, ValueError):
        return {}
    return cache.get("files", {}) if isinstance(cache, dict) else {}


def _read_yaml(path, cache=None):
    """Parse one YAML file; the cached copy when ``cache`` holds this very file's bytes."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError as exc:
        raise CatalogueError(f"{path}: cannot read the file ({exc.strerror})") from None
    if cache:
        entry = cache.get(_cache_key(path))
        if entry and entry[0] == _fingerprint(raw):
            return entry[1]
    yaml, loader = _yaml_loader()
    try:
        with open(path, encoding="utf-8") as handle:
            return yaml.load(handle, Loader=loader)
    except UnicodeDecodeError as exc:
        raise CatalogueError(f"{path}: (yaml): not UTF-8 text ({exc.reason})") from None
    except yaml.YAMLError as exc:
        raise CatalogueError(f"{path}: (yaml): {exc}") from None


def _packaged_yaml_files():
    return sorted((KNOWLEDGE_DIR / "causes").glob("*.yaml")) + [KNOWLEDGE_DIR / "red_flags.yaml"]


def catalogue_cache_text() -> str:
    """The text ``heavylegs/knowledge/catalogue.json`` must hold for the YAML files as they are.

    Returns
    -------
    str
        JSON: for each packaged cause file and the red flags, its length [bytes], its CRC-32
        and its parsed content.

    Raises
    ------
    CatalogueError
        When a file's content does not survive a trip through JSON unchanged (a YAML date,
        a non-string key), so that the cache could never differ from the YAML it stands for.
    """
    files = {}
    for path in _packaged_yaml_files():
        data = _read_yaml(path)
        if json.loads(json.dumps(data)) != data:
            raise CatalogueError(f"{path}: holds values JSON cannot carry unchanged (dates or non-text keys)")
        files[_cache_key(path)] = [_fingerprint(path.read_bytes()), data]
    return json.dumps({"about": "Parsed copy of the YAML files beside it; rebuild with "
                                "`python scripts/make_catalogue_cache.py` after editing them.",
                       "files": files}, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"


def load_causes(directory=None) -> tuple:
    """Load and validate every cause file.

    Parameters
    ----------
    directory : str or Path, optional
        Folder of ``*.yaml`` cause files; the packaged catalogue by default.

    Returns
    -------
    tuple of Cause
        In file-name order.

    Raises
    ------
    CatalogueError
        For the first malformed file, naming the file and the key; also when
        two files share an id, an id differs from its file name, or (for the
        packaged catalogue) a cause id of ``spec/causes.md`` is missing.
    """
    if directory is None:
        return _load_packaged()
    return _load_dir(Path(directory), require_spec=False)


def rule_threshold(field: str, causes=None) -> float:
    """The value above which the catalogue's rules on ``field`` begin to fire.

    Charts draw their warning lines from here (the ACWR 1.5 line, the
    monotony 2.0 line), so that a line moves when its rule does.

    Parameters
    ----------
    field : str
        A field of :data:`heavylegs.vocabulary.FIELDS` (``log_acwr``).
    causes : sequence of Cause, optional
        Default: the packaged catalogue (:func:`load_causes`).

    Returns
    -------
    float
        The lowest ``value`` of the rules whose first condition is
        ``field > value`` or ``field >= value``.

    Raises
    ------
    KeyError
        When no rule fires above a value of ``field``; the message names
        the fields that have one.
    """
    found = _packaged_thresholds() if causes is None else _thresholds_of(causes)
    if field not in found:
        raise KeyError(f"no rule of the catalogue fires above a value of {field!r}; "
                       f"fields with one: {', '.join(sorted(found))}")
    return found[field]


def _thresholds_of(causes) -> dict:
    found = {}
    for cause in causes:
        for rule in cause.rules:
            condition = rule.conditions[0]
            if condition.op in (">", ">=") and isinstance(condition.value, (int, float)) \
                    and not isinstance(condition.value, bool):
                value = float(condition.value)
                found[condition.field] = min(found.get(condition.field, value), value)
    return found


@lru_cache(maxsize=1)
def _packaged_thresholds() -> dict:
    return _thresholds_of(load_causes())


@lru_cache(maxsize=1)
def _load_packaged():
    # Thousands of small objects are made and all kept: a garbage collection in the middle
    # would only walk them (a few ms of a command that must start in 0.12 s).
    paused = gc.isenabled()
    gc.disable()
    try:
        return _load_dir(KNOWLEDGE_DIR / "causes", require_spec=True, cache=_read_cache())
    finally:
        if paused:
            gc.enable()


def _load_dir(directory, require_spec, cache=None):
    causes, seen = [], set()
    for path in sorted(directory.glob("*.yaml")):
        cause = parse_cause(_read_yaml(path, cache), path)
        if cause.id != path.stem:
            _fail(path, "id", f"{cause.id!r} differs from the file name {path.stem!r}")
        if cause.id in seen:
            _fail(path, "id", f"duplicate id {cause.id!r}")
        seen.add(cause.id)
        causes.append(cause)
    if require_spec:
        missing = [c for c in SPEC_CAUSE_IDS if c not in seen]
        if missing:
            raise CatalogueError(f"{directory}: missing cause file(s) for {', '.join(missing)}")
    return tuple(causes)


def load_red_flags(path=None, causes=None) -> tuple:
    """Load and validate the red flags.

    Parameters
    ----------
    path : str or Path, optional
        A YAML file with a list of red flags; the packaged one by default.
    causes : sequence of Cause, optional
        The catalogue the flags' ``causes`` must name (the packaged one by
        default).

    Returns
    -------
    tuple of RedFlag

    Raises
    ------
    CatalogueError
        Naming the file and the key: also when a flag names a cause the
        catalogue does not have, or when a cause it names has a rule that
        repeats the flag's own test (the flag already gives that evidence).
    """
    if path is None and causes is None:
        return _load_packaged_flags()
    path = KNOWLEDGE_DIR / "red_flags.yaml" if path is None else Path(path)
    flags = _parse_flags(path)
    check_flag_causes(flags, load_causes() if causes is None else causes, path)
    return flags


@lru_cache(maxsize=1)
def _load_packaged_flags():
    path = KNOWLEDGE_DIR / "red_flags.yaml"
    flags = _parse_flags(path, cache=_read_cache())
    check_flag_causes(flags, _load_packaged(), path)
    return flags


def check_flag_causes(flags, causes, path="<red flags>") -> None:
    """Check that every flag names causes of ``causes`` and that no such cause repeats the flag's test.

    Parameters
    ----------
    flags : sequence of RedFlag
    causes : sequence of Cause
    path : str or Path
        Named in the error.

    Raises
    ------
    CatalogueError
    """
    by_id = {cause.id: cause for cause in causes}
    for i, flag in enumerate(flags):
        for cause_id, _ in flag.causes:
            cause = by_id.get(cause_id)
            if cause is None:
                _fail(path, f"[{i}].causes.{cause_id}",
                      f"{flag.id} names an unknown cause; valid causes: {', '.join(sorted(by_id))}")
            tests = {frozenset(alt) for alt in flag.when}
            for j, rule in enumerate(cause.rules):
                if frozenset(rule.conditions) in tests:
                    _fail(path, f"[{i}].causes.{cause_id}",
                          f"{cause.path or cause_id}: rules[{j}] repeats the test of the red flag {flag.id}, "
                          "which already gives this evidence: drop the rule")


def _parse_flags(path, cache=None):
    raw = _read_yaml(path, cache)
    if not isinstance(raw, list) or not raw:
        _fail(path, "(top)", "expected a non-empty list of red flags")
    flags = []
    for i, item in enumerate(raw):
        key = f"[{i}]"
        if not isinstance(item, dict):
            _fail(path, key, "expected a mapping")
        extra = set(item) - _FLAG_KEYS
        if extra:
            _fail(path, f"{key}.{sorted(extra)[0]}", f"unknown key; valid keys: {', '.join(sorted(_FLAG_KEYS))}")
        for k in sorted(_FLAG_REQUIRED):
            if k not in item:
                _fail(path, f"{key}.{k}", "missing")
        if item["urgency"] not in URGENCIES:
            _fail(path, f"{key}.urgency", f"{item['urgency']!r} is not valid; valid: {', '.join(URGENCIES)}")
        when = item["when"]
        if not isinstance(when, list) or not when:
            _fail(path, f"{key}.when", "expected a list of alternatives")
        alts = []
        for j, alt in enumerate(when):
            if not isinstance(alt, list) or not alt:
                _fail(path, f"{key}.when[{j}]", "expected a list of conditions")
            alts.append(tuple(_parse_condition(c, path, f"{key}.when[{j}][{k}]") for k, c in enumerate(alt)))
        _check_template(item["reason"], path, f"{key}.reason", ("value", "threshold"))
        links = item["causes"]
        if not isinstance(links, dict) or not links:
            _fail(path, f"{key}.causes", "expected a mapping of the cause ids the flag bears on to a grade "
                                         "(S, M or N), for example {poor_circulation: S}")
        for cause_id, grade in links.items():
            if grade not in ("S", "M", "N"):
                _fail(path, f"{key}.causes.{cause_id}", f"{grade!r} is not valid; valid: S, M, N")
        if item["evidence"] not in EVIDENCE_TAGS:
            _fail(path, f"{key}.evidence", f"{item['evidence']!r} is not valid; valid: {', '.join(EVIDENCE_TAGS)}")
        ask_when = item.get("ask_when", [])
        if not isinstance(ask_when, list):
            _fail(path, f"{key}.ask_when", "expected a list of alternatives")
        asks = []
        for j, alt in enumerate(ask_when):
            if not isinstance(alt, list) or not alt:
                _fail(path, f"{key}.ask_when[{j}]", "expected a list of conditions")
            asks.append(tuple(_parse_condition(c, path, f"{key}.ask_when[{j}][{k}]") for k, c in enumerate(alt)))
        examples = _parse_examples(item.get("examples", {"fires": [], "does_not_fire": []}), path,
                                   f"{key}.examples", required=False)
        order = {"S": 0, "M": 1, "N": 2}
        causes = tuple(sorted(links.items(), key=lambda kv: (order[kv[1]], kv[0])))
        flags.append(RedFlag(item["id"], " ".join(item["title"].split()), item["urgency"], tuple(alts),
                             " ".join(item["reason"].split()), " ".join(item["action"].split()),
                             causes, item["evidence"], tuple(asks), examples))
    return tuple(flags)


def catalogue_markdown(causes=None, red_flags=None) -> str:
    """The text of ``docs/causes.md``: every cause with its rules, grades and sources.

    Generated from the data files so that a reviewer can read the whole
    catalogue in one place; a test keeps the committed file in sync.
    """
    causes = load_causes() if causes is None else causes
    red_flags = load_red_flags() if red_flags is None else red_flags
    lines = [
        "# The cause catalogue",
        "",
        "Generated from `heavylegs/knowledge/` (do not edit by hand: run `python scripts/make_docs.py`).",
        "Points: specific signal (S) 3, moderately specific (M) 2, non-specific (N) 1, against -1 to -3.",
        "Evidence tags: " + "; ".join(f"{k} = {v}" for k, v in EVIDENCE_TAGS.items()) + ".",
        "",
        "## Red flags (always first: see a doctor)",
        "",
        "Each flag names the causes it bears on, with the grade of that link: when the flag fires, each",
        "of them gains the grade's points with the flag as its first reason, and the best of them is",
        "ranked in the top three, so the banner and the ranking tell one story.",
        "",
        "| id | urgency | when | points at | action |",
        "|---|---|---|---|---|",
    ]
    for flag in red_flags:
        when = " **or** ".join(" and ".join(_cond_text(c) for c in alt) for alt in flag.when)
        links = ", ".join(f"`{cause_id}` ({grade})" for cause_id, grade in flag.causes)
        lines.append(f"| `{flag.id}` | {flag.urgency} | {when} | {links} | {flag.action} |")
    lines.append("")
    for cause in causes:
        lines += [f"## {cause.title} (`{cause.id}`)", "",
                  f"*{cause.category}, {cause.prevalence}.* {cause.summary}", "",
                  f"**How:** {cause.mechanism}", "",
                  "| rule | points | grade | evidence | says |", "|---|---|---|---|---|"]
        for rule in cause.rules:
            cond = " and ".join(_cond_text(c) for c in rule.conditions)
            lines.append(f"| {cond} | {rule.points:+d} | {rule.grade} | {rule.evidence} | {rule.because} |")
        lines += ["", "**What to do:**", ""] + [f"- {a}" for a in cause.advice]
        lines += ["", f"**See a doctor:** {cause.see_doctor_if}", "",
                  "**Sources:** " + "; ".join(cause.sources["literature"])
                  + (". Seed articles: " + ", ".join(cause.sources["seeds"]) if cause.sources["seeds"] else "")
                  + ".", ""]
    return "\n".join(lines)


def _cond_text(cond):
    value = cond.value
    if isinstance(value, tuple):
        value = "[" + ", ".join(str(v) for v in value) + "]"
    elif isinstance(value, bool):
        value = "true" if value else "false"
    if cond.op == "unknown":
        return f"`{cond.field}` is unknown"
    text = f"`{cond.field}` {cond.op} {value}"
    if cond.if_unknown:
        text += " (or unknown)"
    return text

