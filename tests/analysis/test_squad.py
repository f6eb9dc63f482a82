"""The squad's rows (heavylegs.analysis.squad) on a small data folder built here, with values checked by hand."""
import datetime as dt
import json
from pathlib import Path

import pytest

from heavylegs.analysis.squad import (SQUAD_COLUMNS, filter_rows, no_session_text, sort_rows, squad_athletes,
                                      squad_csv, squad_document, squad_rows, squad_text)
from heavylegs.analysis.squad_row import athlete_row

TODAY = dt.date(2026, 11, 28)
SAMPLE_DATA = Path(__file__).resolve().parents[2] / "data"


def _profile(folder, athlete_id, **answers):
    doc = {"athlete_id": athlete_id, "name": athlete_id.title(), "assessed_on": "2026-11-20", **answers}
    (folder / "athletes" / f"{athlete_id}.json").write_text(json.dumps(doc), encoding="utf-8")


def _log(folder, athlete_id):
    """60 min a day for 28 days up to TODAY: RPE 5 (300 AU) for 21 days, then RPE 10 (600 AU) for 7."""
    rows = ["date,activity,duration_min,distance_km,rpe,session_type"]
    for i in range(28):
        day = TODAY - dt.timedelta(days=27 - i)
        rows.append(f"{day.isoformat()},run,60,10,{10 if i >= 21 else 5},easy")
    (folder / "athletes" / athlete_id).mkdir(exist_ok=True)
    (folder / "athletes" / athlete_id / "log.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")


def _checkins(folder, athlete_id):
    """Heaviness 4 on each of the 7 days before last week, 6 on each day of the last 7."""
    rows = ["date,heaviness"]
    for i in range(14):
        day = TODAY - dt.timedelta(days=13 - i)
        rows.append(f"{day.isoformat()},{6 if i >= 7 else 4}")
    (folder / "athletes" / athlete_id).mkdir(exist_ok=True)
    (folder / "athletes" / athlete_id / "checkins.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")


@pytest.fixture
def squad_dir(tmp_path):
    (tmp_path / "athletes").mkdir()
    _profile(tmp_path, "soon1", bone_pain_point=True)              # possible_stress_fracture: soon
    _profile(tmp_path, "urgent1", cold_pale_foot=True)             # possible_limb_ischemia: urgent
    _profile(tmp_path, "emerg1", confusion_or_vomiting_after_run=True)  # possible_hyponatremia: emergency
    _profile(tmp_path, "loaded", ferritin_ug_l=12, sex="female", heavy_periods=True)
    _profile(tmp_path, "quiet")
    _log(tmp_path, "loaded")
    _checkins(tmp_path, "loaded")
    (tmp_path / "athletes" / "broken.json").write_text("{not json", encoding="utf-8")
    return tmp_path


def test_rows_are_ordered_by_urgency_then_broken_then_score(squad_dir):
    rows = squad_rows(squad_dir, today=TODAY)
    ids = [r["athlete_id"] for r in rows]
    assert ids[:4] == ["emerg1", "urgent1", "soon1", "broken"]
    assert set(ids[4:]) == {"loaded", "quiet"}
    scores = [r["top_causes"][0]["score"] for r in rows[4:]]
    assert scores == sorted(scores, reverse=True)
    assert [f["urgency"] for f in rows[0]["red_flags"]] == ["emergency"]
    assert rows[1]["red_flags"] == [{"id": "possible_limb_ischemia", "urgency": "urgent"}]


def test_every_row_has_the_contract_columns(squad_dir):
    doc = squad_document(squad_rows(squad_dir, today=TODAY))
    assert doc["format"] == "heavylegs.squad/1"
    for row in doc["athletes"]:
        assert list(row) == list(SQUAD_COLUMNS)
        if not row["error"]:
            assert len(row["top_causes"]) == 3
            assert set(row["top_causes"][0]) == {"id", "title", "score", "band"}  # spec/cli.md, and the title
    json.dumps(doc)  # plain data


def test_load_acwr_and_heaviness_known_values(squad_dir):
    row = athlete_row(squad_dir, "loaded", today=TODAY)
    assert row["load_metric"] == "srpe"
    assert row["week_load"] == pytest.approx(7 * 600)            # 4200 AU
    assert row["chronic_load"] == pytest.approx((21 * 300 + 7 * 600) / 4)  # 2625 AU a week
    assert row["acwr"] == pytest.approx(1.6)
    assert row["heaviness_7d"] == pytest.approx(6.0)
    assert row["heaviness_trend"] == pytest.approx(2.0)
    assert row["last_checkin"] == "2026-11-28"
    assert row["top_causes"][0]["id"] == "iron_deficiency"


