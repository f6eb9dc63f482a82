"""Training load from heart rate and pace (``spec/device-load.md``).

Most sessions reach heavylegs from a watch or Strava with heart rate and pace
but no RPE. This module gives them a load, in four layers of plain functions:

* record-level helpers the importers call: :func:`hr_histogram` (seconds at
  each heart rate), :func:`grade_adjusted_distance` with :func:`gap_factor`,
  and the text form of a histogram (:func:`format_histogram`,
  :func:`parse_histogram`);
* one function per published formula: :func:`trimp`, :func:`hrss`,
  :func:`rtss`, :func:`tanaka_hr_max`;
* the athlete's thresholds with their provenance: :func:`resolve_thresholds`;
* every session's loads (:func:`session_loads`), built from histograms
  parsed once (:func:`heart_rate_bins`), so that a changed threshold
  recomputes a ten-year log in a millisecond without reading an activity
  file again; the metric the weekly table should use (:func:`choose_metric`)
  and what a coach should be told about it (:func:`load_summary`).

Conventions where the published tools differ (``reference/device-load-anchors.md``):
TRIMP is summed over a per-bpm histogram (as Runalyze does, so intervals
count) with Banister's coefficients for each sex (GoldenCheetah and Elevate
use 0.64 for women too, and the session's average heart rate); HRSS puts one
hour at threshold heart rate at 100 (Elevate, GoldenCheetah's TRIMP(100));
rTSS uses the average grade-adjusted speed (Elevate, intervals.icu), not a
normalised one. The anchors' own conventions are reproduced by passing
their parameters (see ``tests/test_deviceload.py``).
"""
from __future__ import annotations

import math
from bisect import bisect_left
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "BANISTER_COEFFICIENTS",
    "GAP_COEFFICIENTS",
    "DEFAULT_HR_REST_BPM",
    "LOAD_METRICS",
    "SESSION_METRICS",
    "EARTH_RADIUS_M",
    "hr_histogram",
    "format_histogram",
    "parse_histogram",
    "gap_factor",
    "cumulative_distance",
    "grade_adjusted_distance",
    "banister_coefficients",
    "trimp",
    "hrss",
    "rtss",
    "tanaka_hr_max",
    "resolve_thresholds",
    "threshold_pace_from_log",
    "HeartRateBins",
    "heart_rate_bins",
    "session_loads",
    "check_metric",
    "choose_metric",
    "load_summary",
]

#: Banister's (1991) TRIMP weighting a·e^(b·x), by sex: (a, b).
BANISTER_COEFFICIENTS = {"male": (0.64, 1.92), "female": (0.86, 1.67)}
#: Heart rate at rest assumed when the profile has none [bpm].
DEFAULT_HR_REST_BPM = 60
#: Polynomial f(g) fitted to Strava's grade-adjusted-pace curve, highest power
#: first (g in %, as used by GoldenCheetah's Daniels points).
GAP_COEFFICIENTS = (-3.40e-9, -4.71e-7, 7.78e-7, 0.001907, 0.02998, 0.99358)
#: Mean Earth radius for the haversine distance [m] (IUGG).
EARTH_RADIUS_M = 6_371_008.8
#: Metrics a caller may choose for the weekly table.
LOAD_METRICS = ("auto", "srpe", "trimp", "hrss", "rtss", "stress", "duration", "distance")
#: Per-session metrics of :func:`session_loads`.
SESSION_METRICS = ("srpe", "trimp", "hrss", "rtss", "stress")

# A gap between records longer than this is a pause and counts 0 [s].
_PAUSE_S = 60.0
# Grade-adjusted segments close at this distance [m]; grades are clamped [%].
_SEGMENT_M = 20.0
_MAX_GRADE_PCT = 40.0
# Heart rates outside this range are sensor drop-outs, not heart rates [bpm].
_HR_RANGE = (30, 250)
# Threshold pace from the log: runs of 30-75 min in the 90 days before the day.
_PACE_RUN_MIN = (30.0, 75.0)
_PACE_LOOKBACK_DAYS = 90
_PACE_RANGE_MIN_KM = (2.5, 12.0)
# sRPE calibration from heart rate: a 365-day window and at least 8 pairs.
_CALIBRATION_DAYS = 365
_CALIBRATION_MIN_PAIRS = 8
# ``auto`` looks at the 90 days up to ``until``.
_AUTO_DAYS = 90
_LTHR_FRACTION = 0.85


def _round_half_up(x):
    return np.floor(np.asarray(x, dtype=float) + 0.5)


# ---------------------------------------------------------------------------
# From records


