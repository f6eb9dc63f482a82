"""The two-week plan after an assessment (``spec/plan.md``, ``plan.json`` of ``spec/cli.md``).

:func:`build_plan` turns one assessment (:func:`heavylegs.analysis.pipeline.assess`)
into 14 days, day by day: one training suggestion a day with its load, the
carbohydrate, fluid, sleep, warm-up and cool-down of the day, and the steps
of the likely causes on the days they concern. The numbers of the plan (the
g/kg ranges, the RPE of each kind of day, the load ratios) and each cause's
own steps live in ``heavylegs/knowledge/plan.yaml`` with their sources; this
module only applies them.

The plan is a proposal for the coach to edit: :func:`plan_rows` gives the
editable table and :func:`apply_plan_edits` takes it back, validated.
:func:`plan_load_projection` continues the daily load of the log with the
plan's loads and the ACWR they lead to.

Distances in a plan are kilometres, as in ``plan.json``; :func:`day_texts`
writes them in the athlete's unit (``distance_unit``, ``km`` or ``mi``).
"""
from __future__ import annotations

import copy
import datetime as _dt
import math
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from numpy.lib.stride_tricks import sliding_window_view

from heavylegs.errors import InputError, Problem
from heavylegs.knowledge.causes import load_causes
from heavylegs.metrics.ratios import ACUTE_DAYS, CHRONIC_DAYS, acute_chronic_ratio
from heavylegs.vocabulary import KM_PER_MILE

__all__ = [
    "PLAN_FORMAT",
    "KINDS",
    "KM_PER_MILE",
    "load_plan_knowledge",
    "build_plan",
    "validate_plan",
    "plan_rows",
    "plan_columns",
    "apply_plan_edits",
    "plan_load_projection",
    "day_texts",
    "distance_text",
    "distance_unit",
    "plan_causes_doctor",
    "training_carbs_band",
    "load_source",
    "load_unit",
    "plan_column_labels",
    "pace_problem",
]

PLAN_FORMAT = "heavylegs.plan/1"
#: Kinds of training day, as in ``plan.json``.
KINDS = ("rest", "easy", "long", "quality", "strength", "cross")
_RUNS = ("easy", "long", "quality")
_KNOWLEDGE = Path(__file__).resolve().parents[1] / "knowledge" / "plan.yaml"
_WHEN = ("first_day", "first_rest_day", "first_run_day", "first_easy_day", "long_run_days",
         "first_long_run", "day_before_long_run", "quality_days", "strength_days", "run_days",
         "rest_days", "every_day", "last_day")
_KIND_WORDS = {"rest": "Rest", "easy": "Easy run", "long": "Long run", "quality": "Quality session",
               "strength": "Leg strength", "cross": "Cross-training"}
_WITHHELD = ("emergency", "urgent")


def load_unit(metric: str | None, unit: str = "km") -> str:
    """The unit of a plan's or a table's load in ``metric`` (``spec/device-load.md``).

    ``AU`` (arbitrary units) for session RPE, TRIMP, HRSS, rTSS and stress,
    ``min`` for training time, the athlete's distance unit for distance;
    ``""`` without a metric.
    """
    if metric is None:
        return ""
    return {"duration": "min", "distance": unit}.get(metric, "AU")


# --------------------------------------------------------------------------- knowledge

@lru_cache(maxsize=4)
def _read_knowledge(path: str) -> dict:
    source = str(path)
    try:
        raw = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, yaml.YAMLError) as exc:
        raise InputError([Problem(source, f"cannot read the plan knowledge ({exc})")]) from None
    problems = []
    for key in ("carbs_g_per_kg", "rpe", "week1", "week1_lighter", "week2_factor", "causes", "easy_pace_min_km",
                "easy_pace_from_threshold", "easy_pace_range_min_km", "fastest_pace_min_km"):
        if key not in raw:
            problems.append(Problem(source, "missing, expected it in the plan knowledge", field=key))
    known = {cause.id for cause in load_causes()}
    for cause_id, block in (raw.get("causes") or {}).items():
        if cause_id not in known:
            problems.append(Problem(source, f"found cause {cause_id!r}, expected one of "
                                            + ", ".join(sorted(known)), field=f"causes.{cause_id}"))
            continue
        if not block.get("sources"):
            problems.append(Problem(source, "no sources, expected at least one", field=f"causes.{cause_id}"))
        for i, step in enumerate(block.get("steps") or []):
            if step.get("when") not in _WHEN:
                problems.append(Problem(source, f"found when {step.get('when')!r}, expected one of "
                                                + ", ".join(_WHEN), field=f"causes.{cause_id}.steps[{i}]"))
            if not str(step.get("text") or "").strip():
                problems.append(Problem(source, "empty text, expected the step in words",
                                        field=f"causes.{cause_id}.steps[{i}]"))
    if problems:
        raise InputError(problems)
    return raw


def load_plan_knowledge(path=None) -> dict:
    """The plan's numbers and each cause's steps, read from ``knowledge/plan.yaml``.

    Parameters
    ----------
    path : str or Path, optional
        Another knowledge file (tests); the packaged one by default.

    Returns
    -------
    dict
        As in the file. Do not modify it: it is cached.

    Raises
    ------
    InputError
        When a cause id is unknown, a step's ``when`` is not one of the
        valid names (listed in the message), or a cause has no source.
    """
    return _read_knowledge(str(path or _KNOWLEDGE))


# --------------------------------------------------------------------------- small helpers

def _part(assessment, name):
    if isinstance(assessment, dict):
        return assessment.get(name)
    return getattr(assessment, name, None)


def _date(value, source="start"):
    if value is None:
        return None
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    try:
        return _dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        raise InputError([Problem("<plan>", f"found {value!r}, expected a date YYYY-MM-DD", field=source)]) from None


def _round_to(x: float, step: float) -> float:
    return math.floor(x / step + 0.5) * step


def distance_unit(profile: dict | None) -> str:
    """The athlete's distance unit: ``"km"`` or ``"mi"`` (profile field ``distance_unit``, default km)."""
    unit = (profile or {}).get("distance_unit") or "km"
    return unit if unit in ("km", "mi") else "km"


def distance_text(km, unit: str = "km", decimals: int = 1) -> str:
    """A distance in kilometres written in ``unit`` ("12.5 km", "7.8 mi"); "" for None."""
    if km is None:
        return ""
    value = km / KM_PER_MILE if unit == "mi" else km
    return f"{value:.{decimals}f} {unit}"


def _top_three(ranking: dict) -> list:
    """The causes ranked 1-3 that scored above 0 (a cause with no evidence is not a top cause)."""
    return [c for c in ranking.get("causes", []) if c.get("rank", 99) <= 3 and c.get("score", 0) > 0]


def _likely_top(ranking: dict) -> list:
    return [c for c in _top_three(ranking) if c.get("band") in ("likely", "possible")]


