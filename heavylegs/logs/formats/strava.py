"""Read a Strava bulk export through its ``activities.csv``.

The export's ``activities.csv`` has one row per activity with its date, type,
distance and times, so the per-activity files beside it are not opened: that
keeps an export of a thousand activities to a fraction of a second.

The header changes between exports (10 lower-case columns before mid-2019,
79 to 101 Title-Case columns since, some of them raw HTML in 2021), repeats
five names, and is translated into the account's language. Columns are
therefore found by (normalised name, occurrence), never by position:

* distance: the second ``Distance`` [m]; with a single one, the old
  lower-case header's ``distance`` [m] or the display value [km];
* time: ``Moving Time`` [s], else the second, else the first ``Elapsed Time``;
* ``Activity Date`` is the start in UTC, written in the account's locale.
"""
from __future__ import annotations

import csv
import io
import os
import re
import stat
import zipfile
import zlib
from datetime import datetime, timezone
from pathlib import Path

from heavylegs.logs.formats._common import MAX_EXPORT_CSV_BYTES, FileResult, ReadError, make_row, map_sport, normalise_sport, parse_ascii_float, read_regular_file

__all__ = [
    "read_strava_csv",
    "read_strava_export",
    "export_csv_bytes",
    "parse_strava_date",
    "strava_activity",
    "normalise_header",
    "looks_like_strava_csv",
]

_TAG = re.compile(r"<[^>]*>")
_TRANSLATION_MISSING = re.compile(r"^translation missing:\s*\S*horton_values\.", re.IGNORECASE)

# German export headers (normalised) -> English (normalised). Only the
# columns the importer reads, plus a few neighbours to tell the language.
_GERMAN = {
    "aktivitäts-id": "activity id",
    "aktivitätsdatum": "activity date",
    "name der aktivität": "activity name",
    "aktivitätsart": "activity type",
    "aktivitätsbeschreibung": "activity description",
    "verstrichene zeit": "elapsed time",
    "distanz": "distance",
    "bewegungszeit": "moving time",
    "durchschnittliche herzfrequenz": "average heart rate",
    "max. herzfrequenz": "max heart rate",
    "höhenzunahme": "elevation gain",
    "dateiname": "filename",
    "wahrgenommene anstrengung": "perceived exertion",
    "wettkampf": "competition",
    "langer lauf": "long run",
}
# The header used until July 2019 (hugovk/strava-tools), distance in metres.
_OLD = {"id": "activity id", "date": "activity date", "name": "activity name",
        "type": "activity type", "description": "activity description"}

_MONTHS = {}
for _number, _names in enumerate((
        ("jan", "january", "januar", "jän", "jänner"), ("feb", "february", "februar"),
        ("mar", "march", "mär", "mrz", "märz"), ("apr", "april"), ("may", "mai"),
        ("jun", "june", "juni"), ("jul", "july", "juli"), ("aug", "august"),
        ("sep", "sept", "september"), ("oct", "october", "okt", "oktober"),
        ("nov", "november"), ("dec", "december", "dez", "dezember")), start=1):
    for _name in _names:
        _MONTHS[_name] = _number

# Digits are ASCII only ([0-9], not \d): other scripts' digits are not dates.
_CLOCK = r"([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?\s*([ap]\.?\s?m\.?)?"
_DATE_PATTERNS = (
    # 2018-09-12 15:02:23, 2018-09-12T15:02:23Z
    ("ymd", re.compile(r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})[ T]" + _CLOCK + r"\s*(?:z|utc|\+00:?00)?$")),
    # May 29, 2022, 3:53:35 PM
    ("mdy_name", re.compile(r"^([^\W\d_]+)\.? ([0-9]{1,2}),? ([0-9]{4}),? " + _CLOCK + "$")),
    # 22 May 2024, 08:19:26 / 22. Mai 2024, 08:19:26
    ("dmy_name", re.compile(r"^([0-9]{1,2})\.? ([^\W\d_]+)\.? ([0-9]{4}),? " + _CLOCK + "$")),
    # 09.12.2022, 15:24:49
    ("dmy_dot", re.compile(r"^([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4}),? " + _CLOCK + "$")),
    # 7/15/2021 14:02 (US, as Excel re-saves it); 15/7/2021 when the first part > 12
    ("slash", re.compile(r"^([0-9]{1,2})/([0-9]{1,2})/([0-9]{4}),? " + _CLOCK + "$")),
)


