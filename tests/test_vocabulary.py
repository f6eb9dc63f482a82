"""The field vocabulary: the additions of spec/profile.md, their validation, and how they show."""
import json

import pytest

from heavylegs.views.dashboard import dashboard_content, dashboard_sections
from heavylegs.errors import InputError
from heavylegs.vocabulary import (
    COMPUTED_FIELDS, COMPUTED_INPUTS, FIELDS, PROFILE_FIELDS, RECENT_CHANGES, nomenclature_markdown,
)
from heavylegs.store.profiles import validate_profile
from heavylegs.app.widgets import UNKNOWN, ProfileForm

#: The "Additions" table of spec/profile.md: name -> (kind, unit, minimum, maximum, values).
ADDITIONS = {
    # `postpartum` from "Additions 2"
    "menstrual_status": ("enum", "", None, None,
                         ("regular", "irregular", "absent_3_months", "postmenopausal", "pregnant", "not_applicable",
                          "postpartum")),
    "gut_condition": ("bool", "", None, None, ()),
    "blood_donations_12m": ("int", "donations", 0, 12, ()),
    "nsaid_use": ("bool", "", None, None, ()),
    "downhill_running": ("bool", "", None, None, ()),
    "bone_stress_history": ("bool", "", None, None, ()),
    "numbness_weeks": ("number", "weeks", 0, 520, ()),
    "numbness_pattern": ("enum", "", None, None, ("one_leg", "both_feet")),
    "confusion_or_vomiting_after_run": ("bool", "", None, None, ()),
    "cold_pale_foot": ("bool", "", None, None, ()),
    "bone_pain_point": ("bool", "", None, None, ()),
    "weight_loss_fever_night_sweats": ("bool", "", None, None, ()),
    "transferrin_saturation_pct": ("number", "%", 1, 100, ()),
    "crp_mg_l": ("number", "mg/L", 0, 500, ()),
    "vitamin_b12_pg_ml": ("number", "pg/mL", 50, 3000, ()),
    "sodium_mmol_l": ("number", "mmol/L", 100, 170, ()),
    "hr_max_bpm": ("int", "bpm", 120, 230, ()),
    "hr_rest_bpm": ("int", "bpm", 25, 100, ()),
    "lthr_bpm": ("int", "bpm", 100, 220, ()),
    "threshold_pace_min_km": ("number", "min/km", 2.5, 12, ()),
    # "Additions 2"; medications also takes metformin and acid_blocker (vitamin B12, spec/causes.md)
    "medications": ("list", "", None, None, ("statin", "beta_blocker", "diuretic", "fluoroquinolone",
                                             "corticosteroid", "isotretinoin", "other", "metformin",
                                             "acid_blocker")),
    "tsh_mu_l": ("number", "mU/L", 0.01, 100, ()),
    "training_hours_per_day": ("number", "h", 0, 8, ()),
}


@pytest.mark.parametrize("name", ADDITIONS)
def test_additions_are_profile_fields_as_the_spec_says(name):
    kind, unit, lo, hi, values = ADDITIONS[name]
    spec = PROFILE_FIELDS[name]
    assert (spec.kind, spec.unit, spec.minimum, spec.maximum, spec.values) == (kind, unit, lo, hi, values)


def test_recent_changes_take_the_new_values():
    assert set(RECENT_CHANGES) >= {"return_from_layoff", "illness", "altitude", "more_hills", "weight_gain"}
    assert validate_profile({"athlete_id": "a", "recent_changes": ["altitude", "more_hills"]})["recent_changes"] \
        == ["altitude", "more_hills"]


@pytest.mark.parametrize("name, bad, expected", [
    ("blood_donations_12m", 13, "a whole number from 0 to 12"),
    ("blood_donations_12m", 1.5, "a whole number from 0 to 12"),
    ("sodium_mmol_l", 99, "a number from 100 to 170 [mmol/L]"),
    ("crp_mg_l", -1, "a number from 0 to 500 [mg/L]"),
    ("threshold_pace_min_km", 2.4, "a number from 2.5 to 12 [min/km]"),
    ("hr_rest_bpm", 101, "a whole number from 25 to 100 [bpm]"),
    ("menstrual_status", "missing", "one of regular, irregular, absent_3_months"),
    ("numbness_pattern", "both_legs", "one of one_leg, both_feet"),
    ("cold_pale_foot", "yes", "true or false"),
    ("medications", ["statins"], "a list of: statin, beta_blocker, diuretic"),
    ("medications", "statin", "a list of: statin"),
    ("tsh_mu_l", 0, "a number from 0.01 to 100 [mU/L]"),
    ("training_hours_per_day", 8.5, "a number from 0 to 8 [h]"),
    ("menstrual_status", "post_partum", "postpartum"),
])
def test_additions_are_validated(name, bad, expected):
    with pytest.raises(InputError) as info:
        validate_profile({"athlete_id": "a", name: bad})
    assert name in str(info.value) and expected in str(info.value)


