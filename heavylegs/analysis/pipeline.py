"""One assessment pipeline: answers and a training log in, everything shown out.

The workbook, the athlete dashboard and ``heavylegs score --log`` all call
:func:`assess`, so the three can never disagree about an athlete: the daily
series of the log is built once, up to the same last day (the assessment date
unless another is given), and the weekly table, the daily fitness and
fatigue, the log's evidence and the ranking all come from it.

:func:`analyse_log` is the log half on its own: a caller that rescores often
with the same log (the workbook, at every answer) keeps its result and passes
it back, so a changed answer costs a scoring, not a new series.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from heavylegs.analysis.patterns import find_patterns, pattern_evidence
from heavylegs.analysis.scoring import score_profile
from heavylegs.engine.load import DailySeries, fitness_fatigue
from heavylegs.engine.wellness import wellness_facts

__all__ = ["Assessment", "LogAnalysis", "analyse_log", "assess", "assess_athlete", "assessment_day"]


@dataclass(frozen=True)
class LogAnalysis:
    """What a training log says, up to one day.

    Attributes
    ----------
    until : str or None
        Last day of the series, ``YYYY-MM-DD`` (None: the log's last date).
    weekly : pandas.DataFrame or None
        :func:`heavylegs.engine.load.weekly_table`; None when the log holds no day
        up to ``until``.
    daily : pandas.DataFrame or None
        One row per day: the columns of :func:`heavylegs.engine.load.daily_load`
        and ``fitness``, ``fatigue``, ``form`` [AU].
    facts : dict or None
        :func:`heavylegs.engine.load.log_facts`, the evidence given to scoring.
    sessions : int
        Sessions of the log (all rows, also those after ``until``).
    metric : str
        The load metric asked for (``auto`` or one of ``spec/device-load.md``).
    load_metric : str or None
        The metric ``load`` and every ratio use (``auto`` resolved).
    metric_why : str
        Why that metric (one sentence).
    """

    until: str | None
    weekly: object
    daily: object
    facts: dict | None
    sessions: int
    metric: str = "auto"
    load_metric: str | None = None
    metric_why: str = ""


@dataclass(frozen=True)
class Assessment:
    """Everything one assessment shows.

    Attributes
    ----------
    athlete_id : str
    profile : dict
        The answers scored (validated).
    ranking : dict
        The ``heavylegs.ranking/1`` document (:func:`heavylegs.analysis.scoring.score_profile`).
    log : LogAnalysis or None
        The training log's part; None without a log.
    patterns : list of dict or None
        The check-ins' patterns (:func:`heavylegs.analysis.patterns.find_patterns`),
        reported first; None when no check-ins were given.
    wellness : dict or None
        What the wearable says up to the assessment day
        (:func:`heavylegs.engine.wellness.wellness_facts`); None without
        wellness rows.
    """

    athlete_id: str
    profile: dict
    ranking: dict
    log: LogAnalysis | None
    patterns: list | None = None
    wellness: dict | None = None

    @property
    def weekly(self):
        """The weekly table, or None."""
        return None if self.log is None else self.log.weekly

    @property
    def daily(self):
        """The daily series with fitness, fatigue and form, or None."""
        return None if self.log is None else self.log.daily

    @property
    def log_facts(self):
        """The log's evidence, or None."""
        return None if self.log is None else self.log.facts


def assessment_day(profile: dict, until=None) -> str | None:
    """The last day of the series for an assessment: ``until``, else ``assessed_on``.

    Returns
    -------
    str or None
        ``YYYY-MM-DD``.
    """
    if until is None:
        until = profile.get("assessed_on")
    if until is None:
        return None
    if isinstance(until, (_dt.date, _dt.datetime)):
        return until.isoformat()[:10]
    return str(until)[:10]


def analyse_log(log, until=None, *, metric: str = "auto", profile: dict | None = None) -> LogAnalysis | None:
    """Build the daily series of a log once and derive everything from it.

    Parameters
    ----------
    log : pandas.DataFrame or None
        A training log (:func:`heavylegs.logs.traininglog.read_log`).
    until : str or date, optional
        Last day of the series (default: the log's last date).
    metric : str
        Load metric of the weekly table and the ratios (``spec/device-load.md``;
        ``auto`` chooses from the log).
    profile : dict, optional
        Gives the heart-rate and pace thresholds, age and sex.

    Returns
    -------
    LogAnalysis or None
        None when there is no log or it has no session.
    """
    if log is None or len(log) == 0:
        return None
    day = None if until is None else str(until)[:10]
    series = DailySeries(log, day, metric, profile)
    if series.n == 0:  # every session after ``until``
        return LogAnalysis(day, None, None, None, len(log), metric)
    weekly = series.weekly_table()
    facts = series.log_facts(weekly)
    arrays = series.arrays()
    daily = pd.DataFrame({name: arrays[name] for name in ("load_au", "load", "sessions", "rest_day", "runs",
                                                           "distance_km", "duration_min",
                                                           "strength_sessions", "sessions_rpe_estimated",
                                                           "sessions_load_estimated")},
                         index=series.index())
    daily["longest_run_km"] = np.nan_to_num(arrays["longest_run_nan"], nan=0.0)
    # fitness and fatigue on the metric in use, as the weekly table computes them
    daily = daily.join(fitness_fatigue(daily["load"]))
    return LogAnalysis(day, weekly, daily, facts, len(log), metric, arrays["load_metric"],
                       arrays.get("load_metric_why", ""))


def assess(profile: dict, log=None, *, until=None, analysis: LogAnalysis | None = None,
           causes=None, red_flags=None, checkins=None, patterns: list | None = None,
           metric: str = "auto", wellness=None) -> Assessment:
    """Rank the causes for a profile and its training log, from one daily series.

    Parameters
    ----------
    profile : dict
        A validated profile (:func:`heavylegs.store.profiles.validate_profile`).
    log : pandas.DataFrame, optional
        The athlete's training log.
    until : str or date, optional
        Last day of the series; the profile's ``assessed_on`` by default, so
        the workbook, the dashboard and the command line all stop the log on
        the assessment date.
    analysis : LogAnalysis, optional
        :func:`analyse_log` of this very log up to this very day, reused as
        it is (the caller vouches for it); built here when None.
    causes, red_flags : optional
        Catalogue overrides for :func:`heavylegs.analysis.scoring.score_profile`.
    checkins : pandas.DataFrame, optional
        The athlete's check-ins (:func:`heavylegs.logs.checkins.read_checkins`):
        their patterns over the 180 days up to the assessment day, from the
        same daily series, are tested and the reported ones join the
        evidence (``spec/checkins.md``).
    metric : str
        Load metric of the weekly table and the log's ratio evidence
        (``spec/device-load.md``; ``auto`` by default); the profile gives the
        thresholds.
    patterns : list of dict, optional
        :func:`heavylegs.analysis.patterns.find_patterns` of these very check-ins,
        log and day, reused as it is (a caller that rescores at every
        answer computes them once); computed here from ``checkins`` when None.
    wellness : pandas.DataFrame, optional
        The athlete's ``wellness.csv`` rows (:func:`heavylegs.logs.wellness.read_wellness`):
        the baselines up to the assessment day fill the resting heart rate
        and sleep the coach left unknown, ``hrv_below_normal`` joins the
        evidence (``spec/wellness.md``), and the check-ins' patterns gain
        ``after_low_hrv``, ``after_high_rhr`` and the device's sleep.

    Returns
    -------
    Assessment
    """
    day = assessment_day(profile, until)
    if analysis is None and log is not None:
        analysis = analyse_log(log, day, metric=metric, profile=profile)
    facts = None if analysis is None else analysis.facts
    device = None
    if wellness is not None and len(wellness):
        device = wellness_facts(wellness, day)
    if patterns is None and checkins is not None:
        patterns = find_patterns(checkins, log, until=day,
                                 daily=None if analysis is None else analysis.daily,
                                 wellness=wellness)
    evidence = None
    if patterns is not None:
        evidence = pattern_evidence(patterns)
    ranking = score_profile(profile, causes=causes, red_flags=red_flags, log_facts=facts,
                            pattern_evidence=evidence, wellness_facts=device)
    if patterns is not None:
        ranking["patterns"] = patterns
    return Assessment(profile.get("athlete_id"), profile, ranking, analysis, patterns, device)


def assess_athlete(record, *, answers: dict | None = None, until=None, metric: str = "auto",
                   analysis: LogAnalysis | None = None, patterns: list | None = None, causes=None,
                   red_flags=None) -> Assessment:
    """:func:`assess` of an athlete as :func:`heavylegs.store.athlete.load_athlete` read it.

    The one way a page, the squad, roster import or the command line turns
    an athlete's files into an assessment: the record's current answers,
    its training log and its check-ins (when there is any), the series
    ending on the answers' ``assessed_on`` (or ``until``).

    Parameters
    ----------
    record : heavylegs.store.athlete.AthleteRecord
        The athlete.
    answers : dict, optional
        Validated answers to assess instead of the record's (the workbook's
        edited answers, a roster row merged into them), with the record's
        log and check-ins.
    until, metric, analysis, patterns, causes, red_flags
        As for :func:`assess`.

    Returns
    -------
    Assessment
        With the record's wellness rows (``wellness.csv``) when it has any.
    """
    return assess(record.answers() if answers is None else answers, record.log, until=until, analysis=analysis, causes=causes,
                  red_flags=red_flags, checkins=record.checkins if record.has_checkins else None,
                  patterns=patterns, metric=metric, wellness=record.wellness if record.has_wellness else None)
