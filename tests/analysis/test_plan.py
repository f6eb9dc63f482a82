"""The two-week plan (spec/plan.md) on inputs small enough to check by hand."""
import datetime as dt

import numpy as np
import pandas as pd
import pytest
import yaml

from heavylegs.knowledge.causes import load_causes
from heavylegs.errors import InputError
from heavylegs.analysis.pipeline import assess
from heavylegs.analysis.plan import (KINDS, PLAN_FORMAT, _week_layout, apply_plan_edits, build_plan, day_texts,
                            load_plan_knowledge, plan_columns, plan_load_projection, plan_rows, validate_plan)
from heavylegs.logs.traininglog import read_log

# One week of the fixture log, Monday first: (activity, minutes, km, rpe, session type).
# Loads: 0, 120, 280, 120, 0, 120, 400 = 1040 AU a week; 52 km in 260 min, 5.0 min/km.
WEEK = [None, ("run", 40, 8, 3, "easy"), ("run", 40, 8, 7, "interval"), ("run", 40, 8, 3, "easy"), None,
        ("run", 40, 8, 3, "easy"), ("run", 100, 20, 4, "long")]


def _log(tmp_path, weeks=5, last=dt.date(2026, 11, 15)):
    first = last - dt.timedelta(days=7 * weeks - 1)  # a Monday
    # one long run the Sunday before, so that no run of the four weeks is a spike on the log's start
    lines = ["date,activity,duration_min,distance_km,rpe,session_type",
             f"{first - dt.timedelta(days=1)},run,100,20,4,long"]
    for i in range(7 * weeks):
        day = first + dt.timedelta(days=i)
        entry = WEEK[day.weekday()]
        lines.append(f"{day},rest,,,," if entry is None else f"{day},{entry[0]},{entry[1]},{entry[2]},{entry[3]},{entry[4]}")
    path = tmp_path / "log.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return read_log(path)


PROFILE = {"athlete_id": "tess", "assessed_on": "2026-11-15", "body_mass_kg": 60.0}


@pytest.fixture
def steady(tmp_path):
    return assess(dict(PROFILE), _log(tmp_path))


def _ranking(causes=(), flags=()):
    return {"format": "heavylegs.ranking/1", "athlete_id": "tess", "assessed_on": "2026-11-15",
            "red_flags": list(flags), "causes": list(causes), "ask_next": []}


def _cause(cause_id, rank, band="likely", score=80):
    return {"id": cause_id, "title": cause_id.replace("_", " "), "rank": rank, "score": score, "band": band,
            "evidence": [], "missing": [], "coverage": 1.0, "advice": [], "see_doctor_if": ""}


def kinds(plan):
    return [d["training"]["kind"] for d in plan["days"]]


def test_steady_log_known_values(steady):
    assert [c["score"] for c in steady.ranking["causes"][:3]] == [0, 0, 0]  # no top cause in play
    plan = build_plan(steady)
    assert plan["format"] == PLAN_FORMAT and plan["athlete_id"] == "tess"
    assert plan["start"] == "2026-11-16" and plan["withheld_for"] == []
    assert plan["load_metric"] == "srpe" and plan["basis"] == "log"
    assert plan["chronic_load"] == 1040.0
    assert plan["lighter"] is False
    assert [(w["target_low"], w["target_high"]) for w in plan["weeks"]] == [(832.0, 1040.0), (915.2, 1144.0)]
    # Monday first: rest after the long run, the log's Wednesday quality kept, Sunday long run
    assert kinds(plan)[:7] == ["rest", "easy", "quality", "rest", "easy", "easy", "long"]
    assert kinds(plan)[7:] == kinds(plan)[:7]
    # week 1 aims at 936: m = 936 / (3·3 + 4·2 + 6) = 40.7 -> 40 min; long 81.4 -> 80 min
    minutes = [d["training"]["minutes"] for d in plan["days"]]
    assert minutes[:7] == [None, 40, 40, None, 40, 40, 80]
    assert minutes[7:] == [None, 45, 45, None, 45, 45, 90]
    assert [w["planned_load"] for w in plan["weeks"]] == [920.0, 1035.0]
    for week in plan["weeks"]:
        assert week["target_low"] <= week["planned_load"] <= week["target_high"]
    long_day = plan["days"][6]
    assert long_day["training"] == {"kind": "long", "minutes": 80, "max_km": 22.0, "load": 320.0}
    # carbohydrate: 4, 6 and 8.5 g/kg of 60 kg; the day before the long run gets the long-run range
    assert [d["carbs_g"] for d in plan["days"][:7]] == [240, 360, 360, 240, 360, 510, 510]
    assert plan["days"][2]["warmup_min"] == 20 and plan["days"][1]["warmup_min"] == 10
    assert plan["days"][0]["warmup_min"] is None
    assert {d["sleep_h"] for d in plan["days"]} == {7}
    assert plan["days"][6]["electrolytes"] is False  # 80 min, not hot
    assert "under 2 %" in plan["days"][6]["fluid"]
    assert plan["causes"] == []