def normalise_header(name: str) -> str:
    """A header cell as a plain lower-case name.

    HTML tags and ``translation missing: ….horton_values.`` prefixes are
    removed, underscores become spaces, German names become English.
    """
    text = _TAG.sub("", name.replace("\ufeff", ""))
    text = _TRANSLATION_MISSING.sub("", text.strip())
    text = " ".join(text.replace("_", " ").split()).lower()
    return _GERMAN.get(text, text)


def parse_strava_date(text: str) -> datetime:
    """Parse an ``Activity Date`` cell as an aware UTC datetime.

    Accepts the formats of the English (US and UK), German and pre-2019
    exports, e.g. ``"May 29, 2022, 3:53:35 PM"``, ``"22 May 2024, 08:19:26"``,
    ``"09.12.2022, 15:24:49"``, ``"2018-09-12 15:02:23"``, and the
    ``"7/15/2021 14:02"`` of a file re-saved by Excel (month first unless the
    first number is above 12). Month names are matched in English and German,
    whatever the machine's locale.

    Raises
    ------
    ValueError
        When the text matches none of these.
    """
    clean = " ".join(text.replace("\u202f", " ").replace("\xa0", " ").split()).lower()
    for kind, pattern in _DATE_PATTERNS:
        match = pattern.match(clean)
        if not match:
            continue
        parts = match.groups()
        if kind == "ymd":
            year, month, day = int(parts[0]), int(parts[1]), int(parts[2])
        elif kind == "mdy_name":
            month, day, year = _MONTHS.get(parts[0]), int(parts[1]), int(parts[2])
        elif kind == "dmy_name":
            day, month, year = int(parts[0]), _MONTHS.get(parts[1]), int(parts[2])
        elif kind == "dmy_dot":
            day, month, year = int(parts[0]), int(parts[1]), int(parts[2])
        else:
            first, second, year = int(parts[0]), int(parts[1]), int(parts[2])
            month, day = (second, first) if first > 12 else (first, second)
        if month is None:
            break
        hour, minute = int(parts[3]), int(parts[4])
        second = int(parts[5]) if parts[5] else 0
        meridiem = (parts[6] or "").replace(".", "").replace(" ", "")
        if meridiem:
            if not 1 <= hour <= 12:
                break
            hour = hour % 12 + (12 if meridiem == "pm" else 0)
        try:
            return datetime(year, month, day, hour, minute, second, tzinfo=timezone.utc)
        except ValueError:
            break
    raise ValueError(f"found {text!r}, expected a date such as 'May 29, 2022, 3:53:35 PM', "
                     "'22 May 2024, 08:19:26', '09.12.2022, 15:24:49' or '2022-05-29 15:53:35'")


def _parse_number(text: str, decimal_comma: bool) -> float | None:
    """A number cell; None when empty. Raises ValueError when not a number."""
    text = text.strip().replace("\xa0", "").replace(" ", "")
    if not text:
        return None
    if decimal_comma:
        if re.fullmatch(r"-?[0-9]{1,3}(\.[0-9]{3})+(,[0-9]*)?", text):
            text = text.replace(".", "")  # 1.025,5: dots group thousands
        text = text.replace(",", ".")
    else:
        text = text.replace(",", "")  # 1,025: commas group thousands
    number = parse_ascii_float(text)
    if number is None:
        raise ValueError(f"not a number: {text!r}")
    return number


