"""The wellness importers (spec/wellness.md): every real file of tests/data/wellness, made files of the
vendors' documented layouts (Garmin account export, Fitbit Takeout, Oura, WHOOP, CSV), and hostile input."""
import datetime as dt
import json
import math
import zipfile
from pathlib import Path

import pytest

from heavylegs.errors import InputError
from heavylegs.logs.formats._common import ReadError
from heavylegs.logs.formats.wellness_apple import local_time
from heavylegs.logs.formats.wellness_import import import_wellness, read_wellness_file

DATA = Path(__file__).resolve().parents[1] / "data" / "wellness"


def _one(name):
    reads = read_wellness_file(DATA / name)
    assert len(reads) == 1
    return reads[0]


def _row(read, day):
    rows = read.rows.loc[read.rows["date"] == day]
    assert len(rows) == 1, (day, read.rows)
    return rows.iloc[0]


# -- every real file: what it gives, or why it is refused ---------------------------------------

# file -> (source, days, first, last, columns filled)
REAL = {
    "matin_garth__test_sleep_data_list.i1.json": ("garmin", 1, "2021-07-20", "2021-07-20", ("sleep_h",)),
    "matin_garth__test_daily_sleep_data_get.i0.json": ("garmin", 1, "2025-07-07", "2025-07-07",
                                                        ("sleep_h", "rhr_bpm", "sleep_score")),
    "matin_garth__test_daily_sleep_data_get.i1.json": ("garmin", 0, None, None, ()),
    "matin_garth__test_hrv_data_get.i0.json": ("garmin", 1, "2023-07-20", "2023-07-20", ("hrv_ms",)),
    "matin_garth__test_daily_hrv_paginate.i0.json": ("garmin", 28, "2023-06-23", "2023-07-20", ("hrv_ms",)),
    "matin_garth__test_daily_hrv_paginate.i1.json": ("garmin", 12, "2023-06-11", "2023-06-22", ("hrv_ms",)),
    "matin_garth__test_daily_sleep.i0.json": ("garmin", 20, "2023-07-01", "2023-07-20", ("sleep_score",)),
    "matin_garth__test_daily_summary_list.i1.json": ("garmin", 1, "2025-06-14", "2025-06-14",
                                                      ("rhr_bpm", "readiness")),
    "matin_garth__test_daily_summary_list.i2.json": ("garmin", 1, "2025-06-13", "2025-06-13",
                                                      ("rhr_bpm", "readiness")),
    "matin_garth__test_training_readiness_data_list.i0.json": ("garmin", 1, "2025-07-07", "2025-07-07",
                                                                ("readiness",)),
    "matin_garth__test_training_readiness_data_list.i1.json": ("garmin", 1, "2025-07-06", "2025-07-06",
                                                                ("readiness",)),
    "matin_garth__test_daily_heart_rate_list.i0.json": ("garmin", 1, "2026-01-07", "2026-01-07", ("rhr_bpm",)),
    "matin_garth__test_daily_stress_pagination.i0.json": ("garmin", 0, None, None, ()),
    "matin_garth__test_daily_stress_pagination.i1.json": ("garmin", 0, None, None, ()),
    "matin_garth__test_daily_stress_pagination.i2.json": ("garmin", 0, None, None, ()),
    "matin_garth__test_daily_body_battery_stress_get_incomplete_data.i0.json": ("garmin", 0, None, None, ()),
    "openmhealth_shimmer__fitbit-sleep-date.json": ("fitbit", 1, "2016-12-13", "2016-12-13", ("sleep_h",)),
    "alxdrcirilo_apple-health-parser__export.xml": ("apple", 0, None, None, ()),
    "alxdrcirilo_apple-health-parser__export.zip": ("apple", 0, None, None, ()),
    "dogsheep_healthkit-to-sqlite__export.xml": ("apple", 0, None, None, ()),
    "dogsheep_healthkit-to-sqlite__zip_contents-export.xml": ("apple", 0, None, None, ()),
    "tdda_applehealthdata__export6s3sample.xml": ("apple", 0, None, None, ()),
}
REFUSED = {
    "dogsheep_healthkit-to-sqlite__route_2019-06-11_3.00pm.gpx": "root is <gpx>, expected an Apple Health",
    "openmhealth_shimmer__googlefit-merge-heart-rate.json": "Google Fit",
    "openmhealth_shimmer__googlefit-merge-activity-segments-only-sleep.json": "Google Fit",
}