def plan_causes_doctor(ranking: dict, knowledge=None) -> list:
    """The top-three causes (likely or possible) whose plan steps send the athlete to a doctor.

    Returns
    -------
    list of dict
        The ranking's cause entries, best first.
    """
    knowledge = knowledge or load_plan_knowledge()
    blocks = knowledge.get("causes") or {}
    return [c for c in _likely_top(ranking) if (blocks.get(c["id"]) or {}).get("doctor")]


# --------------------------------------------------------------------------- the log, through one adapter

def load_source(frame):
    """The one place that names the log's load column and metric.

    ``spec/device-load.md`` gives the daily series and the weekly table a
    ``load`` column in the metric ``load_metric``; until a table has it, the
    load is session RPE (``load_au``, metric ``srpe``).

    Returns
    -------
    tuple
        (column name, metric name).
    """
    if frame is not None and "load" in frame.columns:
        metric = "srpe"
        if "load_metric" in frame.columns and len(frame):
            metric = str(frame["load_metric"].iloc[-1])
        return "load", metric
    return "load_au", "srpe"


def _chronic_load(daily, weekly=None) -> tuple:
    """Chronic weekly load C = the 28-day load ÷ 4 at the assessment day, and its metric.

    ``daily`` ends on the assessment day (:func:`heavylegs.analysis.pipeline.assess`);
    days before the log count 0, as in the ACWR of ``spec/metrics.md``.
    """
    column, metric = load_source(weekly if weekly is not None and "load_metric" in weekly.columns else daily)
    if column not in daily.columns:
        column = "load_au"
    return float(daily[column].iloc[-28:].sum()) / 4.0, metric, column


class _LogView:
    """What the plan needs from the daily series, all up to the assessment day."""

    def __init__(self, daily, weekly):
        self.daily = daily
        self.chronic, self.metric, self.column = _chronic_load(daily, weekly)
        last28 = daily.iloc[-28:]
        last30 = daily.iloc[-30:]
        longest = last30["longest_run_km"] if "longest_run_km" in daily.columns else None
        self.longest_30d_km = float(longest.max()) if longest is not None and len(longest) else 0.0
        run_days = int((last28["runs"] > 0).sum()) if "runs" in daily.columns else 0
        self.runs_per_week = int(_round_to(run_days / 4.0, 1))
        strength = int(last28["strength_sessions"].sum()) if "strength_sessions" in daily.columns else 0
        self.strength_per_week = int(_round_to(strength / 4.0, 1))
        # weekday of the longest run of the last 28 days (the latest, on a tie)
        self.long_weekday = None
        if "longest_run_km" in daily.columns and last28["longest_run_km"].max() > 0:
            values = last28["longest_run_km"]
            best = values[values == values.max()].index[-1]
            self.long_weekday = best.weekday()
        # pace of runs on days without strength [min/km]
        self.pace = None
        if {"duration_min", "distance_km", "runs", "strength_sessions"} <= set(daily.columns):
            rows = last28[(last28["runs"] > 0) & (last28["strength_sessions"] == 0) & (last28["distance_km"] > 0)]
            if len(rows) and rows["distance_km"].sum() > 0:
                self.pace = float(rows["duration_min"].sum() / rows["distance_km"].sum())
        # quality days: day RPE (session-RPE load ÷ minutes) at or above a tempo's 6
        self.quality_weekdays = []
        self.quality_per_week = 0
        if {"load_au", "duration_min"} <= set(daily.columns):
            last14 = daily.iloc[-14:]
            minutes = last14["duration_min"].where(last14["duration_min"] > 0)
            hard = (last14["load_au"] / minutes) >= 6.0
            hard_days = [d for d, flag in zip(last14.index, hard) if bool(flag)]
            recent = set(last14.index[-7:])
            counts = [sum(1 for d in hard_days if d in recent), sum(1 for d in hard_days if d not in recent)]
            self.quality_per_week = min(max(counts), 2)
            weekdays = []
            for d in reversed(hard_days):  # the most recent first
                if d.weekday() not in weekdays:
                    weekdays.append(d.weekday())
            self.quality_weekdays = weekdays[: self.quality_per_week]
        # share of the load carried on days with a run (the rest: strength, cross-training)
        self.run_share = 1.0
        if "runs" in daily.columns and last28[self.column].sum() > 0:
            on_runs = last28.loc[last28["runs"] > 0, self.column].sum()
            self.run_share = float(on_runs / last28[self.column].sum())
        # load per minute of the metric relative to session RPE (1 for srpe)
        self.scale = 1.0
        if self.column != "load_au" and "load_au" in daily.columns and last28["load_au"].sum() > 0:
            self.scale = float(last28[self.column].sum() / last28["load_au"].sum())


# --------------------------------------------------------------------------- the shape of a week

def _circular(a: int, b: int) -> int:
    d = abs(a - b) % 7
    return min(d, 7 - d)


def _week_layout(n_runs: int, long_wd, quality_wds, n_quality: int, n_strength: int, min_rest: int,
                 strict_strength: bool) -> list:
    """Kinds of the 7 weekdays (0 = Monday).

    Long run first, then the quality sessions (never next to the long run),
    the rest days (the day after the long run first, then as far apart as
    possible), strength (never within 48 h before a long run or quality
    session when ``strict_strength``, else only where possible), easy runs
    on what is left; a free day beyond the runs wanted is a rest day.
    """
    kinds = [None] * 7
    n_runs = max(0, min(n_runs, 7 - min_rest))
    if long_wd is not None and n_runs >= 2:
        kinds[long_wd] = "long"
    hard = [d for d in range(7) if kinds[d] == "long"]
    quality_slots = max(0, min(n_quality, n_runs - len(hard) - 1 if hard else n_runs - 1, 2))
    wanted = list(quality_wds)[:quality_slots]
    wanted += [d for d in (1, 3) if d not in wanted][: quality_slots - len(wanted)]
    for q in wanted:
        order = sorted(range(7), key=lambda d: (_circular(d, q), d))
        for d in order:
            if kinds[d] is None and all(_circular(d, h) >= 2 for h in hard):
                kinds[d] = "quality"
                hard.append(d)
                break
    easy_needed = n_runs - len(hard)
    rests = []

    def add_rest():
        free = [d for d in range(7) if kinds[d] is None]
        if not free:
            return False
        after_long = [(h + 1) % 7 for h in range(7) if kinds[h] == "long"]
        first = [d for d in after_long if d in free]
        if not rests and first:
            choice = first[0]
        else:
            choice = max(free, key=lambda d: (min((_circular(d, r) for r in rests), default=7),
                                               any(_circular(d, h) == 1 for h in hard), -d))
        kinds[choice] = "rest"
        rests.append(choice)
        return True

    for _ in range(min_rest):
        add_rest()
    free = [d for d in range(7) if kinds[d] is None]
    n_strength = max(0, min(n_strength, len(free) - max(easy_needed, 0)))
    placed = []
    for _ in range(n_strength):
        free = [d for d in range(7) if kinds[d] is None]
        ok = [d for d in free
              if kinds[(d + 1) % 7] not in ("long", "quality") and kinds[(d + 2) % 7] not in ("long", "quality")
              and all(_circular(d, s) >= 2 for s in placed)]
        if not ok and not strict_strength:
            ok = [d for d in free if all(_circular(d, s) >= 2 for s in placed)] or free
        if not ok:
            break
        kinds[ok[0]] = "strength"
        placed.append(ok[0])
    free = [d for d in range(7) if kinds[d] is None]
    while len(free) > max(easy_needed, 0):
        add_rest()
        free = [d for d in range(7) if kinds[d] is None]
    for d in free:
        kinds[d] = "easy"
    return kinds


