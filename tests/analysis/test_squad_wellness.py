"""The squad's resting HR and HRV trend columns, with their source (spec/wellness.md)."""
import pandas as pd

from heavylegs.analysis.squad import athlete_row, squad_csv, squad_rows, squad_text, wellness_columns
from heavylegs.app.squad_view import squad_table_html
from heavylegs.logs.wellness import validate_wellness
from heavylegs.store.wellness_files import save_wellness, wellness_path


def _rows(source="garmin", kind="rmssd", end="2026-11-28", days=80, rhr_last=57.0, hrv_last=45.0):
    dates = pd.date_range(end=end, periods=days)
    return validate_wellness(pd.DataFrame({
        "date": dates.strftime("%Y-%m-%d"), "source": source, "rhr_bpm": [51.0] * (days - 7) + [rhr_last] * 7,
        "hrv_ms": [60.0] * (days - 7) + [hrv_last] * 7, "hrv_kind": kind}))


def test_columns_of_one_athlete():
    cols = wellness_columns(_rows(), "2026-11-28")
    assert cols == {"rhr_7d_bpm": 57.0, "rhr_trend_bpm": 6.0, "rhr_source": "garmin", "hrv_7d_ms": 45.0,
                    "hrv_trend_pct": -25.0, "hrv_below_normal": True, "hrv_source": "garmin rmssd"}
    assert set(wellness_columns(None, "2026-11-28").values()) == {None}


def test_squad_rows_text_csv_and_table_show_the_trend_and_the_source(data_copy):
    save_wellness(wellness_path(data_copy, "ben"), _rows(source="apple", kind="sdnn"))
    rows = {r["athlete_id"]: r for r in squad_rows(data_copy, today="2026-11-28", use_cache=False)}
    assert rows["ben"]["hrv_source"] == "apple sdnn" and rows["ben"]["rhr_trend_bpm"] == 6.0
    assert rows["ana"]["rhr_7d_bpm"] is None and rows["ana"]["error"] is None
    text = squad_text(list(rows.values()))
    assert "rest HR (trend)" in text and "57 (+6) apple" in text and "45 (-25%) apple sdnn" in text
    csv = squad_csv(list(rows.values()))
    assert csv.splitlines()[0].endswith("rhr_7d_bpm,rhr_trend_bpm,rhr_source,hrv_7d_ms,hrv_trend_pct,"
                                        "hrv_below_normal,hrv_source")
    html = squad_table_html(list(rows.values()), today="2026-11-28")
    assert "Resting HR, 7 days (vs usual)" in html and "57 bpm" in html and "(+6 ↑)" in html
    assert "45 ms" in html and "(-25% ↓)" in html and "apple sdnn" in html


def test_a_new_wellness_file_is_not_hidden_by_the_row_cache(data_copy, tmp_path, monkeypatch):
    monkeypatch.setenv("HEAVYLEGS_CACHE_DIR", str(tmp_path / "cache"))
    first = {r["athlete_id"]: r for r in squad_rows(data_copy, today="2026-11-28")}
    assert first["ana"]["rhr_7d_bpm"] is None
    save_wellness(wellness_path(data_copy, "ana"), _rows())
    again = {r["athlete_id"]: r for r in squad_rows(data_copy, today="2026-11-28")}
    assert again["ana"]["rhr_7d_bpm"] == 57.0


def test_a_broken_wellness_file_names_itself_in_the_row(data_copy):
    wellness_path(data_copy, "ana").write_text("date,source,rhr_bpm\n2026-11-27,garmin,300\n")
    row = athlete_row(data_copy, "ana", today="2026-11-28")
    assert "wellness.csv:2:3: rhr_bpm: found 300" in row["error"]
