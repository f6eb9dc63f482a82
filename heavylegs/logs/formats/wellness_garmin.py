"""Garmin wellness: Garmin Connect's JSON and the account data export zip.

Garmin Connect JSON (as the web app and API clients such as garth fetch it):

* sleep, ``dailySleepDTO``: ``calendarDate`` is the wake day; asleep time is
  ``sleepTimeSeconds`` (deep + light + REM; awake, unmeasurable and naps
  excluded), else the sum of the stages, else the period minus
  ``awakeSleepSeconds``; ``sleepScores.overall.value`` the score; the newer
  endpoint adds ``restingHeartRate``. A day without sleep is an all-null DTO.
* HRV, ``hrvSummary`` or a list ``hrvSummaries``: ``lastNightAvg`` [ms]
  (rMSSD-based), dated by ``calendarDate`` (wake day).
* resting heart rate, ``dailyHeartRate`` and the daily summary
  (``usersummary``): ``restingHeartRate`` [bpm] is Garmin's daily value; the
  summary's ``bodyBatteryAtWakeTime`` is taken as readiness when no training
  readiness is given.
* training readiness, a list of snapshots: the one with ``inputContext``
  ``AFTER_WAKEUP_RESET`` is the morning value; else the median.
* sleep scores, a list of ``{calendarDate, value}``.

Daily stress lists and the intraday stress / body-battery day carry no column
of ``wellness.csv``: they are identified and reported as such.

The account export (``DI_CONNECT/``) holds lists of the same records:
``DI-Connect-Wellness/*sleepData.json`` (stage seconds, ``sleepScores``),
``DI-Connect-Aggregator/UDSFile_*.json`` (daily summaries) and
``DI-Connect-Wellness/*healthStatusData.json`` (``metrics`` with ``type``
``HRV`` and ``HR``). No public sample of that export exists; these layouts
follow the published parsers and are tested on files made by them.
"""
from __future__ import annotations

import datetime as _dt
import re

from heavylegs.logs.formats._common import ReadError
from heavylegs.logs.formats._wellness import (DayBook, WellnessRead, is_junk_entry, local_from_epoch_ms, number,
                                              parse_day, parse_json, read_zip_entry)

__all__ = ["identify_garmin_json", "read_garmin_json", "is_garmin_export", "read_garmin_export"]


def _sleep_dto(book: DayBook, dto: dict, extra: dict | None = None) -> None:
    extra = extra or {}
    day = parse_day(dto.get("calendarDate"))
    start = local_from_epoch_ms(dto.get("sleepStartTimestampLocal")) or _iso_local(dto.get("sleepStartTimestampLocal"))
    end = local_from_epoch_ms(dto.get("sleepEndTimestampLocal")) or _iso_local(dto.get("sleepEndTimestampLocal"))
    if day is None and end is not None:
        day = end.date()
    if day is None:
        return
    seconds = number(dto.get("sleepTimeSeconds"))
    stages = [number(dto.get(k)) for k in ("deepSleepSeconds", "lightSleepSeconds", "remSleepSeconds")]
    if seconds is None and any(s is not None for s in stages):
        seconds = sum(s for s in stages if s is not None)
    if seconds is None and start is not None and end is not None:
        awake = (number(dto.get("awakeSleepSeconds")) or 0.0) + (number(dto.get("unmeasurableSleepSeconds")) or 0.0)
        seconds = (end - start).total_seconds() - awake
    if seconds is not None:
        book.add(day, "sleep_h", seconds / 3600.0, daily=True)
    scores = dto.get("sleepScores") or extra.get("sleepScores")
    if isinstance(scores, dict):
        overall = scores.get("overall")
        value = overall.get("value") if isinstance(overall, dict) else scores.get("overallScore")
        book.add(day, "sleep_score", number(value), daily=True)
    book.add(day, "rhr_bpm", number(extra.get("restingHeartRate")), daily=True)
    book.add(day, "hrv_ms", number(extra.get("avgOvernightHrv")), daily=True)


