"""Structure of the workbook's figures: traces, colours, shapes, hover text."""

import numpy as np
import pandas as pd
from pathlib import Path
import plotly.graph_objects as go
import pytest

from heavylegs.views import figures
from heavylegs.vocabulary import ACWR_SAFE_BAND
from heavylegs.views.figures import (chart_lines, BAND_COLOURS, flagged_weeks, history_figure,
                               ranking_figure, weekly_load_figure)


def _cause(cid, score, band, rank, evidence=(), missing=(), coverage=0.5):
    return {"id": cid, "rank": rank, "score": score, "band": band, "title": f"Cause {cid}",
            "summary": "", "evidence": list(evidence), "missing": list(missing), "coverage": coverage,
            "advice": ["rest"], "see_doctor_if": ""}


@pytest.fixture
def ranking():
    return {"athlete_id": "ana", "assessed_on": "2026-11-16", "red_flags": [], "ask_next": ["sleep_h"],
            "causes": [
                _cause("iron", 91, "likely", 1, evidence=[
                    {"field": "ferritin_ug_l", "value": 14.0, "points": 3,
                     "because": "ferritin 14 µg/L is below 35 µg/L"},
                    {"field": "log_acwr", "value": 1.62, "points": 2, "because": "ACWR reached 1.62",
                     "week": "2026-11-02"}]),
                _cause("sleep", 45, "possible", 2, evidence=[
                    {"field": "sleep_h", "value": 6.0, "points": 3, "because": "sleeps 6 h a night"}]),
                _cause("shoes", 0, "unlikely", 3, missing=["shoe_km", "shoe_type"], coverage=0.0),
            ]}


def test_ranking_figure_has_one_bar_trace_per_band_coloured_by_band(ranking):
    fig = ranking_figure(ranking)
    assert isinstance(fig, go.Figure)
    bars = [t for t in fig.data if t.type == "bar"]
    assert [t.name for t in bars] == ["likely", "possible", "unlikely"]
    for trace in bars:
        assert trace.orientation == "h"
        assert trace.marker.color == BAND_COLOURS[trace.name]
    assert list(bars[0].customdata) == ["iron"] and list(bars[0].x) == [91]
    assert list(bars[1].customdata) == ["sleep"] and list(bars[1].x) == [45]
    assert list(bars[2].customdata) == ["shoes"] and list(bars[2].x) == [0]
    # best cause on top: the category order follows the ranking, axis reversed
    assert list(fig.layout.yaxis.categoryarray) == ["Cause iron", "Cause sleep", "Cause shoes"]
    assert fig.layout.yaxis.autorange == "reversed"


def test_ranking_hover_holds_the_evidence_in_the_athletes_numbers(ranking):
    fig = ranking_figure(ranking)
    likely = fig.data[0].hovertext[0]
    assert "ferritin 14 µg/L is below 35 µg/L" in likely
    assert "+3" in likely and "week of 2026-11-02" in likely
    assert "100%" not in likely and "50% of its questions answered" in likely
    unlikely = fig.data[2].hovertext[0]
    assert "no evidence" in unlikely and "2 question(s) still unknown" in unlikely


def test_ranking_hover_escapes_html():
    doc = {"causes": [_cause("x", 18, "unlikely", 1, evidence=[
        {"field": "sleep_h", "value": 5, "points": 1, "because": "<script>sleep < 6</script>"}])]}
    text = ranking_figure(doc).data[2].hovertext[0]
    assert "<script>" not in text and "&lt;script&gt;" in text


def test_ranking_band_limits_are_drawn(ranking):
    fig = ranking_figure(ranking)
    assert sorted(s.x0 for s in fig.layout.shapes) == [35, 60]


def test_ranking_compare_trace_shows_saved_scores(ranking):
    before = {"causes": [dict(c) for c in ranking["causes"]]}
    before["causes"][1]["score"] = 63
    fig = ranking_figure(ranking, compare=before)
    saved = fig.data[3]
    assert saved.type == "scatter" and saved.name == "saved answers"
    assert list(saved.x) == [63] and list(saved.y) == ["Cause sleep"]   # only the cause that moved
    assert "what-if: 45 (-18)" in saved.hovertext[0]
    assert fig.layout.title.text.startswith("What-if")
    # without a comparison the trace is there but empty, so live figures keep their shape
    plain = ranking_figure(ranking)
    assert len(plain.data) == 4 and len(plain.data[3].x) == 0


