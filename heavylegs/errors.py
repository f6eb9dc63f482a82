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
import os as _os  # noqa: E402
import re as _re  # noqa: E402
import stat as _stat  # noqa: E402

__all__ += ["FIRST_DATE", "LAST_DATE", "date_range_text", "check_date_range",
            "find_lone_surrogate", "ascii_number", "read_input_file", "size_text", "file_kind"]

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


def size_text(size: int) -> str:
    """A size for messages: ``"64 MiB"``, ``"512 bytes"``."""
    return f"{size / 2**20:.0f} MiB" if size >= 2**20 else f"{size} bytes"


def file_kind(mode: int) -> str:
    """What a file of this ``st_mode`` is, for messages: ``"a named pipe (FIFO)"``, ``"a folder"``."""
    for test, name in ((_stat.S_ISDIR, "a folder"), (_stat.S_ISFIFO, "a named pipe (FIFO)"),
                       (_stat.S_ISCHR, "a character device"), (_stat.S_ISBLK, "a block device"),
                       (_stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "not a regular file"


def _not_regular(path, mode: int) -> InputError:
    via = ""
    if _os.path.islink(path):
        via = f" (through a link to {_os.path.realpath(path)})"
    return InputError([Problem(str(path), f"is {file_kind(mode)}{via}, expected a regular file")])


def read_input_file(path, limit: int, what: str) -> bytes:
    """The bytes of a regular file no larger than ``limit``.

    Links are followed and their target checked; named pipes, devices,
    sockets and folders are refused (a pipe is opened non-blocking, so it can
    never hang a command), and so is a file larger than ``limit``.

    Parameters
    ----------
    path : str or Path
        The file.
    limit : int
        Largest size accepted [bytes].
    what : str
        What the file should be, for messages (``"a training-log CSV file"``).

    Returns
    -------
    bytes
        The whole file.

    Raises
    ------
    InputError
        One problem naming the file: not a regular file, or too large.
    OSError
        When the file cannot be opened.
    """
    mode = _os.stat(path).st_mode
    if not _stat.S_ISREG(mode):
        raise _not_regular(path, mode)
    flags = _os.O_RDONLY | getattr(_os, "O_NONBLOCK", 0) | getattr(_os, "O_NOCTTY", 0)
    fd = _os.open(path, flags)
    with _os.fdopen(fd, "rb") as handle:
        info = _os.fstat(handle.fileno())
        if not _stat.S_ISREG(info.st_mode):  # replaced between the two looks
            raise _not_regular(path, info.st_mode)
        if info.st_size > limit:
            raise InputError([Problem(str(path), f"is {size_text(info.st_size)}, expected {what} "
                                                 f"of at most {size_text(limit)}")])
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise InputError([Problem(str(path), f"grew past {size_text(limit)} while being read, "
                                             f"expected {what} of at most {size_text(limit)}")])
    return data
