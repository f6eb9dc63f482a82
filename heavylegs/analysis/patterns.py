"""The athlete's own patterns: what comes before the heavy days (``spec/checkins.md``).

For every day d with a check-in in the 180 days up to the assessment, nine
facts of the days before d (:data:`FACTS`) split the check-ins into
"exposed" days and the others. For each fact:

* ``n_exposed``, ``n_other``, the mean heaviness of each group and their
  difference Δ = mean_exposed − mean_other [points of the 0-10 scale];
* a two-sided permutation p-value of Δ: the exposure labels are shuffled
  10,000 times (NumPy ``default_rng(0)``) and p = (1 + b) ÷ (1 + 10,000),
  where b counts the shuffles whose \\|Δ\\| is at least the observed one
  (Phipson & Smyth 2010; the +1 keeps p above 0, as a permutation test must);
* the Benjamini-Hochberg procedure at a false discovery rate of 0.10 over
  the facts that could be tested (Benjamini & Hochberg 1995).

A fact is *reported* when the window holds at least 21 check-ins, both
groups at least 4, Δ ≥ 1.5 and it passes Benjamini-Hochberg; a reported fact
adds specific (grade S) evidence to the causes it points to
(:func:`pattern_evidence`). The others are "not seen", listed with their
figures and the reason.

Choices the spec leaves open (``docs/checkins.md``): a day whose needed
days fall before the training log's first day (or, for the sleep fact,
whose sleep is unknown) is left out of that fact's test; "the week's longest
run" is the longest run by distance of d−1's calendar week (Monday to
Sunday) and "the median run" the median distance of the runs of the 28 days
before d−1; a hard day needs a load above 0; "the top third" of 7-day loads
is above their 2/3 quantile (linear interpolation) over the 7-day sums
ending on each day of the window, so that a steady load whose sums tie
exposes no day. All the shuffles come from one permutation matrix shared by the facts;
restricting a uniform random permutation to a subset of days is a uniform
permutation of that subset, so facts with fewer known days use the same
matrix.

References
----------
Benjamini Y, Hochberg Y 1995, Controlling the false discovery rate: a
practical and powerful approach to multiple testing, J R Stat Soc B 57(1).

Phipson B, Smyth GK 2010, Permutation p-values should never be zero:
calculating exact p-values when permutations are randomly drawn, Stat Appl
Genet Mol Biol 9(1).

Good PI 2005, Permutation, parametric and bootstrap tests of hypotheses,
3rd ed., Springer.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from heavylegs.engine.load import daily_load
from heavylegs.engine.wellness import exposure_flags
from heavylegs.knowledge.causes import GRADES
from heavylegs.logs.traininglog import checked_log

__all__ = [
    "PatternFact",
    "FACTS",
    "DEVICE_FACTS",
    "WINDOW_DAYS",
    "MIN_CHECKINS",
    "MIN_GROUP",
    "MIN_DELTA",
    "FDR",
    "PERMUTATIONS",
    "SEED",
    "SHORT_SLEEP_H",
    "exposures",
    "permutation_p_values",
    "benjamini_hochberg",
    "find_patterns",
    "pattern_evidence",
]

#: Days up to the assessment whose check-ins are tested [days].
WINDOW_DAYS = 180
#: Check-ins the window needs before anything is reported.
MIN_CHECKINS = 21
#: Check-ins each group needs before a fact is reported.
MIN_GROUP = 4
#: Smallest difference of mean heaviness reported [points, 0-10 scale].
MIN_DELTA = 1.5
#: False discovery rate of the Benjamini-Hochberg procedure.
FDR = 0.10
#: Label shuffles of the permutation test.
PERMUTATIONS = 10_000
#: Seed of the shuffles (NumPy ``default_rng``), so a document never changes.
SEED = 0
#: Sleep below this counts as a short night [h].
SHORT_SLEEP_H = 7.0

# Thresholds of the facts (spec/checkins.md).
_LONG_RUN_MIN = 90.0          # [min]
_LONG_RUN_RATIO = 1.5         # × the median run of the 28 days before
_HARD_DAY_RATIO = 1.5         # × the mean daily load of the 28 days before
_BASELINE_DAYS = 28
_TOP_SHARE = 2.0 / 3.0        # quantile above which a 7-day load is in the top third


@dataclass(frozen=True)
class PatternFact:
    """One fact of the days before a check-in, and how a pattern of it reads.

    Attributes
    ----------
    id : str
        As in ``spec/checkins.md``, e.g. ``after_strength``.
    headline : str
        What a reported pattern says, e.g. "heavy legs follow strength days".
    exposed : str
        The exposed days in words, e.g. "on the two days after strength".
    causes : tuple of str
        The causes a reported pattern is evidence for.
    """

    id: str
    headline: str
    exposed: str
    causes: tuple


#: The tested facts, in the spec's order.
FACTS = (
    PatternFact("after_strength", "heavy legs follow strength days", "on the two days after strength",
                ("strength_overload", "muscle_fatigue")),
    PatternFact("after_long_run", "heavy legs follow long runs", "on the day after a long run",
                ("muscle_fatigue", "glycogen_depletion")),
    PatternFact("after_hard_day", "heavy legs follow hard days", "on the day after a hard day",
                ("muscle_fatigue", "overtraining")),
    PatternFact("after_short_sleep", "heavy legs follow short nights",
                f"after a night of less than {SHORT_SLEEP_H:g} h", ("muscle_fatigue",)),
    PatternFact("after_race", "heavy legs follow races", "on the three days after a race",
                ("muscle_fatigue",)),
    PatternFact("no_rest_7d", "heavy legs come after a week without rest",
                "after 7 days without a rest day", ("overtraining", "muscle_fatigue")),
    PatternFact("high_acute_load", "heavy legs come in the heaviest training weeks",
                "when the last 7 days' load was in the top third", ("overtraining", "muscle_fatigue")),
    # spec/wellness.md: two facts of the wearable's mornings
    PatternFact("after_low_hrv", "heavy legs follow mornings of low heart-rate variability",
                "on mornings when HRV was below its normal band", ("overtraining", "muscle_fatigue")),
    PatternFact("after_high_rhr", "heavy legs follow mornings of raised resting heart rate",
                "on mornings when resting heart rate was 5 bpm or more above usual",
                ("overtraining", "muscle_fatigue")),
)
_FACT_BY_ID = {fact.id: fact for fact in FACTS}
#: The facts that need the wearable's mornings; listed only when wellness rows are given.
DEVICE_FACTS = ("after_low_hrv", "after_high_rhr")


# ---------------------------------------------------------------------------
# Exposures


def _day(value) -> pd.Timestamp:
    return pd.Timestamp(str(value)[:10]) if isinstance(value, str) else pd.Timestamp(value).normalize()


def _log_arrays(log, end: pd.Timestamp, daily):
    """Per-day arrays of the log's series up to ``end``, and the run sessions."""
    log = checked_log(log)
    if daily is None or len(daily) == 0 or pd.Timestamp(daily.index[-1]) != end:
        daily = daily_load(log, until=end)
    n = len(daily)
    if n == 0:
        return None
    start = pd.Timestamp(daily.index[0])
    dates = log["date"].to_numpy(dtype="datetime64[D]")
    offset = (dates - start.to_datetime64().astype("datetime64[D]")).astype(np.int64)
    inside = (offset >= 0) & (offset < n)
    sessions = log.loc[inside]
    offset = offset[inside]
    race = np.zeros(n, dtype=bool)
    race[offset[(sessions["session_type"] == "race").to_numpy()]] = True
    run = (sessions["activity"] == "run").to_numpy()
    duration = sessions["duration_min"].to_numpy(dtype=float)
    distance = sessions["distance_km"].to_numpy(dtype=float)
    run_minutes = np.zeros(n)
    np.maximum.at(run_minutes, offset[run], np.nan_to_num(duration[run]))
    known = run & ~np.isnan(distance)
    longest = np.full(n, np.nan)
    np.fmax.at(longest, offset[known], distance[known])
    return {
        "start": start,
        "n": n,
        "load": daily["load_au"].to_numpy(dtype=float),
        "rest": daily["rest_day"].to_numpy(dtype=bool),
        "strength": daily["strength_sessions"].to_numpy(dtype=float) > 0,
        "race": race,
        "run_minutes": run_minutes,
        "longest": longest,
        "run_day": offset[known],
        "run_km": distance[known],
        "weekday": int(start.weekday()),
    }


