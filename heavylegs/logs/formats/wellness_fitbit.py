"""Fitbit: Google Takeout's sleep, resting heart rate and HRV files (and the Web API's JSON).

* sleep logs (Takeout ``Global Export Data/sleep-*.json``, a list; the Web
  API's ``{"sleep": [...]}``): ``dateOfSleep`` is the wake day,
  ``minutesAsleep`` the asleep time, ``isMainSleep`` (Takeout: ``mainSleep``)
  separates the night from naps; ``endTime`` is local wall-clock time;
* resting heart rate (Takeout ``resting_heart_rate-*.json``: ``value.date``
  ``MM/DD/YY`` and ``value.value`` [bpm], 0 on days without a value; the
  Web API's ``activities-heart`` ``value.restingHeartRate``);
* HRV (the Web API's ``{"hrv": [{"dateTime", "value": {"dailyRmssd"}}]}``;
  Takeout ``Daily Heart Rate Variability Summary*.csv`` with ``timestamp``
  and ``rmssd``): nightly rMSSD [ms].

Only the sleep log shape was seen in a real file (the Web API response in
Open mHealth's tests); the Takeout layouts follow Fitbit's documentation
and the published parsers, tested on files made by them.
"""
from __future__ import annotations

import csv
import datetime as _dt
import io
import re

from heavylegs.logs.formats._common import ReadError
from heavylegs.logs.formats._wellness import (DayBook, WellnessRead, is_junk_entry, number, parse_day, parse_json,
                                              parse_local, read_zip_entry)

__all__ = ["identify_fitbit_json", "read_fitbit_json", "is_fitbit_hrv_csv", "read_fitbit_hrv_csv",
           "is_fitbit_takeout", "read_fitbit_takeout"]


def _us_day(text):
    """``MM/DD/YY`` (Takeout) or ISO, as a date."""
    if not isinstance(text, str):
        return None
    day = parse_day(text)
    if day is not None:
        return day
    match = re.match(r"^(\d{1,2})/(\d{1,2})/(\d{2,4})", text.strip())
    if not match:
        return None
    month, mday, year = (int(g) for g in match.groups())
    year += 2000 if year < 100 else 0
    try:
        return _dt.date(year, month, mday)
    except ValueError:
        return None


def _is_sleep_log(item) -> bool:
    return isinstance(item, dict) and "dateOfSleep" in item and ("minutesAsleep" in item or "duration" in item)


def identify_fitbit_json(doc) -> str | None:
    """``sleep``, ``resting_hr``, ``heart_api``, ``hrv_api``, or None when not Fitbit's."""
    if isinstance(doc, dict):
        if isinstance(doc.get("sleep"), list) and (not doc["sleep"] or _is_sleep_log(doc["sleep"][0])):
            return "sleep"
        if isinstance(doc.get("activities-heart"), list):
            return "heart_api"
        if isinstance(doc.get("hrv"), list):
            return "hrv_api"
        return None
    if isinstance(doc, list) and doc:
        first = doc[0]
        if _is_sleep_log(first):
            return "sleep"
        if isinstance(first, dict) and isinstance(first.get("value"), dict) and "dateTime" in first:
            value = first["value"]
            if "date" in value and "value" in value and "error" in value:
                return "resting_hr"
            if "dailyRmssd" in value:
                return "hrv_api"
    return None


_KINDS = {"sleep": "Fitbit sleep logs (JSON)", "resting_hr": "Fitbit resting heart rate (Takeout JSON)",
          "heart_api": "Fitbit heart rate (Web API JSON)", "hrv_api": "Fitbit HRV (JSON)"}


