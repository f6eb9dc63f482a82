"""Reading, checking and writing training logs (spec/training-log.md)."""
import datetime as dt

import numpy as np
import pandas as pd
import pytest

from heavylegs.errors import InputError
from heavylegs.logs.traininglog import (
    ACTIVITIES,
    DEVICE_COLUMNS,
    LOG_COLUMNS,
    SESSION_TYPES,
    SURFACES,
    drop_duplicate_sessions,
    merge_logs,
    session_keys,
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
        "date": ["2026-07-01"] * 6,
        "activity": ["run", "run", "strength", "run", "run", "run"],
        "duration_min": [30, 31, 30, 30, 30, 30],
        "distance_km": [None, None, None, 5.0, 6.0, 5.0],
        "start_time": ["2026-07-01T07:00:10+02:00", "2026-07-01T05:00:50Z",  # same instant, same minute
                       "2026-07-01T07:00:10+02:00",                          # other activity
                       None, None,                                           # no start time, other distance
                       None],                                                # same day, numbers as row 4
    })
    kept, dropped = drop_duplicate_sessions(validate_log(log))
    assert dropped == 2
    assert kept["duration_min"].tolist() == [31, 30, 30, 30]  # of one session, the longer is kept
    assert kept["distance_km"].tolist()[2:] == [5.0, 6.0]
    assert kept.index.tolist() == [0, 1, 2, 3]
    later, dropped = drop_duplicate_sessions(validate_log(log.iloc[:5].assign(
        start_time=["2026-07-01T07:00:10", "2026-07-01T07:31:00", None, None, None])))
    assert dropped == 0 and len(later) == 5  # back to back, not overlapping: two sessions


def test_session_keys_compare_instants_minutes_and_numbers():
    frame = pd.DataFrame({
        "date": ["2026-07-01", pd.Timestamp("2026-07-01"), "2026-07-02", "2026-07-02"],
        "activity": ["Run", None, "run", "strength"],
        "duration_min": ["45", 45.0, 30, 30],
        "distance_km": [None, np.nan, "8.50", 8.5],
        "start_time": [None, "", "2026-07-02T06:59:59-01:00", "2026-07-02T07:59:00Z"],
    })
    keys = session_keys(frame)
    assert keys[0] == keys[1] == ("day", "2026-07-01", "run", 45.0, None)
    assert keys[2] == ("start", ("utc", pd.Timestamp("2026-07-02T07:59:00")), "run")
    assert keys[3] == ("start", ("utc", pd.Timestamp("2026-07-02T07:59:00")), "strength")


def _frame(rows):
    return pd.DataFrame(rows, columns=["date", "activity", "duration_min", "distance_km", "start_time", "notes"])


def test_merge_logs_drops_sessions_seen_twice():
    old = _frame([["2026-11-01", "run", 40.0, 8.0, "2026-11-01T07:00:12+01:00", "old"],
                  ["2026-11-02", "run", 50.0, 10.0, None, "old"]])
    new = _frame([["2026-11-01", "run", 41.0, 8.1, "2026-11-01T07:00:48+01:00", "watch"],  # start minute
                  ["2026-11-02", "run", 50.0, 10.0, None, "sheet"],                      # no start time
                  ["2026-11-03", "strength", 30.0, None, None, "sheet"],
                  ["2026-11-03", "strength", 30.0, None, None, "sheet again"],          # repeat in new
                  ["2026-11-01", "cross", 40.0, None, "2026-11-01T07:00:12+01:00", "bike"],  # other activity
                  ["2026-11-02", "run", 50.0, 11.0, None, "longer"]])                   # other distance
    merged, dropped = merge_logs(old, new)
    assert dropped == 3
    assert list(merged["date"]) == ["2026-11-01", "2026-11-01", "2026-11-02", "2026-11-02", "2026-11-03"]
    assert list(merged["notes"]) == ["old", "bike", "old", "longer", "sheet"]  # existing first within a day
    assert merged.index.tolist() == [0, 1, 2, 3, 4]


def test_merge_logs_keeps_every_existing_session_and_handles_empty_sides():
    twin = ["2026-11-05", "strength", 30.0, None, None, "am"]
    old = _frame([twin, twin[:5] + ["pm"]])  # two alike sessions a coach typed: both stay
    merged, dropped = merge_logs(old, _frame([twin[:5] + ["upload"]]))
    assert (len(merged), dropped) == (2, 1) and list(merged["notes"]) == ["am", "pm"]
    merged, dropped = merge_logs(None, old.iloc[:1])
    assert len(merged) == 1 and dropped == 0
    merged, dropped = merge_logs(old, None)
    assert list(merged["notes"]) == ["am", "pm"] and dropped == 0
    assert merge_logs(None, None) == (None, 0)


