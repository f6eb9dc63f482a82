"""Training-load metrics (spec/metrics.md): reference cases, hand-checked values, a loop twin."""
import datetime as dt
import json
import math
import statistics

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from heavylegs.vocabulary import FIELDS, LOG_FIELDS
from heavylegs.engine.load import (
    DEFAULT_RPE,
    WEEKLY_COLUMNS,
    daily_load,
    fitness_fatigue,
    log_facts,
    session_load,
    weekly_display,
    weekly_records,
    weekly_table,
)
from heavylegs.errors import InputError
from heavylegs.logs.traininglog import validate_log

MONDAY = dt.date(2026, 1, 5)


def _day(offset, start=MONDAY):
    return (start + dt.timedelta(days=offset)).isoformat()


def daily_log(loads, start=MONDAY):
    """One run a day with RPE 1, so the day's load is its duration; 0 = a rest day."""
    rows = []
    for i, load in enumerate(loads):
        if load > 0:
            rows.append({"date": _day(i, start), "activity": "run", "duration_min": float(load), "rpe": 1.0})
        else:
            rows.append({"date": _day(i, start), "activity": "rest", "duration_min": None, "rpe": None})
    return validate_log(pd.DataFrame(rows))


def runs(*items, start=MONDAY):
    """A log of runs: (day offset, distance km[, duration min, rpe])."""
    rows = []
    for item in items:
        offset, distance, *more = item
        duration = more[0] if more else 30.0
        rpe = more[1] if len(more) > 1 else 3.0
        rows.append({"date": _day(offset, start), "activity": "run", "duration_min": duration,
                     "distance_km": distance, "rpe": rpe})
    return validate_log(pd.DataFrame(rows))


# --- the spec's reference cases ----------------------------------------------

def test_reference_monotony_and_strain():
    week = weekly_table(daily_log([0, 80, 40, 0, 90, 60, 80])).iloc[0]
    assert week["days"] == 7 and week["load_au"] == pytest.approx(350)
    assert week["monotony"] == pytest.approx(1.3207, abs=5e-5)
    assert week["strain"] == pytest.approx(462.2, abs=0.05)
    assert week["rest_days"] == 2


def test_reference_acwr_after_a_load_rise():
    table = weekly_table(daily_log([50] * 28 + [100] * 7))
    last = table.iloc[-1]
    assert last["acwr"] == pytest.approx(1.60, abs=1e-12)
    assert last["acwr_uncoupled"] == pytest.approx(2.00, abs=1e-12)
    # anchors §5 row 17: EWMA λ = 2/(N+1), both averages seeded with the first day's load
    assert last["acwr_ewma"] == pytest.approx(1.339, abs=5e-4)
    # the week before the rise has exactly 28 days and a flat load
    assert table.iloc[-2][["acwr", "acwr_uncoupled"]].tolist() == [1.0, 1.0]
    # the EWMA is its closed form (heavylegs.metrics.averages), equal to the recursion to rounding
    assert table.iloc[-2]["acwr_ewma"] == pytest.approx(1.0, rel=1e-14)
    assert table.iloc[:3][["acwr", "acwr_uncoupled", "acwr_ewma"]].isna().all().all()


def test_reference_fitness_fatigue_of_one_day():
    week = weekly_table(daily_log([100])).iloc[0]
    assert week["fitness"] == pytest.approx(2.353, abs=5e-4)
    assert week["fatigue"] == pytest.approx(13.312, abs=5e-4)
    assert week["form"] == pytest.approx(2.353 - 13.312, abs=1e-3)


# --- anchors §5 rows 13-17 under our conventions (ddof 1) --------------------

