"""Tests of heavylegs.logs.formats against real activity files and synthetic exports.

Reference values come from ``tests/data/LICENSES.md`` (the shared manifest):
fitdecode 0.11 for FIT, gpxpy 1.6.2 for GPX, tcxreader for TCX.
"""
from __future__ import annotations

import csv
import math
import gzip
import io
import os
import shutil
import zipfile
from pathlib import Path

import fitdecode
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from heavylegs.logs.formats import (
    LOG_COLUMNS,
    ImportResult,
    import_sources,
    read_activity_file,
    summary_lines,
)
from heavylegs.logs.formats._common import ReadError, make_row
from heavylegs.logs.formats.fit import decode_fit, fit_activity
from heavylegs.logs.formats.strava import normalise_header, parse_strava_date, read_strava_csv, strava_activity

DATA = Path(__file__).resolve().parents[1] / "data" / "activities"
HEADERS = Path(__file__).resolve().parents[1] / "data" / "strava"

# file -> (activity, distance [m], duration [s], mean HR [bpm] or None)
# Durations: timer time for FIT, gpxpy moving time for GPX, sum of laps for TCX.
REFERENCE = {
    "fitparse__2013-02-06-12-11-14.fit": ("run", 4835.38, 2625.14, 147),
    "fitparse__2019-02-17-062644-ELEMNT-297E-195-0.fit": ("cross", 78940.55, 13471.0, 124),
    # session has no HR: the mean of the records' HR
    "fitparse__activity-small-fenix2-run.fit": ("run", 9008.22, 2832.0, 154.0),
    # no session: record span 16723 s less 6 pauses > 60 s (2294 s) between records
    "fitparse__nick.fit": ("cross", 113550.9, 14429.0, 142.7),
    "fitparse__strava-android-app-201.10-b1218918.fit": ("run", 11274.04, 3558.0, None),
    "gap__12866632127.fit.gz": ("run", 3322.95, 1428.04, None),
    "runpandas__run.fit": ("run", 5839.77, 3164.61, 130),
    "tormoder__mornindew-broken.fit": ("run", 16773.34, 6855.96, 147),
    # GPX without a <type>: no sport recorded, a run by its speed (10-12 km/h; docs/importing.md)
    "runpandas__nike_run.gpx": ("run", 8257.3, 2916.0, 177.8),
    "runpandas__run.gpx": ("run", 4812.2, 1423.0, None),
    "runpandas__strava_export.gpx": ("run", 12608.7, 4553.0, 151.2),
    "runpandas__run.tcx": ("run", 4824.9, 1424.0, None),
    "runpandas__run_garmin.tcx": ("run", 2153.7, 816.0, 142.0),
}
FIT_FILES = sorted(name for name in REFERENCE if ".fit" in name) + [
    "fitparse__activity-large-fenxi2-multisport.fit"]


@pytest.fixture
def cache(tmp_path):
    return tmp_path / "cache"


# --- single files against the reference values ------------------------------

@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_reference_values(name):
    activity, distance_m, duration_s, hr = REFERENCE[name]
    result = read_activity_file(DATA / name)
    assert result.failed == []
    assert len(result.rows) == 1
    row = result.rows[0]
    assert row["activity"] == activity
    assert_allclose(row["distance_km"] * 1000, distance_m, rtol=0.002)
    assert_allclose(row["duration_min"] * 60, duration_s, atol=1.0)
    if hr is None:
        assert row["avg_hr_bpm"] is None
    else:
        assert_allclose(row["avg_hr_bpm"], hr, atol=0.6)
    assert set(row) == set(LOG_COLUMNS)


def test_same_run_as_gpx_and_tcx_agrees_within_one_percent():
    gpx = read_activity_file(DATA / "runpandas__run.gpx").rows[0]
    tcx = read_activity_file(DATA / "runpandas__run.tcx").rows[0]
    assert_allclose(gpx["distance_km"], tcx["distance_km"], rtol=0.01)
    assert_allclose(gpx["duration_min"], tcx["duration_min"], rtol=0.01)
    assert gpx["start_time"] == tcx["start_time"] == "2017-05-27T08:13:01+00:00"


def test_multisport_keeps_running_legs_as_runs_and_the_rest_as_cross():
    rows = read_activity_file(DATA / "fitparse__activity-large-fenxi2-multisport.fit").rows
    # 7 sessions: generic, transition, run, transition, run, transition, cycling
    assert [row["activity"] for row in rows] == ["cross", "run", "run", "cross"]
    assert_allclose([row["distance_km"] * 1000 for row in rows],
                    [25072.07, 2245.23, 12740.37, 28928.27], atol=0.06)
    assert_allclose([row["duration_min"] * 60 for row in rows],
                    [11738.24, 2294.84, 6764.48, 3211.0], atol=0.01)
    # no session carries HR, so each leg gets the mean of its own records
    assert all(120 < row["avg_hr_bpm"] < 180 for row in rows)
    assert rows[1]["start_time"] == "2015-08-29T10:36:00+00:00"
    # activity.local_timestamp is 2 h ahead of UTC
    assert rows[0]["date"] == "2015-08-29"


def test_ride_files_are_cross_training():
    for name in ("fitparse__2019-02-17-062644-ELEMNT-297E-195-0.fit", "fitparse__nick.fit"):
        row = read_activity_file(DATA / name).rows[0]
        assert (row["activity"], row["session_type"]) == ("cross", "cross")


def test_truncated_fit_is_summarised_from_its_records():
    result = read_activity_file(DATA / "fitparse__nick.fit")
    row = result.rows[0]
    assert "totals from 14391 records" in row["notes"]
    assert result.warnings and "ends in the middle of a message" in result.warnings[0][1]
    # pauses are left out, so the moving time is below the 16723 s span
    assert row["duration_min"] * 60 < 16723


def test_misframed_fit_keeps_its_session_totals_and_says_where_it_broke():
    result = read_activity_file(DATA / "fitparse__strava-android-app-201.10-b1218918.fit")
    assert result.failed == []
    assert result.warnings[0][1].startswith("read up to byte 7471")
    assert "undefined local message type 11" in result.rows[0]["notes"]


def test_local_date_comes_from_the_activity_message(tmp_path):
    # mornindew: local_timestamp is 6 h behind UTC, start 14:11 UTC, same day
    row = read_activity_file(DATA / "tormoder__mornindew-broken.fit").rows[0]
    assert (row["date"], row["start_time"]) == ("2019-05-18", "2019-05-18T14:11:39+00:00")


# --- the FIT decoder against fitdecode ---------------------------------------

def _fitdecode_summary(data: bytes):
    records, hr, sessions = 0, [], []
    try:
        with fitdecode.FitReader(io.BytesIO(data), check_crc=fitdecode.CrcCheck.DISABLED) as reader:
            for frame in reader:
                if frame.frame_type != fitdecode.FIT_FRAME_DATA:
                    continue
                if frame.name == "record":
                    records += 1
                    value = frame.get_value("heart_rate", fallback=None)
                    if value:
                        hr.append(value)
                elif frame.name == "session":
                    sessions.append((frame.get_value("total_timer_time", fallback=None),
                                     frame.get_value("total_distance", fallback=None)))
    except (fitdecode.FitError, EOFError):
        pass  # the damaged files: compare what was read before the break
    return records, (sum(hr) / len(hr) if hr else None), sessions


