"""Write a large, realistic Strava bulk export ``.zip`` for benchmarks and tests.

Run from the repository root::

    python scripts/make_large_export.py OUT.zip [--size 1G] [--seed 8]

The zip holds what a real export holds for its activities:

* ``activities.csv`` with the 99-column header of a December 2025 English
  export (``tests/data/strava/header_en_99cols_export-2025-12.txt``), one row
  per activity, its ``Filename`` column naming the activity's file;
* ``activities/<id>.fit.gz``, ``<id>.gpx.gz`` and ``<id>.tcx.gz``: copies of
  the real recordings in ``tests/data/activities/`` (see its ``LICENSES.md``),
  each moved to its own day so that every activity is a distinct session.

The activities end about 30 November 2025, two a day on average (at least
three years for small exports; about twelve years for 1 GB, 8,885 activities).
Moving a recording keeps its time of day and shifts every date in it by a
whole number of days. In GPX and TCX (text) the ``YYYY-MM-DD`` before each
``T`` is rewritten. In FIT every ``date_time`` field (field 253 of any message,
and the start and creation times of file id, session, lap and activity
messages) is increased by the shift in seconds; as 86 400 s is a multiple of
32, the 5-bit offsets of compressed-timestamp records stay valid. The FIT file
CRC is then updated (see :func:`fit_crc_update`), so the copies are valid FIT
files that any FIT reader accepts.

The output is deterministic for a given size and seed (the zip's member dates
and the gzip headers carry the activity's own date), and the zip is written
member by member: memory stays at a few MB whatever the size.

The ``.gz`` members are stored as they are (they are already compressed and
a deflate pass would only cost time), ``activities.csv`` is deflated. Which of
the two Strava itself uses does not matter to a zip reader.
"""
from __future__ import annotations

import argparse
import csv
import functools
import gzip
import io
import random
import re
import struct
import sys
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "activities"
HEADER = ROOT / "tests" / "data" / "strava" / "header_en_99cols_export-2025-12.txt"

#: The recordings copied, with how often each comes in one cycle (mostly runs,
#: some rides; the big ride files make the export grow as real ones do).
#: Left out: the multisport file (four sessions in one) and the Strava app file
#: whose messages a strict reader cannot walk past byte 7471.
TEMPLATES = (
    ("fitparse__activity-small-fenix2-run.fit", 3),
    ("tormoder__mornindew-broken.fit", 4),
    ("runpandas__run.fit", 1),
    ("fitparse__2019-02-17-062644-ELEMNT-297E-195-0.fit", 3),
    ("runpandas__strava_export.gpx", 1),
    ("fitparse__2013-02-06-12-11-14.fit", 1),
    ("gap__12866632127.fit.gz", 1),
    ("fitparse__nick.fit", 2),
    ("runpandas__nike_run.gpx", 1),
    ("runpandas__run.gpx", 1),
    ("runpandas__run.tcx", 1),
    ("runpandas__run_garmin.tcx", 1),
)
_STRAVA_TYPE = {"run": "Run", "cross": "Ride", "strength": "Weight Training"}
_LAST_DAY = date(2025, 11, 30)  # the header is of a December 2025 export
_FIRST_ID = 1_100_000_000
_NAMES = {"Run": ("Morning Run", "Lunch Run", "Evening Run", "Easy run", "Long run", "Intervals"),
          "Ride": ("Morning Ride", "Afternoon Ride", "Commute", "Club ride")}
_UNITS = {"k": 10**3, "m": 10**6, "g": 10**9}

__all__ = ["make_export", "parse_size", "shift_fit", "fit_crc", "fit_crc_update", "TEMPLATES"]


# --- FIT CRC (CRC-16 with the reflected polynomial 0xA001, initial value 0) ---------------
# The importer's own CRC (heavylegs.logs.formats.fit) computes it; the update below reuses its table.