def test_merge_of_read_logs_matches_what_was_written(tmp_path):
    first = validate_log(_frame([["2026-11-01", "run", 40.0, 8.0, None, None]]))
    write_log(first, tmp_path / "log.csv")
    again = read_log(tmp_path / "log.csv")
    merged, dropped = merge_logs(again, first)
    assert (len(merged), dropped) == (1, 1)

# ---------------------------------------------------------------------------
# Bad input (issue 9): dates 1900-2100, ASCII digits, lone surrogates, formulas


@pytest.mark.parametrize("day", ["1000-01-01", "9999-12-31", "1899-12-31", "2101-01-01", "1677-09-21"])
def test_dates_outside_1900_2100_name_line_and_column(tmp_path, day):
    path = _write(tmp_path, f"duration_min,date\n30,2026-01-01\n40,{day}\n")
    with pytest.raises(InputError) as info:
        read_log(path)
    assert [str(p) for p in info.value.problems] == [
        f"{path}:3:2: date: found {day}, expected a date from 1900-01-01 to 2100-12-31"]


def test_dates_at_the_range_ends_are_kept(tmp_path):
    log = read_log(_write(tmp_path, "date,duration_min\n1900-01-01,30\n2100-12-31,40\n"))
    assert [d.date() for d in log["date"]] == [dt.date(1900, 1, 1), dt.date(2100, 12, 31)]


def test_typed_dates_outside_the_range_are_refused_too():
    frame = pd.DataFrame({"date": [pd.Timestamp("2262-01-01"), dt.date(1000, 1, 1), dt.date(2026, 1, 1)],
                          "duration_min": [30, 30, 30]})
    with pytest.raises(InputError) as info:
        validate_log(frame)
    assert [(p.line, p.field) for p in info.value.problems] == [(2, "date"), (3, "date")]
    assert "found 2262-01-01, expected a date from 1900-01-01" in info.value.problems[0].message


def test_start_time_outside_the_range_is_refused(tmp_path):
    path = _write(tmp_path, "date,duration_min,start_time\n2026-01-01,30,9999-12-31T10:00:00\n")
    with pytest.raises(InputError, match=r"log.csv:2:3: start_time: found '9999-12-31T10:00:00'"):
        read_log(path)


@pytest.mark.parametrize("cell", ["٣", "３", "४५", "1e999", "-1e999", "٢٠"])
def test_non_ascii_digits_and_overflow_are_not_numbers(tmp_path, cell):
    path = _write(tmp_path, f"date,duration_min,elevation_gain_m\n2026-01-01,30,{cell}\n")
    with pytest.raises(InputError, match=r":2:3: elevation_gain_m: found"):
        read_log(path)


@pytest.mark.parametrize("day", ["٢٠٢٦-٠١-٠١", "２０２６-01-01"])
def test_non_ascii_digits_are_not_dates(tmp_path, day):
    with pytest.raises(InputError, match=r":2:1: date: found"):
        read_log(_write(tmp_path, f"date,duration_min\n{day},30\n"))


def test_lone_surrogate_in_text_is_refused_before_writing(tmp_path):
    frame = pd.DataFrame({"date": ["2026-01-01"], "duration_min": [30], "notes": ["bad \ud800 note"]})
    with pytest.raises(InputError, match=r"<log>:2:3: notes: found text with a lone surrogate"):
        validate_log(frame)
    with pytest.raises(InputError):
        write_log(frame, tmp_path / "log.csv")
    assert not (tmp_path / "log.csv").exists()


def test_a_huge_log_file_is_refused_unread(tmp_path):
    path = tmp_path / "log.csv"
    with open(path, "wb") as handle:
        handle.truncate(65 * 2**20)
    with pytest.raises(InputError, match=r"log.csv: is 65 MiB, expected a training-log CSV file of at most 64 MiB"):
        read_log(path)


FORMULAS = ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1:A2)", "\tx", "\rx", "'=already quoted"]