def test_an_athlete_without_files_has_empty_columns(squad_dir):
    row = athlete_row(squad_dir, "quiet", today=TODAY)
    assert row["error"] is None
    for key in ("acwr", "week_load", "load_metric", "heaviness_7d", "heaviness_trend", "last_checkin",
                "last_assessment"):
        assert row[key] is None, key


def test_a_broken_athlete_gets_a_row_that_says_so(squad_dir):
    row = athlete_row(squad_dir, "broken", today=TODAY)
    assert "cannot read this athlete's files" in row["error"]
    assert "broken.json" in row["error"]
    assert row["red_flags"] == [] and row["top_causes"] == [] and row["acwr"] is None


def test_a_bad_log_breaks_only_its_athlete(squad_dir):
    (squad_dir / "athletes" / "quiet").mkdir()
    (squad_dir / "athletes" / "quiet" / "log.csv").write_text("date,duration_min\nyesterday,x\n", encoding="utf-8")
    rows = {r["athlete_id"]: r for r in squad_rows(squad_dir, today=TODAY)}
    assert "log.csv" in rows["quiet"]["error"]
    assert rows["loaded"]["error"] is None


def test_last_assessment_is_the_newest_saved_one(squad_dir):
    from heavylegs.store.assessments import save_assessment
    from heavylegs.analysis.scoring import score_profile

    profile = {"athlete_id": "quiet", "assessed_on": "2026-11-25", "sleep_h": 5.0}
    save_assessment(squad_dir, profile, score_profile(profile), when=dt.datetime(2026, 11, 25, 9))
    assert athlete_row(squad_dir, "quiet", today=TODAY)["last_assessment"] == "2026-11-25"


def test_squad_athletes_lists_profiles_and_folders(squad_dir):
    (squad_dir / "athletes" / "Not An Id").mkdir()
    (squad_dir / "athletes" / "nofile").mkdir()
    assert squad_athletes(squad_dir) == ["broken", "emerg1", "loaded", "nofile", "quiet", "soon1", "urgent1"]
    assert squad_athletes(squad_dir / "missing") == []


def _row(athlete_id, flags=(), acwr=None, checkin=None, heaviness=None, score=50, name=None):
    return {"athlete_id": athlete_id, "name": name, "red_flags": [{"id": f, "urgency": u} for f, u in flags],
            "top_causes": [{"id": "x", "score": score, "band": "possible"}], "last_assessment": None,
            "acwr": acwr, "week_load": None, "load_metric": None, "heaviness_7d": heaviness,
            "heaviness_trend": None, "last_checkin": checkin, "chronic_load": None, "error": None}


def test_filters():
    rows = [_row("a", flags=[("anemia", "soon")], acwr=1.2, checkin="2026-11-27"),
            _row("b", acwr=1.31, checkin="2026-11-21"),
            _row("c", acwr=1.3, checkin=None),
            _row("d")]
    ids = lambda rs: [r["athlete_id"] for r in rs]  # noqa: E731
    assert ids(filter_rows(rows, red_flags=True)) == ["a"]
    assert ids(filter_rows(rows, acwr_above=1.3)) == ["b"]          # 1.3 itself is not above, unknown never
    assert ids(filter_rows(rows, no_checkin_days=7, today=TODAY)) == ["b", "c", "d"]  # 7 days ago counts
    assert ids(filter_rows(rows, acwr_above=1.3, no_checkin_days=7, today=TODAY)) == ["b"]
    assert ids(filter_rows(rows)) == ["a", "b", "c", "d"]


def test_sorts_put_unknowns_last():
    rows = [_row("a", acwr=None, heaviness=2, name="Zed"), _row("b", acwr=1.1, heaviness=None, name="amy"),
            _row("c", acwr=1.9, heaviness=7, checkin="2026-11-01"), _row("d", acwr=1.1, checkin="2026-10-01")]
    assert [r["athlete_id"] for r in sort_rows(rows, "acwr")] == ["c", "b", "d", "a"]
    assert [r["athlete_id"] for r in sort_rows(rows, "heaviness")] == ["c", "a", "b", "d"]
    assert [r["athlete_id"] for r in sort_rows(rows, "last_checkin")] == ["d", "c", "a", "b"]
    assert [r["athlete_id"] for r in sort_rows(rows, "name")] == ["b", "c", "d", "a"]
    with pytest.raises(ValueError, match="expected one of urgency"):
        sort_rows(rows, "shoe size")


