"""The two-week plan document (``heavylegs.plan/1``, ``spec/cli.md``): its kinds of day, its limits, its checks.

A plan is made by :func:`heavylegs.analysis.plan.build_plan` and saved with an
assessment; reading an assessment back (:func:`heavylegs.store.assessments.read_assessment`)
checks its plan here, and the coach's edits of a plan are checked day by day
with the same :func:`check_plan_day`.
"""
from __future__ import annotations

import datetime as _dt
import math

from heavylegs.errors import InputError, Problem
from heavylegs.vocabulary import KM_PER_MILE

__all__ = ["PLAN_FORMAT", "KINDS", "PLAN_LIMITS", "check_plan_day", "validate_plan"]

PLAN_FORMAT = "heavylegs.plan/1"
#: Kinds of training day, as in ``plan.json``.
KINDS = ("rest", "easy", "long", "quality", "strength", "cross")
#: Each number of a plan's day: (lowest, highest, unit); the distance is checked in km.
PLAN_LIMITS = {"minutes": (0, 1440, "min"), "max_km": (0, 1000, "km"), "load": (0, 100000, ""),
               "carbs_g": (0, 2000, "g"), "sleep_h": (0, 14, "h")}


def _number(value, column, where, problems, integer=False):
    lo, hi, unit = PLAN_LIMITS[column if column in PLAN_LIMITS else "max_km"]
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


def check_plan_day(day_no, date, values, unit, problems, source, withheld):
    """Check one day's values of a plan (a saved day, or a row the coach edited) and return them cleaned.

    Parameters
    ----------
    day_no : int
        The day, 1-14 (named in messages, and their line).
    date : str
        The day's date, ``YYYY-MM-DD``.
    values : dict
        ``kind``, ``minutes`` [min], ``max_km`` or ``max_mi`` (see ``unit``),
        ``load``, ``carbs_g`` [g], ``sleep_h`` [h], ``fluid`` (text) and
        ``notes`` (list, or text joined by " | ").
    unit : {"km", "mi"}
        The unit of the distance value (``max_<unit>``).
    problems : list
        Where a :class:`~heavylegs.errors.Problem` is appended for each bad value.
    source : str
        The file or form to name.
    withheld : list of str
        Red flags for which training is withheld (every day must then be rest).

    Returns
    -------
    dict
        ``kind``, ``minutes``, ``max_km`` (km), ``load``, ``carbs_g``,
        ``sleep_h``, ``fluid`` and ``notes`` (list); a bad value is None.
    """
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
        check_plan_day(i + 1, expected, values, "km", problems, source, withheld)
    if problems:
        raise InputError(problems)
    return plan
