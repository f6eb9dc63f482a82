"""Wellness exports in, ``wellness.csv`` rows out: tell each file's vendor and read it.

:func:`import_wellness` takes any mix of the files of ``spec/wellness.md``
(Garmin JSON and account export zip, Apple ``export.xml``/``export.zip``,
Fitbit Takeout, Oura Trends CSV and API JSON, WHOOP CSV, any wellness CSV)
and folders of them. A file is told by its content, not its name. A file
whose kind cannot be told, or that is damaged, is a problem naming it; any
problem refuses the whole import (nothing is returned), as for the other
importers.
"""
from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from heavylegs.errors import InputError, Problem
from heavylegs.logs.formats._common import ReadError
from heavylegs.logs.formats._wellness import (MAX_JSON_BYTES, WellnessRead, is_junk_entry, open_zip, parse_json,
                                              read_file_bytes, vendor_name)
from heavylegs.logs.formats.wellness_apple import apple_zip_entry, read_apple_export
from heavylegs.logs.formats.wellness_csv import is_wellness_csv, read_wellness_csv
from heavylegs.logs.formats.wellness_fitbit import (identify_fitbit_json, is_fitbit_hrv_csv, is_fitbit_takeout,
                                                    read_fitbit_hrv_csv, read_fitbit_json, read_fitbit_takeout)
from heavylegs.logs.formats.wellness_garmin import (identify_garmin_json, is_garmin_export, read_garmin_export,
                                                    read_garmin_json)
from heavylegs.logs.formats.wellness_oura import identify_oura_json, is_oura_csv, read_oura_csv, read_oura_json
from heavylegs.logs.formats.wellness_whoop import is_whoop_csv, read_whoop_csv
from heavylegs.logs.traininglog import csv_records
from heavylegs.logs.wellness import RANGES, VALUE_COLUMNS, empty_wellness

__all__ = ["WellnessImport", "read_wellness_file", "import_wellness", "EXPECTED"]

#: What a wellness file can be, for messages.
EXPECTED = ("a Garmin export (.zip or Connect JSON), an Apple Health export.xml or export.zip, a Fitbit "
            "Takeout file, an Oura Trends CSV or API JSON, a WHOOP CSV, or a CSV with a date column and "
            "wellness columns (sleep_h, rhr_bpm, hrv_ms, ...)")
#: Files of a folder read at most.
MAX_FOLDER_FILES = 20_000


@dataclass
class WellnessImport:
    """What :func:`import_wellness` read.

    Attributes
    ----------
    wellness : pandas.DataFrame
        The rows of every file (``heavylegs.logs.wellness`` columns), one per
        (date, source): of two files giving one value, the later file's wins.
    files : list of WellnessRead
        One per file (or per source of a CSV), in the order read.
    covers : list of tuple
        ``(source, first day, last day, columns filled)`` per file, for
        :func:`heavylegs.logs.wellness.merge_wellness`.
    skipped : list of str
        Files of a folder that are not wellness files (named, with why).
    """

    wellness: pd.DataFrame
    files: list = field(default_factory=list)
    covers: list = field(default_factory=list)
    skipped: list = field(default_factory=list)

    @property
    def days(self) -> int:
        """Distinct days with a value."""
        return int(self.wellness["date"].nunique()) if len(self.wellness) else 0

    def summary_lines(self) -> list:
        """What each file gave, for a person: days, first and last date, columns, values dropped."""
        lines = []
        for read in self.files:
            vendor = vendor_name(read.source)
            if read.days:
                days = f"{read.days} day" if read.days == 1 else f"{read.days} days"
                lines.append(f"{read.file}: {read.kind} ({vendor}): {days}, {read.first} to "
                             f"{read.last}; columns filled: {', '.join(read.filled)}")
            else:
                lines.append(f"{read.file}: {read.kind} ({vendor}): no day with sleep, resting heart rate, "
                             "HRV or scores")
            lines += [f"  dropped {note}" if not note.startswith("dropped") else f"  {note}" for note in read.dropped]
            lines += [f"  note: {note}" for note in read.notes]
        lines += [f"skipped {note}" for note in self.skipped]
        return lines


def _csv_reads(data: bytes, name: str) -> list:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ReadError(f"is neither XML, JSON nor UTF-8 CSV text, expected {EXPECTED}") from None
    if text.lstrip().startswith("interactions:"):
        raise ReadError("is a VCR cassette (YAML of recorded HTTP calls), not an export; expected the "
                        f"response bodies as JSON files, or {EXPECTED}")
    try:
        header, _line, _rows, _lines = csv_records(text, name, "a header row")
    except InputError:
        raise ReadError(f"cannot be told: not XML, JSON or CSV; expected {EXPECTED}") from None
    if is_whoop_csv(header):
        return [read_whoop_csv(text, name)]
    if is_oura_csv(header):
        return [read_oura_csv(text, name)]
    if is_fitbit_hrv_csv(header):
        return [read_fitbit_hrv_csv(text, name)]
    if is_wellness_csv(header):
        return read_wellness_csv(text, name)
    shown = ", ".join(header[:6]) + (", ..." if len(header) > 6 else "")
    raise ReadError(f"is a CSV whose header ({shown}) names no wellness column; expected {EXPECTED}")


