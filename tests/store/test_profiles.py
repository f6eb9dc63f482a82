"""Profiles: reading, validating and writing heavylegs.profile/1 (JSON and roster CSV)."""
import json

import pytest

from heavylegs.errors import InputError
from heavylegs.store.profiles import (
    profile_to_json, read_profile, read_roster, validate_profile, write_profile, write_roster,
)

GOOD = {
    "athlete_id": "ana", "name": "Ana", "assessed_on": "2026-11-20", "sex": "female", "age_years": 29,
    "sleep_h": 6.5, "cooldown": "sometimes", "recent_changes": ["load_increase", "diet_change"],
    "ferritin_ug_l": 14, "heavy_periods": True, "x_coach_note": "seen at the club",
}


def _write(tmp_path, text, name="p.json"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_good_profile_round_trips(tmp_path):
    path = tmp_path / "ana.json"
    write_profile(GOOD, path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["format"] == "heavylegs.profile/1"
    assert read_profile(path) == validate_profile(GOOD)


def test_unknown_is_not_no_or_zero():
    profile = validate_profile({"athlete_id": "a", "sleep_h": None, "heavy_periods": None})
    assert "sleep_h" not in profile and "heavy_periods" not in profile
    known = validate_profile({"athlete_id": "a", "sleep_h": 0, "heavy_periods": False})
    assert known["sleep_h"] == 0 and known["heavy_periods"] is False


def test_x_keys_are_kept_and_assessed_on_defaults(monkeypatch):
    import datetime as dt
    profile = validate_profile({"athlete_id": "a", "x_anything": [1, 2]}, today=dt.date(2026, 1, 2))
    assert profile["x_anything"] == [1, 2]
    assert profile["assessed_on"] == "2026-01-02"


def test_integral_float_is_accepted_for_int_fields():
    assert validate_profile({"athlete_id": "a", "age_years": 30.0})["age_years"] == 30


# Each malformed profile, the field its error must name, and a word of what was expected.
MALFORMED = [
    ('{"athlete_id": "ana", "sleep_h": "eight"}', "sleep_h", "a number from 0 to 14"),
    ('{"athlete_id": "ana", "sleep_h": 15}', "sleep_h", "from 0 to 14"),
    ('{"athlete_id": "ana", "age_years": 29.5}', "age_years", "whole number"),
    ('{"athlete_id": "ana", "age_years": true}', "age_years", "whole number"),
    ('{"athlete_id": "ana", "cooldown": "rarely"}', "cooldown", "never, sometimes, always"),
    ('{"athlete_id": "ana", "recent_changes": ["load_increase", "moon"]}', "recent_changes", "a list of"),
    ('{"athlete_id": "ana", "recent_changes": "load_increase"}', "recent_changes", "a list of"),
    ('{"athlete_id": "ana", "sleeep_h": 7}', "sleeep_h", "unknown field"),
    ('{"athlete_id": "ana", "ferritin_ug_l": NaN}', "ferritin_ug_l", "found NaN, expected a number"),
    ('{"athlete_id": "ana", "ferritin_ug_l": Infinity}', "ferritin_ug_l", "found Infinity"),
    ('{"athlete_id": "ana", "sleep_h": -Infinity}', "sleep_h", "found -Infinity"),
    ('{"athlete_id": "ana", "sleep_h": 7', None, "invalid JSON"),
    ('', None, "empty"),
    ('[{"athlete_id": "ana"}]', None, "expected a JSON object"),
    ('{"athlete_id": "../../etc/passwd"}', "athlete_id", "expected a string matching"),
    ('{"athlete_id": "Ana"}', "athlete_id", "matching"),
    ('{"name": "Ana"}', "athlete_id", "required"),
    ('{"athlete_id": "ana", "assessed_on": "2026-02-30"}', "assessed_on", "real calendar date"),
    ('{"athlete_id": "ana", "assessed_on": "20/11/2026"}', "assessed_on", "YYYY-MM-DD"),
    ('{"athlete_id": "ana", "format": "heavylegs.profile/2"}', "format", "heavylegs.profile/1"),
    ('{"athlete_id": "ana", "heavy_periods": "yes"}', "heavy_periods", "true or false"),
    ('{"athlete_id": "ana", "name": ""}', "name", "1-100 characters"),
    ('{"athlete_id": "ana", "sleep_h": 7, "sleep_h": 8}', None, "appears twice"),
    ('{"athlete_id": "ana", "mass_change_kg_90d": -51}', "mass_change_kg_90d", "from -50 to 50"),
]


@pytest.mark.parametrize("text, field, expected", MALFORMED)
def test_malformed_profile_is_rejected_with_the_field_named(tmp_path, text, field, expected):
    path = _write(tmp_path, text)
    with pytest.raises(InputError) as info:
        read_profile(path)
    message = str(info.value)
    assert str(path) in message
    if field:
        assert f": {field}:" in message
    assert expected in message


def test_every_problem_of_a_file_is_reported_together(tmp_path):
    path = _write(tmp_path, json.dumps({"athlete_id": "ana", "sleep_h": -1, "diet": "paleo", "colour": 1}))
    with pytest.raises(InputError) as info:
        read_profile(path)
    fields = sorted(p.field for p in info.value.problems)
    assert fields == ["colour", "diet", "sleep_h"]


def test_json_syntax_error_gives_line(tmp_path):
    path = _write(tmp_path, '{\n  "athlete_id": "ana",\n  "sleep_h": 7,,\n}')
    with pytest.raises(InputError) as info:
        read_profile(path)
    assert f"{path}:3:" in str(info.value)


def test_missing_file_and_non_utf8(tmp_path):
    with pytest.raises(InputError, match="cannot read"):
        read_profile(tmp_path / "nope.json")
    bad = tmp_path / "latin1.json"
    bad.write_bytes('{"athlete_id": "ana", "name": "Jos\xe9"}'.encode("latin-1"))
    with pytest.raises(InputError, match="not UTF-8"):
        read_profile(bad)


def test_write_profile_refuses_bad_profile_and_writes_nothing(tmp_path):
    path = tmp_path / "x.json"
    with pytest.raises(InputError):
        write_profile({"athlete_id": "x", "sleep_h": 99}, path)
    assert not path.exists() and list(tmp_path.iterdir()) == []


def test_profile_to_json_puts_format_first():
    assert profile_to_json(validate_profile(GOOD)).splitlines()[1].strip() == '"format": "heavylegs.profile/1",'


def test_roster_round_trip(tmp_path):
    other = {"athlete_id": "ben", "sex": "male", "recent_changes": [], "strength_within_48h": False}
    path = tmp_path / "roster.csv"
    write_roster([GOOD, other], path)
    back = read_roster(path)
    assert [p["athlete_id"] for p in back] == ["ana", "ben"]
    assert back[0]["recent_changes"] == ["load_increase", "diet_change"]
    assert back[1]["recent_changes"] == [] and back[1]["strength_within_48h"] is False
    assert "sleep_h" not in back[1]


def test_roster_errors_name_line_and_field(tmp_path):
    path = _write(tmp_path, "athlete_id,sleep_h,diet\nana,7,vegan\nben,abc,vegan\ncarl,8,paleo\nana,6,vegan\n",
                  "roster.csv")
    with pytest.raises(InputError) as info:
        read_roster(path)
    lines = [str(p) for p in info.value.problems]
    assert any(l.startswith(f"{path}:3: sleep_h:") for l in lines)
    assert any(l.startswith(f"{path}:4: diet:") for l in lines)
    assert any(l.startswith(f"{path}:5: athlete_id:") and "again" in l for l in lines)


def test_roster_unknown_column_and_empty_file(tmp_path):
    with pytest.raises(InputError, match="unknown column"):
        read_roster(_write(tmp_path, "athlete_id,sleeep\nana,7\n", "r.csv"))
    with pytest.raises(InputError, match="empty"):
        read_roster(_write(tmp_path, "", "e.csv"))


def test_profile_with_the_additions_round_trips(tmp_path):
    """The optional fields added to format 1 (spec/profile.md, "Additions") save and load unchanged."""
    additions = {**GOOD, "menstrual_status": "absent_3_months", "gut_condition": True, "blood_donations_12m": 2,
                 "nsaid_use": False, "downhill_running": True, "bone_stress_history": False, "numbness_weeks": 3.5,
                 "numbness_pattern": "both_feet", "confusion_or_vomiting_after_run": False, "cold_pale_foot": False,
                 "bone_pain_point": False, "weight_loss_fever_night_sweats": False,
                 "transferrin_saturation_pct": 14.0, "crp_mg_l": 0.0, "vitamin_b12_pg_ml": 310.0,
                 "sodium_mmol_l": 139.0, "hr_max_bpm": 188, "hr_rest_bpm": 47, "lthr_bpm": 171,
                 "threshold_pace_min_km": 4.25, "recent_changes": ["return_from_layoff", "weight_gain"]}
    path = tmp_path / "p.json"
    write_profile(additions, path)
    assert read_profile(path) == validate_profile(additions)
    assert read_profile(path)["crp_mg_l"] == 0.0   # 0 is an answer, not unknown

# ---------------------------------------------------------------------------
# Bad input (issue 9)


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1899-12-31", "2101-01-01"])
def test_dates_outside_1900_2100_are_refused(tmp_path, day):
    path = _write(tmp_path, json.dumps({"athlete_id": "ana", "assessed_on": day}))
    with pytest.raises(InputError) as info:
        read_profile(path)
    assert [str(p) for p in info.value.problems] == [
        f'{path}: assessed_on: found "{day}", expected a date from 1900-01-01 to 2100-12-31']


@pytest.mark.parametrize("opener, closer", [("[", "]"), ('{"a":', "}")])
def test_json_nested_1000_deep_is_a_clean_error(tmp_path, opener, closer):
    inner = "1" if opener != "[" else ""
    path = _write(tmp_path, '{"athlete_id": "ana", "x_deep": ' + opener * 1000 + inner + closer * 1000 + "}")
    with pytest.raises(InputError, match="nested too deep to read"):
        read_profile(path)


def test_deep_extension_values_are_refused_before_they_reach_a_writer(tmp_path):
    path = _write(tmp_path, '{"athlete_id": "ana", "x_deep": ' + "[" * 40 + "]" * 40 + "}")
    with pytest.raises(InputError, match=r"x_deep: found lists or objects nested more than 32 deep"):
        read_profile(path)
    assert validate_profile({"athlete_id": "ana", "x_ok": {"a": [1, {"b": 2}]}})["x_ok"] == {"a": [1, {"b": 2}]}


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_in_extensions_are_refused(tmp_path, token):
    path = _write(tmp_path, '{"athlete_id": "ana", "x_a": 1, "x_b": {"c": [1, ' + token + "]}}")
    with pytest.raises(InputError, match=r"x_b: found .*, expected a finite number \(JSON has no NaN"):
        read_profile(path)
    with pytest.raises(InputError):
        write_profile({"athlete_id": "ana", "x_b": float(token.lower().replace("infinity", "inf"))},
                      tmp_path / "out.json")
    assert not (tmp_path / "out.json").exists()
    with pytest.raises(ValueError):  # the writer itself never emits the tokens either
        profile_to_json({"athlete_id": "ana", "x_b": float("nan")})


@pytest.mark.parametrize("text, field", [
    ('{"athlete_id": "ana", "name": "An\\ud800a"}', "name"),
    ('{"athlete_id": "ana", "x_note": ["\\udfff"]}', "x_note"),
])
def test_lone_surrogates_are_refused(tmp_path, text, field):
    path = _write(tmp_path, text)
    with pytest.raises(InputError) as info:
        read_profile(path)
    (problem,) = info.value.problems
    assert problem.field == field and "lone surrogate" in problem.message
    str(problem).encode("utf-8")  # the message itself can be printed


def test_lone_surrogate_in_a_key_is_refused(tmp_path):
    with pytest.raises(InputError, match=r'found the key "x_\\ud800", which holds a lone surrogate'):
        read_profile(_write(tmp_path, '{"athlete_id": "ana", "x_\\ud800": 1}'))


@pytest.mark.parametrize("cell", ["٣٣", "３３", "nan", "1_0"])
def test_roster_cells_with_non_ascii_digits_are_not_numbers(tmp_path, cell):
    path = _write(tmp_path, f"athlete_id,age_years\nana,{cell}\n", name="roster.csv")
    with pytest.raises(InputError, match=r"roster.csv:2: age_years: found"):
        read_roster(path)


def test_a_profile_that_is_a_pipe_or_too_big_is_refused(tmp_path):
    import os

    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="is a named pipe"):
        read_profile(fifo)
    big = _write(tmp_path, '{"athlete_id": "ana", "x_pad": "' + "x" * 2**20 + '"}', name="big.json")
    with pytest.raises(InputError, match="expected a profile JSON file of at most 1 MiB"):
        read_profile(big)


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=20)


@settings(max_examples=200, deadline=None)
@given(raw=st.dictionaries(st.sampled_from(["athlete_id", "name", "sleep_h", "age_years", "assessed_on",
                                            "diet", "recent_changes", "x_a", "x_b", "heavy_periods"]),
                           _JSON, max_size=6))
def test_any_json_object_is_a_profile_or_an_input_error(raw):
    try:
        profile = validate_profile(raw, "p.json")
    except InputError as exc:
        assert exc.problems and all(str(p).startswith("p.json") for p in exc.problems)
    else:
        profile_to_json(profile).encode("utf-8")  # writable: standard JSON, valid UTF-8