def exposures(checkin_days, sleep_h=None, log=None, *, until=None, daily=None, wellness=None) -> dict:
    """Which check-in days are "exposed" to each fact of :data:`FACTS`.

    Parameters
    ----------
    checkin_days : sequence of date-like
        The days d with a check-in.
    sleep_h : sequence of float, optional
        Last night's sleep of each day [h] (NaN unknown).
    log : pandas.DataFrame, optional
        The training log; without it the log's facts are unknown.
    until : date-like, optional
        Last day of the log's daily series (default: the last check-in day).
    daily : pandas.DataFrame, optional
        :func:`heavylegs.engine.load.daily_load` of this log up to ``until``,
        reused when it ends on that day.
    wellness : pandas.DataFrame, optional
        The wearable's rows (``spec/wellness.md``): ``after_low_hrv`` and
        ``after_high_rhr`` come from its mornings, and a night whose
        check-in gives no sleep takes the device's (the check-in wins when
        both exist).

    Returns
    -------
    dict
        ``{fact id: array}`` of floats, one per day: 1.0 exposed, 0.0 not,
        NaN when the days the fact needs are not known (before the log's
        first day, sleep unknown, no device value that morning or no
        baseline yet).
    """
    days = pd.DatetimeIndex([_day(d) for d in checkin_days])
    m = len(days)
    out = {fact.id: np.full(m, np.nan) for fact in FACTS}
    sleep = np.full(m, np.nan) if sleep_h is None else np.asarray(sleep_h, dtype=float).copy()
    if wellness is not None and len(wellness) and m:
        device = exposure_flags(wellness, days, until=until)
        out["after_low_hrv"] = device["after_low_hrv"]
        out["after_high_rhr"] = device["after_high_rhr"]
        sleep = np.where(np.isnan(sleep), device["sleep_h"], sleep)
    if sleep_h is not None or wellness is not None:
        out["after_short_sleep"] = np.where(np.isnan(sleep), np.nan, (sleep < SHORT_SLEEP_H).astype(float))
    if log is None or len(log) == 0 or m == 0:
        return out
    end = _day(until) if until is not None else days.max()
    arrays = _log_arrays(log, end, daily)
    if arrays is None:
        return out
    n = arrays["n"]
    t = ((days - arrays["start"]).days).to_numpy(dtype=np.int64)
    inside = t <= n - 1  # days after ``end`` are not in the series

    def lagged(values, lag):
        idx = np.clip(t - lag, 0, max(n - 1, 0))
        return values[idx]

    def known(first_lag):
        return inside & (t - first_lag >= 0)

    def set_fact(name, ok, exposed):
        out[name] = np.where(ok, exposed.astype(float), np.nan)

    load, rest = arrays["load"], arrays["rest"]
    cum_load = np.concatenate([[0.0], np.cumsum(load)])
    cum_rest = np.concatenate([[0], np.cumsum(rest.astype(np.int64))])

    def window_sum(cum, first_lag, last_lag):  # sum over days t-first_lag .. t-last_lag
        a = np.clip(t - first_lag, 0, n)
        b = np.clip(t - last_lag + 1, 0, n)
        return cum[b] - cum[a]

    set_fact("after_strength", known(2), lagged(arrays["strength"], 1) | lagged(arrays["strength"], 2))
    set_fact("after_race", known(3), lagged(arrays["race"], 1) | lagged(arrays["race"], 2)
             | lagged(arrays["race"], 3))
    set_fact("no_rest_7d", known(7), window_sum(cum_rest, 7, 1) == 0)
    yesterday = lagged(load, 1)
    baseline = window_sum(cum_load, 1 + _BASELINE_DAYS, 2) / _BASELINE_DAYS
    set_fact("after_hard_day", known(1 + _BASELINE_DAYS),
             (yesterday > 0) & (yesterday >= _HARD_DAY_RATIO * baseline))
    acute = window_sum(cum_load, 7, 1)
    all_acute = cum_load[7:] - cum_load[:-7]  # 7-day sum ending on day u, for u = 6 .. n-1
    first_u = max(6, int((end - pd.Timedelta(days=WINDOW_DAYS - 1) - arrays["start"]).days))
    in_window = all_acute[max(first_u - 6, 0):]
    if len(in_window):
        threshold = float(np.quantile(in_window, _TOP_SHARE))
        set_fact("high_acute_load", known(7), acute > threshold)
    out["after_long_run"] = _after_long_run(t, inside, arrays)
    return out


