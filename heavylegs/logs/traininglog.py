"""Training logs, format 1: read, check, write (``spec/training-log.md``).

A training log is one athlete's sessions, one a row. :func:`read_log` reads
the CSV form and :func:`validate_log` checks a frame built in memory (by an
importer or a widget); both apply the same rules and return the same frame:

========================  =====================  ==================================
column                    dtype                  unknown
========================  =====================  ==================================
``date``                  ``datetime64``         never (required)
``activity``              str                    never (defaults to ``run``)
``duration_min`` [min]    float                  NaN (only for ``rest`` rows)
``distance_km`` [km]      float                  NaN
``rpe``                   float (CR-10)          NaN
``session_type``          str                    NaN
``avg_hr_bpm`` [bpm]      float                  NaN
``elevation_gain_m`` [m]  float                  NaN
``surface``               str                    NaN
``start_time``            str (ISO 8601)         NaN
``source``, ``notes``     str                    NaN
``max_hr_bpm`` [bpm]      float                  NaN
``gap_distance_km`` [km]  float                  NaN
``relative_effort``       float                  NaN
``hr_histogram``          str (``bpm:seconds``)  NaN
========================  =====================  ==================================

The last four columns come from ``spec/device-load.md`` (heart rate and
grade-adjusted distance written by the importers, Strava's Relative Effort).

followed by any extra columns as written. Rows are sorted by date, keeping
the order of the file within a day.

Every bad cell is reported, with its line and column, and a log with any
bad cell is rejected whole, so a partial log is never used.
"""
from __future__ import annotations

import calendar
import dataclasses
import csv
import io
import itertools
import math
import re
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

# Text kept in Python strings, whether or not pyarrow is installed (the Parquet store's extra
# brings it, and pandas would then keep text in Arrow, which cannot even hold the lone surrogate
# a bad file may carry long enough to report it): the same behaviour in every environment.
pd.set_option("mode.string_storage", "python")

from heavylegs.errors import FIRST_DATE, LAST_DATE, InputError, Problem, check_date_range, find_lone_surrogate, read_input_file
from heavylegs.files import atomic_write_text
from heavylegs.logs._cells import require_columns
from heavylegs.logs.csv_cells import csv_line as _csv_line, safe_cell as _safe_cell, unquote_cell as _unquote_cell

__all__ = [
    "LOG_COLUMNS",
    "DEVICE_COLUMNS",
    "ACTIVITIES",
    "SESSION_TYPES",
    "SURFACES",
    "NUMERIC_COLUMNS",
    "read_log",
    "validate_log",
    "write_log",
    "log_to_csv_text",
    "empty_log",
    "drop_duplicate_sessions",
    "merge_logs",
    "session_keys",
    "same_session_keep",
    "has_log_types",
    "checked_log",
    "format_histogram",
    "parse_histogram",
]

#: Columns of a training log, format 1, in the order :func:`write_log` uses.
LOG_COLUMNS = (
    "date", "activity", "duration_min", "distance_km", "rpe", "session_type",
    "avg_hr_bpm", "elevation_gain_m", "surface", "start_time", "source", "notes",
    # Device load (spec/device-load.md), all optional.
    "max_hr_bpm", "gap_distance_km", "relative_effort", "hr_histogram",
)
#: Largest training-log file read [bytes]. A session is a row of 60-200
#: bytes, so 64 MiB holds over 300,000 sessions: eight a day for a century.
MAX_LOG_BYTES = 64 * 2**20

#: The optional columns of ``spec/device-load.md``.
DEVICE_COLUMNS = ("max_hr_bpm", "gap_distance_km", "relative_effort", "hr_histogram")
#: Columns that must be in the header.
REQUIRED_COLUMNS = ("date", "duration_min")

ACTIVITIES = ("run", "strength", "cross", "rest")
SESSION_TYPES = ("recovery", "easy", "long", "tempo", "interval", "hills", "race", "strength", "cross")
SURFACES = ("road", "trail", "track", "treadmill", "mixed")
_ENUMS = {"activity": ACTIVITIES, "session_type": SESSION_TYPES, "surface": SURFACES}

# (lowest, lowest is allowed, highest) for each numeric column; None = no bound.
_RANGES = {
    "duration_min": (0.0, False, 1440.0),
    "distance_km": (0.0, True, 500.0),
    "rpe": (0.0, True, 10.0),
    "avg_hr_bpm": (30.0, True, 250.0),
    "elevation_gain_m": (0.0, True, None),
    # Device load (spec/device-load.md).
    "max_hr_bpm": (30.0, True, 250.0),
    "gap_distance_km": (0.0, True, None),
    "relative_effort": (0.0, True, None),
}
_UNITS = {"duration_min": " [min]", "distance_km": " [km]", "avg_hr_bpm": " [bpm]",
          "elevation_gain_m": " [m]", "rpe": " (CR-10)", "max_hr_bpm": " [bpm]",
          "gap_distance_km": " [km]"}
NUMERIC_COLUMNS = tuple(_RANGES)

# A plain decimal number: no "nan", "inf", "1_000" or decimal commas, which
# float() would accept or misread. re.ASCII: \d is 0-9 only, never "٣" or "３".
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\Z", re.ASCII)
# The ISO 8601 extended forms Python reads: a date, optionally a time and an offset.
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}\Z", re.ASCII)
_DATE_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?"
                        r"(?:Z|[+-]\d{2}(?::?\d{2})?)?\Z", re.ASCII)

# Spreadsheet formula injection: text cells go through heavylegs.logs.csv_cells.


def _range_text(column: str) -> str:
    low, inclusive, high = _RANGES[column]
    unit = _UNITS.get(column, "")
    if high is None:
        return f"a number ≥ {low:g}{unit}"
    if inclusive:
        return f"a number from {low:g} to {high:g}{unit}"
    return f"a number > {low:g} and ≤ {high:g}{unit}"