def hr_histogram(times_s, heart_rate_bpm) -> dict:
    """Seconds spent at each heart rate, from records.

    Parameters
    ----------
    times_s : array-like of float
        Record times [s], any origin.
    heart_rate_bpm : array-like of float
        Heart rate of each record [bpm]; NaN (or a value outside 30-250
        bpm, a sensor drop-out) when the record has none.

    Returns
    -------
    dict of int to float
        bpm → seconds, bpm ascending, bins of 0 s left out.

    Notes
    -----
    Records are taken in time order; each record with a heart rate counts
    for the time to the next record, at its own heart rate rounded half up.
    A gap over 60 s is a pause and counts 0; the last record counts 0
    (``spec/device-load.md``).

    Examples
    --------
    >>> hr_histogram([0, 1, 2, 100, 101], [120, 120.5, 121, 130, 131])
    {120: 1.0, 121: 1.0}
    """
    t = np.asarray(times_s, dtype=float)
    hr = np.asarray(heart_rate_bpm, dtype=float)
    if len(t) < 2:
        return {}
    order = np.argsort(t, kind="stable")
    t, hr = t[order], hr[order]
    dt = np.diff(t)
    dt = np.where(dt > _PAUSE_S, 0.0, dt)
    hr = hr[:-1]
    bpm = _round_half_up(hr)
    keep = ~np.isnan(bpm) & (bpm >= _HR_RANGE[0]) & (bpm <= _HR_RANGE[1]) & (dt > 0)
    if not keep.any():
        return {}
    seconds = np.bincount(bpm[keep].astype(np.int64), weights=dt[keep])
    nonzero = np.flatnonzero(seconds)
    return {int(b): float(seconds[b]) for b in nonzero}


def format_histogram(histogram: dict) -> str | None:
    """The ``hr_histogram`` text of a log: ``"128:30 129:42.5"``; None when empty.

    Seconds are written in their shortest exact form, to 0.001 s.
    """
    if not histogram:
        return None
    parts = []
    for bpm in sorted(histogram):
        seconds = round(float(histogram[bpm]), 3)
        if seconds <= 0:
            continue
        text = str(int(seconds)) if seconds.is_integer() else repr(seconds)
        parts.append(f"{int(bpm)}:{text}")
    return " ".join(parts) or None


def parse_histogram(text) -> dict:
    """The histogram of an ``hr_histogram`` cell (bpm → seconds); {} when empty.

    Raises
    ------
    ValueError
        When the text is not space-separated ``bpm:seconds`` pairs (a log
        from :func:`heavylegs.logs.traininglog.read_log` never has such a cell).
    """
    if text is None or (isinstance(text, float) and math.isnan(text)) or not str(text).strip():
        return {}
    out: dict = {}
    for pair in str(text).split():
        bpm, sep, seconds = pair.partition(":")
        if not sep:
            raise ValueError(f"found {pair!r}, expected bpm:seconds")
        out[int(bpm)] = out.get(int(bpm), 0.0) + float(seconds)
    return out


def gap_factor(grade_pct):
    """Cost of running on a grade relative to the flat, Strava's GAP curve.

    Parameters
    ----------
    grade_pct : float or array-like
        Grade [%], 100 × rise ÷ run; clamped to ±40.

    Returns
    -------
    float or numpy.ndarray
        f(g) = −3.40e-9 g⁵ − 4.71e-7 g⁴ + 7.78e-7 g³ + 0.001907 g² + 0.02998 g
        + 0.99358: f(0) = 0.99358, f(10) = 1.4798, f(−10) = 0.8793.

    References
    ----------
    The polynomial is the fit to Strava's grade-adjusted-pace curve used by
    GoldenCheetah (``src/Metrics/DanielsPoints.cpp``).
    """
    g = np.clip(np.asarray(grade_pct, dtype=float), -_MAX_GRADE_PCT, _MAX_GRADE_PCT)
    value = np.polyval(GAP_COEFFICIENTS, g)
    return float(value) if value.ndim == 0 else value


def cumulative_distance(lat_deg, lon_deg) -> np.ndarray:
    """Cumulative haversine distance along positions [m], starting at 0.

    Parameters
    ----------
    lat_deg, lon_deg : array-like of float
        Positions [degrees]; Earth radius :data:`EARTH_RADIUS_M`.
    """
    lat = np.radians(np.asarray(lat_deg, dtype=float))
    lon = np.radians(np.asarray(lon_deg, dtype=float))
    if len(lat) == 0:
        return np.zeros(0)
    dlat, dlon = np.diff(lat), np.diff(lon)
    a = np.sin(dlat / 2) ** 2 + np.cos(lat[:-1]) * np.cos(lat[1:]) * np.sin(dlon / 2) ** 2
    step = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    return np.concatenate(([0.0], np.cumsum(step)))