def test_csv_and_text(squad_dir):
    rows = squad_rows(squad_dir, today=TODAY)
    text = squad_csv(rows)
    header, first = text.splitlines()[:2]
    assert header.startswith("athlete_id,name,red_flags,top_1,top_1_score,top_1_band")
    assert first.startswith("emerg1,Emerg1,possible_hyponatremia:emergency,")
    table = squad_text(rows)
    assert table.splitlines()[1].startswith("emerg1")
    assert "broken  cannot read this athlete's files" in table


def test_rows_are_reused_until_a_file_changes(squad_dir, tmp_path, monkeypatch):
    import heavylegs.analysis.squad_row as sq  # where the squad computes a row it has not cached

    monkeypatch.setenv("HEAVYLEGS_CACHE_DIR", str(tmp_path / "cache"))
    first = squad_rows(squad_dir, today=TODAY)
    assert list((tmp_path / "cache").glob("squad-*.json"))
    computed = []
    real = sq.athlete_row
    monkeypatch.setattr(sq, "athlete_row", lambda *a, **k: computed.append(a[1]) or real(*a, **k))
    assert squad_rows(squad_dir, today=TODAY) == first and computed == []
    # a new check-in file content (another size) recomputes that athlete only
    path = squad_dir / "athletes" / "loaded" / "checkins.csv"
    path.write_text(path.read_text() + "2026-11-28,9\n", encoding="utf-8")
    rows = {r["athlete_id"]: r for r in squad_rows(squad_dir, today=TODAY)}
    assert computed == ["loaded"]
    assert rows["loaded"]["heaviness_7d"] == pytest.approx(6.4)  # 2026-11-28 is now 9 (the later row wins)
    # another day recomputes every row; use_cache=False never reads it
    computed.clear()
    squad_rows(squad_dir, today=TODAY + dt.timedelta(days=1))
    assert sorted(computed) == sorted(r["athlete_id"] for r in first)
    computed.clear()
    squad_rows(squad_dir, today=TODAY + dt.timedelta(days=1), use_cache=False)
    assert len(computed) == len(first)
    # a corrupt cache is ignored
    for cache in (tmp_path / "cache").glob("squad-*.json"):
        cache.write_text("{broken", encoding="utf-8")
    assert squad_rows(squad_dir, today=TODAY) == squad_rows(squad_dir, today=TODAY, use_cache=False)


def test_two_processes_give_the_rows_of_one(squad_dir):
    for i in range(30):  # enough rows to share: copies of "loaded" under other ids
        _profile(squad_dir, f"copy{i:02d}", ferritin_ug_l=12 + i)
        _log(squad_dir, f"copy{i:02d}")
        if i % 3 == 0:
            _checkins(squad_dir, f"copy{i:02d}")
    one = squad_rows(squad_dir, today=TODAY, use_cache=False, workers=1)
    assert len(one) == 36 and {r["athlete_id"] for r in one if r["heaviness_7d"] == 6.0} >= {"loaded", "copy00"}
    assert squad_rows(squad_dir, today=TODAY, use_cache=False, workers=2) == one
    assert squad_rows(squad_dir, today=TODAY, use_cache=False) == one  # the default shares 36 rows