def _shown(value) -> str:
    """A found value as it appears in a message, cut when long."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "...'"


# ---------------------------------------------------------------------------
# The shared checker


class _Checker:
    """Collects problems of one log; knows where each cell came from."""

    def __init__(self, source: str, lines, columns: dict):
        self.source = source
        self.lines = lines          # 1-based line of each row
        self.columns = columns      # column name -> 1-based column number
        self.problems: list[Problem] = []

    def bad(self, rows, column: str, message_for):
        """Report each row position in ``rows`` of ``column``; ``message_for(pos)`` says why."""
        for pos in rows:
            self.problems.append(Problem(self.source, message_for(pos), field=column,
                                         line=int(self.lines[pos]), column=self.columns.get(column)))


def _missing(value) -> bool:
    """True for an empty cell: None, NaN, NaT, pd.NA or ''."""
    return (value is None or value is pd.NaT or value is pd.NA or
            (isinstance(value, str) and value == "") or (isinstance(value, float) and math.isnan(value)))


def _text_series(series: pd.Series) -> pd.Series:
    """Cells as stripped text, with missing cells (None, NaN, NaT, '') as NaN."""
    values = series.astype(object)
    out = values.map(lambda v: v.strip() if isinstance(v, str) else v)
    return out.where(~out.map(_missing).astype(bool), np.nan)


def _parse_dates(series: pd.Series, check: _Checker) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        values = series
        if getattr(values.dt, "tz", None) is not None:
            values = values.dt.tz_localize(None)  # keep the wall-clock (local) date
        missing = np.flatnonzero(values.isna().to_numpy())
        check.bad(missing, "date", lambda pos: "found an empty cell, expected a date YYYY-MM-DD")
        days = values.dt.normalize().astype("datetime64[ns]")
        outside = ((days < pd.Timestamp(FIRST_DATE)) | (days > pd.Timestamp(LAST_DATE))).to_numpy()
        check.bad(np.flatnonzero(outside), "date",
                  lambda pos: check_date_range(days.iloc[pos].date()))
        return days.where(~outside, pd.NaT)
    out = np.empty(len(series), dtype="datetime64[ns]")
    cache: dict = {}
    for pos, value in enumerate(series.tolist()):
        day = _one_date(value, cache)
        if isinstance(day, str):  # a message
            check.bad([pos], "date", lambda _p, m=day: m)
            out[pos] = np.datetime64("NaT")
        else:
            out[pos] = day
    return pd.Series(out, index=series.index)


def _day_in_range(day: date):
    """``day`` as ``numpy.datetime64[ns]``, or the message when outside 1900-2100.

    Checked before the conversion: a day outside the years a nanosecond
    timestamp holds would otherwise wrap around silently (1000-01-01 became
    2169).
    """
    return check_date_range(day) or np.datetime64(day, "ns")


def _one_date(value, cache):
    """A ``numpy.datetime64`` day, or a message saying what is wrong."""
    if isinstance(value, pd.Timestamp):
        if pd.isna(value):
            return "found an empty cell, expected a date YYYY-MM-DD"
        return _day_in_range(value.date())
    if isinstance(value, datetime):
        return _day_in_range(value.date())
    if isinstance(value, date):
        return _day_in_range(value)
    if _missing(value):
        return "found an empty cell, expected a date YYYY-MM-DD"
    if not isinstance(value, str):
        return f"found {_shown(value)}, expected a date YYYY-MM-DD"
    text = value.strip()
    if text in cache:
        return cache[text]
    if not text:
        result = "found an empty cell, expected a date YYYY-MM-DD"
    else:
        result = f"found {_shown(value)}, expected a date YYYY-MM-DD or an ISO 8601 date-time"
        match = _DATE.match(text) or _DATE_TIME.match(text)
        if match:
            try:
                if match.re is _DATE_TIME:
                    datetime.fromisoformat(text.replace(",", "."))  # the time must be real too
                    day = date.fromisoformat(match.group(1))
                else:
                    day = date.fromisoformat(text)
                result = _day_in_range(day)
            except ValueError:
                result = f"found {_shown(value)}, which is not a real date or time, expected a date YYYY-MM-DD"
    cache[text] = result
    return result


def _parse_numbers(series: pd.Series, column: str, check: _Checker) -> pd.Series:
    """Numeric cells as float, NaN when empty; reports text that is not a finite number."""
    if pd.api.types.is_bool_dtype(series.dtype):
        check.bad(range(len(series)), column, lambda pos: f"found {series.iloc[pos]!r}, expected "
                                                          f"{_range_text(column)}")
        return pd.Series(np.nan, index=series.index)
    if pd.api.types.is_numeric_dtype(series.dtype):
        arr = np.array(series.to_numpy(dtype="float64", na_value=np.nan), dtype="float64")
        infinite = np.isinf(arr)
        check.bad(np.flatnonzero(infinite), column,
                  lambda pos: f"found {arr[pos]!r}, expected {_range_text(column)}")
        arr[infinite] = np.nan
        return pd.Series(arr, index=series.index)
    text = _text_series(series)
    out = np.full(len(series), np.nan)
    for pos, value in enumerate(text.tolist()):
        if isinstance(value, str):
            if _NUMBER.match(value) and math.isfinite(float(value)):  # "1e999" is inf
                out[pos] = float(value)
            else:
                check.bad([pos], column, lambda _p, v=value: f"found {_shown(v)}, expected {_range_text(column)}")
        elif isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
            if math.isfinite(value):
                out[pos] = float(value)
            elif not math.isnan(value):
                check.bad([pos], column, lambda _p, v=value: f"found {v!r}, expected {_range_text(column)}")
        elif not _missing(value):
            check.bad([pos], column, lambda _p, v=value: f"found {_shown(v)}, expected {_range_text(column)}")
    return pd.Series(out, index=series.index)


def _check_range(values: pd.Series, column: str, check: _Checker):
    low, inclusive, high = _RANGES[column]
    arr = values.to_numpy()
    known = ~np.isnan(arr)
    too_low = known & ((arr < low) if inclusive else (arr <= low))
    too_high = known & (arr > high) if high is not None else np.zeros_like(known)
    bad = too_low | too_high
    check.bad(np.flatnonzero(bad), column,
              lambda pos: f"found {_num_text(arr[pos])}, expected {_range_text(column)}")


def _num_text(x: float) -> str:
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e15 else repr(float(x))


def _parse_enum(series: pd.Series, column: str, check: _Checker, default=None) -> pd.Series:
    allowed = _ENUMS[column]
    text = _text_series(series)
    lowered = text.map(lambda v: v.lower() if isinstance(v, str) else v)
    if default is not None:
        lowered = lowered.astype(object).fillna(default)  # all-empty cells map to float NaN
    bad_mask = lowered.notna() & ~lowered.isin(allowed)
    raw = text.tolist()
    check.bad(np.flatnonzero(bad_mask.to_numpy()), column,
              lambda pos: f"found {_shown(raw[pos])}, expected one of {', '.join(allowed)}")
    return lowered.where(~bad_mask, np.nan)


def _parse_start_times(series: pd.Series, check: _Checker) -> pd.Series:
    def one(value):
        if _missing(value):
            return None
        if isinstance(value, pd.Timestamp):
            return value.isoformat()
        if isinstance(value, datetime):
            return value.isoformat()
        return value

    text = _text_series(series.astype(object).map(one))
    raw = text.tolist()
    bad = []
    for pos, value in enumerate(raw):
        if isinstance(value, str):
            if not _DATE_TIME.match(value):
                bad.append(pos)
                continue
            try:
                moment = datetime.fromisoformat(value.replace(",", "."))
            except ValueError:
                bad.append(pos)
                continue
            if check_date_range(moment.date()):
                bad.append(pos)
        elif not _missing(value):
            bad.append(pos)
    check.bad(bad, "start_time",
              lambda pos: f"found {_shown(raw[pos])}, expected an ISO 8601 date-time such as "
                          "2026-07-14T17:52:00+02:00, from 1900 to 2100")
    return text


def _validate(frame: pd.DataFrame, source: str, lines, columns: dict, header_line=None) -> pd.DataFrame:
    """Check every cell of ``frame`` and return the typed, sorted log."""
    check = _Checker(source, lines, columns)
    require_columns(frame.columns, REQUIRED_COLUMNS, source, header_line)

    _check_surrogates(frame, check)
    n = len(frame)
    out = {}
    out["date"] = _parse_dates(frame["date"], check)
    if "activity" in frame.columns:
        out["activity"] = _parse_enum(frame["activity"], "activity", check, default="run")
    else:
        out["activity"] = pd.Series(["run"] * n, index=frame.index, dtype=object)
    for column in NUMERIC_COLUMNS:
        if column in frame.columns:
            out[column] = _parse_numbers(frame[column], column, check)
        else:
            out[column] = pd.Series(np.nan, index=frame.index, dtype="float64")
    is_rest = (out["activity"] == "rest").to_numpy()
    duration = out["duration_min"].to_numpy()
    missing_duration = np.isnan(duration) & ~is_rest & out["activity"].notna().to_numpy()
    # A cell that was there but unreadable is already reported; only report truly empty ones.
    if "duration_min" in frame.columns:
        empty = _text_series(frame["duration_min"]).isna().to_numpy()
        missing_duration &= empty
    activity = out["activity"].tolist()
    check.bad(np.flatnonzero(missing_duration), "duration_min",
              lambda pos: f"found an empty cell for a {activity[pos]} session, expected "
                          f"{_range_text('duration_min')} (only rest rows may leave it empty)")
    for column in NUMERIC_COLUMNS:
        _check_range(out[column], column, check)
    for column in ("session_type", "surface"):
        if column in frame.columns:
            out[column] = _parse_enum(frame[column], column, check)
        else:
            out[column] = pd.Series(np.nan, index=frame.index, dtype=object)
    if "start_time" in frame.columns:
        out["start_time"] = _parse_start_times(frame["start_time"], check)
    else:
        out["start_time"] = pd.Series(np.nan, index=frame.index, dtype=object)
    for column in ("source", "notes"):
        if column in frame.columns:
            out[column] = _keep_text(frame[column])
        else:
            out[column] = pd.Series(np.nan, index=frame.index, dtype=object)
    if "hr_histogram" in frame.columns:
        out["hr_histogram"] = _parse_histograms(frame["hr_histogram"], check)
    else:
        out["hr_histogram"] = pd.Series(np.nan, index=frame.index, dtype=object)
    if check.problems:
        check.problems.sort(key=lambda p: (p.line or 0, p.column or 0))
        raise InputError(check.problems)
    return _finish(out, frame)


def _finish(out: dict, frame: pd.DataFrame) -> pd.DataFrame:
    """The typed log from checked columns ``out`` (and ``frame``'s extra columns), sorted by date."""
    log = pd.DataFrame({name: out[name] for name in LOG_COLUMNS}, index=frame.index)
    for column in frame.columns:
        if column not in LOG_COLUMNS:
            log[column] = _keep_text(frame[column]) if not pd.api.types.is_numeric_dtype(frame[column]) \
                else frame[column]
    for column in ("activity", "session_type", "surface", "start_time", "source", "notes", "hr_histogram"):
        log[column] = log[column].astype(object).where(log[column].notna(), np.nan)
    log = log.sort_values("date", kind="stable").reset_index(drop=True)
    return log


def _check_surrogates(frame: pd.DataFrame, check: _Checker) -> None:
    """Report text cells and column names holding a lone surrogate, which UTF-8 cannot encode."""
    for name in frame.columns:
        if find_lone_surrogate(name) is not None:
            check.problems.append(Problem(check.source, "the column name holds a lone surrogate "
                                          "character (a broken \\ud800-style escape), expected "
                                          "plain text", column=check.columns.get(name)))
    for column in frame.columns:
        series = frame[column]
        if series.dtype != object and not pd.api.types.is_string_dtype(series.dtype):
            continue
        bad = [pos for pos, value in enumerate(series.tolist())
               if isinstance(value, str) and find_lone_surrogate(value) is not None]
        check.bad(bad, column, lambda pos: "found text with a lone surrogate character (a broken "
                                           "\\ud800-style escape), expected plain text")


# A heart-rate histogram: space-separated ``bpm:seconds`` pairs (spec/device-load.md).
_HISTOGRAM = re.compile(r"^\d{1,3}:(?:\d+(?:\.\d*)?|\.\d+)(?: +\d{1,3}:(?:\d+(?:\.\d*)?|\.\d+))*\Z")
_HISTOGRAM_BPM = (30, 250)


def _parse_histograms(series: pd.Series, check: _Checker) -> pd.Series:
    """``hr_histogram`` cells as stripped text; reports cells that are not ``bpm:seconds`` pairs."""
    text = _text_series(series)
    raw = text.tolist()
    for pos, value in enumerate(raw):
        if _missing(value):
            continue
        message = None
        if not isinstance(value, str) or not _HISTOGRAM.match(value):
            message = (f"found {_shown(value)}, expected space-separated bpm:seconds pairs "
                       "such as '128:30 129:42.5'")
        else:
            low, high = _HISTOGRAM_BPM
            bad = [pair for pair in value.split() if not low <= int(pair.split(":")[0]) <= high]
            if bad:
                message = (f"found heart rate {bad[0].split(':')[0]} in {bad[0]!r}, expected "
                           f"whole bpm from {low} to {high}")
        if message:
            check.bad([pos], "hr_histogram", lambda _p, m=message: m)
    return text


def _keep_text(series: pd.Series) -> pd.Series:
    """Free text as written; empty cells become NaN."""
    values = series.astype(object)
    return values.where(~values.map(_missing).astype(bool), np.nan)


# ---------------------------------------------------------------------------
# Public functions


def empty_log() -> pd.DataFrame:
    """A log with the format's columns and dtypes and no rows."""
    frame = pd.DataFrame({name: pd.Series(dtype=object) for name in LOG_COLUMNS})
    frame["date"] = pd.Series(dtype="datetime64[ns]")
    for column in NUMERIC_COLUMNS:
        frame[column] = pd.Series(dtype="float64")
    return frame


def read_log(path) -> pd.DataFrame:
    """Read a training-log CSV file (``spec/training-log.md``, format 1).

    Parameters
    ----------
    path : str or Path
        The CSV file: UTF-8 (a byte-order mark is allowed), comma-separated,
        a header row, columns in any order, blank lines skipped.

    Returns
    -------
    pandas.DataFrame
        The columns of :data:`LOG_COLUMNS` (types in the module docstring),
        then any extra columns of the file as text; sorted by date, stable.
        A header-only file gives an empty log.

    Raises
    ------
    InputError
        With one :class:`~heavylegs.errors.Problem` per bad cell (file, line,
        column number, column name, what was found and what was expected),
        or for a file that cannot be read, is empty or lacks a required
        column. Nothing of a file with any problem is returned.
    """
    path = Path(path)
    source = str(path)
    try:
        raw = read_input_file(path, MAX_LOG_BYTES, "a training-log CSV file")
    except OSError as exc:
        raise InputError([Problem(source, f"cannot be read ({exc.strerror or exc}), expected a "
                                          "training-log CSV file")]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise InputError([Problem(source, f"found byte 0x{raw[exc.start]:02x} that is not UTF-8, "
                                          "expected a UTF-8 text file", line=line)]) from None
    fast = _fast_log(text)
    if fast is not None:
        return fast
    _fail_fast(text, source)
    return _log_from_text(text, source)


#: Rows checked at a time when a large log is not plainly valid (:func:`_fail_fast`).
_CHUNK_ROWS = 20_000
#: Problems after which the check of a large log stops.
_MOST_PROBLEMS = 100


def _fail_fast(text: str, source: str) -> None:
    """Raise the problems of a large log that the fast path doubted, looking only where it doubted.

    The careful path of :func:`_log_from_text` checks every cell of the file
    in Python, about five times the time and memory of the fast path: for a
    million rows with one bad row at the end, 20 s and 1.4 GB before the
    error (issue 18). A file of more than ``2 * _CHUNK_ROWS`` lines without
    quotes (so a line is a row) is cut into blocks of ``_CHUNK_ROWS`` rows
    under its header; the fast path reads each, and the careful path only
    the blocks it doubts. Their problems are raised with the lines of the
    whole file, stopping after ``_MOST_PROBLEMS``. When no block has a
    problem (only doubts), nothing is raised and the whole file goes the
    careful way, as a small file does.
    """
    if '"' in text or text.count("\n") <= 2 * _CHUNK_ROWS:
        return
    lines = text.split("\n")
    first = next((i for i, line in enumerate(lines) if line.replace(",", "").strip()), None)
    if first is None:
        return
    header = lines[first]
    problems = []
    for begin in range(first + 1, len(lines), _CHUNK_ROWS):
        block = header + "\n" + "\n".join(lines[begin:begin + _CHUNK_ROWS]) + "\n"
        if _fast_log(block) is not None:
            continue
        try:
            _log_from_text(block, source)
        except InputError as exc:
            # Line 1 of the block is the header (line first + 1); line 2 is line begin + 1 of the file.
            problems += [dataclasses.replace(p, line=None if p.line is None else
                                             (first + 1 if p.line == 1 else p.line + begin - 1))
                         for p in exc.problems]
            if len(problems) >= _MOST_PROBLEMS or any(p.line == 1 for p in exc.problems):
                break
    if len(problems) > _MOST_PROBLEMS:
        problems = problems[:_MOST_PROBLEMS] + [Problem(source, f"more problems may follow: the check stopped "
                                                                f"after the first {_MOST_PROBLEMS}; fix these "
                                                                "and read the file again")]
    if problems:
        raise InputError(problems)


# ---------------------------------------------------------------------------
# The fast path of read_log: whole columns at once, for a file that is plainly valid.
# It gives up (returns None) at the first doubt, and the cell-by-cell path of
# _log_from_text then reads the file again and names every problem, so each
# error message is the one that path gives.
#
# The file is read as bytes in NumPy: the separators found in one pass (or the
# csv module splits a file with quotes), then each kind of typed column checked
# and converted in bulk, all its cells at once: each cell's first bytes gathered
# as a fixed-width row or a little-endian 8-byte word, numbers read from their
# digits, names looked up by their first 8 bytes, dates parsed by NumPy. No
# Python loop runs over the rows except to build the text cells' strings. Cells
# end at ASCII bytes, so a cell of UTF-8 text is never cut inside a character.

# Widest cell gathered into a matrix [bytes]; every buffer ends with this many zero bytes.
_WIDEST = 64
# Most white space stripped in bulk from either side of a cell [characters].
_MOST_SPACES = 8
# Powers of ten, exact as floats up to 1e22.
_POW10_FLOAT = 10.0 ** np.arange(23)
# Entry k keeps the first k bytes of a little-endian 8-byte word.
_KEEP_BYTES = np.array([(1 << 8 * k) - 1 for k in range(9)], dtype=np.uint64)
_MONTH_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31, 0, 0, 0], dtype=np.int64)
_FIRST_DAY = np.datetime64(FIRST_DATE, "D")
# Leap years, from FIRST_DATE's year to LAST_DATE's (a table: cheaper than three remainders a cell).
_LEAP_YEAR = np.array([calendar.isleap(year) for year in range(FIRST_DATE.year, LAST_DATE.year + 1)])
_LAST_DAY = np.datetime64(LAST_DATE, "D")
# The shapes of start time checked in bulk, by length: d a digit, T "T" or " ", s "+" or "-";
# other characters stand for themselves. Any other start time is checked cell by cell.
_START_SHAPES = {16: "dddd-dd-ddTdd:dd", 19: "dddd-dd-ddTdd:dd:dd", 20: "dddd-dd-ddTdd:dd:ddZ",
                 25: "dddd-dd-ddTdd:dd:ddsdd:dd"}