def test_the_tables_cover_every_real_file():
    files = {p.name for p in DATA.iterdir() if p.suffix != ".md"}
    cassettes = {name for name in files if name.endswith(".yaml")}
    assert files == set(REAL) | set(REFUSED) | cassettes
    assert len(files) == 35


@pytest.mark.parametrize("name", sorted(REAL))
def test_real_file_gives_its_days(name):
    source, days, first, last, filled = REAL[name]
    read = _one(name)
    assert (read.source, read.days, read.first, read.last, read.filled) == (source, days, first, last, filled)
    assert read.dropped == []


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_real_file_that_is_no_wellness_export_is_refused_by_name(name):
    with pytest.raises(ReadError, match=REFUSED[name]):
        read_wellness_file(DATA / name)
    with pytest.raises(InputError) as err:
        import_wellness([DATA / name])
    assert str(err.value).startswith(str(DATA / name) + ":")


@pytest.mark.parametrize("name", sorted(p.name for p in DATA.glob("*.yaml")))
def test_a_vcr_cassette_is_told_apart_from_an_export(name):
    with pytest.raises(ReadError, match="VCR cassette"):
        read_wellness_file(DATA / name)


def test_garmin_real_values():
    assert _row(_one("matin_garth__test_sleep_data_list.i1.json"), "2021-07-20")["sleep_h"] == pytest.approx(25740 / 3600)
    night = _row(_one("matin_garth__test_daily_sleep_data_get.i0.json"), "2025-07-07")
    assert (night["sleep_h"], night["rhr_bpm"], night["sleep_score"]) == (pytest.approx(24180 / 3600, abs=1e-4), 44, 83)
    hrv = _one("matin_garth__test_hrv_data_get.i0.json")
    assert (_row(hrv, "2023-07-20")["hrv_ms"], _row(hrv, "2023-07-20")["hrv_kind"]) == (42, "rmssd")
    assert _row(_one("matin_garth__test_daily_hrv_paginate.i1.json"), "2023-06-11")["hrv_ms"] == 71
    assert _row(_one("matin_garth__test_daily_sleep.i0.json"), "2023-07-06")["sleep_score"] == 28
    assert _row(_one("matin_garth__test_daily_summary_list.i1.json"), "2025-06-14")["rhr_bpm"] == 51
    assert _row(_one("matin_garth__test_daily_heart_rate_list.i0.json"), "2026-01-07")["rhr_bpm"] == 52
    # several readiness snapshots: the morning one (AFTER_WAKEUP_RESET, 80), not the first (50) or last
    assert _row(_one("matin_garth__test_training_readiness_data_list.i0.json"), "2025-07-07")["readiness"] == 80


def test_garmin_stress_is_told_and_says_it_has_no_column():
    read = _one("matin_garth__test_daily_stress_pagination.i0.json")
    assert read.kind == "Garmin Connect daily stress (JSON)"
    assert any("stress levels are not part of wellness.csv" in note for note in read.notes)


def test_fitbit_real_sleep_takes_the_main_sleep_not_the_nap():
    night = _row(_one("openmhealth_shimmer__fitbit-sleep-date.json"), "2016-12-13")
    assert night["sleep_h"] == pytest.approx(112 / 60, abs=1e-4)  # the 63-min nap is left out


def test_apple_real_sleep_uses_hktimezone_so_the_segment_is_a_nap():
    # The Watch's segment is written 03:27:53-03:40:23 +0200 (the export's June offset); Amsterdam was on
    # +0100 that January night, so it ended at 02:40 local: before 03:00, a nap, not a main sleep.
    for name in ("alxdrcirilo_apple-health-parser__export.xml", "alxdrcirilo_apple-health-parser__export.zip"):
        read = _one(name)
        assert read.days == 0
        assert "2024-01-01: only naps (no sleep ending between 03:00 and 14:00)" in read.notes