# --------------------------------------------------------------------------- build

def build_plan(assessment, *, start=None, knowledge=None, today=None) -> dict:
    """The next 14 days for one athlete, day by day (``spec/plan.md``).

    Parameters
    ----------
    assessment : heavylegs.analysis.pipeline.Assessment or dict
        From :func:`heavylegs.analysis.pipeline.assess`, or a dict with its parts
        ``profile``, ``ranking`` and, with a training log, ``daily`` and
        ``weekly`` (the daily series must end on the assessment day).
    start : str or date, optional
        First day of the plan; the day after the assessment by default
        (``assessed_on`` of the ranking, else of the profile, else today).
    knowledge : dict, optional
        :func:`load_plan_knowledge` (the packaged file by default).
    today : date, optional
        Stands for today when the assessment has no date (tests).

    Returns
    -------
    dict
        The ``heavylegs.plan/1`` document of ``spec/cli.md``: ``format``,
        ``athlete_id``, ``start``, ``withheld_for``, ``load_metric``,
        ``weeks`` (``target_low``, ``target_high`` in the load metric, and
        ``planned_load``), ``days`` (14: ``date``, ``training`` with
        ``kind``, ``minutes`` [min], ``max_km`` [km], ``load``; ``carbs_g``
        [g], ``fluid``, ``sleep_h`` [h], ``notes``). Extensions:
        ``basis`` (``"log"``, ``"answers"`` or None), ``chronic_load``,
        ``long_run_cap_km``, ``long_run_cap_min``, ``lighter``, ``why``
        (sentences saying where the numbers came from), ``headline`` (red
        flag actions), ``causes`` (the causes whose steps the plan holds,
        with sources), and per day ``carbs_g_per_kg`` [g/kg], ``fluid_l_per_h``
        [L/h], ``electrolytes``, ``warmup_min`` and ``cooldown_min`` [min].

    Notes
    -----
    The load targets: week 1 within 0.8-1.0 × C (0.6-0.8 × C when
    ``overtraining`` or ``muscle_fatigue`` is likely or the last weekly ACWR
    is above 1.3), week 2 the same range × 1.1, so at most 1.1 × week 1's
    upper target; C = the 28-day load ÷ 4 at the assessment (Hulin et al.
    2014 for the chronic window). Each week aims at the middle of its range.
    Without a log, C is the answer ``weekly_distance_km`` and the loads are
    kilometres (``load_metric`` ``"distance"``).
    """
    k = knowledge or load_plan_knowledge()
    profile = dict(_part(assessment, "profile") or {})
    ranking = _part(assessment, "ranking") or {}
    daily = _part(assessment, "daily")
    weekly = _part(assessment, "weekly")
    athlete_id = ranking.get("athlete_id") or profile.get("athlete_id")
    assessed = _date(ranking.get("assessed_on") or profile.get("assessed_on"), "assessed_on")
    if start is None:
        start_day = (assessed or today or _dt.date.today()) + _dt.timedelta(days=1)
    else:
        start_day = _date(start, "start")
    dates = [start_day + _dt.timedelta(days=i) for i in range(14)]
    flags = ranking.get("red_flags") or []
    withheld = [f for f in flags if f.get("urgency") in _WITHHELD]
    soon = [f for f in flags if f.get("urgency") == "soon"]
    plan = {"format": PLAN_FORMAT, "athlete_id": athlete_id, "start": start_day.isoformat(),
            "assessed_on": assessed.isoformat() if assessed else None,
            "withheld_for": [f["id"] for f in withheld], "load_metric": None, "weeks": [], "days": [],
            "basis": None, "chronic_load": None, "long_run_cap_km": None, "long_run_cap_min": None,
            "easy_pace_min_km": None,
            "lighter": False, "why": [], "headline": [], "causes": []}
    if withheld:
        return _withheld_plan(plan, withheld, dates)
    plan["headline"] = [f"{f.get('title') or f['id']}: {f.get('action') or f.get('reason') or ''}".strip()
                        for f in soon]

    top = _top_three(ranking)
    top_ids = {c["id"] for c in top}
    likely_ids = {c["id"] for c in top if c.get("band") == "likely"}
    view = None
    if daily is not None and len(daily):
        view = _LogView(daily, weekly)
        if view.chronic <= 0:
            view = None  # nothing in the last 28 days: the answers say more

    # load targets
    lighter_acwr = None
    if view is not None and weekly is not None and len(weekly) and "acwr" in weekly.columns:
        value = weekly["acwr"].iloc[-1]
        lighter_acwr = None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)
    lighter = bool(likely_ids & set(k.get("lighter_causes", []))) or (
        lighter_acwr is not None and lighter_acwr > k.get("lighter_acwr_above", 1.3))
    plan["lighter"] = lighter

    # training shape
    if view is not None:
        n_runs, n_strength = view.runs_per_week, view.strength_per_week
        long_wd = view.long_weekday if view.long_weekday is not None else 6
        quality_wds, n_quality = view.quality_weekdays, view.quality_per_week
    else:
        n_runs = profile.get("runs_per_week")
        n_runs = k.get("runs_per_week_default", 4) if n_runs is None else n_runs
        n_strength = profile.get("strength_sessions_per_week") or 0
        long_wd = 6
        n_quality = min(profile.get("hard_sessions_per_week") or 0, 2)
        quality_wds = []
    n_strength = min(n_strength, k.get("strength_max_per_week", 2))
    if soon:
        n_quality, n_strength, long_wd = 0, 0, None
    if lighter:
        n_quality = min(n_quality, 1)  # a lighter week keeps one quality session at most
    min_rest = 2 if top_ids & set(k.get("two_rest_days_causes", [])) else 1
    strict = k.get("strength_spacing_cause", "strength_overload") in top_ids
    layout = _week_layout(n_runs, long_wd, quality_wds, n_quality, n_strength, min_rest, strict)
    kinds = [layout[d.weekday()] for d in dates]

    chronic = None
    if view is not None:
        chronic, plan["basis"], plan["load_metric"] = view.chronic, "log", view.metric
        plan["why"].append(f"Chronic load C = the last 28 days' load ÷ 4 = {chronic:.0f} "
                           f"({view.metric}) a week, from the training log.")
        if view.longest_30d_km > 0:
            plan["long_run_cap_km"] = round(k["long_run_cap_factor"] * view.longest_30d_km, 1)
            plan["why"].append(f"Longest run at most {k['long_run_cap_factor']} × the longest run of the last "
                               f"30 days ({view.longest_30d_km:.1f} km) = {plan['long_run_cap_km']:.1f} km.")
    elif profile.get("weekly_distance_km"):
        chronic, plan["basis"], plan["load_metric"] = float(profile["weekly_distance_km"]), "answers", "distance"
        plan["why"].append(f"No training log: C = the answer weekly distance, {chronic:.0f} km.")
    else:
        plan["why"].append("No training log and no weekly distance: no load targets; set the durations with the coach.")
    if profile.get("long_run_min"):
        plan["long_run_cap_min"] = int(_round_to(k["long_run_cap_factor"] * profile["long_run_min"], 1))
    if plan["basis"] == "answers":
        plan["easy_pace_min_km"], pace_words = _easy_pace(daily, profile, k)
        plan["why"].append(f"Minutes at an easy pace of {_pace_text(plan['easy_pace_min_km'])} min/km "
                           f"({pace_words}).")
    lo1, hi1 = k["week1_lighter"] if lighter else k["week1"]
    if lighter:
        reasons = sorted(likely_ids & set(k.get("lighter_causes", [])))
        if lighter_acwr is not None and lighter_acwr > k.get("lighter_acwr_above", 1.3):
            reasons.append(f"last weekly ACWR {lighter_acwr:.2f} > {k.get('lighter_acwr_above', 1.3)}")
        plan["why"].append("Week 1 lighter (" + ", ".join(r.replace("_", " ") + (" likely" if "ACWR" not in r else "")
                                                          for r in reasons) + ").")
    f2 = k["week2_factor"]
    ranges = [(lo1, hi1), (lo1 * f2, hi1 * f2)]
    plan["chronic_load"] = None if chronic is None else round(chronic, 1)
    for w, (lo, hi) in enumerate(ranges):
        if chronic is None:
            plan["weeks"].append({"target_low": None, "target_high": None, "planned_load": None})
        else:
            plan["weeks"].append({"target_low": round(lo * chronic, 1), "target_high": round(hi * chronic, 1),
                                  "planned_load": None})
    if chronic is not None:
        plan["why"].append(f"Week 1: {lo1:g}-{hi1:g} × C; week 2: {f2:g} × week 1.")

    trainings = [{"kind": kind, "minutes": None, "max_km": None, "load": None} for kind in kinds]
    for w in range(2):
        week_days = list(range(7 * w, 7 * w + 7))
        _fill_week(trainings, week_days, plan["weeks"][w], chronic, view, plan, k, soon)
    for w in range(2):
        loads = [trainings[i]["load"] for i in range(7 * w, 7 * w + 7)]
        week = plan["weeks"][w]
        week["planned_load"] = None if all(x is None for x in loads) else round(sum(x or 0 for x in loads), 1)
        if week["planned_load"] is not None and week["target_low"] and week["planned_load"] < week["target_low"]:
            plan["why"].append(f"Week {w + 1} plans {week['planned_load']:.0f}, below its target: fewer strength "
                               "or cross-training sessions, or shorter runs, than the log held.")
    plan["days"] = [_day(dates, i, trainings, profile, top_ids, k) for i in range(14)]
    if chronic is not None:
        _week_notes(plan, ranges, k, load_unit(plan["load_metric"]))
    _add_cause_steps(plan, ranking, k)
    if soon:
        for text in reversed(plan["headline"]):
            plan["days"][0]["notes"].insert(0, "Red flag: " + text)
        plan["why"].append("A red flag that needs a doctor within days: easy running only, no run over "
                           f"{k.get('soon_flag_max_run_minutes', 60)} min, no strength.")
    return plan