def test_ranking_selected_cause_is_outlined(ranking):
    fig = ranking_figure(ranking, selected="sleep")
    assert list(fig.data[1].marker.line.width) == [2.5]
    assert list(fig.data[0].marker.line.width) == [0]


def test_ranking_figure_empty_and_top():
    fig = ranking_figure({"causes": []})
    assert all(len(t.x) == 0 for t in fig.data)
    doc = {"causes": [_cause(str(i), 50 - i, "possible", i + 1) for i in range(10)]}
    assert sum(len(t.x) for t in ranking_figure(doc, top=4).data[:3]) == 4


@pytest.fixture
def weekly():
    return pd.DataFrame({
        "week_start": ["2026-10-05", "2026-10-12", "2026-10-19", "2026-10-26", "2026-11-02"],
        "distance_km": [30.0, 32.0, 45.0, 40.0, 20.5],
        "load_au": [1500.0, 1600.0, 2400.0, 2100.0, 900.0],
        "acwr": [np.nan, np.nan, np.nan, 1.62, 0.7],
        "monotony": [1.1, 2.4, np.nan, 2.0, 1.5],       # 2.0 itself is not above 2
        "long_run_spike_pct": [np.nan, 5.0, 25.0, 10.0, -20.0],
        "distance_change_pct": [np.nan, 6.7, 40.6, -11.1, -48.8],
        "fitness": [10.0, 12.0, 15.0, 17.0, 16.0],
        "fatigue": [20.0, 22.0, 30.0, 28.0, 15.0],
        "form": [-10.0, -10.0, -15.0, -11.0, 1.0],
    })


def test_flagged_weeks_uses_strict_limits_and_ignores_missing(weekly):
    assert flagged_weeks(weekly) == {"monotony": [1], "long_run_spike": [2], "distance_rise": [2]}
    assert flagged_weeks(pd.DataFrame({"week_start": []})) == {
        "monotony": [], "long_run_spike": [], "distance_rise": []}


def test_flags_that_reach_back_before_the_log_began_are_not_marked():
    # the log starts on Wednesday 2026-10-07, so its first week holds 5 days
    starts = pd.date_range("2026-10-05", periods=7, freq="7D")
    table = pd.DataFrame({"week_start": starts, "days": [5, 7, 7, 7, 7, 7, 7],
                          "long_run_spike_pct": [np.nan] + [25.0] * 6,
                          "distance_change_pct": [np.nan] + [50.0] * 6})
    flags = flagged_weeks(table)
    # spikes: only weeks starting 30 days or more after 2026-10-07, i.e. from 2026-11-09
    assert [str(starts[i].date()) for i in flags["long_run_spike"]] == ["2026-11-09", "2026-11-16"]
    # rises: every week but the one compared with the 5-day first week
    assert flags["distance_rise"] == [2, 3, 4, 5, 6]


def test_weekly_load_figure_bars_and_acwr_axis(weekly):
    fig = weekly_load_figure(weekly)
    bars, acwr = fig.data[0], fig.data[1]
    assert bars.type == "bar" and list(bars.y) == [30.0, 32.0, 45.0, 40.0, 20.5]
    assert "km" in bars.name
    assert acwr.type == "scatter" and acwr.yaxis == "y2"
    assert fig.layout.yaxis2.overlaying == "y" and fig.layout.yaxis2.side == "right"
    assert list(acwr.y[:3]) == [None, None, None]  # gaps, not zeros
    assert acwr.y[3] == pytest.approx(1.62)


def test_weekly_load_figure_switches_to_load(weekly):
    fig = weekly_load_figure(weekly, metric="load")
    assert list(fig.data[0].y) == [1500.0, 1600.0, 2400.0, 2100.0, 900.0]
    assert "AU" in fig.data[0].name
    with pytest.raises(ValueError, match="expected 'distance' or 'load'"):
        weekly_load_figure(weekly, metric="pace")


def test_weekly_load_figure_in_miles(weekly):
    fig = weekly_load_figure(weekly, unit="mi")
    # 30 km = 18.64 mi, 20.5 km = 12.74 mi; the table keeps km
    assert list(fig.data[0].y) == pytest.approx([18.6411, 19.8839, 27.9617, 24.8548, 12.7381], abs=1e-4)
    assert fig.data[0].name == "weekly distance [mi]" and fig.layout.yaxis.title.text == "weekly distance [mi]"
    assert "mi<extra>" in fig.data[0].hovertemplate
    assert weekly["distance_km"].tolist() == [30.0, 32.0, 45.0, 40.0, 20.5]
    assert list(weekly_load_figure(weekly, metric="load", unit="mi").data[0].y) == [1500.0, 1600.0, 2400.0,
                                                                                    2100.0, 900.0]
    with pytest.raises(ValueError, match="expected 'km' or 'mi'"):
        weekly_load_figure(weekly, unit="miles")