@pytest.mark.parametrize("loads,monotony,strain", [
    ([0, 20, 10, 10, 10, 10, 10], 1.7321, 70 * 1.7321),                                 # row 14
    ([5, 15, 20, 20, 20, 25, 35], 2.366 * math.sqrt(6 / 7), 140 * 2.366 * math.sqrt(6 / 7)),  # row 15
    ([0, 60, 0, 60, 0, 60, 0], 0.8018, 180 * 0.8018),                                   # row 16
    ([0, 0, 140, 0, 0, 140, 0], 280 / 7 / math.sqrt(28000 / 6), 163.95),                # row 16
])
def test_anchor_monotony_with_sample_deviation(loads, monotony, strain):
    week = weekly_table(daily_log(loads)).iloc[0]
    assert week["monotony"] == pytest.approx(monotony, rel=2e-4)
    assert week["strain"] == pytest.approx(strain, rel=2e-4)


def test_flat_week_has_no_monotony():
    week = weekly_table(daily_log([40] * 7)).iloc[0]  # anchors row 16: SD 0
    assert np.isnan(week["monotony"]) and np.isnan(week["strain"])
    # not even when the equal loads are inexact binary fractions
    log = validate_log(pd.DataFrame({"date": [_day(i) for i in range(7)], "duration_min": [44.3] * 7,
                                     "rpe": [3.0] * 7}))
    assert np.isnan(weekly_table(log).iloc[0]["monotony"])


def test_anchor_fitness_after_six_weeks_of_constant_load():
    fit = fitness_fatigue(daily_load(daily_log([100] * 42)))
    assert fit["fitness"].iloc[-1] == pytest.approx(63.21, abs=5e-3)   # row 2, α = 1 − e^(−1/42)
    assert fit["fatigue"].iloc[-1] == pytest.approx(99.8, abs=0.05)
    assert_allclose(fit["form"], fit["fitness"] - fit["fatigue"])


# --- hand-checked values ------------------------------------------------------

def test_session_load_and_estimated_rpe():
    log = validate_log(pd.DataFrame({
        "date": ["2026-01-05"] * 5,
        "activity": ["run", "run", "strength", "rest", "cross"],
        "duration_min": [60.0, 45.0, 30.0, None, 20.0],
        "rpe": [6.0, None, None, None, None],
        "session_type": [None, "interval", None, None, None],
    }))
    out = session_load(log)
    assert out["load_au"].tolist() == [360.0, 45 * DEFAULT_RPE["interval"], 90.0, 0.0, 60.0]
    assert out["rpe_estimated"].tolist() == [False, True, True, False, True]
    week = weekly_table(log).iloc[0]
    assert week["sessions_rpe_estimated"] == 3 and week["strength_sessions"] == 1
    assert week["duration_min"] == pytest.approx(155.0) and week["runs"] == 2
    assert week["rest_days"] == 0  # a day with sessions is no rest day, even with a rest row


def test_rest_days_count_empty_days_and_rest_rows():
    log = validate_log(pd.DataFrame({
        "date": [_day(0), _day(1), _day(3), _day(6)],
        "activity": ["run", "rest", "strength", "run"],
        "duration_min": [30.0, None, 30.0, 30.0],
    }))
    daily = daily_load(log)
    assert daily["rest_day"].tolist() == [False, True, True, False, True, True, False]
    assert daily.index[0] == pd.Timestamp(MONDAY) and daily.index.name == "date"
    assert weekly_table(log).iloc[0]["rest_days"] == 4


def test_distance_change_between_weeks():
    log = runs((0, 10.0), (2, 10.0), (7, 25.0), (21, 5.0))
    table = weekly_table(log)
    assert table["distance_km"].tolist() == [20.0, 25.0, 0.0, 5.0]
    change = table["distance_change_pct"].tolist()
    assert np.isnan(change[0])                 # first week
    assert change[1] == pytest.approx(25.0)
    assert change[2] == pytest.approx(-100.0)
    assert np.isnan(change[3])                 # after a week of 0 km
    assert table["longest_run_km"].tolist() == [10.0, 25.0, 0.0, 5.0]