def test_import_of_every_real_wellness_file_at_once_combines_them():
    names = sorted(n for n, spec in REAL.items() if spec[1])
    result = import_wellness([DATA / n for n in names])
    # 40 HRV days (2023-06-11..07-20) hold the 20 sleep scores; 2025-07-07 has sleep and readiness
    assert result.days == 1 + 40 + 1 + 2 + 1 + 1 + 1
    lines = result.summary_lines()
    assert any(line.endswith("28 days, 2023-06-23 to 2023-07-20; columns filled: hrv_ms") for line in lines)
    garmin = result.wellness.loc[result.wellness["date"] == "2023-07-20"].iloc[0]
    assert garmin["hrv_ms"] == 42 and not math.isnan(garmin["sleep_score"])  # one row from three files
    assert len(result.wellness) == result.days


# -- reference cases of the spec ----------------------------------------------------------------

def test_apple_local_time_reference_case():
    assert local_time("2019-07-10 23:30:00 +0100", "Europe/Paris") == dt.datetime(2019, 7, 11, 0, 30)
    assert local_time("2019-07-10 23:30:00 +0100") == dt.datetime(2019, 7, 10, 23, 30)
    assert local_time("2019-07-10 23:30:00 +0100", "Nowhere/Atlantis") == dt.datetime(2019, 7, 10, 23, 30)


def test_garmin_sleep_reference_case(tmp_path):
    # 23:10 on 3 March to 06:40 on 4 March with 30 min awake -> 2026-03-04, 7.0 h
    start = dt.datetime(2026, 3, 3, 23, 10)
    end = dt.datetime(2026, 3, 4, 6, 40)
    epoch = dt.datetime(1970, 1, 1)
    ms = lambda t: int((t - epoch).total_seconds() * 1000)  # noqa: E731 - local wall clock as if UTC
    doc = {"dailySleepDTO": {"calendarDate": "2026-03-04", "sleepTimeSeconds": None,
                             "sleepStartTimestampLocal": ms(start), "sleepEndTimestampLocal": ms(end),
                             "sleepStartTimestampGMT": ms(start) + 3_600_000,
                             "sleepEndTimestampGMT": ms(end) + 3_600_000, "awakeSleepSeconds": 1800}}
    path = tmp_path / "sleep.json"
    path.write_text(json.dumps(doc))
    row = _row(read_wellness_file(path)[0], "2026-03-04")
    assert row["sleep_h"] == pytest.approx(7.0)


# -- made files of the documented layouts -------------------------------------------------------

def _zip(path, entries):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data if isinstance(data, (bytes, str)) else json.dumps(data))
    return path


def test_garmin_account_export_zip(tmp_path):
    sleep = [{"calendarDate": "2026-03-04", "deepSleepSeconds": 5400, "lightSleepSeconds": 14400,
              "remSleepSeconds": 5400, "awakeSleepSeconds": 600, "sleepStartTimestampGMT": "2026-03-03T22:10:00.0",
              "sleepScores": {"overallScore": 82}},
             {"calendarDate": "2026-03-05", "deepSleepSeconds": None, "lightSleepSeconds": None,
              "remSleepSeconds": None}]
    uds = [{"calendarDate": "2026-03-04", "restingHeartRate": 47, "bodyBattery": {"bodyBatteryAtWakeTime": 77}},
           {"calendarDate": "2026-03-05", "restingHeartRate": 180}]
    health = [{"calendarDate": "2026-03-04", "metrics": [{"type": "HRV", "value": 63.0}, {"type": "HR", "value": 47}]}]
    path = _zip(tmp_path / "garmin.zip", {
        "DI_CONNECT/DI-Connect-Wellness/1234_sleepData.json": sleep,
        "DI_CONNECT/DI-Connect-Aggregator/UDSFile_2026-01-01_2026-04-01.json": uds,
        "DI_CONNECT/DI-Connect-Wellness/1234_healthStatusData.json": health,
        "DI_CONNECT/DI-Connect-Fitness/1234_0_summarizedActivities.json": [{"summarizedActivitiesExport": []}],
    })
    read = read_wellness_file(path)[0]
    assert read.kind == "Garmin account export (zip)"
    row = _row(read, "2026-03-04")
    assert (row["sleep_h"], row["rhr_bpm"], row["hrv_ms"], row["hrv_kind"], row["sleep_score"], row["readiness"]) \
        == (7.0, 47, 63, "rmssd", 82, 77)
    assert read.dropped == ["2026-03-05: rhr_bpm 180 dropped, expected a number from 25 to 120 [bpm]"]
    assert read.days == 1