def _json_reads(doc, name: str) -> list:
    shape = identify_garmin_json(doc)
    if shape is not None:
        return [read_garmin_json(doc, name, shape)]
    shape = identify_fitbit_json(doc)
    if shape is not None:
        return [read_fitbit_json(doc, name, shape)]
    if identify_oura_json(doc) is not None:
        return [read_oura_json(doc, name)]
    if isinstance(doc, dict) and "point" in doc and "dataSourceId" in doc:
        raise ReadError("is Google Fit REST data, which heavylegs does not import; expected " + EXPECTED)
    if isinstance(doc, dict) and doc.get("dailySleepDTO") is None and "dailySleepDTO" in doc:
        raise ReadError("is a Garmin sleep response with no sleep that day (dailySleepDTO is null)")
    raise ReadError(f"is JSON of no known wellness layout; expected {EXPECTED}")


def _zip_reads(path: Path, name: str) -> list:
    archive = open_zip(path)
    with archive:
        names = [i.filename for i in archive.infolist() if not is_junk_entry(i.filename)]
        if apple_zip_entry(archive) is not None:
            return [read_apple_export(archive, name)]
        if is_garmin_export(names):
            return [read_garmin_export(archive, name)]
        if is_fitbit_takeout(names):
            return [read_fitbit_takeout(archive, name)]
    raise ReadError(f"is a zip holding none of an Apple, Garmin or Fitbit export's files; expected {EXPECTED}")


def read_wellness_file(path) -> list:
    """Tell one file's kind by its content and read it.

    Parameters
    ----------
    path : str or Path
        A file (not a folder).

    Returns
    -------
    list of WellnessRead
        Usually one; a CSV holding several sources gives one per source.

    Raises
    ------
    ReadError
        A file whose kind cannot be told, or that is damaged, too large, or
        declares XML entities (the message says what was expected).
    """
    path = Path(path)
    name = str(path)
    if not path.exists():
        raise ReadError("no such file or folder, expected " + EXPECTED)
    if zipfile.is_zipfile(path):
        return _zip_reads(path, name)
    try:
        with open(path, "rb") as handle:
            head = handle.read(512)
    except OSError as exc:
        raise ReadError(f"cannot be read ({exc.strerror or exc})") from None
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if path.suffix.lower() == ".zip":
        raise ReadError("is not a valid zip file, expected a complete export .zip")
    if stripped[:1] == b"<":
        return [read_apple_export(path, name)]
    data = read_file_bytes(path, MAX_JSON_BYTES)
    if data.strip() == b"null":
        raise ReadError("is the JSON null Garmin Connect answers for a day without data (stress, body battery); "
                        "nothing to import")
    if stripped[:1] in (b"{", b"["):
        return _json_reads(parse_json(data, name), name)
    return _csv_reads(data, name)


def _folder_files(folder: Path) -> list:
    files = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not is_junk_entry(d + "/") and d != "__MACOSX")
        for base in sorted(names):
            if is_junk_entry(base):
                continue
            files.append(Path(root) / base)
            if len(files) > MAX_FOLDER_FILES:
                raise ReadError(f"holds more than {MAX_FOLDER_FILES:,} files, expected an export folder")
    return files


def _combine(reads) -> pd.DataFrame:
    """One row per (date, source): of two files giving a value, the later one's."""
    frames = [r.rows for r in reads if len(r.rows)]
    if not frames:
        return empty_wellness()
    rows = pd.concat(frames, ignore_index=True, sort=False)
    rows["_order"] = np.arange(len(rows))
    out = []
    for _key, group in rows.groupby(["date", "source"], sort=False):
        if len(group) == 1:
            out.append(group.iloc[0])
            continue
        group = group.sort_values("_order")
        row = group.iloc[-1].copy()
        for column in list(VALUE_COLUMNS) + ["hrv_kind", "imported_from"]:
            known = group[column].dropna()
            row[column] = known.iloc[-1] if len(known) else np.nan
        if not pd.isna(row["hrv_ms"]):
            row["hrv_kind"] = group.loc[group["hrv_ms"].notna(), "hrv_kind"].iloc[-1]
        out.append(row)
    frame = pd.DataFrame(out).drop(columns="_order").reset_index(drop=True)
    frame["date"] = frame["date"].astype("datetime64[ns]")
    for column in RANGES:
        frame[column] = frame[column].astype(float)
    return frame.sort_values(["date", "source"], kind="stable").reset_index(drop=True)


def import_wellness(paths) -> WellnessImport:
    """Read wellness exports (any vendor of ``spec/wellness.md``) into ``wellness.csv`` rows.

    Parameters
    ----------
    paths : sequence of str or Path
        Files and folders. In a folder, files that are not wellness files
        are skipped and listed; a file named directly must be one.

    Returns
    -------
    WellnessImport

    Raises
    ------
    InputError
        One problem per file that cannot be told or read, naming it and what
        was expected; nothing is returned when any file has a problem.
    """
    reads, problems, skipped = [], [], []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            try:
                files = _folder_files(path)
            except ReadError as exc:
                problems.append(Problem(str(path), str(exc)))
                continue
            found = 0
            for file in files:
                try:
                    got = read_wellness_file(file)
                except ReadError as exc:
                    skipped.append(f"{file}: {exc}")
                    continue
                except InputError as exc:
                    problems += exc.problems
                    continue
                reads += got
                found += 1
            if not found:
                problems.append(Problem(str(path), f"is a folder holding no wellness file ({len(files)} files "
                                                   f"looked at), expected {EXPECTED}"))
            continue
        try:
            reads += read_wellness_file(path)
        except ReadError as exc:
            problems.append(Problem(str(path), str(exc)))
        except InputError as exc:
            problems += exc.problems
    if problems:
        raise InputError(problems)
    covers = [(r.source, r.first, r.last, r.filled) for r in reads if r.days]
    return WellnessImport(_combine(reads), reads, covers, skipped)
