"""Apple Health: ``export.xml``, or ``export.zip`` read in place, as a stream.

The Health app's "Export All Health Data" writes ``apple_health_export/export.xml``
(several GB for years of Apple Watch data). It is read with expat as a
stream: no tree is built and only three record types are kept,

* ``HKCategoryTypeIdentifierSleepAnalysis``: segments whose ``value`` is one
  of the ``…Asleep…`` values (``InBed`` and ``Awake`` are not sleep). The
  segments of one source are joined into periods (gaps under an hour), a
  period is dated by the local day it ends, the night's main sleep is the
  longest period ending between 03:00 and 14:00, and of several sources
  (the Watch, a sleep app) the one with the most sleep that night is used;
* ``HKQuantityTypeIdentifierRestingHeartRate`` [count/min]: Apple's daily
  value, dated by the local day of ``startDate`` (the lowest when two
  sources give one);
* ``HKQuantityTypeIdentifierHeartRateVariabilitySDNN`` [ms]: **SDNN**, not
  rMSSD; spot readings, the day's median.

Time stamps carry the offset of the *export*, not of the sample
(``2024-01-01 03:27:53 +0200`` for a January night in Amsterdam): the local
time comes from the record's ``HKTimeZone`` metadata when present, else
from the offset written. Entity declarations and external DTDs are refused
(:func:`heavylegs.logs.formats._wellness.safe_expat`); from a zip the entry
is streamed, never unpacked to disk, and checked for bombs.
"""
from __future__ import annotations

import datetime as _dt
import zipfile
from functools import lru_cache
from xml.parsers import expat

from heavylegs.logs.formats._common import ReadError
from heavylegs.logs.formats._wellness import (MAX_ZIP_ENTRY_BYTES, DayBook, LimitedReader, WellnessRead, XMLRefused,
                                              check_zip_entry, is_junk_entry, number, safe_expat)

try:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
except ImportError:  # pragma: no cover - Python 3.11 has zoneinfo
    ZoneInfo = None
    ZoneInfoNotFoundError = Exception

__all__ = ["read_apple_export", "read_apple_xml_stream", "apple_zip_entry", "local_time", "SLEEP_GAP_MIN"]

_SLEEP = "HKCategoryTypeIdentifierSleepAnalysis"
_RHR = "HKQuantityTypeIdentifierRestingHeartRate"
_HRV = "HKQuantityTypeIdentifierHeartRateVariabilitySDNN"
_WANTED = frozenset((_SLEEP, _RHR, _HRV))
#: Segments of one source closer than this are one sleep period [min].
SLEEP_GAP_MIN = 60.0
_CHUNK = 1 << 20


@lru_cache(maxsize=64)
def _zone(name: str):
    if ZoneInfo is None or not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def local_time(stamp: str, zone_name: str | None = None):
    """The local wall-clock time of an Apple time stamp, as a naive datetime.

    Parameters
    ----------
    stamp : str
        ``YYYY-MM-DD HH:MM:SS ±HHMM`` as ``export.xml`` writes it.
    zone_name : str, optional
        The record's ``HKTimeZone`` (an IANA zone such as ``Europe/Paris``);
        without it, or when it is unknown here, the offset written is used.

    Returns
    -------
    datetime.datetime or None
        None when the stamp cannot be read.

    Examples
    --------
    >>> local_time("2019-07-10 23:30:00 +0100", "Europe/Paris")
    datetime.datetime(2019, 7, 11, 0, 30)
    >>> local_time("2019-07-10 23:30:00 +0100")
    datetime.datetime(2019, 7, 10, 23, 30)
    """
    try:
        naive = _dt.datetime(int(stamp[0:4]), int(stamp[5:7]), int(stamp[8:10]),
                             int(stamp[11:13]), int(stamp[14:16]), int(stamp[17:19]))
        text = stamp[20:].strip()
        sign = -1 if text[0] == "-" else 1
        offset = _dt.timedelta(hours=int(text[1:3]), minutes=int(text[3:5])) * sign
    except (ValueError, IndexError, TypeError):
        return None
    zone = _zone(zone_name) if zone_name else None
    if zone is None:
        return naive
    instant = naive.replace(tzinfo=_dt.timezone(offset))
    return instant.astimezone(zone).replace(tzinfo=None)


class _Collector:
    """expat handlers that keep the three record types and their ``HKTimeZone``."""

    def __init__(self, name: str):
        self.name = name
        self.record = None
        self.zone = None
        self.root = None
        self.sleep = {}      # source -> [(start, end)]
        self.rhr = []        # (day, value)
        self.hrv = []
        self.records = 0
        self.kept = 0

    def start(self, tag, attrs):
        if tag == "Record":
            self.records += 1
            kind = attrs.get("type")
            if kind in _WANTED:
                self.record = attrs
                self.zone = None
            else:
                self.record = None
        elif tag == "MetadataEntry":
            if self.record is not None and attrs.get("key") == "HKTimeZone":
                self.zone = attrs.get("value")
        elif self.root is None:
            self.root = tag

    def end(self, tag):
        if tag == "Record" and self.record is not None:
            self._keep(self.record, self.zone)
            self.record = None

    def _keep(self, attrs, zone):
        kind = attrs.get("type")
        self.kept += 1
        start = local_time(attrs.get("startDate", ""), zone)
        if start is None:
            return
        if kind == _SLEEP:
            value = attrs.get("value", "")
            if "Asleep" not in value:
                return
            end = local_time(attrs.get("endDate", ""), zone)
            if end is None or end <= start:
                return
            self.sleep.setdefault(attrs.get("sourceName", ""), []).append((start, end))
        elif kind == _RHR:
            self.rhr.append((start.date(), number(attrs.get("value"))))
        else:
            self.hrv.append((start.date(), number(attrs.get("value"))))


