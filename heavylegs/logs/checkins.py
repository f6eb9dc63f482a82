"""Daily check-ins, format 1: read, check, write, import, add one day, follow-up.

A check-in records how heavy an athlete's legs felt on one day, with the
four items of the Hooper questionnaire (Hooper & Mackinnon 1995) and last
night's sleep (``spec/checkins.md``). One athlete's check-ins live in
``data/athletes/<id>/checkins.csv`` (:func:`checkins_path`):

=====================  ==================  ========  ================================
column                 dtype               values    unknown
=====================  ==================  ========  ================================
``date``               ``datetime64``      a day     never (required)
``heaviness``          int                 0-10      never (required)
``sleep_h`` [h]        float               0-14      NaN
``sleep_quality``      float (whole)       1-7       NaN
``fatigue``            float (whole)       1-7       NaN
``stress``             float (whole)       1-7       NaN
``soreness``           float (whole)       1-7       NaN
``notes``              str                           NaN
``hooper``             float (whole)       4-28      NaN unless all four items are known
=====================  ==================  ========  ================================

followed by any extra columns of the file, kept as text. ``hooper`` is
computed, never read. Rows are sorted by date with one row a day: when two
rows share a date the later row wins (:func:`read_checkins` keeps it,
:func:`import_checkins` reports the earlier one).

Every bad cell is reported with its file, line and column, and a file with
any bad cell is rejected whole.
"""
from __future__ import annotations

import datetime as _dt
import io
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from heavylegs.errors import InputError, Problem, find_lone_surrogate
from heavylegs.logs._cells import Cells, date_of, missing as _missing, number_of, read_text
from heavylegs.logs.csv_cells import csv_line, safe_cell, unquote_cell
from heavylegs.logs.traininglog import csv_records, repeated_columns
from heavylegs.files import athlete_lock, athlete_paths, atomic_write_text, folder_lock

__all__ = [
    "CHECKIN_COLUMNS",
    "HOOPER_ITEMS",
    "HEADER_ALIASES",
    "FOLLOW_UP_DAYS_BEFORE",
    "FOLLOW_UP_MIN_CHECKINS",
    "MAX_NOTE_CHARS",
    "MAX_CHECKINS_BYTES",
    "CheckinImport",
    "checkins_path",
    "empty_checkins",
    "read_checkins",
    "load_checkins",
    "validate_checkins",
    "validate_checkin",
    "checkins_to_csv_text",
    "write_checkins",
    "update_checkins",
    "merge_checkins",
    "map_headers",
    "import_checkins",
    "add_checkin",
    "follow_up",
]

#: Columns of a check-in file, format 1, in the order :func:`write_checkins` uses.
CHECKIN_COLUMNS = ("date", "heaviness", "sleep_h", "sleep_quality", "fatigue", "stress", "soreness",
                   "notes")
#: The four Hooper items (1 = very, very good ... 7 = very, very bad), summed into ``hooper``.
HOOPER_ITEMS = ("sleep_quality", "fatigue", "stress", "soreness")
_REQUIRED = ("date", "heaviness")

# column -> (lowest, highest, whole numbers only, unit text)
_RANGES = {
    "heaviness": (0, 10, True, " (0 = light, normal; 10 = like lead)"),
    "sleep_h": (0, 14, False, " [h]"),
    "sleep_quality": (1, 7, True, " (Hooper: 1 = very, very good, 7 = very, very bad)"),
    "fatigue": (1, 7, True, " (Hooper: 1 = very, very low, 7 = very, very high)"),
    "stress": (1, 7, True, " (Hooper: 1 = very, very low, 7 = very, very high)"),
    "soreness": (1, 7, True, " (Hooper: 1 = very, very low, 7 = very, very high)"),
}
_NUMERIC = tuple(_RANGES)

