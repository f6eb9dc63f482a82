"""Read sessions from Garmin FIT activity files.

A small decoder of the FIT binary format reads only the messages and fields a
training log needs (file id, sport, session, record, activity). It is about
ten times faster than a general FIT library on large files because each
message is unpacked with one precompiled :class:`struct.Struct` that skips the
unneeded bytes, and it is lenient: decoding stops at the first byte that makes
no sense (a truncated file, a data message for an undefined local type) and
whatever was read before is kept. CRCs are checked (:func:`crc_problems`), and
a file whose CRC does not match is still imported, with a note.

Notes
-----
The layout follows the FIT protocol description (Garmin 2023, *FIT Protocol*,
developer.garmin.com/fit/protocol): a 12- or 14-byte file header, then records
each led by a one-byte header that is either a definition (local type ->
global message number, field numbers, sizes, base types, byte order), a data
message laid out by its definition, or a data message with a compressed
timestamp (5-bit offset from the last full timestamp).
"""
from __future__ import annotations

import struct
from datetime import datetime, timedelta, timezone

from gpxpy.geo import calculate_uphill_downhill, haversine_distance
import numpy as np

from heavylegs.logs.formats._common import FileResult, make_row, map_sport, read_bytes, ReadError, record_fields, unread_reason
from heavylegs.metrics.distance import cumulative_distance

__all__ = ["decode_fit", "missing_crc", "read_fit", "fit_activity", "fit_sport", "fit_crc16", "crc_problems", "MAX_FIT_MESSAGES"]

#: Seconds between the Unix epoch and the FIT epoch (1989-12-31 00:00:00 UTC).
FIT_EPOCH_S = 631065600
# FIT date_time values below this are seconds since device power-on, not dates.
_MIN_DATE_TIME = 0x10000000

# base type number -> (struct code, size, invalid value); None for floats = NaN.
_BASE_TYPES = {
    0x00: ("B", 1, 0xFF), 0x01: ("b", 1, 0x7F), 0x02: ("B", 1, 0xFF),
    0x03: ("h", 2, 0x7FFF), 0x04: ("H", 2, 0xFFFF), 0x05: ("i", 4, 0x7FFFFFFF),
    0x06: ("I", 4, 0xFFFFFFFF), 0x08: ("f", 4, None), 0x09: ("d", 8, None),
    0x0A: ("B", 1, 0), 0x0B: ("H", 2, 0), 0x0C: ("I", 4, 0),
    0x0E: ("q", 8, 0x7FFFFFFFFFFFFFFF), 0x0F: ("Q", 8, 0xFFFFFFFFFFFFFFFF), 0x10: ("Q", 8, 0),
}

# Global message numbers and the field numbers kept from each (FIT profile).
MESG_FILE_ID, MESG_SPORT, MESG_SESSION, MESG_RECORD, MESG_ACTIVITY = 0, 12, 18, 20, 34
_TIMESTAMP = 253
_WANTED = {
    MESG_FILE_ID: {4},                                # time_created
    MESG_SPORT: {0, 1},                               # sport, sub_sport
    # start_time, sport, sub_sport, total_elapsed_time, total_timer_time,
    # total_distance, avg_heart_rate, max_heart_rate, total_ascent
    MESG_SESSION: {2, 5, 6, 7, 8, 9, 16, 17, 22},
    # position_lat, position_long, altitude, heart_rate, distance, enhanced_altitude
    MESG_RECORD: {0, 1, 2, 3, 5, 78},
    MESG_ACTIVITY: {5},                               # local_timestamp
}
_KEPT = frozenset(_WANTED)