def _sleep_nights(book: DayBook, sleep: dict) -> None:
    """Join each source's segments into periods and give the book each night's best source."""
    gap = _dt.timedelta(minutes=SLEEP_GAP_MIN)
    nights = {}  # day -> [(asleep_h, end)] per source, main-sleep candidates only
    naps = set()
    for _source, segments in sleep.items():
        segments.sort()
        periods = []
        for start, end in segments:
            if periods and start <= periods[-1][1] + gap:
                p_start, p_end, merged = periods[-1]
                merged.append((start, end))
                periods[-1] = (p_start, max(p_end, end), merged)
            else:
                periods.append((start, end, [(start, end)]))
        for _p_start, p_end, parts in periods:
            asleep = _union_seconds(parts) / 3600.0
            day = p_end.date()
            if book_window(p_end):
                nights.setdefault(day, []).append((asleep, p_end))
            else:
                naps.add(day)
    for day, candidates in nights.items():
        asleep, end = max(candidates)
        book.add_sleep(end, asleep)
    for day in sorted(naps - set(nights)):
        book.notes.append(f"{day.isoformat()}: only naps (no sleep ending between 03:00 and 14:00)")


def book_window(end: _dt.datetime) -> bool:
    return _dt.time(3, 0) <= end.time() <= _dt.time(14, 0)


def _union_seconds(parts) -> float:
    """Seconds covered by a union of intervals (segments of one source may overlap)."""
    total = 0.0
    current_start = current_end = None
    for start, end in sorted(parts):
        if current_end is None or start > current_end:
            if current_end is not None:
                total += (current_end - current_start).total_seconds()
            current_start, current_end = start, end
        elif end > current_end:
            current_end = end
    if current_end is not None:
        total += (current_end - current_start).total_seconds()
    return total


def read_apple_xml_stream(stream, name: str) -> WellnessRead:
    """Read an Apple Health ``export.xml`` from a binary stream, chunk by chunk.

    Parameters
    ----------
    stream : file-like
        Read with ``read(size)``; a file, or a zip entry (never unpacked to disk).
    name : str
        For messages.

    Raises
    ------
    ReadError
        Not well-formed XML (line and column), an entity or external DTD
        declared, or a root that is not ``HealthData``.
    """
    collector = _Collector(name)
    parser = safe_expat("an Apple Health export.xml")
    parser.buffer_text = True
    parser.StartElementHandler = collector.start
    parser.EndElementHandler = collector.end
    try:
        first = True
        while True:
            chunk = stream.read(_CHUNK)
            if first:
                first = False
                if not chunk.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<":
                    raise ReadError("is not XML, expected an Apple Health export.xml")
            if not chunk:
                parser.Parse(b"", True)
                break
            parser.Parse(chunk, False)
            if collector.root is not None and collector.root != "HealthData":
                raise ReadError(f"is XML whose root is <{collector.root}>, expected an Apple Health export.xml "
                                "(root <HealthData>)")
    except XMLRefused as exc:
        raise ReadError(str(exc)) from None
    except expat.ExpatError as exc:
        raise ReadError(f"is not well-formed XML (line {exc.lineno}, column {exc.offset}: "
                        f"{expat.ErrorString(exc.code)}), expected an Apple Health export.xml") from None
    if collector.root != "HealthData":
        raise ReadError(f"is XML whose root is <{collector.root}>, expected an Apple Health export.xml "
                        "(root <HealthData>)")
    book = DayBook("apple", name)
    _sleep_nights(book, collector.sleep)
    for day, value in collector.rhr:
        book.add(day, "rhr_bpm", value)
    for day, value in collector.hrv:
        book.add(day, "hrv_ms", value)
    result = book.result("Apple Health export.xml")
    result.notes.insert(0, f"{collector.records:,} records read, {collector.kept:,} of sleep, resting heart rate "
                           "or HRV (SDNN)")
    return result


def apple_zip_entry(archive):
    """The ``export.xml`` entry of an Apple Health ``export.zip``, or None (macOS junk skipped)."""
    best = None
    for info in archive.infolist():
        entry = info.filename.replace("\\", "/")
        if info.is_dir() or is_junk_entry(entry):
            continue
        base = entry.rsplit("/", 1)[-1]
        if base in ("export.xml", "exportar.xml", "Export.xml"):
            if best is None or entry.count("/") < best.filename.count("/"):
                best = info
    return best


def read_apple_export(path_or_archive, name: str) -> WellnessRead:
    """Read ``export.xml`` (a path) or an open ``export.zip`` (a :class:`zipfile.ZipFile`) as a stream."""
    if isinstance(path_or_archive, zipfile.ZipFile):
        info = apple_zip_entry(path_or_archive)
        if info is None:
            raise ReadError("is a zip without apple_health_export/export.xml, expected an Apple Health export.zip")
        check_zip_entry(info)
        try:
            with path_or_archive.open(info) as raw:
                limited = LimitedReader(raw, min(info.file_size, MAX_ZIP_ENTRY_BYTES), info.filename)
                result = read_apple_xml_stream(limited, f"{name}:{info.filename}")
        except (zipfile.BadZipFile, EOFError, OSError) as exc:
            raise ReadError(f"damaged entry {info.filename!r} ({exc})") from None
        except RuntimeError as exc:
            raise ReadError(f"cannot read entry {info.filename!r} ({exc})") from None
        result.file = name
        result.kind = "Apple Health export.zip"
        return result
    try:
        with open(path_or_archive, "rb") as stream:
            return read_apple_xml_stream(stream, name)
    except OSError as exc:
        raise ReadError(f"cannot be read ({exc.strerror or exc})") from None