def test_fitbit_takeout_zip(tmp_path):
    sleep = [{"logId": 1, "dateOfSleep": "2026-03-04", "startTime": "2026-03-03T23:00:00.000",
              "endTime": "2026-03-04T06:45:00.000", "duration": 27900000, "minutesAsleep": 420,
              "minutesAwake": 45, "timeInBed": 465, "mainSleep": True, "type": "stages"},
             {"logId": 2, "dateOfSleep": "2026-03-04", "startTime": "2026-03-04T14:00:00.000",
              "endTime": "2026-03-04T14:40:00.000", "duration": 2400000, "minutesAsleep": 38,
              "mainSleep": False, "type": "classic"}]
    rhr = [{"dateTime": "03/04/26 00:00:00", "value": {"date": "03/04/26", "value": 55.4, "error": 6.1}},
           {"dateTime": "03/05/26 00:00:00", "value": {"date": "03/05/26", "value": 0.0, "error": 0.0}}]
    hrv = "timestamp,rmssd,nremhr,entropy\n2026-03-04T00:00:00,38.5,54.1,2.9\n"
    path = _zip(tmp_path / "takeout.zip", {
        "Takeout/Fitbit/Global Export Data/sleep-2026-03-01.json": sleep,
        "Takeout/Fitbit/Global Export Data/resting_heart_rate-2026-03-01.json": rhr,
        "Takeout/Fitbit/Heart Rate Variability/Daily Heart Rate Variability Summary - 2026-03-(01).csv": hrv,
        "Takeout/Fitbit/Global Export Data/steps-2026-03-01.json": [],
    })
    read = read_wellness_file(path)[0]
    assert read.source == "fitbit" and read.days == 1
    row = _row(read, "2026-03-04")
    assert (row["sleep_h"], row["rhr_bpm"], row["hrv_ms"], row["hrv_kind"]) == (7.0, 55.4, 38.5, "rmssd")


def test_oura_trends_csv_with_none_cells_and_header_typos(tmp_path):
    path = tmp_path / "oura.csv"
    path.write_text("date,Sleep Score,Total Sleep Duration,Total Bedtime ,Average Resting Heart Rate,"
                    "Lowest Resting Heart Rate,Average HRV,Readiness Score,Sleep Timin Score\n"
                    "2026-03-04,81,25200,27000,52.3,48,61,77,90\n"
                    "2026-03-05,None,,None,None,None,None,None,None\n"
                    "2026-03-06,70,23400,25000,53.0,,55,,80\n", encoding="utf-8")
    read = read_wellness_file(path)[0]
    assert (read.source, read.kind, read.days) == ("oura", "Oura Trends (CSV)", 2)
    row = _row(read, "2026-03-04")
    assert (row["sleep_h"], row["rhr_bpm"], row["hrv_ms"], row["sleep_score"], row["readiness"]) == (7.0, 48, 61, 81, 77)
    assert _row(read, "2026-03-06")["rhr_bpm"] == 53.0  # the average when the lowest is missing


def test_oura_api_v2_json(tmp_path):
    doc = {"sleep": [{"day": "2026-03-04", "type": "long_sleep", "total_sleep_duration": 25200,
                      "average_hrv": 58, "lowest_heart_rate": 47, "bedtime_end": "2026-03-04T07:01:00+01:00"},
                     {"day": "2026-03-04", "type": "late_nap", "total_sleep_duration": 1800,
                      "bedtime_end": "2026-03-04T15:30:00+01:00"}],
           "daily_sleep": [{"day": "2026-03-04", "score": 80, "timestamp": "2026-03-04T00:00:00+00:00"},
                           {"day": "2026-03-04", "score": 82, "timestamp": "2026-03-04T00:00:00+00:00"}],
           "daily_readiness": [{"day": "2026-03-04", "score": 71, "temperature_deviation": 0.1}]}
    path = tmp_path / "oura.json"
    path.write_text(json.dumps(doc))
    read = read_wellness_file(path)[0]
    row = _row(read, "2026-03-04")
    assert (row["sleep_h"], row["hrv_ms"], row["rhr_bpm"], row["sleep_score"], row["readiness"]) == (7.0, 58, 47, 81, 71)