def _iso_local(value):
    if not isinstance(value, str):
        return None
    try:
        return _dt.datetime.fromisoformat(value.strip().rstrip("Z")[:19])
    except ValueError:
        return None


def _hrv_summary(book: DayBook, summary: dict) -> None:
    day = parse_day(summary.get("calendarDate"))
    book.add(day, "hrv_ms", number(summary.get("lastNightAvg")), daily=True)


def _daily_summary(book: DayBook, item: dict) -> None:
    day = parse_day(item.get("calendarDate"))
    book.add(day, "rhr_bpm", number(item.get("restingHeartRate")), daily=True)
    wake = item.get("bodyBatteryAtWakeTime")
    if wake is None and isinstance(item.get("bodyBattery"), dict):
        wake = item["bodyBattery"].get("bodyBatteryAtWakeTime")
    book.add(day, "readiness", number(wake), daily=False)


def _readiness(book: DayBook, item: dict) -> None:
    day = parse_day(item.get("calendarDate"))
    morning = item.get("inputContext") == "AFTER_WAKEUP_RESET"
    book.add(day, "readiness", number(item.get("score")), daily=morning)


def _health_status(book: DayBook, item: dict) -> None:
    day = parse_day(item.get("calendarDate"))
    for metric in item.get("metrics") or ():
        if not isinstance(metric, dict):
            continue
        if str(metric.get("type", "")).upper() == "HRV":
            book.add(day, "hrv_ms", number(metric.get("value")), daily=True)


def identify_garmin_json(doc) -> str | None:
    """What Garmin record a parsed JSON document holds, or None when it is not Garmin's.

    Returns
    -------
    str or None
        ``sleep``, ``sleep_list``, ``hrv``, ``hrv_list``, ``daily_summary``,
        ``daily_heart_rate``, ``readiness``, ``sleep_scores``, ``stress``,
        ``stress_day``, ``health_status`` or ``uds_list``.
    """
    if isinstance(doc, dict):
        if isinstance(doc.get("dailySleepDTO"), dict):
            return "sleep"
        if isinstance(doc.get("hrvSummary"), dict) or ("hrvReadings" in doc and "userProfilePk" in doc):
            return "hrv"
        if isinstance(doc.get("hrvSummaries"), list):
            return "hrv_list"
        if "calendarDate" in doc and "heartRateValues" in doc:
            return "daily_heart_rate"
        if "calendarDate" in doc and ("userDailySummaryId" in doc or "wellnessStartTimeGmt" in doc):
            return "daily_summary"
        if "calendarDate" in doc and ("stressValuesArray" in doc or "avgStressLevel" in doc):
            return "stress_day"
        return None
    if isinstance(doc, list) and doc and all(isinstance(x, dict) for x in doc[:50]):
        first = doc[0]
        if "calendarDate" not in first:
            return None
        if "inputContext" in first or ("score" in first and "level" in first and "feedbackShort" in first):
            return "readiness"
        if isinstance(first.get("values"), dict) and "overallStressLevel" in first["values"]:
            return "stress"
        if set(first) == {"calendarDate", "value"}:
            return "sleep_scores"
        if "metrics" in first and isinstance(first["metrics"], list):
            return "health_status"
        if any(k in first for k in ("deepSleepSeconds", "sleepStartTimestampGMT", "sleepTimeSeconds")):
            return "sleep_list"
        if "restingHeartRate" in first or "userProfilePK" in first and "totalSteps" in first:
            return "uds_list"
    return None


_KINDS = {
    "sleep": "Garmin Connect sleep (JSON)",
    "sleep_list": "Garmin sleep records (JSON)",
    "hrv": "Garmin Connect HRV (JSON)",
    "hrv_list": "Garmin Connect daily HRV (JSON)",
    "daily_summary": "Garmin Connect daily summary (JSON)",
    "daily_heart_rate": "Garmin Connect daily heart rate (JSON)",
    "readiness": "Garmin Connect training readiness (JSON)",
    "sleep_scores": "Garmin Connect sleep scores (JSON)",
    "stress": "Garmin Connect daily stress (JSON)",
    "stress_day": "Garmin Connect stress and body battery of a day (JSON)",
    "health_status": "Garmin health status (JSON)",
    "uds_list": "Garmin daily summaries (JSON)",
}


