"""Read a session from a GPX track with gpxpy.

GPX holds positions and times but no summary, so the totals are computed:
distance is the 2-D length of the track (elevation ignored, as GPS heights
are noisy), duration is gpxpy's moving time (segments slower than its
stopped-speed threshold are left out), heart rate is the mean of the
``hr`` values in the track-point extensions (Garmin TrackPointExtension and
the like), and ascent is gpxpy's smoothed uphill total.
"""
from __future__ import annotations

import math
from datetime import timezone

import gpxpy
import gpxpy.gpx
import numpy as np

from heavylegs.logs.formats._common import check_xml, FileResult, make_row, map_sport, moves_at_running_speed, normalise_sport, parse_ascii_float, read_bytes, ReadError, record_fields, unread_reason
from heavylegs.metrics.distance import cumulative_distance

__all__ = ["read_gpx", "gpx_activity", "gpx_sport_missing", "MAX_SESSION_SPEED_KMH", "MAX_STEP_SPEED_KMH"]

# Strava writes its numeric activity-type code in <trk><type>.
_STRAVA_GPX_TYPES = {"1": "ride", "4": "hike", "9": "run", "10": "walk"}
_HR_TAGS = {"hr", "heartrate", "heartratebpm"}


def gpx_activity(track_type) -> tuple[str, str | None, str | None] | str:
    """Map a GPX ``<type>`` to ``(activity, surface, note)``, or a skipped sport name.

    By :func:`heavylegs.logs.formats._common.map_sport`: an absent or unknown
    type is cross training, with a note, as in every format.
    """
    code = normalise_sport(track_type)
    return map_sport(_STRAVA_GPX_TYPES.get(code, track_type), label="GPX type")


def gpx_sport_missing(gpx) -> bool:
    """Whether a parsed GPX names no sport (no track, or a first track without ``<type>``)."""
    return not gpx.tracks or not normalise_sport(gpx.tracks[0].type)


def read_gpx(path, data: bytes | None = None, *, source: str | None = None) -> FileResult:
    """Read one GPX file as one session.

    Parameters
    ----------
    path : str or Path
        The file (``.gpx`` or ``.gpx.gz``).
    data : bytes, optional
        Its content, already read and gunzipped.
    source : str, optional
        Name to record as ``source``; defaults to ``str(path)``.

    Returns
    -------
    FileResult
        One row, or the reason the file could not be read.
    """
    source = str(path) if source is None else source
    result = FileResult()
    try:
        if data is None:
            data = read_bytes(path)
        row = _gpx_row(data, source, result)
        if row is not None:
            result.rows.append(row)
    except (ReadError, OSError) as exc:
        result.failed.append((source, unread_reason(exc)))
    return result


def _gpx_row(data: bytes, source: str, result: FileResult):
    text = data.decode("utf-8-sig", errors="replace")
    check_xml(text, "GPX")
    try:
        gpx = gpxpy.parse(text)
    except (gpxpy.gpx.GPXException, ValueError) as exc:
        raise ReadError(f"not a readable GPX file ({exc})") from None
    points = [point for track in gpx.tracks for segment in track.segments
              for point in segment.points]
    timed = [point for point in points if point.time is not None]
    if len(timed) < 2:
        raise ReadError(f"found {len(points)} track points and {len(timed)} with a time, "
                        "expected a track with at least two timed points")
    mapped = gpx_activity(gpx.tracks[0].type if gpx.tracks else None)
    if isinstance(mapped, str):
        result.skipped[mapped] = result.skipped.get(mapped, 0) + 1
        return None
    activity, surface, note = mapped
    _check_coordinates(points)
    _check_times(timed)
    distance = _cumulative(timed)
    speed_note = _check_speeds(timed, distance, activity)
    if speed_note:
        note = f"{note}; {speed_note}" if note else speed_note
    moving = gpx.get_moving_data()
    bounds = gpx.get_time_bounds()
    duration_s = moving.moving_time if moving and moving.moving_time else None
    if duration_s is None and bounds.start_time and bounds.end_time:
        duration_s = (bounds.end_time - bounds.start_time).total_seconds()
    if activity == "cross" and gpx_sport_missing(gpx):
        # No <type>: the same run exported as TCX says Running, so a track that moves at
        # running speed is a run, and the two copies are one session of one kind.
        times = [_utc(point.time).timestamp() for point in timed]
        if moves_at_running_speed(times, distance, duration_s):
            activity = "run"
            note = note.replace("imported as cross training", "a run by its speed")
    heart = []
    point_hr = []  # one per timed point, NaN without a reading
    for point in timed:
        reading = float("nan")
        for extension in point.extensions or ():
            for element in extension.iter():
                if element.tag.rpartition("}")[2].lower() in _HR_TAGS and element.text:
                    value = parse_ascii_float(element.text)
                    if value is not None:
                        heart.append(value)
                        reading = value
        point_hr.append(reading)
    ascent = None
    if any(point.elevation is not None for point in points):
        ascent = gpx.get_uphill_downhill().uphill
    start = bounds.start_time
    if start is not None and start.tzinfo is None:
        start = start.replace(tzinfo=timezone.utc)  # GPX times are UTC by definition
    distance_m = gpx.length_2d()
    device = _device_fields(timed, point_hr, distance_m, distance)
    return make_row(start_utc=start, activity=activity, surface=surface,
                    duration_s=duration_s, distance_m=distance_m,
                    avg_hr=sum(heart) / len(heart) if heart else None,
                    elevation_gain_m=ascent, source=source, notes=note, **device)


