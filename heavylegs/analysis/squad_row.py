"""One athlete's squad row, from the chain every page uses (:mod:`heavylegs.analysis.squad` has the rest).

:func:`athlete_row` reads the athlete with
:func:`heavylegs.store.athlete.load_athlete`, assesses it with
:func:`heavylegs.analysis.pipeline.assess_athlete` and makes the row of
:data:`heavylegs.analysis.squad.SQUAD_COLUMNS` from them (:func:`row_of`), so
the squad shows the workbook's and the dashboard's scores. The load columns
(:func:`load_figures`) come from the assessment's daily series and the
ratio of :func:`heavylegs.metrics.ratios.acute_chronic_ratio`; heaviness from
the check-ins (:func:`heaviness_summary`). This module needs pandas and the
pipeline; the squad imports it only for rows its cache does not hold.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from heavylegs.analysis._squad import SQUAD_COLUMNS, TOP_CAUSES, WELLNESS_COLUMNS, as_day, rounded
from heavylegs.analysis.pipeline import analyse_log, assess_athlete
from heavylegs.engine.wellness import wellness_facts
from heavylegs.errors import InputError
from heavylegs.metrics.ratios import ACUTE_DAYS, CHRONIC_DAYS, acute_chronic_ratio
from heavylegs.store.athlete import load_athlete

__all__ = ["athlete_row", "row_of", "load_figures", "heaviness_summary", "heaviness_trend", "wellness_columns"]

_number = rounded


def heaviness_summary(checkins, today) -> tuple:
    """Mean heaviness of the last 7 days and of the 7 days before them.

    Parameters
    ----------
    checkins : pandas.DataFrame
        Check-ins (:func:`heavylegs.logs.checkins.read_checkins`): ``date`` and
        ``heaviness`` [0-10].
    today : str or date
        The last day of the window.

    Returns
    -------
    tuple of (float or None, float or None)
        Mean heaviness [0-10] of the check-ins dated ``today`` − 6 …
        ``today``, and of ``today`` − 13 … ``today`` − 7; None for a week
        without a check-in. Check-ins after ``today`` are left out.
    """
    day = pd.Timestamp(as_day(today))
    if checkins is None or len(checkins) == 0:
        return None, None
    dates = pd.to_datetime(checkins["date"]).dt.normalize()
    heavy = checkins["heaviness"].astype(float)
    this = heavy[(dates > day - pd.Timedelta(days=7)) & (dates <= day)]
    before = heavy[(dates > day - pd.Timedelta(days=14)) & (dates <= day - pd.Timedelta(days=7))]
    return (float(this.mean()) if len(this) else None, float(before.mean()) if len(before) else None)


def heaviness_trend(checkins, today) -> float | None:
    """How heaviness moved: the mean of the last 7 days minus the mean of the 7 before [points].

    Parameters
    ----------
    checkins : pandas.DataFrame
        Check-ins with ``date`` and ``heaviness`` [0-10].
    today : str or date
        The last day of the window.

    Returns
    -------
    float or None
        Positive: the legs felt heavier this week than the week before, in
        points of the 0-10 scale; None when either week has no check-in.

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"date": pd.to_datetime(["2026-11-20", "2026-11-27", "2026-11-28"]),
    ...                   "heaviness": [3, 6, 8]})
    >>> heaviness_trend(c, "2026-11-28")
    4.0
    """
    this, before = heaviness_summary(checkins, today)
    if this is None or before is None:
        return None
    return this - before


def load_figures(log, analysis, today, *, profile=None, metric: str = "auto") -> dict:
    """The squad's load columns: 7- and 28-day load to ``today`` and how long since the last session.

    Parameters
    ----------
    log : pandas.DataFrame or None
        The training log.
    analysis : heavylegs.analysis.pipeline.LogAnalysis or None
        The assessment's analysis of that log: its daily series is used
        when it covers every session up to ``today`` (days after its end
        had no session, so they count as zero load); else the series is
        built again up to ``today`` (:func:`heavylegs.analysis.pipeline.analyse_log`).
    today : str or date
        The day the windows end on.
    profile : dict, optional
        For a series built again: the thresholds, age and sex.
    metric : str
        For a series built again: the load metric (``auto``).

    Returns
    -------
    dict
        ``acwr``, ``week_load`` [unit of the metric], ``chronic_load`` [same,
        per week], ``load_metric``, ``load_as_of`` (``today``,
        ``YYYY-MM-DD``), ``last_session`` (``YYYY-MM-DD``) and
        ``days_since_session`` [d]; all null without a session on or before
        ``today``. ``acwr`` is null before the log covers 28 days, when the
        28 days hold no load, and when the last 7 days hold no session.
    """
    day = as_day(today)
    out = {"acwr": None, "week_load": None, "chronic_load": None, "load_metric": None, "load_as_of": None,
           "last_session": None, "days_since_session": None}
    if log is None or len(log) == 0:
        return out
    end = pd.Timestamp(day)
    dates = pd.to_datetime(log["date"]).dt.normalize()
    before = dates[dates <= end]
    if len(before) == 0:
        return out  # every session is after today
    first, last = before.min().date(), before.max().date()
    out.update(load_as_of=day.isoformat(), last_session=last.isoformat(), days_since_session=(day - last).days)
    daily = None if analysis is None else analysis.daily
    if daily is None or len(daily) == 0 or daily.index[-1].date() < last:
        analysis = analyse_log(log, day.isoformat(), metric=metric, profile=profile)
        daily = None if analysis is None else analysis.daily
    if daily is None or len(daily) == 0:
        return out
    load = daily["load"][daily.index <= end].to_numpy(dtype=float)
    days_after = (day - daily.index[-1].date()).days
    if days_after > 0:  # the series ends before today, with no session after its end
        load = np.concatenate((load, np.zeros(days_after)))
    acute = load[-ACUTE_DAYS:].sum()
    out["load_metric"] = analysis.load_metric
    out["week_load"] = _number(acute, 1)
    if (day - first).days >= CHRONIC_DAYS - 1:  # 28 days since the log's first session, as the weekly table's acwr
        chronic = load[-CHRONIC_DAYS:].sum()  # days before the log's first had no session
        out["chronic_load"] = _number(chronic / (CHRONIC_DAYS / ACUTE_DAYS), 1)  # an average week
        if out["days_since_session"] < ACUTE_DAYS:  # else 0.00 would only say nothing was logged
            out["acwr"] = _number(acute_chronic_ratio(acute, chronic), 2)
    return out


def row_of(record, assessment, today) -> dict:
    """One athlete's squad row from its record and its assessment (:data:`SQUAD_COLUMNS`).

    Parameters
    ----------
    record : heavylegs.store.athlete.AthleteRecord
    assessment : heavylegs.analysis.pipeline.Assessment
        :func:`heavylegs.analysis.pipeline.assess_athlete` of ``record``.
    today : str or date
        The day the squad is looked at.
    """
    day = as_day(today)
    ranking = assessment.ranking
    row = dict.fromkeys(SQUAD_COLUMNS)
    row.update(athlete_id=record.athlete_id, name=record.profile.get("name"),
               red_flags=[{"id": f["id"], "urgency": f["urgency"]} for f in ranking.get("red_flags", [])],
               top_causes=[{"id": c["id"], "title": c.get("title", c["id"]), "score": int(c["score"]),
                            "band": c["band"]} for c in ranking.get("causes", [])[:TOP_CAUSES]],
               last_assessment=record.last_assessment)
    row.update(load_figures(record.log, assessment.log, day, profile=record.answers()))
    if record.has_checkins:
        this, before = heaviness_summary(record.checkins, day)
        row["heaviness_7d"] = _number(this, 1)
        row["heaviness_trend"] = None if this is None or before is None else _number(this - before, 1)
        row["last_checkin"] = pd.Timestamp(record.checkins["date"].max()).date().isoformat()
    row.update(wellness_columns(record.wellness, day))
    return row


def athlete_row(data_dir, athlete_id: str, *, today=None) -> dict:
    """One athlete's row of the squad (:data:`SQUAD_COLUMNS`).

    Parameters
    ----------
    data_dir : str or Path
        The data folder.
    athlete_id : str
        A valid athlete id.
    today : str or date, optional
        The day the squad is looked at (today by default).

    Returns
    -------
    dict
        :func:`row_of` the athlete's record (:func:`heavylegs.store.athlete.load_athlete`)
        and assessment (:func:`heavylegs.analysis.pipeline.assess_athlete`);
        when a file cannot be read, ``error`` names it and what is wrong,
        and every column after ``name`` is empty (null, or ``[]`` for the
        lists).
    """
    day = as_day(today)
    name = None
    try:
        record = load_athlete(data_dir, athlete_id)
        name = record.profile.get("name")
        return row_of(record, assess_athlete(record), day)
    except (InputError, OSError, ValueError, KeyError, TypeError, RecursionError) as exc:
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if isinstance(exc, InputError) and exc.problems:
            message = str(exc.problems[0]) + (f" (and {len(exc.problems) - 1} more)" if len(exc.problems) > 1
                                              else "")
        row = {k: ([] if k in ("red_flags", "top_causes") else None) for k in SQUAD_COLUMNS}
        row.update(athlete_id=athlete_id, name=name, error=f"cannot read this athlete's files: {message}")
        return row


def wellness_columns(wellness, today) -> dict:
    """The squad's wellness columns (:data:`WELLNESS_COLUMNS`) of one athlete's wellness rows up to ``today``."""
    out = dict.fromkeys(WELLNESS_COLUMNS)
    facts = wellness_facts(wellness, today) if wellness is not None and len(wellness) else None
    if not facts:
        return out
    rhr, hrv = facts.get("rhr"), facts.get("hrv")
    if rhr and rhr.get("recent") is not None:
        out["rhr_7d_bpm"] = _number(rhr["recent"], 1)
        out["rhr_source"] = rhr["source"]
        if rhr.get("baseline") is not None:
            out["rhr_trend_bpm"] = _number(rhr["recent"] - rhr["baseline"], 1)
    if hrv and hrv.get("recent") is not None:
        out["hrv_7d_ms"] = _number(math.exp(hrv["recent"]), 1)
        out["hrv_source"] = f"{hrv['source']} {hrv['kind']}"
        if hrv.get("baseline") is not None:
            out["hrv_trend_pct"] = _number((math.exp(hrv["recent"] - hrv["baseline"]) - 1) * 100, 1)
            out["hrv_below_normal"] = bool(hrv["below_normal"])
    return out
