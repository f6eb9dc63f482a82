"""What the squad's two modules share: the row's columns, its number of causes, days and rounding.

:mod:`heavylegs.analysis.squad` (the rows, their cache, filters and outputs;
no pandas) and :mod:`heavylegs.analysis.squad_row` (one row from the
assessment pipeline) both import these; nothing else does.
"""
from __future__ import annotations

import datetime as _dt
import math

__all__ = ["SQUAD_COLUMNS", "WELLNESS_COLUMNS", "TOP_CAUSES", "as_day", "rounded"]

#: Columns of a row, in the order of ``spec/cli.md`` and then the additions
#: (``chronic_load``, ``error``, ``load_as_of``, ``last_session``, ``days_since_session``).
SQUAD_COLUMNS = ("athlete_id", "name", "red_flags", "top_causes", "last_assessment", "acwr", "week_load",
                 "load_metric", "heaviness_7d", "heaviness_trend", "last_checkin", "chronic_load", "error",
                 "load_as_of", "last_session", "days_since_session")
#: The wearable's columns (``spec/wellness.md``), added after the others.
WELLNESS_COLUMNS = ("rhr_7d_bpm", "rhr_trend_bpm", "rhr_source", "hrv_7d_ms", "hrv_trend_pct", "hrv_below_normal",
                    "hrv_source")
SQUAD_COLUMNS = SQUAD_COLUMNS + WELLNESS_COLUMNS
#: Causes a row shows.
TOP_CAUSES = 3


def as_day(today) -> _dt.date:
    """A day from None (today), a date, a datetime or ``YYYY-MM-DD`` text."""
    if today is None:
        return _dt.date.today()
    if isinstance(today, _dt.datetime):
        return today.date()
    if isinstance(today, _dt.date):
        return today
    return _dt.date.fromisoformat(str(today)[:10])


def rounded(value, digits: int):
    """``value`` rounded to ``digits`` as a float, None for None or NaN."""
    if value is None:
        return None
    value = float(value)
    if math.isnan(value):
        return None
    return round(value, digits)