def test_formula_cells_are_written_with_a_quote(tmp_path):
    frame = pd.DataFrame({"date": ["2026-01-01"] * len(FORMULAS), "duration_min": [30] * len(FORMULAS),
                          "notes": FORMULAS, "source": ["=HYPERLINK(\"http://x\")"] * len(FORMULAS),
                          "coach": ["@x"] * len(FORMULAS)})
    path = write_log(frame, tmp_path / "log.csv")
    rows = list(__import__("csv").DictReader(open(path, encoding="utf-8", newline="")))
    assert [row["notes"] for row in rows] == ["'" + text for text in FORMULAS]
    assert {row["source"] for row in rows} == {"'=HYPERLINK(\"http://x\")"}
    assert {row["coach"] for row in rows} == {"'@x"}
    back = read_log(path)
    assert back["notes"].tolist() == FORMULAS  # read back exactly as they were
    assert back["coach"].tolist() == ["@x"] * len(FORMULAS)


@pytest.mark.parametrize("note, written", [
    ("-5 min warm-up", "'-5 min warm-up"), ("-5", "-5"), ("+3.5", "+3.5"), ("5 x 1 km", "5 x 1 km"),
    ("it's fine", "it's fine"), ("'quoted'", "'quoted'"), ("''=x", "'''=x"),
])
def test_legitimate_notes_read_back_unchanged(tmp_path, note, written):
    frame = pd.DataFrame({"date": ["2026-01-01"], "duration_min": [30], "notes": [note]})
    path = write_log(frame, tmp_path / "log.csv")
    assert path.read_text(encoding="utf-8").splitlines()[1].endswith("," + written)
    assert read_log(path)["notes"].tolist() == [note]


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

@settings(max_examples=80, deadline=None)
@given(notes=st.lists(st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
                              min_size=1, max_size=30).filter(lambda t: t.strip() != ""),
                      min_size=1, max_size=4))
def test_any_note_reads_back_exactly_and_no_cell_starts_a_formula(tmp_path_factory, notes):
    frame = pd.DataFrame({"date": ["2026-01-01"] * len(notes), "duration_min": [30] * len(notes),
                          "notes": notes})
    path = write_log(frame, tmp_path_factory.mktemp("log") / "log.csv")
    cells = [row["notes"] for row in __import__("csv").DictReader(open(path, encoding="utf-8", newline=""))]
    assert not any(cell[:1] in "=+-@\t\r" and not cell.lstrip("+-").replace(".", "", 1).isdigit()
                   for cell in cells)
    assert read_log(path)["notes"].tolist() == notes


