"""Shared pieces of the importers: the session row, sport mapping, file sniffing.

Every reader returns a :class:`FileResult`: the session rows it found (plain
dicts keyed by :data:`LOG_COLUMNS`, JSON-safe so they can be cached), the
problems that stopped a file or a row, warnings about rows that were imported
from a damaged file, and the activity types skipped on purpose.
"""
from __future__ import annotations

import gzip
import io
import math
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from xml.parsers import expat

import numpy as np

from heavylegs.errors import InputError, ascii_number, check_date_range, read_input_file, size_text
from heavylegs.logs.traininglog import LOG_COLUMNS, format_histogram
from heavylegs.metrics.heart_rate import HEART_RATE_RANGE_BPM, hr_histogram
from heavylegs.metrics.pace import grade_adjusted_distance

__all__ = [
    "LOG_COLUMNS",
    "FileResult",
    "ReadError",
    "make_row",
    "record_fields",
    "read_bytes",
    "read_regular_file",
    "gunzip_limited",
    "check_xml",
    "sniff_format",
    "map_sport",
    "moves_at_running_speed",
    "normalise_sport",
    "MAX_ACTIVITY_BYTES",
    "MAX_EXPORT_CSV_BYTES",
    "MAX_XML_DEPTH",
    "MAX_TRACK_POINTS",
    "MAX_XML_ELEMENTS",
]

# Limits of the log format; a value outside them would make the whole log invalid.
_MAX_DURATION_MIN = 1440.0
_MAX_DISTANCE_KM = 500.0
_HR_RANGE_BPM = HEART_RATE_RANGE_BPM
_RPE_RANGE = (0.0, 10.0)

# --- limits on what is read --------------------------------------------------
# Every file is read with a cap on its size and on what it unpacks to, so a
# compressed bomb, a device or a runaway file is refused by name instead of
# filling the memory. The caps are sized from real files, with headroom:

#: Largest activity file read, on disk and after gunzip [bytes]. A 6-hour FIT
#: file recorded every second is about 5 MB (20 MB for a whole day); the
#: sample files of tests/data take 160-290 bytes a point as GPX and 310-730
#: as TCX, so a day-long (24 h) recording every second, 86,400 points, is
#: 14-63 MB of XML. 128 MiB is twice the largest of these.
MAX_ACTIVITY_BYTES = 128 * 2**20
#: Largest ``activities.csv`` read from a Strava export [bytes]. Strava writes
#: about 10 MB per 10,000 activities; 128 MiB holds about 130,000, which is
#: two activities a day for 170 years.
MAX_EXPORT_CSV_BYTES = 128 * 2**20
#: Deepest element nesting accepted in GPX and TCX files. Real files nest 5 to
#: 10 levels (TCX's TrainingCenterDatabase/Activities/Activity/Lap/Track/
#: Trackpoint/Extensions/TPX/Speed is 9 deep); 64 leaves room for any vendor
#: extension, and keeps far below the depth at which a reader could recurse
#: too deep.
MAX_XML_DEPTH = 64
#: Most track points (``trkpt``, ``Trackpoint``) read from one GPX or TCX
#: file: a day at one point per second is 86,400, and a session over 24 h is
#: refused anyway. The cap bounds the time and memory of the XML readers
#: (gpxpy takes about 3.5 kB and 0.25 ms a point: ~0.5 GB and ~40 s at the cap).
MAX_TRACK_POINTS = 150_000
#: Most XML elements in one GPX or TCX file: real points carry 4 to 12
#: elements each (TCX's Time, Position, Latitude..., HeartRateBpm/Value,
#: Extensions/TPX/Speed/RunCadence), so 2,000,000 holds the largest
#: recordings the point cap allows, and stops files padded with empty elements.
MAX_XML_ELEMENTS = 2_000_000

# Offsets seen on Earth lie within -12 h .. +14 h; anything else is a bad clock.
_MAX_UTC_OFFSET = timedelta(hours=14)


class ReadError(Exception):
    """A file (or a row of one) that could not be read; the message says why."""