def test_long_run_spike_against_the_30_days_before():
    table = weekly_table(runs((0, 10.0), (3, 8.0), (9, 12.0), (9, 13.0), (10, 11.0)))
    # week 1: the first run has nothing before it; the 8 km is 20 % below the 10 km
    assert table["long_run_spike_pct"].iloc[0] == pytest.approx(-20.0)
    # week 2: 13 km against 10 km (not against the 12 km of the same day) = +30 %
    assert table["long_run_spike_pct"].iloc[1] == pytest.approx(30.0)


def test_long_run_spike_window_is_the_30_days_before_the_run():
    inside = weekly_table(runs((0, 10.0), (30, 12.0)))        # 30 days before: counts
    assert inside["long_run_spike_pct"].iloc[-1] == pytest.approx(20.0)
    outside = weekly_table(runs((0, 10.0), (31, 12.0)))       # 31 days before: does not
    assert np.isnan(outside["long_run_spike_pct"].iloc[-1])
    alone = weekly_table(runs((0, 10.0)))
    assert np.isnan(alone["long_run_spike_pct"].iloc[0])


def test_long_run_spike_ignores_unknown_distances_and_zero_references():
    table = weekly_table(runs((0, np.nan), (1, 0.0), (2, 5.0)))
    assert np.isnan(table["long_run_spike_pct"].iloc[0])  # only a 0 km run before: no ratio


def test_log_starting_mid_week():
    log = runs((2, 10.0), (5, 12.0))  # a Wednesday and a Saturday
    table = weekly_table(log)
    assert len(table) == 1
    assert table["week_start"].iloc[0] == pd.Timestamp(MONDAY)
    assert table["days"].iloc[0] == 4          # Wednesday .. Saturday
    assert table["rest_days"].iloc[0] == 2
    assert np.isnan(table["monotony"].iloc[0])  # not a whole week


def test_until_cuts_extends_and_empties_the_series():
    log = runs((0, 10.0), (3, 10.0), (9, 20.0))
    cut = weekly_table(log, until=_day(4))
    assert len(cut) == 1 and cut["days"].iloc[0] == 5 and cut["distance_km"].iloc[0] == 20.0
    longer = weekly_table(log, until=dt.date(2026, 1, 21))     # a Wednesday two weeks on
    assert longer["days"].tolist() == [7, 7, 3]
    assert longer["rest_days"].tolist() == [5, 6, 3]
    # fitness decays over the rest days after the last session
    assert longer["fitness"].iloc[2] < longer["fitness"].iloc[1]
    assert len(weekly_table(log, until="2025-12-31")) == 0
    assert len(daily_load(log, until=pd.Timestamp("2026-01-06 18:00"))) == 2
    with pytest.raises(InputError, match="until"):
        weekly_table(log, until="next week")


def test_acwr_is_null_when_the_denominator_is_0():
    only_rest = weekly_table(daily_log([0] * 35))
    assert only_rest[["acwr", "acwr_uncoupled", "acwr_ewma"]].isna().all().all()
    table = weekly_table(daily_log([10] + [0] * 34))
    assert np.isnan(table["acwr"].iloc[-1]) and np.isnan(table["acwr_uncoupled"].iloc[-1])
    assert table["acwr_ewma"].iloc[-1] == pytest.approx(
        (1 - 2 / 8) ** 34 / (1 - 2 / 29) ** 34)  # EWMAs decay from the seed and never reach 0


def test_uncoupled_ratio_needs_load_in_the_three_weeks_before():
    table = weekly_table(daily_log([0] * 21 + [10] * 7))
    assert table["acwr"].iloc[-1] == pytest.approx(4.0)   # the coupled ceiling
    assert np.isnan(table["acwr_uncoupled"].iloc[-1])


def test_empty_log_gives_empty_results():
    empty = validate_log(pd.DataFrame({"date": [], "duration_min": []}))
    table = weekly_table(empty)
    assert list(table.columns) == list(WEEKLY_COLUMNS) and len(table) == 0
    assert len(daily_load(empty)) == 0
    assert weekly_records(table) == []
    assert log_facts(empty) == {"values": {}, "weeks": {}, "fill": {}}
    assert len(fitness_fatigue(daily_load(empty))) == 0


