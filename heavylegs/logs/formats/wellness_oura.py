"""Oura: the Trends CSV and the API v2 JSON.

* Trends CSV (the web app's data export): ``date`` is the morning;
  ``Total Sleep Duration`` [s]; ``Lowest Resting Heart Rate`` [bpm] (Oura's
  resting heart rate; ``Average Resting Heart Rate`` when the lowest is
  missing); ``Average HRV`` [ms] (rMSSD); ``Sleep Score``; ``Readiness
  Score``. Missing values are empty cells or the text ``None``; header names
  are matched ignoring case, spaces and punctuation (real files carry typos
  such as a trailing space).
* API v2 JSON, one collection (``{"data": [...]}``) or a dump of several
  (``{"sleep": [...], "daily_sleep": [...], "daily_readiness": [...]}``):
  ``sleep`` periods (``day``, ``type`` ``long_sleep`` for the night,
  ``total_sleep_duration`` [s], ``average_hrv`` [ms], ``lowest_heart_rate``
  [bpm]), ``daily_sleep`` and ``daily_readiness`` (``day``, ``score``).
  Repeated entries of one day (several fetches, several rings) are reduced
  to one as for the other vendors.

No Oura file with a usable licence was found; these layouts follow Oura's
API documentation and the reference files' headers, tested on files made
by them.
"""
from __future__ import annotations

import csv
import io

from heavylegs.logs.formats._common import ReadError
from heavylegs.logs.formats._wellness import DayBook, WellnessRead, number, parse_day, parse_local

__all__ = ["is_oura_csv", "read_oura_csv", "identify_oura_json", "read_oura_json"]


def _norm(text: str) -> str:
    return "".join(ch for ch in str(text).casefold() if ch.isalnum())


_CSV_COLUMNS = {
    "sleep_s": ("totalsleepduration",),
    "rhr_low": ("lowestrestingheartrate",),
    "rhr_avg": ("averagerestingheartrate",),
    "hrv": ("averagehrv",),
    "sleep_score": ("sleepscore",),
    "readiness": ("readinessscore",),
}


def is_oura_csv(header) -> bool:
    """An Oura Trends CSV: a ``date`` column and Oura's sleep or readiness columns."""
    names = {_norm(h) for h in header}
    return "date" in names and bool(names & {"totalsleepduration", "readinessscore", "averagehrv",
                                              "lowestrestingheartrate"})


def read_oura_csv(text: str, name: str) -> WellnessRead:
    """Read an Oura Trends CSV."""
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise ReadError("is empty, expected an Oura Trends CSV") from None
    index = {_norm(h): i for i, h in enumerate(header)}
    where = {key: next((index[a] for a in aliases if a in index), None) for key, aliases in _CSV_COLUMNS.items()}
    book = DayBook("oura", name)
    day_col = index["date"]

    def cell(row, key):
        pos = where[key]
        return None if pos is None or pos >= len(row) else number(row[pos])

    for row in reader:
        if not row or day_col >= len(row):
            continue
        day = parse_day(row[day_col].strip())
        if day is None:
            continue
        seconds = cell(row, "sleep_s")
        if seconds is not None:
            book.add(day, "sleep_h", seconds / 3600.0, daily=True)
        low = cell(row, "rhr_low")
        book.add(day, "rhr_bpm", low if low is not None else cell(row, "rhr_avg"), daily=True)
        book.add(day, "hrv_ms", cell(row, "hrv"), daily=True)
        book.add(day, "sleep_score", cell(row, "sleep_score"), daily=True)
        book.add(day, "readiness", cell(row, "readiness"), daily=True)
    return book.result("Oura Trends (CSV)")


def _collection(items) -> str | None:
    for item in items:
        if not isinstance(item, dict) or "day" not in item:
            continue
        if "total_sleep_duration" in item or "bedtime_end" in item:
            return "sleep"
        if "score" in item and "temperature_deviation" in item:
            return "daily_readiness"
        if "score" in item and ("steps" in item or "active_calories" in item):
            return "daily_activity"
        if "score" in item:
            return "daily_sleep"
    return None


def identify_oura_json(doc) -> str | None:
    """``collection`` (``{"data": [...]}``), ``dump`` (collections by name), or None when not Oura's."""
    if not isinstance(doc, dict):
        return None
    if isinstance(doc.get("data"), list) and ("next_token" in doc or _collection(doc["data"])):
        return "collection"
    if any(isinstance(doc.get(k), list) for k in ("daily_sleep", "daily_readiness", "sleep")) \
            and all(isinstance(v, list) for k, v in doc.items() if k in ("daily_sleep", "daily_readiness", "sleep",
                                                                            "daily_activity")):
        if any(_collection(doc.get(k) or []) for k in ("daily_sleep", "daily_readiness", "sleep")):
            return "dump"
    return None


def _fill(book: DayBook, items, collection: str) -> None:
    for item in items:
        if not isinstance(item, dict):
            continue
        day = parse_day(item.get("day"))
        if collection == "sleep":
            kind = item.get("type")
            seconds = number(item.get("total_sleep_duration"))
            end = parse_local(item.get("bedtime_end"))
            main = True if kind == "long_sleep" else (None if kind is None else False)
            if seconds is not None:
                if end is not None and day is not None and end.date() == day:
                    book.add_sleep(end, seconds / 3600.0, main=main)
                elif main and day is not None:
                    book.add(day, "sleep_h", seconds / 3600.0, daily=True)
            if main is not False:
                book.add(day, "hrv_ms", number(item.get("average_hrv")), daily=bool(main))
                book.add(day, "rhr_bpm", number(item.get("lowest_heart_rate")), daily=bool(main))
        elif collection == "daily_sleep":
            book.add(day, "sleep_score", number(item.get("score")))
        elif collection == "daily_readiness":
            book.add(day, "readiness", number(item.get("score")))


def read_oura_json(doc, name: str) -> WellnessRead:
    """Read an Oura API v2 JSON document (one collection, or a dump of several)."""
    shape = identify_oura_json(doc)
    if shape is None:
        raise ReadError("is JSON but not an Oura API v2 document this importer knows")
    book = DayBook("oura", name)
    if shape == "collection":
        collection = _collection(doc["data"])
        if collection is not None:
            _fill(book, doc["data"], collection)
    else:
        for key in ("sleep", "daily_sleep", "daily_readiness"):
            if isinstance(doc.get(key), list):
                _fill(book, doc[key], key)
    return book.result("Oura API v2 (JSON)")