def _parse_seconds(text: str, decimal_comma: bool) -> float | None:
    """Seconds from ``1428``, ``1428.0`` or ``0:23:48``."""
    if ":" in text:
        parts = [parse_ascii_float(p) for p in text.strip().split(":")]
        if any(part is None for part in parts):
            raise ValueError(f"not a time: {text!r}")
        seconds = 0.0
        for part in parts:
            seconds = seconds * 60 + part
        return seconds
    return _parse_number(text, decimal_comma)


def _truthy(text: str) -> bool:
    return text.strip().lower() in ("1", "1.0", "true", "wahr", "yes")


def strava_activity(activity_type: str):
    """Map a Strava activity type to ``(activity, surface, note)``, or the skipped name.

    Runs (``Run``, ``Trail Run``: trail, ``Virtual Run``: treadmill) are runs;
    ``Weight Training``, ``Workout``, ``Crossfit`` and ``HIIT`` are strength;
    endurance sports are cross training; golf, yoga, pilates and the like carry
    no training load and are skipped (the name is returned). An unknown type
    is imported as cross training with a note.
    """
    return map_sport(activity_type, label="Strava type")


class _Columns:
    """Column positions by (normalised name, occurrence)."""

    def __init__(self, header):
        names = [normalise_header(cell) for cell in header]
        if "activity type" not in names and "id" in names and "type" in names:
            names = [_OLD.get(name, name) for name in names]
            self.old_format = True
        else:
            self.old_format = False
        self.german = any(" ".join(cell.replace("_", " ").split()).lower() in _GERMAN
                          for cell in header)
        self.positions = {}
        for index, name in enumerate(names):
            self.positions.setdefault(name, []).append(index)

    def find(self, name, occurrence=0):
        found = self.positions.get(name, [])
        return found[occurrence] if len(found) > occurrence else None


def looks_like_strava_csv(data: bytes) -> bool:
    """Whether ``data`` starts with the header of a Strava ``activities.csv``, whatever the file's name.

    Any language and year of :func:`read_strava_csv` counts: the header has
    an activity date and an activity type column.
    """
    head = bytes(data[:65536])
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = head.decode("cp1252", errors="replace")
    try:
        header = next(csv.reader(io.StringIO(text, newline="")))
    except (StopIteration, csv.Error):
        return False
    columns = _Columns(header)
    return columns.find("activity date") is not None and columns.find("activity type") is not None


def read_strava_csv(data: bytes, source: str, *, origin: str | None = None) -> FileResult:
    """Read the rows of a Strava ``activities.csv``.

    Parameters
    ----------
    data : bytes
        The file's content (UTF-8, with or without byte-order mark; a file
        re-saved in Windows-1252 is accepted too).
    source : str
        Name of the file, for messages (``file:line``).
    origin : str, optional
        What to record as each row's ``source`` (default ``source``); the
        Activity ID is appended as ``#<id>``.

    Returns
    -------
    FileResult
        Rows; one ``(file:line, reason)`` failure per row that was skipped
        for a missing or unreadable date, type or time; skipped types.
    """
    origin = source if origin is None else origin
    result = FileResult()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        result.failed.append((source, "found no header row, expected a Strava activities.csv"))
        return result
    columns = _Columns(header)
    date_col = columns.find("activity date")
    type_col = columns.find("activity type")
    missing = [name for name, col in (("Activity Date", date_col), ("Activity Type", type_col))
               if col is None]
    if missing:
        result.failed.append((source, f"found no {' or '.join(missing)} column among "
                                      f"{len(header)} columns, expected a Strava activities.csv"))
        return result
    time_cols = [("Moving Time", columns.find("moving time")),
                 ("Elapsed Time", columns.find("elapsed time", 1)),
                 ("Elapsed Time", columns.find("elapsed time", 0))]
    time_cols = [(name, col) for name, col in time_cols if col is not None]
    if not time_cols:
        result.failed.append((source, "found no Moving Time or Elapsed Time column, "
                                      "expected a Strava activities.csv"))
        return result
    distance_col = columns.find("distance", 1)
    distance_is_km = False
    if distance_col is None:
        distance_col = columns.find("distance", 0)
        distance_is_km = not columns.old_format
    optional = {
        "id": columns.find("activity id"), "name": columns.find("activity name"),
        "hr": columns.find("average heart rate"), "ascent": columns.find("elevation gain"),
        "rpe": columns.find("perceived exertion"), "race": columns.find("competition"),
        "long": columns.find("long run"),
        # Device load (spec/device-load.md); both names appear twice in newer exports.
        "max_hr": [columns.find("max heart rate", i) for i in (0, 1)],
        "relative_effort": [columns.find("relative effort", i) for i in (0, 1)],
    }
    comma = columns.german

    line = 1
    try:
        for row in reader:
            start_line = line + 1
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            try:
                _strava_row(row, columns, date_col, type_col, time_cols, distance_col,
                            distance_is_km, optional, comma, origin, result)
            except ReadError as exc:
                result.failed.append((f"{source}:{start_line}", str(exc)))
    except csv.Error as exc:
        result.failed.append((f"{source}:{reader.line_num}", f"not valid CSV ({exc}); "
                              "the rows after it were not read"))
    return result