def test_weekly_load_figure_shades_the_acwr_band_and_draws_the_danger_line(weekly):
    fig = weekly_load_figure(weekly)
    rects = [s for s in fig.layout.shapes if s.type == "rect"]
    lines = [s for s in fig.layout.shapes if s.type == "line"]
    assert len(rects) == 1 and (rects[0].y0, rects[0].y1) == ACWR_SAFE_BAND == (0.8, 1.3)
    assert rects[0].yref == "y2" and rects[0].fillcolor
    assert len(lines) == 1 and lines[0].y0 == lines[0].y1 == chart_lines()["acwr"] == 1.5 and lines[0].yref == "y2"
    texts = [a.text for a in fig.layout.annotations]
    assert sum("contested heuristic" in t for t in texts) == 2
    assert any("1.5" in t and "Gabbett 2016" in t for t in texts)


def test_weekly_load_figure_marks_flagged_weeks(weekly):
    fig = weekly_load_figure(weekly)
    marks = {t.name: t for t in fig.data[2:5]}
    assert list(marks["monotony > 2"].x) == ["2026-10-12"]
    assert list(marks["long-run spike > 10 %"].x) == ["2026-10-19"]
    assert list(marks["distance up > 30 % on the week before"].x) == ["2026-10-19"]
    # marks sit just above their week's bar (45 km), stacked, inside the axis range
    spike, rise = marks["long-run spike > 10 %"].y[0], marks["distance up > 30 % on the week before"].y[0]
    assert 45 < spike < rise < fig.layout.yaxis.range[1]
    assert 32 < marks["monotony > 2"].y[0] < 45


def test_weekly_load_figure_fitness_panel(weekly):
    plain = weekly_load_figure(weekly)
    assert len(plain.data) == 7 and "yaxis3" not in plain.layout.to_plotly_json()
    assert [t.name for t in plain.data[5:]] == ["planned weekly load", "ACWR the plan leads to"]
    fig = weekly_load_figure(weekly, show_fitness=True)
    lines = fig.data[5:8]
    assert [t.name for t in lines] == ["fitness [AU]", "fatigue [AU]", "form [AU]"]
    assert all(t.yaxis == "y3" for t in lines)
    assert list(lines[2].y) == [-10.0, -10.0, -15.0, -11.0, 1.0]
    daily = pd.DataFrame({"fitness": [1.0, 2.0], "fatigue": [3.0, 4.0], "form": [-2.0, -2.0]},
                         index=pd.to_datetime(["2026-11-01", "2026-11-02"]))
    fig = weekly_load_figure(weekly, show_fitness=True, daily=daily)
    assert list(fig.data[5].x) == ["2026-11-01", "2026-11-02"] and list(fig.data[6].y) == [3.0, 4.0]


def test_weekly_load_figure_without_a_log():
    for empty in (None, pd.DataFrame(columns=["week_start", "distance_km", "acwr"])):
        fig = weekly_load_figure(empty, show_fitness=True)
        assert len(fig.data) == 10 and all(len(t.x or ()) == 0 for t in fig.data)
        assert any("No training log" in a.text for a in fig.layout.annotations)


