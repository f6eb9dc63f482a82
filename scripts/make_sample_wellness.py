"""Write the sample athletes' wellness from a watch (``spec/wellness.md``).

Every value here is fictional, made up for heavylegs (``data/README.md``).
One sample athlete wears a watch:

* ``hana`` (17, exam weeks) wears an Apple Watch: 120 mornings up to her
  assessment of 2026-11-16, with sleep about 7 h 20 min a night until the
  exams begin three weeks before the assessment, then about 6 h; her resting
  heart rate rises from about 50 to about 54 bpm in those weeks (the values
  her coach entered); her HRV (SDNN, as Apple measures it) dips but stays
  within her normal band. The coach's answers are entered, so the watch
  fills nothing: the workbook, the dashboard and the squad show the nights,
  and the ranking says the entered answers were used.

The numbers come from a seeded generator (numpy ``default_rng``), so running
the script again gives a byte-identical file::

    python scripts/make_sample_wellness.py            # (re)write data/athletes/hana/wellness.csv
    python scripts/make_sample_wellness.py --out DIR  # write DIR/athletes/ instead
    python scripts/make_sample_wellness.py --check    # exit 1 if data/ is stale
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

from heavylegs.logs.wellness import validate_wellness, wellness_to_csv_text  # noqa: E402
from heavylegs.files import atomic_write_text
from heavylegs.store.wellness_files import wellness_path  # noqa: E402

#: The seed of hana's watch; change it and the file changes.
SEED = 20261206
#: The last morning (her assessment day) and the first day of the exam weeks.
LAST = dt.date(2026, 11, 16)
EXAMS = dt.date(2026, 10, 26)
DAYS = 120


def hana_wellness() -> pd.DataFrame:
    """Hana's 120 mornings from her Apple Watch."""
    rng = np.random.default_rng(SEED)
    days = pd.date_range(end=pd.Timestamp(LAST), periods=DAYS)
    exams = np.asarray(days >= pd.Timestamp(EXAMS))
    sleep = np.where(exams, rng.normal(6.0, 0.35, DAYS), rng.normal(7.35, 0.45, DAYS))
    rhr = np.where(exams, rng.normal(54.0, 1.2, DAYS), rng.normal(50.0, 1.3, DAYS))
    sdnn = np.exp(np.where(exams, rng.normal(np.log(52.0), 0.18, DAYS), rng.normal(np.log(58.0), 0.2, DAYS)))
    worn = rng.random(DAYS) > 0.06  # the watch charges on some nights
    rows = pd.DataFrame({
        "date": days.strftime("%Y-%m-%d"), "source": "apple",
        "sleep_h": np.round(sleep, 2), "rhr_bpm": np.round(rhr), "hrv_ms": np.round(sdnn, 1), "hrv_kind": "sdnn",
        "imported_from": "export.zip"})
    return validate_wellness(rows.loc[worn].reset_index(drop=True), source="hana")


def write_samples(data_dir) -> list:
    """Write hana's wellness file under ``data_dir``; return its path."""
    path = wellness_path(data_dir, "hana")
    atomic_write_text(path, wellness_to_csv_text(hana_wellness()))
    return [path]


def _stale(data_dir) -> list:
    return stale_files(write_samples, data_dir)


def main(argv=None) -> int:
    return sample_script_main(__doc__, write_samples, _stale, argv)


if __name__ == "__main__":
    sys.exit(main())