# The enumerations' names and their keys: the first 8 bytes read as a little-endian integer (they
# tell every name from the others; a ninth byte, "treadmill"'s "l", is checked apart), then 0 for
# the empty cell; and which column allows which name.
_ENUM_NAMES = sorted(set(ACTIVITIES) | set(SESSION_TYPES) | set(SURFACES))
_ENUM_KEYS = np.array([int.from_bytes(name[:8].encode("ascii").ljust(8, b"\0"), "little")
                       for name in _ENUM_NAMES] + [0], dtype=np.uint64)
_ENUM_NINTH = np.array([name.encode("ascii")[8] if len(name) > 8 else 0 for name in _ENUM_NAMES] + [0],
                       dtype=np.uint8)
# A perfect hash of the keys: the smallest modulus leaving them all different remainders, and the
# name at each remainder (the empty cell's position where none is). A cell's remainder gives the
# one name it can be; comparing the keys says whether it is.
_ENUM_MODULUS = next(m for m in itertools.count(len(_ENUM_NAMES))
                     if len({int(key) % m for key in _ENUM_KEYS[:-1]}) == len(_ENUM_NAMES))
_ENUM_SLOTS = np.full(_ENUM_MODULUS, len(_ENUM_NAMES), dtype=np.intp)
_ENUM_SLOTS[_ENUM_KEYS[:-1] % np.uint64(_ENUM_MODULUS)] = np.arange(len(_ENUM_NAMES))
_ENUM_ALLOWS = {column: np.array([name in allowed for name in _ENUM_NAMES] + [True])
                for column, allowed in _ENUMS.items()}


