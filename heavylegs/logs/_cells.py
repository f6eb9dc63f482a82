"""Cell checks shared by the CSV formats of ``logs/`` (check-ins, wellness): one rule for an empty cell, a date
and a file's text, so two files never disagree on what a valid day is.

Private to :mod:`heavylegs.logs`; every message says what was found and what was expected.
"""
from __future__ import annotations

import datetime as _dt
import math
import re

import numpy as np
import pandas as pd

from heavylegs.errors import InputError, Problem, check_date_range, read_input_file

__all__ = ["NUMBER", "DATE", "DATE_TIME", "shown", "missing", "date_of", "read_text", "require_columns", "number_of", "Cells"]

# re.ASCII: digits are 0-9 only, never "٣" or "３", as everywhere in heavylegs.
NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\Z", re.ASCII)
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}\Z", re.ASCII)
# A form's timestamp: an ISO date followed by a time (and maybe an offset).
DATE_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?"
                       r"(?:\s*(?:Z|[+-]\d{2}(?::?\d{2})?))?\Z", re.ASCII)
_EMPTY = "found an empty cell, expected a date YYYY-MM-DD"


def shown(value) -> str:
    """``repr(value)``, cut to 40 characters, for messages."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "...'"


def missing(value) -> bool:
    """Whether a cell is empty: None, NaN, NaT, NA or blank text."""
    return (value is None or value is pd.NaT or value is pd.NA
            or (isinstance(value, str) and value.strip() == "")
            or (isinstance(value, float) and math.isnan(value)))


def date_of(value, times: bool = False):
    """A ``datetime.date`` from 1900 to 2100 (the training log's range), or the message saying what is wrong.

    Parameters
    ----------
    value : str, date, datetime, Timestamp or numpy.datetime64
        A cell.
    times : bool
        Also take an ISO date followed by a time (a form's timestamp), keeping its date.
    """
    if isinstance(value, pd.Timestamp):
        day = _EMPTY if pd.isna(value) else value.date()
    elif isinstance(value, _dt.datetime):
        day = value.date()
    elif isinstance(value, _dt.date):
        day = value
    elif isinstance(value, np.datetime64):
        day = _EMPTY if np.isnat(value) else pd.Timestamp(value).date()
    elif missing(value):
        return _EMPTY
    elif not isinstance(value, str):
        return f"found {shown(value)}, expected a date YYYY-MM-DD"
    else:
        text = value.strip()
        match = DATE.match(text) or (DATE_TIME.match(text) if times else None)
        if not match:
            return f"found {shown(value)}, expected a date YYYY-MM-DD"
        try:
            day = _dt.date.fromisoformat(text if match.re is DATE else match.group(1))
        except ValueError:
            return f"found {shown(value)}, which is not a real date, expected a date YYYY-MM-DD"
    if isinstance(day, str):
        return day
    return check_date_range(day) or day


def read_text(path, max_bytes: int, what: str) -> str:
    """The UTF-8 text of a regular file of at most ``max_bytes``, or :class:`InputError` naming it.

    Parameters
    ----------
    path : str or Path
        The file (a FIFO, device or folder is refused without blocking: :func:`heavylegs.errors.read_input_file`).
    max_bytes : int
        Largest file read [bytes].
    what : str
        What the file should be, for messages (``"a check-in CSV file"``).
    """
    source = str(path)
    try:
        raw = read_input_file(path, max_bytes, what)
    except OSError as exc:
        raise InputError([Problem(source, f"cannot be read ({exc.strerror or exc}), expected {what}")]) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise InputError([Problem(source, f"found byte 0x{raw[exc.start]:02x} that is not UTF-8, expected a "
                                          "UTF-8 text file", line=line)]) from None



def number_of(value, bounds: tuple, expected: str, shown_number=lambda x: f"{x:g}"):
    """A cell as a float within ``bounds`` (NaN for an empty cell), or the message saying what is wrong.

    Parameters
    ----------
    value : str, int, float or None
        A cell: text as in a CSV file (ASCII digits only, :data:`NUMBER`) or a number.
    bounds : tuple
        ``(lowest, highest, whole)``: the range, ends included, and whether only whole numbers are valid.
    expected : str
        What a valid value is, for messages (``"a number from 0 to 14 [h]"``).
    shown_number : callable
        How a number that is not text is written in a message.
    """
    if missing(value):
        return math.nan
    if isinstance(value, bool):
        return f"found {value!r}, expected {expected}"
    if isinstance(value, (int, np.integer)) and not -2**53 <= value <= 2**53:
        return f"found a number of {len(str(abs(int(value))))} digits, expected {expected}"
    if isinstance(value, (int, float, np.integer, np.floating)):
        number = float(value)
        text = None
    elif isinstance(value, str) and NUMBER.match(value.strip()):
        text = value.strip()
        number = float(text)
    else:
        return f"found {shown(value)}, expected {expected}"
    low, high, whole = bounds
    if not math.isfinite(number) or number < low or number > high or (whole and not number.is_integer()):
        return f"found {shown_number(number) if text is None else text}, expected {expected}"
    return number

def require_columns(columns, required, source: str, header_line=None) -> None:
    """Raise :class:`InputError` naming every required column the header lacks, and what it holds.

    Parameters
    ----------
    columns : sequence of str
        The header's columns.
    required : sequence of str
        Columns the format needs.
    source : str
        The file, for messages.
    header_line : int, optional
        The header's line number.
    """
    absent = [name for name in required if name not in columns]
    if absent:
        found = ", ".join(map(str, columns)) or "no columns"
        raise InputError([Problem(source, f"column {name!r} is missing, expected it in the header "
                                          f"(found: {found})", field=name, line=header_line)
                          for name in absent])


class Cells:
    """The cells of one CSV table being checked: every problem is collected, then all are raised at once.

    Parameters
    ----------
    frame : pandas.DataFrame
        The file's cells as text (object dtype), one row per data line.
    source : str
        The file, for messages.
    lines : sequence of int
        The file's line number of each row.
    columns : dict
        Column name → its 1-based position in the header.
    required : sequence of str
        Columns the format needs; a missing one raises :class:`InputError` at once.
    header_line : int, optional
        The header's line number.
    """

    def __init__(self, frame: pd.DataFrame, source: str, lines, columns: dict, required, header_line=None):
        require_columns(frame.columns, required, source, header_line)
        self.frame, self.source, self.lines, self.columns = frame, source, lines, columns
        self.problems: list = []

    def __len__(self) -> int:
        return len(self.frame)

    def bad(self, pos: int, column: str, message: str) -> None:
        """Note that the cell of row ``pos`` in ``column`` is wrong: ``message`` says what was found and expected."""
        self.problems.append(Problem(self.source, message, field=column, line=int(self.lines[pos]),
                                     column=self.columns.get(column)))

    def values(self, column: str) -> list:
        """The column's cells (None for each row when the file has no such column)."""
        return self.frame[column].tolist() if column in self.frame.columns else [None] * len(self.frame)

    def dates(self, column: str = "date", times: bool = False) -> list:
        """The column as ``datetime.date`` (None where the cell is wrong, which is noted)."""
        out = []
        for pos, value in enumerate(self.values(column)):
            day = date_of(value, times=times)
            if isinstance(day, str):
                self.bad(pos, column, day)
                day = None
            out.append(day)
        return out

    def numbers(self, column: str, number_of) -> np.ndarray:
        """The column as floats (NaN where empty or wrong; wrong cells are noted).

        ``number_of(value, column)`` returns a float or the message saying what is wrong.
        """
        out = np.full(len(self.frame), np.nan)
        if column in self.frame.columns:
            for pos, value in enumerate(self.frame[column].tolist()):
                number = number_of(value, column)
                if isinstance(number, str):
                    self.bad(pos, column, number)
                else:
                    out[pos] = number
        return out

    def check(self) -> None:
        """Raise :class:`InputError` with every problem noted, in the file's order."""
        if self.problems:
            raise InputError(sorted(self.problems, key=lambda p: (p.line or 0, p.column or 0)))