def test_start_option_and_dates(steady):
    plan = build_plan(steady, start="2026-12-02")
    assert plan["start"] == "2026-12-02"
    assert [d["date"] for d in plan["days"]][::13] == ["2026-12-02", "2026-12-15"]
    with pytest.raises(InputError, match="expected a date YYYY-MM-DD"):
        build_plan(steady, start="2026-13-40")


def test_lighter_week_when_overtraining_is_likely(steady):
    ranking = _ranking([_cause("overtraining", 1), _cause("iron_deficiency", 2, "possible", 40),
                        _cause("dehydration", 3, "unlikely", 10)])
    plan = build_plan({"profile": dict(PROFILE), "ranking": ranking, "daily": steady.daily,
                       "weekly": steady.weekly})
    assert plan["lighter"] is True
    assert [(w["target_low"], w["target_high"]) for w in plan["weeks"]] == [(624.0, 832.0), (686.4, 915.2)]
    for w in range(2):
        week = kinds(plan)[7 * w: 7 * w + 7]
        assert week.count("rest") >= 2  # overtraining in the top three
        assert week.count("quality") <= 1
    assert {d["sleep_h"] for d in plan["days"]} == {8}
    # likely and possible causes give their steps; an unlikely one does not
    assert [c["id"] for c in plan["causes"]] == ["overtraining", "iron_deficiency"]
    assert all(c["sources"] for c in plan["causes"])
    first_rest = kinds(plan).index("rest")
    assert any("blood test" in n for n in plan["days"][first_rest]["notes"])
    assert all(any("Morning note" in n for n in d["notes"]) for d in plan["days"])


def test_high_acwr_makes_week_one_lighter(steady):
    weekly = steady.weekly.copy()
    weekly.loc[weekly.index[-1], "acwr"] = 1.31
    plan = build_plan({"profile": dict(PROFILE), "ranking": steady.ranking, "daily": steady.daily, "weekly": weekly})
    assert plan["lighter"] is True and plan["weeks"][0]["target_high"] == 832.0
    assert any("ACWR 1.31" in w for w in plan["why"])


@pytest.mark.parametrize("urgency", ["emergency", "urgent"])
def test_no_training_with_an_emergency_or_urgent_red_flag(steady, urgency):
    flag = {"id": "possible_clot", "urgency": urgency, "title": "A hot, swollen calf",
            "reason": "One calf is swollen.", "action": "Stop running and get medical help today."}
    ranking = _ranking([_cause("overtraining", 1)], [flag])
    plan = build_plan({"profile": dict(PROFILE), "ranking": ranking, "daily": steady.daily, "weekly": steady.weekly})
    assert plan["withheld_for"] == ["possible_clot"]
    assert kinds(plan) == ["rest"] * 14
    assert all(d["training"]["load"] is None and d["carbs_g"] is None and d["sleep_h"] is None
               for d in plan["days"])
    assert plan["days"][0]["notes"] == ["No training. A hot, swollen calf: Stop running and get medical help today."]
    assert plan["causes"] == []  # the plan says what the flag says, and nothing else
    assert [w["target_low"] for w in plan["weeks"]] == [None, None]