def _is_space(codes: np.ndarray) -> np.ndarray:
    """True for the ASCII bytes ``str.strip`` removes (the others it removes are not ASCII)."""
    return (codes == 32) | ((codes >= 9) & (codes <= 13)) | ((codes >= 28) & (codes <= 31))


def _is_digit(codes: np.ndarray) -> np.ndarray:
    return (codes - np.uint8(48)) < 10  # uint8 arithmetic wraps: any other byte gives >= 10


class _Cells:
    """Cells of a CSV file: cell ``i`` is ``buf[starts[i]:ends[i]]``, and ``buf[ends[i]]`` a separator.

    ``data`` (the bytes ``buf`` views) ends with :data:`_WIDEST` zero bytes, so
    ``width`` bytes from any cell's start lie inside it.
    """

    def __init__(self, data: bytes, starts: np.ndarray, ends: np.ndarray, buf=None):
        self.data, self.starts, self.ends = data, starts, ends
        self.buf = np.frombuffer(data, dtype=np.uint8) if buf is None else buf

    def __len__(self) -> int:
        return len(self.starts)

    def __getitem__(self, rows) -> "_Cells":
        return _Cells(self.data, self.starts[rows], self.ends[rows], self.buf)

    @property
    def lengths(self) -> np.ndarray:
        return self.ends - self.starts

    def joined(self, others: list) -> "_Cells":
        """These cells, then those of ``others`` (cells of the same buffer)."""
        return _Cells(self.data, np.concatenate([self.starts] + [o.starts for o in others]),
                      np.concatenate([self.ends] + [o.ends for o in others]), self.buf)

    def stripped(self) -> "_Cells":
        """The cells without leading and trailing ASCII white space, as ``str.strip`` removes it.

        One pass a space, so at most :data:`_MOST_SPACES` each side: a cell
        padded with more keeps them, and its reader, finding a space where
        none may be, leaves the file to the careful path.
        """
        starts, ends, buf = self.starts, self.ends, self.buf
        for _ in range(_MOST_SPACES):
            lead = _is_space(buf[starts]) & (starts < ends)
            if not lead.any():
                break
            starts = starts + lead
        for _ in range(_MOST_SPACES):
            trail = _is_space(buf[ends - 1]) & (ends > starts)
            if not trail.any():
                break
            ends = ends - trail
        return _Cells(self.data, starts, ends, self.buf)

    def raw(self, width: int) -> np.ndarray:
        """``width`` (≤ 64) bytes from each cell's start, as an ``(n, width)`` uint8 matrix."""
        # Every byte offset of the buffer as the start of a ``width``-byte item: one gather.
        items = np.ndarray(shape=(len(self.data) - width + 1,), dtype=f"V{width}", buffer=self.data,
                           strides=(1,))
        return items[self.starts].view(np.uint8).reshape(len(self.starts), width)

    def words(self) -> np.ndarray:
        """The first 8 bytes of each cell as a little-endian uint64, bytes past the cell's end zero."""
        items = np.ndarray(shape=(len(self.data) - 7,), dtype="<u8", buffer=self.data, strides=(1,))
        return items[self.starts] & _KEEP_BYTES[np.minimum(self.lengths, 8)]

    def texts(self) -> np.ndarray:
        """The cells as an object array of ``str``, NaN for an empty cell."""
        lengths = self.lengths
        out = np.full(len(lengths), np.nan, dtype=object)
        filled = np.flatnonzero(lengths)
        if filled.size:
            size = lengths[filled] + 1  # each cell and the separator after it
            begin = np.cumsum(size) - size
            chunk = self.buf[np.arange(int(size[-1] + begin[-1])) + np.repeat(self.starts[filled] - begin, size)]
            chunk[begin + size - 1] = 0
            parts = _strings(chunk.tobytes().decode("utf-8").split("\x00")[:-1])
            if filled.size == len(lengths):
                return parts
            out[filled] = parts
        return out


def _strings(texts: list) -> np.ndarray:
    """``texts`` as an object array (``fromiter`` fills one in half the time of ``np.array``)."""
    return np.fromiter(texts, dtype=object, count=len(texts))


def _eight_digits(v: np.ndarray) -> np.ndarray:
    """Byte j of each uint64 a digit value d_j (0-9; 0 elsewhere) -> sum of d_j * 10**(7 - j).

    Adjacent digits are combined in pairs, then fours, then eights, each
    step one multiply-add on the whole word (no step carries into the next lane).
    """
    v = (v * 10 + (v >> 8)) & 0x00FF00FF00FF00FF
    v = (v * 100 + (v >> 16)) & 0x0000FFFF0000FFFF
    return (v * 10000 + (v >> 32)) & 0xFFFFFFFF