# sport / sub_sport enum values (FIT profile) used in the mapping below.
_SPORT_NAMES = {
    0: "generic", 1: "running", 2: "cycling", 3: "transition", 4: "fitness_equipment",
    5: "swimming", 10: "training", 11: "walking", 12: "cross_country_skiing",
    13: "alpine_skiing", 15: "rowing", 17: "hiking", 18: "multisport", 19: "paddling",
    20: "flying", 21: "e_biking", 22: "motorcycling", 23: "boating", 24: "driving",
    25: "golf", 26: "hang_gliding", 28: "hunting", 29: "fishing", 32: "sailing",
    34: "sky_diving", 36: "snowmobiling", 62: "hiit", 67: "meditation", 69: "disc_golf",
}
_SUB_TREADMILL, _SUB_TRAIL, _SUB_TRACK = 1, 3, 4
_SUB_STRENGTH, _SUB_INDOOR_RUNNING, _SUB_VIRTUAL = 20, 45, 58
_SUB_NO_LOAD = {19: "flexibility", 43: "yoga", 44: "pilates", 62: "breathing"}

_SEMICIRCLE_DEG = 180.0 / 2**31
# A gap between records longer than this means the timer was paused.
PAUSE_GAP_S = 60.0
#: Most messages of one kind (records, laps, ...) decoded from one file. A
#: day-long recording at one record per second holds 86,400 records (and a
#: session over 24 h is refused anyway); 500,000 is about six times that and
#: bounds the memory a crafted file of tiny messages can take (~200 MB).
MAX_FIT_MESSAGES = 500_000
# Records whose clock is this far from the median are treated as corrupt.
_MAX_CLOCK_JUMP_S = 86400.0


def _compile(endian: str, fields, wanted):
    """One Struct for a definition: wanted scalar fields unpacked, the rest skipped."""
    codes, names, invalids = [endian], [], []
    for number, size, base in fields:
        spec = _BASE_TYPES.get(base & 0x1F)  # low 5 bits: type number
        if (number in wanted or number == _TIMESTAMP) and spec is not None and spec[1] == size:
            codes.append(spec[0])
            names.append(number)
            invalids.append(spec[2])
        else:
            codes.append(f"{size}x")
    packer = struct.Struct("".join(codes))
    ts_index = names.index(_TIMESTAMP) if _TIMESTAMP in names else None
    return packer, tuple(names), tuple(invalids), ts_index


def decode_fit(data: bytes) -> dict:
    """Decode the messages of a FIT file that an importer needs.

    Parameters
    ----------
    data : bytes
        The whole file (already gunzipped).

    Returns
    -------
    dict
        ``messages``: dict of global message number -> list of dicts (field
        number -> raw value, invalid values dropped; ``253`` is the timestamp
        in FIT seconds, filled in for compressed-timestamp messages);
        ``stopped``: None when the whole file was decoded, else a sentence
        saying at which byte decoding stopped and why.

    Raises
    ------
    ReadError
        When ``data`` does not start with a FIT file header.
    """
    if len(data) < 12 or data[8:12] != b".FIT" or data[0] < 12:
        raise ReadError(f"found {data[:12]!r} at the start, expected a FIT file header "
                        "(12 or 14 bytes ending in '.FIT')")
    messages = {number: [] for number in _WANTED}
    stopped = None
    offset = 0
    while offset + 12 <= len(data) and data[offset + 8:offset + 12] == b".FIT":
        header_size = data[offset]
        data_size = int.from_bytes(data[offset + 4:offset + 8], "little")
        pos = offset + header_size
        end = pos + data_size
        truncated = data_size != 0 and end > len(data)
        if data_size == 0 or truncated:
            # Writers that stream leave the size at 0; truncated files are short.
            end = len(data)
        stopped = _decode_chunk(data, pos, end, messages)
        if truncated:
            # Cut short: say so even when the cut fell between two records.
            cut = (f"the file is truncated, {pos + data_size - len(data):,} bytes before the end of the "
                   "records its header announces")
            stopped = f"{stopped}; {cut}" if stopped else f"byte {len(data)}: {cut}"
        if stopped is not None:
            break
        offset = end + 2  # skip the file CRC; a chained file may follow
    return {"messages": messages, "stopped": stopped}


def missing_crc(data: bytes) -> bool:
    """True when a FIT file holds all the records its header announces but not the final CRC after them."""
    if len(data) < 12 or data[8:12] != b".FIT":
        return False
    data_size = int.from_bytes(data[4:8], "little")
    end = data[0] + data_size
    return data_size != 0 and end <= len(data) < end + 2