def test_a_soon_flag_gives_easy_running_only(steady):
    flag = {"id": "possible_stress_fracture", "urgency": "soon", "title": "Pain at one point on a bone",
            "reason": "r", "action": "Book a doctor within days."}
    profile = dict(PROFILE, strength_sessions_per_week=2)
    plan = build_plan({"profile": profile, "ranking": _ranking([], [flag]), "daily": steady.daily,
                       "weekly": steady.weekly})
    assert plan["withheld_for"] == []
    assert set(kinds(plan)) <= {"rest", "easy"}
    assert max(d["training"]["minutes"] or 0 for d in plan["days"]) <= 60
    assert plan["headline"] == ["Pain at one point on a bone: Book a doctor within days."]
    assert plan["days"][0]["notes"][0] == "Red flag: Pain at one point on a bone: Book a doctor within days."


def test_no_log_works_from_the_answers_on_distance():
    profile = {"athlete_id": "ola", "assessed_on": "2026-11-15", "weekly_distance_km": 40.0,
               "runs_per_week": 4, "long_run_min": 90.0, "body_mass_kg": 70.0}
    plan = build_plan(assess(profile))
    assert plan["basis"] == "answers" and plan["load_metric"] == "distance"
    assert [(w["target_low"], w["target_high"]) for w in plan["weeks"]] == [(32.0, 40.0), (35.2, 44.0)]
    assert plan["long_run_cap_min"] == 99
    week = plan["days"][:7]
    # aim 36 km: three easy runs and a long run twice as long, 36 / 5 = 7.2 km
    assert [d["training"]["load"] for d in week if d["training"]["kind"] == "easy"] == [7.2, 7.2, 7.2]
    long_day = next(d for d in week if d["training"]["kind"] == "long")
    # every run has its minutes, at the assumed easy pace 6:30 min/km: 14.4 km = 93.6 -> 95 min (cap 99)
    assert plan["easy_pace_min_km"] == 6.5
    assert long_day["training"]["max_km"] == 14.4 and long_day["training"]["minutes"] == 95
    assert [d["training"]["minutes"] for d in week if d["training"]["kind"] == "easy"] == [45, 45, 45]
    assert plan["weeks"][0]["planned_load"] == 36.0
    assert any("easy pace of 6:30 min/km (an assumed pace" in line for line in plan["why"])


def test_every_planned_run_has_minutes_and_a_load_with_its_unit_whatever_the_basis(steady):
    from heavylegs.analysis.plan import load_unit, plan_column_labels

    answers = build_plan(assess({"athlete_id": "ola", "assessed_on": "2026-11-15", "weekly_distance_km": 40.0,
                                 "runs_per_week": 4, "threshold_pace_min_km": 4.0}))
    for plan in (build_plan(steady), answers):
        runs = [d["training"] for d in plan["days"] if d["training"]["kind"] in ("easy", "long", "quality")]
        assert runs and all(t["minutes"] and t["load"] for t in runs)
    assert answers["easy_pace_min_km"] == 5.0                               # 1.25 x the threshold pace 4:00
    assert load_unit("srpe") == "AU" and load_unit("duration") == "min" and load_unit("distance", "mi") == "mi"
    assert plan_column_labels("km", "srpe")["load"] == "load [AU]"
    assert plan_column_labels("mi", "distance")["load"] == "load [mi]"
    words = day_texts(next(d for d in answers["days"] if d["training"]["kind"] == "easy"), "km", "distance")
    assert words["training"].startswith("Easy run ") and " min, " in words["training"] and "km" in words["training"]