def _pace_text(minutes_per_km: float) -> str:
    whole = int(minutes_per_km)
    seconds = int(round((minutes_per_km - whole) * 60))
    if seconds == 60:
        whole, seconds = whole + 1, 0
    return f"{whole}:{seconds:02d}"


def _easy_pace(daily, profile, k) -> tuple:
    """The easy pace [min/km] of a plan made from the answers, and where it came from.

    The log's own runs (the whole log: a plan from the answers has no recent
    weeks), else the threshold pace × ``easy_pace_from_threshold``, else the
    knowledge's ``easy_pace_min_km``.
    """
    if daily is not None and len(daily) and {"duration_min", "distance_km", "runs", "strength_sessions"} \
            <= set(daily.columns):
        rows = daily[(daily["runs"] > 0) & (daily["strength_sessions"] == 0) & (daily["distance_km"] > 0)]
        if len(rows) and rows["distance_km"].sum() > 0:
            pace = float(rows["duration_min"].sum() / rows["distance_km"].sum())
            fast, slow = k["easy_pace_range_min_km"]
            if fast <= pace <= slow:
                return pace, f"the pace of the {len(rows)} run days in the training log"
    threshold = profile.get("threshold_pace_min_km")
    if threshold:
        factor = k["easy_pace_from_threshold"]
        return float(threshold) * factor, f"{factor:g} × the threshold pace {_pace_text(float(threshold))} min/km"
    return float(k["easy_pace_min_km"]), "an assumed pace: no runs with a distance in the log and no threshold pace"


def _week_notes(plan, ranges, k, unit_text):
    """A note on each week's first day saying what its load target is, from the numbers themselves."""
    for w, (lo, hi) in enumerate(ranges):
        week = plan["weeks"][w]
        if week["target_low"] is None or len(plan["days"]) <= 7 * w:
            continue
        if hi < 1.0:
            words = "lighter than the usual week"
        elif lo >= 1.0:
            words = "more than the usual week"
        else:
            words = "about the usual week"
        text = (f"Week {w + 1}: load {week['target_low']:.0f}-{week['target_high']:.0f} {unit_text}, "
                f"{words} ({lo:.2g}-{hi:.2g} × its load)")
        if w == 1:
            text += f"; at most {k['week2_factor']:g} × week 1's upper target"
        plan["days"][7 * w]["notes"].insert(0, text + ".")


def _withheld_plan(plan, withheld, dates):
    plan["headline"] = [f"{f.get('title') or f['id']}: {f.get('action') or f.get('reason') or ''}".strip()
                        for f in withheld]
    plan["why"] = ["No training: a red flag needs a doctor first (" + ", ".join(f["id"] for f in withheld) + ")."]
    plan["weeks"] = [{"target_low": None, "target_high": None, "planned_load": None} for _ in range(2)]
    first = ["No training. " + text for text in plan["headline"]]
    later = ["No training until a doctor has seen you about: "
             + "; ".join(f.get("title") or f["id"] for f in withheld) + "."]
    for i, day in enumerate(dates):
        plan["days"].append({"date": day.isoformat(),
                             "training": {"kind": "rest", "minutes": None, "max_km": None, "load": None},
                             "carbs_g": None, "carbs_g_per_kg": None, "fluid": "", "fluid_l_per_h": None,
                             "electrolytes": False, "sleep_h": None, "warmup_min": None, "cooldown_min": None,
                             "notes": list(first if i == 0 else later)})
    return plan