#: Fastest average speed of a whole session [km/h] believed, by activity: no
#: runner averages 40 km/h over any distance (the 100 m record is 37.6 km/h),
#: and no cross-training session (riding, skiing, rowing) averages 150 km/h.
#: A track faster than this is not a recording of the athlete (a car, a
#: train, positions that jump) and is refused.
MAX_SESSION_SPEED_KMH = {"run": 40.0, "cross": 150.0, "strength": 150.0}
#: Fastest step between two track points [km/h] taken as movement; faster
#: steps are GPS jumps, counted in a note (their distance stays in gpxpy's
#: total, as in the file).
MAX_STEP_SPEED_KMH = {"run": 45.0, "cross": 200.0, "strength": 200.0}


def _check_coordinates(points) -> None:
    """Refuse a track point off the globe (latitude outside -90..90, longitude outside -180..180)."""
    for number, point in enumerate(points, start=1):
        for name, value, limit in (("latitude", point.latitude, 90.0), ("longitude", point.longitude, 180.0)):
            if value is None or not math.isfinite(value) or abs(value) > limit:
                raise ReadError(f"track point {number} has {name} {value}, expected a {name} from "
                                f"-{limit:g} to {limit:g} degrees")


def _check_times(timed) -> None:
    """Refuse a track whose time runs backwards between two timed points."""
    previous = None
    for number, point in enumerate(timed, start=1):
        when = _utc(point.time)
        if previous is not None and when < previous:
            raise ReadError(f"time runs backwards at timed track point {number} ({when.isoformat()} after "
                            f"{previous.isoformat()}), expected the points in the order they were recorded")
        previous = when


def _utc(moment):
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment


def _cumulative(points):
    return cumulative_distance([point.latitude for point in points], [point.longitude for point in points])


def _check_speeds(timed, distance, activity: str) -> str | None:
    """Refuse a session faster than anyone; a note on steps faster than anyone (GPS jumps), or None."""
    times = np.array([_utc(point.time).timestamp() for point in timed], dtype=float)
    elapsed_s = times[-1] - times[0]
    total_km = float(distance[-1]) / 1000.0
    limit = MAX_SESSION_SPEED_KMH.get(activity, MAX_SESSION_SPEED_KMH["cross"])
    if total_km > 0 and (elapsed_s <= 0 or total_km / (elapsed_s / 3600.0) > limit):
        speed = "an instant" if elapsed_s <= 0 else f"{elapsed_s / 60:.1f} min " \
            f"({total_km / (elapsed_s / 3600.0):.0f} km/h)"
        raise ReadError(f"found {total_km:.1f} km in {speed}, faster than any {activity} session "
                        f"(at most {limit:g} km/h on average), expected a track the athlete recorded")
    step_m, step_s = np.diff(distance), np.diff(times)
    step_limit = MAX_STEP_SPEED_KMH.get(activity, MAX_STEP_SPEED_KMH["cross"]) / 3.6
    jumps = (step_m > 50.0) & (step_m > step_limit * np.maximum(step_s, 1.0))
    if not jumps.any():
        return None
    count = int(jumps.sum())
    return (f"{count} {'jump' if count == 1 else 'jumps'} between track points faster than "
            f"{MAX_STEP_SPEED_KMH.get(activity, MAX_STEP_SPEED_KMH['cross']):g} km/h "
            f"({step_m[jumps].sum() / 1000.0:.2f} km, GPS errors) counted in the distance")


def _device_fields(points, heart, distance_m, distance) -> dict:
    """Heart-rate histogram, maximum and grade-adjusted distance of the timed points."""
    nan = float("nan")
    times = np.array([point.time.timestamp() for point in points], dtype=float)
    altitude = np.array([nan if point.elevation is None else point.elevation for point in points], dtype=float)
    fields = record_fields(times, heart, distance, altitude)
    if fields["gap_distance_m"] is None:
        fields["gap_distance_m"] = distance_m  # without altitudes, the distance itself
    return fields
