"""Training load from heart rate and pace, session by session (``spec/device-load.md``).

Most sessions reach heavylegs from a watch or Strava with heart rate and pace
but no RPE. This module gives every session of a log a load on each metric,
with pandas around the formulas of :mod:`heavylegs.metrics.heart_rate`,
:mod:`heavylegs.metrics.pace` and :mod:`heavylegs.metrics.session`:

* the athlete's thresholds with their provenance: :func:`resolve_thresholds`
  (and :func:`threshold_pace_from_log`);
* every session's heart rate parsed once (:func:`heart_rate_bins`, or
  :func:`session_heart_rate_bins` on plain arrays), so that a changed
  threshold recomputes a ten-year log in a millisecond without reading an
  activity file again;
* every session's loads (:func:`session_loads`, :func:`session_load_arrays`);
* the metric the weekly table uses (:func:`choose_metric`,
  :func:`metric_values`) and what a coach should be told about it
  (:func:`load_summary`).

The record-level helpers the importers call (the heart-rate histogram, the
grade-adjusted distance) are in :mod:`heavylegs.metrics`, and the
histogram's text form in :mod:`heavylegs.logs.traininglog`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from heavylegs.engine._common import AUTO_DAYS, as_day, auto_uses_stress, rolling_max_before, session_rpe
from heavylegs.errors import InputError, Problem
from heavylegs.logs.traininglog import checked_log
from heavylegs.metrics.heart_rate import (
    DEFAULT_HR_REST_BPM,
    banister_coefficients,
    estimated_lthr,
    heart_rate_bin,
    hrss_scale,
    tanaka_hr_max,
    training_impulse,
)
from heavylegs.metrics.pace import THRESHOLD_PACE_LOOKBACK_DAYS, rtss, threshold_run_speed
from heavylegs.metrics.session import CALIBRATION_MIN_PAIRS, rpe_calibration_factor, session_rpe_load
from heavylegs.vocabulary import LOAD_METRICS

__all__ = [
    "LOAD_METRICS",
    "SESSION_METRICS",
    "resolve_thresholds",
    "threshold_pace_from_log",
    "HeartRateBins",
    "heart_rate_bins",
    "session_heart_rate_bins",
    "session_loads",
    "session_load_arrays",
    "check_metric",
    "choose_metric",
    "metric_values",
    "load_summary",
]

#: Per-session metrics of :func:`session_loads`.
SESSION_METRICS = ("srpe", "trimp", "hrss", "rtss", "stress")


# ---------------------------------------------------------------------------
# Thresholds


def _known(value):
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def _run_speed(log) -> np.ndarray:
    """Average grade-adjusted speed of the runs that can set a threshold pace [km/min], else NaN."""
    duration = log["duration_min"].to_numpy(dtype=float)
    run = (log["activity"] == "run").to_numpy()
    speed = threshold_run_speed(duration, _pace_distance(log))
    return np.where(run, speed, np.nan)


def _pace_distance(log) -> np.ndarray:
    """Each session's grade-adjusted distance, else its distance [km]."""
    distance = log["distance_km"].to_numpy(dtype=float)
    if "gap_distance_km" not in log:
        return distance
    gap = log["gap_distance_km"].to_numpy(dtype=float)
    return np.where(np.isnan(gap), distance, gap)


def threshold_pace_from_log(log, day=None):
    """Threshold pace found in a log for ``day`` [min/km], or None.

    The highest average grade-adjusted speed (``gap_distance_km``, else
    ``distance_km``, ÷ ``duration_min``) of any run of 30 to 75 minutes in the
    90 days before ``day`` (d − 90 … d − 1), as a pace. Runs whose pace lies
    outside the field's range (2.5-12 min/km) are taken as recording faults
    and ignored (:func:`heavylegs.metrics.pace.threshold_run_speed`). ``day``
    defaults to the day after the log's last date.
    """
    log = checked_log(log)
    if len(log) == 0:
        return None
    dates = log["date"].to_numpy(dtype="datetime64[D]")
    day = (dates.max() + 1) if day is None else np.datetime64(pd.Timestamp(day).date(), "D")
    speed = _run_speed(log)
    window = (dates >= day - THRESHOLD_PACE_LOOKBACK_DAYS) & (dates < day) & ~np.isnan(speed)
    if not window.any():
        return None
    return float(1.0 / speed[window].max())


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
        value = tanaka_hr_max(float(profile["age_years"]))
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
        value = estimated_lthr(hr_max, hr_rest)
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