def test_a_log_that_ended_long_ago_plans_minutes_at_the_logs_own_pace():
    # issue 17: zoe's real runs date from 2017-2021; the plan comes from her answers, timed at her pace
    from pathlib import Path

    from heavylegs.logs.formats import import_sources

    files = sorted((Path(__file__).parents[1] / "data" / "activities").glob("runpandas__*"))
    log = import_sources(files, use_cache=False).log
    profile = {"athlete_id": "zoe", "assessed_on": "2026-12-06", "weekly_distance_km": 30.0, "runs_per_week": 3}
    plan = build_plan(assess(profile, log))
    assert plan["basis"] == "answers"
    runs = log[log["activity"] == "run"]
    pace = runs["duration_min"].sum() / runs["distance_km"].sum()
    assert plan["easy_pace_min_km"] == pytest.approx(pace, rel=0.02)
    assert all(d["training"]["minutes"] for d in plan["days"] if d["training"]["kind"] in ("easy", "long"))


def test_an_edit_implying_an_impossible_pace_is_refused_with_the_reason(steady):
    from heavylegs.analysis.plan import pace_problem

    plan = build_plan(steady)
    rows = plan_rows(plan)
    i = next(n for n, r in enumerate(rows) if r["kind"] == "long")
    rows[i] = dict(rows[i], minutes="35", max_km="16.5")
    with pytest.raises(InputError) as info:
        apply_plan_edits(plan, rows)
    message = str(info.value.problems[0])
    assert f"day {i + 1}" in message and "35 min for 16.5 km is 2:07 min/km, faster than anyone runs" in message
    assert "more minutes or fewer kilometres" in message
    rows[i] = dict(rows[i], minutes="100")
    assert apply_plan_edits(plan, rows)["days"][i]["training"]["minutes"] == 100
    assert pace_problem("strength", 5, 10) is None and pace_problem("easy", 30, None) is None
    assert pace_problem("easy", 25, 10) is None and pace_problem("easy", 24, 10) is not None


def test_an_edit_of_the_minutes_carries_the_load_with_it(steady):
    plan = build_plan(steady)
    rows = plan_rows(plan)
    i = next(n for n, r in enumerate(rows) if r["kind"] == "easy")
    before = plan["days"][i]["training"]
    rows[i] = dict(rows[i], minutes=str(before["minutes"] * 2))
    edited = apply_plan_edits(plan, rows)["days"][i]["training"]
    assert edited["load"] == pytest.approx(before["load"] * 2, abs=0.1)
    rows[i] = dict(rows[i], load="123")                                      # the coach's own load stays
    assert apply_plan_edits(plan, rows)["days"][i]["training"]["load"] == 123.0


@pytest.mark.parametrize("likely", [[], ["overtraining"]])
def test_the_notes_say_what_the_week_targets_are(steady, likely):
    ranking = _ranking([_cause(c, 1) for c in likely])
    plan = build_plan({"profile": steady.profile, "ranking": ranking, "daily": steady.daily,
                       "weekly": steady.weekly})
    notes = " ".join(n for d in plan["days"] for n in d["notes"])
    assert "fortnight" not in notes.lower()
    first, second = plan["days"][0]["notes"][0], plan["days"][7]["notes"][0]
    chronic = plan["chronic_load"]
    for note, week in ((first, plan["weeks"][0]), (second, plan["weeks"][1])):
        assert f"load {week['target_low']:.0f}-{week['target_high']:.0f} AU" in note
        lighter = week["target_high"] < chronic
        assert ("lighter than the usual week" in note) == lighter
    assert "at most 1.1 × week 1's upper target" in second


def test_no_log_and_no_answers_gives_kinds_without_numbers():
    plan = build_plan(assess({"athlete_id": "new", "assessed_on": "2026-11-15"}))
    assert plan["basis"] is None and plan["weeks"][0]["target_low"] is None
    assert sum(k in ("easy", "long", "quality") for k in kinds(plan)[:7]) == 4  # the default 4 runs
    assert all(d["training"]["load"] is None for d in plan["days"])
    assert all(d["carbs_g"] is None for d in plan["days"])  # no body mass, no grams
    assert plan["days"][0]["carbs_g_per_kg"] in ([3, 5], [5, 7], [7, 10])


