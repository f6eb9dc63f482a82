"""Errors that point at the bad input: file, line, field, value, expectation."""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Problem", "InputError"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input.

    Parameters
    ----------
    file : str
        The file (or ``"<input>"`` for in-memory data).
    message : str
        What was found and what was expected.
    field : str, optional
        The field or column concerned.
    line : int, optional
        1-based line in the file, when the format has lines.
    column : int, optional
        1-based column, when known.
    """

    file: str
    message: str
    field: str | None = None
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        where += ":"
        if self.field:
            where += f" {self.field}:"
        return f"{where} {self.message}"


class InputError(ValueError):
    """Bad input, with every problem found in it.

    The command line prints one line per problem on standard error and exits
    with status 2.
    """

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


# ---------------------------------------------------------------------------
# Limits every input respects, whatever its format.

import datetime as _dt  # noqa: E402 - kept with the limits it serves
import re as _re  # noqa: E402

__all__ += ["FIRST_DATE", "LAST_DATE", "date_range_text", "check_date_range",
            "find_lone_surrogate", "ascii_number"]

#: Earliest and latest date accepted in a log, a profile or a command-line
#: option. Training data are recent; the range keeps every date far inside
#: the years a pandas timestamp can hold (1677-2262), so no date ever wraps
#: around or makes a daily series of thousands of years.
FIRST_DATE = _dt.date(1900, 1, 1)
LAST_DATE = _dt.date(2100, 12, 31)

# A plain decimal number in ASCII digits. Python's float() and int() also
# read other scripts' digits ("٣", "３"), "nan", "inf" and "1_000", which no
# input of heavylegs means as a number.
_ASCII_NUMBER = _re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", _re.ASCII)


_SURROGATE = _re.compile("[\ud800-\udfff]")


def date_range_text() -> str:
    """``"a date from 1900-01-01 to 2100-12-31"``, for messages."""
    return f"a date from {FIRST_DATE.isoformat()} to {LAST_DATE.isoformat()}"


def check_date_range(day: _dt.date) -> str | None:
    """None when ``day`` lies in :data:`FIRST_DATE`..:data:`LAST_DATE`, else what is wrong."""
    if isinstance(day, _dt.datetime):
        day = day.date()
    if FIRST_DATE <= day <= LAST_DATE:
        return None
    return f"found {day.isoformat()}, expected {date_range_text()}"


def find_lone_surrogate(text: str) -> int | None:
    """Position of the first lone surrogate (U+D800..U+DFFF) in ``text``, or None.

    A JSON escape such as ``"\\ud800"`` gives such a character; it cannot be
    written as UTF-8, so it must be refused when read, not when saved.
    """
    found = _SURROGATE.search(text)
    return None if found is None else found.start()


def ascii_number(text: str) -> float | None:
    """``text`` as a float when it is a plain ASCII decimal number, else None.

    Examples
    --------
    >>> ascii_number(" 12.5 "), ascii_number("٣"), ascii_number("nan")
    (12.5, None, None)
    """
    text = text.strip()
    return float(text) if _ASCII_NUMBER.fullmatch(text) else None
