"""The squad view without a browser: set the controls' values and check the table (house rule 12)."""
import datetime as dt
import re

import pytest

from heavylegs.app.squad_view import SquadView, squad_table_html
from analysis.test_squad import TODAY, _checkins, _log, _profile


@pytest.fixture
def squad_dir(tmp_path):
    (tmp_path / "athletes").mkdir()
    _profile(tmp_path, "soon1", bone_pain_point=True)
    _profile(tmp_path, "loaded", ferritin_ug_l=12, sex="female", heavy_periods=True)
    _profile(tmp_path, "quiet", name="<b>Quiet & Co</b>")
    _log(tmp_path, "loaded")
    _checkins(tmp_path, "loaded")
    (tmp_path / "athletes" / "broken.json").write_text("{not json", encoding="utf-8")
    return tmp_path


def _shown_ids(html):
    return re.findall(r'<tr(?: class="[^"]*")? data-athlete="([^"]+)"', html)


def test_table_rows_in_urgency_order(squad_dir):
    view = SquadView(squad_dir, today=TODAY)
    assert _shown_ids(view.table.value) == ["soon1", "broken", "loaded", "quiet"]
    assert "4 of 4 athletes shown · 1 with a red flag · 1 whose files cannot be read" in view.summary.value
    html = view.table.value
    # issue 17: titles, never ids
    assert "soon: Pain at one point on a bone" in html and "#E65100" in html  # the urgency's colour
    assert "Low iron stores or anaemia <b>" in html                            # a top cause with its score
    assert "possible_stress_fracture" not in html and "iron_deficiency" not in html
    assert "possible stress fracture" not in html and "(srpe)" not in html
    assert "(session RPE × minutes)" in html
    assert "4200 / 2625" in html and "1.60" in html and "+2.0 ↑" in html     # load, ACWR, trend


def test_filters_and_sort(squad_dir):
    view = SquadView(squad_dir, today=TODAY)
    view.only_flags.value = True
    assert _shown_ids(view.table.value) == ["soon1"]
    assert [v for _, v in view.athlete.options] == ["soon1"]
    view.only_flags.value = False
    view.acwr_high.value = True
    assert _shown_ids(view.table.value) == ["loaded"]
    view.acwr_high.value = False
    view.no_checkin.value = True
    assert _shown_ids(view.table.value) == ["soon1", "broken", "quiet"]
    view.no_checkin.value = False
    view.sort.value = "acwr"
    assert _shown_ids(view.table.value)[0] == "loaded"


def test_text_is_escaped(squad_dir):
    html = SquadView(squad_dir, today=TODAY).table.value
    assert "<b>Quiet & Co</b>" not in html and "&lt;b&gt;Quiet &amp; Co&lt;/b&gt;" in html


def test_no_match_says_so():
    assert "No athlete matches." in squad_table_html([], TODAY)


def test_open_in_the_workbook(squad_dir):
    view = SquadView(squad_dir, today=TODAY)
    view.athlete.value = "loaded"
    view.open_button.click()
    assert view.workbook is not None and view.workbook.model.athlete_id == "loaded"
    # one "Athlete" picker on screen: the workbook's, set to the athlete opened
    assert view.open_row.layout.display == "none"
    assert view.workbook.athlete_picker.value == "loaded"
    first = view.workbook
    view.open_athlete("quiet")                     # the workbook on the page switches athlete
    assert view.workbook is first and first.model.athlete_id == "quiet"
    assert first.form.profile["athlete_id"] == "quiet"


def test_every_cell_carries_its_heading_for_the_phone_layout(squad_dir):
    html = SquadView(squad_dir, today=TODAY).table.value
    assert "@media (max-width: 640px)" in html
    for heading in ("Athlete", "Red flags", "Top causes", "ACWR", "Last check-in"):
        assert f'data-label="{heading}"' in html
    view = SquadView(squad_dir, today=TODAY)
    assert all(c.layout.width == "auto" for c in (view.only_flags, view.acwr_high, view.no_checkin,
                                                  view.open_button))
    assert "Open in the workbook" in view.help.value and "Run all" not in view.help.value


def test_read_only_has_no_workbook(squad_dir, monkeypatch):
    monkeypatch.setenv("HEAVYLEGS_SQUAD_SERVED", "1")
    view = SquadView.from_environment(squad_dir)
    assert view.read_only and view.open_button not in view.children[-1:]
    assert all(view.open_button not in getattr(child, "children", ()) for child in view.children)
    with pytest.raises(PermissionError):
        view.open_athlete("loaded")
    monkeypatch.delenv("HEAVYLEGS_SQUAD_SERVED")
    assert not SquadView.from_environment(squad_dir).read_only


def test_a_log_that_stopped_says_since_when_never_no_log_or_zero(squad_dir):
    """zoe, created in the workbook from an archive (15 runs of May 2022): her last session, not "no log"."""
    folder = squad_dir / "athletes" / "zoe"
    folder.mkdir()
    rows = ["date,activity,duration_min,distance_km,rpe,session_type"]
    rows += [f"2022-05-{day:02d},run,45,8,5,easy" for day in range(1, 16)]
    (folder / "log.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    html = squad_table_html([r for r in SquadView(squad_dir, today=TODAY).rows if r["athlete_id"] == "zoe"], TODAY)
    days = (TODAY - dt.date(2022, 5, 15)).days
    assert f"no session for {days} days</span><br><span class=\"hl-id\">last 2022-05-15" in html
    assert "no log" not in html and "0.00" not in html
    quiet = squad_table_html([r for r in SquadView(squad_dir, today=TODAY).rows if r["athlete_id"] == "quiet"], TODAY)
    assert "no log" in quiet  # quiet has no log file at all


def test_a_kernel_run_ahead_builds_the_workbook_hidden_and_open_shows_it(squad_dir, monkeypatch):
    """make run's app: the squad page's kernel builds the first athlete's workbook before the coach asks."""
    monkeypatch.setenv("VOILA_PREHEAT", "True")
    view = SquadView(squad_dir, today=TODAY)
    built = view.workbook
    assert built is not None and built.layout.display == "none"          # on the page, not shown
    assert built.model.athlete_id == view.athlete.value
    assert view.workbook_area.children == (built,) and view.open_row.layout.display != "none"
    view.athlete.value = "quiet" if view.athlete.value != "quiet" else "loaded"
    wanted = view.athlete.value
    view.open_button.click()
    assert view.workbook is built and built.layout.display is None       # shown, switched, not rebuilt
    assert built.model.athlete_id == wanted and built.form.profile["athlete_id"] == wanted
    assert view.open_row.layout.display == "none"                        # one "Athlete" picker on screen


def test_open_reads_the_athlete_again_when_another_page_changed_their_files(squad_dir):
    import json

    view = SquadView(squad_dir, today=TODAY)
    workbook = view.open_athlete("loaded")
    path = squad_dir / "athletes" / "loaded.json"
    profile = json.loads(path.read_text(encoding="utf-8"))
    profile["sleep_h"] = 4.5                                             # saved by another page meanwhile
    path.write_text(json.dumps(profile), encoding="utf-8")
    assert view.open_athlete("loaded") is workbook
    assert workbook.form.profile.get("sleep_h") == 4.5                   # not the answers first read