def unread_reason(exc: Exception) -> str:
    """Why a file could not be read, from the :class:`ReadError` or ``OSError`` its reading raised."""
    if isinstance(exc, ReadError):
        return str(exc)
    return f"could not open the file ({getattr(exc, 'strerror', None) or exc})"


@dataclass
class FileResult:
    """What one input file gave.

    Attributes
    ----------
    rows : list of dict
        Session rows keyed by :data:`LOG_COLUMNS`; ``date`` is ``YYYY-MM-DD``.
    failed : list of (str, str)
        ``(where, reason)``: a file that gave nothing, or ``file:line`` of a
        skipped row.
    warnings : list of (str, str)
        ``(file, message)`` for sessions imported from a damaged file.
    skipped : dict of str to int
        Activities left out on purpose (no training load), by type.
    """

    rows: list = field(default_factory=list)
    failed: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    skipped: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return {"rows": self.rows, "failed": [list(f) for f in self.failed],
                "warnings": [list(w) for w in self.warnings], "skipped": self.skipped}

    @classmethod
    def from_json(cls, data: dict) -> "FileResult":
        return cls(rows=list(data["rows"]), failed=[tuple(f) for f in data["failed"]],
                   warnings=[tuple(w) for w in data["warnings"]], skipped=dict(data["skipped"]))