sys.path.insert(0, str(ROOT))
from heavylegs.logs.formats.fit import _CRC_TABLE as _TABLE  # noqa: E402
from heavylegs.logs.formats.fit import fit_crc16  # noqa: E402


def fit_crc(data: bytes, crc: int = 0) -> int:
    """The FIT CRC-16 of ``data`` (:func:`heavylegs.logs.formats.fit.fit_crc16`)."""
    return fit_crc16(data, crc)


def _zero_tables(levels: int = 32):
    """For each j, two 256-entry tables that advance a CRC over 2**j zero bytes.

    Feeding a zero byte is linear in the CRC, so advancing over ``n`` zero
    bytes is a 16x16 bit matrix, split here into one table per CRC byte.
    """
    def one(crc):
        return (crc >> 8) ^ _TABLE[crc & 0xFF]
    low = [one(b) for b in range(256)]
    high = [one(b << 8) for b in range(256)]
    tables = [(low, high)]
    for _ in range(levels - 1):
        lo, hi = tables[-1]

        def apply(crc, lo=lo, hi=hi):
            return lo[crc & 0xFF] ^ hi[crc >> 8]
        tables.append(([apply(apply(b)) for b in range(256)], [apply(apply(b << 8)) for b in range(256)]))
    return tables


_ZEROS = _zero_tables()


def _advance(crc: int, zeros: int) -> int:
    level = 0
    while zeros and crc:
        if zeros & 1:
            lo, hi = _ZEROS[level]
            crc = lo[crc & 0xFF] ^ hi[crc >> 8]
        zeros >>= 1
        level += 1
    return crc


def fit_crc_update(old_crc: int, length: int, changes) -> int:
    """The CRC of data of ``length`` bytes after some bytes changed.

    With an initial value of 0 and no final XOR the CRC is linear:
    ``crc(new) == crc(old) ^ crc(old ^ new)``, and ``old ^ new`` is zero but
    at the changed bytes, so only those are fed; runs of zeros between them
    are skipped with precomputed tables. This is what makes rewriting the
    timestamps of a 700 kB FIT file take milliseconds in pure Python.

    Parameters
    ----------
    old_crc : int
        CRC of the data before the change.
    length : int
        Length of the data [bytes].
    changes : iterable of (int, bytes)
        ``(offset, old XOR new)`` for each changed run, in increasing offset.
    """
    crc, position = 0, 0
    for offset, delta in changes:
        crc = _advance(crc, offset - position)
        crc = fit_crc(delta, crc)
        position = offset + len(delta)
    return old_crc ^ _advance(crc, length - position)


# --- moving a FIT recording ---------------------------------------------------------------

# (global message number, field number) of date_time fields besides 253 (timestamp).
_DATE_FIELDS = {(0, 4), (18, 2), (19, 2), (34, 5), (101, 2), (162, 3)}
_MIN_DATE_TIME = 0x10000000  # smaller values are seconds since power-on, not dates


def _fit_date_offsets(data: bytes, start: int, end: int) -> list:
    """``(offset, endian)`` of each date_time value in the records ``data[start:end]``."""
    definitions, found, pos = {}, [], start
    while pos < end:
        header = data[pos]
        pos += 1
        if header & 0x80:  # compressed timestamp: a data message of local type bits 5-6
            definition = definitions.get((header >> 5) & 0x3)
            if definition is None:
                break
            pos += definition[2]
            continue
        local = header & 0x0F
        if header & 0x40:  # definition message
            if pos + 5 > end:
                break
            endian = ">" if data[pos + 1] else "<"
            (mesg,) = struct.unpack_from(endian + "H", data, pos + 2)
            count = data[pos + 4]
            pos += 5
            fields, offset = [], 0
            for index in range(count):
                number, size, base = data[pos + 3 * index: pos + 3 * index + 3]
                if size == 4 and base & 0x1F == 0x06 and (number == 253 or (mesg, number) in _DATE_FIELDS):
                    fields.append(offset)
                offset += size
            pos += 3 * count
            if header & 0x20:  # developer fields
                dev_count = data[pos]
                offset += sum(data[pos + 1 + 3 * i + 1] for i in range(dev_count))
                pos += 1 + 3 * dev_count
            definitions[local] = (endian, fields, offset)
            continue
        definition = definitions.get(local)
        if definition is None or pos + definition[2] > end:
            break
        endian, fields, size = definition
        for offset in fields:
            found.append((pos + offset, endian))
        pos += size
    return found