def grade_adjusted_distance(distance_m, altitude_m) -> float | None:
    """Grade-adjusted distance of records [km], or None without two usable records.

    Parameters
    ----------
    distance_m : array-like of float
        Cumulative distance of each record [m] (the record's own, else
        :func:`cumulative_distance` of the positions); NaN when unknown.
    altitude_m : array-like of float
        Altitude of each record [m]; NaN when unknown.

    Returns
    -------
    float or None
        Σ Δdistance × f(grade) over segments [km].

    Notes
    -----
    Records with both a distance and an altitude are grouped, in order, into
    segments of at least 20 m: a segment closes at the first record that
    takes it to 20 m or more, and the next one starts there. Each segment
    counts Δdistance × :func:`gap_factor` (100 × Δaltitude ÷ Δdistance). The
    last, unclosed stretch (under 20 m) is not counted.
    """
    d = np.asarray(distance_m, dtype=float)
    z = np.asarray(altitude_m, dtype=float)
    keep = ~np.isnan(d) & ~np.isnan(z)
    d, z = d[keep], z[keep]
    if len(d) < 2:
        return None
    d = np.maximum.accumulate(d)  # a cumulative distance never goes back
    cumulative = d.tolist()
    ends = [0]
    i, n = 0, len(cumulative)
    while True:
        j = bisect_left(cumulative, cumulative[i] + _SEGMENT_M, i + 1)
        if j >= n:
            break
        ends.append(j)
        i = j
    if len(ends) < 2:
        return 0.0
    ends = np.asarray(ends)
    run = np.diff(d[ends])
    rise = np.diff(z[ends])
    return float(np.sum(run * gap_factor(100.0 * rise / run))) / 1000.0


# ---------------------------------------------------------------------------
# Formulas


def banister_coefficients(sex=None) -> tuple:
    """(a, b) of Banister's TRIMP for ``"male"``, ``"female"``, else their means.

    ``other`` or unknown sex gets the mean of the male and female values,
    (0.75, 1.795) (``spec/device-load.md``).
    """
    if sex in BANISTER_COEFFICIENTS:
        return BANISTER_COEFFICIENTS[sex]
    (am, bm), (af, bf) = BANISTER_COEFFICIENTS["male"], BANISTER_COEFFICIENTS["female"]
    return ((am + af) / 2, (bm + bf) / 2)


def _reserve(bpm, hr_max, hr_rest):
    return np.clip((np.asarray(bpm, dtype=float) - hr_rest) / (hr_max - hr_rest), 0.0, 1.0)


def trimp(histogram, hr_max, hr_rest, sex=None, *, a=None, b=None) -> float | None:
    """Banister's training impulse summed over a heart-rate histogram [AU].

    Parameters
    ----------
    histogram : dict of int to float
        Seconds at each heart rate [bpm → s] (:func:`hr_histogram`); for a
        session known only by its average, ``{round(avg): minutes × 60}``.
    hr_max, hr_rest : float
        Maximum and resting heart rate [bpm].
    sex : str, optional
        ``"male"``, ``"female"``; otherwise the mean coefficients.
    a, b : float, optional
        Override the coefficients (e.g. GoldenCheetah's a = 0.64 for both
        sexes).

    Returns
    -------
    float or None
        Σ (seconds ÷ 60) × x × a·e^(b·x), x = (bpm − hr_rest) ÷ (hr_max −
        hr_rest) clamped to [0, 1]; None without ``hr_max`` or with
        ``hr_max`` ≤ ``hr_rest``.

    References
    ----------
    Banister EW (1991). Modeling elite athletic performance. In MacDougall
    JD, Wenger HA, Green HJ (eds), Physiological Testing of the
    High-Performance Athlete, 2nd ed. Human Kinetics, 403-424.

    Examples
    --------
    >>> round(trimp({130: 1800}, 200, 40, "male"), 2)
    31.8
    """
    if hr_max is None or hr_rest is None or hr_max <= hr_rest:
        return None
    if not histogram:
        return 0.0
    ca, cb = banister_coefficients(sex)
    a = ca if a is None else a
    b = cb if b is None else b
    bpm = np.fromiter(histogram.keys(), dtype=float)
    minutes = np.fromiter(histogram.values(), dtype=float) / 60.0
    x = _reserve(bpm, hr_max, hr_rest)
    return float(np.sum(minutes * x * a * np.exp(b * x)))


def hrss(trimp_value, hr_max, hr_rest, lthr, sex=None, *, a=None, b=None) -> float | None:
    """Heart-rate stress score: TRIMP scaled so one hour at threshold heart rate is 100.

    Parameters
    ----------
    trimp_value : float
        The session's :func:`trimp` [AU].
    hr_max, hr_rest, lthr : float
        Maximum, resting and lactate-threshold heart rate [bpm].
    sex : str, optional
        As in :func:`trimp`; ``a``, ``b`` override the coefficients.

    Returns
    -------
    float or None
        100 × TRIMP ÷ (60 × x_L × a·e^(b·x_L)), x_L = (lthr − hr_rest) ÷
        (hr_max − hr_rest); None when an input is missing or x_L ≤ 0.
    """
    if trimp_value is None or lthr is None or hr_max is None or hr_rest is None or hr_max <= hr_rest:
        return None
    ca, cb = banister_coefficients(sex)
    a = ca if a is None else a
    b = cb if b is None else b
    x_l = float(_reserve(lthr, hr_max, hr_rest))
    if x_l <= 0:
        return None
    return 100.0 * trimp_value / (60.0 * x_l * a * math.exp(b * x_l))


