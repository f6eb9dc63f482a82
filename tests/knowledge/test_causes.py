"""The cause catalogue: every file valid, every example behaves, bad files fail by name."""
import dataclasses

import pytest
import yaml

from heavylegs.knowledge.causes import (
    SPEC_CAUSE_IDS, CatalogueError, KNOWLEDGE_DIR, load_causes, load_red_flags, parse_cause,
)
from heavylegs.analysis.scoring import score_profile

SEEDS = {"000_587ea892a837ffe3.txt", "002_0de0b13480f62ef0.txt", "004_f087613d0aaf0555.txt"}
CAUSES = load_causes()


def _fired(cause, answers):
    doc = score_profile({"athlete_id": "example", **answers}, causes=[cause], red_flags=())
    return [e for e in doc["causes"][0]["evidence"] if e["points"] > 0]


@pytest.mark.parametrize("cause", CAUSES, ids=lambda c: c.id)
def test_cause_examples(cause):
    for answers in cause.examples["fires"]:
        assert _fired(cause, answers), f"{cause.id}: expected a rule to fire for {answers}"
    for answers in cause.examples["does_not_fire"]:
        assert not _fired(cause, answers), f"{cause.id}: expected no rule to fire for {answers}"


RULES = [(cause, i) for cause in CAUSES for i in range(len(cause.rules))]


def _rule_fires(cause, rule, answers):
    """Whether this very rule fires: scored as the cause's only rule, through the whole pipeline."""
    alone = dataclasses.replace(cause, rules=(rule,))
    doc = score_profile({"athlete_id": "example", **answers}, causes=[alone], red_flags=())
    evidence = doc["causes"][0]["evidence"]
    assert len(evidence) <= 1
    if evidence:
        assert evidence[0]["points"] == rule.points and evidence[0]["field"] == rule.field
    return bool(evidence)


@pytest.mark.parametrize("cause, index", RULES, ids=lambda x: x.id if hasattr(x, "id") else f"rule{x}")
def test_every_rule_fires_on_its_examples_and_only_there(cause, index):
    """Like semgrep's ruleid:/ok: cases: each rule, `against` rules too, has both kinds of example."""
    rule = cause.rules[index]
    assert rule.examples.get("fires") and rule.examples.get("does_not_fire"), \
        f"{cause.id} rules[{index}] ({rule.field}) needs examples that fire and that do not"
    for answers in rule.examples["fires"]:
        assert _rule_fires(cause, rule, answers), f"{cause.id} rules[{index}] should fire for {answers}"
    for answers in rule.examples["does_not_fire"]:
        assert not _rule_fires(cause, rule, answers), f"{cause.id} rules[{index}] should not fire for {answers}"


def test_rule_examples_are_validated():
    raw = _iron_raw()
    raw["rules"][0]["examples"] = {"fires": [{"ferritin": 3}], "does_not_fire": []}
    with pytest.raises(CatalogueError, match=r"rules\[0\]\.examples\.fires\[0\]\.ferritin: unknown field"):
        parse_cause(raw, "iron_test.yaml")
    raw["rules"][0]["examples"] = {"fires": [{"distance_change_pct": 40}]}
    with pytest.raises(CatalogueError, match="computed fact"):
        parse_cause(raw, "iron_test.yaml")


def test_operator_unknown_holds_only_for_unknown_answers():
    raw = _iron_raw()
    raw["rules"][0]["and"] = [{"field": "crp_mg_l", "op": "unknown", "value": True}]
    rule = parse_cause(raw, "iron_test.yaml").rules[0]
    assert rule.conditions[1].if_unknown is True and rule.conditions[1].test(3.0) is False
    raw["rules"][0]["and"] = [{"field": "crp_mg_l", "op": "unknown", "value": False}]
    with pytest.raises(CatalogueError, match="operator unknown takes the value true"):
        parse_cause(raw, "iron_test.yaml")


def test_low_energy_availability_is_its_own_cause():
    cause = next(c for c in CAUSES if c.id == "low_energy_availability")
    assert cause.category == "fuel"
    assert any("Mountjoy" in ref and "2023" in ref for ref in cause.sources["literature"])
    assert {"menstrual_status", "energy_restriction", "mass_change_pct_90d", "bone_stress_history"} <= set(cause.fields)


def test_catalogue_has_every_spec_cause():
    assert {c.id for c in CAUSES} >= set(SPEC_CAUSE_IDS)


