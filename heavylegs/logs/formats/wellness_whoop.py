"""WHOOP: the app's CSV export (``physiological_cycles.csv``, ``sleeps.csv``).

A WHOOP cycle starts when the athlete falls asleep, so a cycle's recovery,
resting heart rate [bpm] and HRV [ms, rMSSD] belong to the local day of its
``Wake onset`` (local wall-clock time; ``Cycle timezone`` says its offset).
``physiological_cycles.csv`` gives per cycle ``Recovery score %``
(readiness), ``Resting heart rate (bpm)``, ``Heart rate variability (ms)``,
``Sleep performance %`` (sleep score) and ``Asleep duration (min)``;
``sleeps.csv`` gives the sleeps, naps marked ``Nap`` = true (left out of
``sleep_h``). Rows are newest first; the current cycle has no end yet.

No WHOOP file with a usable licence was found; this layout follows the
reference export's headers, tested on files made by it.
"""
from __future__ import annotations

import csv
import io

from heavylegs.logs.formats._common import ReadError
from heavylegs.logs.formats._wellness import DayBook, WellnessRead, number, parse_local

__all__ = ["is_whoop_csv", "read_whoop_csv"]


def _norm(text: str) -> str:
    return "".join(ch for ch in str(text).casefold() if ch.isalnum())


def is_whoop_csv(header) -> str | None:
    """``cycles`` or ``sleeps`` for a WHOOP export CSV, else None."""
    names = {_norm(h) for h in header}
    if "wakeonset" not in names:
        return None
    if "recoveryscore" in names or "heartratevariabilityms" in names or "cyclestarttime" in names \
            and "restingheartratebpm" in names:
        return "cycles"
    if "nap" in names and "asleepdurationmin" in names:
        return "sleeps"
    return None


def read_whoop_csv(text: str, name: str) -> WellnessRead:
    """Read ``physiological_cycles.csv`` or ``sleeps.csv``."""
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise ReadError("is empty, expected a WHOOP CSV export") from None
    kind = is_whoop_csv(header)
    if kind is None:
        raise ReadError("is not a WHOOP export CSV (no 'Wake onset' column)")
    index = {_norm(h): i for i, h in enumerate(header)}

    def get(row, key):
        pos = index.get(key)
        return None if pos is None or pos >= len(row) else row[pos]

    book = DayBook("whoop", name)
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        wake = parse_local(get(row, "wakeonset"))
        if wake is None:
            continue
        day = wake.date()
        nap = str(get(row, "nap") or "").strip().lower() in ("true", "1", "yes")
        asleep = number(get(row, "asleepdurationmin"))
        if asleep is not None:
            book.add_sleep(wake, asleep / 60.0, main=False if nap else None)
        if nap:
            continue
        book.add(day, "sleep_score", number(get(row, "sleepperformance")), daily=True)
        if kind == "cycles":
            book.add(day, "rhr_bpm", number(get(row, "restingheartratebpm")), daily=True)
            book.add(day, "hrv_ms", number(get(row, "heartratevariabilityms")), daily=True)
            book.add(day, "readiness", number(get(row, "recoveryscore")), daily=True)
    label = "WHOOP physiological cycles (CSV)" if kind == "cycles" else "WHOOP sleeps (CSV)"
    return book.result(label)
