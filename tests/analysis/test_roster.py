"""Roster import (heavylegs.analysis.roster): all rows checked first, the coach's answers never replaced silently."""
import datetime as dt
import json

import pytest

from heavylegs.store.assessments import list_assessments, load_latest_profile, read_assessment
from heavylegs.errors import InputError
from heavylegs.analysis.roster import import_roster, merge_answers

WHEN = dt.datetime(2026, 11, 30, 10, 0, 0)
TODAY = dt.date(2026, 11, 30)


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def squad_dir(tmp_path):
    data = tmp_path / "data"
    (data / "athletes").mkdir(parents=True)
    (data / "athletes" / "ana.json").write_text(json.dumps(
        {"athlete_id": "ana", "name": "Ana", "assessed_on": "2026-11-01", "sleep_h": 7.5, "sex": "female"}),
        encoding="utf-8")
    return data


def _files(data):
    return sorted(str(p.relative_to(data)) for p in data.rglob("*") if p.is_file())


def test_merge_keeps_answers_of_empty_cells_and_lists_changes():
    current = {"athlete_id": "ana", "assessed_on": "2026-11-01", "sleep_h": 7.5, "sex": "female"}
    row = {"athlete_id": "ana", "assessed_on": "2026-11-30", "sleep_h": 6.0, "ferritin_ug_l": 20}
    merged, changed = merge_answers(current, row)
    assert merged == {"sleep_h": 6.0, "sex": "female", "ferritin_ug_l": 20, "athlete_id": "ana",
                      "assessed_on": "2026-11-30"}
    assert changed == [("sleep_h", 7.5, 6.0), ("ferritin_ug_l", None, 20)]


def test_creates_and_fills_unknown_answers(squad_dir, tmp_path):
    roster = _write(tmp_path / "r.csv", "athlete_id,name,sex,ferritin_ug_l,recent_changes\n"
                                        "ana,,,14,\nzoe,Zoe Park,female,20,load_increase;heat\n")
    result = import_roster(squad_dir, roster, today=TODAY, when=WHEN)
    assert result.created == ["zoe"] and result.updated == ["ana"] and result.overwritten == []
    assert len(result.written) == 2
    ana = load_latest_profile(squad_dir, "ana")
    assert ana["sleep_h"] == 7.5 and ana["ferritin_ug_l"] == 14 and ana["assessed_on"] == "2026-11-30"
    zoe = read_assessment(list_assessments(squad_dir, "zoe")[-1])
    assert zoe["profile"]["recent_changes"] == ["load_increase", "heat"]
    assert zoe["ranking"]["athlete_id"] == "zoe" and zoe["ranking"]["causes"]
    # the profile file follows the newest assessment
    assert json.loads((squad_dir / "athletes" / "zoe.json").read_text())["name"] == "Zoe Park"
    # the same roster again changes nothing and writes nothing
    again = import_roster(squad_dir, roster, today=TODAY, when=WHEN)
    assert again.unchanged == ["ana", "zoe"] and again.written == []


def test_a_bad_row_writes_nothing_and_names_line_and_column(squad_dir, tmp_path):
    before = _files(squad_dir)
    roster = _write(tmp_path / "r.csv", "athlete_id,name,sex,sleep_h\nzoe,Zoe,female,7\nbob,Bob,femme,30\n")
    with pytest.raises(InputError) as info:
        import_roster(squad_dir, roster, today=TODAY, when=WHEN)
    text = [str(p) for p in info.value.problems]
    assert any(t.startswith(f"{roster}:3:3: sex:") and "femme" in t for t in text), text
    assert any(t.startswith(f"{roster}:3:4: sleep_h:") for t in text), text
    assert _files(squad_dir) == before  # zoe, on a good line, was not created either


def test_overwrite_refused_then_allowed(squad_dir, tmp_path):
    roster = _write(tmp_path / "r.csv", "athlete_id,sleep_h,ferritin_ug_l\nana,6,30\n")
    before = _files(squad_dir)
    with pytest.raises(InputError) as info:
        import_roster(squad_dir, roster, today=TODAY, when=WHEN)
    (problem,) = info.value.problems
    assert problem.line == 2 and problem.field == "sleep_h"
    assert "would change ana's answer 7.5 to 6.0" in problem.message and "--overwrite" in problem.message
    assert _files(squad_dir) == before
    dry = import_roster(squad_dir, roster, today=TODAY, overwrite=True, dry_run=True)
    assert [(c.field, c.old, c.new) for c in dry.overwritten] == [("sleep_h", 7.5, 6.0)]
    assert dry.written == [] and _files(squad_dir) == before
    result = import_roster(squad_dir, roster, today=TODAY, overwrite=True, when=WHEN)
    assert result.updated == ["ana"] and len(result.written) == 1
    assert "overwrote ana: sleep_h: 7.5 -> 6.0 (line 2)" in "\n".join(result.lines())
    assert load_latest_profile(squad_dir, "ana")["sleep_h"] == 6.0


def test_history_is_kept(squad_dir, tmp_path):
    import_roster(squad_dir, _write(tmp_path / "a.csv", "athlete_id,sleep_h\nzoe,7\n"), today=TODAY, when=WHEN)
    import_roster(squad_dir, _write(tmp_path / "b.csv", "athlete_id,sleep_h\nzoe,6\n"), today=TODAY,
                  overwrite=True, when=WHEN + dt.timedelta(days=1))
    saved = [read_assessment(p)["profile"]["sleep_h"] for p in list_assessments(squad_dir, "zoe")]
    assert saved == [7.0, 6.0]


def test_a_broken_athlete_file_stops_the_import(squad_dir, tmp_path):
    (squad_dir / "athletes" / "ana.json").write_text("{broken", encoding="utf-8")
    roster = _write(tmp_path / "r.csv", "athlete_id,sleep_h\nzoe,7\nana,6\n")
    with pytest.raises(InputError, match="ana.json"):
        import_roster(squad_dir, roster, today=TODAY, when=WHEN)
    assert not (squad_dir / "athletes" / "zoe.json").exists()


def test_an_empty_roster_is_an_error(squad_dir, tmp_path):
    with pytest.raises(InputError, match="found no athlete"):
        import_roster(squad_dir, _write(tmp_path / "r.csv", "athlete_id,sleep_h\n"), today=TODAY)
