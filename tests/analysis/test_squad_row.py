"""One athlete's squad row (heavylegs.analysis.squad_row): the chain every page uses, values checked by hand."""
import datetime as dt

import pandas as pd
import pytest

from analysis.test_squad import TODAY, squad_dir  # noqa: F401 (a fixture)
from heavylegs.analysis.squad import no_session_text, squad_text
from heavylegs.analysis.squad_row import athlete_row, heaviness_summary, heaviness_trend
from heavylegs.errors import InputError


def test_heaviness_trend_known_value_and_unknowns():
    c = pd.DataFrame({"date": pd.to_datetime(["2026-11-20", "2026-11-27", "2026-11-28", "2026-11-29"]),
                      "heaviness": [3, 6, 8, 10]})
    assert heaviness_summary(c, "2026-11-28") == (7.0, 3.0)  # 2026-11-29 is after today: left out
    assert heaviness_trend(c, "2026-11-28") == 4.0
    assert heaviness_trend(c, "2026-12-05") == 3.0            # 10 against the mean of 6 and 8
    assert heaviness_trend(c, "2026-11-22") is None          # no check-in in the week before
    assert heaviness_trend(c.iloc[:0], "2026-11-28") is None


def test_a_log_with_no_session_for_a_week_has_no_ratio_and_says_since_when(squad_dir):
    """A session long ago and one 10 days ago: the 28-day window holds 75 AU a week, the last 7 days none."""
    folder = squad_dir / "athletes" / "quiet"
    folder.mkdir()
    (folder / "log.csv").write_text("date,activity,duration_min,distance_km,rpe,session_type\n"
                                    "2026-01-05,run,60,10,5,easy\n2026-11-18,run,60,10,5,easy\n", encoding="utf-8")
    row = athlete_row(squad_dir, "quiet", today=TODAY)
    assert row["week_load"] == 0 and row["chronic_load"] == pytest.approx(75.0)
    assert row["acwr"] is None  # never 0.00: nothing was logged in the last 7 days
    assert (row["load_as_of"], row["last_session"], row["days_since_session"]) == ("2026-11-28", "2026-11-18", 10)
    assert no_session_text(row) == "no session for 10 days (last 2026-11-18)"
    assert "2026-11-18 (10 d ago)" in squad_text([row])
    # 6 days later the ratio is back: 300 AU in 7 days against 300 / 4 a week
    (folder / "log.csv").write_text((folder / "log.csv").read_text() + "2026-11-24,run,60,10,5,easy\n",
                                    encoding="utf-8")
    row = athlete_row(squad_dir, "quiet", today=TODAY)
    assert row["acwr"] == pytest.approx(2.0) and row["days_since_session"] == 4 and no_session_text(row) is None


def test_a_log_whose_sessions_are_all_old_is_shown_as_a_log(squad_dir):
    """zoe, created in the workbook from an archive of 2012-2022 runs: her sessions, not "no log"."""
    folder = squad_dir / "athletes" / "zoe"
    folder.mkdir()
    rows = ["date,activity,duration_min,distance_km,rpe,session_type"]
    rows += [f"2022-05-{day:02d},run,45,8,,easy" for day in range(1, 16)]
    (folder / "log.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    row = athlete_row(squad_dir, "zoe", today=TODAY)
    assert row["error"] is None and row["name"] is None
    assert row["last_session"] == "2022-05-15" and row["days_since_session"] == (TODAY - dt.date(2022, 5, 15)).days
    assert row["week_load"] == 0 and row["acwr"] is None and row["load_metric"] is not None
    assert "no log" not in squad_text([row]) and "2022-05-15" in squad_text([row])


def test_an_athlete_without_a_log_says_so(squad_dir):
    row = athlete_row(squad_dir, "quiet", today=TODAY)
    assert (row["week_load"], row["last_session"], row["load_as_of"], row["acwr"]) == (None, None, None, None)
    assert "no log" in squad_text([row])


def test_acwr_is_the_weekly_tables_on_the_same_day(squad_dir):
    from heavylegs.logs.traininglog import read_log
    from heavylegs.engine.load import weekly_table

    table = weekly_table(read_log(squad_dir / "athletes" / "loaded" / "log.csv"), until=TODAY)
    assert athlete_row(squad_dir, "loaded", today=TODAY)["acwr"] == pytest.approx(table["acwr"].iloc[-1], abs=0.005)


def test_a_bad_checkin_file_gives_read_checkins_own_error_in_the_row(squad_dir):
    from heavylegs.logs.checkins import read_checkins

    path = squad_dir / "athletes" / "loaded" / "checkins.csv"
    for text, message in (("date,heaviness,sleep_h\n2026-11-20,4,25\n", r"checkins\.csv:2:3: sleep_h: found 25"),
                          ("date,heaviness\n2026-11-20,\n", r"checkins\.csv:2:2: heaviness: found an empty cell"),
                          ("date,heaviness\n2026-02-30,4\n", r"checkins\.csv:2:1: date: found '2026-02-30'"),
                          ("date,sleep_h\n2026-11-20,7\n", "column 'heaviness' is missing")):
        path.write_text(text, encoding="utf-8")
        with pytest.raises(InputError, match=message) as full:
            read_checkins(path)
        row = athlete_row(squad_dir, "loaded", today=TODAY)
        assert row["error"].startswith(f"cannot read this athlete's files: {full.value.problems[0]}")
        assert row["top_causes"] == [] and row["acwr"] is None