def rtss(duration_min, distance_km, threshold_pace_min_km) -> float | None:
    """Running stress score: one hour at threshold pace is 100.

    Parameters
    ----------
    duration_min : float
        Moving time t [min].
    distance_km : float
        Grade-adjusted distance (else distance) [km].
    threshold_pace_min_km : float
        Pace the athlete can hold for about an hour [min/km].

    Returns
    -------
    float or None
        100 × (t ÷ 60) × (v ÷ v_thr)², v = distance ÷ t, v_thr = 1 ÷
        threshold pace [km/min]; None when an input is missing.

    Examples
    --------
    >>> round(rtss(50, 10, 4.0), 2)
    53.33
    """
    values = (duration_min, distance_km, threshold_pace_min_km)
    if any(v is None or (isinstance(v, float) and math.isnan(v)) for v in values) or duration_min <= 0:
        return None
    v = distance_km / duration_min
    return 100.0 * (duration_min / 60.0) * (v * threshold_pace_min_km) ** 2


def tanaka_hr_max(age_years) -> int | None:
    """Age-predicted maximum heart rate, 208 − 0.7 × age, rounded half up [bpm].

    References
    ----------
    Tanaka H, Monahan KD, Seals DR (2001). Age-predicted maximal heart rate
    revisited. J Am Coll Cardiol 37(1):153-156.
    """
    if age_years is None:
        return None
    return int(_round_half_up(208.0 - 0.7 * float(age_years)))


# ---------------------------------------------------------------------------
# Thresholds


def _known(value):
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def threshold_pace_from_log(log, day=None):
    """Threshold pace found in a log for ``day`` [min/km], or None.

    The highest average grade-adjusted speed (``gap_distance_km``, else
    ``distance_km``, ÷ ``duration_min``) of any run of 30 to 75 minutes in the
    90 days before ``day`` (d − 90 … d − 1), as a pace. Runs whose pace lies
    outside the field's range (2.5-12 min/km) are taken as recording faults
    and ignored. ``day`` defaults to the day after the log's last date.
    """
    log = _as_log(log)
    if len(log) == 0:
        return None
    dates = log["date"].to_numpy(dtype="datetime64[D]")
    day = (dates.max() + 1) if day is None else np.datetime64(pd.Timestamp(day).date(), "D")
    speed = _run_speed(log)
    window = (dates >= day - _PACE_LOOKBACK_DAYS) & (dates < day) & ~np.isnan(speed)
    if not window.any():
        return None
    return float(1.0 / speed[window].max())


def _run_speed(log) -> np.ndarray:
    """Average grade-adjusted speed of runs that can set a threshold pace [km/min], else NaN."""
    duration = log["duration_min"].to_numpy(dtype=float)
    gap = log["gap_distance_km"].to_numpy(dtype=float) if "gap_distance_km" in log else np.full(len(log), np.nan)
    distance = np.where(np.isnan(gap), log["distance_km"].to_numpy(dtype=float), gap)
    run = (log["activity"] == "run").to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        speed = distance / duration
    low, high = _PACE_RUN_MIN
    ok = run & (duration >= low) & (duration <= high) & (speed >= 1.0 / _PACE_RANGE_MIN_KM[1]) \
        & (speed <= 1.0 / _PACE_RANGE_MIN_KM[0])
    return np.where(ok, speed, np.nan)