def test_history_figure_one_line_per_cause():
    history = pd.DataFrame({
        "saved_at": pd.to_datetime(["2026-10-01T10:00", "2026-10-01T10:00", "2026-11-01T10:00",
                                    "2026-11-01T10:00"]),
        "assessed_on": ["2026-10-01"] * 2 + ["2026-11-01"] * 2,
        "cause_id": ["iron", "sleep", "iron", "sleep"], "title": ["Iron", "Sleep", "Iron", "Sleep"],
        "rank": [2, 1, 1, 2], "score": [45, 63, 80, 30], "band": ["possible", "likely", "likely", "unlikely"],
    })
    fig = history_figure(history)
    assert [t.name for t in fig.data] == ["Iron", "Sleep"]  # best rank first: both reached 1
    assert list(fig.data[0].y) == [45, 80] and list(fig.data[1].y) == [63, 30]
    assert list(fig.data[0].customdata) == [2, 1]
    # one evenly spaced category per assessment, named by the time it was saved
    assert list(fig.data[0].x) == ["01 Oct 2026, 10:00", "01 Nov 2026, 10:00"]
    assert fig.layout.xaxis.type == "category"
    assert list(fig.layout.xaxis.categoryarray) == ["01 Oct 2026, 10:00", "01 Nov 2026, 10:00"]
    # two saves in the same minute stay two points
    same_minute = history.assign(saved_at=pd.to_datetime(["2026-10-01T10:00:05"] * 2 + ["2026-10-01T10:00:40"] * 2))
    xs = history_figure(same_minute).data[0].x
    assert len(set(xs)) == 2 and all(x.startswith("01 Oct 2026, 10:00") for x in xs)
    empty = history_figure(None)
    assert len(empty.data) == 0 and "No saved assessment" in empty.layout.annotations[0].text


def test_figures_never_show(monkeypatch, ranking, weekly):
    monkeypatch.setattr(go.Figure, "show", lambda *a, **k: pytest.fail("show() called"))
    ranking_figure(ranking)
    weekly_load_figure(weekly, show_fitness=True)
    history_figure(None)
    assert figures.evidence_text(ranking["causes"][0]).startswith("<b>Cause iron</b>")


def test_a_long_log_opens_on_the_recent_16_weeks_with_the_whole_log_a_click_away():
    import pandas as pd

    from heavylegs.views.figures import RECENT_WEEKS, weekly_load_figure
    from heavylegs.engine.load import weekly_table
    from heavylegs.logs.traininglog import validate_log

    days = pd.date_range("2022-01-03", "2026-11-29", freq="2D")
    log = validate_log(pd.DataFrame({"date": days.strftime("%Y-%m-%d"), "duration_min": 40.0,
                                     "distance_km": [5.0 + (i % 9) for i in range(len(days))]}))
    weekly = weekly_table(log)
    fig = weekly_load_figure(weekly)
    start, end = (pd.Timestamp(x) for x in fig.layout.xaxis.range)
    assert (end - start).days == RECENT_WEEKS * 7 - 7 + 8          # 16 weekly bars, half a bar each side
    assert end > pd.Timestamp(weekly["week_start"].iloc[-1]) > start > pd.Timestamp("2026-07-01")
    labels = [b.label for b in fig.layout.updatemenus[0].buttons]
    assert labels == ["last 16 weeks of the log", f"whole log ({len(weekly)} weeks)"]
    assert len(fig.data[0].x) == len(weekly)                         # every week is still in the figure
    short = weekly_load_figure(weekly.tail(10))
    assert not short.layout.updatemenus                              # the window is the whole log


def _visible(fig, axis, x_range):
    """The y values of the traces on ``axis`` drawn inside ``x_range``."""
    return [y for trace in fig.data if (trace.yaxis or "y") == axis
            for x, y in zip(trace.x or (), trace.y or ())
            if y is not None and x_range[0] <= str(x)[:10] <= x_range[1]]


def _old_log_weekly(until="2026-12-06"):
    """The real activity files (2017-2021), imported and tabled up to a 2026 assessment day."""
    from heavylegs.analysis.pipeline import analyse_log
    from heavylegs.logs.formats import import_sources

    files = sorted((Path(__file__).parents[1] / "data" / "activities").glob("runpandas__*"))
    log = import_sources(files, use_cache=False).log
    return analyse_log(log, until)