def test_table_columns_and_types():
    table = weekly_table(runs((0, 10.0), (8, 11.0)))
    assert list(table.columns) == list(WEEKLY_COLUMNS)
    assert table["week_start"].dtype.kind == "M"
    for column in ("days", "runs", "sessions_rpe_estimated", "strength_sessions", "rest_days"):
        assert table[column].dtype == np.int64
    assert table["acwr"].dtype == np.float64


def test_weekly_table_accepts_an_unchecked_frame():
    raw = pd.DataFrame({"date": ["2026-01-05", "2026-01-06"], "duration_min": ["30", "40"], "rpe": [2, 3]})
    assert weekly_table(raw)["load_au"].iloc[0] == pytest.approx(180.0)
    with pytest.raises(InputError):
        weekly_table(pd.DataFrame({"date": ["2026-01-05"], "duration_min": [-3]}))


def test_fitness_fatigue_of_a_series():
    index = pd.date_range("2026-01-05", periods=3, name="date")
    fit = fitness_fatigue(pd.Series([100.0, 0.0, 0.0], index=index))
    alpha = 1 - math.exp(-1 / 42)
    assert_allclose(fit["fitness"], [100 * alpha, 100 * alpha * (1 - alpha), 100 * alpha * (1 - alpha) ** 2])
    assert (fit.index == index).all()


# --- records and display ------------------------------------------------------

def test_records_are_json_ready_and_unrounded():
    table = weekly_table(daily_log([0, 80, 40, 0, 90, 60, 80]))
    (record,) = weekly_records(table)
    assert list(record) == list(WEEKLY_COLUMNS)
    assert record["week_start"] == "2026-01-05"
    assert isinstance(record["days"], int) and record["acwr"] is None
    assert record["monotony"] == table["monotony"].iloc[0]   # full precision
    json.dumps(record, allow_nan=False)


def test_display_rounds_for_people():
    shown = weekly_display(weekly_table(daily_log([0, 80, 40, 0, 90, 60, 80])))
    assert shown["week_start"].iloc[0] == "2026-01-05"
    assert shown["monotony"].iloc[0] == 1.32 and shown["strain"].iloc[0] == 462.0
    assert np.isnan(shown["acwr"].iloc[0])


# --- log facts ---------------------------------------------------------------

def test_log_facts_values_weeks_and_fill():
    rows = []
    for week in range(6):
        base = 7 * week
        rows += [
            {"date": _day(base), "activity": "run", "duration_min": 40.0, "distance_km": 8.0, "rpe": 3.0,
             "session_type": "easy", "surface": "road"},
            {"date": _day(base + 2), "activity": "run", "duration_min": 45.0, "distance_km": 9.0, "rpe": 7.0,
             "session_type": "interval", "surface": "trail"},
            {"date": _day(base + 3), "activity": "strength", "duration_min": 30.0, "rpe": 5.0},
            {"date": _day(base + 5), "activity": "run", "duration_min": 90.0 if week < 5 else 120.0,
             "distance_km": 15.0 if week < 5 else 21.0, "rpe": 4.0, "session_type": "long"},
        ]
    log = validate_log(pd.DataFrame(rows))
    facts = log_facts(log, until=_day(41))  # six whole weeks
    values, weeks, fill = facts["values"], facts["weeks"], facts["fill"]
    assert set(values) <= set(LOG_FIELDS)
    table = weekly_table(log, until=_day(41))
    assert values["log_acwr"] == pytest.approx(table["acwr"].iloc[-4:].max())
    assert values["log_long_run_spike_pct"] == pytest.approx(40.0)          # 21 km after 15 km
    assert weeks["log_long_run_spike_pct"] == _day(35)
    assert values["log_distance_change_pct"] == pytest.approx(6 / 32 * 100)  # 38 km after 32 km
    assert values["log_rest_days_14d"] == 6                                  # Tue, Fri, Sun of 2 weeks
    assert values["log_strength_sessions_per_week"] == pytest.approx(1.0)
    assert values["log_trail_fraction"] == pytest.approx(36 / (4 * 8 + 36))  # the long runs have no surface
    assert fill["weekly_distance_km"] == pytest.approx(38.0)
    assert fill["weekly_distance_prev_km"] == pytest.approx(32.0)
    assert fill["long_run_min"] == pytest.approx(120.0)
    assert fill["runs_per_week"] == 3 and fill["hard_sessions_per_week"] == 1
    assert fill["rest_days_per_week"] == 3 and fill["strength_sessions_per_week"] == 1
    assert fill["trail_fraction"] == values["log_trail_fraction"]
    for name, value in fill.items():
        assert isinstance(value, int if FIELDS[name].kind == "int" else float), name
    json.dumps(facts, allow_nan=False)


