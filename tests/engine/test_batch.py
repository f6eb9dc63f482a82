"""Batched weekly tables: every cell equals the per-athlete weekly_table, on random logs."""
import numpy as np
import pandas as pd
import pytest

from heavylegs.engine import batch
from heavylegs.engine.batch import BATCH_COLUMNS, long_log, weekly_tables
from heavylegs.errors import InputError
from heavylegs.engine.load import weekly_table
from heavylegs.logs.traininglog import validate_log

TYPES = np.array(["easy", "long", "tempo", "interval", "recovery", "race", None], dtype=object)


def random_log(rng, *, days=None, heart_rate=False):
    """A random log: any start weekday, gaps, rest rows, missing RPE, HR and distance."""
    start = pd.Timestamp("2020-01-01") + pd.Timedelta(days=int(rng.integers(0, 400)))
    days = int(rng.integers(1, 200)) if days is None else days
    count = int(rng.integers(1, days + 5))
    offsets = np.sort(rng.integers(0, days, count))
    activity = rng.choice(["run", "run", "run", "rest", "strength", "cross"], count)
    rest = activity == "rest"
    run = activity == "run"
    duration = np.where(rest, np.nan, rng.uniform(10, 150, count).round(1))
    frame = pd.DataFrame({
        "date": (start + pd.to_timedelta(offsets, unit="D")).strftime("%Y-%m-%d"),
        "activity": activity,
        "duration_min": duration,
        "distance_km": np.where(run & (rng.random(count) < 0.85), rng.uniform(0, 35, count).round(2), np.nan),
        "rpe": np.where(~rest & (rng.random(count) < 0.6), rng.integers(1, 11, count), np.nan),
        "session_type": np.where(run, rng.choice(TYPES, count), None),
    })
    if heart_rate:
        frame["avg_hr_bpm"] = np.where(~rest & (rng.random(count) < 0.7), rng.integers(100, 185, count), np.nan)
        frame["max_hr_bpm"] = np.where(~np.isnan(frame["avg_hr_bpm"]), frame["avg_hr_bpm"] + 10, np.nan)
        hist = [f"{int(rng.integers(90, 190))}:{rng.uniform(5, 900):.1f} {int(rng.integers(90, 190))}:30"
                if r and rng.random() < 0.3 else None for r in ~rest]
        frame["hr_histogram"] = hist
        frame["gap_distance_km"] = np.where(run & (rng.random(count) < 0.3),
                                            frame["distance_km"] * 1.05, np.nan)
    if rng.random() < 0.1:  # a log of rest rows only
        frame["activity"] = "rest"
        frame["duration_min"] = np.nan
    return validate_log(frame)


PROFILES = [
    None,
    {"hr_max_bpm": 195, "hr_rest_bpm": 50, "sex": "female"},
    {"age_years": 40, "sex": "male", "threshold_pace_min_km": 4.5},
    {"hr_max_bpm": 180, "resting_hr_bpm": 55, "lthr_bpm": 165},
    {"hr_max_bpm": 60, "hr_rest_bpm": 60},  # no usable heart-rate reserve
]


def _until(rng, log):
    if len(log) == 0 or rng.random() < 0.4:
        return None
    first, last = log["date"].min(), log["date"].max()
    return (first + pd.Timedelta(days=int(rng.integers(-10, (last - first).days + 40)))).strftime("%Y-%m-%d")


def _check(logs, until, metric, profiles, table=None):
    if table is None:
        table = weekly_tables(logs, until=until, metric=metric, profiles=profiles)
    assert tuple(table.columns) == BATCH_COLUMNS
    assert table.index.equals(pd.RangeIndex(len(table)))
    # The text columns have the dtype pandas gives such objects (str where it infers it).
    ids = np.array([a for a in logs if (table["athlete_id"] == a).any()] or [None], dtype=object)
    assert table["athlete_id"].dtype == pd.DataFrame({"x": ids})["x"].dtype or len(table) == 0
    for athlete, log in logs.items():
        day = until.get(athlete) if isinstance(until, dict) else until
        profile = (profiles or {}).get(athlete)
        expected = weekly_table(log, day, metric=metric, profile=profile)
        got = table[table["athlete_id"] == athlete].drop(columns="athlete_id").reset_index(drop=True)
        if len(expected) == 0:  # an empty table's text column has no rows to infer a string dtype from
            assert len(got) == 0 and list(got.columns) == list(expected.columns)
            continue
        # The batch sums whole weeks and steps the exponential averages a week at a time: the same
        # values to the last few bits (rtol 1e-12, far inside assert_frame_equal's default 1e-5) and
        # exactly the same nulls.
        pd.testing.assert_frame_equal(got, expected.reset_index(drop=True), obj=f"athlete {athlete}",
                                      rtol=1e-12, atol=1e-9)
    assert list(pd.unique(table["athlete_id"])) == [a for a in logs if (table["athlete_id"] == a).any()]


