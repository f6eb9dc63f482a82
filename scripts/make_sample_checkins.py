"""Write the sample athletes' daily check-ins (``spec/checkins.md``).

Every check-in here is fictional, made up for heavylegs (``data/README.md``).
Two sample athletes get about 15 weeks of check-ins, each with one story:

* ``dev`` lifts heavy three times a week from 19 October (his training log's
  ``strength`` rows): his legs feel heavy on the two days after lifting and
  light otherwise, so the pattern ``after_strength`` is reported;
* ``ana`` starts a two-week plan on :data:`ANA_PLAN_START` (the day after her
  assessment of 2026-11-16, the plan's default start): her heaviness of about
  6 falls to about 3-4 in the days after, so the follow-up shows the fall.

Both skip a check-in now and then, as athletes do. The numbers come from a
seeded generator (numpy ``default_rng``, one stream per athlete), so running
the script again gives byte-identical files::

    python scripts/make_sample_checkins.py            # (re)write data/athletes/<id>/checkins.csv
    python scripts/make_sample_checkins.py --out DIR  # write DIR/athletes/ instead
    python scripts/make_sample_checkins.py --check    # exit 1 if data/ is stale
"""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
for _folder in (ROOT, ROOT / "scripts"):  # heavylegs, and _samples.py beside this script
    if str(_folder) not in sys.path:
        sys.path.insert(0, str(_folder))

from _samples import main as sample_script_main, stale_files  # noqa: E402

import pandas as pd  # noqa: E402

from heavylegs.logs.checkins import checkins_path, checkins_to_csv_text, validate_checkins  # noqa: E402
from heavylegs.files import athlete_paths, atomic_write_text
from heavylegs.logs.traininglog import read_log  # noqa: E402

#: Base of every athlete's random stream; change it and every file changes.
BASE_SEED = 20261201
#: The day ana's two-week plan starts (the day after her assessment).
ANA_PLAN_START = dt.date(2026, 11, 17)
#: First and last day of dev's check-ins (15 weeks, up to the day before his assessment).
DEV_DAYS = (dt.date(2026, 8, 3), dt.date(2026, 11, 15))
#: First and last day of ana's check-ins (15 weeks, two of them after the plan began).
ANA_DAYS = (dt.date(2026, 8, 17), dt.date(2026, 11, 29))


def _days(first: dt.date, last: dt.date) -> list:
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def _clip_int(x, low, high) -> int:
    return int(np.clip(np.rint(x), low, high))


def _hooper(rng, heavy: float) -> dict:
    """Hooper items that move with the heaviness (1 very good ... 7 very bad)."""
    return {
        "sleep_quality": _clip_int(3 + rng.normal(0, 0.8), 1, 7),
        "fatigue": _clip_int(1.5 + 0.55 * heavy + rng.normal(0, 0.7), 1, 7),
        "stress": _clip_int(3 + rng.normal(0, 0.8), 1, 7),
        "soreness": _clip_int(1.2 + 0.6 * heavy + rng.normal(0, 0.7), 1, 7),
    }


def dev_checkins(data_dir) -> pd.DataFrame:
    """dev: heavy legs on the two days after a strength session."""
    rng = np.random.default_rng([BASE_SEED, 4])
    log = read_log(athlete_paths(data_dir, "dev")["log"])
    strength = {d.date() for d in log.loc[log["activity"] == "strength", "date"]}
    rows = []
    for day in _days(*DEV_DAYS):
        if rng.random() < 0.12:
            rng.normal(size=6)  # a skipped day still draws, so one change does not shift the rest
            continue
        one, two = day - dt.timedelta(days=1) in strength, day - dt.timedelta(days=2) in strength
        heavy = 2.5 + (3.5 if one else 2.5 if two else 0.0) + rng.normal(0, 0.9)
        heaviness = _clip_int(heavy, 0, 10)
        row = {"date": day.isoformat(), "heaviness": heaviness,
               "sleep_h": round(float(np.clip(7.6 + rng.normal(0, 0.5), 5.5, 9.5)), 1),
               **_hooper(rng, heaviness), "notes": ""}
        if one and heaviness >= 6:
            row["notes"] = "squats yesterday, stairs hurt"
        rows.append(row)
    return validate_checkins(pd.DataFrame(rows), source="dev")


def ana_checkins() -> pd.DataFrame:
    """ana: heaviness about 6 until her plan starts, falling to about 3-4 after it."""
    rng = np.random.default_rng([BASE_SEED, 1])
    rows = []
    for day in _days(*ANA_DAYS):
        if rng.random() < 0.15:
            rng.normal(size=6)
            continue
        since = (day - ANA_PLAN_START).days
        level = 6.0 if since < 0 else 6.0 - 2.6 * min(since, 4) / 4
        heaviness = _clip_int(level + rng.normal(0, 0.9), 0, 10)
        row = {"date": day.isoformat(), "heaviness": heaviness,
               "sleep_h": round(float(np.clip(7.4 + rng.normal(0, 0.6), 5.5, 9.5)), 1),
               **_hooper(rng, heaviness), "notes": ""}
        if since == 0:
            row["notes"] = "plan day 1: easy run, iron-rich dinner"
        rows.append(row)
    return validate_checkins(pd.DataFrame(rows), source="ana")


def write_samples(data_dir) -> list:
    """Write both athletes' check-in files under ``data_dir``; return their paths."""
    written = []
    for athlete_id, frame in (("dev", dev_checkins(data_dir)), ("ana", ana_checkins())):
        path = checkins_path(data_dir, athlete_id)
        atomic_write_text(path, checkins_to_csv_text(frame))
        written.append(path)
    return written


def _copy_logs(data_dir, scratch):
    """The check-ins follow the logs: copy dev's and ana's logs into the scratch folder."""
    for athlete_id in ("dev", "ana"):
        target = athlete_paths(scratch, athlete_id)["log"]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(athlete_paths(data_dir, athlete_id)["log"].read_bytes())


def _stale(data_dir) -> list:
    """The files that differ from what the script writes."""
    return stale_files(write_samples, data_dir, prepare=_copy_logs)


def main(argv=None) -> int:
    return sample_script_main(__doc__, write_samples, _stale, argv)


if __name__ == "__main__":
    sys.exit(main())