def _cell(row, col):
    return row[col] if col is not None and col < len(row) else ""


def _strava_row(row, columns, date_col, type_col, time_cols, distance_col, distance_is_km,
                optional, comma, origin, result):
    date_text = _cell(row, date_col)
    try:
        start = parse_strava_date(date_text)
    except ValueError as exc:
        raise ReadError(f"Activity Date: {exc}") from None
    activity_type = _cell(row, type_col).strip()
    if not activity_type:
        raise ReadError("Activity Type: found an empty cell, expected a type such as 'Run'")
    mapped = strava_activity(activity_type)
    if isinstance(mapped, str):
        result.skipped[mapped] = result.skipped.get(mapped, 0) + 1
        return
    activity, surface, note = mapped

    duration_s = None
    for name, col in time_cols:
        try:
            duration_s = _parse_seconds(_cell(row, col), comma)
        except ValueError:
            raise ReadError(f"{name}: found {_cell(row, col)!r}, expected seconds") from None
        if duration_s:
            break
    if not duration_s:
        names = " / ".join(dict.fromkeys(name for name, _ in time_cols))
        raise ReadError(f"{names}: found no time (empty or 0), expected seconds > 0")

    def number(key_or_col, label):
        col = optional.get(key_or_col) if isinstance(key_or_col, str) else key_or_col
        if isinstance(col, list):  # a repeated column: the first that has a value
            col = next((c for c in col if _cell(row, c).strip()), None)
        try:
            return _parse_number(_cell(row, col), comma)
        except ValueError:
            raise ReadError(f"{label}: found {_cell(row, col)!r}, expected a number") from None

    distance = number(distance_col, "Distance")
    if distance is not None and distance_is_km:
        # The display column is in km, except for swims where it is metres.
        if normalise_sport(activity_type) not in ("swim", "schwimmen"):
            distance *= 1000.0
    session_type = None
    if activity == "run":
        if _truthy(_cell(row, optional["race"])):
            session_type = "race"
        elif _truthy(_cell(row, optional["long"])):
            session_type = "long"
    activity_id = _cell(row, optional["id"]).strip()
    name = _cell(row, optional["name"]).strip()
    notes = "; ".join(part for part in (name, note) if part) or None
    result.rows.append(make_row(
        start_utc=start, activity=activity, surface=surface, duration_s=duration_s,
        distance_m=distance, avg_hr=number("hr", "Average Heart Rate"),
        elevation_gain_m=number("ascent", "Elevation Gain"),
        rpe=number("rpe", "Perceived Exertion"), session_type=session_type,
        max_hr=number("max_hr", "Max Heart Rate"),
        relative_effort=number("relative_effort", "Relative Effort"),
        source=f"{origin}#{activity_id}" if activity_id else origin, notes=notes))