def _decode_chunk(data: bytes, pos: int, end: int, messages: dict):
    """Decode records from ``pos`` to ``end``; return why it stopped early, or None."""
    definitions = {}
    last_ts = None
    unpack_header = struct.Struct("<BBHB").unpack_from
    while pos < end:
        header = data[pos]
        if header & 0x80:  # compressed timestamp data message
            local = (header >> 5) & 0x03
            definition = definitions.get(local)
            if definition is None:
                return f"byte {pos}: data for undefined local message type {local}"
            mesg, packer, names, invalids, ts_index = definition
            if pos + 1 + packer.size > end:
                return f"byte {pos}: the file ends in the middle of a message"
            if last_ts is None:
                return f"byte {pos}: compressed timestamp before any full timestamp"
            offset = header & 0x1F
            last_ts += (offset - last_ts) & 0x1F
            values = packer.unpack_from(data, pos + 1)
            pos += 1 + packer.size
            if mesg in _KEPT:
                message = _to_dict(names, values, invalids)
                message[_TIMESTAMP] = last_ts
                _append(messages[mesg], message)
            continue
        local = header & 0x0F
        if header & 0x40:  # definition message
            if pos + 6 > end:
                return f"byte {pos}: the file ends in the middle of a definition"
            _reserved, arch, mesg_le, n_fields = unpack_header(data, pos + 1)
            if arch > 1:
                return f"byte {pos}: definition with byte order {arch}, expected 0 or 1"
            mesg = mesg_le if arch == 0 else ((mesg_le & 0xFF) << 8) | (mesg_le >> 8)
            cursor = pos + 6
            if cursor + 3 * n_fields > end:
                return f"byte {pos}: the file ends in the middle of a definition"
            fields = [tuple(data[cursor + 3 * i:cursor + 3 * i + 3]) for i in range(n_fields)]
            cursor += 3 * n_fields
            if header & 0x20:  # developer fields: sizes only, contents skipped
                if cursor + 1 > end:
                    return f"byte {pos}: the file ends in the middle of a definition"
                n_dev = data[cursor]
                cursor += 1
                if cursor + 3 * n_dev > end:
                    return f"byte {pos}: the file ends in the middle of a definition"
                fields += [(-1, data[cursor + 3 * i + 1], 0x0D) for i in range(n_dev)]
                cursor += 3 * n_dev
            packer, names, invalids, ts_index = _compile(
                "<" if arch == 0 else ">", fields, _WANTED.get(mesg, ()))
            definitions[local] = (mesg, packer, names, invalids, ts_index)
            pos = cursor
            continue
        definition = definitions.get(local)
        if definition is None:
            return f"byte {pos}: data for undefined local message type {local}"
        mesg, packer, names, invalids, ts_index = definition
        if pos + 1 + packer.size > end:
            return f"byte {pos}: the file ends in the middle of a message"
        values = packer.unpack_from(data, pos + 1)
        pos += 1 + packer.size
        if ts_index is not None and values[ts_index] != 0xFFFFFFFF:
            last_ts = values[ts_index]
        if mesg in _KEPT:
            _append(messages[mesg], _to_dict(names, values, invalids))
    return None


def _append(kept: list, message: dict) -> None:
    if len(kept) >= MAX_FIT_MESSAGES:
        raise ReadError(f"holds more than {MAX_FIT_MESSAGES:,} messages of one kind, expected "
                        "one activity (a day at one record per second is 86,400)")
    kept.append(message)


def _to_dict(names, values, invalids) -> dict:
    out = {}
    for name, value, invalid in zip(names, values, invalids):
        if invalid is None:
            if value == value:  # NaN is the invalid float
                out[name] = value
        elif value != invalid:
            out[name] = value
    return out