def _bulk_numbers(cells: _Cells):
    """Stripped numeric cells as float (NaN when empty), or None when any is not a plain finite number.

    Only the bytes ``0-9 . + - e E`` are accepted, so a cell reads as ``float`` reads it exactly
    when it follows the format's grammar (no ``nan``, ``1_000`` or ``٣``). A cell of at most 8
    bytes of digits, a sign in front and one point (``-12.5``) is read in bulk as an integer
    mantissa divided by a power of ten: both are exact floats, so the one division rounds as
    ``float`` does; any other cell (``1e3``, ``3.14159265``) is read by ``float``.
    """
    lengths = cells.lengths
    out = np.full(len(lengths), np.nan)
    filled = np.flatnonzero(lengths)
    if not filled.size:
        return out
    cells, lengths = cells[filled], lengths[filled]
    words = cells.words()
    codes = words.view(np.uint8).reshape(-1, 8)
    digit = _is_digit(codes)
    point = codes == ord(".")
    sign = (codes == ord("+")) | (codes == ord("-"))
    exponent = (codes == ord("e")) | (codes == ord("E"))
    if not (digit | point | sign | exponent | (codes == 0)).all():
        return None
    # Per cell, from the 0/1 bytes of each mask read as one word.
    point_word = point.view(np.uint64).ravel()
    digits = np.bitwise_count(digit.view(np.uint64).ravel())
    simple = ((lengths <= 8) & (digits >= 1) & (np.bitwise_count(point_word) <= 1)
              & ((sign.view(np.uint64).ravel() >> 8) == 0) & (exponent.view(np.uint64).ravel() == 0))
    value_word = ((codes - np.uint8(48)) * digit).view(np.uint64).ravel()
    # The digits without the point: the bytes before it move up one byte into its place...
    before = np.where(point_word != 0, point_word - 1, 0)  # 0xFF on the bytes before the point
    value_word = (value_word & ~before) | ((value_word & before) << 8)
    # ...and the last one to byte 7, so digit j stands for 10**(7 - j): the mantissa.
    mantissa = _eight_digits(value_word << (8 * (8 - np.minimum(lengths, 8))).astype(np.uint64))
    decimals = np.where(point_word != 0, lengths - 1 - np.bitwise_count(before) // 8, 0)
    values = mantissa / _POW10_FLOAT[np.clip(decimals, 0, 22)]
    np.negative(values, out=values, where=codes[:, 0] == ord("-"))
    for row in np.flatnonzero(~simple).tolist():
        text = cells.data[cells.starts[row]:cells.ends[row]]
        if text.translate(None, b"0123456789.+-eE"):
            return None
        try:
            values[row] = float(text)
        except ValueError:
            return None
    if not np.isfinite(values).all():
        return None
    out[filled] = values
    return out


def _bulk_dates(cells: _Cells):
    """Stripped ``YYYY-MM-DD`` cells as datetime64[ns] days from 1900 to 2100, or None."""
    if (cells.lengths != 10).any():
        return None
    codes = cells.raw(10)
    dash = codes == ord("-")
    # Only digits and dashes, two dashes a cell, at 4 and 7: then NumPy reads the text as
    # date.fromisoformat does, and refuses a day that does not exist (2026-02-30).
    if not ((_is_digit(codes) | dash).all() and np.count_nonzero(dash) == 2 * len(codes)
            and dash[:, 4].all() and dash[:, 7].all()):
        return None
    try:
        days = codes.view("S10").ravel().astype("datetime64[D]")
    except ValueError:
        return None
    if (days < _FIRST_DAY).any() or (days > _LAST_DAY).any():
        return None
    return days.astype("datetime64[ns]")


def _real_days(year, month, day) -> np.ndarray:
    """True where year-month-day is a real day from 1900 to 2100."""
    leap = _LEAP_YEAR[np.clip(year - FIRST_DATE.year, 0, len(_LEAP_YEAR) - 1)]
    last = _MONTH_DAYS[month & 15] + (leap & (month == 2))
    return ((year >= FIRST_DATE.year) & (year <= LAST_DATE.year) & (month >= 1) & (month <= 12)
            & (day >= 1) & (day <= last))


def _bulk_enums(cells: _Cells, columns: list, n: int):
    """Stripped cells of the enumerations ``columns`` (``n`` each, one after the other), lowered.

    Returns
    -------
    list of numpy.ndarray or None
        Per column, the names (object; an empty cell is NaN, or ``run`` for
        ``activity``), or None when a cell is not one of its column's names.
    """
    lengths = cells.lengths
    if lengths.max(initial=0) > 9:
        return None
    codes = cells.words().view(np.uint8).reshape(-1, 8)
    ninth = cells.buf[cells.starts + 8] * (lengths == 9)
    if (codes >= 128).any() or (ninth >= 128).any():
        return None  # str.lower of some other characters gives ASCII letters: the careful path decides
    codes = codes + np.uint8(32) * ((codes - np.uint8(65)) < 26)  # ASCII lower case
    ninth = ninth + np.uint8(32) * ((ninth - np.uint8(65)) < 26)
    keys = codes.view(np.uint64).ravel()
    position = _ENUM_SLOTS[keys % np.uint64(_ENUM_MODULUS)]
    empty = lengths == 0
    if not ((_ENUM_KEYS[position] == keys) & (_ENUM_NINTH[position] == ninth) | empty).all():
        return None
    position[empty] = len(_ENUM_NAMES)
    out = []
    for k, column in enumerate(columns):
        part = position[k * n:(k + 1) * n]
        if not _ENUM_ALLOWS[column][part].all():
            return None
        names = np.array(_ENUM_NAMES + ["run" if column == "activity" else np.nan], dtype=object)
        out.append(names[part])
    return out


def _bulk_start_times(stripped: _Cells, cells: _Cells):
    """``start_time`` cells stripped (NaN when empty), or None when one is not an ISO 8601 date-time.

    The cells of the usual shapes (:data:`_START_SHAPES`) are checked in bulk, shape by shape
    (fields in range, the day real and from 1900 to 2100: what ``datetime.fromisoformat`` and
    the careful path ask); the others one by one, by the careful path's own check.
    """
    lengths = stripped.lengths
    out = np.full(len(lengths), np.nan, dtype=object)
    if not lengths.any():
        return out
    done = np.zeros(len(lengths), dtype=bool)
    counts = np.bincount(np.minimum(lengths, 26), minlength=27)
    for length, shape in _START_SHAPES.items():
        if not counts[length]:
            continue
        rows = np.flatnonzero(lengths == length)
        codes = stripped[rows].raw(length)
        template = np.frombuffer(shape.encode("ascii"), dtype=np.uint8)
        digit, free = template == ord("d"), (template == ord("T")) | (template == ord("s"))
        good = (_is_digit(codes) | ~digit) & ((codes == template) | digit | free)
        good = good.all() or good.all(axis=1)  # whole matrix first: one cell rarely fails
        good &= (codes[:, 10] == ord("T")) | (codes[:, 10] == ord(" "))
        if length == 25:
            good &= (codes[:, 19] == ord("+")) | (codes[:, 19] == ord("-"))
        value = codes - np.uint8(48)
        pair = value[:, :-1] * np.uint8(10) + value[:, 1:]  # pair[:, j]: the two digits from j on (uint8)
        good &= _real_days(pair[:, 0].astype(np.int64) * 100 + pair[:, 2], pair[:, 5], pair[:, 8])
        good &= (pair[:, 11] <= 23) & (pair[:, 14] <= 59)
        if length >= 19:
            good &= pair[:, 17] <= 59
        if length == 25:
            good &= (pair[:, 20] <= 23) & (pair[:, 23] <= 59)
        if not good.all():
            rows, codes = rows[good], codes[good]
        text = np.zeros((len(rows), length + 1), dtype=np.uint8)
        text[:, :length] = codes
        out[rows] = _strings(text.tobytes().decode("ascii").split("\x00")[:-1])
        done[rows] = True
    other = np.flatnonzero((lengths > 0) & ~done)
    if other.size:  # other spellings: checked one by one, as the careful path checks them
        check = _Checker("", other + 2, {})
        parsed = _parse_start_times(pd.Series(cells[other].texts(), dtype=object), check)
        if check.problems:
            return None
        out[other] = parsed.to_numpy(dtype=object)
    return out


def _split_plain(text: str):
    """Header and ``{name: _Cells}`` of CSV text without quotes; None when a row has the wrong width."""
    if "\r" in text:
        text = text.replace("\r\n", "\n")
        if "\r" in text:
            return None
    if not text.endswith("\n"):
        text += "\n"
    data = text.encode("utf-8")
    header = [cell.strip() for cell in data[:data.index(b"\n")].decode("utf-8").split(",")]
    width = len(header)
    data += bytes(_WIDEST)
    buf = np.frombuffer(data, dtype=np.uint8)
    seps = np.flatnonzero((buf == ord(",")) | (buf == ord("\n")))
    if len(seps) % width:
        return None
    ends = seps.reshape(-1, width)
    # Each line ends its record, and there are as many lines as records: so every record has
    # exactly width - 1 commas. A blank line is a record of one cell and fails this too.
    if not ((buf[ends[:, -1]] == ord("\n")).all() and np.count_nonzero(buf[seps] == ord("\n")) == len(ends)):
        return None
    starts = np.empty_like(seps)
    starts[0] = 0
    starts[1:] = seps[:-1] + 1
    cells = _Cells(data, starts.reshape(-1, width)[1:].T.ravel(), ends[1:].T.ravel(), buf)
    n = len(ends) - 1
    return header, n, {name: cells[j * n:(j + 1) * n] for j, name in enumerate(header)}


def _split_quoted(text: str):
    """Header and ``{name: _Cells}`` of CSV text with quotes, split by the csv module; None at any doubt."""
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error:
        return None
    if not records:
        return None
    header = [cell.strip() for cell in records[0]]
    width = len(header)
    rows = records[1:]
    if not rows or set(map(len, rows)) != {width}:
        return None  # a short row, or a blank line: the careful path knows their rules
    # Every cell followed by a NUL (the text holds none), column after column.
    data = ("\x00".join(itertools.chain.from_iterable(zip(*rows))) + "\x00").encode("utf-8")
    buf = np.frombuffer(data, dtype=np.uint8)
    ends = np.flatnonzero(buf == 0)
    starts = np.empty_like(ends)
    starts[0] = 0
    starts[1:] = ends[:-1] + 1
    cells = _Cells(data + bytes(_WIDEST), starts, ends)
    n = len(rows)
    return header, n, {name: cells[j * n:(j + 1) * n] for j, name in enumerate(header)}


def _fast_log(text: str):
    """:func:`_log_from_text` of a plainly valid file, whole columns at once; None at any doubt."""
    if "\x00" in text:
        return None
    split = _split_quoted(text) if '"' in text else _split_plain(text)
    if split is None:
        return None
    header, n, cells = split
    if not n or len(set(header)) != len(header) or any(name not in header for name in REQUIRED_COLUMNS):
        return None  # header only, a repeated or a missing column: the careful path knows their rules
    # The typed columns, stripped together: the date, the enumerations, the numbers, the start time.
    enums = [column for column in _ENUMS if column in cells]
    numbers = [column for column in NUMERIC_COLUMNS if column in cells]
    typed = ["date", *enums, *numbers] + (["start_time"] if "start_time" in cells else [])
    stripped = cells["date"].joined([cells[column] for column in typed[1:]]).stripped()
    part = {column: slice(k * n, (k + 1) * n) for k, column in enumerate(typed)}

    out = {}
    days = _bulk_dates(stripped[part["date"]])
    if days is None:
        return None
    out["date"] = days
    values = _bulk_enums(stripped[part[enums[0]].start:part[enums[-1]].stop], enums, n) if enums else []
    if values is None:
        return None
    out.update(zip(enums, values))
    if "activity" not in out:
        out["activity"] = np.full(n, "run", dtype=object)
    base = part[numbers[0]].start  # numbers[0] is duration_min, always there
    values = _bulk_numbers(stripped[base:part[numbers[-1]].stop])
    if values is None:
        return None
    for column in NUMERIC_COLUMNS:
        if column not in part:
            out[column] = np.full(n, np.nan)
            continue
        out[column] = column_values = values[part[column].start - base:part[column].stop - base]
        low, inclusive, high = _RANGES[column]
        with np.errstate(invalid="ignore"):  # NaN compares False: an empty cell passes
            if ((column_values < low) if inclusive else (column_values <= low)).any() or \
                    (high is not None and (column_values > high).any()):
                return None
    if (out["activity"][np.isnan(out["duration_min"])] != "rest").any():  # only rest rows may lack one
        return None
    for column in ("session_type", "surface"):
        if column not in out:
            out[column] = np.full(n, np.nan, dtype=object)
    if "start_time" in part:
        out["start_time"] = _bulk_start_times(stripped[part["start_time"]], cells["start_time"])
        if out["start_time"] is None:
            return None
    else:
        out["start_time"] = np.full(n, np.nan, dtype=object)
    out["hr_histogram"] = np.full(n, np.nan, dtype=object)
    if "hr_histogram" in cells and cells["hr_histogram"].lengths.any():
        check = _Checker("", np.arange(n) + 2, {})
        parsed = _parse_histograms(pd.Series(cells["hr_histogram"].texts(), dtype=object), check)
        if check.problems:
            return None
        out["hr_histogram"] = parsed.to_numpy(dtype=object)
    extras = [name for name in header if name not in LOG_COLUMNS]
    for column in (*_FREE_TEXT, *extras):  # free text as written, a formula guard's "'" removed
        if column not in cells:
            out[column] = np.full(n, np.nan, dtype=object)
            continue
        column_cells = cells[column]
        out[column] = values = column_cells.texts()
        quoted = (column_cells.buf[column_cells.starts] == ord("'")) & (column_cells.lengths > 0)
        for row in np.flatnonzero(quoted).tolist():
            values[row] = _unquote_cell(values[row])
    # What _finish gives, built directly: text as object with NaN, stably sorted by date.
    order = None if (n < 2 or (days[1:] >= days[:-1]).all()) else np.argsort(days, kind="stable")
    names = [*LOG_COLUMNS, *extras]
    return _frame([out[name] if order is None else out[name][order] for name in names], names, n)


_LOG_COLUMN_INDEX = pd.Index(LOG_COLUMNS)


def _frame(arrays: list, names: list, n: int) -> pd.DataFrame:
    """A frame of the columns ``arrays`` (NumPy arrays of their final dtypes), without inference."""
    index = pd.RangeIndex(n)
    # A copy of a ready index costs a seventh of making one (which infers the names' dtype).
    columns = _LOG_COLUMN_INDEX.copy() if len(names) == len(LOG_COLUMNS) else pd.Index(names)
    try:
        # pandas' own constructor from arrays, without the checks and inference of DataFrame(dict)
        # (which cost a third of the read of a 5-year log); the public path below if it goes away.
        return pd.DataFrame._from_arrays(arrays, columns=columns, index=index, verify_integrity=False)
    except (AttributeError, TypeError):
        return pd.DataFrame({name: pd.Series(values, index=index, dtype=values.dtype, copy=False)
                             for name, values in zip(names, arrays)}, index=index, copy=False)


def csv_records(text: str, source: str, expected: str) -> tuple:
    """The header and the records of CSV text, each with its 1-based line in the file.

    Parameters
    ----------
    text : str
        The file's text.
    source : str
        The file's name, for messages.
    expected : str
        What an empty file should have held, for its message (e.g.
        ``"'date,activity,duration_min,...' and one row per session"``).

    Returns
    -------
    header : list of str
        The first non-blank record, stripped.
    header_line : int
    rows : list of list of str
        The records after it; blank lines and rows of empty cells skipped.
    lines : list of int
        Where each row starts (a quoted cell may span lines).

    Raises
    ------
    InputError
        For text that is not CSV, or holds no header.
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header, header_line, rows, lines = None, 0, [], []
    previous_end = 0
    try:
        for record in reader:
            start = previous_end + 1
            previous_end = reader.line_num
            if all(cell.strip() == "" for cell in record):
                continue  # a blank line, or a spreadsheet's row of empty cells
            if header is None:
                header, header_line = [cell.strip() for cell in record], start
                continue
            rows.append(record)
            lines.append(start)
    except csv.Error as exc:
        raise InputError([Problem(source, f"is not valid CSV ({exc}), expected comma-separated "
                                          "values with balanced quotes", line=reader.line_num)]) from None
    if header is None:
        raise InputError([Problem(source, f"is empty, expected a header row such as {expected}")])
    return header, header_line, rows, lines


def repeated_columns(header, header_line: int, source: str) -> list:
    """One problem per column name that appears a second time in ``header``."""
    problems, seen = [], set()
    for number, name in enumerate(header, start=1):
        if name in seen:
            problems.append(Problem(source, f"column {name!r} appears twice, expected each column once",
                                    field=name, line=header_line, column=number))
        seen.add(name)
    return problems


def _log_from_text(text: str, source: str) -> pd.DataFrame:
    header, header_line, rows, lines = csv_records(
        text, source, "'date,activity,duration_min,...' and one row per session")
    problems = repeated_columns(header, header_line, source)
    width = len(header)
    for record, line in zip(rows, lines):
        if len(record) != width:
            problems.append(Problem(source, f"found {len(record)} cells, expected {width} as in the header",
                                    line=line))
    if problems:
        raise InputError(problems)
    free = [pos for pos, name in enumerate(header) if name in _FREE_TEXT or name not in LOG_COLUMNS]
    if free:
        for record in rows:
            for pos in free:
                if record[pos][:1] == "'":
                    record[pos] = _unquote_cell(record[pos])
    frame = pd.DataFrame(rows, columns=header, dtype=object) if rows else \
        pd.DataFrame({name: pd.Series(dtype=object) for name in header})
    columns = {name: number for number, name in enumerate(header, start=1)}
    return _validate(frame, source, np.asarray(lines, dtype=int), columns, header_line=header_line)


def validate_log(df: pd.DataFrame, source: str = "<log>") -> pd.DataFrame:
    """Check an in-memory training log with the rules of :func:`read_log`.

    Parameters
    ----------
    df : pandas.DataFrame
        A log as built by an importer or a form: columns named as in
        :data:`LOG_COLUMNS` (any order, extras kept), cells as text or as
        typed values (numbers, dates, timestamps).
    source : str
        Name used in problems, e.g. ``"<upload>"``.

    Returns
    -------
    pandas.DataFrame
        The typed, date-sorted log, exactly as :func:`read_log` returns it.

    Raises
    ------
    InputError
        One problem per bad cell; the line is the row position + 2 (as if
        the frame had been written to CSV with a header) and the column is
        the 1-based position of the column in ``df``.
    """
    if not isinstance(df, pd.DataFrame):
        raise InputError([Problem(source, f"found {type(df).__name__}, expected a pandas DataFrame "
                                          "with training-log columns")])
    frame = df.reset_index(drop=True)
    frame.columns = [str(c) for c in frame.columns]
    columns = {name: number for number, name in enumerate(frame.columns, start=1)}
    return _validate(frame, source, np.arange(len(frame)) + 2, columns)


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return _num_text(value)
    if isinstance(value, (np.floating, np.integer)):
        return _cell_text(float(value))
    if isinstance(value, pd.Timestamp):
        return "" if pd.isna(value) else value.isoformat()
    if value is pd.NA or value is pd.NaT:
        return ""
    return str(value)


#: Columns of free text, where a cell could start like a spreadsheet formula
#: (extra columns are treated as free text too).
_FREE_TEXT = ("source", "notes")


def log_to_csv_text(df: pd.DataFrame) -> str:
    """The CSV text of a log, as :func:`write_log` writes it.

    Columns in :data:`LOG_COLUMNS` order (the :data:`DEVICE_COLUMNS` only
    when a row has a value in them), then extras; dates ``YYYY-MM-DD``;
    numbers in the shortest form that reads back exactly (``44.3``, ``3``);
    empty cells for unknown values; no index; ``\\n`` line ends. Free-text
    cells (``source``, ``notes`` and extra columns) that a spreadsheet would
    run as a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab or a
    carriage return) are written with a leading ``'``, which :func:`read_log`
    removes again (``docs/importing.md``).
    """
    extras = [c for c in df.columns if c not in LOG_COLUMNS]
    # The device-load columns are written only when some row has a value, so a
    # log without device data keeps the twelve columns it always had.
    columns = [c for c in LOG_COLUMNS if c not in DEVICE_COLUMNS
               or (c in df.columns and df[c].map(lambda v: not _missing(v)).any())] + extras
    buffer = io.StringIO()
    buffer.write(_csv_line(columns))
    data = []
    for column in columns:
        if column not in df.columns:
            data.append([""] * len(df))
        elif column == "date":
            dates = pd.to_datetime(df["date"])
            data.append([d.strftime("%Y-%m-%d") if not pd.isna(d) else "" for d in dates])
        elif column in _FREE_TEXT or column not in LOG_COLUMNS:
            data.append([_safe_cell(_cell_text(v)) for v in df[column].tolist()])
        else:
            data.append([_cell_text(v) for v in df[column].tolist()])
    for row in zip(*data):
        buffer.write(_csv_line(row))
    return buffer.getvalue()


def write_log(df: pd.DataFrame, path) -> Path:
    """Check a log and write it as a format-1 CSV file, atomically.

    Parameters
    ----------
    df : pandas.DataFrame
        A training log (checked with :func:`validate_log` first, so an
        invalid log raises :class:`~heavylegs.errors.InputError` and
        nothing is written).
    path : str or Path
        The file to write; its folder is created when missing.

    Returns
    -------
    Path
        The path written.
    """
    log = validate_log(df, str(path))
    return atomic_write_text(path, log_to_csv_text(log))


# ---------------------------------------------------------------------------
# The same session, imported twice: one rule for the workbook, the importers
# and ``heavylegs import --append``.


def _is_blank(value) -> bool:
    return _missing(value) or (isinstance(value, str) and not value.strip())


_EPOCH = datetime(1970, 1, 1)
_MICROSECOND = timedelta(microseconds=1)


def _start_instant(value):
    """``(kind, moment)`` of a start time, to the second; None when there is no usable one.

    ``kind`` is ``"utc"`` when the text carries an offset (the moment is then
    in UTC) and ``"local"`` when it does not; ``moment`` is a naive
    ``datetime`` or ``pandas.Timestamp``.
    """
    if _is_blank(value):
        return None
    if isinstance(value, str):
        # Fast path for the ISO 8601 text the importers write: parsing one value with
        # pd.Timestamp costs ~80 us, enough to add seconds to a 9,000-session export.
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            moment = None  # other spellings go through pandas below
        if moment is not None:
            offset = moment.utcoffset()
            if offset is not None:
                moment = moment.replace(tzinfo=None) - offset
            return ("local" if offset is None else "utc", moment)
    try:
        stamp = pd.Timestamp(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError):
        return None
    if pd.isna(stamp):
        return None
    if stamp.tzinfo is not None:
        # Compare instants: the same session exported in two time zones is one session.
        return ("utc", stamp.tz_convert("UTC").tz_localize(None))
    return ("local", stamp)


def _day_key(value):
    if _is_blank(value):
        return None
    try:
        return pd.Timestamp(value.strip() if isinstance(value, str) else value).date().isoformat()
    except (TypeError, ValueError, AttributeError):
        return str(value).strip()[:10]


def _number_key(value):
    if _is_blank(value):
        return None
    try:
        number = float(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError):
        return str(value).strip()
    return None if math.isnan(number) else round(number, 6)


def session_keys(log: pd.DataFrame) -> list:
    """The key of each row: two rows with equal keys are the same session.

    Parameters
    ----------
    log : pandas.DataFrame
        A training log, typed (:func:`read_log`) or as built by an importer
        or a form (text cells are read the same way).

    Returns
    -------
    list of tuple
        One hashable key per row, in row order:

        * with a start time, ``("start", minute, activity)``: the same start
          time to the minute (compared as instants when it carries an offset)
          and the same activity are one session (``spec/training-log.md``);
        * without one, ``("day", date, activity, duration_min, distance_km)``:
          a log typed by hand has no start times, so uploading it twice would
          double it; such rows are the same when date, activity, duration
          [min] and distance [km] all agree (numbers compared as numbers,
          ``45`` equals ``45.0``).

        A missing activity counts as ``run``.
    """
    return _keys_and_instants(log)[0]


def _keys_and_instants(log: pd.DataFrame) -> tuple:
    """:func:`session_keys`, and each row's start ``(kind, nanoseconds since 1970)`` (or None)."""
    n = len(log)

    def column(name):
        return log[name].tolist() if name in log.columns else [None] * n

    keys, instants = [], []
    for start, activity, day, duration, distance in zip(column("start_time"), column("activity"), column("date"),
                                                         column("duration_min"), column("distance_km")):
        activity = activity.strip().lower() if isinstance(activity, str) and activity.strip() else "run"
        instant = _start_instant(start)
        if instant is not None:
            kind, moment = instant
            if isinstance(moment, pd.Timestamp):
                minute, nanos = moment.floor("min"), moment.value
            else:  # datetime: ~20 times cheaper than Timestamp.floor
                minute = pd.Timestamp(moment.replace(second=0, microsecond=0))
                nanos = (moment - _EPOCH) // _MICROSECOND * 1000
            instants.append((kind, nanos))
            keys.append(("start", (kind, minute), activity))
        else:
            instants.append(None)
            keys.append(("day", _day_key(day), activity, _number_key(duration), _number_key(distance)))
    return keys, instants