def _fill(book: DayBook, doc, shape: str) -> None:
    if shape == "sleep":
        _sleep_dto(book, doc["dailySleepDTO"], doc)
    elif shape == "sleep_list":
        for item in doc:
            if isinstance(item, dict):
                _sleep_dto(book, item, item)
    elif shape == "hrv":
        if isinstance(doc.get("hrvSummary"), dict):
            _hrv_summary(book, doc["hrvSummary"])
    elif shape == "hrv_list":
        for item in doc["hrvSummaries"]:
            if isinstance(item, dict):
                _hrv_summary(book, item)
    elif shape in ("daily_summary", "daily_heart_rate"):
        _daily_summary(book, doc)
    elif shape == "uds_list":
        for item in doc:
            if isinstance(item, dict):
                _daily_summary(book, item)
    elif shape == "readiness":
        for item in doc:
            if isinstance(item, dict):
                _readiness(book, item)
    elif shape == "sleep_scores":
        for item in doc:
            if isinstance(item, dict):
                book.add(parse_day(item.get("calendarDate")), "sleep_score", number(item.get("value")), daily=True)
    elif shape == "health_status":
        for item in doc:
            if isinstance(item, dict):
                _health_status(book, item)
    else:  # stress: no column of wellness.csv
        book.notes.append("stress levels are not part of wellness.csv (format 1); nothing taken")


def read_garmin_json(doc, name: str, shape: str | None = None) -> WellnessRead:
    """Read one parsed Garmin Connect JSON document (:func:`identify_garmin_json` tells its shape)."""
    shape = shape or identify_garmin_json(doc)
    if shape is None:
        raise ReadError("is JSON but not a Garmin record this importer knows")
    book = DayBook("garmin", name)
    _fill(book, doc, shape)
    return book.result(_KINDS[shape])


_EXPORT_FILES = (
    (re.compile(r"(^|/)DI-Connect-Wellness/[^/]*sleepData[^/]*\.json$", re.I), "sleep_list"),
    (re.compile(r"(^|/)DI-Connect-Wellness/[^/]*healthStatusData[^/]*\.json$", re.I), "health_status"),
    (re.compile(r"(^|/)DI-Connect-Aggregator/UDSFile[^/]*\.json$", re.I), "uds_list"),
)


def is_garmin_export(names) -> bool:
    """Whether zip entry names look like Garmin's account export (``DI_CONNECT/``)."""
    return any("DI_CONNECT/" in n.replace("\\", "/") or n.startswith("DI_CONNECT") for n in names)


def read_garmin_export(archive, name: str) -> WellnessRead:
    """Read the wellness files of a Garmin account export zip, entry by entry, without unpacking to disk."""
    book = DayBook("garmin", name)
    used = 0
    for info in archive.infolist():
        entry = info.filename.replace("\\", "/")
        if info.is_dir() or is_junk_entry(entry):
            continue
        for pattern, shape in _EXPORT_FILES:
            if pattern.search(entry):
                doc = parse_json(read_zip_entry(archive, info), f"{name}:{entry}")
                if isinstance(doc, list) and len(doc) == 1 and isinstance(doc[0], list):
                    doc = doc[0]
                if not isinstance(doc, list):
                    book.notes.append(f"{entry}: expected a list of daily records; skipped")
                    break
                _fill(book, doc, shape)
                used += 1
                break
    if not used:
        raise ReadError("is a Garmin account export without sleep, daily summary or health-status files "
                        "(DI_CONNECT/DI-Connect-Wellness/*sleepData.json, "
                        "DI-Connect-Aggregator/UDSFile_*.json)")
    return book.result("Garmin account export (zip)")