# --- CRC ----------------------------------------------------------------------
# FIT protects the header and the data with CRC-16 (polynomial 0x8005, bits
# reflected, start 0, no final xor: "CRC-16/ARC"); the FIT SDK computes it a
# nibble at a time. A byte at a time in Python costs ~0.15 s per MB, too slow
# for a folder of files, so long inputs are cut into 512-byte lanes that NumPy
# advances side by side, two bytes of every lane a step (one look-up in a
# 65,536-entry table), and the lanes' CRCs are joined using the linearity of
# the CRC: crc(A + B) = zeros(crc(A), len(B)) ^ crc(B), where zeros(c, n) runs
# n zero bytes through state c. About 4 ms per MB.


def _crc_byte_table():
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
        table.append(crc)
    return table


_CRC_TABLE = _crc_byte_table()
_CRC_LANES_FROM = 8192  # shorter inputs are cheaper byte by byte


def _crc_bytes(data, crc: int = 0) -> int:
    table = _CRC_TABLE
    for byte in data:
        crc = (crc >> 8) ^ table[(crc ^ byte) & 0xFF]
    return crc


_CRC_PAIR = []
_CRC_ZEROS = []
#: Bytes of each lane [bytes]: 256 NumPy steps whatever the file's size.
_CRC_LANE = 512