def _after_long_run(t, inside, arrays) -> np.ndarray:
    """A run of ≥ 90 min on d−1, or d−1's run is its week's longest and ≥ 1.5 × the 28-day median."""
    n, longest, minutes = arrays["n"], arrays["longest"], arrays["run_minutes"]
    run_day, run_km = arrays["run_day"], arrays["run_km"]
    out = np.full(len(t), np.nan)
    for i, ti in enumerate(t):
        y = ti - 1
        if not inside[i] or y < 0:
            continue
        if minutes[y] >= _LONG_RUN_MIN:
            out[i] = 1.0
            continue
        if y - _BASELINE_DAYS < 0:
            continue  # the 28 days before d−1 are not all in the log
        out[i] = 0.0
        if np.isnan(longest[y]):
            continue
        week_first = y - (arrays["weekday"] + y) % 7
        week = longest[max(week_first, 0):min(week_first + 7, n)]
        before = run_km[(run_day >= y - _BASELINE_DAYS) & (run_day < y)]
        if len(before) and longest[y] >= np.nanmax(week) \
                and longest[y] >= _LONG_RUN_RATIO * float(np.median(before)):
            out[i] = 1.0
    return out


# ---------------------------------------------------------------------------
# Statistics


def permutation_p_values(heaviness, exposed, permutations: int = PERMUTATIONS, seed: int = SEED) -> np.ndarray:
    """Two-sided permutation p-values of the difference of mean heaviness, for many facts at once.

    Parameters
    ----------
    heaviness : array_like, shape (n,)
        Heaviness of each check-in [0-10].
    exposed : array_like, shape (facts, n) or (n,)
        1 exposed, 0 not, NaN unknown (that day is left out of that fact).
    permutations : int
        Label shuffles.
    seed : int
        Seed of ``numpy.random.default_rng``.

    Returns
    -------
    numpy.ndarray, shape (facts,)
        p = (1 + b) ÷ (1 + permutations), b the shuffles with \\|Δ\\| ≥ the
        observed \\|Δ\\|; NaN for a fact with an empty group.

    Notes
    -----
    One matrix of ``permutations`` random orderings of the known days serves
    every fact with the same known days (usually all of them): the first k
    days of an ordering are that shuffle's exposed days. Only the smaller
    group is drawn (the other is its complement), with a partial
    Fisher-Yates shuffle. With k exposed among m known days and heaviness
    sums S (exposed) and T (all), Δ · k(m − k) = S·m − T·k, so the test
    compares \\|S·m − T·k\\| and, for whole-number heaviness, is exact in
    integers.

    Examples
    --------
    >>> p = permutation_p_values([1, 2, 3, 4], [1, 1, 0, 0])
    >>> round(float(p[0]), 1)   # exact: 2 of the 6 splits have |Δ| ≥ 2, p = 1/3
    0.3
    """
    h = np.asarray(heaviness, dtype=float)
    x = np.atleast_2d(np.asarray(exposed, dtype=float))
    n = h.shape[0]
    if x.shape[1] != n:
        raise ValueError(f"exposed has {x.shape[1]} days, heaviness {n}")
    p = np.full(x.shape[0], np.nan)
    known = ~np.isnan(x)
    hit = known & (x > 0)
    k = hit.sum(axis=1)
    m = known.sum(axis=1)
    testable = (k > 0) & (k < m)
    if not testable.any():
        return p
    whole = bool(np.all(h == np.round(h)))
    h_work = h.astype(np.int64) if whole else h
    rng = np.random.default_rng(seed)
    groups = {}
    for f in np.flatnonzero(testable):
        groups.setdefault(known[f].tobytes(), []).append(f)
    for facts in groups.values():  # in the facts' order, so the draws never change
        mask = known[facts[0]]
        values = h_work[mask]
        mf = int(mask.sum())
        total = values.sum()
        # The smaller group of each fact: its sum over the first few shuffled days.
        sizes = [min(int(k[f]), mf - int(k[f])) for f in facts]
        head = _shuffled_heads(mf, max(sizes), permutations, rng)
        csum = np.cumsum(values[head], axis=0)
        for f, size in zip(facts, sizes):
            kf = int(k[f])
            s_small = csum[size - 1]
            s_perm = s_small if size == kf else total - s_small
            observed = abs(h_work[hit[f]].sum() * mf - total * kf)
            stat = np.abs(s_perm * mf - total * kf)
            if whole:
                b = int(np.count_nonzero(stat >= observed))
            else:
                b = int(np.count_nonzero(stat >= observed - 1e-9 * max(abs(observed), 1.0)))
            p[f] = (1 + b) / (1 + permutations)
    return p