def test_log_facts_leave_out_what_the_log_cannot_say():
    facts = log_facts(runs((0, 10.0), (2, 8.0)))  # three days, no surface
    values = facts["values"]
    assert "log_acwr" not in values and "log_monotony" not in values
    assert "log_rest_days_14d" not in values and "log_trail_fraction" not in values
    assert "log_distance_change_pct" not in values
    assert values["log_long_run_spike_pct"] == pytest.approx(-20.0)
    assert facts["fill"] == {}


def test_log_facts_scale_a_part_week_and_a_short_window():
    # strength on Monday of three weeks, until the Monday of the fourth
    log = validate_log(pd.DataFrame({"date": [_day(0), _day(7), _day(14), _day(21)],
                                     "activity": ["strength"] * 4, "duration_min": [30.0] * 4}))
    facts = log_facts(log)
    assert facts["values"]["log_strength_sessions_per_week"] == pytest.approx(4 / (22 / 7))
    assert facts["fill"]["strength_sessions_per_week"] == 1          # 4 in 22 days
    assert facts["fill"]["weekly_distance_prev_km"] == 0.0            # 15 days of the 28 exist



def test_log_facts_window_is_the_last_28_days_whatever_the_weekday():
    # a 10 km run every Wednesday for 8 weeks, but 20 km in week 3 (day 23)
    log = runs(*[(7 * w + 2, 20.0 if w == 3 else 10.0) for w in range(8)])
    # assessed on the Friday of week 7: days 24-51 reach back into week 3, so its jump counts
    friday = log_facts(log, until=_day(51))
    assert friday["values"]["log_distance_change_pct"] == pytest.approx(100.0)
    assert friday["weeks"]["log_distance_change_pct"] == _day(21)
    assert friday["values"]["log_long_run_spike_pct"] == pytest.approx(100.0)
    # assessed on the Sunday of week 7: days 28-55 are weeks 4-7 only
    sunday = log_facts(log, until=_day(55))
    assert sunday["values"]["log_distance_change_pct"] == pytest.approx(0.0)
    assert sunday["values"]["log_long_run_spike_pct"] == pytest.approx(-50.0)  # 10 km, 20 km within 30 days
    # strength per week counts the sessions of the last 28 days, not of the table's rows
    strength = validate_log(pd.DataFrame({"date": [_day(d) for d in range(0, 57, 7)],
                                          "activity": ["strength"] * 9, "duration_min": [30.0] * 9}))
    facts = log_facts(strength, until=_day(56))  # Mondays 35, 42, 49 and 56 are in days 29-56
    assert facts["values"]["log_strength_sessions_per_week"] == pytest.approx(1.0)

# --- a plain loop twin of the spec, compared on random logs ---------------------

