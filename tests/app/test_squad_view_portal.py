"""The squad view's "checked in today" (issue 20): the column, the order, and a reload after a portal check-in."""
import re

from heavylegs.app.squad_view import SquadView, checked_in_today, not_checked_in_last, squad_table_html
from heavylegs.logs.checkins import add_checkin
from analysis.test_squad import TODAY, _checkins, _profile


def _ids(html):
    return re.findall(r'<tr(?: class="[^"]*")? data-athlete="([^"]+)"', html)


def _squad(tmp_path):
    (tmp_path / "athletes").mkdir()
    for athlete in ("amy", "bob", "cat"):
        _profile(tmp_path, athlete)
    _profile(tmp_path, "flag", bone_pain_point=True)
    _checkins(tmp_path, "cat")  # cat checked in today (TODAY), the others never
    return tmp_path


def test_who_has_not_checked_in_today_comes_last_but_a_red_flag_stays_first(tmp_path):
    view = SquadView(_squad(tmp_path), today=TODAY)
    assert _ids(view.table.value) == ["flag", "cat", "amy", "bob"]
    assert "1 checked in today" in view.summary.value
    cells = re.findall(r'<tr data-athlete="(\w+)">.*?<td data-label="Checked in today">(<span[^>]*>[^<]*</span>)</td></tr>',
                       view.table.value)
    assert dict(cells)["cat"].endswith("✓ yes</span>") and dict(cells)["amy"].endswith("not yet</span>")
    assert "<th>Checked in today</th>" in view.table.value
    view.sort.value = "name"  # another order is left as chosen
    assert _ids(view.table.value) == ["amy", "bob", "cat", "flag"]


def test_a_check_in_from_the_portal_shows_after_reload(tmp_path):
    data = _squad(tmp_path)
    view = SquadView(data)  # follows the real today
    import datetime as dt

    add_checkin(data, "bob", {"date": dt.date.today().isoformat(), "heaviness": 3}, source="portal")
    assert not any(checked_in_today(r, dt.date.today()) for r in view.rows if r["athlete_id"] == "bob")
    view.reload()
    assert [r["athlete_id"] for r in view.rows if checked_in_today(r, dt.date.today())] == ["bob"]
    assert _ids(view.table.value).index("bob") < _ids(view.table.value).index("amy")


def test_ordering_function_keeps_the_order_within_each_group():
    rows = [{"athlete_id": a, "red_flags": f, "last_checkin": c, "error": None}
            for a, f, c in (("x", [], None), ("y", [{"id": "r", "urgency": "soon"}], None),
                            ("z", [], TODAY.isoformat()), ("w", [], "2026-11-01"))]
    assert [r["athlete_id"] for r in not_checked_in_last(rows, TODAY)] == ["y", "z", "x", "w"]
    assert squad_table_html([], TODAY).count("<th>") == 11