def _shuffled_heads(m: int, size: int, permutations: int, rng) -> np.ndarray:
    """The first ``size`` days of ``permutations`` random orderings of ``m`` days, shape (size, permutations).

    A partial Fisher-Yates shuffle, vectorised over the orderings: step j
    swaps position j with a uniform position in j … m−1, so the first
    ``size`` positions are a uniform ordered sample without replacement
    (Knuth, TAOCP vol. 2, algorithm 3.4.2 P), at the cost of ``size`` steps.
    Positions are rows, so each step reads and writes whole rows.
    """
    order = np.broadcast_to(np.arange(m, dtype=np.int32)[:, None], (m, permutations)).copy()
    flat = order.reshape(-1)
    columns = np.arange(permutations, dtype=np.intp)
    uniform = rng.random((size, permutations))
    for j in range(size):
        where = (j + (uniform[j] * (m - j)).astype(np.intp)) * permutations + columns
        chosen = flat[where]
        flat[where] = order[j]
        order[j] = chosen
    return order[:size]


def benjamini_hochberg(p_values, fdr: float = FDR) -> tuple:
    """The Benjamini-Hochberg step-up procedure.

    Parameters
    ----------
    p_values : array_like
        p-values; NaN (or None) entries are not tested and never pass.
    fdr : float
        The false discovery rate q.

    Returns
    -------
    passes : numpy.ndarray of bool
        True for the hypotheses rejected: with the m tested p-values sorted,
        p₍₁₎ ≤ … ≤ p₍ₘ₎, and i* the largest i with p₍ᵢ₎ ≤ i·q/m, the first i*.
    adjusted : numpy.ndarray of float
        The adjusted p-values min over j ≥ i of (m·p₍ⱼ₎/j), capped at 1 (NaN
        where untested); ``adjusted <= fdr`` equals ``passes``.

    Examples
    --------
    >>> passes, adjusted = benjamini_hochberg([0.01, 0.04, 0.03, 0.20], fdr=0.10)
    >>> passes.tolist()
    [True, True, True, False]
    """
    p = np.array([np.nan if v is None else v for v in np.atleast_1d(p_values)], dtype=float)
    passes = np.zeros(p.shape, dtype=bool)
    adjusted = np.full(p.shape, np.nan)
    tested = np.flatnonzero(~np.isnan(p))
    m = len(tested)
    if m == 0:
        return passes, adjusted
    order = tested[np.argsort(p[tested], kind="stable")]
    ranked = p[order]
    below = np.flatnonzero(ranked <= np.arange(1, m + 1) * fdr / m)
    if len(below):
        passes[order[:below[-1] + 1]] = True
    scaled = ranked * m / np.arange(1, m + 1)
    adjusted[order] = np.minimum(np.minimum.accumulate(scaled[::-1])[::-1], 1.0)
    return passes, adjusted