def _loop_weekly(rows, until):
    """The weekly table computed day by day with plain Python, straight from the spec text."""
    if not rows:
        return []
    first = min(r["date"] for r in rows)
    last = until if until is not None else max(r["date"] for r in rows)
    if last < first:
        return []
    days = [first + dt.timedelta(days=k) for k in range((last - first).days + 1)]
    rows = [r for r in rows if r["date"] <= last]
    load = {d: 0.0 for d in days}
    sessions = {d: 0 for d in days}
    for r in rows:
        if r["activity"] == "rest":
            continue
        rpe = r["rpe"] if r["rpe"] is not None else DEFAULT_RPE.get(r["session_type"], 3.0)
        load[r["date"]] += rpe * r["duration_min"]
        sessions[r["date"]] += 1
    loads = [load[d] for d in days]
    fitness, fatigue, fit, fat = [], [], 0.0, 0.0
    acute, chronic = [], []
    for i, value in enumerate(loads):
        fit += (1 - math.exp(-1 / 42)) * (value - fit)
        fat += (1 - math.exp(-1 / 7)) * (value - fat)
        fitness.append(fit)
        fatigue.append(fat)
        a = value if i == 0 else 2 / 8 * value + (1 - 2 / 8) * acute[-1]
        c = value if i == 0 else 2 / 29 * value + (1 - 2 / 29) * chronic[-1]
        acute.append(a)
        chronic.append(c)
    weeks = {}
    for d in days:
        weeks.setdefault(d - dt.timedelta(days=d.weekday()), []).append(d)
    table, previous = [], None
    for monday, wdays in weeks.items():
        end = days.index(wdays[-1])
        wruns = [r for r in rows if r["activity"] == "run" and r["date"] in wdays]
        distance = sum(r["distance_km"] for r in wruns if r["distance_km"] is not None)
        spikes = []
        for r in wruns:
            if r["distance_km"] is None:
                continue
            before = [o["distance_km"] for o in rows if o["activity"] == "run" and o["distance_km"] is not None
                      and r["date"] - dt.timedelta(days=30) <= o["date"] < r["date"]]
            if before and max(before) > 0:
                spikes.append((r["distance_km"] / max(before) - 1) * 100)
        week_loads = [load[d] for d in wdays]
        monotony = None
        if len(wdays) == 7 and statistics.stdev(week_loads) > 0:
            monotony = statistics.mean(week_loads) / statistics.stdev(week_loads)
        acwr = unc = ewma = None
        if end + 1 >= 28:
            s7 = sum(loads[end - 6:end + 1])
            s28 = sum(loads[end - 27:end + 1])
            s21 = sum(loads[end - 27:end - 6])
            acwr = s7 / (s28 / 4) if s28 > 0 else None
            unc = s7 / (s21 / 3) if s21 > 0 else None
            ewma = acute[end] / chronic[end] if chronic[end] > 0 else None
        known = [r["distance_km"] for r in wruns if r["distance_km"] is not None]
        table.append({
            "week_start": pd.Timestamp(monday), "days": len(wdays), "runs": len(wruns),
            "distance_km": distance,
            "duration_min": sum(r["duration_min"] for r in rows if r["date"] in wdays and r["activity"] != "rest"),
            "load_au": sum(week_loads),
            "sessions_rpe_estimated": sum(1 for r in rows if r["date"] in wdays and r["activity"] != "rest"
                                          and r["rpe"] is None),
            "strength_sessions": sum(1 for r in rows if r["date"] in wdays and r["activity"] == "strength"),
            "rest_days": sum(1 for d in wdays if sessions[d] == 0),
            "longest_run_km": max(known) if known else 0.0,
            "distance_change_pct": None if not previous else (distance - previous) / previous * 100,
            "long_run_spike_pct": max(spikes) if spikes else None,
            "acwr": acwr, "acwr_uncoupled": unc, "acwr_ewma": ewma,
            "monotony": monotony, "strain": None if monotony is None else sum(week_loads) * monotony,
            "fitness": fitness[end], "fatigue": fatigue[end], "form": fitness[end] - fatigue[end],
        })
        previous = distance
    return table


