"""heavylegs.store.plans: the plan document's checks, shared by saved plans and the coach's edits."""
import pytest

from heavylegs.errors import InputError
from heavylegs.store.plans import KINDS, PLAN_FORMAT, check_plan_day, validate_plan


def test_a_day_in_miles_is_kept_in_km_and_bad_values_are_named():
    problems = []
    clean = check_plan_day(3, "2026-12-03", {"kind": "Easy", "minutes": "45", "max_mi": "5", "notes": "a | b"},
                           "mi", problems, "plan.csv", [])
    assert problems == []
    assert clean["kind"] == "easy" and clean["minutes"] == 45 and clean["max_km"] == pytest.approx(8.05)
    assert clean["notes"] == ["a", "b"]
    check_plan_day(4, "2026-12-04", {"kind": "rest", "minutes": 30, "sleep_h": 20}, "km", problems, "plan.csv", [])
    assert [(p.field, p.line) for p in problems] == [("sleep_h", 4), ("minutes", 4)]
    assert "day 4 (2026-12-04): found 30 on a rest day" in str(problems[1])


def test_training_is_refused_while_a_red_flag_withholds_it():
    problems = []
    check_plan_day(1, "2026-12-01", {"kind": "long"}, "km", problems, "<plan>", ["possible_dvt"])
    assert "expected rest: training is withheld for the red flag possible_dvt" in str(problems[0])


def test_a_plan_document_needs_its_format_and_fourteen_dated_days():
    with pytest.raises(InputError, match="expected 'heavylegs.plan/1'") as bad:
        validate_plan({"format": "other", "days": []}, "a.json")
    assert "expected 14" in str(bad.value)
    days = [{"date": f"2026-12-{d:02d}", "training": {"kind": "rest"}} for d in range(1, 15)]
    plan = {"format": PLAN_FORMAT, "start": "2026-12-01", "days": days}
    assert validate_plan(plan) is plan and "rest" in KINDS
    days[5]["date"] = "2026-12-31"
    with pytest.raises(InputError, match="day 6: found '2026-12-31', expected a day dated 2026-12-06"):
        validate_plan(plan, "a.json")
