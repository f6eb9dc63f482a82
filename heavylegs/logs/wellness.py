"""Wellness from wearables, format 1: read, check, write and merge ``wellness.csv``.

One athlete's nights and mornings as their watch or ring measured them
(``spec/wellness.md``): one row per (date, source), in
``data/athletes/<id>/wellness.csv``:

=================  =============  ========  =========================================
column             dtype          values    meaning
=================  =============  ========  =========================================
``date``           datetime64     a day     the local day the athlete woke up
``source``         str            enum      ``garmin``, ``apple``, ``fitbit``, ...
``sleep_h`` [h]    float          0-16      main sleep ending that morning, asleep
``rhr_bpm`` [bpm]  float          25-120    resting heart rate of the day
``hrv_ms`` [ms]    float          3-300     nightly heart-rate variability
``hrv_kind``       str            enum      ``rmssd`` or ``sdnn``, required with hrv_ms
``sleep_score``    float (whole)  0-100     the vendor's own score, shown, never scored
``readiness``      float (whole)  0-100     the vendor's readiness, shown, never scored
``imported_from``  str                      the file the row came from
=================  =============  ========  =========================================

then any extra columns of the file, kept as text. Unknown values are NaN.
Every bad cell is reported with its file, line and column, and a file with
any bad cell is rejected whole. Of two rows of one (date, source) the later
one is kept, as for check-ins.

This module never touches an athlete's folder: the writes that go there,
under the athlete's lock, are :mod:`heavylegs.store.wellness_files`.
"""
from __future__ import annotations

import io
import math

import numpy as np
import pandas as pd

from heavylegs.errors import InputError, Problem
from heavylegs.logs._cells import Cells, missing as _missing, number_of, read_text, shown as _shown
from heavylegs.logs.csv_cells import csv_line, safe_cell, unquote_cell
from heavylegs.logs.traininglog import csv_records, repeated_columns

__all__ = [
    "WELLNESS_COLUMNS",
    "VALUE_COLUMNS",
    "SOURCES",
    "SOURCE_NAMES",
    "HRV_KINDS",
    "RANGES",
    "MAX_WELLNESS_BYTES",
    "empty_wellness",
    "read_wellness",
    "wellness_from_text",
    "validate_wellness",
    "wellness_to_csv_text",
    "merge_wellness",
    "range_text",
    "out_of_range",
]

#: Columns of a wellness file, format 1, in the order :func:`wellness_to_csv_text` writes them.
WELLNESS_COLUMNS = ("date", "source", "sleep_h", "rhr_bpm", "hrv_ms", "hrv_kind", "sleep_score",
                    "readiness", "imported_from")
#: The measured columns: a row holds at least one of them.
VALUE_COLUMNS = ("sleep_h", "rhr_bpm", "hrv_ms", "sleep_score", "readiness")
#: Where a row came from (``spec/wellness.md``).
SOURCES = ("garmin", "apple", "fitbit", "oura", "whoop", "polar", "csv")
#: How each source is named in sentences.
SOURCE_NAMES = {"garmin": "Garmin", "apple": "Apple Health", "fitbit": "Fitbit", "oura": "Oura",
                "whoop": "WHOOP", "polar": "Polar", "csv": "the wellness CSV"}
#: What ``hrv_ms`` measures: Apple gives SDNN, the others rMSSD. Never mixed in one baseline.
HRV_KINDS = ("rmssd", "sdnn")
#: column -> (lowest, highest, whole numbers only, unit) of the format's table.
RANGES = {
    "sleep_h": (0.0, 16.0, False, "h"),
    "rhr_bpm": (25.0, 120.0, False, "bpm"),
    "hrv_ms": (3.0, 300.0, False, "ms"),
    "sleep_score": (0.0, 100.0, True, ""),
    "readiness": (0.0, 100.0, True, ""),
}
#: Largest wellness.csv read [bytes]: 10 sources a day for a century is under 40 MiB.
MAX_WELLNESS_BYTES = 64 * 2**20

_REQUIRED = ("date", "source")
_TEXT = ("imported_from",)