_session = st.fixed_dictionaries({
    "offset": st.integers(0, 69),
    "activity": st.sampled_from(["run", "run", "run", "strength", "cross", "rest"]),
    "duration_min": st.integers(1, 400).map(lambda x: x / 2),
    "distance_km": st.one_of(st.none(), st.integers(0, 80).map(lambda x: x / 4)),
    "rpe": st.one_of(st.none(), st.integers(0, 10).map(float)),
    "session_type": st.one_of(st.none(), st.sampled_from(sorted(DEFAULT_RPE))),
})


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sessions=st.lists(_session, max_size=40), start_weekday=st.integers(0, 6),
       until_offset=st.one_of(st.none(), st.integers(-3, 90)))
def test_weekly_table_matches_a_plain_loop(sessions, start_weekday, until_offset):
    start = MONDAY + dt.timedelta(days=start_weekday)
    rows = [{"date": start + dt.timedelta(days=s["offset"]), "activity": s["activity"],
             "duration_min": None if s["activity"] == "rest" else s["duration_min"],
             "distance_km": s["distance_km"], "rpe": s["rpe"], "session_type": s["session_type"]}
            for s in sessions]
    until = None if until_offset is None else start + dt.timedelta(days=until_offset)
    frame = pd.DataFrame({
        "date": [r["date"].isoformat() for r in rows],
        "activity": [r["activity"] for r in rows],
        "duration_min": [np.nan if r["duration_min"] is None else r["duration_min"] for r in rows],
        "distance_km": [np.nan if r["distance_km"] is None else r["distance_km"] for r in rows],
        "rpe": [np.nan if r["rpe"] is None else r["rpe"] for r in rows],
        "session_type": [r["session_type"] for r in rows],
    })
    table = weekly_table(validate_log(frame), until=until, metric="srpe")
    expected = _loop_weekly(rows, until)
    assert len(table) == len(expected)
    assert_allclose(table["load"].to_numpy(dtype=float), table["load_au"].to_numpy(dtype=float))
    for column in WEEKLY_COLUMNS[:WEEKLY_COLUMNS.index("trimp")]:  # the columns of metrics.md
        got = table[column].tolist()
        want = [row[column] for row in expected]
        if column == "week_start":
            assert got == want
            continue
        want = np.array([np.nan if v is None else v for v in want], dtype=float)
        assert_allclose(np.array(got, dtype=float), want, rtol=1e-9, atol=1e-9, equal_nan=True,
                        err_msg=column)


# --- the weekly table on a chosen load metric (spec/device-load.md) ---------

HR_PROFILE = {"sex": "male", "hr_max_bpm": 200, "hr_rest_bpm": 40, "lthr_bpm": 172, "threshold_pace_min_km": 4.0}


def _device_week():
    """Monday to Sunday: HR runs, a paced run without HR, a rest row, strength without RPE."""
    return validate_log(pd.DataFrame([
        {"date": _day(0), "duration_min": 30, "hr_histogram": "130:1800"},
        {"date": _day(1), "duration_min": 30, "avg_hr_bpm": 130},
        {"date": _day(2), "duration_min": 50, "distance_km": 10},
        {"date": _day(3), "activity": "rest"},
        {"date": _day(4), "activity": "strength", "duration_min": 40},
        {"date": _day(6), "duration_min": 60, "hr_histogram": "172:3600", "rpe": 6},
    ]))