def heart_rate_bins(log) -> HeartRateBins:
    """Parse every session's heart rate once, for :func:`session_loads`.

    A session with ``hr_histogram`` uses it; one with only ``avg_hr_bpm`` is
    one bin, ``round(avg_hr_bpm)`` for ``duration_min`` × 60 s ("from the
    average"); ``rest`` rows and sessions with neither have no bins.
    """
    log = checked_log(log)
    n = len(log)
    return session_heart_rate_bins(
        (log["activity"] == "rest").to_numpy(), log["duration_min"].to_numpy(dtype=float),
        log["avg_hr_bpm"].to_numpy(dtype=float),
        log["hr_histogram"].to_numpy(dtype=object) if "hr_histogram" in log else np.full(n, np.nan, dtype=object),
        log["max_hr_bpm"].to_numpy(dtype=float) if "max_hr_bpm" in log else None)


def session_heart_rate_bins(rest, duration_min, avg_hr_bpm, hr_histogram, max_hr_bpm=None) -> HeartRateBins:
    """:func:`heart_rate_bins` of sessions given as arrays.

    Parameters
    ----------
    rest : numpy.ndarray of bool
        True for ``rest`` rows.
    duration_min, avg_hr_bpm : numpy.ndarray of float
        Each session's duration [min] and average heart rate [bpm] (NaN: none).
    hr_histogram : numpy.ndarray of object
        Each session's ``hr_histogram`` text (checked by
        :func:`~heavylegs.logs.traininglog.read_log`), or NaN/None.
    max_hr_bpm : numpy.ndarray of float, optional
        Each session's highest heart rate [bpm], for :attr:`HeartRateBins.max_bpm`.
    """
    n = len(rest)
    hist = hr_histogram
    avg = np.asarray(avg_hr_bpm, dtype=float)
    duration = np.asarray(duration_min, dtype=float)
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
    bpm = np.concatenate((h_bpm, heart_rate_bin(avg[a_rows])))
    seconds = np.concatenate((h_seconds, duration[a_rows] * 60.0))
    max_bpm = np.full(n, np.nan)
    if len(h_session):
        np.fmax.at(max_bpm, h_session, h_bpm)
    if max_hr_bpm is not None:
        max_bpm = np.fmax(max_bpm, np.asarray(max_hr_bpm, dtype=float))
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
    log = checked_log(log)
    return pd.DataFrame(session_load_arrays(log, profile, thresholds=thresholds, bins=bins), index=log.index)