def test_the_cache_never_shows_a_row_of_another_file_or_athlete(squad_dir, tmp_path, monkeypatch):
    import os

    import heavylegs.analysis.squad_row as sq  # where the squad computes a row it has not cached

    monkeypatch.setenv("HEAVYLEGS_CACHE_DIR", str(tmp_path / "cache"))
    first = {r["athlete_id"]: r for r in squad_rows(squad_dir, today=TODAY)}
    computed = []
    real = sq.athlete_row
    monkeypatch.setattr(sq, "athlete_row", lambda *a, **k: computed.append(a[1]) or real(*a, **k))
    # a file replaced by another of the same size and modification time (a rename over it): a new inode
    path = squad_dir / "athletes" / "loaded" / "checkins.csv"
    text = path.read_text(encoding="utf-8").replace("2026-11-28,6", "2026-11-28,9")
    stat = path.stat()
    (path.parent / "new.csv").write_text(text, encoding="utf-8")
    os.utime(path.parent / "new.csv", ns=(stat.st_atime_ns, stat.st_mtime_ns))
    os.replace(path.parent / "new.csv", path)
    assert path.stat().st_size == stat.st_size and path.stat().st_mtime_ns == stat.st_mtime_ns
    rows = {r["athlete_id"]: r for r in squad_rows(squad_dir, today=TODAY)}
    assert computed == ["loaded"] and rows["loaded"]["heaviness_7d"] == pytest.approx(6.4)
    # a cache whose rows were swapped between two athletes: neither is shown, both are computed again
    cache = next((tmp_path / "cache").glob("squad-*.json"))
    doc = json.loads(cache.read_text(encoding="utf-8"))
    doc["athletes"]["quiet"]["row"], doc["athletes"]["loaded"]["row"] = (doc["athletes"]["loaded"]["row"],
                                                                         doc["athletes"]["quiet"]["row"])
    cache.write_text(json.dumps(doc), encoding="utf-8")
    computed.clear()
    rows = {r["athlete_id"]: r for r in squad_rows(squad_dir, today=TODAY)}
    assert sorted(computed) == ["loaded", "quiet"]
    assert rows["quiet"] == first["quiet"] and rows["loaded"]["heaviness_7d"] == pytest.approx(6.4)
    # a cache of another shape is ignored
    cache.write_text(json.dumps({"format": "heavylegs.squad-cache/2", "version": doc["version"], "athletes": [1]}),
                     encoding="utf-8")
    computed.clear()
    assert squad_rows(squad_dir, today=TODAY) == squad_rows(squad_dir, today=TODAY, use_cache=False)


# --- one chain: the squad, the workbook and the dashboard agree on every sample athlete --------------

SAMPLES = sorted(p.stem for p in (Path(__file__).resolve().parents[2] / "data" / "athletes").glob("*.json"))


@pytest.fixture(scope="module")
def sample_rows():
    return {r["athlete_id"]: r for r in squad_rows(SAMPLE_DATA, use_cache=False)}


@pytest.mark.parametrize("athlete_id", SAMPLES)
def test_the_squad_row_shows_the_workbooks_and_the_dashboards_scores(athlete_id, sample_rows):
    from heavylegs.app.workbook import WorkbookModel
    from heavylegs.views.dashboard import dashboard_content

    row = sample_rows[athlete_id]
    workbook = WorkbookModel(SAMPLE_DATA, athlete_id).ranking
    page = dashboard_content(SAMPLE_DATA, athlete_id)
    squad = [(c["id"], c["score"], c["band"]) for c in row["top_causes"]]
    assert squad == [(c["id"], c["score"], c["band"]) for c in workbook["causes"][:3]]
    assert squad == [(c["id"], c["score"], c["band"]) for c in page["causes"]]
    assert [c["title"] for c in row["top_causes"]] == [c["title"] for c in page["causes"]]
    assert row["red_flags"] == [{"id": f["id"], "urgency": f["urgency"]} for f in workbook["red_flags"]]
    assert sorted(f["id"] for f in row["red_flags"]) == sorted(f["id"] for f in page["red_flags"])


def test_ben_scores_the_same_everywhere(sample_rows):
    """The symptom of issue 19: the squad said 97 for ben's top cause, the workbook 99."""
    from heavylegs.app.workbook import WorkbookModel

    top = sample_rows["ben"]["top_causes"][0]
    assert (top["id"], top["score"]) == (WorkbookModel(SAMPLE_DATA, "ben").ranking["causes"][0]["id"],
                                         WorkbookModel(SAMPLE_DATA, "ben").ranking["causes"][0]["score"])


def test_sample_logs_that_ended_weeks_ago_have_no_zero_ratio(sample_rows):
    for row in sample_rows.values():
        assert row["acwr"] != 0, row["athlete_id"]
        if row["last_session"] is not None:
            assert row["days_since_session"] == (dt.date.fromisoformat(row["load_as_of"])
                                                 - dt.date.fromisoformat(row["last_session"])).days
            if row["days_since_session"] >= 7:
                assert row["acwr"] is None and no_session_text(row).startswith("no session for")