def test_an_old_log_opens_on_its_own_last_weeks_and_every_axis_fits_it():
    # issue 17: a log whose sessions are years older than the assessment drew an empty chart
    # with a y axis from -1 to 1, and "whole log" rescaled x but not y
    analysis = _old_log_weekly()
    weekly = analysis.weekly
    assert str(weekly["week_start"].iloc[-1])[:4] == "2026"                # the table runs to the assessment
    for metric in ("distance", "load"):
        fig = weekly_load_figure(weekly, metric=metric, show_fitness=True, daily=analysis.daily)
        x_range = tuple(fig.layout.xaxis.range)
        assert "2021-03-01" < x_range[0] < x_range[1] < "2021-08-01"      # ends on the log's last session
        bars = _visible(fig, "y", x_range)
        assert max(bars) > 0
        top = fig.layout.yaxis.range[1]
        assert max(bars) <= top <= 1.3 * max(bars)                         # fits: no empty -1..1 axis
        ratio = _visible(fig, "y2", x_range)
        assert max(ratio) <= fig.layout.yaxis2.range[1]
        low3, high3 = fig.layout.yaxis3.range
        fitness = _visible(fig, "y3", x_range)
        assert low3 <= min(fitness) and max(fitness) <= high3
        notes = " ".join(a.text for a in fig.layout.annotations)
        assert "No session after the week of 28 Jun 2021" in notes
        # both buttons set every axis: the whole log rescales y as well as x
        recent, whole = (b.args[0] for b in fig.layout.updatemenus[0].buttons)
        assert recent["xaxis.range"] == list(x_range) and recent["yaxis.range"] == list(fig.layout.yaxis.range)
        assert whole["xaxis.range"][0] < "2017-06-01" and whole["xaxis.range"][1] > "2026-11-30"
        assert set(whole) >= {"yaxis.range", "yaxis2.range", "yaxis3.range"}
        assert max(_visible(fig, "y", whole["xaxis.range"])) <= whole["yaxis.range"][1]


def test_chart_window_takes_in_a_plan_that_follows_the_log_and_not_one_years_later(weekly):
    from heavylegs.views.figures import chart_window

    soon = pd.DataFrame({"load": 1.0, "planned": True, "acwr": 1.0},
                        index=pd.date_range("2026-11-10", periods=14, freq="D"))
    assert chart_window(weekly, soon)["recent"] == ("2026-10-01", "2026-11-24")
    late = pd.DataFrame({"load": 1.0, "planned": True, "acwr": 1.0},
                        index=pd.date_range("2028-01-10", periods=14, freq="D"))
    window = chart_window(weekly, late)
    assert window["recent"] == ("2026-10-01", "2026-11-06") and window["whole"][1] == "2028-01-24"
    assert chart_window(None) == {"recent": None, "whole": None, "last_session_week": None, "quiet_days": 0}



def test_a_log_that_ran_until_the_day_before_has_no_quiet_note():
    # ana's sample log ends on Sunday 15 Nov, her assessment on Monday 16 Nov opens a new week
    from heavylegs.analysis.pipeline import analyse_log
    from heavylegs.logs.traininglog import read_log
    from heavylegs.views.figures import chart_window

    log = read_log(Path(__file__).parents[2] / "data" / "athletes" / "ana" / "log.csv")
    weekly = analyse_log(log, "2026-11-16").weekly
    assert chart_window(weekly)["quiet_days"] == 1
    notes = " ".join(a.text for a in weekly_load_figure(weekly).layout.annotations)
    assert "No session after" not in notes
    later = analyse_log(log, "2026-12-06").weekly
    assert chart_window(later)["quiet_days"] == 21
    assert "No session after the week of 9 Nov 2026" in " ".join(
        a.text for a in weekly_load_figure(later).layout.annotations)


def test_the_athletes_chart_says_the_heuristics_in_plain_words(weekly):
    coach = weekly_load_figure(weekly)
    athlete = weekly_load_figure(weekly, audience="athlete")
    coach_text = " ".join(a.text for a in coach.layout.annotations)
    athlete_text = " ".join(a.text for a in athlete.layout.annotations)
    assert "Gabbett 2016" in coach_text and "heuristic" in coach_text
    assert "Gabbett" not in athlete_text and "ACWR" not in athlete_text and "heuristic" not in athlete_text
    assert "ACWR" not in athlete.data[1].name
    with pytest.raises(ValueError, match="audience"):
        weekly_load_figure(weekly, audience="doctor")


def test_long_cause_titles_are_wrapped_never_cut():
    long = "Tired muscles and a tired mind (short sleep, stress, recent hard efforts)"
    doc = {"causes": [dict(_cause("muscle_fatigue", 70, "likely", 1), title=long)]}
    label = ranking_figure(doc).data[0].y[0]
    assert "…" not in label and label.replace("<br>", " ") == long
    assert all(len(line) <= 34 for line in label.split("<br>"))

# --- heaviness_figure -------------------------------------------------------------------------

