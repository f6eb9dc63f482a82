"""Reading, checking and writing training logs (spec/training-log.md)."""
import datetime as dt

import numpy as np
import pandas as pd
import pytest

from heavylegs.errors import InputError
from heavylegs.traininglog import (
    DEVICE_COLUMNS,
    LOG_COLUMNS,
    drop_duplicate_sessions,
    empty_log,
    log_to_csv_text,
    read_log,
    validate_log,
    write_log,
)

HEADER = ",".join(c for c in LOG_COLUMNS if c not in DEVICE_COLUMNS)  # written when empty

GOOD = """\
date,activity,duration_min,distance_km,rpe,session_type,avg_hr_bpm,elevation_gain_m,surface,start_time,source,notes
2026-07-15,run,40.5,7.37,7,interval,167,284,trail,2026-07-15T17:30:00+02:00,watch,"5 x 1 km, windy"
2026-07-13,rest,,,,,,,,,,
2026-07-14,run,44.3,7.56,,easy,148,73,mixed,2026-07-14T17:52:00+02:00,watch,
2026-07-14,strength,30,,5,strength,,,,,,gym
"""


def _write(tmp_path, text, name="log.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _problems(tmp_path, text):
    path = _write(tmp_path, text)
    with pytest.raises(InputError) as info:
        read_log(path)
    return info.value.problems


# --- good input -------------------------------------------------------------

def test_reads_a_good_log_with_types_and_date_order(tmp_path):
    log = read_log(_write(tmp_path, GOOD))
    assert list(log.columns) == list(LOG_COLUMNS)
    assert log["date"].dtype.kind == "M"
    assert [d.strftime("%Y-%m-%d") for d in log["date"]] == ["2026-07-13", "2026-07-14", "2026-07-14",
                                                               "2026-07-15"]
    # stable within a day: the run was written before the strength session
    assert log["activity"].tolist() == ["rest", "run", "strength", "run"]
    for column in ("duration_min", "distance_km", "rpe", "avg_hr_bpm", "elevation_gain_m"):
        assert log[column].dtype == np.float64
    assert np.isnan(log.loc[0, "duration_min"])  # rest row without a duration
    assert np.isnan(log.loc[1, "rpe"])           # unknown, not 0
    assert log.loc[3, "notes"] == "5 x 1 km, windy"
    assert log.loc[3, "duration_min"] == pytest.approx(40.5)
    assert pd.isna(log.loc[0, "session_type"])


def test_bom_free_column_order_extras_blank_lines_and_default_activity(tmp_path):
    text = ("\ufeffduration_min,shoe,date\n"
            "\n"
            "30,pegasus,2026-07-02T23:30:00-05:00\n"
            "   \n"
            ",,\n"
            "20.5,,2026-07-01\n")
    log = read_log(_write(tmp_path, text))
    assert list(log.columns) == [*LOG_COLUMNS, "shoe"]
    assert log["activity"].tolist() == ["run", "run"]
    # the local date as written, not converted to UTC (that would be 2026-07-03)
    assert log["date"].tolist() == [pd.Timestamp("2026-07-01"), pd.Timestamp("2026-07-02")]
    assert log["shoe"].tolist()[1] == "pegasus"
    assert pd.isna(log["shoe"].tolist()[0])


def test_enum_values_are_read_in_any_case(tmp_path):
    log = read_log(_write(tmp_path, "date,activity,duration_min,surface\n2026-07-01, Run ,30,TRAIL\n"))
    assert log.loc[0, "activity"] == "run" and log.loc[0, "surface"] == "trail"


def test_header_only_log_is_valid_and_empty(tmp_path):
    log = read_log(_write(tmp_path, HEADER + "\n"))
    assert len(log) == 0
    assert list(log.columns) == list(LOG_COLUMNS)


def test_rest_row_may_leave_duration_empty_but_a_run_may_not(tmp_path):
    log = read_log(_write(tmp_path, "date,activity,duration_min\n2026-07-01,rest,\n"))
    assert len(log) == 1
    (problem,) = _problems(tmp_path, "date,activity,duration_min\n2026-07-01,rest,\n2026-07-02,run,\n")
    assert (problem.line, problem.column, problem.field) == (3, 3, "duration_min")
    assert "empty" in problem.message and "rest" in problem.message


# --- bad input: each asserts line, column and field -------------------------

BAD = [
    # (name, text, line, column, field, words in the message)
    ("bad date", "date,duration_min\n2026-02-30,30\n", 2, 1, "date", ["2026-02-30", "YYYY-MM-DD"]),
    ("date words", "date,duration_min\n2026-07-01,30\nyesterday,30\n", 3, 1, "date", ["yesterday"]),
    ("negative duration", "date,duration_min\n2026-07-01,-5\n", 2, 2, "duration_min", ["-5", "> 0"]),
    ("zero duration run", "date,activity,duration_min\n2026-07-01,run,0\n", 2, 3, "duration_min",
     ["found 0", "> 0"]),
    ("too long", "date,duration_min\n2026-07-01,1441\n", 2, 2, "duration_min", ["1441", "1440"]),
    ("missing duration run", "activity,date,duration_min\nrun,2026-07-01,\n", 2, 3, "duration_min",
     ["empty", "run"]),
    ("unknown activity", "date,activity,duration_min\n2026-07-01,swim,30\n", 2, 2, "activity",
     ["swim", "run, strength, cross, rest"]),
    ("rpe 11", "date,duration_min,rpe\n2026-07-01,30,11\n", 2, 3, "rpe", ["11", "0 to 10"]),
    ("text distance", "date,duration_min,distance_km\n2026-07-01,30,ten\n", 2, 3, "distance_km",
     ["'ten'", "a number"]),
    ("decimal comma", "date,duration_min,distance_km\n2026-07-01,30,\"7,5\"\n", 2, 3, "distance_km", ["7,5"]),
    ("nan text", "date,duration_min,rpe\n2026-07-01,30,NaN\n", 2, 3, "rpe", ["'NaN'"]),
    ("inf text", "date,duration_min,distance_km\n2026-07-01,30,inf\n", 2, 3, "distance_km", ["'inf'"]),
    ("distance over 500", "date,duration_min,distance_km\n2026-07-01,30,501\n", 2, 3, "distance_km", ["501"]),
    ("heart rate", "date,duration_min,avg_hr_bpm\n2026-07-01,30,20\n", 2, 3, "avg_hr_bpm", ["20", "30 to 250"]),
    ("negative climb", "date,duration_min,elevation_gain_m\n2026-07-01,30,-1\n", 2, 3, "elevation_gain_m",
     ["-1"]),
    ("bad surface", "date,duration_min,surface\n2026-07-01,30,sand\n", 2, 3, "surface", ["sand", "trail"]),
    ("bad type", "date,duration_min,session_type\n2026-07-01,30,fartlek\n", 2, 3, "session_type",
     ["fartlek", "tempo"]),
    ("bad start time", "date,duration_min,start_time\n2026-07-01,30,17:30\n", 2, 3, "start_time",
     ["17:30", "ISO 8601"]),
    ("line after blank lines", "date,duration_min\n\n2026-07-01,30\n\n2026-07-02,abc\n", 5, 2,
     "duration_min", ["abc"]),
    ("line after a quoted newline", 'date,duration_min,notes\n2026-07-01,30,"a\nb"\n2026-07-02,x,\n', 4, 2,
     "duration_min", ["'x'"]),
]


@pytest.mark.parametrize("name,text,line,column,field,words", BAD, ids=[b[0] for b in BAD])
def test_bad_cell_is_reported_where_it_is(tmp_path, name, text, line, column, field, words):
    problems = _problems(tmp_path, text)
    assert len(problems) == 1, [str(p) for p in problems]
    problem = problems[0]
    assert (problem.line, problem.column, problem.field) == (line, column, field)
    text_of = str(problem)
    assert text_of.startswith(f"{tmp_path / 'log.csv'}:{line}:{column}: {field}: found")
    assert "expected" in text_of
    for word in words:
        assert word in problem.message


def test_every_problem_of_the_file_is_collected(tmp_path):
    text = ("date,activity,duration_min,rpe\n"
            "2026-07-01,run,30,3\n"
            "2026-13-01,run,30,3\n"
            "2026-07-03,jog,-1,12\n")
    problems = _problems(tmp_path, text)
    assert [(p.line, p.field) for p in problems] == [(3, "date"), (4, "activity"), (4, "duration_min"),
                                                       (4, "rpe")]


def test_missing_required_column_is_named(tmp_path):
    (problem,) = _problems(tmp_path, "date,activity,distance_km\n2026-07-01,run,5\n")
    assert problem.field == "duration_min" and problem.line == 1
    assert "missing" in problem.message
    problems = _problems(tmp_path, "activity\nrun\n")
    assert {p.field for p in problems} == {"date", "duration_min"}


def test_empty_file_is_an_error(tmp_path):
    for text in ("", "\ufeff", "\n\n"):
        (problem,) = _problems(tmp_path, text)
        assert "empty" in problem.message and "header" in problem.message


def test_ragged_row_duplicate_column_and_bad_encoding(tmp_path):
    (problem,) = _problems(tmp_path, "date,duration_min\n2026-07-01,30,5\n")
    assert problem.line == 2 and "3 cells" in problem.message and "2" in problem.message
    (problem,) = _problems(tmp_path, "date,duration_min,date\n2026-07-01,30,2026-07-01\n")
    assert problem.field == "date" and problem.column == 3 and "twice" in problem.message
    path = tmp_path / "latin1.csv"
    path.write_bytes("date,duration_min,notes\n2026-07-01,30,ok\n2026-07-02,30,caf\xe9\n".encode("latin-1"))
    with pytest.raises(InputError) as info:
        read_log(path)
    assert info.value.problems[0].line == 3 and "UTF-8" in str(info.value)


def test_missing_file_is_reported(tmp_path):
    with pytest.raises(InputError, match="cannot be read"):
        read_log(tmp_path / "nope.csv")


# --- in-memory frames -------------------------------------------------------

def test_validate_log_accepts_typed_frames_and_reports_rows_as_lines():
    frame = pd.DataFrame({
        "date": [pd.Timestamp("2026-07-02 18:00", tz="Europe/Berlin"), pd.Timestamp("2026-07-01")],
        "duration_min": [30.0, 45.0],
        "rpe": [3, np.nan],
        "start_time": [pd.Timestamp("2026-07-02T18:00:00+02:00"), None],
    })
    log = validate_log(frame)
    assert log["date"].tolist() == [pd.Timestamp("2026-07-01"), pd.Timestamp("2026-07-02")]
    assert log["activity"].tolist() == ["run", "run"]
    assert log.loc[1, "start_time"] == "2026-07-02T18:00:00+02:00"
    bad = pd.DataFrame({"date": [dt.date(2026, 7, 1), "2026-07-02"], "duration_min": [30.0, np.inf],
                        "activity": ["run", "run"]})
    with pytest.raises(InputError) as info:
        validate_log(bad, "<upload>")
    (problem,) = info.value.problems
    assert (problem.file, problem.line, problem.column, problem.field) == ("<upload>", 3, 2, "duration_min")


def test_validate_log_of_text_cells_matches_read_log(tmp_path):
    from_file = read_log(_write(tmp_path, GOOD))
    text_frame = pd.read_csv(_write(tmp_path, GOOD), dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(validate_log(text_frame), from_file)


def test_validate_log_rejects_what_is_not_a_frame():
    with pytest.raises(InputError, match="DataFrame"):
        validate_log([{"date": "2026-07-01"}])


# --- writing ----------------------------------------------------------------

def test_write_then_read_gives_the_same_log(tmp_path):
    text = "".join(line + ("shoe\n" if i == 0 else "x\n" if i == 1 else "\n")
                   for i, line in enumerate((line + "," for line in GOOD.splitlines())))
    log = read_log(_write(tmp_path, text))
    assert "shoe" in log.columns
    target = tmp_path / "sub" / "out.csv"
    write_log(log, target)
    again = read_log(target)
    pd.testing.assert_frame_equal(again, log)
    written = target.read_text(encoding="utf-8")
    assert written.splitlines()[0] == HEADER + ",shoe"
    assert "2026-07-13,rest,,,,,,,,,,," in written   # unknown is empty, dates YYYY-MM-DD
    assert ",7.37,7,interval," in written             # shortest exact numbers
    assert '"5 x 1 km, windy",x' in written
    assert not list(target.parent.glob(".*.tmp"))


def test_write_log_refuses_a_bad_log_and_writes_nothing(tmp_path):
    target = tmp_path / "out.csv"
    with pytest.raises(InputError):
        write_log(pd.DataFrame({"date": ["2026-07-01"], "duration_min": [-1.0]}), target)
    assert not target.exists()


def test_csv_text_of_an_empty_log_is_the_header():
    assert log_to_csv_text(empty_log()) == HEADER + "\n"


# --- duplicates -------------------------------------------------------------

def test_same_start_minute_and_activity_is_one_session():
    log = pd.DataFrame({
        "date": ["2026-07-01"] * 5,
        "activity": ["run", "run", "strength", "run", "run"],
        "duration_min": [30, 31, 30, 30, 30],
        "start_time": ["2026-07-01T07:00:10+02:00", "2026-07-01T05:00:50Z",  # same instant, same minute
                       "2026-07-01T07:00:10+02:00",                          # other activity
                       None, None],                                          # no start time: kept
    })
    kept, dropped = drop_duplicate_sessions(validate_log(log))
    assert dropped == 1
    assert kept["duration_min"].tolist() == [30, 30, 30, 30]
    assert kept.index.tolist() == [0, 1, 2, 3]
    later, dropped = drop_duplicate_sessions(validate_log(log.assign(
        start_time=["2026-07-01T07:00:10", "2026-07-01T07:01:00", None, None, None])))
    assert dropped == 0 and len(later) == 5


# --- device-load columns (spec/device-load.md) --------------------------------

def test_device_columns_are_read_typed_and_written_back(tmp_path):
    text = ("date,duration_min,max_hr_bpm,hr_histogram,gap_distance_km,relative_effort\n"
            "2026-07-14,30,171,128:30 129:42.5,6.1,37\n"
            "2026-07-15,20,,,,\n")
    log = read_log(_write(tmp_path, text))
    assert list(log.columns) == list(LOG_COLUMNS)
    assert log["max_hr_bpm"].tolist()[0] == 171.0 and np.isnan(log["max_hr_bpm"].iloc[1])
    assert log["hr_histogram"].iloc[0] == "128:30 129:42.5" and pd.isna(log["hr_histogram"].iloc[1])
    assert log["gap_distance_km"].dtype == "float64" and log["relative_effort"].iloc[0] == 37
    written = log_to_csv_text(log)
    assert written.splitlines()[0].endswith(",notes,max_hr_bpm,gap_distance_km,relative_effort,hr_histogram")
    pd.testing.assert_frame_equal(read_log(_write(tmp_path, written, "again.csv")), log)


@pytest.mark.parametrize("column, cell, expected", [
    ("max_hr_bpm", "260", "found 260, expected a number from 30 to 250 [bpm]"),
    ("gap_distance_km", "-1", "found -1, expected a number ≥ 0 [km]"),
    ("relative_effort", "lots", "found 'lots', expected a number ≥ 0"),
    ("hr_histogram", "128-30", "found '128-30', expected space-separated bpm:seconds pairs"),
    ("hr_histogram", "128:30,129:2", "found '128:30,129:2', expected space-separated bpm:seconds"),
    ("hr_histogram", "128:30 12:5", "found heart rate 12 in '12:5', expected whole bpm from 30 to 250"),
])
def test_bad_device_cells_name_line_column_and_expectation(tmp_path, column, cell, expected):
    problems = _problems(tmp_path, f"date,duration_min,{column}\n2026-07-14,30,\"{cell}\"\n")
    assert len(problems) == 1
    problem = problems[0]
    assert (problem.line, problem.column, problem.field) == (2, 3, column)
    assert expected in problem.message
