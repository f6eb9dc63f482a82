"""wellness.csv, format 1 (spec/wellness.md): reading, checking, writing, merging."""
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from heavylegs.errors import InputError
from heavylegs.logs.wellness import (WELLNESS_COLUMNS, empty_wellness, merge_wellness, read_wellness,
                                     validate_wellness, wellness_from_text, wellness_to_csv_text)

GOOD = """date,source,sleep_h,rhr_bpm,hrv_ms,hrv_kind,sleep_score,readiness,imported_from,mood
2026-03-04,garmin,7,48,62,rmssd,81,70,garmin.zip,good
2026-03-04,apple,6.8,,45.5,sdnn,,,export.zip,
2026-03-05,garmin,,49,,,,,,
"""


def test_reads_the_format_with_types_and_extras(tmp_path):
    path = tmp_path / "wellness.csv"
    path.write_text(GOOD, encoding="utf-8")
    frame = read_wellness(path)
    assert list(frame.columns) == list(WELLNESS_COLUMNS) + ["mood"]
    assert frame["date"].dtype == "datetime64[ns]"
    # sorted by date, then by the order of the sources
    assert list(zip(frame["date"].dt.strftime("%Y-%m-%d"), frame["source"])) == [
        ("2026-03-04", "garmin"), ("2026-03-04", "apple"), ("2026-03-05", "garmin")]
    assert frame.loc[1, "hrv_kind"] == "sdnn" and frame.loc[1, "hrv_ms"] == 45.5
    assert np.isnan(frame.loc[2, "sleep_h"]) and frame.loc[0, "mood"] == "good"