#: Other headers that forms and spreadsheets use for each column. A header
#: maps to a column when, ignoring case, spaces and punctuation, it equals the
#: column name or one of these (``spec/checkins.md``); earlier entries win
#: when two headers of one file map to the same column.
HEADER_ALIASES = {
    "date": ("day", "datum", "check-in date", "checkin date", "date of check-in", "entry date",
             "timestamp"),
    "heaviness": ("heavy legs", "leg heaviness", "legs heaviness", "heaviness (0-10)", "heaviness 0-10",
                  "heavy legs (0-10)", "how heavy did your legs feel today?",
                  "how heavy did your legs feel?", "how heavy do your legs feel?", "legs"),
    "sleep_h": ("sleep", "sleep (h)", "sleep hours", "hours of sleep", "hours slept", "sleep duration",
                "sleep time", "sleep last night", "hours of sleep last night"),
    "sleep_quality": ("sleep quality", "quality of sleep", "sleep quality (1-7)", "hooper sleep"),
    "fatigue": ("fatigue (1-7)", "tiredness", "hooper fatigue", "fatigue level"),
    "stress": ("stress (1-7)", "stress level", "hooper stress"),
    "soreness": ("muscle soreness", "soreness (1-7)", "doms", "sore muscles", "hooper soreness",
                 "muscle soreness (1-7)"),
    "notes": ("note", "comment", "comments", "remarks", "anything else?"),
}

#: Days before the plan start compared by :func:`follow_up` [days].
FOLLOW_UP_DAYS_BEFORE = 14
#: Check-ins needed on each side of the plan start for a comparison.
FOLLOW_UP_MIN_CHECKINS = 5

#: Longest note (or text of an extra column) a check-in keeps [characters]: a
#: few paragraphs. A longer one is refused when written, so no row can grow
#: past what a reader takes.
MAX_NOTE_CHARS = 2000
#: Largest check-in file read [bytes]: a century of daily check-ins with
#: long notes fits many times over.
MAX_CHECKINS_BYTES = 64 * 2**20



def _norm(header: str) -> str:
    """A header ignoring case, spaces and punctuation (``"Sleep (h)"`` -> ``"sleeph"``)."""
    return "".join(ch for ch in str(header).casefold() if ch.isalnum())


_ALIAS_INDEX = {}
for _column in CHECKIN_COLUMNS:
    for _rank, _alias in enumerate((_column, *HEADER_ALIASES.get(_column, ()))):
        _ALIAS_INDEX.setdefault(_norm(_alias), (_column, _rank))


def checkins_path(data_dir, athlete_id) -> Path:
    """The check-in file of one athlete: ``<data_dir>/athletes/<id>/checkins.csv``.

    Parameters
    ----------
    data_dir : str or Path
        The data folder (holding ``athletes/``).
    athlete_id : str
        A valid athlete id (checked).
    """
    return athlete_paths(data_dir, athlete_id)["checkins"]


def empty_checkins() -> pd.DataFrame:
    """Check-ins with the format's columns and dtypes, and no rows."""
    frame = pd.DataFrame({"date": pd.Series(dtype="datetime64[ns]"),
                          "heaviness": pd.Series(dtype="int64")})
    for name in _NUMERIC[1:]:
        frame[name] = pd.Series(dtype="float64")
    frame["notes"] = pd.Series(dtype=object)
    frame["hooper"] = pd.Series(dtype="float64")
    return frame


# ---------------------------------------------------------------------------
# Checking cells


def _range_text(column: str) -> str:
    low, high, whole, unit = _RANGES[column]
    kind = "a whole number" if whole else "a number"
    return f"{kind} from {low} to {high}{unit}"


def _day_of(value):
    """A check-in's day (a form's timestamp keeps its date), or a message saying what is wrong."""
    return date_of(value, times=True)


def _number_of(value, column: str):
    """A float (NaN for an empty cell), or a message saying what is wrong."""
    return number_of(value, _RANGES[column][:3], _range_text(column), _num_text)


def _num_text(x: float) -> str:
    return str(int(x)) if math.isfinite(x) and float(x).is_integer() else repr(float(x))