def resolve_thresholds(profile=None, log=None, until=None) -> dict:
    """The athlete's thresholds in use, each with its provenance.

    Parameters
    ----------
    profile : dict, optional
        Profile fields: ``hr_max_bpm``, ``hr_rest_bpm`` (else
        ``resting_hr_bpm``), ``lthr_bpm``, ``threshold_pace_min_km``,
        ``age_years``, ``sex``. Unknown fields may be missing or None.
    log : pandas.DataFrame, optional
        The training log, for a threshold pace found in it.
    until : date-like, optional
        The day in question for the threshold pace from the log (default:
        the day after the log's last date).

    Returns
    -------
    dict
        ``hr_max``, ``hr_rest``, ``lthr``, ``threshold_pace`` → ``{"value":
        number or None, "unit": ..., "provenance": "entered" | "from_log" |
        "estimated" | None, "how": a sentence}``, and ``sex`` (the profile's
        or None).

    Notes
    -----
    * hr_max: entered; else Tanaka (2001), 208 − 0.7 × age, estimated; else none.
    * hr_rest: ``hr_rest_bpm``, then ``resting_hr_bpm``; else 60, estimated.
    * lthr: entered; else hr_rest + 0.85 × (hr_max − hr_rest), estimated.
    * threshold pace: entered; else from the log
      (:func:`threshold_pace_from_log`); else none.
    """
    profile = dict(profile or {})
    out = {"sex": profile.get("sex") if profile.get("sex") in ("male", "female", "other") else None}
    if _known(profile.get("hr_max_bpm")):
        out["hr_max"] = _threshold(profile["hr_max_bpm"], "bpm", "entered", "entered by the coach")
    elif _known(profile.get("age_years")):
        value = tanaka_hr_max(profile["age_years"])
        out["hr_max"] = _threshold(value, "bpm", "estimated",
                                   f"estimated from age {profile['age_years']:g}: 208 − 0.7 × age (Tanaka 2001)")
    else:
        out["hr_max"] = _threshold(None, "bpm", None, "unknown: enter a maximum heart rate or the age")
    if _known(profile.get("hr_rest_bpm")):
        out["hr_rest"] = _threshold(profile["hr_rest_bpm"], "bpm", "entered", "entered by the coach")
    elif _known(profile.get("resting_hr_bpm")):
        out["hr_rest"] = _threshold(profile["resting_hr_bpm"], "bpm", "entered",
                                    "the resting heart rate entered by the coach")
    else:
        out["hr_rest"] = _threshold(DEFAULT_HR_REST_BPM, "bpm", "estimated", "assumed 60 bpm")
    hr_max, hr_rest = out["hr_max"]["value"], out["hr_rest"]["value"]
    if _known(profile.get("lthr_bpm")):
        out["lthr"] = _threshold(profile["lthr_bpm"], "bpm", "entered", "entered by the coach")
    elif hr_max is not None:
        value = hr_rest + _LTHR_FRACTION * (hr_max - hr_rest)
        out["lthr"] = _threshold(value, "bpm", "estimated",
                                 "estimated as rest + 0.85 × (max − rest)")
    else:
        out["lthr"] = _threshold(None, "bpm", None, "unknown: needs a maximum heart rate")
    if _known(profile.get("threshold_pace_min_km")):
        out["threshold_pace"] = _threshold(profile["threshold_pace_min_km"], "min/km", "entered",
                                           "entered by the coach")
    else:
        pace = threshold_pace_from_log(log, until) if log is not None else None
        if pace is not None:
            out["threshold_pace"] = _threshold(pace, "min/km", "from_log",
                                               "estimated from the log: the fastest run of 30-75 min "
                                               "in the 90 days before")
        else:
            out["threshold_pace"] = _threshold(None, "min/km", None,
                                               "unknown: enter one, or log runs of 30-75 min with a distance")
    return out


def _threshold(value, unit, provenance, how):
    if value is not None:
        value = float(value)
    return {"value": value, "unit": unit, "provenance": provenance, "how": how}


# ---------------------------------------------------------------------------
# Sessions


@dataclass(frozen=True)
class HeartRateBins:
    """Every session's heart-rate histogram as flat arrays (parsed once).

    Attributes
    ----------
    session : numpy.ndarray of int
        Row position in the log of each bin.
    bpm : numpy.ndarray of float
        Heart rate of each bin [bpm].
    seconds : numpy.ndarray of float
        Time in each bin [s].
    source : numpy.ndarray of object
        Per row: ``"histogram"``, ``"average"`` or None (no heart rate).
    max_bpm : numpy.ndarray of float
        Per row: the highest heart rate known (``max_hr_bpm``, else the
        highest bin), NaN when none.
    """

    session: np.ndarray
    bpm: np.ndarray
    seconds: np.ndarray
    source: np.ndarray
    max_bpm: np.ndarray


def _as_log(log):
    from heavylegs.engine.load import _as_log as checked  # the same check the weekly table uses

    return checked(log)


def heart_rate_bins(log) -> HeartRateBins:
    """Parse every session's heart rate once, for :func:`session_loads`.

    A session with ``hr_histogram`` uses it; one with only ``avg_hr_bpm`` is
    one bin, ``round(avg_hr_bpm)`` for ``duration_min`` × 60 s ("from the
    average"); ``rest`` rows and sessions with neither have no bins.
    """
    return _heart_rate_bins(_as_log(log))


