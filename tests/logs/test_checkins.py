"""Check-in files: reading, errors with file:line:column, import aliases, quick entry, follow-up."""
import datetime as dt
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from heavylegs.logs.checkins import (CHECKIN_COLUMNS, add_checkin, checkins_path, checkins_to_csv_text,
                                follow_up, import_checkins, load_checkins, map_headers, merge_checkins,
                                read_checkins, validate_checkin, validate_checkins, write_checkins)
from heavylegs.errors import InputError

ROOT = Path(__file__).resolve().parents[2]
GOOD = ("date,heaviness,sleep_h,sleep_quality,fatigue,stress,soreness,notes\n"
        "2026-11-02,6,6.5,4,5,3,6,after squats\n"
        "2026-11-01,2,8,2,2,2,2,\n"
        "\n"
        "2026-11-03,4,,,,,,\n")


def write(tmp_path, text, name="checkins.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


def test_read_sorts_types_and_computes_hooper(tmp_path):
    frame = read_checkins(write(tmp_path, GOOD))
    assert list(frame.columns) == [*CHECKIN_COLUMNS, "hooper"]
    assert [d.date().isoformat() for d in frame["date"]] == ["2026-11-01", "2026-11-02", "2026-11-03"]
    assert frame["heaviness"].tolist() == [2, 6, 4] and frame["heaviness"].dtype == np.int64
    np.testing.assert_allclose(frame["sleep_h"], [8.0, 6.5, np.nan])
    # hooper = sleep quality + fatigue + stress + soreness, unknown unless all four are known
    np.testing.assert_allclose(frame["hooper"], [8.0, 18.0, np.nan])
    assert frame["notes"].iloc[1] == "after squats" and pd.isna(frame["notes"].iloc[0])


def test_byte_order_mark_extra_columns_and_column_order(tmp_path):
    path = write(tmp_path, "\ufeffmood,heaviness,date\ngood,3,2026-11-01\n")
    frame = read_checkins(path)
    assert frame["heaviness"].tolist() == [3] and frame["mood"].tolist() == ["good"]
    assert checkins_to_csv_text(frame).splitlines() == [
        "date,heaviness,sleep_h,sleep_quality,fatigue,stress,soreness,notes,mood",
        "2026-11-01,3,,,,,,,good"]


def test_every_bad_cell_is_reported_with_line_and_column_and_the_file_rejected(tmp_path):
    path = write(tmp_path, "date,heaviness,sleep_h,fatigue\n"
                           "2026-11-01,11,7,3\n"
                           "01/11/2026,5,x,8\n"
                           "2026-11-03,,7,2.5\n")
    with pytest.raises(InputError) as info:
        read_checkins(path)
    lines = [str(p) for p in info.value.problems]
    assert lines == [
        f"{path}:2:2: heaviness: found 11, expected a whole number from 0 to 10 (0 = light, normal; 10 = like lead)",
        f"{path}:3:1: date: found '01/11/2026', expected a date YYYY-MM-DD",
        f"{path}:3:3: sleep_h: found 'x', expected a number from 0 to 14 [h]",
        f"{path}:3:4: fatigue: found 8, expected a whole number from 1 to 7 "
        "(Hooper: 1 = very, very low, 7 = very, very high)",
        f"{path}:4:2: heaviness: found an empty cell, expected a whole number from 0 to 10 "
        "(0 = light, normal; 10 = like lead)",
        f"{path}:4:4: fatigue: found 2.5, expected a whole number from 1 to 7 "
        "(Hooper: 1 = very, very low, 7 = very, very high)",
    ]


def test_missing_required_column_and_bad_files(tmp_path):
    with pytest.raises(InputError, match=r"column 'heaviness' is missing, expected it in the header"):
        read_checkins(write(tmp_path, "date,sleep_h\n2026-11-01,7\n"))
    with pytest.raises(InputError, match="is empty, expected a header row"):
        read_checkins(write(tmp_path, "\n\n"))
    with pytest.raises(InputError, match=r":3: found 3 cells, expected 2 as in the header"):
        read_checkins(write(tmp_path, "date,heaviness\n2026-11-01,3\n2026-11-02,3,x\n"))
    bad = tmp_path / "latin.csv"
    bad.write_bytes("date,heaviness,notes\n2026-11-01,3,m\xfcde\n".encode("latin-1"))
    with pytest.raises(InputError, match=r"latin.csv:2: found byte 0xfc that is not UTF-8"):
        read_checkins(bad)
    with pytest.raises(InputError, match="cannot be read"):
        read_checkins(tmp_path / "nothing.csv")


def test_same_date_twice_the_later_row_wins(tmp_path):
    frame = read_checkins(write(tmp_path, "date,heaviness\n2026-11-02,7\n2026-11-01,1\n2026-11-02,3\n"))
    assert frame["heaviness"].tolist() == [1, 3]


def test_write_is_atomic_and_round_trips(tmp_path):
    frame = read_checkins(write(tmp_path, GOOD))
    out = write_checkins(frame, tmp_path / "sub" / "out.csv")
    again = read_checkins(out)
    pd.testing.assert_frame_equal(frame, again)
    assert out.read_text().splitlines()[1] == "2026-11-01,2,8,2,2,2,2,"
    # no temporary file left; .lock is the folder's lock, taken by every check-in write
    assert sorted(p.name for p in out.parent.iterdir()) == [".lock", "out.csv"]


def test_write_refuses_a_bad_frame_and_writes_nothing(tmp_path):
    with pytest.raises(InputError, match=r"<checkins>:2:2: heaviness: found 12"):
        write_checkins(pd.DataFrame({"date": ["2026-11-01"], "heaviness": [12]}), tmp_path / "c.csv")
    assert not (tmp_path / "c.csv").exists()


def test_validate_checkins_accepts_typed_frames():
    frame = validate_checkins(pd.DataFrame({"date": pd.to_datetime(["2026-11-02", "2026-11-01"]),
                                            "heaviness": [5, 4], "fatigue": [3.0, np.nan]}))
    assert frame["heaviness"].tolist() == [4, 5]
    assert np.isnan(frame["fatigue"].iloc[0]) and frame["fatigue"].iloc[1] == 3.0


def test_merge_later_set_wins_a_shared_day(tmp_path):
    earlier = validate_checkins(pd.DataFrame({"date": ["2026-11-01", "2026-11-02"], "heaviness": [1, 2]}))
    later = validate_checkins(pd.DataFrame({"date": ["2026-11-02", "2026-11-03"], "heaviness": [8, 9]}))
    merged, replaced = merge_checkins(earlier, later)
    assert merged["heaviness"].tolist() == [1, 8, 9] and replaced == ["2026-11-02"]


# --- validate_checkin and the quick entry ---------------------------------------------------

def test_validate_checkin_known_values_and_errors():
    entry = validate_checkin({"date": dt.date(2026, 11, 16), "heaviness": 6, "sleep_h": 7.5,
                              "sleep_quality": 3, "fatigue": 5, "stress": 4, "soreness": 6, "notes": " ok "})
    assert entry == {"date": "2026-11-16", "heaviness": 6, "sleep_h": 7.5, "sleep_quality": 3, "fatigue": 5,
                     "stress": 4, "soreness": 6, "notes": "ok", "hooper": 18}
    assert validate_checkin({"date": "2026-11-16", "heaviness": 0})["hooper"] is None
    with pytest.raises(InputError) as info:
        validate_checkin({"date": "16.11.2026", "heaviness": None, "stress": 0, "mood": 3})
    assert [str(p) for p in info.value.problems] == [
        "<check-in>: mood: is not a check-in field, expected one of date, heaviness, sleep_h, sleep_quality, "
        "fatigue, stress, soreness, notes",
        "<check-in>: date: found '16.11.2026', expected a date YYYY-MM-DD",
        "<check-in>: heaviness: is unknown, expected a whole number from 0 to 10 (0 = light, normal; 10 = like lead)",
        "<check-in>: stress: found 0, expected a whole number from 1 to 7 "
        "(Hooper: 1 = very, very low, 7 = very, very high)",
    ]


def test_add_checkin_creates_appends_and_replaces_the_same_day(tmp_path):
    first = add_checkin(tmp_path, "zoe", {"date": "2026-11-16", "heaviness": 6, "sleep_h": 6.5})
    path = checkins_path(tmp_path, "zoe")
    assert first["path"] == path == tmp_path / "athletes" / "zoe" / "checkins.csv"
    assert first["replaced"] is None and first["count"] == 1
    add_checkin(tmp_path, "zoe", {"date": "2026-11-15", "heaviness": 3})
    again = add_checkin(tmp_path, "zoe", {"date": "2026-11-16", "heaviness": 4, "sleep_quality": 2,
                                          "fatigue": 3, "stress": 3, "soreness": 4})
    assert again["replaced"] == {"date": "2026-11-16", "heaviness": 6, "sleep_h": 6.5, "sleep_quality": None,
                                 "fatigue": None, "stress": None, "soreness": None, "notes": None}
    # the later entry wins; what it leaves unknown (sleep) keeps the earlier value
    assert again["entry"]["heaviness"] == 4 and again["entry"]["sleep_h"] == 6.5
    assert again["entry"]["hooper"] == 12 and again["count"] == 2
    assert path.read_text().splitlines() == [
        "date,heaviness,sleep_h,sleep_quality,fatigue,stress,soreness,notes",
        "2026-11-15,3,,,,,,",
        "2026-11-16,4,6.5,2,3,3,4,"]
    assert sorted(p.name for p in path.parent.iterdir()) == [".lock", "checkins.csv"]


def test_add_checkin_keeps_extra_columns_and_refuses_bad_input(tmp_path):
    path = checkins_path(tmp_path, "zoe")
    path.parent.mkdir(parents=True)
    path.write_text("date,heaviness,mood\n2026-11-14,2,good\n", encoding="utf-8")
    add_checkin(tmp_path, "zoe", {"date": "2026-11-15", "heaviness": 5})
    assert load_checkins(tmp_path, "zoe")["mood"].tolist()[0] == "good"
    before = path.read_bytes()
    with pytest.raises(InputError, match="heaviness: found 11"):
        add_checkin(tmp_path, "zoe", {"date": "2026-11-16", "heaviness": 11})
    path.write_text("date,heaviness\n2026-11-14,twelve\n", encoding="utf-8")
    before = path.read_bytes()
    with pytest.raises(InputError, match=r"checkins.csv:2:2: heaviness: found 'twelve'"):
        add_checkin(tmp_path, "zoe", {"date": "2026-11-16", "heaviness": 1})
    assert path.read_bytes() == before
    with pytest.raises(InputError, match="athlete_id"):
        add_checkin(tmp_path, "../x", {"date": "2026-11-16", "heaviness": 1})


def test_concurrent_quick_entries_lose_no_day(tmp_path):
    days = [f"2026-10-{d:02d}" for d in range(1, 21)]
    threads = [threading.Thread(target=add_checkin, args=(tmp_path, "zoe", {"date": d, "heaviness": 3}))
               for d in days]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    frame = load_checkins(tmp_path, "zoe")
    assert [d.date().isoformat() for d in frame["date"]] == days


def test_load_checkins_without_a_file_is_empty(tmp_path):
    frame = load_checkins(tmp_path, "zoe")
    assert len(frame) == 0 and list(frame.columns) == [*CHECKIN_COLUMNS, "hooper"]


# --- import of form and spreadsheet exports ------------------------------------------------

def test_map_headers_ignores_case_spaces_and_punctuation():
    mapping, unmapped = map_headers(["Time stamp", "DATE", "How heavy did your legs feel today?",
                                     "Sleep (h)", "Muscle soreness", "FATIGUE", "Email address"])
    # "DATE" is the column's own name, so it wins over the timestamp alias
    assert mapping == {"DATE": "date", "How heavy did your legs feel today?": "heaviness",
                       "Sleep (h)": "sleep_h", "Muscle soreness": "soreness", "FATIGUE": "fatigue"}
    assert unmapped == ["Time stamp", "Email address"]


def test_import_form_export_reports_unmapped_headers_and_replaced_days(tmp_path):
    form = write(tmp_path, "Timestamp,Heavy legs (0-10),Hours of sleep,Sleep quality,Tiredness,Stress level,"
                           "DOMS,Comments,Email\n"
                           "2026-11-01 07:58:02,5,7.5,3,4,3,5,long run yesterday,a@b.c\n"
                           "2026-11-02T08:10:00+01:00,3,8,2,3,3,3,,a@b.c\n"
                           "2026-11-01 21:00:00,6,7.5,3,4,3,5,,a@b.c\n", name="form.csv")
    sheet = write(tmp_path, "Day,Leg heaviness\n2026-11-02,4\n2026-11-03,2\n", name="sheet.csv")
    result = import_checkins([form, sheet])
    frame = result.checkins
    assert [d.date().isoformat() for d in frame["date"]] == ["2026-11-01", "2026-11-02", "2026-11-03"]
    assert frame["heaviness"].tolist() == [6, 4, 2]
    assert frame["hooper"].iloc[0] == 15.0 and "Email" not in frame.columns
    assert result.unmapped == {str(form): ["Email"], str(sheet): []}
    assert result.mapping[str(sheet)] == {"Day": "date", "Leg heaviness": "heaviness"}
    assert result.rows == 5
    assert result.replaced == [f"{form}:2: 2026-11-01 replaced by a later row of {form}",
                               f"2026-11-02: an earlier file's row replaced by {sheet}"]


def test_import_errors_name_file_line_and_column_and_return_nothing(tmp_path):
    good = write(tmp_path, "date,heaviness\n2026-11-01,3\n", name="good.csv")
    bad = write(tmp_path, "Name,Date,Heaviness\nZoe,2026-11-01,high\n", name="bad.csv")
    none = write(tmp_path, "When,Score\n2026-11-01,3\n", name="none.csv")
    with pytest.raises(InputError) as info:
        import_checkins([good, bad, none])
    lines = [str(p) for p in info.value.problems]
    assert lines[0] == (f"{bad}:2:3: heaviness: found 'high', expected a whole number from 0 to 10 "
                        "(0 = light, normal; 10 = like lead)")
    assert lines[1].startswith(f"{none}:1: date: no header maps to 'date' (found: When, Score), expected one "
                               "such as 'date', 'day'")
    assert lines[2].startswith(f"{none}:1: heaviness: no header maps to 'heaviness'")


# --- follow-up -------------------------------------------------------------------------------

def _series(start, values):
    return pd.DataFrame({"date": pd.date_range(start, periods=len(values)), "heaviness": values})


def test_follow_up_known_values():
    # 14 days before the plan: heaviness 6 and 7 alternating (mean 6.5); 9 days since at 4 (mean 4.0);
    # a check-in 15 days before the start is outside the 14 days and is ignored
    frame = _series("2026-11-02", [9] + [6, 7] * 7 + [4] * 9)
    result = follow_up(frame, "2026-11-17")
    assert result == {"plan_start": "2026-11-17", "n_before": 14, "n_since": 9, "mean_before": 6.5,
                      "mean_since": 4.0, "change": -2.5, "ready": True, "needed_before": 0, "needed_since": 0,
                      "text": "heaviness 6.5 → 4.0 since the plan began (−2.5; 14 and 9 check-ins)"}
    assert follow_up(frame, dt.date(2026, 11, 17), until="2026-11-21")["n_since"] == 5


def test_follow_up_says_how_many_more_check_ins_are_needed():
    frame = _series("2026-11-14", [6, 6, 6, 5, 4])  # 3 before the plan, 2 since
    result = follow_up(frame, "2026-11-17")
    assert not result["ready"] and (result["needed_before"], result["needed_since"]) == (2, 3)
    assert result["mean_before"] == 6.0 and result["mean_since"] == 4.5 and result["change"] == -1.5
    assert result["text"] == ("not enough check-ins to compare yet: 3 more check-ins needed since the plan began "
                              "(2 of 5); 2 more check-ins needed in the 14 days before it, 2026-11-03 to "
                              "2026-11-16 (3 of 5)")
    empty = follow_up(_series("2026-11-01", []), "2026-11-17")
    assert empty["mean_before"] is None and empty["change"] is None and empty["needed_since"] == 5
    rising = follow_up(_series("2026-11-10", [2] * 7 + [3] * 5), "2026-11-17")
    assert rising["text"] == "heaviness 2.0 → 3.0 since the plan began (+1.0; 7 and 5 check-ins)"
    with pytest.raises(InputError, match="plan_start: found 'soon'"):
        follow_up(frame, "soon")


# --- the sample athletes ---------------------------------------------------------------------

def test_sample_checkins_read_and_cover_ten_to_sixteen_weeks():
    for athlete_id in ("dev", "ana"):
        frame = load_checkins(ROOT / "data", athlete_id)
        span = (frame["date"].max() - frame["date"].min()).days + 1
        assert 70 <= span <= 112 and len(frame) >= 0.8 * span


def test_ana_heaviness_falls_after_her_plan_starts():
    frame = load_checkins(ROOT / "data", "ana")
    result = follow_up(frame, "2026-11-17")  # ANA_PLAN_START in scripts/make_sample_checkins.py
    assert result["ready"] and result["change"] <= -1.5


def test_docstring_examples_run():
    import doctest

    import heavylegs.logs.checkins

    result = doctest.testmod(heavylegs.logs.checkins)
    assert result.attempted >= 5 and result.failed == 0