def test_additions_are_accepted_at_their_edges():
    profile = validate_profile({"athlete_id": "a", "blood_donations_12m": 0, "sodium_mmol_l": 170,
                                "threshold_pace_min_km": 2.5, "numbness_weeks": 0, "crp_mg_l": 0,
                                "menstrual_status": "pregnant", "numbness_pattern": "one_leg"})
    assert profile["sodium_mmol_l"] == 170 and profile["numbness_weeks"] == 0


@pytest.mark.parametrize("answers, ok", [
    ({"diuretics": True, "medications": ["diuretic", "statin"]}, True),
    ({"diuretics": False, "medications": ["statin"]}, True),
    ({"diuretics": True}, True),
    ({"medications": ["diuretic"]}, True),
    ({"diuretics": True, "medications": ["statin"]}, False),
    ({"diuretics": False, "medications": ["diuretic"]}, False),
    ({"diuretics": True, "medications": []}, False),
])
def test_diuretics_and_diuretic_in_medications_must_agree(answers, ok):
    """spec/profile.md, Additions 2: the older `diuretics` and `diuretic` in `medications` are one answer."""
    if ok:
        validate_profile({"athlete_id": "a", **answers})
    else:
        with pytest.raises(InputError, match=r"medications: found diuretics (true|false) but medications "
                                             r"(lists|does not list) diuretic, expected the two answers to agree"):
            validate_profile({"athlete_id": "a", **answers})


def test_computed_facts_are_fields_but_not_answers():
    assert set(COMPUTED_FIELDS) == set(COMPUTED_INPUTS) == {
        "distance_change_pct", "resting_hr_rise_bpm", "mass_change_pct_90d"}
    assert not set(COMPUTED_FIELDS) & set(PROFILE_FIELDS)
    for groups in COMPUTED_INPUTS.values():
        assert all(name in PROFILE_FIELDS for group in groups for name in group)


def test_nomenclature_lists_every_field():
    text = nomenclature_markdown()
    for name in FIELDS:
        assert f"| `{name}` |" in text
    assert "`absent_3_months`" in text and "Computed, not entered" in text


# --- the form (heavylegs.app.widgets.ProfileForm) shows every new field with the right control ---------

def test_form_has_a_control_of_the_right_kind_for_every_new_field():
    form = ProfileForm({"athlete_id": "a"})
    for name, (kind, *_rest) in ADDITIONS.items():
        control = form.controls[name]
        if kind in ("int", "number"):
            assert control.value == "" and control.placeholder == UNKNOWN
        elif kind == "list":  # a multiple choice with its own "unknown" tick
            assert control.value == () and form.profile.get(name) is None
            assert [value for _label, value in control.options] == list(PROFILE_FIELDS[name].values)
        else:
            assert control.value == "" and control.label == UNKNOWN
            options = [value for _label, value in control.options]
            expected = ["yes", "no"] if kind == "bool" else list(PROFILE_FIELDS[name].values)
            assert [o for o in options if o] == expected
    form.controls["menstrual_status"].value = "absent_3_months"
    form.controls["sodium_mmol_l"].value = "128"
    form.controls["cold_pale_foot"].value = "yes"
    form.controls["blood_donations_12m"].value = "2"
    assert {k: form.profile[k] for k in ("menstrual_status", "sodium_mmol_l", "cold_pale_foot",
                                         "blood_donations_12m")} == {
        "menstrual_status": "absent_3_months", "sodium_mmol_l": 128.0, "cold_pale_foot": True,
        "blood_donations_12m": 2}
    form.controls["sodium_mmol_l"].value = "99"
    assert form.errors["sodium_mmol_l"].startswith("found 99, expected a number from 100 to 170")
    form.controls["recent_changes"].value = ("return_from_layoff", "altitude")
    assert form.profile["recent_changes"] == ["return_from_layoff", "altitude"]
    form.controls["menstrual_status"].value = "postpartum"
    form.controls["training_hours_per_day"].value = "2.5"
    form.controls["tsh_mu_l"].value = "7.8"
    assert {k: form.profile[k] for k in ("menstrual_status", "training_hours_per_day", "tsh_mu_l")} == {
        "menstrual_status": "postpartum", "training_hours_per_day": 2.5, "tsh_mu_l": 7.8}


