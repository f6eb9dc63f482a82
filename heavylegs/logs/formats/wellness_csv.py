"""Any CSV with a date column and wellness columns (``wellness.csv`` itself included).

Headers are matched as for check-ins: ignoring case, spaces and punctuation,
by the column's name or an alias of :data:`HEADER_ALIASES`. Sleep may be
given in hours, minutes (``sleep (min)``, ``minutes asleep``) or seconds
(``sleepSecs``, as intervals.icu exports it); HRV as ``rmssd`` or ``sdnn``
names its kind, a bare ``hrv`` is taken as rMSSD (said in the notes) unless
an ``hrv_kind`` column says otherwise. A ``source`` column keeps each row's
source (one of the format's); without it the rows are ``csv``.

A cell that is not a number or a date is an error naming its line and
column (the file is refused whole); a number outside the format's range is
dropped with a note naming the day.
"""
from __future__ import annotations

import datetime as _dt
import re

import pandas as pd

from heavylegs.errors import InputError, Problem, ascii_number
from heavylegs.logs.formats._wellness import DayBook, WellnessRead
from heavylegs.logs.traininglog import csv_records
from heavylegs.logs.wellness import HRV_KINDS, SOURCES

__all__ = ["HEADER_ALIASES", "map_wellness_headers", "is_wellness_csv", "read_wellness_csv"]

#: Other headers accepted for each column, with the factor that turns the value into the column's unit.
HEADER_ALIASES = {
    "date": (("date", 1), ("day", 1), ("calendar date", 1), ("calendardate", 1), ("datum", 1),
             ("timestamp", 1), ("wake date", 1)),
    "source": (("source", 1), ("device", 1), ("vendor", 1)),
    "sleep_h": (("sleep_h", 1), ("sleep", 1), ("sleep (h)", 1), ("sleep hours", 1), ("hours slept", 1),
                ("sleep duration", 1), ("sleep duration (h)", 1), ("total sleep", 1), ("total sleep (h)", 1),
                ("asleep", 1), ("asleep (h)", 1),
                ("sleep (min)", 1 / 60), ("sleep minutes", 1 / 60), ("minutes asleep", 1 / 60),
                ("asleep (min)", 1 / 60), ("sleepmins", 1 / 60),
                ("sleepsecs", 1 / 3600), ("sleep seconds", 1 / 3600), ("sleep (s)", 1 / 3600)),
    "rhr_bpm": (("rhr_bpm", 1), ("rhr", 1), ("rhr (bpm)", 1), ("resting hr", 1), ("restinghr", 1),
                ("resting heart rate", 1), ("resting heart rate (bpm)", 1), ("resting_hr_bpm", 1)),
    "hrv_ms": (("hrv_ms", 1), ("hrv", 1), ("hrv (ms)", 1), ("rmssd", 1), ("rmssd (ms)", 1), ("sdnn", 1),
               ("sdnn (ms)", 1), ("hrvsdnn", 1)),
    "hrv_kind": (("hrv_kind", 1), ("hrv kind", 1), ("hrv type", 1)),
    "sleep_score": (("sleep_score", 1), ("sleep score", 1), ("sleepscore", 1)),
    "readiness": (("readiness", 1), ("readiness score", 1), ("recovery", 1), ("recovery score", 1),
                  ("body battery", 1)),
    "imported_from": (("imported_from", 1),),
}
_SDNN_HEADERS = {"sdnn", "sdnnms", "hrvsdnn"}
_RMSSD_HEADERS = {"rmssd", "rmssdms"}


def _norm(text: str) -> str:
    return "".join(ch for ch in str(text).casefold() if ch.isalnum())


_INDEX = {}
for _column, _aliases in HEADER_ALIASES.items():
    for _rank, (_alias, _factor) in enumerate(_aliases):
        _INDEX.setdefault(_norm(_alias), (_column, _rank, _factor))