WHOOP_CYCLES = ("Cycle start time,Cycle end time,Cycle timezone,Recovery score %,Resting heart rate (bpm),"
                "Heart rate variability (ms),Skin temp (celsius),Blood oxygen %,Day Strain,Sleep onset,Wake onset,"
                "Sleep performance %,Asleep duration (min),In bed duration (min)\n"
                "2026-03-04 23:05:00,,UTC+01:00,,,,,,4.1,2026-03-04 23:05:00,,,,\n"
                "2026-03-03 22:50:00,2026-03-04 23:05:00,UTC+01:00,66,49,71,33.1,96,12.5,"
                "2026-03-03 22:50:00,2026-03-04 06:50:00,88,420,480\n")


def test_whoop_cycles_csv_dates_by_wake_onset(tmp_path):
    path = tmp_path / "physiological_cycles.csv"
    path.write_text(WHOOP_CYCLES, encoding="utf-8")
    read = read_wellness_file(path)[0]
    assert (read.source, read.days) == ("whoop", 1)
    row = _row(read, "2026-03-04")
    assert (row["sleep_h"], row["rhr_bpm"], row["hrv_ms"], row["readiness"], row["sleep_score"]) == (7.0, 49, 71, 66, 88)


def test_whoop_sleeps_csv_leaves_naps_out(tmp_path):
    path = tmp_path / "sleeps.csv"
    path.write_text("Cycle start time,Sleep onset,Wake onset,Sleep performance %,Asleep duration (min),Nap\n"
                    "2026-03-03 22:50:00,2026-03-03 22:50:00,2026-03-04 06:50:00,88,420,false\n"
                    "2026-03-03 22:50:00,2026-03-04 13:00:00,2026-03-04 13:45:00,,40,true\n", encoding="utf-8")
    row = _row(read_wellness_file(path)[0], "2026-03-04")
    assert row["sleep_h"] == 7.0


def test_generic_csv_units_aliases_and_dropped_values(tmp_path):
    path = tmp_path / "intervals.csv"
    path.write_text("date,sleepSecs,restingHR,hrvSDNN,Readiness,weight\n"
                    "2026-03-04,25200,48,72,80,61.2\n"
                    "2026-03-05,28800,19,,,61.0\n", encoding="utf-8")
    read = read_wellness_file(path)[0]
    row = _row(read, "2026-03-04")
    assert (read.source, row["sleep_h"], row["rhr_bpm"], row["hrv_ms"], row["hrv_kind"], row["readiness"]) == \
        ("csv", 7.0, 48, 72, "sdnn", 80)
    assert read.dropped == ["2026-03-05: rhr_bpm 19 dropped, expected a number from 25 to 120 [bpm]"]
    assert any("'weight'" in note for note in read.notes)


