"""Training-load metrics of a training log (``spec/metrics.md``).

Everything here is a pure function of a training log (as returned by
:func:`heavylegs.logs.traininglog.read_log`) and an optional last day ``until``:

* :func:`session_load` — the session-RPE load of each row;
* :func:`daily_load` — the daily series, one row per day;
* :func:`fitness_fatigue` — daily fitness, fatigue and form;
* :func:`weekly_table` — the weekly table of the spec, column for column;
* :func:`weekly_records` / :func:`weekly_display` — that table for JSON and
  for people;
* :func:`log_facts` — the evidence a log gives to scoring.

The formulas are those of :mod:`heavylegs.metrics`, applied to numpy arrays
of the daily series (:class:`DailySeries`; rolling windows as strided views),
so a ten-year daily log takes milliseconds; :mod:`heavylegs.engine.batch`
applies the same formulas to many athletes at once.

Conventions where published tools differ (``spec/metrics.md`` names them):
sample standard deviation for monotony, α = 1 − e^(−1/N) for fitness and
fatigue starting from 0, λ = 2/(N + 1) for the EWMA ratio seeded with the
first day's load, calendar weeks Monday to Sunday, and "the 30 days before a
run" meaning the 30 days before its date, not counting that date.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from heavylegs.engine._common import (
    DEVICE_METRICS,
    INT_COLUMNS,
    TEXT_COLUMNS,
    WEEKLY_COLUMNS,
    as_day,
    empty_weekly,
    ratio_columns,
    rolling_max_before,
    session_rpe,
)
from heavylegs.engine.device_load import check_metric, choose_metric, metric_values, session_load_arrays
from heavylegs.logs.traininglog import checked_log
from heavylegs.metrics.fitness import fitness_fatigue as fitness_fatigue_of
from heavylegs.metrics.monotony import monotony as monotony_of
from heavylegs.metrics.monotony import strain as strain_of
from heavylegs.metrics.progression import SPIKE_LOOKBACK_DAYS, distance_change_pct, long_run_spike_pct
from heavylegs.metrics.ratios import ACUTE_DAYS, CHRONIC_DAYS, ewma_loads
from heavylegs.metrics.session import DEFAULT_RPE, DEFAULT_RPE_UNKNOWN_TYPE, session_rpe_load
from heavylegs.vocabulary import FIELDS

__all__ = [
    "DEFAULT_RPE",
    "DEFAULT_RPE_UNKNOWN_TYPE",
    "WEEKLY_COLUMNS",
    "HARD_SESSION_TYPES",
    "DailySeries",
    "session_load",
    "daily_load",
    "fitness_fatigue",
    "weekly_table",
    "weekly_records",
    "weekly_display",
    "log_facts",
]

#: Session types counted as hard sessions (as is any session with RPE ≥ 7).
HARD_SESSION_TYPES = ("interval", "tempo", "hills", "race")
_HARD_RPE = 7.0

# Windows of log_facts [days].
_REST_WINDOW_DAYS = 14
_RECENT_DAYS = 7
_RATE_WINDOW_DAYS = 28
_MIN_RATE_DAYS = 7

_DAILY_COLUMNS = ("load_au", "sessions", "rest_day", "runs", "distance_km", "duration_min",
                  "strength_sessions", "sessions_rpe_estimated", "longest_run_km")


def session_load(log) -> pd.DataFrame:
    """The session-RPE load of every row of a log.

    Parameters
    ----------
    log : pandas.DataFrame
        A training log (checked with :func:`~heavylegs.logs.traininglog.validate_log`
        unless it comes from :func:`~heavylegs.logs.traininglog.read_log`).

    Returns
    -------
    pandas.DataFrame
        A copy of the log with two more columns: ``load_au``, session load
        [AU], and ``rpe_estimated`` (bool), True when the RPE was unknown and
        taken from :data:`DEFAULT_RPE`. ``rest`` rows have load 0 and are
        never estimated.

    Notes
    -----
    Session load = session RPE (CR-10) × duration [min] (Foster et al. 2001).
    An unknown RPE is assumed from the session type (recovery 2, easy 3,
    long 4, tempo 6, hills 7, interval 7, race 9, strength 5, cross 3), or 3
    when the type is unknown too (``spec/metrics.md``).

    References
    ----------
    Foster C, Florhaug JA, Franklin J, et al. (2001). A new approach to
    monitoring exercise training. J Strength Cond Res 15(1):109-115.
    """
    log = checked_log(log)
    out = log.copy()
    rpe, estimated = session_rpe(log)
    rest = (log["activity"] == "rest").to_numpy()
    load = session_rpe_load(rpe, log["duration_min"].to_numpy(dtype=float))
    load[rest] = 0.0
    out["load_au"] = load
    out["rpe_estimated"] = estimated
    return out


# ---------------------------------------------------------------------------
# The daily series


class DailySeries:
    """One athlete's daily series as numpy arrays, built once for every table of it.

    Parameters
    ----------
    log : pandas.DataFrame
        A training log.
    until : str, date or Timestamp, optional
        Last day of the series (see :func:`daily_load`).
    metric, profile :
        The load metric and the thresholds, as in :func:`weekly_table`.

    Attributes
    ----------
    start : pandas.Timestamp or None
        The first day (None without days).
    n : int
        Days in the series.
    sessions : pandas.DataFrame
        The log's rows up to the last day.
    day : numpy.ndarray of int
        Each session's day in the series (0 = ``start``).

    Notes
    -----
    :meth:`arrays` gives the per-day arrays (computed on first use);
    :meth:`weekly_table` and :meth:`log_facts` the results of
    :func:`weekly_table` and :func:`log_facts` from them, so that the
    pipeline builds the series once for both.
    """

    def __init__(self, log, until=None, metric="auto", profile=None):
        log = checked_log(log)
        self.metric, self.profile = check_metric(metric), profile
        if len(log) == 0:
            self.start, self.n, self.sessions, self.day = None, 0, log, np.zeros(0, dtype=int)
        else:
            dates = log["date"].to_numpy(dtype="datetime64[D]")
            first = dates.min()
            last = as_day(until, pd.Timestamp(dates.max())).to_datetime64().astype("datetime64[D]")
            self.start = pd.Timestamp(first)
            self.n = max(int((last - first).astype(int)) + 1, 0)
            keep = dates <= last
            self.sessions = log[keep] if not keep.all() else log
            self.day = (dates[keep] - first).astype(int)
        self._arrays = None

    def arrays(self) -> dict:
        """Per-day arrays of length :attr:`n` (``load_au``, ``load``, ``sessions``, ``rest_day``,
        ``runs``, ``distance_km``, ``duration_min``, ``strength_sessions``, the estimated counts,
        ``longest_run_nan``, each device metric and its ``_known`` count), and ``load_metric``
        with ``load_metric_why``."""
        if self._arrays is not None:
            return self._arrays
        n, day, log = self.n, self.day, self.sessions
        activity = log["activity"].to_numpy(dtype=object)
        rest = activity == "rest"
        run = activity == "run"
        duration = log["duration_min"].to_numpy(dtype=float)
        loads = session_load_arrays(log, self.profile)
        estimated = ~rest & (loads["srpe_method"] != "rpe")   # the RPE was unknown
        last = None if self.start is None else self.start + pd.Timedelta(days=n - 1)
        metric, why = choose_metric(loads, log, self.metric, last if self.metric == "auto" else None)
        values = metric_values(loads, log, metric)
        if metric == "srpe":
            load_estimated = estimated
        else:
            load_estimated = ~rest & np.isnan(values)
        load = loads["srpe"]
        distance = log["distance_km"].to_numpy(dtype=float)
        run_km = np.where(run, np.nan_to_num(distance), 0.0)

        def per_day(weights):
            return np.bincount(day, weights=weights, minlength=n)[:n] if n else np.zeros(0)

        longest = np.full(n, np.nan)
        known = run & ~np.isnan(distance)
        np.fmax.at(longest, day[known], distance[known])
        sessions = per_day((~rest).astype(float))
        self._arrays = {
            "load_au": per_day(load),
            "sessions": sessions.astype(np.int64),
            "rest_day": sessions == 0,
            "runs": per_day(run.astype(float)).astype(np.int64),
            "distance_km": per_day(run_km),
            "duration_min": per_day(np.where(rest, 0.0, np.nan_to_num(duration))),
            "strength_sessions": per_day((activity == "strength").astype(float)).astype(np.int64),
            "sessions_rpe_estimated": per_day(estimated.astype(float)).astype(np.int64),
            "longest_run_nan": longest,  # NaN on days without a run of known distance
            "load": per_day(np.nan_to_num(values)),
            "sessions_load_estimated": per_day(load_estimated.astype(float)).astype(np.int64),
            "load_metric": metric,
            "load_metric_why": why,
        }
        for name in DEVICE_METRICS:
            column = np.asarray(loads[name], dtype=float)
            known = ~np.isnan(column)
            self._arrays[name] = per_day(np.where(known, column, 0.0))
            self._arrays[name + "_known"] = per_day(known.astype(float))
        return self._arrays

    def index(self) -> pd.DatetimeIndex:
        """The days of the series (``DatetimeIndex`` named ``date``)."""
        if self.n == 0:
            return pd.DatetimeIndex([], dtype="datetime64[ns]", name="date")
        return pd.date_range(self.start, periods=self.n, freq="D", name="date").astype("datetime64[ns]")

    def weekly_table(self) -> pd.DataFrame:
        """:func:`weekly_table` of this series."""
        return _weekly_from_series(self) if self.n else empty_weekly()

    def log_facts(self, table=None) -> dict:
        """:func:`log_facts` of this series (``table``: its :meth:`weekly_table`, when already built)."""
        if table is None and self.n:
            table = _weekly_from_series(self)
        return _facts_from_series(self, table)


def daily_load(log, until=None) -> pd.DataFrame:
    """The daily series of a log: one row per day from its first date to ``until``.

    Parameters
    ----------
    log : pandas.DataFrame
        A training log.
    until : str, date or Timestamp, optional
        Last day of the series (``YYYY-MM-DD`` text is accepted). Default: the
        last date in the log. Sessions after it are left out; days after the
        last session are rest days. Before the first log date the series is
        empty.

    Returns
    -------
    pandas.DataFrame
        Indexed by day (``DatetimeIndex`` named ``date``), with
        ``load_au`` (daily load [AU]), ``sessions`` (sessions that are not
        ``rest`` rows), ``rest_day`` (bool: no session), ``runs``,
        ``distance_km`` (run distance [km]; unknown distances add nothing),
        ``duration_min`` (all sessions [min]), ``strength_sessions``,
        ``sessions_rpe_estimated`` and ``longest_run_km`` (the longest run
        [km], 0 without a run).
    """
    series = DailySeries(log, until)
    arrays = series.arrays()
    columns = {name: arrays[name] for name in _DAILY_COLUMNS if name != "longest_run_km"}
    columns["longest_run_km"] = np.nan_to_num(arrays["longest_run_nan"], nan=0.0)
    return pd.DataFrame(columns, index=series.index(), columns=list(_DAILY_COLUMNS))


def fitness_fatigue(daily) -> pd.DataFrame:
    """Daily fitness, fatigue and form from daily loads.

    Parameters
    ----------
    daily : pandas.DataFrame or pandas.Series
        The frame of :func:`daily_load` (its ``load_au`` column is used), or
        a Series of daily loads [AU], one value per consecutive day.

    Returns
    -------
    pandas.DataFrame
        Same index, columns ``fitness``, ``fatigue`` and ``form`` [AU].

    Notes
    -----
    :func:`heavylegs.metrics.fitness.fitness_fatigue` on the series:
    exponentially weighted averages of daily load, α = 1 − e^(−1/42) for
    fitness and 1 − e^(−1/7) for fatigue, from 0 before the first day; form
    is fitness − fatigue. One day of 100 AU from nothing gives fitness 2.353
    and fatigue 13.312.

    References
    ----------
    Banister EW, Calvert TW, Savage MV, Bach T (1975). A systems model of
    training for athletic performance. Aust J Sports Med 7:57-61.
    """
    loads = daily["load_au"] if isinstance(daily, pd.DataFrame) else daily
    fitness, fatigue, form = fitness_fatigue_of(np.asarray(loads, dtype=float))
    return pd.DataFrame({"fitness": fitness, "fatigue": fatigue, "form": form}, index=loads.index)


# ---------------------------------------------------------------------------
# The weekly table


def _by_week(values: np.ndarray, offset: int, fill) -> np.ndarray:
    """Daily values as a (weeks, 7) array, Monday first, padded with ``fill``."""
    n = len(values)
    weeks = -(-(offset + n) // 7)
    padded = np.full(weeks * 7, fill, dtype=np.result_type(values.dtype, type(fill)))
    padded[offset:offset + n] = values
    return padded.reshape(weeks, 7)


def weekly_table(log, until=None, *, metric="auto", profile=None) -> pd.DataFrame:
    """The weekly training-load table of ``spec/metrics.md``.

    Parameters
    ----------
    log : pandas.DataFrame
        A training log.
    until : str, date or Timestamp, optional
        Last day of the series (see :func:`daily_load`).
    metric : str
        The load the ratio columns use, one of
        :data:`heavylegs.engine.device_load.LOAD_METRICS` (``spec/device-load.md``);
        ``auto`` (default) picks ``srpe`` when at least half of the sessions
        of the last 90 days have an RPE, else ``stress`` when at least half
        have one, else ``srpe``.
    profile : dict, optional
        Profile fields giving the heart-rate and pace thresholds and sex
        (:func:`heavylegs.engine.device_load.resolve_thresholds`).

    Returns
    -------
    pandas.DataFrame
        One row per calendar week (Monday to Sunday) with at least one day in
        the series, oldest first, with exactly the columns of
        :data:`WEEKLY_COLUMNS`:

        ``week_start`` (the Monday, ``datetime64``); ``days`` (days of the
        week in the series); ``runs``; ``distance_km`` (run distance [km]);
        ``duration_min`` (all sessions [min]); ``load_au`` [AU];
        ``sessions_rpe_estimated``; ``strength_sessions``; ``rest_days``;
        ``longest_run_km`` [km] (0 without a run); ``distance_change_pct``
        [%]; ``long_run_spike_pct`` [%]; ``acwr``, ``acwr_uncoupled`` and
        ``acwr_ewma`` (ratios at the week's end); ``monotony``; ``strain``
        [AU]; ``fitness``, ``fatigue`` and ``form`` [AU] at the week's end;
        then ``trimp`` [AU], ``hrss``, ``rtss`` and ``stress`` (the week's
        sums, null when no session of the week has the metric);
        ``load_metric`` (text: the metric in use); ``load`` (the week's sum
        of it); ``sessions_load_estimated`` (sessions whose value in it was
        estimated or missing). ``acwr`` … ``form`` and ``strain`` are
        computed on the daily series of ``load_metric``; ``load_au`` stays
        the session-RPE sum. Counts are int64, the rest float64 with NaN for null. Nothing is
        rounded.

    Notes
    -----
    "At the week's end" means on the week's last day in the series (its
    Sunday, or ``until`` for the last week).

    * ``distance_change_pct`` = (distance − previous week's) ÷ previous
      week's × 100; null for the first week or after a week of 0 km.
    * ``long_run_spike_pct``: for each run of the week, its distance ÷ the
      longest run of the 30 days before its date (the days d−30 … d−1; a run
      on the same day is not "before") − 1, × 100; the largest over the week.
      Null when no run of known distance lies in those 30 days (or the
      longest there was 0 km).
    * ``acwr`` = 7-day load ÷ (28-day load ÷ 4), both windows ending at the
      week's end (coupled; Hulin et al. 2014). ``acwr_uncoupled`` = 7-day
      load ÷ (the 21 days before them ÷ 3) (Lolli et al. 2019). ``acwr_ewma``
      = acute ÷ chronic exponentially weighted average, λ = 2/(N + 1) with
      N = 7 and 28, both started at the first day's load (Williams et al.
      2017). All three are null before the series has 28 days and when the
      denominator is 0.
    * ``monotony`` = mean ÷ sample standard deviation (n − 1) of the week's 7
      daily loads, only for weeks with 7 days in the series, null when all 7
      loads are equal (Foster 1998). ``strain`` = ``load_au`` × ``monotony``.
    * ``fitness``, ``fatigue``, ``form``: see :func:`fitness_fatigue`.

    References
    ----------
    Foster C (1998). Monitoring training in athletes with reference to
    overtraining syndrome. Med Sci Sports Exerc 30(7):1164-1168.

    Hulin BT, Gabbett TJ, Blanch P, et al. (2014). Spikes in acute workload
    are associated with increased injury risk in elite cricket fast bowlers.
    Br J Sports Med 48:708-712.

    Lolli L, Batterham AM, Hawkins R, et al. (2019). Mathematical coupling
    causes spurious correlation within the conventional acute-to-chronic
    workload ratio calculations. Br J Sports Med 53:921-922.

    Williams S, West S, Cross MJ, Stokes KA (2017). Better way to determine
    the acute:chronic workload ratio? Br J Sports Med 51:209-210.
    """
    return DailySeries(log, until, metric, profile).weekly_table()


def _weekly_from_series(series: DailySeries) -> pd.DataFrame:
    n = series.n
    a = series.arrays()
    offset = series.start.weekday()
    load = a["load"]  # the daily series of the metric in use; every ratio is computed on it
    n_weeks = -(-(offset + n) // 7)
    ends = np.minimum(np.arange(n_weeks) * 7 + 6 - offset, n - 1)

    def week_sum(name, fill=0):
        return _by_week(a[name], offset, fill).sum(axis=1)

    in_series = _by_week(np.ones(n, dtype=np.int64), offset, 0)
    days = in_series.sum(axis=1)
    distance = week_sum("distance_km", 0.0)
    weekly_load = week_sum("load", 0.0)
    longest = np.fmax.reduce(_by_week(a["longest_run_nan"], offset, np.nan), axis=1)

    change = distance_change_pct(distance, np.concatenate(([np.nan], distance[:-1])))

    # Long-run spike: each day's longest run against the longest of the 30 days before.
    day_max = a["longest_run_nan"]
    spike_day = long_run_spike_pct(day_max, rolling_max_before(day_max, SPIKE_LOOKBACK_DAYS))
    spike = np.fmax.reduce(_by_week(spike_day, offset, np.nan), axis=1)

    # Rolling sums as exact sums of each window (no cumsum differences, so an
    # all-zero window gives exactly 0 and the ratio is null, not huge).
    windows = sliding_window_view(np.concatenate((np.zeros(CHRONIC_DAYS - 1), load)), CHRONIC_DAYS)[ends]
    acute = windows[:, -ACUTE_DAYS:].sum(axis=1)
    chronic = windows.sum(axis=1)
    before_acute = windows[:, :-ACUTE_DAYS].sum(axis=1)
    e_acute, e_chronic = ewma_loads(load)
    ratios = ratio_columns(acute, chronic, before_acute, e_acute[ends], e_chronic[ends],
                           ends >= CHRONIC_DAYS - 1)

    monotony = np.where(days == 7, monotony_of(_by_week(load, offset, np.nan)), np.nan)
    strain = strain_of(weekly_load, monotony)

    fitness, fatigue, form = (values[ends] for values in fitness_fatigue_of(load))

    week_start = (series.start - pd.Timedelta(days=offset)) + pd.to_timedelta(np.arange(n_weeks) * 7, unit="D")
    return pd.DataFrame({
        "week_start": np.asarray(week_start, dtype="datetime64[ns]"),
        "days": days.astype(np.int64),
        "runs": week_sum("runs").astype(np.int64),
        "distance_km": distance,
        "duration_min": week_sum("duration_min", 0.0),
        "load_au": week_sum("load_au", 0.0),
        "sessions_rpe_estimated": week_sum("sessions_rpe_estimated").astype(np.int64),
        "strength_sessions": week_sum("strength_sessions").astype(np.int64),
        "rest_days": _by_week(a["rest_day"], offset, False).sum(axis=1).astype(np.int64),
        "longest_run_km": np.nan_to_num(longest, nan=0.0),
        "distance_change_pct": change,
        "long_run_spike_pct": spike,
        **ratios,
        "monotony": monotony,
        "strain": strain,
        "fitness": fitness,
        "fatigue": fatigue,
        "form": form,
        **{name: np.where(week_sum(name + "_known", 0.0) > 0, week_sum(name, 0.0), np.nan)
           for name in DEVICE_METRICS},
        "load_metric": np.full(n_weeks, a["load_metric"], dtype=object),
        "load": weekly_load,
        "sessions_load_estimated": week_sum("sessions_load_estimated").astype(np.int64),
    }, columns=list(WEEKLY_COLUMNS))


# ---------------------------------------------------------------------------
# The table for JSON and for people


def weekly_records(table: pd.DataFrame) -> list:
    """The weekly table as JSON-ready records, at full precision.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`weekly_table`.

    Returns
    -------
    list of dict
        One dict per week, keys in the table's order: ``week_start`` as
        ``"YYYY-MM-DD"``, counts as ``int``, other values as ``float``, null
        (NaN) as ``None``. Values are not rounded (the spec rounds only for
        display).
    """
    records = []
    columns = list(table.columns)
    data = {c: table[c].tolist() for c in columns}
    for i in range(len(table)):
        row = {}
        for c in columns:
            value = data[c][i]
            if c == "week_start":
                row[c] = pd.Timestamp(value).strftime("%Y-%m-%d")
            elif c in INT_COLUMNS:
                row[c] = int(value)
            elif c in TEXT_COLUMNS:
                row[c] = None if value is None else str(value)
            elif value is None or (isinstance(value, float) and not math.isfinite(value)):
                row[c] = None
            else:
                row[c] = float(value)
        records.append(row)
    return records


#: Decimals shown for people, by column.
DISPLAY_DECIMALS = {
    "distance_km": 1, "duration_min": 0, "load_au": 0, "longest_run_km": 1,
    "distance_change_pct": 0, "long_run_spike_pct": 0, "acwr": 2, "acwr_uncoupled": 2,
    "acwr_ewma": 2, "monotony": 2, "strain": 0, "fitness": 1, "fatigue": 1, "form": 1,
    "trimp": 0, "hrss": 0, "rtss": 0, "stress": 0, "load": 0,
}


def weekly_display(table: pd.DataFrame) -> pd.DataFrame:
    """The weekly table rounded for people.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`weekly_table`.

    Returns
    -------
    pandas.DataFrame
        The same columns; ``week_start`` as ``YYYY-MM-DD`` text and floats
        rounded to :data:`DISPLAY_DECIMALS` (NaN stays NaN, for the caller's
        ``na_rep``).
    """
    shown = table.copy()
    shown["week_start"] = pd.to_datetime(table["week_start"]).dt.strftime("%Y-%m-%d")
    for column, decimals in DISPLAY_DECIMALS.items():
        if column in shown.columns:
            shown[column] = shown[column].astype(float).round(decimals)
    return shown


# ---------------------------------------------------------------------------
# Evidence for scoring


def _peak(table: pd.DataFrame, column: str):
    """Largest value of ``column`` in ``table`` and its week, or (None, None) when all null.

    Ties go to the most recent week.
    """
    values = table[column].to_numpy(dtype=float)
    if np.isnan(values).all():
        return None, None
    best = np.nanmax(values)
    pos = int(np.flatnonzero(values == best)[-1])
    return float(best), pd.Timestamp(table["week_start"].iloc[pos]).strftime("%Y-%m-%d")


def _round_half_up(x: float) -> int:
    return int(math.floor(x + 0.5))


def _clip(name: str, value):
    field = FIELDS[name]
    if field.minimum is not None:
        value = max(value, field.minimum)
    if field.maximum is not None:
        value = min(value, field.maximum)
    return _round_half_up(value) if field.kind == "int" else float(value)


def log_facts(log, until=None, *, metric="auto", profile=None) -> dict:
    """The evidence a training log gives to scoring.

    Parameters
    ----------
    log : pandas.DataFrame
        A training log.
    until : str, date or Timestamp, optional
        Last day of the series, usually the assessment date (see
        :func:`daily_load`).
    metric, profile :
        The load metric and the thresholds, as in :func:`weekly_table`; the
        ratio facts (``log_acwr``, ``log_monotony``) use that metric.

    Returns
    -------
    dict
        ``values``
            Log fields of :data:`heavylegs.vocabulary.LOG_FIELDS`; a value is
            left out when it is null (unknown is never 0):

            * ``log_acwr``, ``log_monotony``, ``log_long_run_spike_pct``,
              ``log_distance_change_pct``: the highest value of ``acwr``,
              ``monotony``, ``long_run_spike_pct`` and
              ``distance_change_pct`` over the rows of :func:`weekly_table`
              that have a day in the last 28 days of the series: 4 whole
              weeks when the series ends on a Sunday, and otherwise the
              current part week and the 4 weeks before it, so that an
              assessment on a Monday still sees the week 4 weeks back;
            * ``log_rest_days_14d``: rest days in the last 14 days of the
              series (left out when the series is shorter);
            * ``log_strength_sessions_per_week``: strength sessions in the
              last 28 days ÷ 4 (a shorter series: ÷ its days ÷ 7, so the
              days before the log began are not counted as days without
              strength work);
            * ``log_trail_fraction``: ``trail`` run distance ÷ run distance
              with a known surface, in the last 28 days of the series
              (``mixed`` is not trail); left out when no run there has both
              a surface and a distance.
        ``weeks``
            For the four weekly values: the ``YYYY-MM-DD`` Monday of the week
            where the value was seen (the latest week on a tie).
        ``fill``
            Profile training fields computed from the log, for the fields the
            coach left unknown (the caller merges them). Windows end on the
            last day of the series:

            * ``weekly_distance_km``: run distance of the last 7 days [km];
            * ``long_run_min``: the longest run's duration in the last 7
              days [min] (0 without a run);
            * ``weekly_distance_prev_km``: mean weekly run distance of the
              28 days before those 7 [km];
            * ``runs_per_week``, ``hard_sessions_per_week`` (types interval,
              tempo, hills, race, or a known RPE ≥ 7),
              ``rest_days_per_week``, ``strength_sessions_per_week``: counts
              over the last 28 days ÷ 4, rounded half up;
            * ``trail_fraction``: as ``log_trail_fraction``.

            A window cut by the start of the log is scaled to a week when it
            still holds at least 7 days, and its field is left out when it
            holds fewer. Values are kept within the field's range.
    """
    return DailySeries(log, until, metric, profile).log_facts()


def _facts_from_series(series: DailySeries, table) -> dict:
    """:func:`log_facts` of a built series and its weekly table."""
    values, weeks, fill = {}, {}, {}
    n = series.n
    if n == 0:
        return {"values": values, "weeks": weeks, "fill": fill}
    window_first = series.start + pd.Timedelta(days=max(n - _RATE_WINDOW_DAYS, 0))
    recent = table[pd.to_datetime(table["week_start"]) + pd.Timedelta(days=6) >= window_first]
    for name, column in (("log_acwr", "acwr"), ("log_monotony", "monotony"),
                         ("log_long_run_spike_pct", "long_run_spike_pct"),
                         ("log_distance_change_pct", "distance_change_pct")):
        value, week = _peak(recent, column)
        if value is not None:
            values[name] = value
            weeks[name] = week
    a = series.arrays()
    if n >= _REST_WINDOW_DAYS:
        values["log_rest_days_14d"] = int(a["rest_day"][-_REST_WINDOW_DAYS:].sum())
    sessions, day = series.sessions, series.day
    activity = sessions["activity"].to_numpy(dtype=object)
    last28 = day >= n - _RATE_WINDOW_DAYS
    window_days = min(n, _RATE_WINDOW_DAYS)
    values["log_strength_sessions_per_week"] = float(np.count_nonzero(last28 & (activity == "strength"))
                                                     / (window_days / 7.0))
    run = activity == "run"
    distance = sessions["distance_km"].to_numpy(dtype=float)
    surface = sessions["surface"].to_numpy(dtype=object)
    has_surface = run & last28 & ~np.isnan(distance) & pd.notna(surface)
    surfaced_km = distance[has_surface].sum()
    if has_surface.any() and surfaced_km > 0:
        share = float(distance[has_surface & (surface == "trail")].sum() / surfaced_km)
        values["log_trail_fraction"] = share
        fill["trail_fraction"] = share

    def window(first, last):
        """Days first..last (from the series end, inclusive, negative), cut at the start."""
        lo, hi = max(n + first, 0), n + last
        return lo, hi, hi - lo + 1

    lo, hi, length = window(-_RECENT_DAYS, -1)
    if length >= _MIN_RATE_DAYS:
        fill["weekly_distance_km"] = _clip("weekly_distance_km", a["distance_km"][lo:hi + 1].sum())
        in_week = run & (day >= lo) & (day <= hi)
        durations = sessions["duration_min"].to_numpy(dtype=float)[in_week]
        fill["long_run_min"] = _clip("long_run_min", float(durations.max()) if len(durations) else 0.0)
    lo, hi, length = window(-_RECENT_DAYS - _RATE_WINDOW_DAYS, -_RECENT_DAYS - 1)
    if length >= _MIN_RATE_DAYS:
        fill["weekly_distance_prev_km"] = _clip("weekly_distance_prev_km",
                                                a["distance_km"][lo:hi + 1].sum() * 7.0 / length)
    lo, hi, length = window(-_RATE_WINDOW_DAYS, -1)
    if length >= _MIN_RATE_DAYS:
        weeks_in = length / 7.0
        in_window = (day >= lo) & (day <= hi)
        session_type = sessions["session_type"].to_numpy(dtype=object)
        rpe = sessions["rpe"].to_numpy(dtype=float)
        hard = (activity != "rest") & (np.isin(session_type, HARD_SESSION_TYPES)
                                       | (np.nan_to_num(rpe, nan=-1.0) >= _HARD_RPE))
        fill["runs_per_week"] = _clip("runs_per_week", a["runs"][lo:hi + 1].sum() / weeks_in)
        fill["hard_sessions_per_week"] = _clip("hard_sessions_per_week", (hard & in_window).sum() / weeks_in)
        fill["rest_days_per_week"] = _clip("rest_days_per_week", a["rest_day"][lo:hi + 1].sum() / weeks_in)
        fill["strength_sessions_per_week"] = _clip("strength_sessions_per_week",
                                                   a["strength_sessions"][lo:hi + 1].sum() / weeks_in)
    return {"values": values, "weeks": weeks, "fill": fill}