def _fill(book: DayBook, doc, shape: str) -> None:
    if shape == "sleep":
        logs = doc["sleep"] if isinstance(doc, dict) else doc
        for item in logs:
            if not _is_sleep_log(item):
                continue
            day = parse_day(item.get("dateOfSleep"))
            main = item.get("isMainSleep", item.get("mainSleep"))
            asleep = number(item.get("minutesAsleep"))
            end = parse_local(item.get("endTime"))
            if day is None or asleep is None:
                continue
            if end is None or end.date() != day:
                end = _dt.datetime.combine(day, _dt.time(7, 0))
            book.add_sleep(end, asleep / 60.0, main=bool(main) if main is not None else None)
    elif shape == "resting_hr":
        for item in doc:
            value = item.get("value") if isinstance(item, dict) else None
            if not isinstance(value, dict):
                continue
            bpm = number(value.get("value"))
            if bpm == 0:  # Takeout's "no value that day"
                continue
            book.add(_us_day(value.get("date") or item.get("dateTime")), "rhr_bpm", bpm, daily=True)
    elif shape == "heart_api":
        for item in doc["activities-heart"]:
            if isinstance(item, dict) and isinstance(item.get("value"), dict):
                book.add(parse_day(item.get("dateTime")), "rhr_bpm", number(item["value"].get("restingHeartRate")),
                         daily=True)
    elif shape == "hrv_api":
        items = doc["hrv"] if isinstance(doc, dict) else doc
        for item in items:
            if isinstance(item, dict) and isinstance(item.get("value"), dict):
                book.add(parse_day(item.get("dateTime")), "hrv_ms", number(item["value"].get("dailyRmssd")),
                         daily=True)


def read_fitbit_json(doc, name: str, shape: str | None = None) -> WellnessRead:
    """Read one parsed Fitbit JSON document."""
    shape = shape or identify_fitbit_json(doc)
    if shape is None:
        raise ReadError("is JSON but not a Fitbit file this importer knows")
    book = DayBook("fitbit", name)
    _fill(book, doc, shape)
    return book.result(_KINDS[shape])


def is_fitbit_hrv_csv(header) -> bool:
    """A Takeout HRV summary: ``timestamp`` and ``rmssd`` columns."""
    names = {h.strip().lower() for h in header}
    return {"timestamp", "rmssd"} <= names


def _hrv_rows(book: DayBook, text: str) -> None:
    reader = csv.DictReader(io.StringIO(text))
    for row in reader:
        row = {(k or "").strip().lower(): v for k, v in row.items()}
        book.add(parse_day(row.get("timestamp") or ""), "hrv_ms", number(row.get("rmssd")), daily=True)


def read_fitbit_hrv_csv(text: str, name: str) -> WellnessRead:
    """Read a Takeout ``Daily Heart Rate Variability Summary`` CSV."""
    book = DayBook("fitbit", name)
    _hrv_rows(book, text)
    return book.result("Fitbit HRV summary (Takeout CSV)")


_TAKEOUT = re.compile(r"(^|/)(sleep|resting_heart_rate)-[^/]*\.json$", re.I)
_TAKEOUT_HRV = re.compile(r"(^|/)Daily Heart Rate Variability Summary[^/]*\.csv$", re.I)


def is_fitbit_takeout(names) -> bool:
    """Whether zip entry names look like a Google Takeout of Fitbit data."""
    return any(_TAKEOUT.search(n.replace("\\", "/")) or _TAKEOUT_HRV.search(n.replace("\\", "/")) for n in names)


def read_fitbit_takeout(archive, name: str) -> WellnessRead:
    """Read the sleep, resting heart rate and HRV files of a Takeout zip, entry by entry."""
    book = DayBook("fitbit", name)
    for info in archive.infolist():
        entry = info.filename.replace("\\", "/")
        if info.is_dir() or is_junk_entry(entry):
            continue
        if _TAKEOUT.search(entry):
            doc = parse_json(read_zip_entry(archive, info), entry)
            shape = identify_fitbit_json(doc)
            if shape is None:
                if doc:  # an empty list is a month without data
                    book.notes.append(f"{entry}: not the layout expected; skipped")
                continue
            _fill(book, doc, shape)
        elif _TAKEOUT_HRV.search(entry):
            _hrv_rows(book, read_zip_entry(archive, info).decode("utf-8-sig", errors="replace"))
    return book.result("Fitbit Google Takeout (zip)")
