"""What the wearable says about an athlete up to the assessment day (``spec/wellness.md``).

:func:`wellness_facts` turns ``wellness.csv`` rows into the baselines of
each source (and HRV kind), picks for each measure the source with the most
days with a value in the last 67 days (ties: the order of
:data:`heavylegs.logs.wellness.SOURCES`), and gives the facts the ranking
uses: ``resting_hr_bpm`` and ``resting_hr_baseline_bpm`` (recent and
baseline resting heart rate), ``sleep_h`` (the 14-day mean) for the answers
the coach left unknown, and ``hrv_below_normal``. Every fact carries the
line that says where it came from ("Garmin, mean of 7 mornings, 2026-03-01
to 2026-03-07"). Sources and HRV kinds are never mixed: Apple's SDNN and the
others' rMSSD each get their own baseline.

:func:`morning_series` gives the chosen source's daily values with the
baseline as of each morning, for the patterns and the charts.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from heavylegs.logs.wellness import SOURCE_NAMES, SOURCES
from heavylegs.metrics.wellness import (BASELINE_DAYS, HIGH_RHR_BPM, RECENT_DAYS, SLEEP_DAYS, SLEEP_MIN,
                                        recent_and_baseline, rolling_baseline, window_mean)

__all__ = ["WINDOW_DAYS", "wellness_facts", "morning_series", "choose_source", "exposure_flags"]

#: Days looked at to choose a source: the recent 7 and the baseline's 60 [days].
WINDOW_DAYS = RECENT_DAYS + BASELINE_DAYS

_MEASURES = {"rhr": "rhr_bpm", "hrv": "hrv_ms", "sleep": "sleep_h"}


def _day(value) -> pd.Timestamp:
    return pd.Timestamp(str(value)[:10]) if isinstance(value, str) else pd.Timestamp(value).normalize()


def _prepared(wellness, until):
    if wellness is None or len(wellness) == 0:
        return None, None
    frame = wellness.copy()
    frame["date"] = pd.to_datetime(frame["date"]).dt.normalize()
    end = _day(until) if until is not None else frame["date"].max()
    frame = frame.loc[frame["date"] <= end]
    if len(frame) == 0:
        return None, end
    frame["offset"] = (end - frame["date"]).dt.days.astype(np.int64)
    return frame, end


def _groups(frame, measure):
    """``[(source, kind), ...]`` with values of ``measure``; HRV split by kind."""
    column = _MEASURES[measure]
    have = frame.loc[frame[column].notna()]
    if measure == "hrv":
        keys = have[["source", "hrv_kind"]].drop_duplicates().itertuples(index=False, name=None)
    else:
        keys = ((s, None) for s in have["source"].unique())
    return list(keys)


def choose_source(wellness, measure: str, until=None):
    """The (source, HRV kind) with the most days with a value of ``measure`` in the last 67 days.

    Parameters
    ----------
    wellness : pandas.DataFrame
        :func:`heavylegs.logs.wellness.read_wellness` rows.
    measure : str
        ``rhr``, ``hrv`` or ``sleep``.
    until : date-like, optional
        The assessment day (default: the last day of the rows).

    Returns
    -------
    tuple or None
        ``(source, kind)`` (kind None except for HRV), None without values.
    """
    frame, _end = _prepared(wellness, until)
    if frame is None:
        return None
    column = _MEASURES[measure]
    recent = frame.loc[(frame["offset"] < WINDOW_DAYS) & frame[column].notna()]
    order = {name: i for i, name in enumerate(SOURCES)}
    best, best_key = None, None
    for source, kind in _groups(frame, measure):
        pick = recent["source"] == source
        if measure == "hrv":
            pick &= recent["hrv_kind"] == kind
        n = int(pick.sum())
        key = (-n, order.get(source, 99), kind or "")
        if n and (best_key is None or key < best_key):
            best, best_key = (source, kind), key
    return best


def _span(frame, first_offset, last_offset, end):
    a = (end - pd.Timedelta(days=last_offset)).date().isoformat()
    b = (end - pd.Timedelta(days=first_offset)).date().isoformat()
    return a, b


def _plural(n, word):
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def wellness_facts(wellness, until=None) -> dict | None:
    """Baselines and the ranking's facts from the wellness rows up to the assessment day.

    Parameters
    ----------
    wellness : pandas.DataFrame
        :func:`heavylegs.logs.wellness.read_wellness` rows (any sources).
    until : date-like, optional
        The assessment day (default: the last day of the rows). Rows after
        it are ignored.

    Returns
    -------
    dict or None
        None without rows up to ``until``. Else:

        * ``until`` (``YYYY-MM-DD``);
        * ``baselines``: one dict per (measure, source, HRV kind):
          ``measure``, ``source``, ``kind``, ``recent``, ``n_recent``,
          ``baseline``, ``sd``, ``n_baseline``, ``below_normal`` (ln scale
          for HRV) and ``days`` (days with a value in the last 67);
        * ``rhr``, ``hrv``, ``sleep``: the chosen source's figures (None when
          no source has them), each with ``source``, ``vendor`` (its name
          in words) and ``text``;
        * ``fill``: ``{field: value}`` for ``resting_hr_bpm``,
          ``resting_hr_baseline_bpm`` and ``sleep_h`` when known;
        * ``values``: ``{"hrv_below_normal": bool}`` when the chosen HRV
          source has both windows;
        * ``why``: ``{field: line}``, where each fact came from.
    """
    frame, end = _prepared(wellness, until)
    if frame is None:
        return None
    out = {"until": end.date().isoformat(), "baselines": [], "rhr": None, "hrv": None, "sleep": None,
           "fill": {}, "values": {}, "why": {}}
    for measure in ("rhr", "hrv"):
        column = _MEASURES[measure]
        for source, kind in _groups(frame, measure):
            part = frame.loc[(frame["source"] == source) & frame[column].notna()]
            if kind is not None:
                part = part.loc[part["hrv_kind"] == kind]
            stats = recent_and_baseline(part["offset"].to_numpy(), part[column].to_numpy(), log=measure == "hrv")
            stats.update(measure=measure, source=source, kind=kind,
                         days=int((part["offset"] < WINDOW_DAYS).sum()))
            out["baselines"].append(stats)
    chosen_rhr = choose_source(frame, "rhr", end)
    if chosen_rhr is not None:
        stats = next(b for b in out["baselines"] if b["measure"] == "rhr" and b["source"] == chosen_rhr[0])
        name = SOURCE_NAMES.get(chosen_rhr[0], chosen_rhr[0])
        info = {"source": chosen_rhr[0], "vendor": name, **stats}
        r0, r1 = _span(frame, 0, RECENT_DAYS - 1, end)
        b0, b1 = _span(frame, RECENT_DAYS, WINDOW_DAYS - 1, end)
        parts = []
        if stats["recent"] is not None:
            out["fill"]["resting_hr_bpm"] = round(stats["recent"], 1)
            out["why"]["resting_hr_bpm"] = (f"{name}, mean of {_plural(stats['n_recent'], 'morning')}, "
                                            f"{r0} to {r1}")
            parts.append(f"{stats['recent']:.1f} bpm over the last {stats['n_recent']} mornings")
        if stats["baseline"] is not None:
            out["fill"]["resting_hr_baseline_bpm"] = round(stats["baseline"], 1)
            out["why"]["resting_hr_baseline_bpm"] = (f"{name}, mean of {_plural(stats['n_baseline'], 'morning')}, "
                                                     f"{b0} to {b1}")
            parts.append(f"usual {stats['baseline']:.1f} ± {stats['sd']:.1f} bpm ({stats['n_baseline']} mornings "
                         "before)")
        info["text"] = f"resting heart rate ({name}): " + ("; ".join(parts) if parts else
                                                           f"too few mornings ({stats['n_recent']} in the last 7 "
                                                           f"days, {stats['n_baseline']} in the 60 before)")
        out["rhr"] = info
    chosen_hrv = choose_source(frame, "hrv", end)
    if chosen_hrv is not None:
        source, kind = chosen_hrv
        stats = next(b for b in out["baselines"] if b["measure"] == "hrv" and b["source"] == source
                     and b["kind"] == kind)
        name = SOURCE_NAMES.get(source, source)
        label = "SDNN" if kind == "sdnn" else "rMSSD"
        info = {"source": source, "vendor": name, **stats, "label": label}
        if stats["recent"] is not None:
            info["recent_ms"] = math.exp(stats["recent"])
        if stats["baseline"] is not None:
            info["baseline_ms"] = math.exp(stats["baseline"])
            info["band_ms"] = (math.exp(stats["baseline"] - stats["sd"]), math.exp(stats["baseline"] + stats["sd"]))
        if stats["below_normal"] is not None:
            out["values"]["hrv_below_normal"] = stats["below_normal"]
            r0, r1 = _span(frame, 0, RECENT_DAYS - 1, end)
            b0, b1 = _span(frame, RECENT_DAYS, WINDOW_DAYS - 1, end)
            relation = "below" if stats["below_normal"] else "not below"
            out["why"]["hrv_below_normal"] = (
                f"{name} {label}: mean ln {stats['recent']:.3f} ({info['recent_ms']:.0f} ms) over "
                f"{_plural(stats['n_recent'], 'night')}, {r0} to {r1}, {relation} the normal band's lower edge "
                f"ln {stats['baseline'] - stats['sd']:.3f} ({info['band_ms'][0]:.0f} ms; mean ln "
                f"{stats['baseline']:.3f} − 1 SD {stats['sd']:.3f}, {stats['n_baseline']} nights {b0} to {b1})")
            info["text"] = out["why"]["hrv_below_normal"]
        else:
            info["text"] = (f"HRV ({name} {label}): too few nights for a baseline ({stats['n_recent']} in the last "
                            f"7 days, 4 needed; {stats['n_baseline']} in the 60 before, 21 needed)")
        out["hrv"] = info
    chosen_sleep = choose_source(frame, "sleep", end)
    if chosen_sleep is not None:
        source = chosen_sleep[0]
        part = frame.loc[(frame["source"] == source) & frame["sleep_h"].notna()]
        mean, _sd, n = window_mean(part["offset"].to_numpy(), part["sleep_h"].to_numpy(), 0, SLEEP_DAYS - 1)
        name = SOURCE_NAMES.get(source, source)
        s0, s1 = _span(frame, 0, SLEEP_DAYS - 1, end)
        info = {"source": source, "vendor": name, "mean_h": mean if n else None, "n": n}
        if n >= SLEEP_MIN:
            out["fill"]["sleep_h"] = round(mean, 2)
            out["why"]["sleep_h"] = f"{name}, mean of {_plural(n, 'night')}, {s0} to {s1}"
            info["text"] = f"sleep ({name}): {mean:.1f} h a night over {n} nights, {s0} to {s1}"
        else:
            info["text"] = (f"sleep ({name}): {n} nights in the last {SLEEP_DAYS} days, {SLEEP_MIN} needed for a "
                            "mean")
        out["sleep"] = info
    return out


def morning_series(wellness, measure: str, until=None, source=None) -> pd.DataFrame | None:
    """One source's daily values with the baseline as of each morning (d−66 … d−7).

    Parameters
    ----------
    wellness : pandas.DataFrame
        :func:`heavylegs.logs.wellness.read_wellness` rows.
    measure : str
        ``rhr``, ``hrv`` or ``sleep``.
    until : date-like, optional
        Last day (default: the last day of the rows).
    source : tuple, optional
        ``(source, kind)``; :func:`choose_source` by default.

    Returns
    -------
    pandas.DataFrame or None
        Indexed by every day from the source's first value to ``until``:
        ``value`` (NaN when none), ``mean`` and ``sd`` of the baseline (ln
        scale for HRV; NaN before 21 values), ``low`` and ``high`` (the
        normal band mean ∓ 1 SD, in the value's unit); ``attrs`` hold
        ``source`` and ``kind``. None without values.
    """
    frame, end = _prepared(wellness, until)
    if frame is None:
        return None
    chosen = source or choose_source(frame, measure, end)
    if chosen is None:
        return None
    column = _MEASURES[measure]
    part = frame.loc[(frame["source"] == chosen[0]) & frame[column].notna()]
    if measure == "hrv":
        part = part.loc[part["hrv_kind"] == chosen[1]]
    if len(part) == 0:
        return None
    index = pd.date_range(part["date"].min(), end, freq="D")
    values = part.groupby("date")[column].last().reindex(index).to_numpy(dtype=float)
    mean, sd = rolling_baseline(values, log=measure == "hrv")
    if measure == "hrv":
        low, high = np.exp(mean - sd), np.exp(mean + sd)
    else:
        low, high = mean - sd, mean + sd
    out = pd.DataFrame({"value": values, "mean": mean, "sd": sd, "low": low, "high": high}, index=index)
    out.attrs.update(source=chosen[0], kind=chosen[1])
    return out


def exposure_flags(wellness, days, until=None) -> dict:
    """For each check-in day, the device facts of ``checkins.md``: low HRV, high resting HR, device sleep.

    Parameters
    ----------
    wellness : pandas.DataFrame
    days : sequence of date-like
        The check-in days d.
    until : date-like, optional

    Returns
    -------
    dict
        ``after_low_hrv`` and ``after_high_rhr``: arrays of 1.0 (that
        morning's HRV below the baseline mean − 1 SD, ln scale; resting HR
        ≥ baseline mean + 5 bpm), 0.0, or NaN (no value that morning or no
        baseline yet); ``sleep_h``: the device's sleep of each night (NaN
        none), from the source with the most nights.
    """
    days = pd.DatetimeIndex([_day(d) for d in days])
    out = {"after_low_hrv": np.full(len(days), np.nan), "after_high_rhr": np.full(len(days), np.nan),
           "sleep_h": np.full(len(days), np.nan)}
    if wellness is None or len(wellness) == 0 or len(days) == 0:
        return out
    end = _day(until) if until is not None else max(days.max(), pd.to_datetime(wellness["date"]).max())
    hrv = morning_series(wellness, "hrv", end)
    if hrv is not None:
        at = hrv.reindex(days)
        with np.errstate(divide="ignore", invalid="ignore"):
            ln = np.log(at["value"].to_numpy())
        ok = ~np.isnan(ln) & ~np.isnan(at["mean"].to_numpy())
        out["after_low_hrv"] = np.where(ok, (ln < at["mean"].to_numpy() - at["sd"].to_numpy()).astype(float), np.nan)
    rhr = morning_series(wellness, "rhr", end)
    if rhr is not None:
        at = rhr.reindex(days)
        value, mean = at["value"].to_numpy(), at["mean"].to_numpy()
        ok = ~np.isnan(value) & ~np.isnan(mean)
        out["after_high_rhr"] = np.where(ok, (value >= mean + HIGH_RHR_BPM - 1e-9).astype(float), np.nan)
    sleep = morning_series(wellness, "sleep", end)
    if sleep is not None:
        out["sleep_h"] = sleep["value"].reindex(days).to_numpy(dtype=float)
    return out