def range_text(column: str) -> str:
    """What a value of ``column`` must be, e.g. ``"a number from 25 to 120 [bpm]"``."""
    low, high, whole, unit = RANGES[column]
    kind = "a whole number" if whole else "a number"
    return f"{kind} from {low:g} to {high:g}" + (f" [{unit}]" if unit else "")


def out_of_range(column: str, value: float) -> bool:
    """True when ``value`` lies outside the format's range of ``column`` (or is not finite)."""
    low, high, whole, _unit = RANGES[column]
    return not math.isfinite(value) or value < low or value > high or (whole and not float(value).is_integer())


def empty_wellness() -> pd.DataFrame:
    """A wellness frame with the format's columns and dtypes, and no rows."""
    frame = pd.DataFrame({"date": pd.Series(dtype="datetime64[ns]"), "source": pd.Series(dtype=object)})
    for name in ("sleep_h", "rhr_bpm", "hrv_ms"):
        frame[name] = pd.Series(dtype="float64")
    frame["hrv_kind"] = pd.Series(dtype=object)
    for name in ("sleep_score", "readiness"):
        frame[name] = pd.Series(dtype="float64")
    frame["imported_from"] = pd.Series(dtype=object)
    return frame


def _number_of(value, column: str):
    """A float (NaN for an empty cell), or the message saying what is wrong."""
    return number_of(value, RANGES[column][:3], range_text(column))


def _text(series: pd.Series, unquote: bool) -> pd.Series:
    values = series.reset_index(drop=True).astype(object)

    def clean(v):
        if _missing(v):
            return np.nan
        text = str(v).strip()
        return unquote_cell(text) if unquote else text
    return values.map(clean)


def _typed(frame: pd.DataFrame, source: str, lines, columns: dict, header_line=None,
           unquote: bool = False) -> pd.DataFrame:
    """Check every cell; return the typed frame or raise :class:`InputError` with every problem."""
    cells = Cells(frame, source, lines, columns, _REQUIRED, header_line)
    bad, n = cells.bad, len(cells)
    dates = cells.dates()
    sources = []
    for pos, value in enumerate(frame["source"].tolist()):
        text = "" if _missing(value) else str(value).strip()
        if text not in SOURCES:
            found = "an empty cell" if not text else _shown(text)
            bad(pos, "source", f"found {found}, expected one of {', '.join(SOURCES)}")
        sources.append(text)
    numbers = {column: cells.numbers(column, _number_of) for column in RANGES}
    kinds = []
    for pos, value in enumerate(cells.values("hrv_kind")):
        text = "" if _missing(value) else str(value).strip().lower()
        if text and text not in HRV_KINDS:
            bad(pos, "hrv_kind", f"found {_shown(str(value).strip())}, expected one of {', '.join(HRV_KINDS)}")
        elif not text and not math.isnan(numbers["hrv_ms"][pos]):
            bad(pos, "hrv_kind", f"found an empty cell next to hrv_ms {numbers['hrv_ms'][pos]:g}, expected "
                                 f"{' or '.join(HRV_KINDS)} (Apple gives SDNN, the others rMSSD)")
        kinds.append(text or np.nan)
    cells.check()
    out = pd.DataFrame({"date": pd.to_datetime(pd.Series(dates, dtype=object)).astype("datetime64[ns]"),
                        "source": pd.Series(sources, dtype=object)})
    for column in ("sleep_h", "rhr_bpm", "hrv_ms"):
        out[column] = numbers[column]
    out["hrv_kind"] = pd.Series(kinds, dtype=object)
    for column in ("sleep_score", "readiness"):
        out[column] = numbers[column]
    out["imported_from"] = _text(frame["imported_from"], unquote) if "imported_from" in frame.columns else \
        pd.Series(np.nan, index=range(n), dtype=object)
    for column in frame.columns:
        if column not in WELLNESS_COLUMNS:
            out[column] = _text(frame[column], unquote)
    # One row per (date, source): the later row of the file wins.
    later = out.iloc[::-1]
    dropped = later.duplicated(["date", "source"], keep="first").iloc[::-1].to_numpy()
    out = out.loc[~dropped]
    return _sorted(out)


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    order = {name: i for i, name in enumerate(SOURCES)}
    key = frame["source"].map(order)
    frame = frame.assign(_key=key.to_numpy()).sort_values(["date", "_key"], kind="stable")
    return frame.drop(columns="_key").reset_index(drop=True)