#: Two sessions of the same activity whose time spans overlap by more than this
#: share of the shorter one are the same session recorded twice (a watch and a
#: phone app started a minute or two apart).
SAME_SESSION_OVERLAP = 0.5


def _session_features(log: pd.DataFrame) -> tuple:
    """Per row: :func:`session_keys`, start ``(kind, ns)`` or None, duration [min] (0 when unknown), has heart rate."""
    n = len(log)
    keys, instants = _keys_and_instants(log)
    duration = (pd.to_numeric(log["duration_min"], errors="coerce").to_numpy(dtype=float)
                if "duration_min" in log.columns else np.full(n, np.nan))
    duration = np.where(np.isfinite(duration) & (duration > 0), duration, 0.0)
    has_hr = (pd.to_numeric(log["avg_hr_bpm"], errors="coerce").notna().to_numpy()
              if "avg_hr_bpm" in log.columns else np.zeros(n, dtype=bool))
    return keys, instants, duration, has_hr


def _spans(keys: list, instants: list, duration) -> tuple:
    """Per row: group code (start kind and activity, -1 without a start), start and end [ns]."""
    n = len(keys)
    group = np.full(n, -1, dtype=np.int64)
    start = np.zeros(n, dtype=np.int64)
    groups: dict = {}
    for pos, (key, instant) in enumerate(zip(keys, instants)):
        if instant is None:
            continue
        kind, nanos = instant
        group[pos] = groups.setdefault((kind, key[2]), len(groups))
        start[pos] = nanos
    return group, start, start + (duration * 60e9).astype(np.int64)