def test_every_bad_cell_is_named_by_line_and_column_and_the_file_is_refused(tmp_path):
    path = tmp_path / "wellness.csv"
    path.write_text("date,source,sleep_h,rhr_bpm,hrv_ms,hrv_kind\n"
                    "2026-03-04,garmin,17,48,62,rmssd\n"
                    "2026-02-30,polar,7,130,,\n"
                    "2026-03-06,suunto,7,50,40,\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_wellness(path)
    lines = [str(p) for p in err.value.problems]
    assert lines == [
        f"{path}:2:3: sleep_h: found 17, expected a number from 0 to 16 [h]",
        f"{path}:3:1: date: found '2026-02-30', which is not a real date, expected a date YYYY-MM-DD",
        f"{path}:3:4: rhr_bpm: found 130, expected a number from 25 to 120 [bpm]",
        f"{path}:4:2: source: found 'suunto', expected one of garmin, apple, fitbit, oura, whoop, polar, csv",
        f"{path}:4:6: hrv_kind: found an empty cell next to hrv_ms 40, expected rmssd or sdnn "
        "(Apple gives SDNN, the others rMSSD)",
    ]


def test_missing_required_columns_and_repeated_headers(tmp_path):
    with pytest.raises(InputError, match="column 'source' is missing"):
        wellness_from_text("date,sleep_h\n2026-03-04,7\n", "w.csv")
    with pytest.raises(InputError, match="column 'sleep_h' appears twice"):
        wellness_from_text("date,source,sleep_h,sleep_h\n2026-03-04,csv,7,7\n", "w.csv")


def test_a_repeated_day_and_source_keeps_the_later_row():
    frame = wellness_from_text("date,source,sleep_h\n2026-03-04,csv,7\n2026-03-04,csv,8\n", "w.csv")
    assert len(frame) == 1 and frame.loc[0, "sleep_h"] == 8


def test_formula_like_cells_are_written_with_a_quote_and_read_back_as_they_were():
    frame = validate_wellness(pd.DataFrame({"date": ["2026-03-04"], "source": ["csv"], "sleep_h": [7.25],
                                            "imported_from": ["=HYPERLINK(\"http://x\")"],
                                            "note": ["+1 tired"]}))
    text = wellness_to_csv_text(frame)
    assert "'=HYPERLINK" in text and ",'+1 tired" in text
    back = wellness_from_text(text, "w.csv")
    assert back.loc[0, "imported_from"] == "=HYPERLINK(\"http://x\")" and back.loc[0, "note"] == "+1 tired"
    assert back.loc[0, "sleep_h"] == 7.25


def _rows(records):
    return validate_wellness(pd.DataFrame(records))


def test_merge_replaces_a_sources_days_and_keeps_other_vendors_and_other_columns():
    existing = _rows([
        {"date": "2026-03-01", "source": "garmin", "sleep_h": 7.0, "hrv_ms": 50, "hrv_kind": "rmssd"},
        {"date": "2026-03-02", "source": "garmin", "sleep_h": 6.0, "hrv_ms": 52, "hrv_kind": "rmssd"},
        {"date": "2026-03-09", "source": "garmin", "hrv_ms": 58, "hrv_kind": "rmssd"},
        {"date": "2026-03-02", "source": "apple", "hrv_ms": 40, "hrv_kind": "sdnn"},
    ])
    # a Garmin HRV file for 1-3 March: HRV replaced there, sleep kept, Apple untouched, 9 March untouched
    new = _rows([
        {"date": "2026-03-01", "source": "garmin", "hrv_ms": 55, "hrv_kind": "rmssd"},
        {"date": "2026-03-03", "source": "garmin", "hrv_ms": 60, "hrv_kind": "rmssd"},
    ])
    merged, changed = merge_wellness(existing, new)
    got = {(d.strftime("%m-%d"), s): (sl, h) for d, s, sl, h in
           merged[["date", "source", "sleep_h", "hrv_ms"]].itertuples(index=False)}
    assert got[("03-01", "garmin")] == (7.0, 55.0)
    assert got[("03-02", "garmin")][0] == 6.0 and np.isnan(got[("03-02", "garmin")][1])
    assert got[("03-03", "garmin")][1] == 60.0
    assert got[("03-09", "garmin")][1] == 58.0
    assert got[("03-02", "apple")][1] == 40.0
    assert changed == 2
    again, changed_again = merge_wellness(merged, new)
    assert changed_again == 0
    pd.testing.assert_frame_equal(again, merged)


_DAYS = pd.date_range("2026-01-01", periods=10).strftime("%Y-%m-%d").tolist()
_row = st.fixed_dictionaries({
    "date": st.sampled_from(_DAYS),
    "source": st.sampled_from(["garmin", "apple", "oura"]),
    "sleep_h": st.one_of(st.none(), st.floats(3, 10).map(lambda x: round(x, 2))),
    "rhr_bpm": st.one_of(st.none(), st.integers(35, 80).map(float)),
})


@settings(max_examples=60, deadline=None)
@given(st.lists(_row, max_size=12), st.lists(_row, max_size=12))
def test_merge_is_idempotent_and_never_touches_another_source(old, new):
    existing = _rows(old) if old else empty_wellness()
    imported = _rows(new) if new else empty_wellness()
    merged, _changed = merge_wellness(existing, imported)
    again, changed = merge_wellness(merged, imported)
    assert changed == 0
    pd.testing.assert_frame_equal(again, merged)
    touched = set(imported["source"])
    for source in {"garmin", "apple", "oura"} - touched:
        before = existing.loc[existing["source"] == source, ["date", "sleep_h", "rhr_bpm"]]
        before = before.loc[before[["sleep_h", "rhr_bpm"]].notna().any(axis=1)].reset_index(drop=True)
        after = merged.loc[merged["source"] == source, ["date", "sleep_h", "rhr_bpm"]].reset_index(drop=True)
        pd.testing.assert_frame_equal(before, after)
    # every value the import gave is in the result
    for record in imported.itertuples(index=False):
        row = merged.loc[(merged["date"] == record.date) & (merged["source"] == record.source)]
        for column in ("sleep_h", "rhr_bpm"):
            value = getattr(record, column)
            if not np.isnan(value):
                assert row[column].iloc[0] == value