def export_csv_bytes(path) -> tuple[bytes, str]:
    """The ``activities.csv`` of an export: its bytes and a name for messages.

    The csv is read only from a regular file (links followed and checked),
    and from a zip by streaming, stopping at :data:`MAX_EXPORT_CSV_BYTES`:
    a zip bomb is refused after reading that much, whatever size its
    directory claims.

    Parameters
    ----------
    path : str or Path
        The export's folder, its ``.zip``, or the ``activities.csv`` itself.

    Raises
    ------
    ReadError
        When no ``activities.csv`` is found, it is too large, or the zip is
        damaged, encrypted or uses a compression Python cannot read.
    OSError
        When a file cannot be opened.
    """
    path = Path(path)
    if path.is_dir():
        csv_path = path / "activities.csv"
        if not os.path.lexists(csv_path):
            raise ReadError("found no activities.csv in the folder, expected a Strava export")
        return read_regular_file(csv_path, MAX_EXPORT_CSV_BYTES, "a Strava activities.csv"), str(csv_path)
    if not stat.S_ISREG(os.stat(path).st_mode):
        read_regular_file(path, 0)  # raises the ReadError that names the kind of file
    if zipfile.is_zipfile(path):
        try:
            with zipfile.ZipFile(path) as archive:
                members = [info for info in archive.infolist()
                           if info.filename.rsplit("/", 1)[-1].lower() == "activities.csv"]
                if not members:
                    raise ReadError("found no activities.csv in the zip, expected a Strava export")
                member = min(members, key=lambda info: (info.filename.count("/"), info.filename))
                name = f"{path}/{member.filename}"
                if member.file_size > MAX_EXPORT_CSV_BYTES:
                    raise ReadError(f"{member.filename} unpacks to {member.file_size / 2**20:.0f} MiB, "
                                    f"expected a Strava activities.csv of at most "
                                    f"{MAX_EXPORT_CSV_BYTES // 2**20} MiB")
                with archive.open(member) as stream:
                    data = stream.read(MAX_EXPORT_CSV_BYTES + 1)
                if len(data) > MAX_EXPORT_CSV_BYTES:
                    raise ReadError(f"{member.filename} unpacks to more than "
                                    f"{MAX_EXPORT_CSV_BYTES // 2**20} MiB (more than its zip entry "
                                    "says), expected a Strava activities.csv")
                return data, name
        except NotImplementedError as exc:  # e.g. Deflate64, as Windows' "send to zip" writes
            raise ReadError(f"cannot read the zip ({exc}); re-pack it with ordinary "
                            "Deflate compression") from None
        except RuntimeError as exc:  # zipfile's way of saying "encrypted" (checked after its subclass)
            raise ReadError(f"cannot read the zip ({exc}); export it again without a password") from None
        except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, OverflowError, OSError) as exc:
            raise ReadError(f"damaged zip file ({exc}), expected a complete Strava export .zip") from None
    if path.suffix.lower() == ".zip":
        raise ReadError("not a valid zip file, expected a Strava export .zip")
    return read_regular_file(path, MAX_EXPORT_CSV_BYTES, "a Strava activities.csv"), str(path)


def read_strava_export(path, data: bytes | None = None, name: str | None = None) -> FileResult:
    """Read a Strava bulk export (folder, ``.zip`` or ``activities.csv``).

    Parameters
    ----------
    path : str or Path
        The export.
    data, name : bytes and str, optional
        The ``activities.csv`` content and name when already read
        (see :func:`export_csv_bytes`).

    Returns
    -------
    FileResult
        One row per activity; see :func:`read_strava_csv`.
    """
    if data is None:
        try:
            data, name = export_csv_bytes(path)
        except ReadError as exc:
            return FileResult(failed=[(str(path), str(exc))])
        except OSError as exc:
            return FileResult(failed=[(str(path), f"could not open ({exc.strerror or exc})")])
    return read_strava_csv(data, name, origin=str(path))
