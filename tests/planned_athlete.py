"""A copy of the sample data in which ana reads miles and has a saved two-week plan.

The dashboard never makes a plan: it shows the one the coach saved with the
newest assessment. The sample data holds no saved assessment, so the
dashboard and browser tests save two here, on a copy of ``data/``: one a
week before (sleep 6.5 h, so the doctor's page has something the coach
changed) and one on her assessment day with the plan ``build_plan`` makes
from it (first day 2026-11-17, the day her check-ins' story turns on).
"""
import datetime as dt
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: The day the tests pretend it is: two weeks into ana's plan.
TODAY = "2026-11-30"


def planned_data(target: Path, athlete: str = "ana", unit: str = "mi") -> Path:
    """Copy ``data/`` to ``target`` and save two assessments of ``athlete``, the newest with a plan.

    Returns
    -------
    Path
        ``target``.
    """
    from heavylegs.store.assessments import load_latest_profile, save_assessment
    from heavylegs.logs.checkins import load_checkins
    from heavylegs.analysis.pipeline import assess
    from heavylegs.analysis.plan import build_plan
    from heavylegs.logs.traininglog import read_log

    shutil.copytree(ROOT / "data", target)
    # start from no saved assessment, whatever the sample holds (ana's sample has one)
    shutil.rmtree(target / "athletes" / athlete / "assessments", ignore_errors=True)
    profile = dict(load_latest_profile(target, athlete), distance_unit=unit)
    log = read_log(target / "athletes" / athlete / "log.csv")
    checkins = load_checkins(target, athlete)
    earlier = dict(profile, sleep_h=6.5, assessed_on="2026-11-09")
    save_assessment(target, earlier, assess(earlier, log).ranking, when=dt.datetime(2026, 11, 9, 18, 0))
    result = assess(profile, log, checkins=checkins if len(checkins) else None)
    save_assessment(target, profile, result.ranking, when=dt.datetime(2026, 11, 16, 18, 0),
                    plan=build_plan(result))
    return target