# ---------------------------------------------------------------------------
# Patterns


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _because(fact, row, n_window, n_tested) -> str:
    k, other = row["n_exposed"], row["n_other"]
    counts = f"{k} and {other} check-ins"
    if row["reported"]:
        return (f"{fact.headline}: {row['mean_exposed']:.1f} {fact.exposed}, "
                f"{row['mean_other']:.1f} on other days ({counts})")
    if n_window == 0:
        return (f"not tested: no check-in in the last {WINDOW_DAYS} days, {MIN_CHECKINS} needed "
                f"({MIN_CHECKINS} more check-ins needed)")
    if row["p"] is None:
        if k + other == 0:
            reason = {"after_short_sleep": "no check-in or device gives last night's sleep",
                      "after_low_hrv": "no device HRV with a 60-day baseline on the check-in mornings",
                      "after_high_rhr": "no device resting heart rate with a 60-day baseline on the check-in "
                                        "mornings"}.get(fact.id, "no training log covers the days before the "
                                                                 "check-ins")
        elif k == 0:
            reason = f"no check-in {fact.exposed}"
        else:
            reason = f"every check-in was {fact.exposed}, none to compare with"
        return f"not tested: {reason} ({counts})"
    figures = f"{row['mean_exposed']:.1f} {fact.exposed}, {row['mean_other']:.1f} on other days ({counts})"
    if n_window < MIN_CHECKINS:
        need = MIN_CHECKINS - n_window
        reason = (f"{_plural(n_window, 'check-in')} in the last {WINDOW_DAYS} days, {MIN_CHECKINS} needed: "
                  f"{_plural(need, 'more check-in')} needed")
    elif k < MIN_GROUP or other < MIN_GROUP:
        reason = f"too few days to tell, {MIN_GROUP} needed in each group"
    elif row["delta"] < MIN_DELTA - 1e-9:
        reason = f"a difference of {row['delta']:+.1f} points, below {MIN_DELTA:g}".replace("-", "−")
    else:
        reason = (f"p = {row['p']:.3g}, which could be chance among {n_tested} facts tested "
                  f"(Benjamini-Hochberg at {FDR:g})")
    return f"not seen: {figures}; {reason}"


