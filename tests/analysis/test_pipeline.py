"""One assessment pipeline: the workbook, the dashboard and the command line agree."""
import io
import json
from contextlib import redirect_stdout

import pandas as pd
import pytest

from heavylegs import cli
from heavylegs.store.assessments import load_latest_profile
from heavylegs.views.dashboard import dashboard_content
from heavylegs.engine.load import daily_load, fitness_fatigue, log_facts, weekly_table
from heavylegs.analysis.pipeline import analyse_log, assess, assessment_day
from heavylegs.store.profiles import read_profile
from heavylegs.analysis.scoring import score_profile
from heavylegs.logs.traininglog import read_log
from heavylegs.app.workbook import WorkbookModel


@pytest.mark.parametrize("athlete", ["ana", "ben", "hana"])
def test_assess_equals_the_separate_functions(root, athlete):
    profile = read_profile(root / "data" / "athletes" / f"{athlete}.json")
    log = read_log(root / "data" / "athletes" / athlete / "log.csv")
    until = profile["assessed_on"]
    result = assess(profile, log)
    pd.testing.assert_frame_equal(result.weekly, weekly_table(log, until=until, profile=profile))
    assert result.log_facts == log_facts(log, until=until, profile=profile)
    assert result.ranking == score_profile(profile, log_facts=log_facts(log, until=until, profile=profile))
    assert result.log.load_metric == result.weekly["load_metric"].iloc[-1]
    expected_daily = daily_load(log, until=until)
    same = ["sessions", "rest_day", "runs", "distance_km", "duration_min", "strength_sessions", "longest_run_km"]
    pd.testing.assert_frame_equal(result.daily[same], expected_daily[same], check_freq=False)
    # the loads use the athlete's thresholds, as the weekly table does: its weekly sums are the table's
    weeks = result.daily["load_au"].groupby(result.daily.index.to_period("W-SUN")).sum()
    assert list(weeks) == pytest.approx(list(result.weekly["load_au"]))
    pd.testing.assert_frame_equal(result.daily[["fitness", "fatigue", "form"]],
                                  fitness_fatigue(result.daily["load"]), check_freq=False)
    # fitness at each week's end is the weekly table's, on the same metric
    ends = result.weekly["week_start"] + pd.Timedelta(days=6)
    ends = ends.where(ends <= result.daily.index[-1], result.daily.index[-1])
    assert list(result.daily.loc[ends, "fitness"]) == pytest.approx(list(result.weekly["fitness"]))
    # the series stops on the assessment day, not on the log's last date
    assert result.daily.index[-1] == pd.Timestamp(until)


def test_a_reused_analysis_gives_the_same_assessment(root):
    profile = read_profile(root / "data" / "athletes" / "ben.json")
    log = read_log(root / "data" / "athletes" / "ben" / "log.csv")
    analysis = analyse_log(log, assessment_day(profile))
    again = assess(profile, log, analysis=analysis)
    assert again.ranking == assess(profile, log).ranking
    assert again.log is analysis


def test_without_a_log_there_is_no_log_part(root):
    profile = {"athlete_id": "x", "assessed_on": "2026-11-20"}
    result = assess(profile)
    assert result.log is None and result.weekly is None and result.daily is None and result.log_facts is None
    assert result.ranking == score_profile(profile)


def test_a_log_that_starts_after_the_assessment_gives_no_weeks():
    log = pd.DataFrame({"date": ["2026-12-01"], "duration_min": [30]})
    from heavylegs.logs.traininglog import validate_log

    result = assess({"athlete_id": "x", "assessed_on": "2026-11-20"}, validate_log(log))
    assert result.weekly is None and result.log.sessions == 1


@pytest.mark.parametrize("athlete", ["ana", "ben"])
def test_dashboard_workbook_and_cli_show_the_same_assessment(root, athlete):
    """Seen before: the dashboard's chart ended a week before the workbook's for ana."""
    data = root / "data"
    content = dashboard_content(data, athlete)
    model = WorkbookModel(data, athlete)
    pd.testing.assert_frame_equal(content["weekly"], model.weekly)
    assert [c["id"] for c in content["causes"]] == [c["id"] for c in model.ranking["causes"][:3]]
    assert [c["score"] for c in content["causes"]] == [c["score"] for c in model.ranking["causes"][:3]]
    out = io.StringIO()
    with redirect_stdout(out):
        checkins = data / "athletes" / athlete / "checkins.csv"
        extra = ["--checkins", str(checkins)] if checkins.exists() else []
        status = cli.main(["score", str(data / "athletes" / f"{athlete}.json"),
                           "--log", str(data / "athletes" / athlete / "log.csv"), "--json", *extra])
    assert status == 0
    doc = json.loads(out.getvalue())
    assert doc == json.loads(json.dumps(model.ranking))
    assert load_latest_profile(data, athlete)["assessed_on"] == content["assessed_on"]