def test_default_start_without_a_date_is_tomorrow():
    plan = build_plan({"profile": {"athlete_id": "x"}, "ranking": {"red_flags": [], "causes": []}},
                      today=dt.date(2026, 1, 31))
    assert plan["start"] == "2026-02-01"


def test_strength_is_never_within_48h_before_long_or_quality_when_strength_overload_is_top():
    profile = {"athlete_id": "sam", "assessed_on": "2026-11-15", "weekly_distance_km": 30.0, "runs_per_week": 4,
               "strength_sessions_per_week": 4, "hard_sessions_per_week": 1}
    ranking = _ranking([_cause("strength_overload", 1)])
    plan = build_plan({"profile": profile, "ranking": ranking})
    week = kinds(plan)[:7]
    assert 1 <= week.count("strength") <= 2
    for i, kind in enumerate(kinds(plan)):
        if kind == "strength":
            assert not {"long", "quality"} & set(kinds(plan)[i + 1: i + 3]), kinds(plan)


def test_week_layout_rules():
    # five runs and one rest day leave one day for strength: 48 h clear of Sunday's long run
    layout = _week_layout(5, 6, [2], 1, 2, 1, strict_strength=True)
    assert layout == ["rest", "easy", "quality", "strength", "easy", "easy", "long"]
    # no day is 48 h clear of a hard day: strict spacing drops strength, otherwise it is kept
    strict = _week_layout(4, 6, [1, 3], 2, 2, 1, strict_strength=True)
    assert strict.count("strength") == 0 and strict.count("quality") == 2 and strict.count("easy") == 1
    assert _week_layout(4, 6, [1, 3], 2, 2, 1, strict_strength=False).count("strength") == 2
    layout = _week_layout(3, 6, [], 0, 2, 2, strict_strength=True)
    assert layout.count("rest") >= 2 and layout.count("long") == 1
    for d, kind in enumerate(layout):
        if kind == "strength":
            assert layout[(d + 1) % 7] != "long" and layout[(d + 2) % 7] != "long"
    assert _week_layout(7, 6, [], 0, 0, 2, strict_strength=False).count("rest") == 2  # rest beats a 7th run


def test_day_texts_in_miles(steady):
    plan = build_plan(steady)
    words = day_texts(plan["days"][6], "mi", plan["load_metric"])
    assert words["training"] == "Long run 80 min, ≤ 13.7 mi (load 320 AU)"
    assert day_texts(plan["days"][6], "km", "srpe")["training"] == "Long run 80 min, ≤ 22.0 km (load 320 AU)"
    assert words["fuel"] == "Carbohydrate about 510 g (7-10 g/kg)"
    assert words["recovery"] == "Warm up 10 min; cool down 10 min; sleep 7 h"


def test_rows_round_trip_and_edits(steady):
    plan = build_plan(steady)
    rows = plan_rows(plan)
    assert list(rows[0]) == plan_columns() and len(rows) == 14
    assert apply_plan_edits(plan, rows)["days"] == plan["days"]
    rows[1]["minutes"] = "50"
    rows[1]["load"] = "150"
    rows[5]["kind"] = "rest"
    rows[5]["minutes"] = ""
    rows[5]["load"] = None
    rows[6]["notes"] = "Race simulation | gels"
    edited = apply_plan_edits(plan, rows)
    assert edited["edited"] is True and "edited" not in plan
    assert edited["days"][1]["training"]["minutes"] == 50 and edited["days"][1]["training"]["load"] == 150.0
    assert edited["days"][5]["training"] == {"kind": "rest", "minutes": None, "max_km": None, "load": 0.0}
    assert edited["days"][6]["notes"] == ["Race simulation", "gels"]
    assert edited["weeks"][0]["planned_load"] == 920.0 - 120 + 150 - 120
    validate_plan(edited)