def _fill_week(trainings, week_days, week, chronic, view, plan, k, soon):
    """Minutes, kilometres and load of one plan week, aiming at the middle of its target."""
    rpe = k["rpe"]
    ratio = k.get("long_run_minutes_ratio", 2.0)
    step = k.get("minutes_round_to", 5)
    max_min = k.get("soon_flag_max_run_minutes", 60) if soon else None
    count = {kind: sum(1 for i in week_days if trainings[i]["kind"] == kind) for kind in KINDS}
    if chronic is None or week["target_low"] is None:
        if plan.get("long_run_cap_min"):
            for i in week_days:
                if trainings[i]["kind"] == "long":
                    trainings[i]["minutes"] = plan["long_run_cap_min"]
        for i in week_days:
            if trainings[i]["kind"] == "rest":
                trainings[i]["load"] = None
        return
    lo, hi = week["target_low"], week["target_high"]
    aim = (lo + hi) / 2.0
    if plan["basis"] == "answers":  # loads are kilometres; minutes at the plan's easy pace
        parts = count["easy"] + ratio * count["long"] + count["quality"]
        km = aim / parts if parts else 0.0
        pace = plan["easy_pace_min_km"]
        for i in week_days:
            kind = trainings[i]["kind"]
            if kind in _RUNS:
                dist = km * (ratio if kind == "long" else 1.0)
                cap = min([c for c in (max_min, plan.get("long_run_cap_min") if kind == "long" else None) if c]
                          or [math.inf])
                if dist * pace > cap:  # a run capped in minutes is shorter, at the same pace
                    dist = cap / pace
                minutes = min(cap, max(step, _round_to(dist * pace, step))) if dist > 0 else 0
                trainings[i]["minutes"] = int(minutes)
                trainings[i]["load"] = round(dist, 1)
                trainings[i]["max_km"] = round(dist, 1)
            elif kind == "rest":
                trainings[i]["load"] = 0.0
            elif kind == "strength":
                trainings[i]["minutes"] = k.get("strength_minutes", 30)
                trainings[i]["load"] = 0.0
        return
    scale = view.scale
    strength_min = k.get("strength_minutes", 30)
    # runs carry the share of the load the log's runs carried; strength is capped at its own
    # sessions, so a week that drops strength work plans less than its target
    rest_of = aim * view.run_share
    if count["strength"] and view.run_share >= 1.0:
        rest_of = max(aim - count["strength"] * strength_min * rpe["strength"] * scale, 0.0)
    per_easy_unit = scale * (rpe["easy"] * count["easy"] + rpe["long"] * ratio * count["long"]
                             + rpe["quality"] * count["quality"])
    m = rest_of / per_easy_unit if per_easy_unit else 0.0
    long_min = ratio * m
    cap_km = plan.get("long_run_cap_km")
    if count["long"] and cap_km and view.pace and long_min / view.pace > cap_km:
        long_min = cap_km * view.pace
        others = scale * (rpe["easy"] * count["easy"] + rpe["quality"] * count["quality"])
        m = (rest_of - scale * rpe["long"] * long_min * count["long"]) / others if others else 0.0
    if count["long"]:
        m = min(m, long_min)  # no easy or quality run longer than the long run
    if max_min:
        m = min(m, max_min)
    minutes = {"easy": m, "quality": m, "long": long_min, "strength": strength_min}

    def settle(rounder):
        out = {}
        for i in week_days:
            kind = trainings[i]["kind"]
            if kind in minutes and kind in rpe:
                value = rounder(minutes[kind]) if kind != "strength" else minutes[kind]
                out[i] = (value, round(rpe[kind] * value * scale, 1))
        return out

    chosen = settle(lambda x: max(step, _round_to(x, step)) if x > 0 else 0)
    exact = sum(load for _, load in settle(lambda x: x).values())
    total = sum(load for _, load in chosen.values())
    if lo - 1e-6 <= exact <= hi + 1e-6 and not lo - 1e-6 <= total <= hi + 1e-6:
        chosen = settle(lambda x: _round_to(x, 1))  # 5-min steps would leave the target
    for i in week_days:
        kind = trainings[i]["kind"]
        if i in chosen:
            mins, load = chosen[i]
            trainings[i]["minutes"] = int(mins)
            trainings[i]["load"] = load
            if kind == "long":
                trainings[i]["max_km"] = cap_km
        elif kind == "rest":
            trainings[i]["load"] = 0.0


def training_carbs_band(hours, knowledge=None) -> list:
    """The carbohydrate band of a training day for the athlete's training hours.

    Parameters
    ----------
    hours : float or None
        ``training_hours_per_day`` [h]; ``None`` when unknown.
    knowledge : dict, optional
        The plan knowledge (``heavylegs/knowledge/plan.yaml``), read by default.

    Returns
    -------
    list of float
        ``[low, high]`` [g/kg body mass a day]: the ``training`` band (5-7) when the hours
        are unknown or about an hour, 6-10 above an hour, 8-12 from 4 hours
        (ACSM/AND/DC 2016, as ``spec/profile.md`` gives them).

    Examples
    --------
    >>> [training_carbs_band(h) for h in (None, 1, 2, 4)]
    [[5, 7], [5, 7], [6, 10], [8, 12]]
    """
    k = load_plan_knowledge() if knowledge is None else knowledge
    band = list(k["carbs_g_per_kg"]["training"])
    if hours is None:
        return band
    for row in k.get("carbs_by_training_hours") or ():
        if ("over_h" in row and hours > row["over_h"]) or ("from_h" in row and hours >= row["from_h"]):
            band = list(row["band"])
    return band