# --- the athlete dashboard shows the new red flags ----------------------------------------------

def test_dashboard_shows_the_new_red_flags(tmp_path):
    (tmp_path / "athletes").mkdir()
    profile = {"athlete_id": "ida", "name": "Ida", "assessed_on": "2026-11-16", "sodium_mmol_l": 127,
               "cold_pale_foot": True, "bone_pain_point": True, "weight_loss_fever_night_sweats": True}
    (tmp_path / "athletes" / "ida.json").write_text(json.dumps(profile), encoding="utf-8")
    content = dashboard_content(tmp_path, "ida")
    assert [f["id"] for f in content["red_flags"]] == [
        "possible_hyponatremia", "possible_limb_ischemia", "possible_stress_fracture", "constitutional_symptoms"]
    before, _ = dashboard_sections(content)
    for flag in content["red_flags"]:
        assert flag["title"].replace("'", "&#x27;") in before
    assert before.index("Confusion, vomiting or low blood sodium") < before.index("A cold, pale foot")


# --- each shared vocabulary has one home (issue 19) -------------------------------------------

def test_shared_vocabularies_are_defined_once_and_every_user_reads_them():
    from heavylegs import cli, vocabulary
    from heavylegs.analysis import plan
    from heavylegs.app import widgets as app_widgets
    from heavylegs.engine import device_load
    from heavylegs.logs import traininglog
    from heavylegs.logs.formats import _common as formats_common
    from heavylegs.views import figures, html

    # the load metrics: the command line offers exactly the engine's, and the workbook names each
    metric_choices = {a.dest: a.choices for sub in cli.build_parser()._subparsers._group_actions
                      for p in sub.choices.values() for a in p._actions if a.dest == "metric"}
    assert metric_choices and all(tuple(c) == vocabulary.LOAD_METRICS for c in metric_choices.values())
    assert device_load.LOAD_METRICS is vocabulary.LOAD_METRICS
    assert set(figures.LOAD_METRIC_NAMES) == set(vocabulary.LOAD_METRICS) - {"auto"}
    # the mile, the urgencies (the pages' words for them in the same order) and the log's columns
    assert plan.KM_PER_MILE is app_widgets.KM_PER_MILE is figures.KM_PER_MILE is vocabulary.KM_PER_MILE
    assert tuple(html.URGENCY) == vocabulary.URGENCIES and html.URGENCY_ORDER is vocabulary.URGENCY_ORDER
    assert formats_common.LOG_COLUMNS is traininglog.LOG_COLUMNS


def test_vocabulary_docstring_examples_run():
    import doctest

    import heavylegs.vocabulary

    result = doctest.testmod(heavylegs.vocabulary)
    assert result.attempted >= 1 and result.failed == 0


def test_follow_up_questions_name_known_fields():
    from heavylegs.vocabulary import BLOOD_TESTS, FOLLOW_UPS, PATTERN_QUESTIONS, follow_up_applies

    for child, (parent, _wanted) in FOLLOW_UPS.items():
        assert child in PROFILE_FIELDS and parent in PROFILE_FIELDS
    assert set(PATTERN_QUESTIONS) <= set(PROFILE_FIELDS) and set(BLOOD_TESTS) <= set(PROFILE_FIELDS)
    assert follow_up_applies("strength_within_48h", {}) == "strength_sessions_per_week"
    assert follow_up_applies("strength_within_48h", {"strength_sessions_per_week": 0}) is False
    assert follow_up_applies("strength_within_48h", {"strength_sessions_per_week": 2}) is True
    assert follow_up_applies("menstrual_status", {"sex": "male"}) is False
    assert follow_up_applies("sleep_h", {}) is True
