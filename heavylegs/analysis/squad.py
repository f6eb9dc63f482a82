"""The squad at a glance: one row per athlete of a data folder (``heavylegs.squad/1``).

:func:`squad_rows` reads every athlete of a data folder and returns the rows
of ``heavylegs squad --json`` (``spec/cli.md``); :func:`filter_rows` and
:func:`sort_rows` are the filters and orders of the squad view, as plain
functions on those rows.

Every row comes from the chain every page uses: the athlete is read by
:func:`heavylegs.store.athlete.load_athlete` and assessed by
:func:`heavylegs.analysis.pipeline.assess_athlete`, so the squad shows the
very scores the workbook and the athlete's dashboard show.

Where each column comes from:

* ``red_flags`` and ``top_causes``: that assessment's ranking (the current
  answers, from the newest saved assessment or the profile file, with the
  training log's evidence and the check-ins' patterns up to the answers'
  ``assessed_on``). ``top_causes`` carry ``id``, ``title``, ``score`` and
  ``band``.
* ``last_assessment``: ``assessed_on`` of the newest saved assessment.
* ``acwr``, ``week_load``, ``chronic_load``, ``load_metric``: the
  assessment's daily series (the one its weekly table is built from),
  carried on to ``today`` (a new series when the log has sessions after
  the assessment's day), in the metric the assessment used. ``week_load``
  is the load of the 7 days ending ``today``, ``chronic_load`` the average
  week of the 28 days ending ``today``, so ``acwr`` = ``week_load`` ÷
  ``chronic_load`` (coupled ACWR, as the weekly table's ``acwr``). ``acwr``
  is null before 28 days of log, with no chronic load, and when the last 7
  days hold no session: a ratio of 0.00 would only say that nothing was
  logged (``days_since_session`` says how long).
* ``load_as_of``: the day those figures end on (``today``); ``last_session``
  the date of the last session on or before it and ``days_since_session``
  the days from it to ``load_as_of`` (null without a session).
* ``heaviness_7d``: mean heaviness [0-10] of the check-ins of the 7 days
  ending ``today``; null without one.
* ``heaviness_trend``: :func:`heaviness_trend`, the mean of those 7 days
  minus the mean of the 7 days before them [points]: positive means the
  legs felt heavier this week than last; null when either week has no
  check-in.
* ``last_checkin``: the newest check-in's date.
* ``rhr_7d_bpm``, ``rhr_trend_bpm``, ``rhr_source``: the wearable's resting
  heart rate (``wellness.csv``, ``spec/wellness.md``), the mean of the 7 days
  ending ``today`` and its difference from the athlete's baseline (the 60
  days before) [bpm], of the source with the most days
  (:func:`heavylegs.engine.wellness.wellness_facts`); null without enough days.
* ``hrv_7d_ms``, ``hrv_trend_pct``, ``hrv_below_normal``, ``hrv_source``:
  the same for HRV (geometric mean [ms]; the change from the baseline [%]
  on the ln scale; whether it is below the normal band); ``hrv_source``
  names the source and the kind (``garmin rmssd``, ``apple sdnn``).

An athlete whose files cannot be read still gets a row: ``error`` says which
file and what is wrong, the other columns are null, and the row sorts just
after the red flags, so the coach sees it (a broken file may hide a red
flag). A squad never fails because of one athlete.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import json
import multiprocessing
import os
import sys
import warnings
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from heavylegs.analysis._squad import (SQUAD_COLUMNS, TOP_CAUSES, WELLNESS_COLUMNS,  # the squad's own helper
                                       as_day)
from heavylegs.errors import InputError
from heavylegs.logs.csv_cells import csv_line, safe_cell
from heavylegs.metrics.ratios import ACUTE_DAYS
from heavylegs.files import ATHLETE_ID_PATTERN, atomic_write_text
from heavylegs.store.storage import athlete_signature
from heavylegs.vocabulary import ACWR_SAFE_BAND, URGENCY_ORDER

__all__ = [
    "SQUAD_FORMAT",
    "SQUAD_COLUMNS",
    "WELLNESS_COLUMNS",
    "ACWR_HIGH",
    "NO_CHECKIN_DAYS",
    "squad_rows",
    "PARALLEL_MIN_ROWS",
    "cache_dir",
    "squad_document",
    "squad_athletes",
    "as_day",
    "TOP_CAUSES",
    "filter_rows",
    "sort_rows",
    "SORT_KEYS",
    "squad_csv",
    "squad_text",
    "no_session_text",
]

SQUAD_FORMAT = "heavylegs.squad/1"
#: The squad view's "ACWR above" filter: above the top of the range legs usually absorb
#: (:data:`heavylegs.vocabulary.ACWR_SAFE_BAND`, Gabbett 2016).
ACWR_HIGH = ACWR_SAFE_BAND[1]
#: The squad view's "no check-in for" filter [days].
NO_CHECKIN_DAYS = 7
_CACHE_FORMAT = "heavylegs.squad-cache/3"


def squad_athletes(data_dir) -> list:
    """Ids of the athletes of a data folder: a profile ``athletes/<id>.json`` or a folder ``athletes/<id>/``.

    Returns
    -------
    list of str
        Sorted; names that are not valid athlete ids are left out.
    """
    root = Path(data_dir) / "athletes"
    if not root.is_dir():
        return []
    ids = set()
    for entry in root.iterdir():
        name = entry.stem if entry.suffix == ".json" and entry.is_file() else entry.name
        if (entry.is_dir() or entry.suffix == ".json") and ATHLETE_ID_PATTERN.match(name):
            ids.add(name)
    return sorted(ids)


def no_session_text(row: dict) -> str | None:
    """"no session for N days" when a row's last 7 days hold no session (its ratio is then null), else None.

    Examples
    --------
    >>> no_session_text({"last_session": "2026-11-15", "days_since_session": 21})
    'no session for 21 days (last 2026-11-15)'
    >>> no_session_text({"last_session": None, "days_since_session": None, "week_load": None}) is None
    True
    """
    days = row.get("days_since_session")
    if days is None or days < ACUTE_DAYS:  # the ratio's acute window holds no session
        return None
    return f"no session for {days} days (last {row['last_session']})"


def _order_key(row: dict):
    urgencies = [URGENCY_ORDER.get(f["urgency"], len(URGENCY_ORDER)) for f in row["red_flags"]]
    most = min(urgencies, default=len(URGENCY_ORDER))
    broken = 0 if row.get("error") else 1
    top = row["top_causes"][0]["score"] if row["top_causes"] else -1
    return most, broken, -top, row["athlete_id"]


def squad_rows(data_dir, *, today=None, use_cache: bool = True, workers: int | None = None) -> list:
    """One row per athlete of the data folder, most urgent first (``heavylegs.squad/1``).

    Parameters
    ----------
    data_dir : str or Path
        The data folder (holding ``athletes/``).
    today : str or date, optional
        The day the squad is looked at (today by default): the load and
        heaviness windows end on it.
    use_cache : bool
        Reuse the rows of an earlier run whose files have not changed since
        (same size, modification time [ns] and inode of the profile, log,
        check-ins and every assessment, same day, same heavylegs version),
        kept in :func:`cache_dir`; False computes every row.
    workers : int, optional
        Processes computing the rows that are not in the cache: by default 2
        (or 1 on a one-core machine) when at least :data:`PARALLEL_MIN_ROWS`
        rows are to be computed, else 1. Processes are forked, so a platform
        without ``fork`` computes them in this process.

    Returns
    -------
    list of dict
        Rows of :func:`heavylegs.analysis.squad_row.athlete_row`, ordered: athletes with an emergency,
        then urgent, then soon red flag; then those whose files cannot be
        read; then by the top cause's score, highest first; then by id.
    """
    day = as_day(today)
    cache = _RowCache(data_dir) if use_cache else None
    athletes = squad_athletes(data_dir)
    rows = {}
    for athlete_id in athletes:
        row = cache.get(athlete_id, day) if cache else None
        if row is not None:
            rows[athlete_id] = row
    cold = [a for a in athletes if a not in rows]
    for athlete_id, row in zip(cold, _compute_rows(data_dir, cold, day, workers)):
        rows[athlete_id] = row
        if cache:
            cache.put(athlete_id, day, row)
    if cache:
        cache.save()
    return sorted(rows.values(), key=_order_key)


#: Rows to compute before :func:`squad_rows` shares the work between processes: below it, starting
#: them costs more than it saves (about 20 ms of work a row, 50-100 ms to fork a worker).
PARALLEL_MIN_ROWS = 24


def _row_job(job):
    # Imported here, not at the top (tests/test_architecture.py lists it): rows reused from the cache need
    # neither pandas nor the assessment pipeline, so a squad whose files did not change opens without them.
    from heavylegs.analysis.squad_row import athlete_row

    data_dir, athlete_id, day = job
    return athlete_row(data_dir, athlete_id, today=day)


def _quiet_worker() -> None:
    """A forked worker writes nothing: in a Jupyter kernel, ``sys.stdout`` and ``sys.stderr`` send to the
    kernel's sockets, which belong to the parent process."""
    sys.stdout = sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - for the worker's life
    warnings.simplefilter("ignore")


