"""The athlete's dashboard says what the watch or ring says, in plain words (spec/wellness.md)."""
import pandas as pd
import pytest

from heavylegs.views.dashboard import dashboard_content, dashboard_page
from heavylegs.views.figures import wellness_figure
from heavylegs.views.html import wellness_html, wellness_sentences
from heavylegs.engine.wellness import wellness_facts
from heavylegs.logs.wellness import validate_wellness
from heavylegs.store.wellness_files import save_wellness, wellness_path


def _rows(end="2026-11-16", days=80, rhr_last=57.0, hrv_last=45.0, sleep=6.5, source="garmin", kind="rmssd"):
    dates = pd.date_range(end=end, periods=days)
    return validate_wellness(pd.DataFrame({
        "date": dates.strftime("%Y-%m-%d"), "source": source, "rhr_bpm": [51.0] * (days - 7) + [rhr_last] * 7,
        "hrv_ms": [60.0] * (days - 7) + [hrv_last] * 7, "hrv_kind": kind, "sleep_h": sleep}))


def test_plain_words_for_each_measure():
    words = wellness_sentences(wellness_facts(_rows(), "2026-11-16"))
    assert words == [
        "Your resting heart rate has been 6 beats above your usual for a week (Garmin: 57 against 51 bpm).",
        "Your heart-rate variability this week is below your normal range, a sign your body is still absorbing "
        "recent training (Garmin: 45 ms, your normal range 60-60 ms).",
        "You slept 6 h 30 min a night on average over the last two weeks (Garmin, 14 nights). Most runners need "
        "7 to 9 hours.",
    ]
    calm = wellness_sentences(wellness_facts(_rows(rhr_last=51.0, hrv_last=60.0, sleep=8.0), "2026-11-16"))
    assert calm[0].startswith("Your resting heart rate this week is close to your usual")
    assert calm[1].startswith("Your heart-rate variability this week is within your normal range")
    assert "Most runners" not in calm[2]
    assert wellness_sentences(None) == []


def test_the_dashboard_page_shows_the_sentences_only_with_wellness(data_copy):
    plain = dashboard_content(data_copy, "ana", today="2026-11-18")
    assert plain["wellness_words"] == [] and 'id="hl-wellness"' not in dashboard_page(plain)
    save_wellness(wellness_path(data_copy, "ana"), _rows())
    content = dashboard_content(data_copy, "ana", today="2026-11-18")
    page = dashboard_page(content)
    assert '<section id="hl-wellness"><h2>What your watch or ring says</h2>' in page
    assert "6 beats above your usual for a week" in page
    # the same pipeline as the workbook: the device's HRV is evidence here too
    why = " ".join(b for c in content["causes"] for b in c["because"])
    assert "heart-rate variability" in why


def test_coach_summary_escapes_and_names_sources():
    html = wellness_html(wellness_facts(_rows(source="apple", kind="sdnn"), "2026-11-16"))
    assert "Apple Health SDNN" in html and "never mixed" in html
    assert "No wellness data" in wellness_html(None)


def test_wellness_figure_traces_per_source_and_kind_and_the_band():
    rows = pd.concat([_rows(), _rows(source="apple", kind="sdnn", days=30)])
    fig = wellness_figure(rows, until="2026-11-16")
    names = [t.name for t in fig.data]
    assert "HRV Garmin (rMSSD) [ms]" in names and "HRV Apple Health (SDNN) [ms]" in names
    band = next(t for t in fig.data if "normal band (60 days" in (t.name or ""))
    assert band.name.startswith("Garmin rMSSD") and band.fill == "tonexty"
    assert fig.layout.xaxis.range == ("2026-08-27", "2026-11-17")  # from the first row (2 days before)
    shared = wellness_figure(rows, until="2026-11-16", x_range=["2026-10-01", "2026-11-17"])
    assert shared.layout.xaxis.range == ("2026-10-01", "2026-11-17")
    no_rhr = wellness_figure(_rows().assign(rhr_bpm=float("nan")), until="2026-11-16")
    assert [a.text for a in no_rhr.layout.annotations] == ["no resting heart rate from the watch or ring on these days"]
    empty = wellness_figure(None)
    assert len(empty.data) == 0 and "No wellness data yet" in empty.layout.annotations[0].text