def _heart_rate_bins(log) -> HeartRateBins:
    n = len(log)
    hist = log["hr_histogram"].to_numpy(dtype=object) if "hr_histogram" in log else np.full(n, np.nan, dtype=object)
    avg = log["avg_hr_bpm"].to_numpy(dtype=float)
    duration = log["duration_min"].to_numpy(dtype=float)
    rest = (log["activity"] == "rest").to_numpy()
    has_hist = pd.notna(hist) & ~rest
    for i in np.flatnonzero(has_hist):
        has_hist[i] = isinstance(hist[i], str) and hist[i].strip() != ""
    from_avg = ~has_hist & ~np.isnan(avg) & ~np.isnan(duration) & ~rest
    source = np.full(n, None, dtype=object)
    source[has_hist] = "histogram"
    source[from_avg] = "average"
    rows = np.flatnonzero(has_hist)
    if len(rows):
        texts = [hist[i] for i in rows]
        counts = np.fromiter((t.count(":") for t in texts), dtype=np.int64, count=len(texts))
        pairs = np.array(" ".join(texts).replace(":", " ").split(), dtype=float).reshape(-1, 2)
        h_session, h_bpm, h_seconds = np.repeat(rows, counts), pairs[:, 0], pairs[:, 1]
    else:
        h_session, h_bpm, h_seconds = np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0)
    a_rows = np.flatnonzero(from_avg)
    session = np.concatenate((h_session, a_rows)).astype(np.int64)
    bpm = np.concatenate((h_bpm, _round_half_up(avg[a_rows])))
    seconds = np.concatenate((h_seconds, duration[a_rows] * 60.0))
    max_bpm = np.full(n, np.nan)
    if len(h_session):
        np.fmax.at(max_bpm, h_session, h_bpm)
    if "max_hr_bpm" in log:
        max_bpm = np.fmax(max_bpm, log["max_hr_bpm"].to_numpy(dtype=float))
    return HeartRateBins(session, bpm, seconds, source, max_bpm)


def session_loads(log, profile=None, *, thresholds=None, bins=None) -> pd.DataFrame:
    """Every session's load on each metric of ``spec/device-load.md``.

    Parameters
    ----------
    log : pandas.DataFrame
        A training log.
    profile : dict, optional
        Profile fields giving the thresholds and sex (see
        :func:`resolve_thresholds`).
    thresholds : dict, optional
        Already resolved thresholds (from :func:`resolve_thresholds`); the
        threshold pace is then the same for every session. By default each
        session gets the threshold pace in use on its own date.
    bins : HeartRateBins, optional
        From :func:`heart_rate_bins` of this log, to skip parsing the
        histograms again (a changed threshold recomputes every session from
        them).

    Returns
    -------
    pandas.DataFrame
        Same index as the log, columns:

        ``srpe`` [AU] (rpe × duration, else estimated); ``srpe_method``
        (``"rpe"``, ``"hr_calibrated"``, ``"session_type"``; None for rest
        rows); ``trimp`` [AU]; ``hrss``; ``rtss``; ``stress`` (``hrss``
        where there is one, else ``rtss``); ``hr_from`` (``"histogram"``,
        ``"average"`` or None); ``threshold_pace_min_km`` used for ``rtss``.
        Null (NaN) where a metric lacks what it needs; ``rest`` rows are 0 on
        every metric.

    Notes
    -----
    ``rtss`` is computed for runs only: the threshold pace is a running pace.
    A session without ``rpe`` gets ``srpe`` = k × ``hrss``, k = Σ(srpeᵢ ×
    hrssᵢ) ÷ Σ(hrssᵢ²) over the sessions with both an RPE and ``hrss`` in
    the 365 days up to its date (d − 364 … d), when there are at least 8;
    otherwise the RPE of its session type (``spec/metrics.md``).
    """
    log = _as_log(log)
    return pd.DataFrame(_session_loads(log, profile, thresholds, bins), index=log.index)


def _session_loads(log, profile=None, thresholds=None, bins=None) -> dict:
    """:func:`session_loads` of a checked log, as a dict of arrays."""
    from heavylegs.engine.load import _session_rpe

    n = len(log)
    profile = dict(profile or {})
    per_session_pace = thresholds is None
    if thresholds is None:
        thresholds = resolve_thresholds(profile, None)
    if bins is None:
        bins = _heart_rate_bins(log)
    sex = thresholds.get("sex")
    hr_max = thresholds["hr_max"]["value"]
    hr_rest = thresholds["hr_rest"]["value"]
    lthr = thresholds["lthr"]["value"]
    rest = (log["activity"] == "rest").to_numpy()
    duration = log["duration_min"].to_numpy(dtype=float)
    dates = log["date"].to_numpy(dtype="datetime64[D]")

    # TRIMP and HRSS from the bins, one vectorised pass.
    trimp_values = np.full(n, np.nan)
    hrss_values = np.full(n, np.nan)
    has_hr = bins.source != None  # noqa: E711 - element-wise on an object array
    if hr_max is not None and hr_rest is not None and hr_max > hr_rest:
        a, b = banister_coefficients(sex)
        x = _reserve(bins.bpm, hr_max, hr_rest)
        weights = bins.seconds / 60.0 * x * a * np.exp(b * x)
        sums = np.bincount(bins.session, weights=weights, minlength=n)[:n]
        trimp_values = np.where(has_hr, sums, np.nan)
        if lthr is not None:
            scale = hrss(1.0, hr_max, hr_rest, lthr, sex)  # 100 ÷ the TRIMP of one hour at lthr
            if scale is not None:
                hrss_values = trimp_values * scale

    # rTSS of runs with a distance and a threshold pace.
    gap = log["gap_distance_km"].to_numpy(dtype=float) if "gap_distance_km" in log else np.full(n, np.nan)
    distance = np.where(np.isnan(gap), log["distance_km"].to_numpy(dtype=float), gap)
    pace_entered = thresholds["threshold_pace"]["provenance"] == "entered"
    if per_session_pace and not pace_entered:
        pace = _log_paces(log, dates)
    else:
        value = thresholds["threshold_pace"]["value"]
        pace = np.full(n, np.nan if value is None else float(value))
    run = (log["activity"] == "run").to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        v = distance / duration
        rtss_values = np.where(run & (duration > 0), 100.0 * (duration / 60.0) * (v * pace) ** 2, np.nan)

    stress = np.where(np.isnan(hrss_values), rtss_values, hrss_values)

    # sRPE: entered, else calibrated from HRSS, else by session type.
    rpe, estimated = _session_rpe(log)
    srpe = np.where(rest, 0.0, rpe * np.nan_to_num(duration))
    method = np.where(estimated, "session_type", "rpe").astype(object)
    entered_rpe = ~estimated & ~rest
    pair = entered_rpe & ~np.isnan(hrss_values)
    candidates = estimated & ~np.isnan(hrss_values)
    if pair.sum() >= _CALIBRATION_MIN_PAIRS and candidates.any():
        k = _calibration(dates, srpe, hrss_values, pair, candidates)
        ok = candidates & ~np.isnan(k)
        srpe = np.where(ok, k * np.nan_to_num(hrss_values), srpe)
        method[ok] = "hr_calibrated"
    method[rest] = None

    for values in (trimp_values, hrss_values, rtss_values, stress):
        values[rest] = 0.0
    return {
        "srpe": srpe, "srpe_method": method, "trimp": trimp_values, "hrss": hrss_values,
        "rtss": rtss_values, "stress": stress,
        "hr_from": np.where(rest, None, bins.source),
        "threshold_pace_min_km": pace,
    }