def _finite(value):
    """``value`` as a float, or None when missing or not finite."""
    if value is None:
        return None
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def make_row(*, start_utc: datetime | None, activity: str, duration_s, source: str,
             distance_m=None, avg_hr=None, elevation_gain_m=None, rpe=None,
             surface=None, session_type=None, notes=None, utc_offset: timedelta | None = None,
             date_text: str | None = None, max_hr=None, gap_distance_m=None,
             relative_effort=None, hr_histogram: str | None = None) -> dict:
    """Build one log row, checking it against the limits of the log format.

    Parameters
    ----------
    start_utc : datetime or None
        Session start, timezone-aware (naive values are taken as UTC).
    activity : str
        ``run``, ``strength`` or ``cross``.
    duration_s : float
        Moving (timer) time [s]; must be > 0 and at most 24 h.
    source : str
        File the session came from.
    distance_m : float, optional
        Distance [m]; dropped (with a note) above 500 km.
    avg_hr : float, optional
        Mean heart rate [bpm]; dropped outside 30-250 bpm.
    elevation_gain_m : float, optional
        Total ascent [m].
    rpe : float, optional
        Session RPE, CR-10 scale.
    surface, session_type, notes : str, optional
        As in the log format.
    utc_offset : timedelta, optional
        Local time minus UTC when the file records it; gives the local date.
    date_text : str, optional
        ``YYYY-MM-DD`` to use when there is no ``start_utc``.
    max_hr : float, optional
        Highest heart rate [bpm]; dropped outside 30-250 bpm.
    gap_distance_m : float, optional
        Grade-adjusted distance [m] (``spec/device-load.md``).
    relative_effort : float, optional
        Strava's Relative Effort; dropped when negative.
    hr_histogram : str, optional
        Seconds at each heart rate, as :func:`heavylegs.logs.traininglog.format_histogram` writes it.

    Returns
    -------
    dict
        Keyed by :data:`LOG_COLUMNS`.

    Raises
    ------
    ReadError
        When there is no date or the duration is missing or out of range.
    """
    notes_list = [notes] if notes else []
    duration_s = _finite(duration_s)
    if duration_s is None or duration_s <= 0:
        raise ReadError(f"found no moving time (got {duration_s!r} s), expected a duration > 0")
    duration_min = duration_s / 60.0
    if duration_min > _MAX_DURATION_MIN:
        raise ReadError(f"found a moving time of {duration_min:.0f} min, expected at most "
                        f"{_MAX_DURATION_MIN:.0f} min (24 h) for one session")

    start_text = None
    if start_utc is not None:
        if start_utc.tzinfo is None:
            start_utc = start_utc.replace(tzinfo=timezone.utc)
        start_utc = start_utc.astimezone(timezone.utc)
        start_text = start_utc.isoformat(timespec="seconds")
        local = start_utc
        if utc_offset is not None and abs(utc_offset) <= _MAX_UTC_OFFSET:
            local = start_utc + utc_offset
        date_text = local.date().isoformat()
    if date_text is None:
        raise ReadError("found no start time, expected one to date the session")
    try:
        out_of_range = check_date_range(date.fromisoformat(date_text))
    except ValueError:
        raise ReadError(f"found the date {date_text!r}, expected YYYY-MM-DD") from None
    if out_of_range:
        raise ReadError(f"session date: {out_of_range}")

    distance_km = _finite(distance_m)
    if distance_km is not None:
        distance_km /= 1000.0
        if distance_km < 0 or distance_km > _MAX_DISTANCE_KM:
            notes_list.append(f"distance {distance_km:.1f} km left out (outside 0-500 km)")
            distance_km = None
    avg_hr = _finite(avg_hr)
    if avg_hr is not None and not _HR_RANGE_BPM[0] <= avg_hr <= _HR_RANGE_BPM[1]:
        notes_list.append(f"average heart rate {avg_hr:.0f} bpm left out (outside 30-250)")
        avg_hr = None
    elevation_gain_m = _finite(elevation_gain_m)
    if elevation_gain_m is not None and elevation_gain_m < 0:
        elevation_gain_m = None
    rpe = _finite(rpe)
    if rpe is not None and not _RPE_RANGE[0] <= rpe <= _RPE_RANGE[1]:
        notes_list.append(f"RPE {rpe:g} left out (outside 0-10)")
        rpe = None
    max_hr = _finite(max_hr)
    if max_hr is not None and not _HR_RANGE_BPM[0] <= max_hr <= _HR_RANGE_BPM[1]:
        notes_list.append(f"maximum heart rate {max_hr:.0f} bpm left out (outside 30-250)")
        max_hr = None
    gap_km = _finite(gap_distance_m)
    if gap_km is not None:
        gap_km /= 1000.0
        if gap_km < 0 or gap_km > _MAX_DISTANCE_KM:
            gap_km = None
    relative_effort = _finite(relative_effort)
    if relative_effort is not None and relative_effort < 0:
        relative_effort = None
    if session_type is None:
        session_type = {"strength": "strength", "cross": "cross"}.get(activity)
    return {
        "date": date_text,
        "activity": activity,
        "duration_min": round(duration_min, 6),
        "distance_km": None if distance_km is None else round(distance_km, 6),
        "rpe": rpe,
        "session_type": session_type,
        "avg_hr_bpm": None if avg_hr is None else round(avg_hr, 1),
        "elevation_gain_m": None if elevation_gain_m is None else round(elevation_gain_m, 1),
        "surface": surface,
        "start_time": start_text,
        "source": source,
        "notes": "; ".join(notes_list) or None,
        "max_hr_bpm": None if max_hr is None else round(max_hr, 1),
        "gap_distance_km": None if gap_km is None else round(gap_km, 6),
        "relative_effort": relative_effort,
        "hr_histogram": hr_histogram or None,
    }


#: Average moving speed of a run [km/h]: from 9:14 min/km, faster than a brisk walk (about
#: 6 km/h), to 3:00 min/km, beyond which only elite racers keep going (the road 10 km world
#: records are near 2:40 min/km); Strava's and Garmin's own sport detection also start from speed.
RUN_MOVING_SPEED_KMH = (6.5, 20.0)
#: Fastest 30-second stretch a run reaches [km/h], 95th percentile: a sprint finish or a steep
#: descent stays under it, while bike rides pass it on every descent.
RUN_TOP_SPEED_KMH = 25.0
_SPEED_WINDOW_S = 30.0