@dataclass
class _FitTemplate:
    data: bytes
    dates: list          # (offset, endian, value) of each date_time to shift
    crc_span: list       # (start, end, crc) of each chained file's CRC-covered bytes


def _fit_template(data: bytes) -> _FitTemplate:
    dates, spans, pos = [], [], 0
    while pos + 12 <= len(data) and data[pos + 8:pos + 12] == b".FIT":
        header_size = data[pos]
        (data_size,) = struct.unpack_from("<I", data, pos + 4)
        end = min(pos + header_size + data_size, len(data))
        for offset, endian in _fit_date_offsets(data, pos + header_size, end):
            (value,) = struct.unpack_from(endian + "I", data, offset)
            if _MIN_DATE_TIME <= value < 0xFFFFFFFF:
                dates.append((offset, endian, value))
        if end + 2 <= len(data):
            spans.append((pos, end, fit_crc(data[pos:end])))
        pos = end + 2
    return _FitTemplate(data, dates, spans)


def shift_fit(template: _FitTemplate | bytes, seconds: int) -> bytes:
    """A FIT recording with every date moved by ``seconds`` and its CRC updated.

    Parameters
    ----------
    template : bytes or _FitTemplate
        The FIT file (or its parsed template, to shift one file many times).
    seconds : int
        The shift [s]; a multiple of 32 keeps compressed timestamps right.
    """
    if isinstance(template, (bytes, bytearray)):
        template = _fit_template(bytes(template))
    if seconds % 32:
        raise ValueError(f"found a shift of {seconds} s, expected a multiple of 32 s")
    out = bytearray(template.data)
    changes = []
    for offset, endian, value in template.dates:
        new = struct.pack(endian + "I", (value + seconds) & 0xFFFFFFFF)
        old = template.data[offset:offset + 4]
        out[offset:offset + 4] = new
        changes.append((offset, bytes(a ^ b for a, b in zip(old, new))))
    for start, end, crc in template.crc_span:
        mine = [(offset - start, delta) for offset, delta in changes if start <= offset < end]
        struct.pack_into("<H", out, end, fit_crc_update(crc, end - start, mine))
    return bytes(out)


# --- moving a GPX or TCX recording --------------------------------------------------------

_TEXT_DATE = re.compile(rb"\b(\d{4})-(\d{2})-(\d{2})(?=T\d)")


def shift_text(data: bytes, days: int) -> bytes:
    """A GPX or TCX recording with every ``YYYY-MM-DDT`` date moved by ``days``."""
    memo = {}

    def new_date(match):
        found = match.group(0)
        if found not in memo:
            moved = date(int(match.group(1)), int(match.group(2)), int(match.group(3))) + timedelta(days=days)
            memo[found] = moved.isoformat().encode()
        return memo[found]
    return _TEXT_DATE.sub(new_date, data)


# --- the export ---------------------------------------------------------------------------

@dataclass
class _Template:
    name: str
    kind: str            # fit, gpx, tcx
    data: bytes          # uncompressed
    fit: _FitTemplate | None
    row: dict            # the session as the package reads it
    gz_size: int         # size of one compressed copy [bytes]


