"""Shared pieces of the importers: the session row, sport mapping, file sniffing.

Every reader returns a :class:`FileResult`: the session rows it found (plain
dicts keyed by :data:`LOG_COLUMNS`, JSON-safe so they can be cached), the
problems that stopped a file or a row, warnings about rows that were imported
from a damaged file, and the activity types skipped on purpose.
"""
from __future__ import annotations

import gzip
import math
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

__all__ = [
    "LOG_COLUMNS",
    "FileResult",
    "ReadError",
    "make_row",
    "record_fields",
    "read_bytes",
    "sniff_format",
]

#: Columns of a training log, format 1 (``spec/training-log.md``). Kept here so
#: the importers do not depend on :mod:`heavylegs.traininglog` being present.
LOG_COLUMNS = (
    "date", "activity", "duration_min", "distance_km", "rpe", "session_type",
    "avg_hr_bpm", "elevation_gain_m", "surface", "start_time", "source", "notes",
    "max_hr_bpm", "gap_distance_km", "relative_effort", "hr_histogram",
)

# Limits of the log format; a value outside them would make the whole log invalid.
_MAX_DURATION_MIN = 1440.0
_MAX_DISTANCE_KM = 500.0
_HR_RANGE_BPM = (30.0, 250.0)
_RPE_RANGE = (0.0, 10.0)

# Offsets seen on Earth lie within -12 h .. +14 h; anything else is a bad clock.
_MAX_UTC_OFFSET = timedelta(hours=14)


class ReadError(Exception):
    """A file (or a row of one) that could not be read; the message says why."""


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
        Seconds at each heart rate, as :func:`heavylegs.deviceload.format_histogram` writes it.

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
    import numpy as np

    from ..deviceload import format_histogram, grade_adjusted_distance, hr_histogram

    hr = np.asarray(heart_rate_bpm, dtype=float)
    valid = hr[(hr >= _HR_RANGE_BPM[0]) & (hr <= _HR_RANGE_BPM[1])]
    gap_km = grade_adjusted_distance(distance_m, altitude_m)
    return {
        "hr_histogram": format_histogram(hr_histogram(times_s, hr)),
        "max_hr": float(valid.max()) if len(valid) else None,
        "gap_distance_m": None if gap_km is None else gap_km * 1000.0,
    }


def read_bytes(path) -> bytes:
    """Read a file, gunzipping it when it starts with the gzip magic bytes.

    A ``.gz`` name alone is not trusted: a file that is not really gzipped is
    read as it is.

    Raises
    ------
    ReadError
        When the file is empty or its gzip stream is damaged.
    """
    with open(path, "rb") as handle:
        data = handle.read()
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:
            raise ReadError(f"found a damaged gzip stream ({exc}), expected a complete .gz file") from None
    if not data:
        raise ReadError("file is empty (0 bytes), expected an activity")
    return data


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