def session_load_arrays(log, profile=None, *, thresholds=None, bins=None) -> dict:
    """:func:`session_loads` as a dict of arrays (no frame built), for the weekly tables."""
    log = checked_log(log)
    n = len(log)
    profile = dict(profile or {})
    per_session_pace = thresholds is None
    if thresholds is None:
        thresholds = resolve_thresholds(profile, None)
    if bins is None:
        bins = heart_rate_bins(log)
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
        impulses = training_impulse(bins.seconds / 60.0, bins.bpm, hr_max, hr_rest, a, b)
        sums = np.bincount(bins.session, weights=impulses, minlength=n)[:n]
        trimp_values = np.where(has_hr, sums, np.nan)
        if lthr is not None:
            scale = hrss_scale(hr_max, hr_rest, lthr, sex)  # 100 ÷ the TRIMP of one hour at lthr
            if not math.isnan(scale):
                hrss_values = trimp_values * scale

    # rTSS of runs with a distance and a threshold pace.
    pace_entered = thresholds["threshold_pace"]["provenance"] == "entered"
    if per_session_pace and not pace_entered:
        pace = _log_paces(log, dates)
    else:
        value = thresholds["threshold_pace"]["value"]
        pace = np.full(n, np.nan if value is None else float(value))
    run = (log["activity"] == "run").to_numpy()
    rtss_values = np.where(run, rtss(duration, _pace_distance(log), pace), np.nan)

    stress = np.where(np.isnan(hrss_values), rtss_values, hrss_values)

    # sRPE: entered, else calibrated from HRSS, else by session type.
    rpe, estimated = session_rpe(log)
    srpe = np.where(rest, 0.0, session_rpe_load(rpe, np.nan_to_num(duration)))
    method = np.where(estimated, "session_type", "rpe").astype(object)
    entered_rpe = ~estimated & ~rest
    pair = entered_rpe & ~np.isnan(hrss_values)
    candidates = estimated & ~np.isnan(hrss_values)
    if pair.sum() >= CALIBRATION_MIN_PAIRS and candidates.any():
        k = np.full(n, np.nan)
        k[candidates] = rpe_calibration_factor(dates[pair], srpe[pair], hrss_values[pair], dates[candidates])
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
    day = (dates - dates.min()).astype(np.int64)
    best = np.full(int(day.max()) + 1, np.nan)
    np.fmax.at(best, day[known], speed[known])
    with np.errstate(divide="ignore"):
        return 1.0 / rolling_max_before(best, THRESHOLD_PACE_LOOKBACK_DAYS)[day]


def check_metric(metric) -> str:
    """``metric`` when it is one of :data:`LOAD_METRICS`, else an :class:`~heavylegs.errors.InputError`."""
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
    return _choose_auto(loads["stress"], checked_log(log), until)


def _choose_auto(stress, log, until) -> tuple:
    if len(log) == 0:
        return "srpe", "no sessions: session RPE × duration"
    dates = log["date"].to_numpy(dtype="datetime64[D]")
    last = dates.max() if until is None else np.datetime64(pd.Timestamp(until).date(), "D")
    window = (dates > last - AUTO_DAYS) & (dates <= last) & (log["activity"] != "rest").to_numpy()
    total = int(window.sum())
    if total == 0:
        return "srpe", "no sessions in the last 90 days: session RPE × duration"
    with_rpe = int((window & ~np.isnan(log["rpe"].to_numpy(dtype=float))).sum())
    with_stress = int((window & ~np.isnan(np.asarray(stress, dtype=float))).sum())
    if auto_uses_stress(total, with_rpe, with_stress):
        return "stress", (f"only {with_rpe} of {total} sessions in the last 90 days have an RPE; "
                          f"{with_stress} have heart rate or a pace with a threshold pace")
    if 2 * with_rpe >= total:
        return "srpe", f"{with_rpe} of {total} sessions in the last 90 days have an RPE"
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
    log = checked_log(log)
    if len(log):
        last = as_day(until, pd.Timestamp(log["date"].max()))
        log = log[log["date"] <= last].reset_index(drop=True)
        pace_day = last + pd.Timedelta(days=1)
    else:
        pace_day = None
    thresholds = resolve_thresholds(profile, log, pace_day)
    bins = heart_rate_bins(log)
    loads = session_loads(log, profile, bins=bins)
    chosen, why = choose_metric(loads, log, metric, until)
    sessions = ~(log["activity"] == "rest").to_numpy()
    values = metric_values(loads, log, chosen)
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


def metric_values(loads, log, metric: str) -> np.ndarray:
    """Each session's value in ``metric`` (NaN where missing; rest rows 0).

    Parameters
    ----------
    loads : mapping or pandas.DataFrame
        From :func:`session_load_arrays` or :func:`session_loads` of ``log``.
    log : pandas.DataFrame
        The checked log.
    metric : str
        One of :data:`LOAD_METRICS` but ``auto``.
    """
    rest = (log["activity"] == "rest").to_numpy()
    if metric in SESSION_METRICS:
        return np.asarray(loads[metric], dtype=float)
    if metric == "duration":
        return np.where(rest, 0.0, log["duration_min"].to_numpy(dtype=float))
    if metric == "distance":
        run = (log["activity"] == "run").to_numpy()
        return np.where(run, log["distance_km"].to_numpy(dtype=float), 0.0)
    raise ValueError(metric)