@functools.lru_cache(maxsize=1)
def _load_templates() -> tuple:
    """The recordings of :data:`TEMPLATES`, read once per process."""
    sys.path.insert(0, str(ROOT))
    from heavylegs.logs.formats import read_activity_file

    templates = []
    for name, _ in TEMPLATES:
        path = DATA / name
        data = path.read_bytes()
        if name.endswith(".gz"):
            data = gzip.decompress(data)
        kind = "fit" if b".FIT" in data[8:12] else ("gpx" if b"<gpx" in data[:2000] else "tcx")
        rows = read_activity_file(path).rows
        if len(rows) != 1:
            raise RuntimeError(f"{name}: found {len(rows)} sessions, expected one")
        templates.append(_Template(name, kind, data, _fit_template(data) if kind == "fit" else None,
                                   rows[0], len(gzip.compress(data, 6, mtime=0))))
    return tuple(templates)


def parse_size(text: str) -> int:
    """``"1G"``, ``"100M"``, ``"2.5M"`` or a number of bytes, as bytes (decimal units)."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kKmMgG]?)[bB]?\s*", str(text))
    if not match:
        raise argparse.ArgumentTypeError(f"found {text!r}, expected a size such as 1G, 100M or 2000000")
    return int(float(match.group(1)) * _UNITS.get(match.group(2).lower(), 1))


def _header_cells() -> list:
    return next(csv.reader([HEADER.read_text(encoding="utf-8").strip()]))


def _csv_row(header, activity_id, start, template, name, filename, rng) -> list:
    row = template.row
    strava_type = _STRAVA_TYPE[row["activity"]]
    moving = round(row["duration_min"] * 60.0)
    elapsed = moving + rng.randrange(0, 240)
    meters = (row["distance_km"] or 0.0) * 1000.0
    values = {
        ("Activity ID", 0): str(activity_id),
        ("Activity Date", 0): start.strftime("%b %-d, %Y, %-I:%M:%S %p"),
        ("Activity Name", 0): name,
        ("Activity Type", 0): strava_type,
        ("Elapsed Time", 0): str(elapsed),
        ("Distance", 0): f"{meters / 1000.0:.2f}",
        ("Commute", 0): "false",
        ("Filename", 0): filename,
        ("Elapsed Time", 1): f"{elapsed:.1f}",
        ("Moving Time", 0): f"{moving:.1f}",
        ("Distance", 1): repr(meters),
        ("Average Speed", 0): repr(meters / moving) if moving else "",
        ("Elevation Gain", 0): "" if row["elevation_gain_m"] is None else repr(float(row["elevation_gain_m"])),
        ("Average Heart Rate", 0): "" if row["avg_hr_bpm"] is None else repr(float(row["avg_hr_bpm"])),
        ("Commute", 1): "0.0",
        ("From Upload", 0): "1.0",
        ("Timer Time", 0): f"{moving:.1f}",
        ("Media", 0): "",
    }
    seen, cells = {}, []
    for cell in header:
        occurrence = seen.get(cell, 0)
        seen[cell] = occurrence + 1
        cells.append(values.get((cell, occurrence), ""))
    return cells


def _zip_time(moment: datetime):
    return moment.timetuple()[:6]


def make_export(out, size: int = 10**9, seed: int = 8, *, level: int = 6, log=None) -> dict:
    """Write a Strava bulk export zip of about ``size`` bytes.

    Parameters
    ----------
    out : str or Path
        The ``.zip`` to write (replaced if it exists).
    size : int
        Target size of the zip [bytes]; the result is within one activity
        file plus ``activities.csv`` of it.
    seed : int
        Seed of the random choices (order of the recordings, names, ids,
        elapsed time).
    level : int
        gzip level of the activity files (6, gzip's default).
    log : callable, optional
        Called with a line of progress now and then.

    Returns
    -------
    dict
        ``path``, ``bytes`` (size of the zip), ``activities``, ``first_day``
        and ``last_day`` (dates of the first and last activity, UTC) and
        ``kinds`` (activity files per format).
    """
    out = Path(out)
    rng = random.Random(seed)
    templates = _load_templates()
    by_name = {t.name: t for t in templates}
    cycle = [by_name[name] for name, weight in TEMPLATES for _ in range(weight)]
    rng.shuffle(cycle)
    mean_gz = sum(t.gz_size for t in cycle) / len(cycle)
    expected = max(1, int(size / (mean_gz + 420)))
    # Two sessions a day on average (doubles), over at least three years up to the last day.
    span_days = max(3 * 365, expected // 2)
    first_day = _LAST_DAY - timedelta(days=span_days)
    header = _header_cells()
    csv_text = io.StringIO()
    writer = csv.writer(csv_text, lineterminator="\n")
    writer.writerow(header)
    keys, kinds = set(), {}
    count = 0
    first = last = None
    tmp = out.with_name(out.name + ".part")
    with zipfile.ZipFile(tmp, "w", allowZip64=True) as archive:
        while True:
            template = cycle[count % len(cycle)]
            original = datetime.fromisoformat(template.row["start_time"])
            target_day = first_day + timedelta(days=count * span_days // expected)
            while True:
                days = (target_day - original.date()).days
                start = original + timedelta(days=days)
                key = (start.replace(second=0), template.row["activity"])
                if key not in keys:
                    break
                target_day += timedelta(days=1)  # the same recording twice on one day: the next day
            keys.add(key)
            activity_id = _FIRST_ID + 7919 * count + rng.randrange(7919)
            if template.kind == "fit":
                raw = shift_fit(template.fit, days * 86400)
            else:
                raw = shift_text(template.data, days)
            filename = f"activities/{activity_id}.{template.kind}.gz"
            info = zipfile.ZipInfo(filename, date_time=_zip_time(start))
            info.compress_type = zipfile.ZIP_STORED
            info.external_attr = 0o644 << 16
            archive.writestr(info, gzip.compress(raw, level, mtime=int(start.timestamp())))
            strava_type = _STRAVA_TYPE[template.row["activity"]]
            name = rng.choice(_NAMES.get(strava_type, (strava_type,)))
            writer.writerow(_csv_row(header, activity_id, start, template, name, filename, rng))
            kinds[template.kind] = kinds.get(template.kind, 0) + 1
            first = first or start
            last = start
            count += 1
            written = archive.fp.tell()
            if log is not None and count % 500 == 0:
                log(f"{count} activities, {written / 1e6:.0f} MB")
            if written + csv_text.tell() * 0.25 >= size:
                break
        info = zipfile.ZipInfo("activities.csv", date_time=_zip_time(last))
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        archive.writestr(info, csv_text.getvalue().encode("utf-8"))
    tmp.replace(out)
    return {"path": out, "bytes": out.stat().st_size, "activities": count,
            "first_day": first.date().isoformat(), "last_day": last.date().isoformat(), "kinds": kinds}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", help="the .zip to write")
    parser.add_argument("--size", type=parse_size, default=parse_size("1G"),
                        help="target size, e.g. 1G, 100M, 2M (default 1G, decimal units)")
    parser.add_argument("--seed", type=int, default=8, help="random seed (default 8)")
    parser.add_argument("--level", type=int, default=6, choices=range(1, 10), metavar="1-9",
                        help="gzip level of the activity files (default 6)")
    parser.add_argument("-q", "--quiet", action="store_true", help="print only the summary")
    args = parser.parse_args(argv)
    made = make_export(args.out, args.size, args.seed, level=args.level,
                       log=None if args.quiet else lambda line: print(line, file=sys.stderr, flush=True))
    kinds = ", ".join(f"{n} {k}" for k, n in sorted(made["kinds"].items()))
    print(f"wrote {made['path']}: {made['bytes'] / 1e6:.1f} MB, {made['activities']} activities "
          f"({kinds}) from {made['first_day']} to {made['last_day']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