def wellness_from_text(text: str, source: str = "<wellness>") -> pd.DataFrame:
    """Read the text of a wellness file (see :func:`read_wellness`)."""
    header, header_line, rows, lines = csv_records(text, source, "'date,source,sleep_h,rhr_bpm,...' and one "
                                                                 "row per day and source")
    problems = repeated_columns(header, header_line, source)
    width = len(header)
    problems += [Problem(source, f"found {len(record)} cells, expected {width} as in the header", line=line)
                 for record, line in zip(rows, lines) if len(record) != width]
    if problems:
        raise InputError(problems)
    frame = pd.DataFrame(rows, columns=header, dtype=object) if rows else \
        pd.DataFrame({name: pd.Series(dtype=object) for name in header})
    columns = {name: number for number, name in enumerate(header, start=1)}
    return _typed(frame, source, lines, columns, header_line, unquote=True)


def read_wellness(path) -> pd.DataFrame:
    """Read a wellness file (``spec/wellness.md``, format 1).

    Parameters
    ----------
    path : str or Path
        UTF-8 CSV (a byte-order mark is accepted), a header row holding
        ``date`` and ``source`` and any of :data:`WELLNESS_COLUMNS` in any
        order, extra columns kept.

    Returns
    -------
    pandas.DataFrame
        One row per (date, source), sorted by date then source (types in the
        module docstring).

    Raises
    ------
    InputError
        One problem per bad cell, naming the file, line, column number and
        column; nothing of a file with any problem is returned.
    """
    source = str(path)
    text = read_text(path, MAX_WELLNESS_BYTES, "a wellness CSV file")
    return wellness_from_text(text, source)


def validate_wellness(df: pd.DataFrame, source: str = "<wellness>") -> pd.DataFrame:
    """Check in-memory wellness rows with the rules of :func:`read_wellness`.

    Parameters
    ----------
    df : pandas.DataFrame
        Columns named as in :data:`WELLNESS_COLUMNS` (``date`` and ``source``
        required), cells as text or typed values.
    source : str
        Name used in problems; lines count as if the frame were a CSV file
        with a header (row position + 2).
    """
    if not isinstance(df, pd.DataFrame):
        raise InputError([Problem(source, f"found {type(df).__name__}, expected a pandas DataFrame with "
                                          "wellness columns")])
    frame = df.reset_index(drop=True)
    columns = {name: number for number, name in enumerate(frame.columns, start=1)}
    return _typed(frame, source, np.arange(len(frame)) + 2, columns, header_line=1)


def _num_text(value, whole: bool) -> str:
    if _missing(value):
        return ""
    value = float(value)
    if whole or value.is_integer():
        return str(int(round(value)))
    return repr(round(value, 4)).rstrip("0").rstrip(".") if "e" not in repr(value) else f"{value:.4f}"


def wellness_to_csv_text(wellness: pd.DataFrame) -> str:
    """The text of a wellness file: the format's columns, then the extras.

    Numbers in their shortest form (``7.25``, ``52``), unknown values as
    empty cells, ``\\n`` line ends. Free-text cells (``imported_from`` and
    extra columns) that a spreadsheet would run as a formula get a leading
    ``'``, as every CSV writer of heavylegs does
    (:func:`heavylegs.logs.csv_cells.safe_cell`); reading removes it.
    """
    extras = [c for c in wellness.columns if c not in WELLNESS_COLUMNS]
    header = list(WELLNESS_COLUMNS) + extras
    buffer = io.StringIO()
    buffer.write(csv_line(header))
    cols = {name: (wellness[name].tolist() if name in wellness.columns else [None] * len(wellness))
            for name in header}
    for i in range(len(wellness)):
        cells = []
        for name in header:
            value = cols[name][i]
            if name == "date":
                cells.append("" if _missing(value) else pd.Timestamp(value).date().isoformat())
            elif name in RANGES:
                cells.append(_num_text(value, RANGES[name][2]))
            elif name in ("source", "hrv_kind"):
                cells.append("" if _missing(value) else str(value))
            else:
                cells.append("" if _missing(value) else safe_cell(str(value)))
        buffer.write(csv_line(cells))
    return buffer.getvalue()