@pytest.mark.parametrize("cause", CAUSES, ids=lambda c: c.id)
def test_cause_cites_seeds_and_literature(cause):
    assert set(cause.sources["seeds"]) <= SEEDS
    assert cause.sources["literature"]
    assert all(rule.because for rule in cause.rules)


@pytest.mark.parametrize("cause", CAUSES, ids=lambda c: c.id)
def test_specific_signals_outweigh_shared_ones(cause):
    for rule in cause.rules:
        if rule.grade == "S":
            assert rule.points == 3
        elif rule.grade == "N":
            assert rule.points == 1


def _iron_raw():
    return yaml.safe_load((KNOWLEDGE_DIR / "causes" / "iron_deficiency.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("mutate, key, hint", [
    (lambda d: d["rules"][0].__setitem__("field", "ferritin"), "rules[0].field", "valid fields: athlete_id"),
    (lambda d: d["rules"][0].__setitem__("op", "=<"), "rules[0].op", "valid operators"),
    (lambda d: d["rules"][0].__setitem__("points", 2), "rules[0].points", "grade S carries 3"),
    (lambda d: d["rules"][0].__setitem__("because", "ferritin is low"), "rules[0].because", "{value}"),
    (lambda d: d["rules"][0].__setitem__("evidence", "XX"), "rules[0].evidence", "valid"),
    (lambda d: d.pop("advice"), "advice", "missing"),
    (lambda d: d.__setitem__("colour", "red"), "colour", "unknown key"),
    (lambda d: d["rules"][3].__setitem__("value", ["vegetarian", "fruitarian"]), "rules[3].value", "valid"),
    (lambda d: d["examples"]["fires"].append({"ferritin": 3}), "examples.fires[3].ferritin", "unknown field"),
    (lambda d: d["sources"].__setitem__("literature", []), "sources.literature", "at least one"),
])
def test_malformed_cause_is_named(mutate, key, hint):
    raw = _iron_raw()
    mutate(raw)
    with pytest.raises(CatalogueError, match="iron_test.yaml") as info:
        parse_cause(raw, "iron_test.yaml")
    assert key in str(info.value) and hint in str(info.value)


def test_directory_loader_checks_ids(tmp_path):
    raw = _iron_raw()
    (tmp_path / "not_iron.yaml").write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(CatalogueError, match="differs from the file name"):
        load_causes(tmp_path)


def test_yaml_syntax_error_names_file(tmp_path):
    (tmp_path / "broken.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match="broken.yaml"):
        load_causes(tmp_path)


@pytest.mark.parametrize("flag", load_red_flags(), ids=lambda f: f.id)
def test_red_flag_actions_keep_to_their_urgency(flag):
    """The dashboard heads each group of flags with its urgency's timing; the actions must agree."""
    action = flag.action.lower()
    if flag.urgency == "emergency":
        assert "emergency" in action
    elif flag.urgency == "urgent":
        assert "today" in action and "within days" not in action
    else:
        assert flag.urgency == "soon"
        assert "today" not in action and "emergency" not in action


def test_red_flags_cover_the_spec():
    ids = {f.id for f in load_red_flags()}
    assert ids >= {"cannot_lift_leg", "progressive_weakness", "possible_clot", "possible_rhabdomyolysis",
                   "cardiac_symptoms", "exertional_pain", "persistent_numbness", "anemia", "not_resolving"}
    urgency = {f.id: f.urgency for f in load_red_flags()}
    assert {k: urgency[k] for k in ("possible_hyponatremia", "possible_limb_ischemia", "possible_stress_fracture",
                                    "constitutional_symptoms", "persistent_numbness")} == {
        "possible_hyponatremia": "emergency", "possible_limb_ischemia": "urgent",
        "possible_stress_fracture": "soon", "constitutional_symptoms": "soon", "persistent_numbness": "soon"}


def test_libyaml_loader_reads_the_same_catalogue():
    """causes.py uses libyaml's CSafeLoader when it is there; it must give the pure-Python loader's data."""
    from heavylegs.knowledge import causes

    assert causes._yaml_loader()[1] is getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    files = sorted(KNOWLEDGE_DIR.rglob("*.yaml"))
    assert len(files) > 20
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert causes._read_yaml(path) == yaml.load(text, Loader=yaml.SafeLoader), path.name


def test_parsed_catalogue_copy_is_current():
    """knowledge/catalogue.json must match the YAML: run scripts/make_catalogue_cache.py after an edit."""
    from heavylegs.knowledge.causes import CATALOGUE_CACHE, catalogue_cache_text

    assert CATALOGUE_CACHE.read_text(encoding="utf-8") == catalogue_cache_text(), (
        "heavylegs/knowledge/catalogue.json is stale: run `python scripts/make_catalogue_cache.py`")


def test_catalogue_from_the_parsed_copy_equals_the_yaml():
    """The packaged catalogue (read from catalogue.json) is the one parsed from the YAML files."""
    from heavylegs.knowledge import causes

    from_copy = causes.load_causes()
    from_yaml = causes.load_causes(KNOWLEDGE_DIR / "causes")
    assert [c.id for c in from_copy] == [c.id for c in from_yaml]
    assert from_copy == from_yaml
    assert causes.load_red_flags() == causes.load_red_flags(KNOWLEDGE_DIR / "red_flags.yaml")


@pytest.fixture
def knowledge_copy(tmp_path, monkeypatch):
    """A writable copy of the knowledge folder that the packaged loaders read."""
    import shutil

    from heavylegs.knowledge import causes

    folder = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, folder)
    monkeypatch.setattr(causes, "KNOWLEDGE_DIR", folder)
    monkeypatch.setattr(causes, "CATALOGUE_CACHE", folder / "catalogue.json")
    causes._load_packaged.cache_clear()
    causes._load_packaged_flags.cache_clear()
    yield folder
    causes._load_packaged.cache_clear()
    causes._load_packaged_flags.cache_clear()