def _log_paces(log, dates) -> np.ndarray:
    """Each session's threshold pace from the log (90 days before its date) [min/km]."""
    n = len(log)
    speed = _run_speed(log)
    known = ~np.isnan(speed)
    if not known.any():
        return np.full(n, np.nan)
    first = dates.min()
    day = (dates - first).astype(np.int64)
    days = int(day.max()) + 1
    best = np.full(days, np.nan)
    np.fmax.at(best, day[known], speed[known])
    # Best of the 90 days before each day: a running maximum over a padded window.
    from numpy.lib.stride_tricks import sliding_window_view

    padded = np.concatenate((np.full(_PACE_LOOKBACK_DAYS, np.nan), best))
    with np.errstate(all="ignore"):
        window = np.fmax.reduce(sliding_window_view(padded, _PACE_LOOKBACK_DAYS)[:days], axis=1)
        return 1.0 / window[day]


def _calibration(dates, srpe, hrss_values, pair, candidates) -> np.ndarray:
    """k for each candidate session from the pairs of the 365 days up to its date (NaN: too few)."""
    order = np.argsort(dates[pair], kind="stable")
    pair_dates = dates[pair][order]
    xy = np.concatenate(([0.0], np.cumsum((srpe[pair] * hrss_values[pair])[order])))
    xx = np.concatenate(([0.0], np.cumsum((hrss_values[pair] ** 2)[order])))
    k = np.full(len(dates), np.nan)
    rows = np.flatnonzero(candidates)
    hi = np.searchsorted(pair_dates, dates[rows], side="right")
    lo = np.searchsorted(pair_dates, dates[rows] - (_CALIBRATION_DAYS - 1), side="left")
    count = hi - lo
    with np.errstate(divide="ignore", invalid="ignore"):
        value = (xy[hi] - xy[lo]) / (xx[hi] - xx[lo])
    k[rows] = np.where((count >= _CALIBRATION_MIN_PAIRS) & np.isfinite(value), value, np.nan)
    return k


def check_metric(metric) -> str:
    """``metric`` when it is one of :data:`LOAD_METRICS`, else an :class:`~heavylegs.errors.InputError`."""
    from heavylegs.errors import InputError, Problem

    if metric not in LOAD_METRICS:
        raise InputError([Problem("metric", f"found {metric!r}, expected one of {', '.join(LOAD_METRICS)}")])
    return metric


def choose_metric(loads: pd.DataFrame, log, metric="auto", until=None) -> tuple:
    """The metric the weekly table uses, and why.

    Parameters
    ----------
    loads : pandas.DataFrame
        From :func:`session_loads` of ``log``.
    log : pandas.DataFrame
        The log.
    metric : str
        One of :data:`LOAD_METRICS`.
    until : date-like, optional
        End of the 90 days ``auto`` looks at (default: the log's last date).

    Returns
    -------
    (str, str)
        The metric, and a sentence saying why.

    Notes
    -----
    ``auto`` looks at the sessions (not rest rows) of the 90 days up to
    ``until``: ``srpe`` when at least half have an RPE; otherwise ``stress``
    when at least half have a stress value (heart rate with a known maximum,
    or a run pace with a threshold pace); otherwise ``srpe``.
    """
    check_metric(metric)
    if metric != "auto":
        return metric, "chosen by the coach"
    return _choose_auto(loads["stress"], _as_log(log), until)