def test_edits_in_miles_are_stored_in_km(steady):
    plan = build_plan(steady)
    rows = plan_rows(plan, unit="mi")
    assert rows[6]["max_mi"] == 13.7
    assert apply_plan_edits(plan, rows, unit="mi")["days"] == plan["days"]  # untouched: km kept exactly
    rows[6]["max_mi"] = 10
    assert apply_plan_edits(plan, rows, unit="mi")["days"][6]["training"]["max_km"] == pytest.approx(16.09, abs=0.01)


def test_bad_edits_name_day_and_column(steady):
    plan = build_plan(steady)
    rows = plan_rows(plan)
    rows[2]["minutes"] = "abc"
    rows[3]["kind"] = "jog"
    rows[4]["sleep_h"] = 30
    rows[0]["minutes"] = 30  # on a rest day
    with pytest.raises(InputError) as err:
        apply_plan_edits(plan, rows)
    lines = [str(p) for p in err.value.problems]
    assert "plan table:3: minutes: day 3 (2026-11-18): found 'abc', expected a number from 0 to 1440 [min] or empty" in lines
    assert any(line.startswith("plan table:4: kind: day 4 (2026-11-19): found 'jog', expected one of rest, easy")
               for line in lines)
    assert any(line.startswith("plan table:5: sleep_h: day 5") for line in lines)
    assert any(line.startswith("plan table:1: minutes: day 1 (2026-11-16): found 30 on a rest day") for line in lines)
    with pytest.raises(InputError, match="found 13 rows, expected 14"):
        apply_plan_edits(plan, rows[:13])
    rows = plan_rows(plan)
    rows[0]["date"] = "2026-11-20"
    with pytest.raises(InputError, match="days and dates cannot be edited"):
        apply_plan_edits(plan, rows)


def test_a_withheld_plan_stays_rest(steady):
    flag = {"id": "cardiac_symptoms", "urgency": "emergency", "title": "Chest pain", "reason": "r", "action": "a"}
    plan = build_plan({"profile": dict(PROFILE), "ranking": _ranking([], [flag])})
    rows = plan_rows(plan)
    rows[3]["kind"] = "easy"
    with pytest.raises(InputError, match="training is withheld for the red flag cardiac_symptoms"):
        apply_plan_edits(plan, rows)


def test_validate_plan_refuses_broken_documents(steady):
    plan = build_plan(steady)
    assert validate_plan(plan) is plan
    with pytest.raises(InputError, match="expected 'heavylegs.plan/1'"):
        validate_plan(dict(plan, format="other"))
    with pytest.raises(InputError, match="expected 14"):
        validate_plan(dict(plan, days=plan["days"][:3]))
    broken = dict(plan, days=[dict(d) for d in plan["days"]])
    broken["days"][4] = dict(broken["days"][4], date="2026-01-01")
    with pytest.raises(InputError, match="day 5: found '2026-01-01', expected a day dated 2026-11-20"):
        validate_plan(broken)


def test_load_projection_continues_the_log(steady):
    plan = build_plan(steady)
    projection = plan_load_projection(steady, plan)
    assert list(projection.index.strftime("%Y-%m-%d"))[::13] == ["2026-11-16", "2026-11-29"]
    assert projection["planned"].all()
    assert projection["load"].tolist()[:7] == [0.0, 120.0, 240.0, 0.0, 120.0, 120.0, 320.0]
    # independent check: rolling sums over the log followed by the plan
    series = pd.concat([steady.daily["load_au"], projection["load"]])
    expected = series.rolling(7).sum() / (series.rolling(28).sum() / 4)
    np.testing.assert_allclose(projection["acwr"], expected.iloc[-14:], rtol=1e-12)
    # by hand, day 7: 7 days = 920; 28 days = 3 log weeks (3120) + 920 -> 4040 / 4 = 1010
    assert projection["acwr"].iloc[6] == pytest.approx(920 / 1010)


