"""Save the fictional sample athlete ana's assessment of 2026-11-16 with her two-week plan.

Her check-ins (``scripts/make_sample_checkins.py``) have heaviness falling once
the plan starts on 2026-11-17; with the plan saved, the workbook and the
dashboard show that follow-up on first run. The assessment is built by the
package itself (``heavylegs.analysis.pipeline.assess`` and ``heavylegs.analysis.plan.build_plan``)
from ana's profile, log and check-ins, and saved with ``save_assessment`` at a
fixed time, so running this script again gives the same file.

Run: ``.venv/bin/python scripts/make_sample_plans.py [--data DIR]``; then copy
``data/athletes`` to ``heavylegs/samples/athletes`` (a test keeps them equal).
"""
from __future__ import annotations

import argparse
import datetime as dt
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: When ana's assessment was saved (the evening before her plan starts).
SAVED_AT = dt.datetime(2026, 11, 16, 18, 0)
PLAN_START = "2026-11-17"


def write_sample_plan(data_dir) -> Path:
    """Save ana's assessment with her plan under ``data_dir``; returns the assessment file."""
    from heavylegs.store.assessments import list_assessments, save_assessment
    from heavylegs.logs.checkins import load_checkins
    from heavylegs.analysis.pipeline import assess
    from heavylegs.analysis.plan import build_plan
    from heavylegs.store.profiles import read_profile
    from heavylegs.logs.traininglog import read_log

    data_dir = Path(data_dir)
    folder = data_dir / "athletes" / "ana" / "assessments"
    shutil.rmtree(folder, ignore_errors=True)   # the sample holds this one assessment only
    profile = read_profile(data_dir / "athletes" / "ana.json")
    log = read_log(data_dir / "athletes" / "ana" / "log.csv")
    checkins = load_checkins(data_dir, "ana")
    result = assess(profile, log, checkins=checkins)
    plan = build_plan(result, start=PLAN_START)
    save_assessment(data_dir, profile, result.ranking, when=SAVED_AT, plan=plan)
    lock = data_dir / "athletes" / "ana" / ".lock"
    if lock.exists():
        lock.unlink()
    return list_assessments(data_dir, "ana")[-1]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(ROOT / "data"), help="data folder (default: the project's data/)")
    args = parser.parse_args()
    print(f"wrote {write_sample_plan(args.data)}")