def find_patterns(checkins, log=None, *, until=None, daily=None, permutations: int = PERMUTATIONS,
                  seed: int = SEED, wellness=None) -> list:
    """Test what comes before the heavy days in one athlete's check-ins and log.

    Parameters
    ----------
    checkins : pandas.DataFrame
        :func:`heavylegs.logs.checkins.read_checkins` (``date``, ``heaviness``,
        ``sleep_h``).
    log : pandas.DataFrame, optional
        The training log; without it only the sleep fact can be tested.
    until : str or date, optional
        The assessment day: the window is the 180 days up to it (default:
        the last check-in's day).
    daily : pandas.DataFrame, optional
        The log's daily series up to ``until`` (as in
        :class:`heavylegs.analysis.pipeline.LogAnalysis`), reused when given.
    permutations, seed : int
        Of the permutation test (the spec's 10,000 and 0 by default).
    wellness : pandas.DataFrame, optional
        The wearable's rows: the mornings' HRV and resting heart rate, and
        the nights' sleep where a check-in has none (:func:`exposures`).

    Returns
    -------
    list of dict
        One per fact of :data:`FACTS`, reported first (smallest p first), then
        the others in the spec's order: ``id``, ``reported``, ``n_exposed``,
        ``n_other``, ``mean_exposed``, ``mean_other``, ``delta`` [points]
        (rounded to 2 decimals; None for an empty group), ``p`` (4 decimals;
        None when not tested), ``because``; and ``q`` (the
        Benjamini-Hochberg adjusted p), ``causes`` (the cause ids it points
        to), ``window_checkins`` and ``checkins_needed`` (more check-ins the
        window needs before anything can be reported; 0 when enough).

    Examples
    --------
    >>> import pandas as pd
    >>> checkins = pd.DataFrame({"date": pd.date_range("2026-10-01", periods=30),
    ...                          "heaviness": [3] * 30, "sleep_h": [8.0] * 30})
    >>> [p["id"] for p in find_patterns(checkins) if p["reported"]]
    []
    """
    if len(checkins):
        frame = checkins.copy()
        frame["date"] = pd.to_datetime(frame["date"]).dt.normalize()
        end = _day(until) if until is not None else frame["date"].max()
        first = end - pd.Timedelta(days=WINDOW_DAYS - 1)
        frame = frame.loc[(frame["date"] >= first) & (frame["date"] <= end)].sort_values("date", kind="stable")
    else:
        frame, end = checkins, (_day(until) if until is not None else None)
    n_window = len(frame)
    heaviness = frame["heaviness"].to_numpy(dtype=float) if n_window else np.zeros(0)
    sleep = frame["sleep_h"].to_numpy(dtype=float) if n_window and "sleep_h" in frame else \
        np.full(n_window, np.nan)
    exposed = exposures(frame["date"] if n_window else [], sleep, log, until=end, daily=daily, wellness=wellness)
    matrix = np.vstack([exposed[fact.id] for fact in FACTS]) if n_window else np.zeros((len(FACTS), 0))
    p = permutation_p_values(heaviness, matrix, permutations, seed) if n_window else \
        np.full(len(FACTS), np.nan)
    passes, adjusted = benjamini_hochberg(p, FDR)
    n_tested = int(np.count_nonzero(~np.isnan(p)))
    rows = []
    for i, fact in enumerate(FACTS):
        known = ~np.isnan(matrix[i])
        hit = known & (matrix[i] > 0)
        k, other = int(hit.sum()), int((known & ~hit).sum())
        mean_e = float(heaviness[hit].mean()) if k else None
        mean_o = float(heaviness[known & ~hit].mean()) if other else None
        delta = None if mean_e is None or mean_o is None else mean_e - mean_o
        reported = bool(n_window >= MIN_CHECKINS and k >= MIN_GROUP and other >= MIN_GROUP
                        and delta is not None and delta >= MIN_DELTA - 1e-9 and passes[i])
        row = {
            "id": fact.id,
            "reported": reported,
            "n_exposed": k,
            "n_other": other,
            "mean_exposed": None if mean_e is None else round(mean_e, 2),
            "mean_other": None if mean_o is None else round(mean_o, 2),
            "delta": None if delta is None else round(delta, 2),
            "p": None if np.isnan(p[i]) else round(float(p[i]), 4),
            "q": None if np.isnan(adjusted[i]) else round(float(adjusted[i]), 4),
            "causes": list(fact.causes),
            "window_checkins": n_window,
            "checkins_needed": max(MIN_CHECKINS - n_window, 0),
            "_p": p[i],
        }
        row["because"] = _because(fact, {**row, "mean_exposed": mean_e, "mean_other": mean_o,
                                          "delta": delta, "p": row["p"]}, n_window, n_tested)
        rows.append(row)
    if wellness is None:  # without a wearable its two facts are not part of the document
        rows = [row for row in rows if row["id"] not in DEVICE_FACTS]
    order = {fact.id: i for i, fact in enumerate(FACTS)}
    rows.sort(key=lambda r: (not r["reported"], r["_p"] if r["reported"] else 0.0, order[r["id"]]))
    for row in rows:
        del row["_p"]
    return rows


def pattern_evidence(patterns) -> dict:
    """The evidence the reported patterns add to the causes they point to.

    Parameters
    ----------
    patterns : list of dict
        From :func:`find_patterns`.

    Returns
    -------
    dict
        ``{cause id: [evidence item, ...]}``; an item is a ranking evidence
        line (``spec/cli.md``): ``field`` ``"pattern_<id>"``, ``value`` (Δ
        [points]), ``points`` (grade S: specific, the athlete's own data),
        ``because`` (the pattern in words, with its numbers), ``grade``,
        ``evidence_tag`` (``P``, a discriminating pattern) and
        ``from_checkins`` (True).
    """
    out = {}
    for row in patterns:
        if not row.get("reported"):
            continue
        fact = _FACT_BY_ID[row["id"]]
        item = {"field": f"pattern_{row['id']}", "value": row["delta"], "points": GRADES["S"],
                "because": row["because"], "grade": "S", "evidence_tag": "P", "from_checkins": True}
        for cause_id in fact.causes:
            out.setdefault(cause_id, []).append(dict(item))
    return out