def map_wellness_headers(header) -> tuple:
    """``({column: (position, factor, header)}, [unmapped headers])``; the nearer alias, then the leftmost, wins."""
    best = {}
    for position, name in enumerate(header):
        hit = _INDEX.get(_norm(name))
        if hit is None:
            continue
        column, rank, factor = hit
        if column not in best or (rank, position) < best[column][0]:
            best[column] = ((rank, position), (position, factor, name))
    mapping = {column: value for column, (_key, value) in best.items()}
    used = {value[2] for value in mapping.values()}
    return mapping, [h for h in header if h not in used]


def is_wellness_csv(header) -> bool:
    """A date column and at least one value column."""
    mapping, _ = map_wellness_headers(header)
    return "date" in mapping and bool(set(mapping) & {"sleep_h", "rhr_bpm", "hrv_ms", "sleep_score", "readiness"})


_DAY = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?\Z")


def read_wellness_csv(text: str, name: str) -> list:
    """Read a wellness CSV; one :class:`WellnessRead` per source found in it.

    Raises
    ------
    InputError
        Cells that are not dates, numbers, sources or HRV kinds, each with
        its line and column.
    """
    header, header_line, rows, lines = csv_records(text, name, "'date,sleep_h,rhr_bpm,...'")
    mapping, unmapped = map_wellness_headers(header)
    problems = []
    books = {}
    kind_default = None
    hrv = mapping.get("hrv_ms")
    notes = []
    if hrv is not None:
        header_name = _norm(hrv[2])
        kind_default = "sdnn" if header_name in _SDNN_HEADERS else "rmssd"
        if "hrv_kind" not in mapping and header_name not in _SDNN_HEADERS | _RMSSD_HEADERS:
            notes.append(f"column {hrv[2]!r} taken as rMSSD (name it sdnn, or add an hrv_kind column, "
                         "for SDNN)")
    if unmapped:
        notes.append("left out the columns it could not map: " + ", ".join(repr(h) for h in unmapped))
    for row, line in zip(rows, lines):
        def cell(column):
            spec = mapping.get(column)
            return None if spec is None or spec[0] >= len(row) else row[spec[0]].strip()

        def bad(column, message):
            problems.append(Problem(name, message, field=column, line=line, column=mapping[column][0] + 1))

        text_day = cell("date")
        match = _DAY.match(text_day or "")
        day = None
        if match:
            try:
                day = _dt.date.fromisoformat(match.group(1))
            except ValueError:
                day = None
        if day is None:
            bad("date", f"found {text_day!r}, expected a date YYYY-MM-DD")
            continue
        source = (cell("source") or "csv").lower()
        if source not in SOURCES:
            bad("source", f"found {cell('source')!r}, expected one of {', '.join(SOURCES)}")
            continue
        kind = (cell("hrv_kind") or "").lower() or kind_default
        if kind not in HRV_KINDS and cell("hrv_ms"):
            bad("hrv_kind", f"found {cell('hrv_kind')!r}, expected one of {', '.join(HRV_KINDS)}")
            continue
        book = books.get((source, kind))
        if book is None:
            book = books[(source, kind)] = DayBook(source, name)
            if kind:
                book.hrv_kind = kind
        for column in ("sleep_h", "rhr_bpm", "hrv_ms", "sleep_score", "readiness"):
            raw = cell(column)
            if not raw or raw.lower() in ("none", "null", "nan", "n/a", "-", "--"):
                continue
            value = ascii_number(raw)
            if value is None:
                bad(column, f"found {raw!r}, expected a number")
                continue
            book.add(day, column, value * mapping[column][1], daily=True)
    if problems:
        raise InputError(problems)
    out = []
    by_source = {}
    for (source, _kind), book in books.items():
        by_source.setdefault(source, []).append(book)
    for source, group in by_source.items():
        results = [b.result("wellness CSV") for b in group]
        first = results[0]
        for other in results[1:]:
            first.rows = pd.concat([first.rows, other.rows], ignore_index=True)
            first.dropped += other.dropped
        first.notes = notes + first.notes
        out.append(first)
    return out