def _typed(frame: pd.DataFrame, source: str, lines, columns: dict, header_line=None) -> tuple:
    """Check every cell; return ``(check-ins, replaced)`` or raise :class:`InputError`.

    ``replaced`` lists ``(line, date)`` of rows that a later row of the same
    date replaced.
    """
    cells = Cells(frame, source, lines, columns, _REQUIRED, header_line)
    bad, n = cells.bad, len(cells)
    out = {"date": cells.dates(times=True)}
    for column in _NUMERIC:
        out[column] = cells.numbers(column, _number_of)
    for pos in np.flatnonzero(np.isnan(out["heaviness"])):
        if _missing(frame["heaviness"].iat[pos]):  # a wrong cell was noted already; an empty one is wrong too
            bad(int(pos), "heaviness", f"found an empty cell, expected {_range_text('heaviness')}")
    for column in frame.columns:
        if column not in CHECKIN_COLUMNS[:-1] and column != "hooper":  # notes and extra columns
            for pos, value in enumerate(frame[column].tolist()):
                message = _text_problem(value)
                if message:
                    bad(pos, column, message)
    cells.check()
    result = pd.DataFrame({"date": pd.to_datetime(pd.Series(out["date"], dtype=object)).astype("datetime64[ns]"),
                           "heaviness": out["heaviness"].astype(np.int64)})
    for column in _NUMERIC[1:]:
        result[column] = out[column]
    result["notes"] = _text(frame["notes"]) if "notes" in frame.columns else \
        pd.Series(np.nan, index=range(n), dtype=object)
    for column in frame.columns:
        if column not in CHECKIN_COLUMNS and column != "hooper":
            result[column] = _text(frame[column])
    result["_line"] = np.asarray(lines, dtype=np.int64)
    # One row a day: the later row wins (the file's order, not the sorted order).
    later = result.iloc[::-1]
    dropped = later.duplicated("date", keep="first").iloc[::-1]
    replaced = [(int(line), day.date().isoformat())
                for line, day in zip(result.loc[dropped, "_line"], result.loc[dropped, "date"])]
    result = result.loc[~dropped].drop(columns="_line")
    result = result.sort_values("date", kind="stable").reset_index(drop=True)
    return _with_hooper(result), replaced


def _text_problem(value) -> str | None:
    """What is wrong with a text cell (a note), or None."""
    if _missing(value):
        return None
    text = value if isinstance(value, str) else str(value)
    if len(text.strip()) > MAX_NOTE_CHARS:
        return (f"found a text of {len(text.strip())} characters, expected at most {MAX_NOTE_CHARS} "
                "(a note of a few paragraphs)")
    where = find_lone_surrogate(text)
    if where is not None:
        return (f"found a lone surrogate U+{ord(text[where]):04X} at character {where + 1}, which cannot "
                "be saved as UTF-8, expected text")
    return None


def _unquoted(header, rows) -> None:
    """Remove the formula guard (:func:`heavylegs.logs.csv_cells.safe_cell`) of the text cells, in place."""
    header[:] = [unquote_cell(name) for name in header]
    text = [pos for pos, name in enumerate(header) if name not in _NUMERIC and name != "date"]
    for record in rows:
        for pos in text:
            if record[pos][:1] == "'":
                record[pos] = unquote_cell(record[pos])


def _text(series: pd.Series) -> pd.Series:
    values = series.reset_index(drop=True).astype(object)
    values = values.map(lambda v: v.strip() if isinstance(v, str) else v)
    return values.where(~values.map(_missing).astype(bool), np.nan)


