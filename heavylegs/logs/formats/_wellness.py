"""What the wellness importers share: the day book, the result, safe zips, safe XML, JSON.

Private to :mod:`heavylegs.logs.formats` (the ``wellness_*`` modules import it).
"""
from __future__ import annotations

import datetime as _dt
import json
import math
import os
import statistics
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from xml.parsers import expat

import numpy as np
import pandas as pd

from heavylegs.errors import InputError, ascii_number, check_date_range, size_text
from heavylegs.logs.formats._common import ReadError, read_regular_file
from heavylegs.logs.wellness import (RANGES, SOURCE_NAMES, VALUE_COLUMNS, empty_wellness, out_of_range,
                                     range_text)

#: Largest JSON or CSV wellness file read [bytes] (a Garmin or Fitbit file holds months, a few MiB).
MAX_JSON_BYTES = 256 * 2**20
#: Largest entry of a zip unpacked, streamed [bytes]: Apple exports reach several GB.
MAX_ZIP_ENTRY_BYTES = 32 * 2**30
#: Largest unpacked-to-packed ratio of a zip entry: Apple's XML packs about 10-30 times,
#: a zip bomb thousands of times.
MAX_ZIP_RATIO = 200
#: Largest number of entries of a zip read.
MAX_ZIP_ENTRIES = 200_000
#: A main sleep ends between these local times (``spec/wellness.md``).
MAIN_SLEEP_END = (_dt.time(3, 0), _dt.time(14, 0))


@dataclass
class WellnessRead:
    """What one wellness file gave.

    Attributes
    ----------
    file : str
        The file (for an entry of a zip, ``archive.zip:entry``).
    kind : str
        What the file was taken for, e.g. ``"Garmin Connect sleep (JSON)"``.
    source : str
        One of :data:`heavylegs.logs.wellness.SOURCES`.
    rows : pandas.DataFrame
        One row a day, the format's columns.
    dropped : list of str
        One note per value left out as out of range, naming the day and the value.
    notes : list of str
        Anything else worth saying (entries skipped, days without a main sleep).
    """

    file: str
    kind: str
    source: str
    rows: pd.DataFrame
    dropped: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    @property
    def days(self) -> int:
        """Days with at least one value."""
        return int(len(self.rows))

    @property
    def first(self):
        """First day, ``YYYY-MM-DD`` or None."""
        return None if not len(self.rows) else self.rows["date"].min().date().isoformat()

    @property
    def last(self):
        """Last day, ``YYYY-MM-DD`` or None."""
        return None if not len(self.rows) else self.rows["date"].max().date().isoformat()

    @property
    def filled(self) -> tuple:
        """The value columns with at least one value."""
        return tuple(c for c in VALUE_COLUMNS if len(self.rows) and self.rows[c].notna().any())


class DayBook:
    """Values of one file collected by day, then reduced to one row a day as the spec says.

    Several values of one day: the vendor's daily value when it has one
    (``daily=True``), else the lowest resting heart rate, else the median
    (HRV, scores). Sleep periods are reduced to the night's main sleep: the
    longest period ending between 03:00 and 14:00 local time, dated by the
    day it ends; the others are naps.
    """

    def __init__(self, source: str, name: str):
        self.source = source
        self.name = name
        self.values: dict = {}
        self.periods: dict = {}
        self.dropped: list = []
        self.notes: list = []
        self.hrv_kind = "sdnn" if source == "apple" else "rmssd"

    def add(self, day, column: str, value, daily: bool = False) -> None:
        """One value of ``column`` for ``day`` (a date); None or NaN is ignored; out of range is noted."""
        if value is None or day is None:
            return
        try:
            number = float(value)
        except (TypeError, ValueError):
            return
        if math.isnan(number):
            return
        if check_date_range(day):
            self.dropped.append(f"{column} of a day outside the range read: {check_date_range(day)}; dropped")
            return
        if out_of_range(column, number):
            self.dropped.append(f"{day.isoformat()}: {column} {number:g} dropped, expected {range_text(column)}")
            return
        self.values.setdefault(day, {}).setdefault(column, []).append((bool(daily), number))

    def add_sleep(self, end_local: _dt.datetime, asleep_h: float, main=None) -> None:
        """One sleep period ending at ``end_local`` (naive local time) with ``asleep_h`` hours asleep.

        ``main`` True marks the vendor's own main sleep (Fitbit's ``isMainSleep``),
        False a nap; None lets the 03:00-14:00 rule decide.
        """
        if end_local is None or asleep_h is None or math.isnan(asleep_h):
            return
        self.periods.setdefault(end_local.date(), []).append((end_local, float(asleep_h), main))

    def rows(self) -> pd.DataFrame:
        """One row a day with the reduced values (the format's columns)."""
        for day, periods in sorted(self.periods.items()):
            flagged = [p for p in periods if p[2] is True]
            candidates = flagged or [p for p in periods if p[2] is None
                                     and MAIN_SLEEP_END[0] <= p[0].time() <= MAIN_SLEEP_END[1]]
            if not candidates:
                self.notes.append(f"{day.isoformat()}: only naps (no sleep ending between 03:00 and 14:00)")
                continue
            self.add(day, "sleep_h", max(p[1] for p in candidates), daily=True)
        records = []
        for day in sorted(self.values):
            columns = self.values[day]
            row = {"date": pd.Timestamp(day), "source": self.source}
            for column, items in columns.items():
                daily = [v for d, v in items if d]
                pool = daily or [v for _d, v in items]
                if column == "rhr_bpm":
                    value = min(pool)
                elif column == "sleep_h":
                    value = max(pool) if daily else statistics.median(pool)
                else:
                    value = daily[-1] if daily else statistics.median(pool)
                if RANGES[column][2]:
                    value = float(round(value))
                row[column] = round(value, 4)
            if "hrv_ms" in row:
                row["hrv_kind"] = self.hrv_kind
            row["imported_from"] = os.path.basename(self.name.split(":")[0]) if self.name else np.nan
            records.append(row)
        if not records:
            return empty_wellness()
        frame = pd.DataFrame(records)
        base = empty_wellness()
        for column in base.columns:
            if column not in frame.columns:
                frame[column] = np.nan
        frame = frame[list(base.columns)]
        frame["date"] = frame["date"].astype("datetime64[ns]")
        for column in RANGES:
            frame[column] = frame[column].astype(float)
        return frame.sort_values("date", kind="stable").reset_index(drop=True)

    def result(self, kind: str) -> WellnessRead:
        rows = self.rows()
        return WellnessRead(self.name, kind, self.source, rows, list(self.dropped), list(self.notes))