def test_an_edited_yaml_file_wins_over_the_stale_copy(knowledge_copy):
    """A cause file edited after the copy was made is read from its YAML, not from catalogue.json."""
    from heavylegs.knowledge import causes

    path = knowledge_copy / "causes" / "dehydration.yaml"
    text = path.read_text(encoding="utf-8")
    title = next(line for line in text.splitlines() if line.startswith("title:"))
    path.write_text(text.replace(title, "title: Edited after the copy was made"), encoding="utf-8")
    flags = knowledge_copy / "red_flags.yaml"
    flags.write_text(flags.read_text(encoding="utf-8").replace("urgency: urgent", "urgency: emergency", 1),
                     encoding="utf-8")
    by_id = {c.id: c for c in causes.load_causes()}
    assert by_id["dehydration"].title == "Edited after the copy was made"
    assert causes.load_causes() == causes.load_causes(knowledge_copy / "causes")
    assert causes.load_red_flags() == causes.load_red_flags(flags)
    urgencies = [f.urgency for f in causes.load_red_flags()]
    assert urgencies != [f.urgency for f in causes.load_red_flags(KNOWLEDGE_DIR / "red_flags.yaml")]


@pytest.mark.parametrize("content", ["", "{not json", "[1, 2]", '{"files": {"causes/dehydration.yaml": [[1, 2], 3]}}'])
def test_a_broken_copy_is_ignored(knowledge_copy, content):
    """A missing, truncated or foreign catalogue.json costs time, never the catalogue."""
    from heavylegs.knowledge import causes

    (knowledge_copy / "catalogue.json").write_text(content, encoding="utf-8")
    assert causes.load_causes() == causes.load_causes(knowledge_copy / "causes")
    assert causes.load_red_flags() == causes.load_red_flags(knowledge_copy / "red_flags.yaml")


# --- The causes of spec/causes.md "Added (2)" ---------------------------------------------------------

def _ranked(answers):
    doc = score_profile({"athlete_id": "x", **answers})
    return {c["id"]: c for c in doc["causes"]}, [c["id"] for c in doc["causes"]]


def test_the_four_added_causes_are_in_the_catalogue_with_their_categories():
    by_id = {c.id: c for c in CAUSES}
    assert {k: by_id[k].category for k in ("bone_stress_injury", "medication_effect", "hypothyroidism",
                                           "vitamin_b12_deficiency")} == {
        "bone_stress_injury": "injury", "medication_effect": "health", "hypothyroidism": "health",
        "vitamin_b12_deficiency": "nutrient"}


def test_medication_advice_always_sends_to_the_prescriber_and_never_stops_a_medicine():
    cause = next(c for c in CAUSES if c.id == "medication_effect")
    first = cause.advice[0].lower()
    assert "prescriber" in first and "never stop" in first
    assert "prescriber" in cause.see_doctor_if and "do not stop the medicine" in cause.see_doctor_if
    for medicine in ("statin", "beta_blocker", "diuretic", "fluoroquinolone", "corticosteroid", "isotretinoin"):
        by_id, order = _ranked({"medications": [medicine]})
        assert by_id["medication_effect"]["score"] > 0, medicine
        assert order.index("medication_effect") < 3, (medicine, order[:3])