def _choose_auto(stress, log, until) -> tuple:
    if len(log) == 0:
        return "srpe", "no sessions: session RPE × duration"
    dates = log["date"].to_numpy(dtype="datetime64[D]")
    last = dates.max() if until is None else np.datetime64(pd.Timestamp(until).date(), "D")
    window = (dates > last - _AUTO_DAYS) & (dates <= last) & (log["activity"] != "rest").to_numpy()
    total = int(window.sum())
    if total == 0:
        return "srpe", "no sessions in the last 90 days: session RPE × duration"
    with_rpe = int((window & ~np.isnan(log["rpe"].to_numpy(dtype=float))).sum())
    if 2 * with_rpe >= total:
        return "srpe", f"{with_rpe} of {total} sessions in the last 90 days have an RPE"
    with_stress = int((window & ~np.isnan(np.asarray(stress, dtype=float))).sum())
    if 2 * with_stress >= total:
        return "stress", (f"only {with_rpe} of {total} sessions in the last 90 days have an RPE; "
                          f"{with_stress} have heart rate or a pace with a threshold pace")
    return "srpe", (f"only {with_rpe} of {total} sessions in the last 90 days have an RPE and "
                    f"{with_stress} heart rate or pace: session RPE × duration, estimated where missing")


def load_summary(log, profile=None, metric="auto", until=None) -> dict:
    """What a coach should be told about the load a chart shows.

    Parameters
    ----------
    log : pandas.DataFrame
        A training log.
    profile : dict, optional
        Profile fields (thresholds, age, sex).
    metric : str
        One of :data:`LOAD_METRICS` (``auto`` by default).
    until : date-like, optional
        Last day considered (default: the log's last date).

    Returns
    -------
    dict
        ``metric`` (in use), ``requested``, ``why`` (a sentence);
        ``thresholds`` (:func:`resolve_thresholds` on ``until``);
        ``sessions`` (not rest rows, up to ``until``); ``estimated``: counts
        by how ``srpe`` was estimated (``hr_calibrated``, ``session_type``)
        and ``hr_from_average`` (heart rate known only as an average);
        ``missing``: sessions with no value in the metric in use;
        ``hr_max_seen`` (highest heart rate in the log [bpm] or None),
        ``hr_max_in_use`` and ``hr_max_note`` (a sentence when the log shows
        a higher heart rate than the maximum in use, else None).
    """
    from heavylegs.engine.load import _as_day

    log = _as_log(log)
    if len(log):
        last = _as_day(until, pd.Timestamp(log["date"].max()))
        log = log[log["date"] <= last].reset_index(drop=True)
        pace_day = last + pd.Timedelta(days=1)
    else:
        pace_day = None
    thresholds = resolve_thresholds(profile, log, pace_day)
    bins = heart_rate_bins(log)
    loads = session_loads(log, profile, bins=bins)
    chosen, why = choose_metric(loads, log, metric, until)
    sessions = ~(log["activity"] == "rest").to_numpy()
    values = _metric_values(loads, log, chosen)
    seen = float(np.nanmax(bins.max_bpm)) if len(bins.max_bpm) and not np.isnan(bins.max_bpm).all() else None
    in_use = thresholds["hr_max"]["value"]
    note = None
    if seen is not None and in_use is not None and seen > in_use:
        note = (f"the log shows {seen:.0f} bpm, above the {in_use:.0f} in use: "
                "enter the athlete's real maximum heart rate")
    method = loads["srpe_method"].to_numpy(dtype=object)
    return {
        "metric": chosen,
        "requested": metric,
        "why": why,
        "thresholds": thresholds,
        "sessions": int(sessions.sum()),
        "estimated": {
            "hr_calibrated": int((method == "hr_calibrated").sum()),
            "session_type": int((method == "session_type").sum()),
            "hr_from_average": int((loads["hr_from"].to_numpy(dtype=object) == "average").sum()),
        },
        "missing": int((sessions & np.isnan(values)).sum()),
        "hr_max_seen": seen,
        "hr_max_in_use": in_use,
        "hr_max_note": note,
    }


def _metric_values(loads, log, metric: str) -> np.ndarray:
    """Each session's value in ``metric`` (NaN where missing; rest rows 0)."""
    rest = (log["activity"] == "rest").to_numpy()
    if metric in SESSION_METRICS:
        return np.asarray(loads[metric], dtype=float)
    if metric == "duration":
        return np.where(rest, 0.0, log["duration_min"].to_numpy(dtype=float))
    if metric == "distance":
        run = (log["activity"] == "run").to_numpy()
        return np.where(run, log["distance_km"].to_numpy(dtype=float), 0.0)
    raise ValueError(metric)