def vendor_name(source: str) -> str:
    """The vendor as a person reads it."""
    return SOURCE_NAMES.get(source, source)


# ---------------------------------------------------------------------------
# Reading safely


def read_file_bytes(path, limit: int = MAX_JSON_BYTES, what: str = "a wellness export") -> bytes:
    """A regular file of at most ``limit`` bytes (:func:`heavylegs.logs.formats._common.read_regular_file`)."""
    try:
        data = read_regular_file(path, limit, what)
    except OSError as exc:
        raise ReadError(f"cannot be read ({exc.strerror or exc})") from None
    except InputError as exc:  # pragma: no cover - read_regular_file raises ReadError
        raise ReadError(exc.problems[0].message) from None
    if not data:
        raise ReadError(f"is empty (0 bytes), expected {what}")
    return data


def parse_json(data: bytes, name: str):
    """JSON text, or :class:`ReadError` saying where it breaks."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ReadError("is not UTF-8 text, expected a JSON or CSV wellness export") from None
    try:
        return json.loads(text)
    except RecursionError:
        raise ReadError("nests lists or objects too deep to read, expected a wellness JSON export") from None
    except json.JSONDecodeError as exc:
        raise ReadError(f"is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None


def _unsafe_name(name: str) -> bool:
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        return True
    parts = PurePosixPath(name.replace("\\", "/")).parts
    return ".." in parts


def open_zip(path) -> zipfile.ZipFile:
    """Open a zip for reading entries in place, refusing zip-slip names and bombs up front.

    Raises
    ------
    ReadError
        A damaged zip, too many entries, an entry named outside the archive
        (``../x``, ``/etc/x``: zip-slip), an entry larger than
        :data:`MAX_ZIP_ENTRY_BYTES` or packed more than :data:`MAX_ZIP_RATIO`
        times (a zip bomb).
    """
    try:
        archive = zipfile.ZipFile(path)
        infos = archive.infolist()
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, OverflowError) as exc:
        raise ReadError(f"damaged zip file ({exc}), expected a complete export .zip") from None
    except OSError as exc:
        raise ReadError(f"cannot be read ({exc.strerror or exc})") from None
    if len(infos) > MAX_ZIP_ENTRIES:
        archive.close()
        raise ReadError(f"holds {len(infos):,} entries, expected an export of at most {MAX_ZIP_ENTRIES:,}")
    for info in infos:
        if _unsafe_name(info.filename):
            archive.close()
            raise ReadError(f"holds the entry {info.filename!r}, whose path leads outside the archive "
                            "(zip-slip); refused, expected an export as the vendor wrote it")
        check_zip_entry(info, archive)
    return archive


def check_zip_entry(info: zipfile.ZipInfo, archive=None) -> None:
    """Refuse an entry that unpacks too large or packs too tightly (a zip bomb)."""
    if info.file_size > MAX_ZIP_ENTRY_BYTES:
        if archive is not None:
            archive.close()
        raise ReadError(f"entry {info.filename!r} unpacks to {size_text(info.file_size)}, expected at most "
                        f"{size_text(MAX_ZIP_ENTRY_BYTES)}")
    if info.file_size > 2**20 and info.file_size > MAX_ZIP_RATIO * max(info.compress_size, 1):
        if archive is not None:
            archive.close()
        raise ReadError(f"entry {info.filename!r} unpacks {info.file_size // max(info.compress_size, 1):,} "
                        f"times its packed size, expected at most {MAX_ZIP_RATIO} (a zip bomb); refused")


class LimitedReader:
    """A file-like view of a zip entry that stops past the size the entry declares.

    zipfile trusts the declared size only at the end (CRC check); this stops
    a lying entry as soon as it passes the declared size, so a bomb whose
    header understates its size is cut short too.
    """

    def __init__(self, stream, limit: int, name: str):
        self.stream = stream
        self.left = limit
        self.name = name

    def read(self, size: int = -1) -> bytes:
        size = 1 << 20 if size is None or size < 0 else size
        data = self.stream.read(size)
        self.left -= len(data)
        if self.left < 0:
            raise ReadError(f"entry {self.name!r} unpacks past the size its header declares (a zip bomb); "
                            "refused")
        return data


def read_zip_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int = MAX_JSON_BYTES) -> bytes:
    """The bytes of one (small) entry, at most ``limit`` and at most its declared size."""
    if info.file_size > limit:
        raise ReadError(f"entry {info.filename!r} is {size_text(info.file_size)}, expected at most "
                        f"{size_text(limit)}")
    try:
        with archive.open(info) as stream:
            data = LimitedReader(stream, info.file_size, info.filename).read(info.file_size + 1)
    except RuntimeError as exc:  # encrypted
        raise ReadError(f"cannot read entry {info.filename!r} ({exc}); export it again without a password") \
            from None
    except NotImplementedError as exc:
        raise ReadError(f"cannot read entry {info.filename!r} ({exc}); re-pack it with ordinary deflate") \
            from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise ReadError(f"damaged entry {info.filename!r} ({exc})") from None
    return data


def is_junk_entry(name: str) -> bool:
    """macOS and Windows leftovers that are never data (``__MACOSX/``, ``._x``, ``.DS_Store``)."""
    parts = name.replace("\\", "/").split("/")
    base = parts[-1]
    return "__MACOSX" in parts or base.startswith("._") or base in (".DS_Store", "Thumbs.db", "desktop.ini")


class XMLRefused(Exception):
    """Raised from an expat handler: the document declares what is never resolved."""


def safe_expat(kind: str):
    """An expat parser that refuses entity declarations and external references, as defusedxml does.

    Entities are never expanded and external DTDs or entities never fetched:
    a declaration of either stops the parse with :class:`XMLRefused`
    (health exports declare none).
    """
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def entity(name, *_rest):
        raise XMLRefused(f"declares the XML entity {name!r}, which is never expanded; expected {kind} "
                         "(it declares none)")

    def external(context, base, system_id, public_id):
        raise XMLRefused(f"refers to the external entity {system_id!r}, which is never fetched; expected {kind}")

    def doctype(name, system_id, public_id, has_internal):
        if system_id or public_id:
            raise XMLRefused(f"refers to the external DTD {system_id or public_id!r}, which is never fetched; "
                             f"expected {kind}")

    parser.EntityDeclHandler = entity
    parser.UnparsedEntityDeclHandler = entity
    parser.ExternalEntityRefHandler = external
    parser.StartDoctypeDeclHandler = doctype
    return parser


def local_from_epoch_ms(value):
    """A naive datetime from epoch milliseconds of a local wall clock written as if UTC (Garmin's ``*Local``)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        return _dt.datetime(1970, 1, 1) + _dt.timedelta(milliseconds=float(value))
    except (TypeError, ValueError, OverflowError):
        return None


def parse_local(text):
    """A naive local datetime from ISO text without zone (``2016-12-13T11:02:30.000``), else None."""
    if not isinstance(text, str) or len(text) < 10:
        return None
    text = text.strip().replace(" ", "T", 1)
    if text.endswith("Z"):
        text = text[:-1]
    if "." in text[19:]:
        text = text[:19]
    try:
        moment = _dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment.replace(tzinfo=None) if moment.tzinfo is None else moment.replace(tzinfo=None)


def parse_day(text):
    """A date from ``YYYY-MM-DD`` (or a longer ISO stamp's first ten characters), else None."""
    if not isinstance(text, str) or len(text) < 10:
        return None
    try:
        return _dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


def number(value):
    """A float from a JSON or CSV value; None for null, empty, ``None`` or text that is no number."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value) if math.isfinite(float(value)) else None
    text = str(value).strip()
    if not text or text.lower() in ("none", "null", "nan", "n/a", "-", "--"):
        return None
    return ascii_number(text)