@pytest.mark.parametrize("name", FIT_FILES)
def test_decoder_reads_what_fitdecode_reads(name):
    data = (DATA / name).read_bytes()
    if name.endswith(".gz"):
        data = gzip.decompress(data)
    records, mean_hr, sessions = _fitdecode_summary(data)
    messages = decode_fit(data)["messages"]
    assert len(messages[20]) == records
    ours_hr = [r[3] for r in messages[20] if r.get(3)]
    if mean_hr is None:
        assert ours_hr == []
    else:
        assert_allclose(sum(ours_hr) / len(ours_hr), mean_hr, rtol=1e-9)
    ours = [(s.get(8, 0) / 1000, s.get(9, 0) / 100) for s in messages[18]]
    assert_allclose(ours, sessions, rtol=1e-9)


def test_decoder_refuses_a_file_without_fit_header():
    with pytest.raises(ReadError, match="expected a FIT file header"):
        decode_fit(b"hello, this is not a fit file")


_HEADER = bytes([12, 0x10, 0x6C, 0x08, 0, 0, 0, 0]) + b".FIT"


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_decoder_never_fails_on_arbitrary_bytes_after_a_header(body):
    decoded = decode_fit(_HEADER + body)  # must not raise: stops where it stops
    assert set(decoded["messages"]) == {0, 12, 18, 20, 34}


def test_fit_with_a_header_and_nothing_usable_is_reported(tmp_path):
    path = tmp_path / "hollow.fit"
    path.write_bytes(_HEADER + bytes([0x05, 0x01, 0x02]))
    result = read_activity_file(path)
    assert result.rows == []
    assert "no usable session or records" in result.failed[0][1]
    assert "undefined local message type 5" in result.failed[0][1]