#: Most neighbours each session is compared with for overlap: the sessions of
#: its activity that start next after it (sessions with the very same span
#: count once). A watch, a phone app and a chest strap give three recordings
#: of one run; a session overlapping more than this many others is compared
#: with the nearest only, so a crafted or concatenated export of 200,000 rows
#: costs seconds, never a search of every pair (issue 18). Missing a pair
#: keeps a duplicate; it never drops a session.
SAME_SESSION_NEIGHBOURS = 64


def _overlapping_pairs(group, start, end) -> tuple:
    """Pairs ``(i, j)`` of rows whose spans overlap by more than half of the shorter, as two arrays.

    Rows with the very same span (group, start and end) are compared once,
    through one of them; the others join it by their equal session key. The
    distinct spans are sorted by group and start, and each is compared with
    the next one, the one after, and so on while any span still overlaps its
    neighbour at that distance at all, at most :data:`SAME_SESSION_NEIGHBOURS`
    on: real logs need one or two passes.
    """
    rows = np.flatnonzero(group >= 0)
    empty = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
    if len(rows) < 2:
        return empty
    spans = np.stack([group[rows], start[rows], end[rows]], axis=1)
    _unique, first = np.unique(spans, axis=0, return_index=True)
    rows = rows[np.sort(first)]
    if len(rows) < 2:
        return empty
    order = rows[np.lexsort((start[rows], group[rows]))]
    g, s, e = group[order], start[order], end[order]
    length = e - s
    left, right = [], []
    for shift in range(1, min(len(order), SAME_SESSION_NEIGHBOURS + 1)):
        # rows that still reach past the start of their neighbour this far on
        reaching = (g[:-shift] == g[shift:]) & (e[:-shift] > s[shift:])
        if not reaching.any():
            break
        overlap = np.minimum(e[:-shift], e[shift:]) - s[shift:]
        shorter = np.minimum(length[:-shift], length[shift:])
        hit = np.flatnonzero(reaching & (overlap > 0) & (overlap > SAME_SESSION_OVERLAP * shorter))
        left.append(order[hit])
        right.append(order[hit + shift])
    if not left:
        return empty
    return np.concatenate(left), np.concatenate(right)