def test_load_projection_fills_a_gap_before_a_late_start(steady):
    plan = build_plan(steady, start="2026-11-20")
    projection = plan_load_projection(steady, plan)
    assert projection.index[0] == pd.Timestamp("2026-11-16") and len(projection) == 18
    assert projection["planned"].tolist()[:5] == [False, False, False, False, True]
    assert projection["load"].tolist()[:4] == [0.0, 0.0, 0.0, 0.0]


def test_load_projection_without_a_log_has_no_acwr():
    plan = build_plan(assess({"athlete_id": "ola", "assessed_on": "2026-11-15", "weekly_distance_km": 40.0}))
    projection = plan_load_projection({"daily": None}, plan)
    assert len(projection) == 14 and projection["acwr"].isna().all()
    assert projection["load"].sum() == pytest.approx(plan["weeks"][0]["planned_load"] + plan["weeks"][1]["planned_load"])


def test_knowledge_file_is_complete():
    knowledge = load_plan_knowledge()
    ids = {cause.id for cause in load_causes()}
    assert set(knowledge["causes"]) == ids  # every cause of the catalogue has its steps
    for block in knowledge["causes"].values():
        assert block["sources"] and block["steps"]
    assert knowledge["carbs_g_per_kg"] == {"rest": [3, 5], "training": [5, 7], "long": [7, 10]}
    assert set(knowledge["rpe"]) <= set(KINDS)


def test_knowledge_errors_name_the_valid_values(tmp_path):
    raw = yaml.safe_load((load_plan_knowledge.__globals__["_KNOWLEDGE"]).read_text(encoding="utf-8"))
    raw["causes"]["no_such_cause"] = {"steps": [{"when": "someday", "text": "x"}], "sources": ["s"]}
    raw["causes"]["overtraining"]["steps"][0]["when"] = "someday"
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_plan_knowledge(path)
    text = str(err.value)
    assert "found cause 'no_such_cause', expected one of" in text
    assert "found when 'someday', expected one of first_day" in text


@pytest.mark.parametrize("hours, training, long", [
    (None, [5, 7], [7, 10]), (1, [5, 7], [7, 10]), (2, [6, 10], [7, 10]), (4, [8, 12], [8, 12]),
])
def test_training_hours_set_the_carbohydrate_band(tmp_path, hours, training, long):
    """spec/profile.md, Additions 2: about 5-7 g/kg at ~1 h a day, 6-10 at 1-3 h, 8-12 at 4 h or more."""
    from heavylegs.analysis.plan import training_carbs_band

    assert training_carbs_band(hours) == training
    profile = dict(PROFILE) if hours is None else {**PROFILE, "training_hours_per_day": hours}
    plan = build_plan(assess(profile, _log(tmp_path)))
    by_kind = {}
    for i, day in enumerate(plan["days"]):
        nxt = plan["days"][i + 1]["training"]["kind"] if i + 1 < len(plan["days"]) else None
        kind = "long" if "long" in (day["training"]["kind"], nxt) else day["training"]["kind"]
        by_kind.setdefault(kind, set()).add(tuple(day["carbs_g_per_kg"]))
    assert by_kind["easy"] == {tuple(training)} and by_kind["long"] == {tuple(long)}
    assert by_kind["rest"] == {(3, 5)}
    mass = PROFILE["body_mass_kg"]
    easy = next(d for d in plan["days"] if d["training"]["kind"] == "easy")
    assert easy["carbs_g"] == int(round((training[0] + training[1]) / 2 * mass / 10) * 10)


def test_plan_docstring_examples_run():
    import doctest

    import heavylegs.analysis.plan

    result = doctest.testmod(heavylegs.analysis.plan)
    assert result.attempted >= 1 and result.failed == 0