def test_heaviness_figure_draws_heaviness_over_the_daily_load():
    from heavylegs.views.figures import heaviness_figure

    checkins = pd.DataFrame({"date": pd.to_datetime(["2026-11-01", "2026-11-02", "2026-11-04"]),
                             "heaviness": [2, 6, 7]})
    daily = pd.DataFrame({"load_au": [90.0, 0.0, 300.0, 120.0]},
                         index=pd.date_range("2026-11-01", periods=4, name="date"))
    fig = heaviness_figure(checkins, daily, plan_start="2026-11-03")
    assert [t.type for t in fig.data] == ["scatter", "scatter", "bar"]
    marks, mean, load = fig.data
    assert list(marks.x) == ["2026-11-01", "2026-11-02", "2026-11-04"] and list(marks.y) == [2, 6, 7]
    # 7-day mean over the check-ins of the 7 days ending each check-in day: 2, (2+6)/2, (2+6+7)/3
    np.testing.assert_allclose(mean.y, [2.0, 4.0, 5.0])
    assert list(load.y) == [90.0, 0.0, 300.0, 120.0] and load.yaxis == "y2"
    assert fig.layout.yaxis.range == (-0.3, 10.5)
    assert fig.layout.yaxis2.domain[1] < fig.layout.yaxis.domain[0]  # the load panel lies beneath
    assert [s.x0 for s in fig.layout.shapes] == ["2026-11-03", "2026-11-03"]
    assert "plan began" in [a.text for a in fig.layout.annotations]


def test_heaviness_figure_keeps_its_traces_when_empty_and_cuts_to_the_last_days():
    from heavylegs.views.figures import heaviness_figure

    empty = heaviness_figure(None)
    assert [len(t.x or ()) for t in empty.data] == [0, 0, 0]
    assert any("No check-in yet" in a.text for a in empty.layout.annotations)
    checkins = pd.DataFrame({"date": pd.date_range("2026-08-01", periods=100), "heaviness": 3})
    fig = heaviness_figure(checkins, last_days=14)
    assert len(fig.data[0].x) == 14 and fig.data[0].x[-1] == "2026-11-08"
    assert fig.layout.xaxis.range == ("2026-10-26", "2026-11-09")



def test_weekly_load_figure_draws_the_plan_after_the_log(weekly):
    days = pd.date_range("2026-12-07", periods=14, freq="D")
    plan = pd.DataFrame({"load": [300.0, 0.0] * 7, "planned": True, "acwr": [None] * 6 + [1.1] * 8},
                        index=days)
    fig = weekly_load_figure(weekly, metric="load", plan=plan)
    bars, acwr = fig.data[-2], fig.data[-1]
    assert list(bars.x) == ["2026-12-07", "2026-12-14"] and list(bars.y) == [1200.0, 900.0]
    assert list(acwr.x)[0] == "2026-12-07" and acwr.yaxis == "y2" and acwr.line.dash == "dash"
    assert list(acwr.y)[5:7] == [None, 1.1]
    distance = weekly_load_figure(weekly, metric="distance", plan=plan)
    assert list(distance.data[-2].x) == [] and len(distance.data[-1].x) == 14   # km bars cannot hold loads


def test_a_plan_in_kilometres_is_drawn_on_the_distance_chart_never_on_the_load_axis(weekly):
    # issue 17: a plan drafted from the answers (loads in km) was drawn on the sRPE axis
    days = pd.date_range("2026-12-07", periods=14, freq="D")
    plan = pd.DataFrame({"load": [8.0, 0.0] * 7, "planned": True, "acwr": [None] * 14}, index=days)
    plan.attrs["load_metric"] = "distance"
    table = weekly.assign(load_metric="srpe", load=weekly["load_au"])
    assert list(weekly_load_figure(table, metric="load", plan=plan).data[-2].y) == []
    km = weekly_load_figure(table, metric="distance", plan=plan).data[-2]
    assert list(km.y) == [32.0, 24.0]
    miles = weekly_load_figure(table, metric="distance", plan=plan, unit="mi").data[-2]
    assert list(miles.y) == pytest.approx([32.0 / 1.609344, 24.0 / 1.609344])


def test_chart_lines_are_the_catalogues_thresholds_and_move_with_a_rule():
    import dataclasses

    from heavylegs import load_causes

    assert chart_lines() == {"acwr": 1.5, "monotony": 2.0, "long_run_spike": 10.0, "distance_rise": 30.0}
    causes = []
    for cause in load_causes():
        rules = tuple(dataclasses.replace(rule, conditions=(dataclasses.replace(rule.conditions[0], value=1.4),)
                                          + rule.conditions[1:])
                      if rule.conditions[0].field == "log_acwr" else rule for rule in cause.rules)
        causes.append(dataclasses.replace(cause, rules=rules))
    assert chart_lines(causes)["acwr"] == 1.4