def _compute_rows(data_dir, athletes: list, day: _dt.date, workers: int | None) -> list:
    """The rows of ``athletes``, in their order; in forked processes when many."""
    if workers is None:
        workers = min(2, os.cpu_count() or 1) if len(athletes) >= PARALLEL_MIN_ROWS else 1
    jobs = [(data_dir, athlete_id, day) for athlete_id in athletes]
    if (workers > 1 and len(jobs) > 1 and "fork" in multiprocessing.get_all_start_methods()
            and not multiprocessing.current_process().daemon):  # a daemonic process may not start others
        # Forked workers start with heavylegs and pandas already imported (spawned ones would import
        # them again, about a second each); they only compute and return plain rows.
        chunk = max(1, len(jobs) // (workers * 4))
        try:
            with multiprocessing.get_context("fork").Pool(min(workers, len(jobs)), initializer=_quiet_worker) as pool:
                return pool.map(_row_job, jobs, chunksize=chunk)
        except OSError:
            pass  # no process could be started: compute them here
    return [_row_job(job) for job in jobs]


def cache_dir() -> Path:
    """Where the squad keeps the rows it computed: ``$HEAVYLEGS_CACHE_DIR``, else ``~/.cache/heavylegs``."""
    env = os.environ.get("HEAVYLEGS_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "heavylegs"


def _signature(data_dir, athlete_id: str) -> list:
    """:func:`heavylegs.store.athlete.athlete_signature` as it reads back from JSON (lists, not tuples)."""
    return json.loads(json.dumps(athlete_signature(data_dir, athlete_id)))


class _RowCache:
    """Rows already computed, kept between runs and reused while none of their files changed.

    One JSON file per data folder in :func:`cache_dir` (named by a hash of
    the folder's resolved path), written atomically. A row is reused only for
    the same athlete id, the same day, the same heavylegs version and the
    same size, modification time [ns] and inode of every file it is made of
    (:func:`_signature`, taken before the row is computed, so a file changed
    meanwhile only makes the next run compute the row again); anything else
    computes it again. A cache that cannot be read, is not of this format or
    cannot be written is ignored: the squad is then only slower.
    """

    def __init__(self, data_dir):
        try:
            self.version = version("heavylegs")
        except PackageNotFoundError:  # a package run from a checkout without metadata
            self.version = "unknown"
        self.data_dir = data_dir
        key = hashlib.sha256(str(Path(data_dir).resolve()).encode("utf-8")).hexdigest()[:24]
        self.path = cache_dir() / f"squad-{key}.json"
        self.entries, self.changed = {}, False
        try:
            doc = json.loads(self.path.read_text(encoding="utf-8"))
            if doc.get("format") == _CACHE_FORMAT and doc.get("version") == self.version:
                self.entries = doc["athletes"] if isinstance(doc["athletes"], dict) else {}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            self.entries = {}
        self.signatures = {}

    def get(self, athlete_id: str, day: _dt.date):
        signature = self.signatures[athlete_id] = _signature(self.data_dir, athlete_id)
        entry = self.entries.get(athlete_id)
        if (isinstance(entry, dict) and entry.get("day") == day.isoformat() and entry.get("files") == signature
                and isinstance(entry.get("row"), dict) and list(entry["row"]) == list(SQUAD_COLUMNS)
                and entry["row"]["athlete_id"] == athlete_id):
            return entry["row"]
        return None

    def put(self, athlete_id: str, day: _dt.date, row: dict) -> None:
        self.entries[athlete_id] = {"day": day.isoformat(), "files": self.signatures[athlete_id], "row": row}
        self.changed = True

    def save(self) -> None:
        if not self.changed:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_text(self.path, json.dumps({"format": _CACHE_FORMAT, "version": self.version,
                                                     "athletes": self.entries}))
        except (OSError, InputError):
            pass  # a read-only home: the squad is only slower


def squad_document(rows) -> dict:
    """The ``squad --json`` document of some rows."""
    return {"format": SQUAD_FORMAT, "athletes": list(rows)}


def filter_rows(rows, *, red_flags: bool = False, acwr_above: float | None = None,
                no_checkin_days: int | None = None, today=None) -> list:
    """The rows that pass every filter asked for (the others are off).

    Parameters
    ----------
    rows : list of dict
        Rows of :func:`squad_rows`.
    red_flags : bool
        Keep only athletes with at least one red flag.
    acwr_above : float, optional
        Keep only athletes whose ACWR is above this ratio (an unknown ACWR
        does not pass).
    no_checkin_days : int, optional
        Keep only athletes with no check-in in the last ``no_checkin_days``
        days [d] up to ``today`` (never a check-in passes).
    today : str or date, optional
        For ``no_checkin_days`` (today by default).

    Returns
    -------
    list of dict
        The rows kept, in the order given.
    """
    day = as_day(today)
    kept = []
    for row in rows:
        if red_flags and not row["red_flags"]:
            continue
        if acwr_above is not None and (row["acwr"] is None or not row["acwr"] > acwr_above):
            continue
        if no_checkin_days is not None and row["last_checkin"] is not None:
            if (day - _dt.date.fromisoformat(row["last_checkin"])).days < no_checkin_days:
                continue
        kept.append(row)
    return kept


def _nullable(value, descending: bool):
    # unknown values always go last, whatever the direction
    if value is None:
        return (1, 0)
    return (0, -value if descending else value)


#: The orders of the squad view: a label for each key of :func:`sort_rows`.
SORT_KEYS = {
    "urgency": "red flags first, then top score",
    "acwr": "ACWR, highest first",
    "heaviness": "heaviness (7 days), highest first",
    "trend": "heaviness trend, rising most first",
    "last_checkin": "last check-in, oldest first",
    "name": "name",
}


def sort_rows(rows, by: str = "urgency") -> list:
    """The rows in another order (:data:`SORT_KEYS`); unknown values go last, ties by id.

    Raises
    ------
    ValueError
        For an order that is not one of :data:`SORT_KEYS`.
    """
    if by == "urgency":
        return sorted(rows, key=_order_key)
    if by == "acwr":
        return sorted(rows, key=lambda r: (_nullable(r["acwr"], True), r["athlete_id"]))
    if by == "heaviness":
        return sorted(rows, key=lambda r: (_nullable(r["heaviness_7d"], True), r["athlete_id"]))
    if by == "trend":
        return sorted(rows, key=lambda r: (_nullable(r["heaviness_trend"], True), r["athlete_id"]))
    if by == "last_checkin":
        return sorted(rows, key=lambda r: (r["last_checkin"] is None, r["last_checkin"] or "", r["athlete_id"]))
    if by == "name":
        return sorted(rows, key=lambda r: ((r["name"] or r["athlete_id"]).casefold(), r["athlete_id"]))
    raise ValueError(f"found order {by!r}, expected one of {', '.join(SORT_KEYS)}")


_CSV_COLUMNS = ("athlete_id", "name", "red_flags", "top_1", "top_1_score", "top_1_band", "top_2", "top_2_score",
                "top_2_band", "top_3", "top_3_score", "top_3_band", "last_assessment", "acwr", "week_load",
                "chronic_load", "load_metric", "heaviness_7d", "heaviness_trend", "last_checkin", "error",
                "load_as_of", "last_session", "days_since_session",
                "rhr_7d_bpm", "rhr_trend_bpm", "rhr_source", "hrv_7d_ms", "hrv_trend_pct", "hrv_below_normal",
                "hrv_source")


def _flat(row: dict) -> dict:
    flat = {k: row.get(k) for k in _CSV_COLUMNS if k in row}
    flat["red_flags"] = ";".join(f"{f['id']}:{f['urgency']}" for f in row["red_flags"])
    for i in range(TOP_CAUSES):
        cause = row["top_causes"][i] if i < len(row["top_causes"]) else {}
        flat[f"top_{i + 1}"] = cause.get("id")
        flat[f"top_{i + 1}_score"] = cause.get("score")
        flat[f"top_{i + 1}_band"] = cause.get("band")
    return flat


def squad_csv(rows) -> str:
    """The rows as CSV text: red flags ``id:urgency;...``, one column triple per top cause.

    Every cell goes through :func:`heavylegs.logs.csv_cells.safe_cell`, so a
    name such as ``=cmd|' /C calc'!A0`` opens in a spreadsheet as text.
    """
    lines = [csv_line(_CSV_COLUMNS)]
    for row in rows:
        flat = _flat(row)
        lines.append(csv_line([safe_cell("" if flat.get(k) is None else str(flat[k])) for k in _CSV_COLUMNS]))
    return "".join(lines)


def _cell(value, fmt: str = "{}") -> str:
    return "-" if value is None else fmt.format(value)


def _wellness_cell(value, trend, source, fmt, trend_fmt) -> str:
    if value is None:
        return "-"
    text = fmt.format(value) + (f" ({trend_fmt.format(trend)})" if trend is not None else "")
    return f"{text} {source}"


def _session_cell(row: dict) -> str:
    if row.get("last_session") is None:
        return "no log" if row.get("load_as_of") is None and row.get("week_load") is None else "-"
    days = row["days_since_session"]
    return f"{row['last_session']} ({'today' if days == 0 else f'{days} d ago'})"


def squad_text(rows) -> str:
    """The rows as a table for a person (one line per athlete)."""
    header = ("athlete", "red flags", "top cause", "assessed", "ACWR", "7-day load", "metric", "last session",
              "heavy 7d", "trend", "check-in",
              "rest HR (trend)", "HRV (trend)")
    lines, errors = [header], {}
    for row in rows:
        if row.get("error"):
            errors[len(lines)] = f"{row['athlete_id']}  {row['error']}"
            lines.append(None)
            continue
        top = row["top_causes"][0] if row["top_causes"] else None
        lines.append((row["athlete_id"],
                      ", ".join(f"{f['id']} ({f['urgency']})" for f in row["red_flags"]) or "-",
                      f"{top['id']} {top['score']} {top['band']}" if top else "-",
                      _cell(row["last_assessment"]), _cell(row["acwr"], "{:.2f}"), _cell(row["week_load"], "{:.0f}"),
                      _cell(row["load_metric"]), _session_cell(row), _cell(row["heaviness_7d"], "{:.1f}"),
                      _cell(row["heaviness_trend"], "{:+.1f}"), _cell(row["last_checkin"]),
                      _wellness_cell(row.get("rhr_7d_bpm"), row.get("rhr_trend_bpm"), row.get("rhr_source"),
                                     "{:.0f}", "{:+.0f}"),
                      _wellness_cell(row.get("hrv_7d_ms"), row.get("hrv_trend_pct"), row.get("hrv_source"),
                                     "{:.0f}", "{:+.0f}%")))
    shown = [line for line in lines if line is not None]
    widths = [max(len(line[i]) for line in shown) for i in range(len(header))]
    out = [errors[i] if line is None else "  ".join(f"{cell:<{widths[j]}}" for j, cell in enumerate(line)).rstrip()
           for i, line in enumerate(lines)]
    return "\n".join(out) + "\n"