def _components(n: int, left, right) -> np.ndarray:
    """Connected components of ``n`` nodes joined by the edges ``left[k] - right[k]``.

    Returns each node's component as the smallest node in it. Roots are
    hooked to the smaller root across every edge, then paths are halved
    until each node points at its root, until no edge joins two roots:
    a few NumPy passes, whatever the shape of the graph.
    """
    parent = np.arange(n, dtype=np.int64)
    while True:
        a, b = parent[left], parent[right]
        differ = a != b
        if not differ.any():
            return parent
        a, b = a[differ], b[differ]
        np.minimum.at(parent, np.maximum(a, b), np.minimum(a, b))
        while True:
            grand = parent[parent]
            if np.array_equal(grand, parent):
                break
            parent = grand


def same_session_keep(log: pd.DataFrame, locked: int = 0) -> np.ndarray:
    """True for the rows of ``log`` to keep when rows of one session are merged (the rule of
    :func:`drop_duplicate_sessions`, shared with the importers); the first ``locked`` rows stay."""
    return _keep_from(*_session_features(log), locked)


def _keep_from(keys, instants, duration, has_hr, locked: int = 0) -> np.ndarray:
    """True for the rows to keep; the first ``locked`` rows are always kept.

    Rows with equal :func:`session_keys`, or whose spans overlap by more than
    half of the shorter one (same activity), form one session. A session
    holding a locked row keeps only its locked rows; otherwise its richest
    row is kept: one with heart rate before one without, then the longer,
    then the first given. Time and memory grow with the number of rows
    (:data:`SAME_SESSION_NEIGHBOURS`), not with the pairs of sessions.
    """
    n = len(keys)
    if n == 0:
        return np.ones(0, dtype=bool)
    first: dict = {}
    same_key = np.fromiter((first.setdefault(key, pos) for pos, key in enumerate(keys)), dtype=np.int64, count=n)
    group, start, end = _spans(keys, instants, duration)
    left, right = _overlapping_pairs(group, start, end)
    positions = np.arange(n, dtype=np.int64)
    component = _components(n, np.concatenate([positions, left]), np.concatenate([same_key, right]))
    size = np.bincount(component, minlength=n)
    shared = size[component] > 1
    keep = np.ones(n, dtype=bool)
    if not shared.any():
        return keep
    is_locked = positions < locked
    with_locked = np.bincount(component, weights=is_locked, minlength=n) > 0
    held = shared & with_locked[component]
    keep[held] = is_locked[held]  # a session the existing log holds keeps only its existing rows
    open_rows = np.flatnonzero(shared & ~with_locked[component])
    if len(open_rows):
        has = np.asarray(has_hr, dtype=bool)[open_rows]
        length = np.asarray(duration, dtype=float)[open_rows]
        # by session, then heart rate first, then longer, then earlier
        order = open_rows[np.lexsort((open_rows, -length, ~has, component[open_rows]))]
        best = np.ones(len(order), dtype=bool)
        best[1:] = component[order][1:] != component[order][:-1]
        keep[open_rows] = False
        keep[order[best]] = True
    return keep


def drop_duplicate_sessions(df: pd.DataFrame) -> tuple:
    """Drop sessions recorded or imported twice, keeping the richer recording.

    Two rows are the same session (:func:`heavylegs.logs.traininglog` same-session
    rule) when

    * they have start times, the same ``activity``, and their time spans
      (start to start + ``duration_min``) overlap by more than half of the
      shorter one, or start in the same minute (``spec/training-log.md``): a
      watch and a phone app that recorded one run a minute apart;
    * they have no start time and the same date, activity, duration and
      distance (:func:`session_keys`).

    Of each session the richer row is kept: one with heart rate before one
    without, then the longer, then the first given.

    Parameters
    ----------
    df : pandas.DataFrame
        A training log.

    Returns
    -------
    log : pandas.DataFrame
        The rows kept, in their order, with a fresh index.
    dropped : int
        Rows dropped.
    """
    if df is None or not len(df):
        return df, 0
    keep = same_session_keep(df)
    return df[keep].reset_index(drop=True), int((~keep).sum())


def merge_logs(existing, new):
    """Join a new log to an existing one, dropping sessions seen twice.

    Parameters
    ----------
    existing, new : pandas.DataFrame or None
        Training logs (``spec/training-log.md``).

    Returns
    -------
    merged : pandas.DataFrame
        Every session of ``existing``, then the new ones, sorted by date
        (stable, so the existing order stays within a day).
    dropped : int
        Sessions of ``new`` dropped as repeats (of ``existing``, or twice in
        ``new``).

    Notes
    -----
    Sessions are the same by the rule of :func:`drop_duplicate_sessions`
    (overlapping spans of one activity, or the same start minute; without a
    start time, the same date, activity, duration and distance). The rows of
    ``existing`` are all kept, even two that look alike: a merge only ever
    adds. A new session that is the same as an existing one is dropped even
    when it is richer (it has heart rate the existing row lacks): replacing
    a row of a coach's log must be done on purpose, never by an import.
    Within ``new``, the richer of two recordings of one session is kept.
    """
    frames = [f for f in (existing, new) if f is not None and len(f)]
    if not frames:
        return (existing if existing is not None else new), 0
    if existing is None or not len(existing):
        kept, dropped = drop_duplicate_sessions(new)
        return kept.sort_values("date", kind="stable").reset_index(drop=True), dropped
    if new is None or not len(new):
        return existing.copy().sort_values("date", kind="stable").reset_index(drop=True), 0
    old_keys, old_instants, old_duration, old_hr = _session_features(existing)
    new_keys, new_instants, new_duration, new_hr = _session_features(new)
    keep = _keep_from(old_keys + new_keys, old_instants + new_instants,
                      np.concatenate([old_duration, new_duration]), np.concatenate([old_hr, new_hr]),
                      locked=len(existing))[len(existing):]
    dropped = int((~keep).sum())
    parts = [existing] + ([new[keep]] if keep.any() else [])
    merged = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0].copy()
    merged = merged.sort_values("date", kind="stable").reset_index(drop=True)
    return merged, dropped


# ---------------------------------------------------------------------------
# Logs already checked, and the heart-rate histogram's text


def has_log_types(log) -> bool:
    """Whether ``log`` already has the columns and types :func:`read_log` gives.

    Such a frame needs no second check: the engine takes it as it is.
    """
    if not isinstance(log, pd.DataFrame):
        return False
    columns = log.columns
    if not columns.is_unique or not _LOG_COLUMN_SET.issubset(columns):
        return False
    try:  # pandas' internal list of the column dtypes: a fraction of the cost of the public log.dtypes
        dtypes = log._mgr.get_dtypes()
    except Exception:  # noqa: BLE001 - any change in pandas' internals: use the public path
        dtypes = log.dtypes.to_numpy()
    dtypes = dict(zip(columns, dtypes))
    if not pd.api.types.is_datetime64_dtype(dtypes["date"]):
        return False
    return all(dtypes[c].kind == "f" if isinstance(dtypes[c], np.dtype) else pd.api.types.is_float_dtype(dtypes[c])
               for c in NUMERIC_COLUMNS)


_LOG_COLUMN_SET = frozenset(LOG_COLUMNS)


def checked_log(log) -> pd.DataFrame:
    """``log`` when it already has :func:`read_log`'s types, else :func:`validate_log` of it.

    None gives an empty log.
    """
    if log is None:
        return validate_log(pd.DataFrame({"date": [], "duration_min": []}))
    return log if has_log_types(log) else validate_log(log)


def format_histogram(histogram: dict) -> str | None:
    """The ``hr_histogram`` text of a log: ``"128:30 129:42.5"``; None when empty.

    Parameters
    ----------
    histogram : dict of int to float
        Seconds at each heart rate [bpm → s], as
        :func:`heavylegs.metrics.heart_rate.hr_histogram` gives it.

    Returns
    -------
    str or None
        Space-separated ``bpm:seconds`` pairs, bpm ascending, seconds in
        their shortest exact form to 0.001 s (``spec/device-load.md``).
    """
    if not histogram:
        return None
    parts = []
    for bpm in sorted(histogram):
        seconds = round(float(histogram[bpm]), 3)
        if seconds <= 0:
            continue
        text = str(int(seconds)) if seconds.is_integer() else repr(seconds)
        parts.append(f"{int(bpm)}:{text}")
    return " ".join(parts) or None


def parse_histogram(text) -> dict:
    """The histogram of an ``hr_histogram`` cell (bpm → seconds); {} when empty.

    Raises
    ------
    ValueError
        When the text is not space-separated ``bpm:seconds`` pairs (a log
        from :func:`read_log` never has such a cell).
    """
    if text is None or (isinstance(text, float) and math.isnan(text)) or not str(text).strip():
        return {}
    out: dict = {}
    for pair in str(text).split():
        bpm, sep, seconds = pair.partition(":")
        if not sep:
            raise ValueError(f"found {pair!r}, expected bpm:seconds")
        out[int(bpm)] = out.get(int(bpm), 0.0) + float(seconds)
    return out