def _crc_zero_tables():
    """zeros(state, _CRC_LANE) as two 256-entry tables, by the state's low and high byte.

    Running zero bytes through the CRC is linear in the 16 bits of the state,
    so it is the xor of its effect on each set bit.
    """
    if not _CRC_ZEROS:

        pair = _crc_pair_table()
        basis = np.array([1 << bit for bit in range(16)], dtype=np.uint32)
        for _ in range(_CRC_LANE // 2):
            basis = pair[basis]
        values = np.arange(256)
        low = np.zeros(256, dtype=np.uint32)
        high = np.zeros(256, dtype=np.uint32)
        for bit in range(8):
            on = (values >> bit) & 1 == 1
            low[on] ^= basis[bit]
            high[on] ^= basis[bit + 8]
        _CRC_ZEROS.append((low.tolist(), high.tolist()))
    return _CRC_ZEROS[0]


def _crc_pair_table():
    """The state after two bytes, indexed by ``state ^ (byte0 | byte1 << 8)``: a 16-bit CRC
    shifts out its whole state in two bytes, so the pair's effect is one look-up."""
    if not _CRC_PAIR:

        table = np.array(_CRC_TABLE, dtype=np.uint32)
        x = np.arange(65536, dtype=np.uint32)
        first = table[x & 0xFF]
        _CRC_PAIR.append((first >> 8) ^ table[((x >> 8) ^ first) & 0xFF])
    return _CRC_PAIR[0]


def fit_crc16(data, crc: int = 0) -> int:
    """The FIT CRC-16 of ``data``.

    Parameters
    ----------
    data : bytes
        The bytes to check.
    crc : int, optional
        The CRC of the bytes before them (0 to start).

    Returns
    -------
    int
        The CRC (0..65535). A FIT file's CRC of its header and data equals
        the two bytes (little-endian) that follow them.
    """
    n = len(data)
    if n < _CRC_LANES_FROM:
        return _crc_bytes(data, crc)

    width = _CRC_LANE
    lanes = n // width
    words = np.frombuffer(data, dtype="<u2", count=lanes * width // 2).reshape(lanes, width // 2).T.copy()
    state = np.zeros(lanes, dtype=np.uint32)
    state[0] = crc
    pair = _crc_pair_table()
    for column in words:
        state = pair[state ^ column]
    low, high = _crc_zero_tables()
    total = 0
    for lane_crc in state.tolist():
        total = low[total & 0xFF] ^ high[total >> 8] ^ lane_crc
    return _crc_bytes(memoryview(data)[lanes * width:], total)


def crc_problems(data: bytes) -> list:
    """Sentences naming each FIT header or file CRC that does not match, empty when all do.

    A header CRC of 0 means "not computed" and is not checked, nor is a file
    without its trailing CRC (cut short: its decoding says so).
    """
    problems = []
    offset = 0
    while offset + 12 <= len(data) and data[offset + 8:offset + 12] == b".FIT":
        header_size = data[offset]
        if header_size >= 14 and offset + 14 <= len(data):
            stored = int.from_bytes(data[offset + 12:offset + 14], "little")
            if stored and fit_crc16(data[offset:offset + 12]) != stored:
                problems.append(f"the header CRC at byte {offset + 12} does not match")
        data_size = int.from_bytes(data[offset + 4:offset + 8], "little")
        end = offset + header_size + data_size
        if data_size == 0 or end + 2 > len(data):
            break
        stored = int.from_bytes(data[end:end + 2], "little")
        computed = fit_crc16(memoryview(data)[offset:end])
        if computed != stored:
            problems.append(f"the file CRC at byte {end} is {stored:#06x}, the content gives {computed:#06x}")
        offset = end + 2
    return problems


def fit_activity(sport: int | None, sub_sport: int | None):
    """Map a FIT sport and sub-sport to ``(activity, surface)``.

    Returns
    -------
    tuple of (str, str or None), or str, or None
        ``(activity, surface)`` for a session to import; None for a
        transition or multisport summary (dropped); a sport name (str) for an
        activity with no training load (skipped and counted).
    """
    mapped = fit_sport(sport, sub_sport)
    return mapped[:2] if isinstance(mapped, tuple) else mapped


def fit_sport(sport: int | None, sub_sport: int | None):
    """:func:`fit_activity` with the note of :func:`heavylegs.logs.formats._common.map_sport`.

    The sub-sports that make a session a treadmill, trail or track run, or
    strength, are settled here; every other sport goes through the shared
    mapping by its FIT name, so an unknown sport is ``cross`` with a note as in
    every format.

    Returns
    -------
    tuple of (str, str or None, str or None), or str, or None
        ``(activity, surface, note)``, or as :func:`fit_activity`.
    """
    if sub_sport in _SUB_NO_LOAD:
        return _SUB_NO_LOAD[sub_sport]
    name = _SPORT_NAMES.get(sport)
    if name in ("transition", "multisport"):
        return None
    if name == "running":
        surface = {_SUB_TREADMILL: "treadmill", _SUB_INDOOR_RUNNING: "treadmill",
                   _SUB_VIRTUAL: "treadmill", _SUB_TRAIL: "trail",
                   _SUB_TRACK: "track"}.get(sub_sport)
        return ("run", surface, None)
    if name == "fitness_equipment":
        if sub_sport == _SUB_TREADMILL:
            return ("run", "treadmill", None)
        if sub_sport == _SUB_STRENGTH:
            return ("strength", None, None)
    if name is None and sport is not None:
        return map_sport(str(sport), label="FIT sport number")
    return map_sport(name, label="FIT sport")


def _timestamp(value) -> datetime | None:
    if value is None or value < _MIN_DATE_TIME:
        return None
    return datetime.fromtimestamp(FIT_EPOCH_S + value, tz=timezone.utc)


def _utc_offset(messages) -> timedelta | None:
    """Local time minus UTC from the activity message, to the nearest 15 min."""
    for activity in messages[MESG_ACTIVITY]:
        if 5 in activity and _TIMESTAMP in activity:
            seconds = activity[5] - activity[_TIMESTAMP]
            return timedelta(minutes=15 * round(seconds / 900))
    return None


def _power_on_clock(messages) -> bool:
    """True when no session, record or file-id time is a calendar date (the clock counts from power-on)."""
    for mesg, field in ((MESG_SESSION, 2), (MESG_RECORD, _TIMESTAMP), (MESG_FILE_ID, 4)):
        if any(m.get(field, 0) >= _MIN_DATE_TIME for m in messages[mesg]):
            return False
    return True


def _fallback_date(messages, offset):
    """``(YYYY-MM-DD, note)`` for a file whose session has no calendar start, else ``(None, None)``.

    The best date found: the activity message's ``local_timestamp`` (local
    time already), else the file id's ``time_created``.
    """
    for activity in messages[MESG_ACTIVITY]:
        if activity.get(5, 0) >= _MIN_DATE_TIME:
            day = datetime.fromtimestamp(FIT_EPOCH_S + activity[5], tz=timezone.utc).date()
            return day.isoformat(), ("the watch's clock counted from power-on; dated by the activity's "
                                     "local time stamp, which may be wrong")
    for file_id in messages[MESG_FILE_ID]:
        created = _timestamp(file_id.get(4))
        if created is not None:
            local = created + offset if offset is not None else created
            return local.date().isoformat(), ("the session has no start date; dated by the file's "
                                              "creation time")
    return None, None


def _records(messages):
    """Record columns with corrupt clocks removed: times [FIT s], hr, dist [m], lat, lon, alt [m]."""
    records = [r for r in messages[MESG_RECORD] if r.get(_TIMESTAMP, 0) >= _MIN_DATE_TIME]
    if not records and _power_on_clock(messages):
        # Every time counts from the watch's power-on: still good for durations.
        records = [r for r in messages[MESG_RECORD] if _TIMESTAMP in r]
    if records:
        times = sorted(r[_TIMESTAMP] for r in records)
        median = times[len(times) // 2]
        records = [r for r in records if abs(r[_TIMESTAMP] - median) <= _MAX_CLOCK_JUMP_S]
    return records


def _record_totals(records, start=None, stop=None) -> dict:
    """Totals of the records between FIT times ``start`` and ``stop`` (inclusive)."""
    if start is not None:
        records = [r for r in records if start <= r[_TIMESTAMP] <= stop]
    out = {"n": len(records), "timer_s": None, "distance_m": None, "avg_hr": None,
           "ascent_m": None, "first": None, "span_s": None}
    if not records:
        return out
    times = [r[_TIMESTAMP] for r in records]
    out["first"] = times[0]
    out["span_s"] = float(max(times) - min(times))
    out["timer_s"] = float(sum(d for d in (b - a for a, b in zip(times, times[1:]))
                               if 0 < d <= PAUSE_GAP_S))
    heart = [r[3] for r in records if 3 in r and r[3] > 0]
    if heart:
        out["avg_hr"] = sum(heart) / len(heart)
    distances = [r[5] for r in records if 5 in r]
    if distances:
        out["distance_m"] = (max(distances) - min(distances)) / 100.0
    else:
        points = [(r[0] * _SEMICIRCLE_DEG, r[1] * _SEMICIRCLE_DEG) for r in records
                  if 0 in r and 1 in r]
        if len(points) > 1:
            out["distance_m"] = sum(haversine_distance(a[0], a[1], b[0], b[1])
                                    for a, b in zip(points, points[1:]))
    altitudes = [(r[78] if 78 in r else r[2]) / 5.0 - 500.0 for r in records if 78 in r or 2 in r]
    if len(altitudes) > 1:
        out["ascent_m"] = calculate_uphill_downhill(altitudes)[0]
    return out


def _device_fields(records, start=None, stop=None, distance_m=None) -> dict:
    """Heart-rate histogram, maximum and grade-adjusted distance of the records in [start, stop]."""


    nan = float("nan")
    if start is None:
        start, stop = float("-inf"), float("inf")
    # One pass: time, heart rate, distance, altitude, latitude, longitude of each record.
    rows = [(r[_TIMESTAMP], r.get(3, nan), r.get(5, nan), r.get(78, r.get(2, nan)), r.get(0, nan), r.get(1, nan))
            for r in records if start <= r[_TIMESTAMP] <= stop]
    fields = {"hr_histogram": None, "max_hr": None, "gap_distance_m": None}
    if len(rows) >= 2:
        values = np.array(rows, dtype=float)
        values = values[np.argsort(values[:, 0], kind="stable")]
        times, heart = values[:, 0], values[:, 1]
        altitude = values[:, 3] / 5.0 - 500.0
        distance = values[:, 2] / 100.0
        if np.isnan(distance).all():
            placed = ~np.isnan(values[:, 4]) & ~np.isnan(values[:, 5])
            if placed.sum() > 1:
                distance[placed] = cumulative_distance(values[placed, 4] * _SEMICIRCLE_DEG,
                                                       values[placed, 5] * _SEMICIRCLE_DEG)
        fields = record_fields(times, heart, distance, altitude)
    if fields["gap_distance_m"] is None:
        fields["gap_distance_m"] = distance_m  # without altitudes, the distance itself
    return fields


def read_fit(path, data: bytes | None = None, *, source: str | None = None) -> FileResult:
    """Read the sessions of one FIT file.

    Each session message becomes a row, except transitions. Its duration is
    the timer (moving) time, its distance and ascent the session totals, and
    its heart rate the session average, else the mean of the records that fall
    inside the session. A file without session messages (cut short) is
    summarised from its records; a file that breaks off after its session
    message keeps the session totals.

    Parameters
    ----------
    path : str or Path
        The file (``.fit`` or ``.fit.gz``).
    data : bytes, optional
        Its content, already read and gunzipped.
    source : str, optional
        Name to record as ``source``; defaults to ``str(path)``.

    Returns
    -------
    FileResult
        Rows, warnings and failures for this file.
    """
    source = str(path) if source is None else source
    result = FileResult()
    try:
        if data is None:
            data = read_bytes(path)
        decoded = decode_fit(data)
    except (ReadError, OSError) as exc:
        result.failed.append((source, unread_reason(exc)))
        return result
    messages, stopped = decoded["messages"], decoded["stopped"]
    offset = _utc_offset(messages)
    records = _records(messages)
    note = f"file damaged ({stopped}); " if stopped else ""
    if not stopped and missing_crc(data):
        note = "the file's final CRC is missing (its records are complete); "
    crc = crc_problems(data)
    if crc:
        # A bit flipped on the way changes dates, sports or times without a trace: say so.
        note += f"file damaged ({'; '.join(crc)}): some figures may be wrong; "

    sessions = messages[MESG_SESSION]
    if sessions:
        for session in sessions:
            _session_row(session, records, offset, source, note, result, len(sessions),
                         _fallback_date(messages, offset), damaged=stopped is not None)
    else:
        default_sport = messages[MESG_SPORT][0] if messages[MESG_SPORT] else {}
        totals = _record_totals(records)
        if totals["n"] < 2:
            why = stopped or "it holds no session message and no records"
            result.failed.append((source, f"no usable session or records ({why})"))
            return result
        mapped = fit_sport(default_sport.get(0), default_sport.get(1))
        if not isinstance(mapped, tuple):
            _skip(result, mapped or "transition")
            return result
        try:
            result.rows.append(make_row(
                start_utc=_timestamp(totals["first"]), activity=mapped[0], surface=mapped[1],
                duration_s=totals["timer_s"], distance_m=totals["distance_m"],
                avg_hr=totals["avg_hr"], elevation_gain_m=totals["ascent_m"],
                utc_offset=offset, source=source,
                **_device_fields(records, distance_m=totals["distance_m"]),
                notes=f"{note}no session summary; totals from {totals['n']} records"
                      + (f"; {mapped[2]}" if mapped[2] else "")))
        except ReadError as exc:
            result.failed.append((source, str(exc)))
            return result
    if stopped and result.rows:
        result.warnings.append((source, f"read up to {stopped}; the rest of the file was ignored"))
    if crc and result.rows:
        result.warnings.append((source, f"{'; '.join(crc)}: the file was changed or damaged after it was "
                                        "written, so some figures may be wrong"))
    if not result.rows and not result.failed and not result.skipped:
        result.failed.append((source, "holds only transitions, expected at least one session"))
    return result


def _skip(result: FileResult, name: str) -> None:
    result.skipped[name] = result.skipped.get(name, 0) + 1


#: Slack when comparing a session's timer time with its elapsed time and with
#: the span of its records [s]: watches round, and the last record may come a
#: few seconds before the session closes.
_SUMMARY_SLACK_S = 120.0


def _check_summary(records, start, elapsed, timer_s, distance_m, avg_hr, extra):
    """Time, distance and heart rate of a session, from its records when its summary contradicts them.

    A summary contradicts itself or its records when its timer (moving) time
    is longer than its elapsed time, or longer than the whole span of the
    records that fall in the session (more than :data:`_SUMMARY_SLACK_S` and
    10 % over). The records were written as the session went, so they are
    trusted: the returned figures come from them, and ``extra`` gets a note.
    """
    window = min(max(elapsed or 0.0, timer_s), 86400.0)
    totals = _record_totals(records, start, start + window)
    reasons = []
    if elapsed and timer_s > elapsed + _SUMMARY_SLACK_S:
        reasons.append(f"timer {timer_s / 60:.0f} min longer than the elapsed {elapsed / 60:.0f} min")
    span = totals["span_s"]
    if totals["n"] >= 2 and timer_s > max(span + _SUMMARY_SLACK_S, 1.1 * span):
        reasons.append(f"timer {timer_s / 60:.0f} min over {span / 60:.0f} min of records")
    if not reasons:
        return timer_s, distance_m, avg_hr
    if totals["n"] < 2 or not totals["timer_s"]:
        extra.append(f"the session summary contradicts itself ({'; '.join(reasons)}) and there are no "
                     "records to check it")
        return timer_s, distance_m, avg_hr
    extra.append(f"the session summary contradicts its records ({'; '.join(reasons)}); time, distance "
                 f"and heart rate taken from the {totals['n']} records")
    return (totals["timer_s"],
            totals["distance_m"] if totals["distance_m"] is not None else distance_m,
            totals["avg_hr"] if totals["avg_hr"] is not None else avg_hr)


def _session_row(session, records, offset, source, note, result, n_sessions, fallback=(None, None),
                 damaged=False):
    mapped = fit_sport(session.get(5), session.get(6))
    if mapped is None:
        if _SPORT_NAMES.get(session.get(5)) == "multisport" and n_sessions == 1:
            mapped = ("cross", None, None)
        else:
            return
    if isinstance(mapped, str):
        _skip(result, mapped)
        return
    activity, surface, sport_note = mapped
    start = session.get(2)
    elapsed = session.get(7, 0) / 1000.0
    if (start is None or start < _MIN_DATE_TIME) and _TIMESTAMP in session:
        start = session[_TIMESTAMP] - int(elapsed)
    timer = session.get(8)
    timer_s = timer / 1000.0 if timer is not None else (elapsed or None)
    distance = session.get(9)
    distance_m = distance / 100.0 if distance is not None else None
    avg_hr = session.get(16)
    ascent = session.get(22)
    extra = [sport_note] if sport_note else []
    if (avg_hr is None or distance_m is None or timer_s is None) and start is not None:
        stop = start + (elapsed if elapsed else 86400)
        totals = _record_totals(records, start, stop)
        if avg_hr is None and totals["avg_hr"] is not None:
            avg_hr = totals["avg_hr"]
            extra.append("heart rate from records")
        if distance_m is None and totals["distance_m"] is not None:
            distance_m = totals["distance_m"]
            extra.append("distance from records")
        if timer_s is None and totals["timer_s"]:
            timer_s = totals["timer_s"]
            extra.append("time from records")
    if not damaged and start is not None and timer_s:
        timer_s, distance_m, avg_hr = _check_summary(records, start, elapsed, timer_s, distance_m, avg_hr,
                                                     extra)
    date_text = None
    if _timestamp(start) is None and fallback[0] is not None:
        date_text = fallback[0]
        extra.insert(0, fallback[1])
    notes = note + "; ".join(extra) if (note or extra) else None
    if start is not None:
        device = _device_fields(records, start, start + (elapsed if elapsed else 86400), distance_m)
    else:
        device = _device_fields([], distance_m=distance_m)
    if session.get(17) is not None:
        device["max_hr"] = session[17]  # the device's own maximum, which sees every beat
    try:
        result.rows.append(make_row(
            start_utc=_timestamp(start), date_text=date_text, activity=activity, surface=surface,
            duration_s=timer_s, distance_m=distance_m, avg_hr=avg_hr,
            elevation_gain_m=ascent, utc_offset=offset, source=source, **device,
            notes=notes.rstrip("; ") if notes else None))
    except ReadError as exc:
        result.failed.append((source, f"session at {_timestamp(start)}: {exc}"))