def test_weekly_sums_of_every_metric_and_the_chosen_one():
    table = weekly_table(_device_week(), metric="stress", profile=HR_PROFILE)
    week = table.iloc[0]
    trimp_30 = 30 * 0.5625 * 0.64 * math.exp(1.92 * 0.5625)
    hrss_30 = 100 * trimp_30 / (60 * 0.825 * 0.64 * math.exp(1.92 * 0.825))
    assert week["trimp"] == pytest.approx(2 * trimp_30 + 60 * 0.825 * 0.64 * math.exp(1.92 * 0.825))
    assert week["hrss"] == pytest.approx(2 * hrss_30 + 100)
    assert week["rtss"] == pytest.approx(100 * (50 / 60) * 0.64)   # the only run with a distance
    assert week["stress"] == pytest.approx(2 * hrss_30 + 100 + 100 * (50 / 60) * 0.64)
    assert week["load_metric"] == "stress" and week["load"] == pytest.approx(week["stress"])
    assert week["sessions_load_estimated"] == 1           # the strength session has no stress
    assert week["load_au"] == pytest.approx(3 * 30 + 3 * 30 + 3 * 50 + 3 * 40 + 6 * 60)
    assert week["strain"] == pytest.approx(week["load"] * week["monotony"])
    daily = np.array([hrss_30, hrss_30, 100 * (50 / 60) * 0.64, 0, 0, 0, 100])
    assert week["monotony"] == pytest.approx(daily.mean() / daily.std(ddof=1))


def test_metric_duration_distance_and_nulls():
    log = _device_week()
    by_duration = weekly_table(log, metric="duration").iloc[0]
    assert by_duration["load"] == 210 and by_duration["load_metric"] == "duration"
    by_distance = weekly_table(log, metric="distance").iloc[0]
    assert by_distance["load"] == 10 and by_distance["sessions_load_estimated"] == 3  # runs without a distance
    no_hr = weekly_table(log, metric="trimp").iloc[0]       # no maximum heart rate: no TRIMP
    assert no_hr["trimp"] == 0                                 # only the rest row's 0
    assert no_hr["load"] == 0 and no_hr["sessions_load_estimated"] == 5
    assert np.isnan(no_hr["acwr"]) and np.isnan(no_hr["monotony"])
    with pytest.raises(InputError, match="metric: found 'tss', expected one of auto"):
        weekly_table(log, metric="tss")


def test_auto_keeps_srpe_for_a_rated_log_and_the_reference_cases():
    # The reference cases of metrics.md are rated logs: auto is srpe and nothing moves.
    table = weekly_table(daily_log([50] * 28 + [100] * 7))
    assert set(table["load_metric"]) == {"srpe"}
    assert_allclose(table["load"], table["load_au"])
    assert table["acwr"].iloc[-1] == pytest.approx(1.6)


def test_srpe_calibrated_from_heart_rate_enters_load_au():
    rows = [{"date": _day(i), "duration_min": 60, "hr_histogram": "172:3600", "rpe": 5} for i in range(8)]
    rows.append({"date": _day(8), "duration_min": 30, "hr_histogram": "172:1800"})
    log = validate_log(pd.DataFrame(rows))
    # k = 300/100 = 3 AU per HRSS point; 30 min at threshold = 50 HRSS -> 150 AU,
    # in the week of day 7 (a rated 300 AU) and day 8.
    with_hr = weekly_table(log, metric="srpe", profile=HR_PROFILE)
    assert with_hr["load_au"].iloc[-1] == pytest.approx(300 + 150)
    assert with_hr["sessions_load_estimated"].iloc[-1] == 1 and with_hr["sessions_rpe_estimated"].iloc[-1] == 1
    assert weekly_table(log, metric="srpe")["load_au"].iloc[-1] == 300 + 90   # without thresholds: by type


def test_records_carry_the_metric_as_text():
    record = weekly_records(weekly_table(_device_week(), profile=HR_PROFILE))[0]
    assert record["load_metric"] == "stress" and isinstance(record["sessions_load_estimated"], int)
    assert json.loads(json.dumps(record)) == record


def test_log_facts_ratios_follow_the_metric():
    log = _device_week()
    by_stress = log_facts(log, metric="stress", profile=HR_PROFILE)["values"]["log_monotony"]
    by_srpe = log_facts(log, metric="srpe", profile=HR_PROFILE)["values"]["log_monotony"]
    assert by_stress == pytest.approx(weekly_table(log, metric="stress", profile=HR_PROFILE)["monotony"].iloc[0])
    assert by_stress != pytest.approx(by_srpe)