@settings(max_examples=100, deadline=None)
@given(text=st.text(max_size=300))
def test_any_text_is_a_log_or_an_input_error(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("log") / "log.csv"
    path.write_text("date,duration_min,notes\n" + text, encoding="utf-8", errors="surrogatepass")
    try:
        log = read_log(path)
    except InputError as exc:
        assert exc.problems and all(str(p).startswith(str(path)) for p in exc.problems)
    else:
        assert log["date"].between(pd.Timestamp("1900-01-01"), pd.Timestamp("2100-12-31")).all()

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


# ---------------------------------------------------------------------------
# The same session recorded by two apps (issue 11): overlapping time spans


def _spans_log(rows):
    return pd.DataFrame(rows, columns=["date", "activity", "duration_min", "distance_km", "avg_hr_bpm",
                                       "start_time", "notes"])


def test_two_apps_recording_one_run_90_s_apart_are_one_session():
    log = _spans_log([["2026-07-01", "run", 45.0, 10.02, None, "2026-07-01T06:00:00Z", "phone"],
                      ["2026-07-01", "run", 44.0, 9.95, 150.0, "2026-07-01T06:01:30Z", "watch"]])
    kept, dropped = drop_duplicate_sessions(log)
    assert dropped == 1
    assert kept["notes"].tolist() == ["watch"]  # the one with heart rate, although shorter
    # without heart rate on either, the longer recording is kept
    kept, dropped = drop_duplicate_sessions(log.assign(avg_hr_bpm=None))
    assert (dropped, kept["notes"].tolist()) == (1, ["phone"])


def test_back_to_back_and_nested_sessions_of_other_activities_are_kept():
    log = _spans_log([["2026-07-01", "run", 30.0, 6.0, None, "2026-07-01T06:00:00Z", "warm-up run"],
                      ["2026-07-01", "run", 30.0, 6.0, None, "2026-07-01T06:30:00Z", "touches: kept"],
                      ["2026-07-01", "cross", 120.0, 40.0, None, "2026-07-01T09:00:00Z", "ride"],
                      ["2026-07-01", "run", 20.0, 4.0, None, "2026-07-01T09:30:00Z", "run inside the ride"],
                      # overlapping by 10 of the shorter's 30 min (a third): two sessions
                      ["2026-07-02", "run", 30.0, 6.0, None, "2026-07-02T06:00:00Z", "a"],
                      ["2026-07-02", "run", 60.0, 12.0, None, "2026-07-02T06:20:00Z", "b"]])
    kept, dropped = drop_duplicate_sessions(log)
    assert dropped == 0 and len(kept) == 6


def test_overlap_is_measured_against_the_shorter_session():
    # 20 min inside a 90 min run (the shorter wholly covered): one session, the longer kept
    log = _spans_log([["2026-07-01", "run", 90.0, 18.0, None, "2026-07-01T06:00:00+02:00", "long"],
                      ["2026-07-01", "run", 20.0, 4.0, None, "2026-07-01T04:30:00Z", "part"],
                      # 16 of 30 min shared, just over half
                      ["2026-07-03", "run", 30.0, 6.0, None, "2026-07-03T06:00:00Z", "x"],
                      ["2026-07-03", "run", 30.0, 6.0, None, "2026-07-03T06:14:00Z", "y"]])
    kept, dropped = drop_duplicate_sessions(log)
    assert dropped == 2 and kept["notes"].tolist() == ["long", "x"]


def test_merge_never_drops_an_existing_row_for_a_richer_new_one():
    old = _spans_log([["2026-07-01", "run", 45.0, 10.0, None, "2026-07-01T06:00:00Z", "typed"]])
    new = _spans_log([["2026-07-01", "run", 46.0, 10.1, 148.0, "2026-07-01T06:01:30Z", "watch"],
                      ["2026-07-01", "run", 45.0, 10.0, None, "2026-07-01T06:00:40Z", "phone"],
                      ["2026-07-02", "run", 40.0, 8.0, None, "2026-07-02T06:00:00Z", "phone"],
                      ["2026-07-02", "run", 40.5, 8.1, 150.0, "2026-07-02T06:01:00Z", "watch"]])
    merged, dropped = merge_logs(old, new)
    assert dropped == 3
    # the existing row stays; of the new pair, the one with heart rate is kept
    assert merged["notes"].tolist() == ["typed", "watch"]
    assert merged["start_time"].tolist()[1] == "2026-07-02T06:01:00Z"


def test_a_long_session_is_compared_past_a_session_without_duration():
    # the phone's copy (no duration: 0) starts between the watch's run and its own twin
    log = _spans_log([["2026-07-01", "run", 60.0, 12.0, 150.0, "2026-07-01T06:00:00Z", "watch"],
                      ["2026-07-01", "run", None, None, None, "2026-07-01T06:01:00Z", "no duration"],
                      ["2026-07-01", "run", 58.0, 11.8, None, "2026-07-01T06:02:10Z", "phone"]])
    kept, dropped = drop_duplicate_sessions(log)
    assert dropped == 1 and kept["notes"].tolist() == ["watch", "no duration"]

# --- the fast path of read_log ------------------------------------------------

FAST_CASES = {
    "plain": "date,activity,duration_min,distance_km,rpe,session_type\n"
             "2026-01-06,run,45,8.2,4,easy\n2026-01-05,rest,,,,\n2026-01-07,Strength,30,,5,\n",
    "every column, CRLF, spaces": (
        "date , activity,duration_min,distance_km,rpe,session_type,avg_hr_bpm,elevation_gain_m,surface,"
        "start_time,source,notes,max_hr_bpm,gap_distance_km,relative_effort,hr_histogram\r\n"
        "2026-03-02,RUN, 50.5 ,10,+6,Tempo,150,120,trail,2026-03-02T07:00:00+01:00,'=strava, 'kept'"
        ",170,10.4,55,128:30 129:42.5\r\n"
        "2026-03-01,,40,7.,3,easy,,,road,,watch,  two spaces  ,,,,\r\n"
        "2026-03-01,cross,1e1,,0,,,,,,,,,,,\r\n"),
    "quoted cells": 'date,duration_min,notes\n2026-01-01,"30","a, b ""c"""\n2026-01-02,31,"two\nlines"\n',
    "unsorted with a missing activity": "duration_min,date\n30,2026-02-02\n20,2026-02-01\n25,2026-02-01\n",
    "extra columns, kept as text": "date,duration_min,shoe,x\n2026-01-01,30,'=pegasus,\n2026-01-02,31,, 7 \n",
}


@pytest.mark.parametrize("name", FAST_CASES)
def test_the_fast_path_gives_the_careful_paths_frame(name, tmp_path):
    from heavylegs.logs.traininglog import _fast_log, _log_from_text

    text = FAST_CASES[name]
    fast = _fast_log(text)
    assert fast is not None
    pd.testing.assert_frame_equal(fast, _log_from_text(text, "x"))
    path = tmp_path / "log.csv"
    path.write_bytes(text.encode("utf-8"))
    pd.testing.assert_frame_equal(read_log(path), fast)


def test_the_fast_path_on_the_sample_logs_and_a_written_log(tmp_path, root):
    from heavylegs.logs.traininglog import _fast_log, _log_from_text

    texts = [p.read_text(encoding="utf-8-sig") for p in sorted((root / "data" / "athletes").glob("*/log.csv"))]
    rng = np.random.default_rng(2)
    n = 300
    frame = pd.DataFrame({
        "date": pd.date_range("2024-01-01", periods=n, freq="D").strftime("%Y-%m-%d"),
        "activity": rng.choice(["run", "rest", "strength", "cross"], n),
        "duration_min": rng.uniform(10, 120, n).round(2),
        "rpe": np.where(rng.random(n) < 0.5, rng.integers(0, 11, n), np.nan),
        "notes": rng.choice(["", "-5 min warm-up", "=1+1", "@home", "plain"], n),
    })
    frame.loc[frame["activity"] == "rest", "duration_min"] = np.nan
    write_log(validate_log(frame), tmp_path / "log.csv")
    texts.append((tmp_path / "log.csv").read_text(encoding="utf-8"))
    assert len(texts) >= 2
    for text in texts:
        fast = _fast_log(text)
        careful = _log_from_text(text, "x")
        if fast is not None:
            pd.testing.assert_frame_equal(fast, careful)
    assert _fast_log(texts[-1]) is not None


@pytest.mark.parametrize("text", [
    'date,duration_min\n2026-01-01,"30\n',             # an unbalanced quote
    'date,duration_min\n2026-01-01,30\n"",""\n',        # a quoted blank line
    "date,duration_min\n2026-01-01,30\n\n2026-01-02,31\n",  # a blank line
    "date,duration_min\n2026-1-01,30\n", "date,duration_min\n2026-02-30,30\n",
    "date,duration_min\n1899-12-31,30\n", "date,duration_min\n2026-01-01,٣٠\n",
    "date,duration_min\n2026-01-01,1_0\n", "date,duration_min\n2026-01-01,nan\n",
    "date,duration_min\n2026-01-01,1e999\n", "date,duration_min\n2026-01-01,0\n",
    "date,duration_min\n2026-01-01,\n", "date,activity,duration_min\n2026-01-01,swim,3\n",
    "date,duration_min,start_time\n2026-01-01,3,noon\n", "date,duration_min\n2026-01-01,3,4\n",
    "date,duration_min\n", "date,date,duration_min\n2026-01-01,2026-01-01,3\n",
])
def test_the_fast_path_leaves_doubtful_files_to_the_careful_path(text):
    from heavylegs.logs.traininglog import _fast_log

    assert _fast_log(text) is None


def test_the_fast_path_reads_numbers_as_float_does():
    from heavylegs.logs.traininglog import _WIDEST, _bulk_numbers, _Cells

    def bulk(texts):
        data = ("\x00".join(texts) + "\x00").encode("ascii") + bytes(_WIDEST)
        ends = np.flatnonzero(np.frombuffer(data, dtype=np.uint8)[:-_WIDEST] == 0)
        return _bulk_numbers(_Cells(data, np.r_[0, ends[:-1] + 1], ends))

    known = {"45": 45.0, "-12.5": -12.5, "1.": 1.0, ".5": 0.5, "+7": 7.0, "0.3": 0.3, "104.3": 104.3,
             "12345678": 12345678.0, "0.000001": 1e-06, "00000000000000001": 1.0, "3.14159265": 3.14159265,
             "1e3": 1000.0, "2.5E-1": 0.25}
    got = bulk(list(known) + [""])
    assert got[:-1].tolist() == list(known.values()) and np.isnan(got[-1])
    assert np.signbit(bulk(["-0", "0", "-0.0"])).tolist() == [True, False, True]
    for bad in (".", "+", "-", "1-", "1..2", "+-1", "1e", "e1", "1e999", "5.5.5", "1 2"):
        assert bulk(["1", bad]) is None, bad
    # Random decimal text, valid or not: the same value, bit for bit, or None where float() fails.
    rng = np.random.default_rng(13)
    alphabet = np.array(list("0123456789.+-eE"))
    texts = []
    for _ in range(4000):
        if rng.random() < 0.5:
            digits = "".join(rng.choice(alphabet[:10], rng.integers(1, 10)))
            cut = rng.integers(0, len(digits) + 1)
            texts.append(rng.choice(["", "-", "+"]) + (digits[:cut] + "." + digits[cut:] if rng.random() < 0.7
                                                        else digits))
        else:
            texts.append("".join(rng.choice(alphabet, rng.integers(1, 9))))
    for text in texts:
        try:
            expected = float(text)
        except ValueError:
            expected = None
        got = bulk([text])
        if expected is None or not np.isfinite(expected):
            assert got is None, text
        else:
            assert got is not None and got[0] == expected and np.signbit(got[0]) == np.signbit(expected), text
    good = [t for t in texts if bulk([t]) is not None]
    assert len(good) > 1000
    assert bulk(good).tolist() == [float(t) for t in good]


FAST_START_TIMES = ["2026-07-14T17:52", "2026-07-14 17:52:00", "2026-07-14T17:52:00Z", "2026-07-14T17:52:00+02:00",
                    "2026-07-14T17:52:00-00:00", " 2026-07-14T17:52:00+23:59 ", "2026-07-14T17:52:00+0200",
                    "2026-07-14T17:52:00+02", "2026-07-14T17:52:00.123", "2026-07-14T17:52:00,5+01:00",
                    "2100-12-31T23:59:59", "1900-01-01T00:00", "2024-02-29T10:00", "2000-02-29T10:00:00Z", ""]


def test_the_fast_path_reads_every_start_time_spelling_as_the_careful_path():
    from heavylegs.logs.traininglog import _fast_log, _log_from_text

    text = "date,duration_min,start_time\n" + "".join(f'2026-07-14,30,"{s}"\n' for s in FAST_START_TIMES)
    fast = _fast_log(text)
    assert fast is not None
    pd.testing.assert_frame_equal(fast, _log_from_text(text, "x"))
    assert fast["start_time"].tolist()[:2] == ["2026-07-14T17:52", "2026-07-14 17:52:00"]


@pytest.mark.parametrize("cell", [
    "2026-07-14T24:00", "2026-07-14T23:60", "2026-02-30T10:00", "2026-07-14T10:00:00+24:00",
    "1899-12-31T23:00:00+02:00", "2026-07-14T17:52:60", "2026-07-14x17:52", "noon", "2101-01-01T00:00",
    "2026-02-29T10:00", "1900-02-29T10:00:00", "2100-02-29T10:00:00Z", "2026-04-31T10:00"])
def test_the_fast_path_leaves_bad_start_times_to_the_careful_path(cell):
    from heavylegs.logs.traininglog import _fast_log

    text = f"date,duration_min,start_time\n2026-07-14,30,2026-07-14T17:52:00Z\n2026-07-15,30,{cell}\n"
    assert _fast_log(text) is None
    with pytest.raises(InputError):
        _log_from_text_of(text)


def _log_from_text_of(text):
    from heavylegs.logs.traininglog import _log_from_text

    return _log_from_text(text, "x")


@pytest.mark.parametrize("text", [
    "date,duration_min\n2026-02-29,30\n", "date,duration_min\n1900-02-29,30\n",
    "date,duration_min\n2101-01-01,30\n", "date,duration_min\n2026/07/14,30\n",
    "date,duration_min\n2026-07-14T10:00,30\n",                  # valid, but read by the careful path
    "date,duration_min\n2026-07-14,30\n2026-07-15,30\n\n",         # a blank line at the end
    "date,activity,duration_min\n2026-07-14,Run\u00a0,30\n",      # valid: str.strip removes U+00A0
    "date,activity,duration_min\n2026-07-14,ｒｕｎ,30\n",
    "date,duration_min,surface\n2026-07-14,30,treadmil\n", "date,duration_min,surface\n2026-07-14,30,treadmillx\n",
    "date,duration_min,surface\n2026-07-14,30,trac\u212a\n",     # valid: Kelvin sign lowers to k
    "date,duration_min,session_type\n2026-07-14,30,road\n", "date,duration_min,surface\n2026-07-14,30,easy\n",
    "date,duration_min\n2026-07-14,1440.0000001\n", "date,duration_min,rpe\n2026-07-14,30,-0.5\n",
    "date,duration_min\n2026-07-14,30\r2026-07-15,30\r",           # old Mac line ends
    "date,duration_min\n2026-07-14,3\x000\n",
])
def test_the_fast_path_leaves_more_doubtful_files_to_the_careful_path(text):
    from heavylegs.logs.traininglog import _fast_log

    assert _fast_log(text) is None


def test_the_fast_path_gives_the_careful_paths_frame_on_random_files():
    """Random small logs mixing good and doubtful cells, quoted or not: the fast path either gives
    up or returns exactly the careful path's frame (signs of zero included), never accepts a bad file."""
    from heavylegs.logs.traininglog import _fast_log, _log_from_text

    rng = np.random.default_rng(5)
    cells = {
        "date": ["2026-07-14", "2024-02-29", "2026-02-29", "2100-12-31", "1899-12-31", " 2026-07-16 ",
                 "2026-7-16", "2026-07-14T10:00:00", "", "2026-13-01"],
        "activity": ["run", "Run", " REST", "strength\t", "cross", "", "swim", "runn", "ｒｕｎ"],
        "duration_min": ["45", "30.5", "1e1", " 7 ", "0", "-3", "", "1440", "1441", "nan", "1_0", "٣"],
        "distance_km": ["8.25", "0", "-0", ".5", "1.", "", "", "500.0", "12.3456789", "+", "1..2", "1e999"],
        "rpe": ["0", "10", "-0.0", "5.5", "", "", "11", "\x0b4", "4\xa0"],
        "session_type": ["easy", "Long", "TEMPO", "", "", "recoveryx", "road", " race"],
        "surface": ["road", "TREADMILL", "treadmill ", "", "", "treadmil", "mixed", "easy"],
        "start_time": ["2026-07-14T17:52:00+02:00", "2026-07-14T17:52", "2026-07-14T17:52:00Z", "", "",
                       "2026-07-14T17:52:00.5", "2026-07-14T25:00", "noon"],
        "source": ["", "watch", "'=1+1", "''=x", "'", "é café", " spaced "],
        "notes": ["", "", "5 x 1 km", "-5 min", "a, b", 'say "hi"', "two\nlines"],
        "shoe": ["", "pegasus", "'@home"],
    }
    optional = [name for name in cells if name not in ("date", "duration_min")]
    fast_used = 0
    for _ in range(600):
        columns = ["date", "duration_min", *rng.choice(optional, rng.integers(0, 7), replace=False)]
        columns = [columns[i] for i in rng.permutation(len(columns))]
        plain = rng.random() < 0.5  # mostly good rows, or any cell
        rows = []
        for _ in range(rng.integers(1, 7)):
            row = []
            for name in columns:
                choices = cells[name]
                pick = choices[0] if plain and rng.random() < 0.85 else choices[rng.integers(len(choices))]
                if any(c in pick for c in ',"\n') or rng.random() < 0.1:
                    pick = '"' + pick.replace('"', '""') + '"'
                row.append(pick)
            rows.append(",".join(row))
        end = "\r\n" if rng.random() < 0.2 else "\n"
        text = end.join([",".join(columns), *rows]) + (end if rng.random() < 0.8 else "")
        fast = _fast_log(text)
        if fast is None:
            continue
        fast_used += 1
        careful = _log_from_text(text, "x")  # raises if the fast path accepted a bad file
        pd.testing.assert_frame_equal(fast, careful)
        for name in NUMERIC:
            assert np.signbit(fast[name]).tolist() == np.signbit(careful[name]).tolist()
    assert fast_used >= 100


NUMERIC = ("duration_min", "distance_km", "rpe", "avg_hr_bpm", "elevation_gain_m", "max_hr_bpm",
           "gap_distance_km", "relative_effort")


def test_every_sample_log_takes_the_fast_path(root):
    from heavylegs.logs.traininglog import _fast_log

    paths = sorted((root / "data" / "athletes").glob("*/log.csv"))
    assert len(paths) >= 8
    for path in paths:
        assert _fast_log(path.read_text(encoding="utf-8-sig")) is not None, path


def test_the_fast_paths_name_keys_tell_every_name_apart():
    from heavylegs.logs.traininglog import _ENUM_KEYS, _ENUM_MODULUS, _ENUM_NAMES, _ENUM_NINTH, _ENUM_SLOTS

    assert sorted(_ENUM_NAMES) == sorted({*ACTIVITIES, *SESSION_TYPES, *SURFACES})
    assert len(set(_ENUM_KEYS.tolist())) == len(_ENUM_NAMES) + 1  # the first 8 bytes differ...
    assert max(map(len, _ENUM_NAMES)) <= 9 and bytes(_ENUM_NINTH).strip(b"\0") == b"l"  # ...treadmill's 9th
    for position, key in enumerate(_ENUM_KEYS[:-1].tolist()):  # each name's slot leads to it
        assert _ENUM_SLOTS[key % _ENUM_MODULUS] == position
        assert key == int.from_bytes(_ENUM_NAMES[position][:8].encode().ljust(8, b"\0"), "little")
    assert sorted(_ENUM_SLOTS[_ENUM_SLOTS < len(_ENUM_NAMES)].tolist()) == list(range(len(_ENUM_NAMES)))


def test_the_fast_path_builds_the_same_frame_without_pandas_private_constructor(monkeypatch, root):
    from heavylegs.logs.traininglog import _fast_log, _log_from_text

    text = (root / "data" / "athletes" / "ana" / "log.csv").read_text(encoding="utf-8-sig")

    def gone(*args, **kwargs):
        raise TypeError("_from_arrays() changed")

    monkeypatch.setattr(pd.DataFrame, "_from_arrays", gone)
    pd.testing.assert_frame_equal(_fast_log(text), _log_from_text(text, "x"))
    pd.testing.assert_frame_equal(_fast_log(FAST_CASES["extra columns, kept as text"]),
                                  _log_from_text(FAST_CASES["extra columns, kept as text"], "x"))


def test_the_fast_path_strips_a_few_spaces_and_leaves_a_cell_padded_with_many_to_the_careful_path():
    from heavylegs.logs.traininglog import _MOST_SPACES, _fast_log, _log_from_text

    few, many = " " * _MOST_SPACES, " " * (_MOST_SPACES + 1)
    text = f"date,activity,duration_min\n{few}2026-07-14{few},{few}Run{few},{few}30{few}\n"
    pd.testing.assert_frame_equal(_fast_log(text), _log_from_text(text, "x"))
    for cell in (f"{many}2026-07-14", f"2026-07-14{many}"):
        assert _fast_log(f"date,duration_min\n{cell},30\n") is None
    for cell in (f"{many}30", f"30{many}", f"3{many}"):
        assert _fast_log(f"date,duration_min\n2026-07-14,{cell}\n") is None
    assert _fast_log(f"date,activity,duration_min\n2026-07-14,run{many},30\n") is None
    text = f"date,duration_min,start_time\n2026-07-14,30,{many}2026-07-14T17:52{many}\n"  # checked alone
    pd.testing.assert_frame_equal(_fast_log(text), _log_from_text(text, "x"))
    assert _log_from_text(text, "x")["start_time"].tolist() == ["2026-07-14T17:52"]


def test_histogram_text_round_trip():
    from heavylegs.logs.traininglog import format_histogram, parse_histogram

    text = format_histogram({129: 42.5, 128: 30.0})
    assert text == "128:30 129:42.5"
    assert parse_histogram(text) == {128: 30.0, 129: 42.5}
    assert format_histogram({}) is None and parse_histogram(None) == {} and parse_histogram("") == {}
    with pytest.raises(ValueError, match="bpm:seconds"):
        parse_histogram("128")


def test_checked_log_takes_a_read_log_as_it_is_and_checks_anything_else():
    from heavylegs.logs.traininglog import checked_log, has_log_types

    log = validate_log(pd.DataFrame({"date": ["2026-03-01"], "duration_min": [30]}))
    assert has_log_types(log) and checked_log(log) is log
    raw = pd.DataFrame({"date": ["2026-03-01"], "duration_min": ["30"]})
    assert not has_log_types(raw) and checked_log(raw)["duration_min"].tolist() == [30.0]
    assert not has_log_types({"date": []}) and len(checked_log(None)) == 0
    with pytest.raises(InputError):
        checked_log(pd.DataFrame({"date": ["not a date"], "duration_min": [30]}))