def _with_hooper(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.drop(columns="hooper", errors="ignore")
    items = frame[list(HOOPER_ITEMS)].to_numpy(dtype=float)
    frame["hooper"] = items.sum(axis=1)  # NaN when any item is unknown
    return frame


def _rows_of(text: str, source: str) -> tuple:
    """Header, rows, their 1-based lines and the header line of CSV text."""
    header, header_line, rows, lines = csv_records(text, source, "'date,heaviness,sleep_h,...' and one row a day")
    width = len(header)
    problems = [Problem(source, f"found {len(record)} cells, expected {width} as in the header", line=line)
                for record, line in zip(rows, lines) if len(record) != width]
    if problems:
        raise InputError(problems)
    return header, rows, lines, header_line


# ---------------------------------------------------------------------------
# Reading and writing the check-in file


def read_checkins(path) -> pd.DataFrame:
    """Read a check-in file (``spec/checkins.md``, format 1).

    Parameters
    ----------
    path : str or Path
        UTF-8 CSV (a byte-order mark is accepted), a header row with the
        columns of :data:`CHECKIN_COLUMNS` in any order (``date`` and
        ``heaviness`` required), blank lines skipped, extra columns kept.

    Returns
    -------
    pandas.DataFrame
        One row a day, sorted by date (types in the module docstring), with
        the computed ``hooper`` [4-28]. Of two rows with one date the later
        row is kept.

    Raises
    ------
    InputError
        One :class:`~heavylegs.errors.Problem` per bad cell, naming the file,
        line, column number and column; nothing of a file with any problem is
        returned.
    """
    source = str(path)
    header, rows, lines, header_line = _rows_of(read_text(path, MAX_CHECKINS_BYTES, "a check-in CSV file"), source)
    problems = repeated_columns(header, header_line, source)
    if problems:
        raise InputError(problems)
    _unquoted(header, rows)
    frame = pd.DataFrame(rows, columns=header, dtype=object) if rows else \
        pd.DataFrame({name: pd.Series(dtype=object) for name in header})
    columns = {name: number for number, name in enumerate(header, start=1)}
    checkins, _replaced = _typed(frame, source, lines, columns, header_line)
    return checkins


def load_checkins(data_dir, athlete_id) -> pd.DataFrame:
    """The athlete's check-ins (:func:`read_checkins`), empty when there is no file yet."""
    path = checkins_path(data_dir, athlete_id)
    if not path.exists():
        return empty_checkins()
    return read_checkins(path)


def validate_checkins(df: pd.DataFrame, source: str = "<checkins>") -> pd.DataFrame:
    """Check in-memory check-ins with the rules of :func:`read_checkins`.

    Parameters
    ----------
    df : pandas.DataFrame
        Columns named as in :data:`CHECKIN_COLUMNS` (any order, extras kept),
        cells as text or typed values.
    source : str
        Name used in problems; lines count as if the frame were a CSV file
        with a header (row position + 2).

    Returns
    -------
    pandas.DataFrame
        As :func:`read_checkins` returns.
    """
    if not isinstance(df, pd.DataFrame):
        raise InputError([Problem(source, f"found {type(df).__name__}, expected a pandas DataFrame "
                                          "with check-in columns")])
    frame = df.reset_index(drop=True).drop(columns="hooper", errors="ignore")
    columns = {name: number for number, name in enumerate(frame.columns, start=1)}
    checkins, _replaced = _typed(frame, source, np.arange(len(frame)) + 2, columns, header_line=1)
    return checkins


def validate_checkin(entry: dict, source: str = "<check-in>") -> dict:
    """Check one day's check-in, as the workbook's quick entry gives it.

    Parameters
    ----------
    entry : dict
        ``date`` (``YYYY-MM-DD`` or a date) and ``heaviness`` (0-10) are
        required; ``sleep_h`` [h], ``sleep_quality``, ``fatigue``,
        ``stress``, ``soreness`` (1-7) and ``notes`` are optional (None or
        absent: unknown).
    source : str
        Name used in problems.

    Returns
    -------
    dict
        The entry with ``date`` as ``YYYY-MM-DD``, ``heaviness`` an int, the
        Hooper items ints or None, ``sleep_h`` a float or None, ``notes`` a
        str or None, and ``hooper`` (4-28 or None).

    Raises
    ------
    InputError
        One problem per bad field (unknown keys are refused too, listing the
        valid ones).

    Examples
    --------
    >>> validate_checkin({"date": "2026-11-16", "heaviness": 6, "sleep_quality": 3,
    ...                   "fatigue": 5, "stress": 4, "soreness": 6})["hooper"]
    18
    """
    if not isinstance(entry, dict):
        raise InputError([Problem(source, f"found {type(entry).__name__}, expected a dict of check-in "
                                          "fields")])
    problems = []
    unknown = [key for key in entry if key not in CHECKIN_COLUMNS and key != "hooper"]
    for key in unknown:
        problems.append(Problem(source, f"is not a check-in field, expected one of "
                                        f"{', '.join(CHECKIN_COLUMNS)}", field=str(key)))
    out = {}
    day = _day_of(entry.get("date"))
    if isinstance(day, str):
        problems.append(Problem(source, day, field="date"))
    else:
        out["date"] = day.isoformat()
    for column in _NUMERIC:
        number = _number_of(entry.get(column), column)
        if isinstance(number, str):
            problems.append(Problem(source, number, field=column))
        elif math.isnan(number):
            if column == "heaviness":
                problems.append(Problem(source, f"is unknown, expected {_range_text(column)}", field=column))
            out[column] = None
        else:
            out[column] = number if column == "sleep_h" else int(number)
    notes = entry.get("notes")
    message = _text_problem(notes)
    if message:
        problems.append(Problem(source, message, field="notes"))
    out["notes"] = None if _missing(notes) else str(notes).strip()
    if problems:
        raise InputError(problems)
    items = [out[name] for name in HOOPER_ITEMS]
    out["hooper"] = None if any(v is None for v in items) else sum(items)
    return out


def _cell(value, column: str) -> str:
    if _missing(value):
        return ""
    if column == "date":
        return pd.Timestamp(value).date().isoformat()
    if column in _NUMERIC:
        return _num_text(float(value)) if column != "sleep_h" else f"{float(value):g}"
    return safe_cell(str(value))  # a note such as "=1+1" opens as text in a spreadsheet


def checkins_to_csv_text(checkins: pd.DataFrame) -> str:
    """Check-ins as the text of a check-in file: the format's columns, then the extras.

    ``hooper`` is computed, so it is not written. Whole numbers are written
    without decimals, unknown values as empty cells.
    """
    extras = [c for c in checkins.columns if c not in CHECKIN_COLUMNS and c != "hooper"]
    header = list(CHECKIN_COLUMNS) + extras
    buffer = io.StringIO()
    buffer.write(csv_line([safe_cell(str(name)) for name in header]))
    columns = {name: (checkins[name].tolist() if name in checkins.columns else [None] * len(checkins))
               for name in header}
    for i in range(len(checkins)):
        buffer.write(csv_line([_cell(columns[name][i], name) for name in header]))
    return buffer.getvalue()


def write_checkins(checkins: pd.DataFrame, path) -> Path:
    """Write check-ins to ``path`` atomically, replacing the whole file.

    Parameters
    ----------
    checkins : pandas.DataFrame
        Checked first (:func:`validate_checkins`); a bad frame writes nothing.
    path : str or Path
        The check-in file.

    Returns
    -------
    Path

    Notes
    -----
    Written with :func:`heavylegs.files.atomic_write_text` while
    holding the lock of the file's folder
    (:func:`heavylegs.files.folder_lock`, the athlete's lock for
    ``athletes/<id>/checkins.csv``), so it never lands in the middle of
    another writer's read-modify-write. To add check-ins to the ones
    already in the file, use :func:`update_checkins`.
    """
    checked = validate_checkins(checkins)
    path = Path(path)
    with folder_lock(path.parent):
        return atomic_write_text(path, checkins_to_csv_text(checked))


def update_checkins(path, checkins: pd.DataFrame) -> dict:
    """Merge check-ins into a check-in file: a locked read-modify-write of the newest file.

    Parameters
    ----------
    path : str or Path
        The check-in file (created when missing), e.g. :func:`checkins_path`.
    checkins : pandas.DataFrame
        The new check-ins (checked first, :func:`validate_checkins`); a day
        already in the file takes the new row (the later row wins).

    Returns
    -------
    dict
        ``path``, ``checkins`` (the file's check-ins now), ``existing``
        (check-ins the file held before), ``replaced`` (``YYYY-MM-DD``
        dates whose earlier row a new one replaced).

    Raises
    ------
    InputError
        A bad frame, or an existing file with a problem (left as it is).

    Notes
    -----
    The file is read, merged and written back (atomically) while holding
    the lock of its folder (:func:`heavylegs.files.folder_lock`; for
    ``athletes/<id>/checkins.csv`` that is the athlete's lock, the one the
    workbook's saves and :func:`add_checkin` take), so imports, quick
    entries and the athlete portal writing at the same moment never lose a
    day another of them wrote.
    """
    new = validate_checkins(checkins)
    path = Path(path)
    with folder_lock(path.parent):
        existing = read_checkins(path) if _exists(path) else empty_checkins()
        merged, replaced = merge_checkins(existing, new)
        atomic_write_text(path, checkins_to_csv_text(merged))
    return {"path": path, "checkins": merged, "existing": len(existing), "replaced": replaced}


def _exists(path: Path) -> bool:
    return os.path.lexists(path)


def merge_checkins(earlier: pd.DataFrame, later: pd.DataFrame) -> tuple:
    """Join two sets of check-ins, one row a day, the later set winning a shared date.

    Parameters
    ----------
    earlier, later : pandas.DataFrame
        Checked check-ins (:func:`read_checkins`).

    Returns
    -------
    merged : pandas.DataFrame
        Sorted by date; extra columns of both are kept.
    replaced : list of str
        ``YYYY-MM-DD`` dates whose earlier check-in the later one replaced.
    """
    if len(earlier) == 0:
        return later.reset_index(drop=True), []
    keep = ~earlier["date"].isin(set(later["date"]))
    replaced = [d.date().isoformat() for d in earlier.loc[~keep, "date"]]
    parts = [earlier.loc[keep], later] if len(later) else [earlier]
    merged = pd.concat(parts, ignore_index=True, sort=False)
    merged = merged.sort_values("date", kind="stable").reset_index(drop=True)
    return merged, replaced


# ---------------------------------------------------------------------------
# Import of form and spreadsheet exports


@dataclass(frozen=True)
class CheckinImport:
    """What :func:`import_checkins` read.

    Attributes
    ----------
    checkins : pandas.DataFrame
        The check-ins, one row a day (:func:`read_checkins` types), without
        the unmapped columns.
    mapping : dict
        ``{file: {header: column}}``, the headers that were mapped.
    unmapped : dict
        ``{file: [header, ...]}``, the headers that map to no column (left out).
    replaced : list of str
        One note per row that a later row of the same date replaced:
        ``"file:line: 2026-11-03 replaced by a later row"``.
    rows : int
        Rows read, over all files.
    """

    checkins: object
    mapping: dict = field(default_factory=dict)
    unmapped: dict = field(default_factory=dict)
    replaced: list = field(default_factory=list)
    rows: int = 0


def map_headers(header) -> tuple:
    """Map the headers of an export to check-in columns.

    Parameters
    ----------
    header : sequence of str
        The headers as written.

    Returns
    -------
    mapping : dict
        ``{header: column}`` for the headers that map (ignoring case, spaces
        and punctuation, by name or :data:`HEADER_ALIASES`). When several
        headers map to one column, the one nearer the column name (then the
        earlier alias, then the leftmost header) wins.
    unmapped : list of str
        The other headers, in file order.

    Examples
    --------
    >>> map_headers(["Timestamp", "Heavy legs (0-10)", "Sleep (h)", "E-mail"])
    ({'Timestamp': 'date', 'Heavy legs (0-10)': 'heaviness', 'Sleep (h)': 'sleep_h'}, ['E-mail'])
    """
    best = {}
    for position, name in enumerate(header):
        hit = _ALIAS_INDEX.get(_norm(name))
        if hit is None:
            continue
        column, rank = hit
        if column not in best or (rank, position) < best[column][0]:
            best[column] = ((rank, position), name)
    chosen = {name: column for column, (_key, name) in best.items()}
    mapping = {name: chosen[name] for name in header if name in chosen}
    unmapped = [name for name in header if name not in chosen]
    return mapping, unmapped


def _mapped_twice(header, mapping: dict, source: str, header_line: int) -> list:
    """A problem for each header that repeats a mapped header (same name ignoring case and spaces)."""
    problems, seen = [], {}
    for number, name in enumerate(header, start=1):
        hit = _ALIAS_INDEX.get(_norm(name))
        if hit is None:
            continue
        key = _norm(name)
        if key in seen:
            problems.append(Problem(source, f"column {name!r} appears twice (columns {seen[key]} and {number}), "
                                            f"expected each column once", field=hit[0], line=header_line,
                                    column=number))
        else:
            seen[key] = number
    return problems


def import_checkins(paths) -> CheckinImport:
    """Read check-in exports (CSV from a form or a spreadsheet) into check-ins.

    Parameters
    ----------
    paths : sequence of str or Path
        CSV files, read in this order; a header row, any headers that
        :func:`map_headers` recognises (``date`` and ``heaviness`` needed),
        dates as ``YYYY-MM-DD`` or an ISO date-time (a form's timestamp).

    Returns
    -------
    CheckinImport
        Of two rows with one date the later one wins (later file, later
        line); each replaced row is noted in ``replaced``.

    Raises
    ------
    InputError
        Every problem of every file (file, line, column number and column),
        or a file without a date or heaviness header (listing the headers
        found and the aliases accepted). Nothing is returned when any file
        has a problem.
    """
    frames, problems = [], []
    mappings, unmapped_all, replaced_notes = {}, {}, []
    rows_read = 0
    for path in paths:
        source = str(path)
        try:
            header, rows, lines, header_line = _rows_of(read_text(path, MAX_CHECKINS_BYTES, "a check-in CSV file"), source)
        except InputError as exc:
            problems += exc.problems
            continue
        _unquoted(header, rows)
        mapping, unmapped = map_headers(header)
        mappings[source], unmapped_all[source] = mapping, unmapped
        twice = _mapped_twice(header, mapping, source, header_line)
        if twice:
            problems += twice
            continue
        missing = [c for c in _REQUIRED if c not in mapping.values()]
        if missing:
            for column in missing:
                names = ", ".join(repr(a) for a in (column, *HEADER_ALIASES[column][:4]))
                problems.append(Problem(source, f"no header maps to {column!r} (found: "
                                                f"{', '.join(header) or 'none'}), expected one such as "
                                                f"{names}", field=column, line=header_line))
            continue
        positions = {column: header.index(name) for name, column in mapping.items()}
        data = {column: [row[pos] for row in rows] for column, pos in positions.items()}
        frame = pd.DataFrame(data, dtype=object) if rows else \
            pd.DataFrame({c: pd.Series(dtype=object) for c in positions})
        columns = {column: pos + 1 for column, pos in positions.items()}
        try:
            checkins, replaced = _typed(frame, source, lines, columns, header_line)
        except InputError as exc:
            problems += exc.problems
            continue
        rows_read += len(rows)
        replaced_notes += [f"{source}:{line}: {day} replaced by a later row of {source}"
                           for line, day in replaced]
        frames.append((source, checkins, lines))
    if problems:
        raise InputError(problems)
    merged = empty_checkins()
    for source, checkins, _lines in frames:
        merged, replaced = merge_checkins(merged, checkins)
        replaced_notes += [f"{day}: an earlier file's row replaced by {source}" for day in replaced]
    return CheckinImport(merged, mappings, unmapped_all, replaced_notes, rows_read)


# ---------------------------------------------------------------------------
# The workbook's quick entry


def add_checkin(data_dir, athlete_id, entry: dict, source: str | None = None) -> dict:
    """Add one day's check-in to the athlete's file, atomically and under the athlete's lock.

    Parameters
    ----------
    data_dir : str or Path
        The data folder.
    athlete_id : str
        A valid athlete id (checked).
    entry : dict
        One day (:func:`validate_checkin`): ``date``, ``heaviness`` 0-10 and,
        optionally, ``sleep_h`` [h], the four Hooper items 1-7 and ``notes``.
    source : str, optional
        Where the check-in came from, written to the extra column ``source``
        (``"portal"`` for the athlete portal, ``"coach"`` for the workbook);
        None leaves the column as it is.

    Returns
    -------
    dict
        ``path`` (the check-in file), ``entry`` (the day as saved),
        ``replaced`` (the earlier check-in of that date as a dict, or None)
        and ``count`` (check-ins in the file now).

    Raises
    ------
    InputError
        A bad entry, or an existing file with a problem (it is then left
        as it is).

    Notes
    -----
    A day already in the file takes the entry's values (the later row wins,
    as on import); fields the entry leaves unknown keep their earlier value,
    so a quick entry never erases, say, the sleep an import brought in.
    The file is read, the entry merged in and the whole file written to a
    temporary file and renamed over it, all while holding
    :func:`heavylegs.files.athlete_lock`, so two quick entries at the same
    moment never lose each other's day, and a crash leaves the old file.
    """
    checked = validate_checkin(entry)
    path = checkins_path(data_dir, athlete_id)
    with athlete_lock(data_dir, athlete_id):
        existing = read_checkins(path) if _exists(path) else empty_checkins()
        day = pd.Timestamp(checked["date"])
        before = existing.loc[existing["date"] == day]
        replaced = None
        values = {k: checked[k] for k in CHECKIN_COLUMNS}
        if len(before):
            old = before.iloc[-1]
            replaced = {"date": checked["date"], **{k: _plain(old[k], k) for k in CHECKIN_COLUMNS[1:]}}
            # What the entry leaves unknown keeps the earlier value (e.g. sleep from an import).
            for k in CHECKIN_COLUMNS[1:]:
                if values[k] is None:
                    values[k] = replaced[k]
            for k in existing.columns:
                if k not in CHECKIN_COLUMNS and k != "hooper":
                    values[k] = old[k]
        if source is not None:
            values["source"] = str(source)
        new = validate_checkins(pd.DataFrame([values]), source="<check-in>")
        merged, _ = merge_checkins(existing, new)
        atomic_write_text(path, checkins_to_csv_text(merged))
        saved = {k: _plain(new.iloc[0][k], k) for k in CHECKIN_COLUMNS[1:]}
        items = [saved[k] for k in HOOPER_ITEMS]
        checked = {"date": checked["date"], **saved,
                   "hooper": None if any(v is None for v in items) else sum(items)}
    return {"path": path, "entry": checked, "replaced": replaced, "count": len(merged)}


# ---------------------------------------------------------------------------
# Follow-up


def _as_date(value, name: str) -> _dt.date:
    day = _day_of(value)
    if isinstance(day, str):
        raise InputError([Problem(name, day)])
    return day


def follow_up(checkins: pd.DataFrame, plan_start, until=None) -> dict:
    """Heaviness before a plan began against the days since (``spec/checkins.md``).

    Parameters
    ----------
    checkins : pandas.DataFrame
        The athlete's check-ins (:func:`read_checkins`).
    plan_start : str or date
        The plan's first day p.
    until : str or date, optional
        Last day counted as "since" (default: every check-in from p on).

    Returns
    -------
    dict
        ``plan_start``; ``n_before`` and ``n_since`` (check-ins in the 14
        days p−14 … p−1 and from p on); ``mean_before``, ``mean_since``
        [0-10] and ``change`` (since − before), rounded to 2 decimals, None
        when that side has no check-in; ``ready`` (at least 5 check-ins on
        each side); ``needed_before`` and ``needed_since`` (more check-ins
        needed on each side, 0 when enough); and ``text``, e.g.
        "heaviness 6.2 → 3.9 since the plan began (−2.3; 14 and 9 check-ins)".

    Examples
    --------
    >>> import pandas as pd
    >>> days = pd.date_range("2026-11-03", periods=24)
    >>> frame = pd.DataFrame({"date": days, "heaviness": [6] * 14 + [4] * 10})
    >>> follow_up(frame, "2026-11-17")["text"]
    'heaviness 6.0 → 4.0 since the plan began (−2.0; 14 and 10 check-ins)'
    """
    start = _as_date(plan_start, "plan_start")
    dates = pd.to_datetime(checkins["date"]).dt.date if len(checkins) else pd.Series([], dtype=object)
    heaviness = checkins["heaviness"].to_numpy(dtype=float) if len(checkins) else np.zeros(0)
    first = start - _dt.timedelta(days=FOLLOW_UP_DAYS_BEFORE)
    before = np.array([first <= d < start for d in dates], dtype=bool)
    last = None if until is None else _as_date(until, "until")
    since = np.array([d >= start and (last is None or d <= last) for d in dates], dtype=bool)
    n_before, n_since = int(before.sum()), int(since.sum())
    mean_before = float(heaviness[before].mean()) if n_before else None
    mean_since = float(heaviness[since].mean()) if n_since else None
    change = None if mean_before is None or mean_since is None else mean_since - mean_before
    needed_before = max(FOLLOW_UP_MIN_CHECKINS - n_before, 0)
    needed_since = max(FOLLOW_UP_MIN_CHECKINS - n_since, 0)
    ready = needed_before == 0 and needed_since == 0
    if ready:
        b, s = _round1(mean_before), _round1(mean_since)
        diff = _round1(s - b)
        sign = "−" if diff < 0 else ("+" if diff > 0 else "±")
        text = (f"heaviness {b:.1f} → {s:.1f} since the plan began ({sign}{abs(diff):.1f}; "
                f"{n_before} and {n_since} check-ins)")
    else:
        parts = []
        if needed_since:
            parts.append(f"{_plural(needed_since, 'more check-in')} needed since the plan began "
                         f"({n_since} of {FOLLOW_UP_MIN_CHECKINS})")
        if needed_before:
            parts.append(f"{_plural(needed_before, 'more check-in')} needed in the "
                         f"{FOLLOW_UP_DAYS_BEFORE} days before it, {first.isoformat()} to "
                         f"{(start - _dt.timedelta(days=1)).isoformat()} "
                         f"({n_before} of {FOLLOW_UP_MIN_CHECKINS})")
        text = "not enough check-ins to compare yet: " + "; ".join(parts)
    return {
        "plan_start": start.isoformat(),
        "n_before": n_before,
        "n_since": n_since,
        "mean_before": None if mean_before is None else round(mean_before, 2),
        "mean_since": None if mean_since is None else round(mean_since, 2),
        "change": None if change is None else round(change, 2),
        "ready": ready,
        "needed_before": needed_before,
        "needed_since": needed_since,
        "text": text,
    }


def _plain(value, column: str):
    """A cell as plain Python: None, int (whole-number columns), float or str."""
    if _missing(value):
        return None
    if column in _NUMERIC:
        return float(value) if column == "sleep_h" else int(value)
    return str(value) if column == "notes" else value


def _round1(x: float) -> float:
    """Round to one decimal, halves up (4.25 -> 4.3), as the ranking rounds."""
    return math.floor(x * 10 + 0.5 + 1e-9) / 10


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