def moves_at_running_speed(times_s, distance_m, moving_s=None) -> bool:
    """Whether a track's points move at running speed (:data:`RUN_MOVING_SPEED_KMH`).

    For a file that names no sport (a GPX track without ``<type>``): its
    average moving speed lies in the running band and the 95th percentile
    of its 30-second speeds stays below :data:`RUN_TOP_SPEED_KMH`.

    Parameters
    ----------
    times_s : array-like of float
        Point times [s], increasing.
    distance_m : array-like of float
        Cumulative distance at each point [m].
    moving_s : float, optional
        Moving time [s] (pauses left out); the elapsed time when None.

    Returns
    -------
    bool
        False for fewer than two points, no distance or no time.
    """
    times = np.asarray(times_s, dtype=float)
    distance = np.asarray(distance_m, dtype=float)
    keep = np.isfinite(times) & np.isfinite(distance)
    times, distance = times[keep], distance[keep]
    if len(times) < 2 or distance[-1] <= distance[0] or times[-1] <= times[0]:
        return False
    seconds = float(moving_s) if moving_s else float(times[-1] - times[0])
    average_kmh = (distance[-1] - distance[0]) / seconds * 3.6
    if not RUN_MOVING_SPEED_KMH[0] <= average_kmh <= RUN_MOVING_SPEED_KMH[1]:
        return False
    ends = times + _SPEED_WINDOW_S
    inside = ends <= times[-1]
    if not inside.any():
        return True
    window_kmh = (np.interp(ends[inside], times, distance) - distance[inside]) / _SPEED_WINDOW_S * 3.6
    return bool(np.percentile(window_kmh, 95) < RUN_TOP_SPEED_KMH)


def record_fields(times_s, heart_rate_bpm, distance_m, altitude_m) -> dict:
    """The device-load fields of a session, from its records (``spec/device-load.md``).

    Parameters
    ----------
    times_s : array-like of float
        Record times [s].
    heart_rate_bpm, distance_m, altitude_m : array-like of float
        Per record, NaN when unknown: heart rate [bpm], cumulative distance
        [m], altitude [m].

    Returns
    -------
    dict
        ``hr_histogram`` (text or None), ``max_hr`` [bpm] (the highest
        record heart rate within 30-250, or None) and ``gap_distance_m``
        [m] (None without records that have both a distance and an
        altitude), ready for :func:`make_row`.
    """
    hr = np.asarray(heart_rate_bpm, dtype=float)
    valid = hr[(hr >= _HR_RANGE_BPM[0]) & (hr <= _HR_RANGE_BPM[1])]
    gap_km = grade_adjusted_distance(distance_m, altitude_m)
    return {
        "hr_histogram": format_histogram(hr_histogram(times_s, hr)),
        "max_hr": float(valid.max()) if len(valid) else None,
        "gap_distance_m": None if np.isnan(gap_km) else gap_km * 1000.0,
    }


def read_regular_file(path, limit: int, what: str = "an activity file") -> bytes:
    """:func:`heavylegs.errors.read_input_file`, raising :class:`ReadError`.

    Only a regular file (links followed and checked) of at most ``limit``
    bytes is read; a pipe, a device or a socket is refused without blocking.

    Raises
    ------
    ReadError
        When the file is not a regular file or is larger than ``limit``.
    OSError
        When it cannot be opened.
    """
    try:
        return read_input_file(path, limit, what)
    except InputError as exc:
        raise ReadError(exc.problems[0].message) from None


