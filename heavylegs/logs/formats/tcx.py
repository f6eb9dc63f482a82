"""Read sessions from Garmin Training Center (TCX) files.

Each ``<Activity>`` becomes a session. Its duration and distance are the sums
of its laps' ``TotalTimeSeconds`` and ``DistanceMeters`` (the device's own
figures), its heart rate the lap averages weighted by lap time (else the mean
of the track points), its sport the ``Sport`` attribute. Namespaces and their
prefixes vary between writers, so elements are matched by local name only.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, timezone

from gpxpy.geo import calculate_uphill_downhill
import numpy as np

from heavylegs.logs.formats._common import check_xml, FileResult, make_row, map_sport, parse_ascii_float, read_bytes, ReadError, record_fields, unread_reason
from heavylegs.metrics.distance import cumulative_distance

__all__ = ["read_tcx"]



#: Slack when comparing the laps' total time with the span of the track points
#: [s], as for FIT session summaries.
_SUMMARY_SLACK_S = 120.0
#: A gap between track points longer than this is a pause [s].
_PAUSE_GAP_S = 60.0


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _child(element, name):
    for child in element:
        if _local(child.tag) == name:
            return child
    return None


def _number(element, name, *, value_child=False):
    found = _child(element, name)
    if found is not None and value_child:
        found = _child(found, "Value")
    if found is None or not (found.text or "").strip():
        return None
    return parse_ascii_float(found.text)


def _time(text):
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def read_tcx(path, data: bytes | None = None, *, source: str | None = None) -> FileResult:
    """Read the sessions of one TCX file.

    Parameters
    ----------
    path : str or Path
        The file (``.tcx`` or ``.tcx.gz``).
    data : bytes, optional
        Its content, already read and gunzipped.
    source : str, optional
        Name to record as ``source``; defaults to ``str(path)``.

    Returns
    -------
    FileResult
        One row per activity, or the reason the file could not be read.
    """
    source = str(path) if source is None else source
    result = FileResult()
    try:
        if data is None:
            data = read_bytes(path)
        # Some writers put blank lines before the XML declaration.
        data = data.lstrip()
        check_xml(data, "TCX")
        root = ET.fromstring(data)
    except (ReadError, OSError) as exc:
        result.failed.append((source, unread_reason(exc)))
        return result
    except ET.ParseError as exc:
        result.failed.append((source, f"not well-formed XML ({exc}), expected a TCX document"))
        return result
    activities = [element for element in root.iter() if _local(element.tag) == "Activity"]
    if not activities:
        result.failed.append((source, f"found a <{_local(root.tag)}> document with no "
                                      "<Activity>, expected a TCX activity"))
        return result
    for activity in activities:
        try:
            row = _activity_row(activity, source)
            if isinstance(row, str):
                result.skipped[row] = result.skipped.get(row, 0) + 1
            else:
                result.rows.append(row)
        except ReadError as exc:
            result.failed.append((source, str(exc)))
    return result


def _activity_row(activity, source: str) -> dict:
    sport = activity.get("Sport", "")
    mapped = map_sport(sport, label="TCX sport")
    if isinstance(mapped, str):
        return mapped  # an activity with no training load: skipped and counted
    kind, surface, note = mapped
    laps = [element for element in activity if _local(element.tag) == "Lap"]
    points = [element for lap in laps for element in lap.iter()
              if _local(element.tag) == "Trackpoint"]
    times = [_time(getattr(_child(point, "Time"), "text", None)) for point in points]
    times = [moment for moment in times if moment is not None]

    lap_times = [_number(lap, "TotalTimeSeconds") for lap in laps]
    duration_s = sum(t for t in lap_times if t) or None
    if duration_s is None and len(times) > 1:
        duration_s = (max(times) - min(times)).total_seconds()
    distances = [_number(lap, "DistanceMeters") for lap in laps]
    distance_m = sum(d for d in distances if d) or None
    if distance_m is None:
        cumulative = [d for d in (_number(point, "DistanceMeters") for point in points) if d is not None]
        distance_m = max(cumulative) if cumulative else None

    lap_hr = [_number(lap, "AverageHeartRateBpm", value_child=True) for lap in laps]
    avg_hr = None
    if laps and all(hr is not None for hr in lap_hr) and all(lap_times) and duration_s:
        avg_hr = sum(hr * t for hr, t in zip(lap_hr, lap_times)) / sum(lap_times)
    else:
        heart = [hr for hr in (_number(point, "HeartRateBpm", value_child=True) for point in points)
                 if hr is not None and hr > 0]
        avg_hr = sum(heart) / len(heart) if heart else None

    if len(times) > 1 and duration_s:
        # Laps that contradict their own track points (a lap time far over the points' whole
        # span): the points were written as the session went, so they are trusted.
        span = (max(times) - min(times)).total_seconds()
        if duration_s > max(span + _SUMMARY_SLACK_S, 1.1 * span):
            ordered = sorted(times)
            gaps = ((b - a).total_seconds() for a, b in zip(ordered, ordered[1:]))
            moving = sum(gap for gap in gaps if 0 < gap <= _PAUSE_GAP_S)
            cumulative = [d for d in (_number(point, "DistanceMeters") for point in points) if d is not None]
            heart = [hr for hr in (_number(point, "HeartRateBpm", value_child=True) for point in points)
                     if hr is not None and hr > 0]
            summary_note = (f"the lap totals contradict the track points (laps {duration_s / 60:.0f} min over "
                            f"{span / 60:.0f} min of points); time, distance and heart rate taken from the "
                            f"{len(times)} points")
            note = f"{note}; {summary_note}" if note else summary_note
            duration_s = moving or span
            if len(cumulative) > 1:
                distance_m = max(cumulative) - min(cumulative)
            if heart:
                avg_hr = sum(heart) / len(heart)

    altitudes = [a for a in (_number(point, "AltitudeMeters") for point in points) if a is not None]
    ascent = calculate_uphill_downhill(altitudes)[0] if len(altitudes) > 1 else None

    start = _time(getattr(_child(activity, "Id"), "text", None))
    if start is None and laps:
        start = _time(laps[0].get("StartTime"))
    if start is None and times:
        start = min(times)
    return make_row(start_utc=start, activity=kind, surface=surface, duration_s=duration_s,
                    distance_m=distance_m, avg_hr=avg_hr, elevation_gain_m=ascent,
                    source=source, notes=note, **_device_fields(points, distance_m))


def _device_fields(points, distance_m) -> dict:
    """Heart-rate histogram, maximum and grade-adjusted distance of the track points."""


    timed = []
    for point in points:
        moment = _time(getattr(_child(point, "Time"), "text", None))
        if moment is not None:
            timed.append((moment.timestamp(), point))
    fields = {"hr_histogram": None, "max_hr": None, "gap_distance_m": None}
    if len(timed) >= 2:
        times = np.array([t for t, _ in timed], dtype=float)
        values = np.array([_point_values(p) for _, p in timed], dtype=float).reshape(-1, 5)
        heart, altitude, distance, lat, lon = values.T
        distance = distance.copy()
        if np.isnan(distance).all():
            placed = ~np.isnan(lat) & ~np.isnan(lon)
            if placed.sum() > 1:
                distance[placed] = cumulative_distance(lat[placed], lon[placed])
        fields = record_fields(times, heart, distance, altitude)
    if fields["gap_distance_m"] is None:
        fields["gap_distance_m"] = distance_m  # without altitudes, the distance itself
    return fields


_POINT_FIELDS = {"HeartRateBpm": 0, "AltitudeMeters": 1, "DistanceMeters": 2,
                 "LatitudeDegrees": 3, "LongitudeDegrees": 4}


def _point_values(point) -> list:
    """Heart rate, altitude, distance, latitude, longitude of a track point (NaN when missing)."""
    out = [float("nan")] * 5
    for element in point.iter():
        index = _POINT_FIELDS.get(_local(element.tag))
        if index is None:
            continue
        if index == 0:
            element = _child(element, "Value")
            if element is None:
                continue
        value = parse_ascii_float(element.text) if element.text else None  # ASCII digits only, as everywhere
        if value is not None:
            out[index] = value
    return out
