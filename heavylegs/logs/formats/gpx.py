"""Read a session from a GPX track with gpxpy.

GPX holds positions and times but no summary, so the totals are computed:
distance is the 2-D length of the track (elevation ignored, as GPS heights
are noisy), duration is gpxpy's moving time (segments slower than its
stopped-speed threshold are left out), heart rate is the mean of the
``hr`` values in the track-point extensions (Garmin TrackPointExtension and
the like), and ascent is gpxpy's smoothed uphill total.
"""
from __future__ import annotations

from datetime import timezone

import gpxpy
import gpxpy.gpx
import numpy as np

from heavylegs.logs.formats._common import FileResult, ReadError, check_xml, make_row, map_sport, normalise_sport, parse_ascii_float, read_bytes, record_fields
from heavylegs.metrics.distance import cumulative_distance

__all__ = ["read_gpx", "gpx_activity"]

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
    except ReadError as exc:
        result.failed.append((source, str(exc)))
    except OSError as exc:
        result.failed.append((source, f"could not open the file ({exc.strerror or exc})"))
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
    moving = gpx.get_moving_data()
    bounds = gpx.get_time_bounds()
    duration_s = moving.moving_time if moving and moving.moving_time else None
    if duration_s is None and bounds.start_time and bounds.end_time:
        duration_s = (bounds.end_time - bounds.start_time).total_seconds()
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
    device = _device_fields(timed, point_hr, distance_m)
    return make_row(start_utc=start, activity=activity, surface=surface,
                    duration_s=duration_s, distance_m=distance_m,
                    avg_hr=sum(heart) / len(heart) if heart else None,
                    elevation_gain_m=ascent, source=source, notes=note, **device)


def _device_fields(points, heart, distance_m) -> dict:
    """Heart-rate histogram, maximum and grade-adjusted distance of the timed points."""


    nan = float("nan")
    times = np.array([point.time.timestamp() for point in points], dtype=float)
    distance = cumulative_distance([point.latitude for point in points],
                                   [point.longitude for point in points])
    altitude = np.array([nan if point.elevation is None else point.elevation for point in points], dtype=float)
    fields = record_fields(times, heart, distance, altitude)
    if fields["gap_distance_m"] is None:
        fields["gap_distance_m"] = distance_m  # without altitudes, the distance itself
    return fields