@pytest.mark.parametrize("seed", range(6))
def test_every_cell_equals_the_per_athlete_table(seed):
    rng = np.random.default_rng(seed)
    logs = {f"a{i}": random_log(rng, heart_rate=seed % 2 == 1) for i in range(12)}
    until = {a: _until(rng, log) for a, log in logs.items()}
    profiles = {a: PROFILES[int(rng.integers(0, len(PROFILES)))] for a in logs}
    _check(logs, until, "auto", profiles)


@pytest.mark.parametrize("metric", ["srpe", "trimp", "hrss", "rtss", "stress", "duration", "distance"])
def test_every_metric_equals_the_per_athlete_table(metric):
    rng = np.random.default_rng(100)
    logs = {i: random_log(rng, heart_rate=True) for i in range(6)}
    profiles = {a: PROFILES[1 + a % 3] for a in logs}
    _check(logs, None, metric, profiles)


def test_long_logs_with_calibration_and_paces_from_the_log():
    rng = np.random.default_rng(7)
    logs = {a: random_log(rng, days=800, heart_rate=True) for a in ("x", "y", "z")}
    profiles = {a: PROFILES[1] for a in logs}
    _check(logs, "2022-12-31", "auto", profiles)
    _check(logs, None, "srpe", profiles)


def test_a_shared_until_before_and_after_the_logs():
    rng = np.random.default_rng(3)
    logs = {a: random_log(rng) for a in "abcd"}
    for until in ("2019-06-01", "2021-03-15", "2024-01-01"):
        _check(logs, until, "auto", None)


def test_known_values_of_two_athletes():
    # Athlete 1: 28 days at 50 AU then 7 at 100 AU (spec: acwr 1.60, uncoupled 2.00 on the last day).
    dates = pd.date_range("2026-01-05", periods=35, freq="D").strftime("%Y-%m-%d")
    one = validate_log(pd.DataFrame({"date": dates, "activity": "run",
                                     "duration_min": [50.0] * 28 + [100.0] * 7, "rpe": 1.0}))
    two = validate_log(pd.DataFrame({"date": ["2026-01-07"], "activity": "run", "duration_min": [100.0],
                                     "rpe": [1.0]}))
    table = weekly_tables({"one": one, "two": two})
    last = table[table["athlete_id"] == "one"].iloc[-1]
    assert last["acwr"] == pytest.approx(1.6)
    assert last["acwr_uncoupled"] == pytest.approx(2.0)
    assert (table["athlete_id"] == "one").sum() == 5
    row = table[table["athlete_id"] == "two"].iloc[0]
    assert row["week_start"] == pd.Timestamp("2026-01-05") and row["days"] == 1
    assert row["fitness"] == pytest.approx(2.353, abs=1e-3)
    assert row["fatigue"] == pytest.approx(13.312, abs=1e-3)


def test_a_long_frame_and_empty_inputs():
    rng = np.random.default_rng(11)
    logs = {a: random_log(rng) for a in ("p", "q")}
    long = long_log(logs)
    assert list(pd.unique(long["athlete_id"])) == ["p", "q"]
    pd.testing.assert_frame_equal(weekly_tables(long), weekly_tables(logs))
    empty = weekly_tables({})
    assert tuple(empty.columns) == BATCH_COLUMNS and len(empty) == 0
    assert len(weekly_tables({"p": logs["p"]}, until="1999-01-01")) == 0


def test_bad_inputs_are_named():
    with pytest.raises(InputError, match="athlete_id"):
        weekly_tables(pd.DataFrame({"date": []}))
    with pytest.raises(InputError, match="metric"):
        weekly_tables({}, metric="watts")
    with pytest.raises(InputError, match="until"):
        weekly_tables({"a": random_log(np.random.default_rng(1))}, until="soon")