def test_generic_csv_bad_cells_refuse_the_file_naming_line_and_column(tmp_path):
    path = tmp_path / "w.csv"
    path.write_text("date,sleep_h,rhr_bpm\n2026-03-04,seven,48\n04/03/2026,7,48\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        import_wellness([path])
    assert [str(p) for p in err.value.problems] == [
        f"{path}:2:2: sleep_h: found 'seven', expected a number",
        f"{path}:3:1: date: found '04/03/2026', expected a date YYYY-MM-DD"]


def test_a_file_that_cannot_be_told_is_refused_naming_it(tmp_path):
    path = tmp_path / "notes.csv"
    path.write_text("when,what\n2026-03-04,ran\n", encoding="utf-8")
    other = tmp_path / "x.json"
    other.write_text('{"hello": 1}')
    with pytest.raises(InputError) as err:
        import_wellness([path, other])
    text = [str(p) for p in err.value.problems]
    assert text[0].startswith(f"{path}: is a CSV whose header (when, what) names no wellness column")
    assert text[1].startswith(f"{other}: is JSON of no known wellness layout")


# -- hostile input ------------------------------------------------------------------------------

APPLE_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'


def test_apple_xml_with_entities_is_refused_without_expanding_them(tmp_path):
    path = tmp_path / "export.xml"
    path.write_text(APPLE_HEAD + '<!DOCTYPE HealthData [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
                    '<HealthData locale="en">&b;</HealthData>')
    with pytest.raises(ReadError, match="declares the XML entity 'a', which is never expanded"):
        read_wellness_file(path)


def test_apple_xml_with_an_external_entity_or_dtd_is_refused_without_fetching(tmp_path):
    path = tmp_path / "export.xml"
    path.write_text(APPLE_HEAD + '<!DOCTYPE HealthData [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                    '<HealthData>&x;</HealthData>')
    with pytest.raises(ReadError, match="entity 'x'"):
        read_wellness_file(path)
    path.write_text(APPLE_HEAD + '<!DOCTYPE HealthData SYSTEM "http://127.0.0.1:9/x.dtd"><HealthData/>')
    with pytest.raises(ReadError, match="external DTD 'http://127.0.0.1:9/x.dtd', which is never fetched"):
        read_wellness_file(path)


def test_broken_xml_says_where(tmp_path):
    path = tmp_path / "export.xml"
    path.write_text(APPLE_HEAD + "<HealthData>\n<Record type='x'>\n</HealthData>")
    with pytest.raises(ReadError, match=r"not well-formed XML \(line 4"):
        read_wellness_file(path)


def test_zip_slip_entry_is_refused(tmp_path):
    path = tmp_path / "evil.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("apple_health_export/export.xml", APPLE_HEAD + "<HealthData/>")
        archive.writestr("../../outside.txt", "x")
    with pytest.raises(ReadError, match=r"entry '../../outside.txt', whose path leads outside the archive \(zip-slip\)"):
        read_wellness_file(path)


def test_zip_bomb_is_refused_before_unpacking(tmp_path):
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("apple_health_export/export.xml", b"<" + b" " * (64 * 2**20))
    with pytest.raises(ReadError, match="times its packed size, expected at most 200 \\(a zip bomb\\)"):
        read_wellness_file(path)


def test_zip_entry_that_lies_about_its_size_is_cut_short(tmp_path):
    path = tmp_path / "liar.zip"
    body = APPLE_HEAD + "<HealthData>" + "<Record type='a'/>" * 2000 + "</HealthData>"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("apple_health_export/export.xml", body)
    raw = bytearray(path.read_bytes())
    size = len(body.encode())
    small = (100).to_bytes(4, "little")
    # patch the declared uncompressed size in the central directory (and the local header)
    for marker, offset in ((b"PK\x01\x02", 24), (b"PK\x03\x04", 22)):
        at = raw.find(marker)
        assert int.from_bytes(raw[at + offset:at + offset + 4], "little") == size
        raw[at + offset:at + offset + 4] = small
    path.write_bytes(bytes(raw))
    with pytest.raises(ReadError):
        read_wellness_file(path)


def test_folder_of_mixed_files_imports_the_wellness_ones_and_lists_the_rest(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "hrv.json").write_bytes((DATA / "matin_garth__test_hrv_data_get.i0.json").read_bytes())
    (tmp_path / "a" / "readme.txt").write_text("hello")
    result = import_wellness([tmp_path / "a"])
    assert result.days == 1 and len(result.skipped) == 1 and "readme.txt" in result.skipped[0]


def test_the_no_data_shapes_of_garmin(tmp_path):
    """200 with an all-null DTO (real file, above: 0 days), 204 with an empty body, and a literal null body."""
    empty = tmp_path / "hrv-204.json"
    empty.write_bytes(b"")
    with pytest.raises(ReadError, match="is empty"):
        read_wellness_file(empty)
    null = tmp_path / "stress.json"
    null.write_text("null\n")
    with pytest.raises(ReadError, match="JSON null Garmin Connect answers for a day without data"):
        read_wellness_file(null)
    assert _one("matin_garth__test_daily_sleep_data_get.i1.json").days == 0