def _day(dates, i, trainings, profile, top_ids, k):
    training = trainings[i]
    kind = training["kind"]
    nxt = trainings[i + 1]["kind"] if i + 1 < len(trainings) else None
    daily = training_carbs_band(profile.get("training_hours_per_day"), k)
    if kind == "long" or nxt == "long":
        long = k["carbs_g_per_kg"]["long"]
        band = [max(long[0], daily[0]), max(long[1], daily[1])]
    elif kind == "rest":
        band = k["carbs_g_per_kg"]["rest"]
    else:
        band = daily
    mass = profile.get("body_mass_kg")
    carbs = None if not mass else int(_round_to((band[0] + band[1]) / 2.0 * mass, 10))
    minutes = training["minutes"]
    runs = kind in _RUNS or kind == "cross"
    long_session = kind == "long" or (minutes is not None and minutes > k.get("fluid_session_min", 60))
    hot = bool(profile.get("hot_climate"))
    electrolytes = runs and (hot or (minutes is not None and minutes > k.get("electrolytes_session_min", 90))
                             or (kind == "long" and minutes is None))
    rate = None
    if long_session and runs:
        loss, hours = profile.get("run_mass_loss_pct"), (profile.get("long_run_min") or 0) / 60.0
        if loss is not None and mass and hours > 0:
            rate = round(loss * mass / 100.0 / hours, 2)
        fluid = f"Drink to keep body-mass loss under {k.get('max_mass_loss_pct', 2)} %"
        fluid += f", about {rate:.1f} L an hour (your sweat loss)" if rate else ""
        fluid += "; never so much that weight goes up."
    elif runs:
        fluid = "Drink to thirst around the run."
    else:
        fluid = "Drink to thirst through the day."
    if electrolytes:
        fluid += " A drink with sodium (electrolytes)" + (" in the heat." if hot and not (
            minutes and minutes > k.get("electrolytes_session_min", 90)) else " on the run.")
    sleep = k.get("sleep_h_when_tired", 8) if top_ids & set(k.get("sleep_causes", [])) else k.get("sleep_h", 7)
    run = kind in _RUNS
    warm = (k.get("warmup_min_quality", 20) if kind == "quality" else k.get("warmup_min", 10)) if run else None
    return {"date": dates[i].isoformat(), "training": dict(training), "carbs_g": carbs,
            "carbs_g_per_kg": list(band), "fluid": fluid, "fluid_l_per_h": rate, "electrolytes": bool(electrolytes),
            "sleep_h": sleep, "warmup_min": warm, "cooldown_min": k.get("cooldown_min", 10) if run else None,
            "notes": []}


def _step_days(when, kinds):
    n = len(kinds)
    runs = [i for i, kd in enumerate(kinds) if kd in _RUNS]
    pick = {
        "first_day": [0],
        "last_day": [n - 1],
        "every_day": list(range(n)),
        "first_rest_day": [i for i, kd in enumerate(kinds) if kd == "rest"][:1] or [0],
        "first_run_day": runs[:1],
        "first_easy_day": ([i for i, kd in enumerate(kinds) if kd == "easy"] or runs)[:1],
        "long_run_days": [i for i, kd in enumerate(kinds) if kd == "long"],
        "first_long_run": [i for i, kd in enumerate(kinds) if kd == "long"][:1],
        "day_before_long_run": [i - 1 for i, kd in enumerate(kinds) if kd == "long" and i > 0],
        "quality_days": [i for i, kd in enumerate(kinds) if kd == "quality"],
        "strength_days": [i for i, kd in enumerate(kinds) if kd == "strength"],
        "run_days": runs,
        "rest_days": [i for i, kd in enumerate(kinds) if kd == "rest"],
    }
    return pick[when]


def _add_cause_steps(plan, ranking, k):
    kinds = [d["training"]["kind"] for d in plan["days"]]
    blocks = k.get("causes") or {}
    for cause in _likely_top(ranking):
        block = blocks.get(cause["id"])
        if not block:
            continue
        steps = []
        for step in block.get("steps") or []:
            days = _step_days(step["when"], kinds)
            for i in days:
                plan["days"][i]["notes"].append(step["text"])
            if days:
                steps.append(step["text"])
        plan["causes"].append({"id": cause["id"], "title": cause.get("title", cause["id"]),
                               "band": cause.get("band"), "score": cause.get("score"),
                               "doctor": bool(block.get("doctor")), "steps": steps,
                               "sources": list(block.get("sources") or [])})


# --------------------------------------------------------------------------- words

def day_texts(day: dict, unit: str = "km", metric: str | None = None) -> dict:
    """One day of a plan in words, for tables, the calendar and the dashboard.

    Parameters
    ----------
    day : dict
        One entry of a plan's ``days``.
    unit : {"km", "mi"}
        The athlete's distance unit.
    metric : str, optional
        The plan's ``load_metric`` (a ``distance`` load is written as a distance).

    Returns
    -------
    dict
        ``training``, ``fuel``, ``fluid``, ``recovery`` and ``notes`` (str).
    """
    t = day["training"]
    kind = t["kind"]
    words = _KIND_WORDS.get(kind, kind)
    parts = []
    if t.get("minutes"):
        parts.append(("at most " if kind == "long" and t.get("max_km") is None else "") + f"{t['minutes']} min")
    if t.get("max_km") is not None and kind in _RUNS:
        parts.append(("≤ " if kind == "long" else "") + distance_text(t["max_km"], unit))
    training = words + (" " + ", ".join(parts) if parts else "")
    if t.get("load") and kind != "rest" and metric not in (None, "distance"):
        training += f" (load {t['load']:.0f} {load_unit(metric)})"
    band = day.get("carbs_g_per_kg")
    fuel = ""
    if day.get("carbs_g"):
        fuel = f"Carbohydrate about {day['carbs_g']} g"
        if band:
            fuel += f" ({band[0]:g}-{band[1]:g} g/kg)"
    elif band:
        fuel = f"Carbohydrate {band[0]:g}-{band[1]:g} g per kg body mass"
    recovery = []
    if day.get("warmup_min"):
        recovery.append(f"warm up {day['warmup_min']} min")
    if day.get("cooldown_min"):
        recovery.append(f"cool down {day['cooldown_min']} min")
    if day.get("sleep_h"):
        recovery.append(f"sleep {day['sleep_h']:g} h")
    text = "; ".join(recovery)
    return {"training": training, "fuel": fuel, "fluid": day.get("fluid") or "",
            "recovery": text[:1].upper() + text[1:], "notes": " ".join(day.get("notes") or [])}


# --------------------------------------------------------------------------- validation and editing

_LIMITS = {"minutes": (0, 1440, "min"), "max_km": (0, 1000, "km"), "load": (0, 100000, ""),
           "carbs_g": (0, 2000, "g"), "sleep_h": (0, 14, "h")}


def plan_columns(unit: str = "km") -> list:
    """Columns of :func:`plan_rows`; the distance column is ``max_km`` or ``max_mi``."""
    return ["day", "date", "kind", "minutes", f"max_{unit}", "load", "carbs_g", "fluid", "sleep_h", "notes"]


def plan_column_labels(unit: str = "km", metric: str | None = None) -> dict:
    """Headers of the plan table's columns, each with its unit (``load`` in the plan's metric).

    Parameters
    ----------
    unit : {"km", "mi"}
        The athlete's distance unit.
    metric : str, optional
        The plan's ``load_metric``.
    """
    load = load_unit(metric, unit)
    return {"day": "day", "date": "date", "kind": "kind", "minutes": "minutes [min]",
            f"max_{unit}": f"max [{unit}]", "load": f"load [{load}]" if load else "load",
            "carbs_g": "carbs [g]", "fluid": "fluid", "sleep_h": "sleep [h]", "notes": "notes"}