def gunzip_limited(data: bytes, limit: int, what: str = "an activity file") -> bytes:
    """Gunzip ``data`` by streaming, stopping as soon as it passes ``limit`` bytes.

    Raises
    ------
    ReadError
        When the stream is damaged or unpacks to more than ``limit`` bytes.
    """
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            out = stream.read(limit + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise ReadError(f"found a damaged gzip stream ({exc}), expected a complete .gz file") from None
    if len(out) > limit:
        raise ReadError(f"unpacks to more than {size_text(limit)}, expected {what} of at most "
                        f"{size_text(limit)} (a compressed bomb, or not an activity)")
    return out


def read_bytes(path, limit: int = MAX_ACTIVITY_BYTES) -> bytes:
    """Read an activity file, gunzipping it when it starts with the gzip magic bytes.

    A ``.gz`` name alone is not trusted: a file that is not really gzipped is
    read as it is. Only regular files are read, at most ``limit`` bytes on
    disk and ``limit`` bytes unpacked (:data:`MAX_ACTIVITY_BYTES`).

    Raises
    ------
    ReadError
        When the file is not a regular file, too large, empty, or its gzip
        stream is damaged or unpacks to too much.
    OSError
        When it cannot be opened.
    """
    data = read_regular_file(path, limit)
    if data[:2] == b"\x1f\x8b":
        data = gunzip_limited(data, limit)
    if not data:
        raise ReadError("file is empty (0 bytes), expected an activity")
    return data


_POINT_TAGS = frozenset({"trkpt", "rtept", "wpt", "Trackpoint"})


class _XMLStop(Exception):
    """Raised from the expat handlers to stop a scan early."""


def check_xml(data, kind: str) -> None:
    """Refuse XML that is too deep, too large or declares entities.

    The caps are :data:`MAX_XML_DEPTH`, :data:`MAX_XML_ELEMENTS` and
    :data:`MAX_TRACK_POINTS`.

    One fast pass of expat before the real parser runs, so no reader ever
    sees an input that could make it recurse without end or expand entities
    (GPX and TCX never declare any).

    Parameters
    ----------
    data : bytes or str
        The document.
    kind : str
        ``"GPX"`` or ``"TCX"``, for messages.

    Raises
    ------
    ReadError
        Naming the depth found or the entity declared.
    """
    parser = expat.ParserCreate()
    depth = elements = points = 0

    def start(name, _attrs):
        nonlocal depth, elements, points
        depth += 1
        elements += 1
        if depth > MAX_XML_DEPTH:
            raise _XMLStop(f"nests elements more than {MAX_XML_DEPTH} deep, expected a {kind} "
                           "file (real ones nest about 10 deep)")
        if elements > MAX_XML_ELEMENTS:
            raise _XMLStop(f"holds more than {MAX_XML_ELEMENTS:,} XML elements, expected a {kind} "
                           "file of one activity")
        local = name.rpartition(":")[2]
        if local in _POINT_TAGS:
            points += 1
            if points > MAX_TRACK_POINTS:
                raise _XMLStop(f"holds more than {MAX_TRACK_POINTS:,} track points, expected one "
                               "activity of at most 24 h (86,400 points at one a second)")

    def end(_name):
        nonlocal depth
        depth -= 1

    def entity(name, *_rest):
        raise _XMLStop(f"declares the XML entity {name!r}, expected a {kind} file (they declare none)")

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.EntityDeclHandler = entity
    try:
        parser.Parse(data, True)
    except _XMLStop as exc:
        raise ReadError(str(exc)) from None
    except expat.ExpatError:
        pass  # not well-formed: the reader itself says where and why


def parse_ascii_float(text) -> float | None:
    """A number written with ASCII digits, else None (see :func:`heavylegs.errors.ascii_number`)."""
    if text is None:
        return None
    return ascii_number(str(text))


def sniff_format(data: bytes, name: str) -> str | None:
    """``"fit"``, ``"gpx"`` or ``"tcx"`` from the content, else from the name."""
    if len(data) >= 12 and data[8:12] == b".FIT":
        return "fit"
    head = data[:4096].lower()
    if b"<gpx" in head:
        return "gpx"
    if b"<trainingcenterdatabase" in head:
        return "tcx"
    name = name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    for ext in ("fit", "gpx", "tcx"):
        if name.endswith("." + ext):
            return ext
    return None


# --- sport vocabularies -----------------------------------------------------

#: Activities that carry no meaningful training load for a runner; they are
#: left out of the log and counted in the import summary.
NO_LOAD = frozenset({
    "golf", "discgolf", "yoga", "pilates", "meditation", "breathing", "flexibility",
    "driving", "flying", "motorcycling", "boating", "fishing", "hunting", "sailing",
    "skydiving", "snowmobiling", "hanggliding",
})


def normalise_sport(text) -> str:
    """Lower case without spaces, underscores or hyphens: ``"Trail Run"`` -> ``"trailrun"``."""
    return "".join(ch for ch in str(text or "").lower() if ch not in " _-")


# Sport names as the formats spell them, normalised (:func:`normalise_sport`):
# Strava's activity types (English and German), FIT's sport names, TCX's Sport
# attribute and the free text of GPX <type>.
_RUN_NAMES = {"run": None, "running": None, "lauf": None, "laufen": None, "street": None, "road": None,
              "track": "track", "trackrunning": "track",
              "trailrun": "trail", "trailrunning": "trail", "traillauf": "trail",
              "virtualrun": "treadmill", "virtuellerlauf": "treadmill", "treadmill": "treadmill",
              "treadmillrunning": "treadmill", "indoorrunning": "treadmill"}
_STRENGTH_NAMES = {"weighttraining", "workout", "crossfit", "hiit", "gewichtstraining",
                   "krafttraining", "training", "strengthtraining"}
_CROSS_NAMES = {
    "ride", "virtualride", "ebikeride", "mountainbikeride", "emountainbikeride",
    "gravelride", "handcycle", "velomobile", "swim", "hike", "walk", "nordicski",
    "backcountryski", "alpineski", "rollerski", "snowshoe", "snowboard", "iceskate",
    "inlineskate", "rowing", "virtualrow", "canoeing", "kayaking", "standuppaddling",
    "surfing", "kitesurf", "windsurf", "elliptical", "stairstepper", "rockclimbing",
    "wheelchair", "soccer", "tennis", "badminton", "squash", "pickleball",
    "racquetball", "tabletennis", "skateboard",
    "radfahrt", "virtuelleradfahrt", "schwimmen", "wandern", "wanderung",
    "spaziergang", "skilanglauf", "rudern",
    # FIT and TCX names
    "cycling", "biking", "ebiking", "swimming", "walking", "hiking", "crosscountryskiing",
    "alpineskiing", "paddling", "fitnessequipment", "multisport",
}
# Parts of free-text names (GPX <type>) that name an endurance sport.
_CROSS_PARTS = ("ride", "cycl", "bik", "walk", "hik", "swim", "ski", "row", "paddl", "kayak")


def map_sport(name, *, label: str = "sport"):
    """Map a sport name, as any format spells it, to a log activity.

    The one mapping of the FIT, GPX, TCX and Strava importers (FIT first
    settles its sub-sports: treadmill, trail, track, strength), so that the
    same sport gives the same activity whatever the file.

    Parameters
    ----------
    name : str or None
        The sport as written: a Strava ``Activity Type``, a FIT sport name
        (``running``, ``cycling``), a TCX ``Sport`` attribute, a GPX
        ``<type>``. None or blank when the file names no sport.
    label : str, optional
        How the note names it, such as ``"GPX type"``.

    Returns
    -------
    tuple of (str, str or None, str or None), or str
        ``(activity, surface, note)``; or, for an activity with no training
        load (golf, yoga), its name, to be skipped and counted.

    Notes
    -----
    A missing or unknown sport is ``cross`` with a note, in every format:
    calling it a run would count its distance and pace in the run metrics
    (weekly kilometres, long-run share), and a wrong ``run`` inflates them,
    while a wrong ``cross`` only adds its time to the load. The coach can
    change the activity in the log.
    """
    text = str(name).strip() if name is not None else ""
    key = normalise_sport(text)
    if not key or key == "generic":
        return ("cross", None, "no sport recorded; imported as cross training")
    if key in _RUN_NAMES:
        return ("run", _RUN_NAMES[key], None)
    if key in _STRENGTH_NAMES:
        return ("strength", None, None)
    if key in NO_LOAD:
        return text
    if key in _CROSS_NAMES:
        return ("cross", None, None)
    # Free text (GPX): any kind of run, then any endurance sport by a part of its name.
    if "run" in key:
        if "trail" in key:
            return ("run", "trail", None)
        if "treadmill" in key or "indoor" in key or "virtual" in key:
            return ("run", "treadmill", None)
        return ("run", None, None)
    if any(part in key for part in _CROSS_PARTS):
        return ("cross", None, None)
    return ("cross", None, f"{label} {text!r} not recognised; imported as cross training")