def merge_wellness(existing: pd.DataFrame, new: pd.DataFrame, covers=None) -> tuple:
    """Put an import's rows into the rows already there, source by source.

    ``spec/wellness.md``: importing a file of a source replaces that
    source's rows for the days the file covers and keeps every other row, so
    an import is idempotent and a second vendor never overwrites the first.
    The replacement is column by column: within the days a file covers, the
    columns that file fills for its source take the file's values (empty
    where the file has none that day); the columns it does not measure keep
    what was there, so a Garmin HRV file imported after a Garmin sleep file
    keeps the nights' sleep.

    Parameters
    ----------
    existing, new : pandas.DataFrame
        Checked wellness rows (:func:`read_wellness` types).
    covers : sequence of (source, first, last, columns), optional
        What each imported file covers: its source, its first and last day
        (``YYYY-MM-DD`` or dates) and the value columns it filled. By default
        one cover per source of ``new``: its first to last day and the
        columns with a value.

    Returns
    -------
    merged : pandas.DataFrame
        Sorted by date then source; a row left without any value is dropped.
    changed : int
        Cells of ``existing`` whose value the import changed or emptied.
    """
    existing = existing if len(existing) else empty_wellness()
    if covers is None:
        covers = []
        for source, part in new.groupby("source", sort=False):
            filled = tuple(c for c in VALUE_COLUMNS if part[c].notna().any())
            covers.append((source, part["date"].min(), part["date"].max(), filled))
    merged = existing.copy()
    for column in new.columns:
        if column not in merged.columns:
            merged[column] = pd.Series(np.nan, index=merged.index, dtype=object)
    key_cols = ["date", "source"]
    changed = 0
    for source, first, last, filled in covers:
        first, last = pd.Timestamp(first).normalize(), pd.Timestamp(last).normalize()
        columns = list(filled) + (["hrv_kind"] if "hrv_ms" in filled else [])
        if not columns:
            continue
        inside = (merged["source"] == source) & (merged["date"] >= first) & (merged["date"] <= last)
        fresh = new.loc[(new["source"] == source) & (new["date"] >= first) & (new["date"] <= last)]
        before = merged.loc[inside, key_cols + columns]
        merged.loc[inside, columns] = np.nan
        index = merged.loc[inside].set_index(key_cols).index
        fresh_idx = fresh.set_index(key_cols)
        present = fresh_idx.index.isin(index)
        # values of days already there
        if present.any():
            where = merged.index[inside][index.get_indexer(fresh_idx.index[present])]
            for column in columns:
                merged.loc[where, column] = fresh_idx.loc[present, column].to_numpy()
            merged.loc[where, "imported_from"] = fresh_idx.loc[present, "imported_from"].to_numpy()
        # days that were not there
        if (~present).any():
            add = fresh.loc[~present]
            merged = pd.concat([merged, add], ignore_index=True, sort=False)
        after = merged.loc[before.index, key_cols + columns]
        changed += int(sum(((b != a) & ~(pd.isna(b) & pd.isna(a))).sum()
                           for b, a in ((before[c], after[c]) for c in filled)))
    has_value = merged[list(VALUE_COLUMNS)].notna().any(axis=1)
    merged = merged.loc[has_value]
    merged.loc[merged["hrv_ms"].isna(), "hrv_kind"] = np.nan
    for column in ("sleep_h", "rhr_bpm", "hrv_ms", "sleep_score", "readiness"):
        merged[column] = merged[column].astype(float)
    return _sorted(merged), changed