def plan_rows(plan: dict, unit: str = "km") -> list:
    """The plan as an editable table: one row per day.

    Parameters
    ----------
    plan : dict
        A ``heavylegs.plan/1`` document.
    unit : {"km", "mi"}
        The distance column is in this unit (``max_km`` or ``max_mi``).

    Returns
    -------
    list of dict
        Keys of :func:`plan_columns`: ``day`` (1-14) and ``date`` are fixed;
        ``kind`` (one of :data:`KINDS`), ``minutes`` [min], ``max_km`` or
        ``max_mi``, ``load`` (in the plan's load metric), ``carbs_g`` [g],
        ``fluid`` (text), ``sleep_h`` [h] and ``notes`` (the day's notes
        joined by " | ") can be edited.
    """
    rows = []
    for i, day in enumerate(plan["days"]):
        t = day["training"]
        dist = t.get("max_km")
        if dist is not None and unit == "mi":
            dist = round(dist / KM_PER_MILE, 1)
        rows.append({"day": i + 1, "date": day["date"], "kind": t["kind"], "minutes": t.get("minutes"),
                     f"max_{unit}": dist, "load": t.get("load"), "carbs_g": day.get("carbs_g"),
                     "fluid": day.get("fluid") or "", "sleep_h": day.get("sleep_h"),
                     "notes": " | ".join(day.get("notes") or [])})
    return rows


def _number(value, column, where, problems, integer=False):
    lo, hi, unit = _LIMITS[column if column in _LIMITS else "max_km"]
    if value is None or (isinstance(value, str) and value.strip() in ("", "-", "–")):
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    try:
        if isinstance(value, bool):
            raise ValueError
        number = float(str(value).strip().replace(",", ".")) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        problems.append(where(column, f"found {value!r}, expected a number from {lo} to {hi}"
                                      + (f" [{unit}]" if unit else "") + " or empty"))
        return None
    if not lo <= number <= hi or math.isnan(number):
        problems.append(where(column, f"found {value!r}, expected a number from {lo} to {hi}"
                                      + (f" [{unit}]" if unit else "") + " or empty"))
        return None
    return int(round(number)) if integer else number


def _check_day(day_no, date, values, unit, problems, source, withheld):
    def where(column, message):
        return Problem(source, f"day {day_no} ({date}): {message}", field=column, line=day_no)

    kind = values.get("kind")
    kind = str(kind).strip().lower() if kind is not None else None
    if kind not in KINDS:
        problems.append(where("kind", f"found {values.get('kind')!r}, expected one of " + ", ".join(KINDS)))
    if withheld and kind not in (None, "rest"):
        problems.append(where("kind", f"found {kind!r}, expected rest: training is withheld for the red flag "
                                      + ", ".join(withheld)))
    minutes = _number(values.get("minutes"), "minutes", where, problems, integer=True)
    dist = _number(values.get(f"max_{unit}"), f"max_{unit}", where, problems)
    if dist is not None and unit == "mi":
        dist = round(dist * KM_PER_MILE, 2)
    load = _number(values.get("load"), "load", where, problems)
    carbs = _number(values.get("carbs_g"), "carbs_g", where, problems, integer=True)
    sleep = _number(values.get("sleep_h"), "sleep_h", where, problems)
    if kind == "rest" and (minutes or load):
        problems.append(where("minutes" if minutes else "load",
                              f"found {minutes or load!r} on a rest day, expected empty or 0"))
    fluid = values.get("fluid")
    fluid = "" if fluid is None else str(fluid)
    if len(fluid) > 500:
        problems.append(where("fluid", f"found {len(fluid)} characters, expected at most 500"))
    notes = values.get("notes")
    if isinstance(notes, (list, tuple)):
        notes = [str(n) for n in notes]
    else:
        notes = [n.strip() for n in str(notes or "").split("|") if n.strip()]
    if sum(len(n) for n in notes) > 3000:
        problems.append(where("notes", "found more than 3000 characters, expected at most 3000"))
    return {"kind": kind, "minutes": minutes, "max_km": dist, "load": load, "carbs_g": carbs,
            "sleep_h": sleep, "fluid": fluid, "notes": notes}


def pace_problem(kind: str, minutes, max_km, knowledge=None) -> str | None:
    """Why a run of ``minutes`` over ``max_km`` is impossible, or None.

    Parameters
    ----------
    kind : str
        The day's kind; only runs (easy, long, quality) are checked.
    minutes : number or None
        The day's minutes [min].
    max_km : number or None
        The day's distance [km].
    knowledge : dict, optional
        :func:`load_plan_knowledge`; gives ``fastest_pace_min_km``.

    Returns
    -------
    str or None
        "35 min for 16.5 km is 2:07 min/km, ..." when the pace is faster
        than anyone runs (``fastest_pace_min_km``).
    """
    if kind not in _RUNS or not minutes or not max_km:
        return None
    k = knowledge or load_plan_knowledge()
    fastest = k["fastest_pace_min_km"]
    pace = float(minutes) / float(max_km)
    if pace >= fastest:
        return None
    return (f"{minutes:g} min for {max_km:g} km is {_pace_text(pace)} min/km, faster than anyone runs "
            f"(the road world records from 5 km to the marathon are slower than {_pace_text(fastest)} min/km): "
            "give the day more minutes or fewer kilometres")


def apply_plan_edits(plan: dict, rows, unit: str = "km") -> dict:
    """The plan with the coach's edits of :func:`plan_rows` applied, every cell validated.

    Parameters
    ----------
    plan : dict
        The plan the rows were made from.
    rows : list of dict or pandas.DataFrame
        14 rows with the columns of :func:`plan_columns` (cells may be text,
        as typed in a grid; an empty cell is unknown).
    unit : {"km", "mi"}
        Unit of the distance column.

    Returns
    -------
    dict
        A new plan (the input is not changed) with ``"edited": true`` and
        each week's ``planned_load`` recomputed.

    Raises
    ------
    InputError
        One problem per bad cell, naming the day (number and date) and the
        column, what was found and what was expected; a row for another day
        or a changed date is refused too. On a plan withheld for a red flag,
        every day must stay a rest day.
    """
    if hasattr(rows, "to_dict"):
        rows = rows.to_dict("records")
    rows = list(rows)
    source = "plan table"
    problems = []
    days = plan["days"]
    if len(rows) != len(days):
        raise InputError([Problem(source, f"found {len(rows)} rows, expected {len(days)}, one per day")])
    new = copy.deepcopy(plan)
    withheld = plan.get("withheld_for") or []
    for i, (row, day) in enumerate(zip(rows, days)):
        if str(row.get("day", i + 1)) != str(i + 1) or str(row.get("date", day["date"])) != day["date"]:
            problems.append(Problem(source, f"day {i + 1} ({day['date']}): found day {row.get('day')!r} "
                                            f"dated {row.get('date')!r}, expected day {i + 1} dated {day['date']}; "
                                            "days and dates cannot be edited", field="day", line=i + 1))
            continue
        clean = _check_day(i + 1, day["date"], row, unit, problems, source, withheld)
        original = day["training"].get("max_km")
        if unit == "mi" and original is not None and clean["max_km"] is not None and \
                abs(clean["max_km"] - round(original / KM_PER_MILE, 1) * KM_PER_MILE) < 0.006:
            clean["max_km"] = original  # an untouched cell in miles keeps its kilometres exactly
        impossible = pace_problem(clean["kind"], clean["minutes"], clean["max_km"])
        if impossible:
            problems.append(Problem(source, f"day {i + 1} ({day['date']}): {impossible}", field="minutes",
                                    line=i + 1))
        clean["load"] = _load_after_edit(day["training"], clean, plan.get("load_metric"))
        target = new["days"][i]
        target["training"] = {"kind": clean["kind"], "minutes": clean["minutes"], "max_km": clean["max_km"],
                              "load": 0.0 if clean["kind"] == "rest" and clean["load"] is None else clean["load"]}
        target["carbs_g"], target["sleep_h"] = clean["carbs_g"], clean["sleep_h"]
        target["fluid"], target["notes"] = clean["fluid"], clean["notes"]
    if problems:
        raise InputError(problems)
    for w, week in enumerate(new.get("weeks") or []):
        loads = [d["training"]["load"] for d in new["days"][7 * w: 7 * w + 7]]
        week["planned_load"] = None if all(x is None for x in loads) else round(sum(x or 0 for x in loads), 1)
    new["edited"] = True
    return new