@pytest.mark.parametrize("chunk", [1, 40, 700])
def test_athletes_in_chunks_give_the_same_tables(monkeypatch, chunk):
    # Chunks of one athlete, of a few athletes and of all: the same cells from logs, a long frame
    # in athlete order and one with the rows shuffled.
    rng = np.random.default_rng(21)
    logs = {f"c{i}": random_log(rng, heart_rate=i % 3 == 0) for i in range(9)}
    logs["none"] = None
    until = {a: _until(rng, log) for a, log in logs.items() if log is not None}
    profiles = {a: PROFILES[int(rng.integers(0, len(PROFILES)))] for a in logs}
    whole = weekly_tables(logs, until=until, profiles=profiles)
    monkeypatch.setattr(batch, "_CHUNK_SESSIONS", chunk)
    present = {a: log for a, log in logs.items() if log is not None}
    pd.testing.assert_frame_equal(weekly_tables(logs, until=until, profiles=profiles), whole)
    long = long_log(present)
    shuffled = long.sample(frac=1.0, random_state=5).reset_index(drop=True)
    for frame in (long, shuffled):
        table = weekly_tables(frame, until=until, profiles=profiles, athletes=list(logs))
        pd.testing.assert_frame_equal(table, whole)
    _check(present, until, "auto", profiles, table=whole)


def test_categorical_enumerations_as_from_parquet():
    # A Parquet dictionary column arrives as a pandas Categorical: the same tables as from text.
    rng = np.random.default_rng(4)
    logs = {a: random_log(rng) for a in ("k", "l", "m")}
    long = long_log(logs)
    coded = long.assign(activity=long["activity"].astype("category"),
                        session_type=long["session_type"].astype("category"))
    pd.testing.assert_frame_equal(weekly_tables(coded), weekly_tables(logs))
    # A category never used changes nothing.
    coded["activity"] = coded["activity"].cat.add_categories(["swim"])
    pd.testing.assert_frame_equal(weekly_tables(coded), weekly_tables(logs))
    # Session types with no value at all: no categories, every code −1 (the RPE of no type, 3).
    blank = coded.assign(session_type=pd.Categorical([None] * len(coded)))
    pd.testing.assert_frame_equal(weekly_tables(blank), weekly_tables(long.assign(session_type=None)))


def test_known_weekly_windows_at_a_sunday_and_mid_week():
    # 35 days from a Monday, 10 AU a day then 40 AU on the last 7: the window sums at the fifth
    # Sunday are whole weeks (acute 280, chronic 280 + 3 × 70) and, with until on a Wednesday of
    # the sixth week, a window that starts mid-week.
    dates = list(pd.date_range("2026-01-05", periods=35, freq="D").strftime("%Y-%m-%d")) + ["2026-02-11"]
    loads = [10.0] * 28 + [40.0] * 7 + [70.0]
    log = validate_log(pd.DataFrame({"date": dates, "activity": "run", "duration_min": loads, "rpe": 1.0}))
    table = weekly_tables({"w": log})
    sunday, wednesday = table.iloc[4], table.iloc[5]
    assert sunday["acwr"] == pytest.approx(280.0 / (490.0 / 4.0), rel=1e-12)
    assert sunday["acwr_uncoupled"] == pytest.approx(280.0 / (210.0 / 3.0), rel=1e-12)
    # Days 11..38 (1-based): 18 days of 10, 7 of 40, 0, 0, 70 = 530; acute, days 32..38: 4 × 40 + 70.
    assert wednesday["days"] == 3
    assert wednesday["acwr"] == pytest.approx(230.0 / (530.0 / 4.0), rel=1e-12)
    assert wednesday["acwr_uncoupled"] == pytest.approx(230.0 / (300.0 / 3.0), rel=1e-12)
    _check({"w": log}, None, "auto", None)


def test_a_negative_load_takes_the_day_by_day_windows():
    # Loads are never negative in a checked log; a log changed after its checks still gets the
    # per-athlete definitions (every window summed day by day).
    rng = np.random.default_rng(9)
    log = random_log(rng, days=120).copy()
    rows = log.index[:3]
    log.loc[rows, "activity"] = "run"
    log.loc[rows, "duration_min"] = 1400.0
    log.loc[rows, "rpe"] = -2.0
    expected = weekly_table(log, metric="srpe")
    assert (expected["load"] < 0).any()
    got = weekly_tables({"n": log}, metric="srpe").drop(columns="athlete_id")
    pd.testing.assert_frame_equal(got, expected, rtol=1e-12, atol=1e-9)