def test_diuretic_in_the_medicine_list_counts_as_the_older_diuretics_answer():
    listed, _ = _ranked({"medications": ["diuretic"]})
    older, _ = _ranked({"diuretics": True})
    for cause_id in ("electrolyte_imbalance", "medication_effect"):
        assert listed[cause_id]["score"] == older[cause_id]["score"] > 0


def test_postpartum_periods_do_not_read_as_low_energy_availability():
    absent, _ = _ranked({"sex": "female", "menstrual_status": "absent_3_months"})
    after_birth, order = _ranked({"sex": "female", "menstrual_status": "postpartum"})
    assert absent["low_energy_availability"]["score"] > 0
    assert after_birth["low_energy_availability"]["score"] == 0
    assert after_birth["low_energy_availability"]["evidence"] == []
    # iron and sleep matter more after a birth
    assert after_birth["iron_deficiency"]["score"] > 0 and after_birth["muscle_fatigue"]["score"] > 0
    assert {"iron_deficiency", "muscle_fatigue"} <= set(order[:3])


@pytest.mark.parametrize("hours, carbs, fires", [
    (0.5, 4.5, False), (1, 4.5, True), (1, 5.5, False), (2, 5.5, True), (2, 6.5, False),
    (4, 7.5, True), (4, 8.0, False), (None, 5.5, False),
])
def test_training_hours_set_the_carbohydrate_band_of_the_glycogen_rules(hours, carbs, fires):
    answers = {"carbs_g_per_kg": carbs, "weekly_distance_km": 30}
    if hours is not None:
        answers["training_hours_per_day"] = hours
    by_id, _ = _ranked(answers)
    below = [e for e in by_id["glycogen_depletion"]["evidence"] if e["field"] == "carbs_g_per_kg" and e["points"] > 0]
    assert bool(below) is fires


def test_with_training_hours_known_the_distance_stand_in_is_not_used():
    # 90 km a week at 5.5 g/kg reads as short of fuel only while the hours are unknown
    by_distance, _ = _ranked({"carbs_g_per_kg": 5.5, "weekly_distance_km": 90})
    by_hours, _ = _ranked({"carbs_g_per_kg": 5.5, "weekly_distance_km": 90, "training_hours_per_day": 1})
    assert by_distance["glycogen_depletion"]["score"] > 0 and by_hours["glycogen_depletion"]["score"] == 0
    # 7.5 g/kg is plenty for an hour a day, short for four hours
    plenty, _ = _ranked({"carbs_g_per_kg": 7.5, "training_hours_per_day": 1})
    short, _ = _ranked({"carbs_g_per_kg": 7.5, "training_hours_per_day": 4})
    assert plenty["glycogen_depletion"]["raw_points"] < 0 < short["glycogen_depletion"]["raw_points"]


def test_raised_tsh_and_low_b12_lead_their_causes():
    _, order = _ranked({"tsh_mu_l": 12, "wellness_fatigue": 6})
    assert order[0] == "hypothyroidism"
    _, order = _ranked({"vitamin_b12_pg_ml": 150, "diet": "vegan", "numbness_pattern": "both_feet"})
    assert order[0] == "vitamin_b12_deficiency"


def test_young_runner_with_one_leg_going_dead_at_effort_gets_the_artery_side_of_circulation():
    """Iliac endofibrosis or popliteal entrapment: one leg, at effort, better at rest, no risk factor."""
    by_id, order = _ranked({"age_years": 24, "one_leg_only": True, "heaviness_onset": "during_run",
                            "exertional_leg_pain": True, "smoker": False, "diabetes": False})
    assert order[:2] == ["poor_circulation", "compartment_syndrome"] or \
        order[:2] == ["compartment_syndrome", "poor_circulation"]
    reasons = " ".join(e["because"] for e in by_id["poor_circulation"]["evidence"])
    assert "iliac endofibrosis" in reasons and "popliteal entrapment" in reasons
    assert by_id["muscle_injury"]["score"] < min(by_id[c]["score"] for c in ("poor_circulation", "compartment_syndrome"))


def test_rule_threshold_is_the_lowest_value_a_rule_fires_above():
    from heavylegs.knowledge.causes import rule_threshold

    assert rule_threshold("log_acwr") == 1.5
    assert rule_threshold("log_long_run_spike_pct") == 10.0  # rules at 10 % and 100 %: the first line
    with pytest.raises(KeyError, match="fields with one: .*log_acwr"):
        rule_threshold("sex")