def test_fit_cut_in_half_imports_from_its_records():
    data = (DATA / "runpandas__run.fit").read_bytes()
    decoded = decode_fit(data[: len(data) // 2])
    assert decoded["stopped"] and decoded["messages"][18] == []
    assert len(decoded["messages"][20]) > 100


@pytest.mark.parametrize("sport, sub_sport, expected", [
    (1, 0, ("run", None)), (1, 3, ("run", "trail")), (1, 1, ("run", "treadmill")),
    (4, 1, ("run", "treadmill")), (10, 20, ("strength", None)), (4, 20, ("strength", None)),
    (2, 0, ("cross", None)), (5, None, ("cross", None)), (0, None, ("cross", None)),
    (3, None, None), (25, None, "golf"), (10, 43, "yoga"),
])
def test_fit_sport_mapping(sport, sub_sport, expected):
    assert fit_activity(sport, sub_sport) == expected


# --- the Strava bulk export ---------------------------------------------------

def _export(folder: Path, csv_name="gap__activities.csv") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(DATA / csv_name, folder / "activities.csv")
    (folder / "activities").mkdir(exist_ok=True)
    shutil.copy(DATA / "gap__12866632127.fit.gz", folder / "activities" / "12866632127.fit.gz")
    return folder


def _zip(folder: Path, target: Path) -> Path:
    with zipfile.ZipFile(target, "w") as archive:
        for path in sorted(folder.rglob("*")):
            archive.write(path, path.relative_to(folder))
    return target


def test_real_export_folder_and_zip_read_from_activities_csv(tmp_path, cache):
    folder = _export(tmp_path / "export")
    for source in (folder, _zip(folder, tmp_path / "export.zip")):
        result = import_sources([source], cache_dir=cache, use_cache=False)
        assert result.failed == [] and result.sessions == 1
        row = result.log.iloc[0]
        assert row["date"] == pd.Timestamp("2022-05-29")
        assert row["start_time"] == "2022-05-29T15:53:35+00:00"  # Activity Date is UTC
        assert row["activity"] == "run"
        assert_allclose(row["distance_km"], 3.32295, atol=1e-5)  # second Distance, metres
        assert_allclose(row["duration_min"] * 60, 1411.0)  # Moving Time, not 1428
        assert row["source"] == f"{source}#12070555079"
        assert row["notes"] == "Laufen Landal Park"


def test_export_and_its_own_fit_file_count_once(tmp_path, cache):
    folder = _export(tmp_path / "export")
    result = import_sources([folder, folder / "activities" / "12866632127.fit.gz"], cache_dir=cache)
    assert (result.sessions, result.duplicates_skipped) == (1, 1)
    # Of one session the richer recording is kept: neither has heart rate, and the watch's file
    # (timer time) is longer than the export's Moving Time (1411 s).
    row = result.log.iloc[0]
    assert row["source"].endswith("12866632127.fit.gz") and row["duration_min"] * 60 > 1411.0
    result = import_sources([folder / "activities" / "12866632127.fit.gz", folder], cache_dir=cache)
    assert result.log.iloc[0]["source"].endswith("12866632127.fit.gz")  # whatever the order given


def _header(name):
    text = (HEADERS / name).read_text(encoding="utf-8").strip()
    return next(csv.reader([text]))


def _csv(header, rows, columns=None) -> bytes:
    """A csv under ``header``; each row maps (normalised name, occurrence) or name to text."""
    keys, seen = [], {}
    for cell in (columns or header):
        name = normalise_header(cell)
        keys.append((name, seen.get(name, 0)))
        seen[name] = seen.get(name, 0) + 1
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for values in rows:
        cells = []
        for key in keys:
            cells.append(values.get(key, values.get(key[0], "") if key[1] == 0 else ""))
        writer.writerow(cells)
    return out.getvalue().encode("utf-8")


def _english_row(changes=None, **more):
    row = {"activity id": "101", "activity date": "May 29, 2022, 3:53:35 PM",
           "activity name": "Morning, run", "activity type": "Run",
           ("elapsed time", 0): "3700", ("distance", 0): "10.02",
           ("elapsed time", 1): "3700.0", "moving time": "3600.0",
           ("distance", 1): "10020.5", "average heart rate": "151.5",
           "elevation gain": "88.0", "type": "not the activity type"}
    row.update(changes or {})
    row.update(more)
    return row


@pytest.mark.parametrize("header_file", [
    "header_en_79cols_export-2021-07_excel-resaved.txt",
    "header_en_92cols_export-2024-06.txt",
    "header_en_94cols_export-2024-08.txt",
    "header_en_99cols_export-2025-12.txt",
])
def test_english_headers_map_the_right_columns(header_file):
    header = _header(header_file)
    result = read_strava_csv(_csv(header, [_english_row()]), "activities.csv")
    assert result.failed == []
    row = result.rows[0]
    assert (row["activity"], row["date"], row["start_time"]) == (
        "run", "2022-05-29", "2022-05-29T15:53:35+00:00")
    assert_allclose([row["distance_km"], row["duration_min"], row["avg_hr_bpm"],
                     row["elevation_gain_m"]], [10.0205, 60.0, 151.5, 88.0])
    assert row["source"] == "activities.csv#101"


def test_html_and_translation_missing_headers_are_cleaned():
    html = ('<span class="translation_missing" title="translation missing: en-US.lib.export.'
            'portability_exporter.activities.horton_values.start_time">Start Time</span>')
    assert normalise_header(html) == "start time"
    plain = "translation missing: en-GB.lib.export.portability_exporter.activities.horton_values.type"
    assert normalise_header(plain) == "type"
    assert normalise_header("\ufeffActivity ID") == "activity id"


def test_99_columns_read_rpe_race_and_long_run():
    header = _header("header_en_99cols_export-2025-12.txt")
    rows = [_english_row({"perceived exertion": "7.0", "competition": "1.0"}),
            _english_row({"activity date": "May 30, 2022, 6:00:00 AM", "long run": "1.0"})]
    result = read_strava_csv(_csv(header, rows), "activities.csv")
    assert [r["session_type"] for r in result.rows] == ["race", "long"]
    assert result.rows[0]["rpe"] == 7.0 and result.rows[1]["rpe"] is None


def test_german_export_with_decimal_commas():
    english = _header("header_en_99cols_export-2025-12.txt")
    german_names = {"Activity ID": "Aktivitäts-ID", "Activity Date": "Aktivitätsdatum",
                    "Activity Name": "Name der Aktivität", "Activity Type": "Aktivitätsart",
                    "Elapsed Time": "Verstrichene Zeit", "Distance": "Distanz",
                    "Moving Time": "Bewegungszeit", "Elevation Gain": "Höhenzunahme",
                    "Average Heart Rate": "Durchschnittliche Herzfrequenz",
                    "Max Heart Rate": "Max. Herzfrequenz", "Filename": "Dateiname"}
    header = [german_names.get(name, name) for name in english]
    row = {"activity id": "7", "activity date": "09.12.2022, 15:24:49", "activity type": "Lauf",
           ("elapsed time", 0): "3100", ("distance", 0): "9,44", ("elapsed time", 1): "3100,0",
           "moving time": "3000,0", ("distance", 1): "9440,5", "average heart rate": "144,5",
           "elevation gain": "1.204,0"}
    result = read_strava_csv(_csv(header, [row]), "aktivitaeten.csv")
    assert result.failed == []
    out = result.rows[0]
    assert (out["activity"], out["start_time"]) == ("run", "2022-12-09T15:24:49+00:00")
    assert_allclose([out["distance_km"], out["duration_min"], out["avg_hr_bpm"],
                     out["elevation_gain_m"]], [9.4405, 50.0, 144.5, 1204.0])


def test_pre_2019_lowercase_header_has_metres_and_elapsed_time():
    text = ("id,date,name,type,description,elapsed_time,distance,commute,gear,filename\n"
            "55,2018-09-12 15:02:23,Lunch,Run,,1800,5000.0,false,,activities/55.gpx\n"
            "56,2018-09-13 07:00:00,Spin,Ride,,3600,20000.0,false,,\n")
    result = read_strava_csv(text.encode(), "old.csv")
    assert [(r["activity"], r["distance_km"], r["duration_min"]) for r in result.rows] == [
        ("run", 5.0, 30.0), ("cross", 20.0, 60.0)]
    assert result.rows[0]["start_time"] == "2018-09-12T15:02:23+00:00"


def test_single_display_distance_is_kilometres():
    text = ("Activity ID,Activity Date,Activity Name,Activity Type,Elapsed Time,Distance\n"
            '1,"Sep 12, 2018, 3:02:23 PM",x,Run,1800,5.01\n')
    assert read_strava_csv(text.encode(), "a.csv").rows[0]["distance_km"] == 5.01


@pytest.mark.parametrize("strava_type, expected", [
    ("Run", ("run", None, None)), ("Trail Run", ("run", "trail", None)),
    ("TrailRun", ("run", "trail", None)), ("Virtual Run", ("run", "treadmill", None)),
    ("Weight Training", ("strength", None, None)), ("Workout", ("strength", None, None)),
    ("Crossfit", ("strength", None, None)), ("Ride", ("cross", None, None)),
    ("Nordic Ski", ("cross", None, None)), ("Swim", ("cross", None, None)),
    ("Elliptical", ("cross", None, None)), ("Lauf", ("run", None, None)),
    ("Golf", "Golf"), ("Yoga", "Yoga"),
])
def test_strava_type_mapping(strava_type, expected):
    assert strava_activity(strava_type) == expected


def test_unknown_strava_type_is_cross_with_a_note():
    activity, surface, note = strava_activity("Underwater Hockey")
    assert activity == "cross" and "Underwater Hockey" in note


def test_bad_rows_are_reported_by_line_and_skipped():
    header = _header("header_en_94cols_export-2024-08.txt")
    rows = [
        _english_row({"activity description": "two\nlines"}),            # line 2-3
        _english_row({"activity date": ""}),                                # line 4
        _english_row({"moving time": "", ("elapsed time", 1): "", ("elapsed time", 0): ""}),
        _english_row({"activity type": "Golf"}),                            # skipped on purpose
        _english_row({"moving time": "abc"}),                               # line 7
        _english_row({"activity date": "May 31, 2022, 7:00:00 AM"}),        # line 8, good
    ]
    columns = None
    result = read_strava_csv(_csv(header, rows, columns), "x/activities.csv")
    assert len(result.rows) == 2
    where = [w for w, _ in result.failed]
    assert where == ["x/activities.csv:4", "x/activities.csv:5", "x/activities.csv:7"]
    assert "Activity Date" in result.failed[0][1]
    assert "Moving Time" in result.failed[1][1]
    assert "found 'abc'" in result.failed[2][1]
    assert result.skipped == {"Golf": 1}


def test_csv_without_the_needed_columns_is_reported():
    result = read_strava_csv(b"a,b,c\n1,2,3\n", "notstrava.csv")
    assert result.rows == [] and "Activity Date or Activity Type" in result.failed[0][1]


@pytest.mark.parametrize("text, expected", [
    ("May 29, 2022, 3:53:35 PM", "2022-05-29T15:53:35+00:00"),
    ("May 29, 2022, 12:03:35 AM", "2022-05-29T00:03:35+00:00"),
    ("22 May 2024, 08:19:26", "2024-05-22T08:19:26+00:00"),
    ("09.12.2022, 15:24:49", "2022-12-09T15:24:49+00:00"),
    ("2018-09-12 15:02:23", "2018-09-12T15:02:23+00:00"),
    ("7/15/2021 14:02", "2021-07-15T14:02:00+00:00"),
    ("15/7/2021 14:02", "2021-07-15T14:02:00+00:00"),
    ("3. Mär. 2023, 06:00:00", "2023-03-03T06:00:00+00:00"),
])
def test_strava_dates(text, expected):
    assert parse_strava_date(text).isoformat() == expected


@pytest.mark.parametrize("text", ["", "yesterday", "Foo 29, 2022, 3:53:35 PM", "31.02.2022, 10:00:00",
                                  "May 29, 2022, 13:00:00 PM"])
def test_bad_strava_dates_raise(text):
    with pytest.raises(ValueError, match="expected a date"):
        parse_strava_date(text)


# --- folders, bad files, duplicates, cache ------------------------------------

def test_folder_with_good_and_corrupt_files(tmp_path, cache):
    folder = tmp_path / "mixed"
    (folder / "sub").mkdir(parents=True)
    shutil.copy(DATA / "runpandas__run.fit", folder / "good.fit")
    shutil.copy(DATA / "runpandas__run_garmin.tcx", folder / "sub" / "good.tcx")
    (folder / "garbage.fit").write_bytes(os.urandom(300))
    (folder / "empty.gpx").write_bytes(b"")
    (folder / "broken.tcx").write_text("this is not XML at all")
    (folder / "notes.txt").write_text("ignored: not an activity file")
    result = import_sources([folder], cache_dir=cache)
    assert result.sessions == 2 and result.files_read == 2
    reasons = {Path(where).name: reason for where, reason in result.failed}
    assert set(reasons) == {"garbage.fit", "empty.gpx", "broken.tcx"}
    assert "FIT file header" in reasons["garbage.fit"]
    assert "empty" in reasons["empty.gpx"]
    assert "not well-formed XML" in reasons["broken.tcx"]
    text = "\n".join(summary_lines(result))
    assert "Imported 2 sessions from 2 inputs" in text and "garbage.fit" in text


def test_gzip_is_recognised_by_content_not_name(tmp_path):
    zipped = tmp_path / "track.gpx"  # gzipped but not named .gz
    zipped.write_bytes(gzip.compress((DATA / "runpandas__strava_export.gpx").read_bytes()))
    plain = tmp_path / "plain.fit.gz"  # named .gz but not gzipped
    shutil.copy(DATA / "runpandas__run.fit", plain)
    assert read_activity_file(zipped).rows[0]["activity"] == "run"
    assert read_activity_file(plain).rows[0]["activity"] == "run"
    broken = tmp_path / "broken.fit.gz"
    broken.write_bytes(gzip.compress(b"x" * 1000)[:20])
    assert "gzip" in read_activity_file(broken).failed[0][1]


def test_missing_source_and_zip_without_csv_are_reported(tmp_path, cache):
    empty_zip = tmp_path / "other.zip"
    with zipfile.ZipFile(empty_zip, "w") as archive:
        archive.writestr("readme.txt", "no activities here")
    not_zip = tmp_path / "fake.zip"
    not_zip.write_text("not a zip")
    result = import_sources([tmp_path / "nope", empty_zip, not_zip], cache_dir=cache)
    assert result.sessions == 0 and isinstance(result, ImportResult)
    assert [reason for _, reason in result.failed] == [
        "no such file or folder",
        "found no activities.csv in the zip, expected a Strava export",
        "not a valid zip file, expected a Strava export .zip"]
    assert list(result.log.columns) == list(LOG_COLUMNS)


def test_duplicates_are_kept_once(tmp_path, cache):
    shutil.copy(DATA / "runpandas__run.fit", tmp_path / "copy.fit")
    result = import_sources([DATA / "runpandas__run.fit", tmp_path / "copy.fit"], cache_dir=cache)
    assert (result.sessions, result.duplicates_skipped) == (1, 1)
    assert "1 duplicate session" in summary_lines(result)[2]


def test_log_is_sorted_by_date_and_typed(cache):
    names = ["runpandas__run.tcx", "runpandas__run.fit", "fitparse__2013-02-06-12-11-14.fit"]
    log = import_sources([DATA / n for n in names], cache_dir=cache).log
    assert list(log.columns) == list(LOG_COLUMNS)
    assert log["date"].is_monotonic_increasing
    assert pd.api.types.is_datetime64_any_dtype(log["date"])
    assert log["duration_min"].dtype == "float64"


def test_many_files_in_two_workers_match_serial_reading(tmp_path, cache):
    names = sorted(REFERENCE) * 2  # 26 files: above the parallel threshold
    folder = tmp_path / "many"
    folder.mkdir()
    for index, name in enumerate(names):
        shutil.copy(DATA / name, folder / f"{index:02d}_{name}")
    calls = []
    parallel = import_sources([folder], workers=2, use_cache=False,
                              progress=lambda done, total: calls.append((done, total)))
    serial = import_sources([folder], workers=1, use_cache=False)
    pd.testing.assert_frame_equal(parallel.log, serial.log)
    # 13 twins, and run.gpx (no sport recorded, a run by its speed) is run.tcx's twin: 14
    assert parallel.duplicates_skipped == 14
    assert calls[-1] == (26, 26) and len(calls) == 26


def test_cache_returns_the_same_log(tmp_path, cache):
    folder = _export(tmp_path / "export")
    sources = [folder, DATA / "runpandas__run.gpx", DATA / "fitparse__nick.fit"]
    first = import_sources(sources, cache_dir=cache)
    second = import_sources(sources, cache_dir=cache)
    assert (first.from_cache, second.from_cache) == (0, 3)
    pd.testing.assert_frame_equal(first.log, second.log)
    assert second.warnings == first.warnings
    # a changed activities.csv is read again
    csv_path = folder / "activities.csv"
    csv_path.write_text(csv_path.read_text().replace("Laufen Landal Park", "Renamed"))
    third = import_sources(sources, cache_dir=cache)
    assert third.from_cache == 2 and "Renamed" in third.log["notes"].tolist()


def test_cache_finds_a_copied_export_by_content(tmp_path, cache):
    folder = _export(tmp_path / "export")
    first = import_sources([_zip(folder, tmp_path / "a.zip")], cache_dir=cache)
    second = import_sources([_zip(folder, tmp_path / "b.zip")], cache_dir=cache)
    assert (first.from_cache, second.from_cache) == (0, 1)
    assert second.log.iloc[0]["source"] == f"{tmp_path / 'b.zip'}#12070555079"


def test_damaged_cache_entry_is_read_again(tmp_path, cache):
    import_sources([DATA / "runpandas__run.gpx"], cache_dir=cache)
    for entry in cache.glob("*.json"):
        entry.write_text("{not json")
    again = import_sources([DATA / "runpandas__run.gpx"], cache_dir=cache)
    assert again.from_cache == 0 and again.sessions == 1


def test_cache_dir_defaults_to_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("HEAVYLEGS_CACHE_DIR", str(tmp_path / "envcache"))
    import_sources([DATA / "runpandas__run.gpx"])
    assert list((tmp_path / "envcache").glob("stat-*.json"))


# --- row checks ----------------------------------------------------------------

def test_make_row_rejects_impossible_durations_and_drops_bad_values():
    with pytest.raises(ReadError, match="at most 1440 min"):
        make_row(start_utc=None, date_text="2024-01-01", activity="run",
                 duration_s=25 * 3600, source="x")
    with pytest.raises(ReadError, match="duration > 0"):
        make_row(start_utc=None, date_text="2024-01-01", activity="run", duration_s=0, source="x")
    row = make_row(start_utc=None, date_text="2024-01-01", activity="cross", duration_s=600,
                   distance_m=600_000, avg_hr=300, rpe=12, source="x")
    assert (row["distance_km"], row["avg_hr_bpm"], row["rpe"]) == (None, None, None)
    assert "600.0 km" in row["notes"] and row["session_type"] == "cross"


def test_summary_lines_list_skipped_types_and_damaged_files(tmp_path, cache):
    header = _header("header_en_92cols_export-2024-06.txt")
    export = tmp_path / "e"
    export.mkdir()
    (export / "activities.csv").write_bytes(_csv(header, [
        _english_row(), _english_row({"activity type": "Golf", "activity date": "June 1, 2022, 9:00:00 AM"})]))
    result = import_sources([export, DATA / "fitparse__nick.fit"], cache_dir=cache)
    lines = summary_lines(result)
    assert "Left out 1 activity with no training load: Golf 1." in lines
    assert any("fitparse__nick.fit: read up to byte" in line for line in lines)
    assert lines[-1] == "Every file could be read."


def test_the_importers_drop_duplicates_by_the_shared_session_rule():
    from heavylegs.logs.formats import _drop_duplicates

    def row(day, start, activity="run", duration=30.0, distance=5.0, source="a"):
        return {"date": day, "activity": activity, "duration_min": duration, "distance_km": distance,
                "start_time": start, "source": source}

    rows = [row("2026-07-01", "2026-07-01T05:00:10+00:00"),
            row("2026-07-01", "2026-07-01T07:00:50+02:00", source="b"),  # same instant and minute
            row("2026-07-01", "2026-07-01T05:00:10+00:00", activity="cross"),
            row("2026-07-02", None), row("2026-07-02", None, source="c"),  # no start, same numbers
            row("2026-07-02", None, distance=6.0)]
    kept, dropped = _drop_duplicates(rows)
    assert dropped == 2
    assert [(r["activity"], r["source"], r["distance_km"]) for r in kept] == [
        ("run", "a", 5.0), ("cross", "a", 5.0), ("run", "a", 5.0), ("run", "a", 6.0)]
    assert _drop_duplicates([]) == ([], 0)

# ---------------------------------------------------------------------------
# Bad input (issue 9): caps, odd files, one bad file never stops the others

import bad_input_corpus as corpus  # noqa: E402
from heavylegs.logs.formats._common import (  # noqa: E402
    MAX_ACTIVITY_BYTES, MAX_EXPORT_CSV_BYTES, MAX_TRACK_POINTS, MAX_XML_DEPTH, MAX_XML_ELEMENTS,
    check_xml, gunzip_limited, read_bytes,
)
from heavylegs.logs.formats.fit import MAX_FIT_MESSAGES  # noqa: E402
from heavylegs.logs.formats.strava import export_csv_bytes  # noqa: E402

GOOD_FIT = DATA / "fitparse__2013-02-06-12-11-14.fit"
GOOD_CSV = (DATA / "gap__activities.csv").read_text(encoding="utf-8")


def test_caps_are_sized_above_the_largest_real_files():
    # Bytes a point of the sample files: up to 290 as GPX, 730 as TCX; a day at 1 s is 86,400 points.
    for name, per_point in (("runpandas__strava_export.gpx", 290), ("runpandas__run_garmin.tcx", 730)):
        text = (DATA / name).read_text(encoding="utf-8")
        points = text.count("<trkpt") + text.count("<Trackpoint>")
        assert (DATA / name).stat().st_size / points <= per_point
    assert MAX_ACTIVITY_BYTES >= 2 * 730 * 86_400   # a day-long TCX, twice over
    assert MAX_EXPORT_CSV_BYTES >= 10 * 10e6        # 10 MB per 10,000 activities: room for 100,000
    assert 10 < MAX_XML_DEPTH <= 100
    assert MAX_TRACK_POINTS > 86_400 and MAX_XML_ELEMENTS > 12 * MAX_TRACK_POINTS
    assert MAX_FIT_MESSAGES > 86_400


def test_too_many_points_or_messages_are_refused(tmp_path):
    gpx = tmp_path / "points.gpx"
    gpx.write_bytes(corpus.many_points_gpx(MAX_TRACK_POINTS + 1))
    assert read_activity_file(gpx).failed == [(str(gpx), "holds more than 150,000 track points, expected "
                                                         "one activity of at most 24 h (86,400 points at "
                                                         "one a second)")]
    fit = tmp_path / "tiny.fit"
    fit.write_bytes(corpus.tiny_message_fit(MAX_FIT_MESSAGES + 1))
    assert read_activity_file(fit).failed == [(str(fit), "holds more than 500,000 messages of one kind, "
                                                         "expected one activity (a day at one record per "
                                                         "second is 86,400)")]
    fit.write_bytes(corpus.tiny_message_fit(100))  # the same file, small, is read
    assert read_activity_file(fit).failed[0][1].startswith("no usable session")


def test_gzip_bomb_is_refused_after_the_cap_not_read_whole(tmp_path):
    bomb = tmp_path / "bomb.fit.gz"
    corpus._gzip_bomb(bomb, 2**30)
    assert bomb.stat().st_size < 2**21  # a 1 GiB bomb in under 2 MiB
    with pytest.raises(ReadError, match=r"unpacks to more than 128 MiB, expected an activity file"):
        read_bytes(bomb)
    with pytest.raises(ReadError, match=r"unpacks to more than 10 bytes"):
        gunzip_limited(gzip.compress(bytes(11)), 10)
    assert gunzip_limited(gzip.compress(bytes(10)), 10) == bytes(10)


@pytest.mark.parametrize("data, reason", [
    (gzip.compress(b"<gpx>")[:-4], "damaged gzip stream"),
    (b"\x1f\x8b" + bytes(30), "damaged gzip stream"),
])
def test_damaged_gzip_is_a_read_error(tmp_path, data, reason):
    path = tmp_path / "a.gpx.gz"
    path.write_bytes(data)
    with pytest.raises(ReadError, match=reason):
        read_bytes(path)


def test_only_regular_files_are_read_and_the_rest_still_imports(tmp_path):
    os.mkfifo(tmp_path / "a.gpx")
    (tmp_path / "z.fit").symlink_to("/dev/zero")
    with open(tmp_path / "big.fit", "wb") as handle:
        handle.truncate(MAX_ACTIVITY_BYTES + 2**20)
    shutil.copy(GOOD_FIT, tmp_path / "run.fit")
    result = import_sources([tmp_path], use_cache=False)
    assert result.sessions == 1
    assert sorted(result.failed) == [
        (str(tmp_path / "a.gpx"), "is a named pipe (FIFO), expected a regular file"),
        (str(tmp_path / "big.fit"), "is 129 MiB, expected an activity file of at most 128 MiB"),
        (str(tmp_path / "z.fit"), "is a character device (through a link to /dev/zero), "
                                  "expected a regular file"),
    ]


def test_two_links_to_one_file_are_reported_under_their_own_names(tmp_path):
    (tmp_path / "a.fit").symlink_to("/dev/zero")
    (tmp_path / "b.fit").symlink_to("/dev/zero")
    result = import_sources([tmp_path / "a.fit", tmp_path / "b.fit"], cache_dir=tmp_path / "cache")
    assert [where for where, _ in result.failed] == [str(tmp_path / "a.fit"), str(tmp_path / "b.fit")]


@pytest.mark.parametrize("depth, ok", [(MAX_XML_DEPTH, True), (MAX_XML_DEPTH + 1, False), (100000, False)])
def test_xml_depth_is_capped(depth, ok):
    text = "<a>" * depth + "</a>" * depth
    if ok:
        check_xml(text, "GPX")
    else:
        with pytest.raises(ReadError, match=f"nests elements more than {MAX_XML_DEPTH} deep"):
            check_xml(text, "GPX")


def test_xml_entities_are_refused(tmp_path):
    laughs = ('<?xml version="1.0"?><!DOCTYPE g [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
              '<gpx><trk><name>&b;</name></trk></gpx>')
    path = tmp_path / "laughs.gpx"
    path.write_text(laughs, encoding="utf-8")
    assert read_activity_file(path).failed == [(str(path), "declares the XML entity 'a', expected a GPX "
                                                           "file (they declare none)")]


@pytest.mark.parametrize("year", ["0001", "1899", "2101", "9999"])
def test_dates_out_of_range_fail_one_file_only(tmp_path, year):
    text = (DATA / "runpandas__run.gpx").read_text(encoding="utf-8")
    start = text[text.index("<time>") + 6:][:4]
    bad = tmp_path / "bad.gpx"
    bad.write_text(text.replace(f">{start}-", f">{year}-"), encoding="utf-8")
    result = import_sources([bad, GOOD_FIT], use_cache=False)
    assert result.sessions == 1
    ((where, reason),) = result.failed
    assert where == str(bad) and "expected a date from 1900-01-01 to 2100-12-31" in reason


def test_make_row_refuses_dates_out_of_range():
    with pytest.raises(ReadError, match=r"session date: found 2101-01-01, expected a date from 1900"):
        make_row(start_utc=None, date_text="2101-01-01", activity="run", duration_s=60, source="x")


def _strava_export(tmp_path, rows, name="activities.csv"):
    folder = tmp_path / "export"
    folder.mkdir()
    header = GOOD_CSV.splitlines()[0]
    (folder / name).write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return folder


def test_strava_rows_out_of_range_or_with_foreign_digits_fail_by_line(tmp_path):
    good = GOOD_CSV.splitlines()[1]
    future = good.replace("May 29, 2022, 3:53:35 PM", "May 29, 9999, 3:53:35 PM")
    arabic = good.replace(",1411.0,", ",١٤١١,", 1)  # Moving Time
    folder = _strava_export(tmp_path, [future, arabic, good])
    result = import_sources([folder], use_cache=False)
    assert result.sessions == 1
    csv_name = str(folder / "activities.csv")
    assert [(where, reason.split(":")[0]) for where, reason in result.failed] == [
        (f"{csv_name}:2", "session date"), (f"{csv_name}:3", "Moving Time")]


def test_zip_bomb_is_refused_by_its_declared_size(tmp_path):
    bomb = tmp_path / "bomb.zip"
    bomb.write_bytes(corpus._zip_bytes("activities.csv", corpus._deflate_zeros(2 * 2**30), 2 * 2**30))
    assert bomb.stat().st_size < 2**23
    with pytest.raises(ReadError, match=r"activities.csv unpacks to 2048 MiB, expected a Strava "
                                        r"activities.csv of at most 128 MiB"):
        export_csv_bytes(bomb)


def test_zip_that_lies_about_its_size_is_read_no_further_than_the_cap(tmp_path):
    liar = tmp_path / "liar.zip"
    liar.write_bytes(corpus._zip_bytes("activities.csv", corpus._deflate_zeros(256 * 2**20), 1000))
    with pytest.raises(ReadError, match="damaged zip file"):
        export_csv_bytes(liar)


@pytest.mark.parametrize("patch, reason", [
    ({"flags": 1}, r"cannot read the zip \(.*encrypted.*\); export it again without a password"),
    ({"method": 9}, r"cannot read the zip \(.*not supported.*\); re-pack it with ordinary Deflate"),
])
def test_encrypted_or_deflate64_zip_fails_alone(tmp_path, patch, reason):
    archive = tmp_path / "export.zip"
    archive.write_bytes(corpus._patch_zip(corpus._small_zip(GOOD_CSV), **patch))
    result = import_sources([archive, GOOD_FIT], use_cache=False)
    assert result.sessions == 1
    ((where, message),) = result.failed
    assert where == str(archive)
    assert __import__("re").search(reason, message), message


def test_truncated_zip_fails_alone(tmp_path):
    data = corpus._small_zip(GOOD_CSV)
    archive = tmp_path / "export.zip"
    archive.write_bytes(data[: len(data) - 30])
    result = import_sources([archive, GOOD_FIT], use_cache=False)
    assert result.sessions == 1 and result.failed[0][0] == str(archive)


@pytest.mark.parametrize("kind", ["fifo", "devzero"])
def test_export_folder_whose_csv_is_not_a_file_is_refused(tmp_path, kind):
    folder = tmp_path / "export"
    folder.mkdir()
    if kind == "fifo":
        os.mkfifo(folder / "activities.csv")
    else:
        (folder / "activities.csv").symlink_to("/dev/zero")
    result = import_sources([folder], use_cache=False)
    assert result.sessions == 0
    ((where, reason),) = result.failed
    assert where == str(folder) and "expected a regular file" in reason


@pytest.mark.parametrize("name, written", [
    ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"), ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
    ("-5 min warm-up", "'-5 min warm-up"), ("+1", "+1"),  # a plain number runs nothing
])
def test_strava_names_reach_the_log_as_text_never_as_formulas(tmp_path, name, written):
    from heavylegs.logs.traininglog import read_log, write_log

    cells = next(csv.reader([GOOD_CSV.splitlines()[1]]))
    cells[2] = name
    buffer = io.StringIO()
    csv.writer(buffer).writerow(cells)
    folder = _strava_export(tmp_path, [buffer.getvalue().strip()])
    log = import_sources([folder], use_cache=False).log
    path = write_log(log, tmp_path / "log.csv")
    assert next(csv.DictReader(open(path, encoding="utf-8", newline="")))["notes"] == written
    assert read_log(path)["notes"].tolist() == [name]


@settings(max_examples=150, deadline=None)
@given(data=st.binary(max_size=400), ext=st.sampled_from([".fit", ".gpx", ".tcx", ".fit.gz", ".zip"]))
def test_any_bytes_are_a_session_or_a_reason(tmp_path_factory, data, ext):
    path = tmp_path_factory.mktemp("any") / f"x{ext}"
    path.write_bytes(data)
    result = import_sources([path], use_cache=False)
    assert result.sessions + len(result.failed) + sum(result.skipped.values()) >= 1
    assert all(where.startswith(str(path)) for where, _ in result.failed)

# --- device-load columns: heart-rate histogram, maximum, grade-adjusted distance ---

from heavylegs.logs.traininglog import parse_histogram  # noqa: E402
from heavylegs.metrics.pace import gap_factor, grade_adjusted_distance  # noqa: E402

_GPX_POINT = ('<trkpt lat="{lat:.7f}" lon="0"><ele>{ele}</ele><time>2026-03-01T08:{m:02d}:{s:02d}Z</time>'
              '<extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>{hr}</gpxtpx:hr>'
              '</gpxtpx:TrackPointExtension></extensions></trkpt>')


def _gpx(points) -> str:
    body = "".join(_GPX_POINT.format(lat=lat, ele=ele, m=t // 60, s=t % 60, hr=hr) for t, lat, ele, hr in points)
    return ('<?xml version="1.0"?><gpx version="1.1" creator="test" '
            'xmlns="http://www.topografix.com/GPX/1/1" '
            'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">'
            f'<trk><type>running</type><trkseg>{body}</trkseg></trk></gpx>')


def test_gpx_writes_histogram_maximum_and_grade_adjusted_distance(tmp_path):
    # 1° of latitude / 100,000: 1.11 m a step; every 10 s, 25 steps = 27.8 m a point, 10 % uphill.
    step = 25e-5
    metres = 6_371_008.8 * math.radians(step)
    points = [(10 * i, i * step, round(0.1 * metres * i, 3), 140 + (i >= 5) * 10) for i in range(10)]
    points.append((200, 10 * step, round(0.1 * metres * 10, 3), 180))  # after a 110 s pause
    path = tmp_path / "hill.gpx"
    path.write_text(_gpx(points), encoding="utf-8")
    row = read_activity_file(path).rows[0]
    assert row["hr_histogram"] == "140:50 150:40"   # the last point before the pause counts 0
    assert row["max_hr_bpm"] == 180
    assert_allclose(row["gap_distance_km"], 10 * metres * gap_factor(10.0) / 1000, rtol=1e-4)


def test_gpx_without_elevation_has_gap_equal_to_distance(tmp_path):
    text = _gpx([(10 * i, i * 25e-5, 0, 140) for i in range(10)]).replace("<ele>0</ele>", "")
    path = tmp_path / "flat.gpx"
    path.write_text(text, encoding="utf-8")
    row = read_activity_file(path).rows[0]
    assert row["gap_distance_km"] == row["distance_km"]


def test_tcx_histogram_and_gap_from_track_points():
    row = read_activity_file(DATA / "runpandas__run_garmin.tcx").rows[0]
    histogram = parse_histogram(row["hr_histogram"])
    # 823 s between track points with a heart rate, against 816 s of lap timer time.
    assert sum(histogram.values()) == 823 and (min(histogram), max(histogram)) == (112, 153)
    assert row["max_hr_bpm"] == 153
    assert 0.9 < row["gap_distance_km"] / row["distance_km"] < 1.2


def test_fit_histogram_and_gap_agree_with_the_records():
    name = "runpandas__run.fit"
    data = (DATA / name).read_bytes()
    session = decode_fit(data)["messages"][18][0]
    start, stop = session[2], session[2] + session[7] / 1000   # start_time + total_elapsed_time
    records = sorted((r for r in decode_fit(data)["messages"][20] if 253 in r and start <= r[253] <= stop),
                     key=lambda r: r[253])
    row = read_activity_file(DATA / name).rows[0]
    histogram = parse_histogram(row["hr_histogram"])
    # Every second between records (pauses over 60 s excepted) at the record's heart rate.
    times = [r[253] for r in records]
    expected = sum(b - a for a, b, r in zip(times, times[1:], records) if 0 < b - a <= 60 and r.get(3, 0) >= 30)
    assert_allclose(sum(histogram.values()), expected)
    gap = grade_adjusted_distance([r.get(5, float("nan")) / 100 for r in records],
                                  [(r[78] if 78 in r else r.get(2, float("nan"))) / 5 - 500 for r in records])
    assert_allclose(row["gap_distance_km"], gap, rtol=1e-6)
    assert row["max_hr_bpm"] == 160   # the session's own max_heart_rate


def test_strava_reads_max_heart_rate_and_relative_effort():
    header = _header("header_en_99cols_export-2025-12.txt")
    rows = [_english_row({("max heart rate", 1): "181.0", ("relative effort", 1): "57.0"}),
            _english_row({"activity date": "May 30, 2022, 6:00:00 AM"})]
    result = read_strava_csv(_csv(header, rows), "activities.csv")
    assert (result.rows[0]["max_hr_bpm"], result.rows[0]["relative_effort"]) == (181.0, 57.0)
    assert (result.rows[1]["max_hr_bpm"], result.rows[1]["relative_effort"]) == (None, None)
    assert result.rows[0]["hr_histogram"] is None and result.rows[0]["gap_distance_km"] is None


def test_imported_log_with_device_columns_round_trips(tmp_path, cache):
    from heavylegs.logs.traininglog import read_log, write_log

    result = import_sources([DATA / "runpandas__run.fit", DATA / "runpandas__nike_run.gpx"], cache_dir=cache)
    path = write_log(result.log, tmp_path / "log.csv")
    log = read_log(path)
    assert log["hr_histogram"].notna().all() and (log["gap_distance_km"] > 0).all()


def test_fit_with_a_power_on_clock_is_dated_by_its_local_time_stamp():
    # Forerunner 70: every time counts from power-on; only the activity's local_timestamp is a date.
    result = read_activity_file(DATA / "fitparse__compressed-speed-distance.fit")
    assert result.failed == []
    row = result.rows[0]
    assert (row["date"], row["start_time"]) == ("2012-02-13", None)
    assert "clock counted from power-on" in row["notes"]
    assert_allclose([row["distance_km"], row["duration_min"], row["avg_hr_bpm"], row["max_hr_bpm"]],
                    [10.24867, 3772.75 / 60, 170, 190])
    assert sum(parse_histogram(row["hr_histogram"]).values()) > 3600   # records timed from power-on


# ---------------------------------------------------------------------------
# Issue 11: damaged CRCs, summaries that contradict their records, unknown sports.
# No real file of these classes is among the shared test files, so each test
# builds one from a copy of a real file by editing its bytes, as the comments say.

from heavylegs.logs.formats.fit import crc_problems, fit_crc16  # noqa: E402


def _field_offsets(data: bytes, mesg: int, field: int) -> list:
    """Byte offsets and sizes of ``field`` in every ``mesg`` data message of a FIT file."""
    found, definitions = [], {}
    pos, end = data[0], data[0] + int.from_bytes(data[4:8], "little")
    while pos < end:
        header = data[pos]
        if header & 0x40 and not header & 0x80:
            number = int.from_bytes(data[pos + 3:pos + 5], "little" if data[pos + 2] == 0 else "big")
            count, cursor = data[pos + 5], pos + 6
            fields = [tuple(data[cursor + 3 * i:cursor + 3 * i + 2]) for i in range(count)]
            cursor += 3 * count
            if header & 0x20:
                fields += [(-1, data[cursor + 1 + 3 * i + 1]) for i in range(data[cursor])]
                cursor += 1 + 3 * data[cursor]
            definitions[header & 0x0F] = (number, fields, sum(size for _, size in fields))
            pos = cursor
            continue
        number, fields, size = definitions[(header >> 5) & 0x03 if header & 0x80 else header & 0x0F]
        cursor = pos + 1
        for number_, size_ in fields:
            if number == mesg and number_ == field:
                found.append((cursor, size_))
            cursor += size_
        pos += 1 + size
    return found


def _with_crc(data: bytearray) -> bytes:
    """``data`` with its file CRC written again, as a writer would."""
    end = data[0] + int.from_bytes(data[4:8], "little")
    data[end:end + 2] = fit_crc16(bytes(data[:end])).to_bytes(2, "little")
    return bytes(data)


def test_fit_crc16_gives_the_catalogue_check_value_and_the_same_crc_by_lanes():
    assert fit_crc16(b"123456789") == 0xBB3D  # CRC-16/ARC check value (Williams' CRC catalogue)
    data = (DATA / "runpandas__run.fit").read_bytes()
    from heavylegs.logs.formats.fit import _crc_bytes
    for length in (4095, 4096, 4097, 10_001, len(data) - 2):
        assert fit_crc16(data[:length]) == _crc_bytes(data[:length])
    assert fit_crc16(data[:-2]) == int.from_bytes(data[-2:], "little")  # the file's own CRC
    assert fit_crc16(data) == 0  # a CRC over its own CRC leaves nothing


def test_real_files_have_matching_crcs_except_the_truncated_one():
    for path in sorted(DATA.glob("*.fit")):
        problems = crc_problems(path.read_bytes())
        assert (problems != []) == (path.name == "fitparse__nick.fit"), path.name


def test_fit_with_a_wrong_crc_is_imported_with_a_note():
    # A copy of a real file whose session sport byte is changed from running (1) to cycling (2),
    # as one damaged byte would: the importer cannot tell which byte, but it can tell.
    data = bytearray((DATA / "runpandas__run.fit").read_bytes())
    (pos, _size), = _field_offsets(bytes(data), 18, 5)
    assert data[pos] == 1
    data[pos] ^= 3
    result = read_activity_file_bytes(data)
    row = result.rows[0]
    assert row["activity"] == "cross"  # the damage itself cannot be undone...
    assert "file damaged (the file CRC at byte 57619 is 0x02f9" in row["notes"]  # ...but it is said
    assert "some figures may be wrong" in result.warnings[0][1]
    # written again with a CRC that matches, the same bytes give no note
    assert read_activity_file_bytes(bytearray(_with_crc(data))).rows[0]["notes"] is None


def read_activity_file_bytes(data) -> "FileResult":  # noqa: F821
    from heavylegs.logs.formats.fit import read_fit
    return read_fit("edited.fit", bytes(data))


def _edited_session(**fields_ms) -> bytes:
    """A copy of runpandas__run.fit (52.7 min, 5.84 km, HR 130) with session fields set [ms], CRC rewritten."""
    numbers = {"elapsed": 7, "timer": 8}
    data = bytearray((DATA / "runpandas__run.fit").read_bytes())
    for name, value in fields_ms.items():
        (pos, size), = _field_offsets(bytes(data), 18, numbers[name])
        data[pos:pos + size] = value.to_bytes(size, "little")
    return _with_crc(data)


def test_a_summary_timer_far_over_its_records_gives_way_to_the_records():
    # "a 361-min timer over 50 minutes of records": the summary's times set to 361 min
    row = read_activity_file_bytes(_edited_session(elapsed=361 * 60_000, timer=361 * 60_000)).rows[0]
    assert "the session summary contradicts its records (timer 361 min over 53 min of records)" in row["notes"]
    assert "taken from the 1202 records" in row["notes"]
    assert abs(row["duration_min"] - 52.7) < 0.5  # the records' moving time, not 361
    assert_allclose(row["distance_km"], 5.84, atol=0.01)
    assert_allclose(row["avg_hr_bpm"], 129.7, atol=0.5)  # mean of the records (the summary said 130)


def test_an_elapsed_time_shorter_than_the_timer_time_is_noted_and_the_records_trusted():
    row = read_activity_file_bytes(_edited_session(elapsed=30 * 60_000)).rows[0]
    assert "(timer 53 min longer than the elapsed 30 min)" in row["notes"]
    assert abs(row["duration_min"] - 52.7) < 0.5


def test_summaries_that_agree_with_their_records_get_no_note():
    row = read_activity_file_bytes(_edited_session(elapsed=3164_610, timer=3164_610)).rows[0]
    assert row["notes"] is None and row["duration_min"] == pytest.approx(52.74, abs=0.01)


@pytest.mark.parametrize("fmt, name, expected", [
    # an unknown sport: cross training, with a note, in every format
    ("fit", 99, ("cross", None, "FIT sport number '99' not recognised; imported as cross training")),
    ("gpx", "Underwater Hockey",
     ("cross", None, "GPX type 'Underwater Hockey' not recognised; imported as cross training")),
    ("tcx", "Other", ("cross", None, "TCX sport 'Other' not recognised; imported as cross training")),
    ("strava", "Underwater Hockey",
     ("cross", None, "Strava type 'Underwater Hockey' not recognised; imported as cross training")),
    # no sport recorded: the same in every format
    ("fit", 0, ("cross", None, "no sport recorded; imported as cross training")),
    ("fit", None, ("cross", None, "no sport recorded; imported as cross training")),
    ("gpx", None, ("cross", None, "no sport recorded; imported as cross training")),
    ("tcx", "", ("cross", None, "no sport recorded; imported as cross training")),
    # known names agree too
    ("fit", 1, ("run", None, None)), ("gpx", "running", ("run", None, None)), ("gpx", "9", ("run", None, None)),
    ("tcx", "Running", ("run", None, None)), ("strava", "Run", ("run", None, None)),
    ("fit", 2, ("cross", None, None)), ("tcx", "Biking", ("cross", None, None)),
    ("gpx", "cycling", ("cross", None, None)), ("strava", "Ride", ("cross", None, None)),
    ("fit", 25, "golf"), ("gpx", "golf", "golf"), ("strava", "Golf", "Golf"),
])
def test_a_sport_maps_to_the_same_activity_whatever_the_format(fmt, name, expected):
    from heavylegs.logs.formats.fit import fit_sport
    from heavylegs.logs.formats.gpx import gpx_activity
    from heavylegs.logs.formats._common import map_sport
    mapper = {"fit": lambda n: fit_sport(n, None), "gpx": gpx_activity,
              "tcx": lambda n: map_sport(n, label="TCX sport"), "strava": strava_activity}[fmt]
    assert mapper(name) == expected


def test_tcx_and_gpx_files_without_a_known_sport_are_cross_with_a_note():
    # copies of real files with the sport edited out (TCX) or absent (GPX, as recorded)
    text = (DATA / "runpandas__run_garmin.tcx").read_text(encoding="utf-8").replace(
        'Sport="Running"', 'Sport="Other"')
    from heavylegs.logs.formats.tcx import read_tcx
    row = read_tcx("other.tcx", text.encode("utf-8")).rows[0]
    assert (row["activity"], row["notes"]) == ("cross", "TCX sport 'Other' not recognised; imported as cross training")
    walk = _gpx([(10 * i, i * 12e-5, 0, 100) for i in range(60)]).replace("<type>running</type>", "")
    from heavylegs.logs.formats.gpx import read_gpx
    row = read_gpx("walk.gpx", walk.encode("utf-8")).rows[0]       # 13 m in 10 s: 4.8 km/h
    assert (row["activity"], row["notes"]) == ("cross", "no sport recorded; imported as cross training")


def _track(speeds_kmh, seconds=10):
    """A GPX track without <type> moving north at the given speeds, one point every ``seconds``."""
    metres_per_degree = 6_371_008.8 * math.pi / 180
    lat, points = 0.0, [(0, 0.0, 0, 120)]
    for i, kmh in enumerate(speeds_kmh, start=1):
        lat += kmh / 3.6 * seconds / metres_per_degree
        points.append((i * seconds, lat, 0, 120))
    return _gpx(points).replace("<type>running</type>", "").encode("utf-8")


@pytest.mark.parametrize("speeds, activity", [
    ([11.0] * 50, "run"),                          # 5:27 min/km
    ([7.0] * 50, "run"),                           # a slow jog, 8:34 min/km
    ([5.0] * 50, "cross"),                         # a walk
    ([24.0] * 50, "cross"),                        # a ride
    ([15.0] * 40 + [42.0] * 10, "cross"),          # a ride on average at running speed, with a descent
    ([12.0] * 48 + [30.0] * 2, "run"),             # a run whose GPS jumps once
])
def test_a_gpx_without_a_sport_moving_at_running_speed_is_a_run(speeds, activity):
    from heavylegs.logs.formats.gpx import read_gpx

    row = read_gpx("track.gpx", _track(speeds)).rows[0]
    assert row["activity"] == activity
    assert row["notes"] == ("no sport recorded; a run by its speed" if activity == "run"
                            else "no sport recorded; imported as cross training")


def test_the_gpx_and_tcx_copies_of_one_run_are_one_session_of_one_kind(tmp_path):
    # issue 17: runpandas' run.gpx (no <type>) and run.tcx (Running) were imported as cross and run
    from heavylegs.logs.traininglog import merge_logs

    both = import_sources([DATA / "runpandas__run.gpx", DATA / "runpandas__run.tcx"], use_cache=False)
    assert both.sessions == 1 and both.duplicates_skipped == 1
    assert list(both.log["activity"]) == ["run"]
    # one at a time, as a coach uploads them: merged by the one same-session rule
    first = import_sources([DATA / "runpandas__run.gpx"], use_cache=False).log
    second = import_sources([DATA / "runpandas__run.tcx"], use_cache=False).log
    merged, dropped = merge_logs(first, second)
    assert dropped == 1 and len(merged) == 1 and list(merged["activity"]) == ["run"]


def test_tcx_laps_far_over_their_track_points_give_way_to_the_points():
    # a copy of a real TCX file whose first lap's time is edited to 361 min
    from heavylegs.logs.formats.tcx import read_tcx
    text = (DATA / "runpandas__run_garmin.tcx").read_text(encoding="utf-8")
    original = read_tcx("a.tcx", text.encode("utf-8")).rows[0]
    assert original["notes"] is None
    first = text.index("<TotalTimeSeconds>")
    edited = text[:first] + "<TotalTimeSeconds>21660.0" + text[text.index("</TotalTimeSeconds>", first):]
    row = read_tcx("b.tcx", edited.encode("utf-8")).rows[0]
    assert "the lap totals contradict the track points (laps" in row["notes"]
    assert "taken from the 147 points" in row["notes"]
    assert 12.0 < row["duration_min"] < 14.0  # 816 s of laps; the points span about 823 s
    assert_allclose(row["distance_km"], original["distance_km"], atol=0.05)