def _load_after_edit(before: dict, clean: dict, metric) -> float | None:
    """The day's load after an edit: the coach's own when changed, else following the minutes or km.

    An edit of the minutes (or, for a distance load, of the kilometres) that
    leaves the load cell as it was scales the load with it, at the day's
    intensity, so the load never contradicts the minutes.
    """
    load = clean["load"]
    if load != before.get("load") or clean["kind"] != before.get("kind") or clean["kind"] not in _RUNS:
        return load
    if metric == "distance":
        return round(clean["max_km"], 1) if clean["max_km"] is not None else load
    old_minutes, new_minutes = before.get("minutes"), clean["minutes"]
    if load is not None and old_minutes and new_minutes and new_minutes != old_minutes:
        return round(load * new_minutes / old_minutes, 1)
    return load


def validate_plan(plan, source: str = "<plan>") -> dict:
    """Check a ``heavylegs.plan/1`` document, e.g. one read back from an assessment.

    Returns
    -------
    dict
        The plan itself.

    Raises
    ------
    InputError
        When the format, the athlete, the start, the 14 days and their dates
        or a day's values are not as ``spec/cli.md`` describes.
    """
    if not isinstance(plan, dict):
        raise InputError([Problem(source, f"found {type(plan).__name__}, expected a plan object", field="plan")])
    problems = []
    if plan.get("format") != PLAN_FORMAT:
        problems.append(Problem(source, f"found format {plan.get('format')!r}, expected {PLAN_FORMAT!r}",
                                field="plan.format"))
    days = plan.get("days")
    if not isinstance(days, list) or len(days) != 14:
        problems.append(Problem(source, f"found {len(days) if isinstance(days, list) else days!r} days, "
                                        "expected 14", field="plan.days"))
    if problems:
        raise InputError(problems)
    try:
        first = _dt.date.fromisoformat(str(plan.get("start")))
    except ValueError:
        raise InputError([Problem(source, f"found {plan.get('start')!r}, expected a date YYYY-MM-DD",
                                  field="plan.start")]) from None
    withheld = plan.get("withheld_for") or []
    for i, day in enumerate(days):
        expected = (first + _dt.timedelta(days=i)).isoformat()
        if not isinstance(day, dict) or day.get("date") != expected or not isinstance(day.get("training"), dict):
            problems.append(Problem(source, f"day {i + 1}: found {day.get('date') if isinstance(day, dict) else day!r}, "
                                            f"expected a day dated {expected} with a training", field="plan.days",
                                    line=i + 1))
            continue
        t = day["training"]
        values = {"kind": t.get("kind"), "minutes": t.get("minutes"), "max_km": t.get("max_km"),
                  "load": t.get("load"), "carbs_g": day.get("carbs_g"), "sleep_h": day.get("sleep_h"),
                  "fluid": day.get("fluid"), "notes": day.get("notes")}
        _check_day(i + 1, expected, values, "km", problems, source, withheld)
    if problems:
        raise InputError(problems)
    return plan


# --------------------------------------------------------------------------- load projection

def plan_load_projection(assessment, plan: dict):
    """The plan's daily loads after the log, and the ACWR they lead to.

    Parameters
    ----------
    assessment : heavylegs.analysis.pipeline.Assessment or dict
        The assessment the plan was built from (its ``daily`` series).
    plan : dict
        A plan (edited or not).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``date`` from the day after the log's last day to the
        plan's last day: ``load`` (the plan's load in ``load_metric``; 0 on
        days between the log and the plan's start), ``planned`` (bool: a plan
        day) and ``acwr``, the coupled ACWR of ``spec/metrics.md`` (7-day
        load ÷ (28-day load ÷ 4)) over the log followed by these days; null
        until the series has 28 days and when the 28-day load is 0. Empty
        for a plan with no loads.

    Notes
    -----
    The log's load is read in the same column as the plan's targets
    (:func:`build_plan`); a plan made from answers (loads in km) has no log
    to continue, so its ACWR is null until its own 28 days.
    """
    start = pd.Timestamp(plan["start"])
    end = start + pd.Timedelta(days=len(plan["days"]) - 1)
    daily = _part(assessment, "daily")
    history = pd.Series(dtype=float)
    if daily is not None and len(daily) and plan.get("basis") == "log":
        column, _ = load_source(daily)
        if column not in daily.columns:
            column = "load_au"
        history = daily[column].astype(float)
        history = history[history.index < start]
    first = history.index[-1] + pd.Timedelta(days=1) if len(history) else start
    index = pd.date_range(first, end, freq="D", name="date")
    planned = pd.Series(0.0, index=index)
    is_plan = pd.Series(False, index=index)
    for day in plan["days"]:
        stamp = pd.Timestamp(day["date"])
        if stamp in planned.index:
            planned[stamp] = float(day["training"].get("load") or 0.0)
            is_plan[stamp] = True
    series = pd.concat([history, planned])
    values = series.to_numpy(dtype=float)
    n = len(values)
    acwr = np.full(n, np.nan)
    if n >= CHRONIC_DAYS:  # the weekly table's coupled ACWR, on every day from the 28th
        windows = sliding_window_view(values, CHRONIC_DAYS)
        acwr[CHRONIC_DAYS - 1:] = acute_chronic_ratio(windows[:, -ACUTE_DAYS:].sum(axis=1), windows.sum(axis=1))
    out = pd.DataFrame({"load": planned.to_numpy(), "planned": is_plan.to_numpy(),
                        "acwr": acwr[len(history):]}, index=index)
    out.attrs["load_metric"] = plan.get("load_metric")  # what the loads are in, for the charts
    return out
