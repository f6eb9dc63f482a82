"""The workbook's portal corner (issue 20): the athlete's link with its QR code, the last check-in and its source."""
import datetime as dt
import re

from heavylegs.app.widgets import CoachWorkbook
from heavylegs.logs.checkins import add_checkin, load_checkins
from heavylegs.store.portal_links import athlete_for_secret


def test_the_coach_makes_a_link_and_sees_its_qr_code(data_copy):
    app = CoachWorkbook(data_dir=data_copy, athlete_id="ana")
    assert app.portal_link.value == ""
    app.portal_button.click()
    html = app.portal_link.value
    link = re.search(r'<code style="user-select:all">(http[^<]+)</code>', html).group(1)
    assert athlete_for_secret(data_copy, link.rstrip("/").rsplit("/", 1)[1]) == "ana"
    assert "<svg" in html and "Ana Sousa" in html
    app.open_athlete("ben")  # another athlete: ana's link is not left on screen
    assert app.portal_link.value == ""


def test_the_last_check_in_says_where_it_came_from(data_copy):
    today = dt.date.today().isoformat()
    app = CoachWorkbook(data_dir=data_copy, athlete_id="ana")
    app.checkin_date.value = today
    app.checkin_heaviness.value = 4
    app.checkin_button.click()
    assert "entered by the coach" in app.last_checkin.value and "today" in app.last_checkin.value
    assert load_checkins(data_copy, "ana").iloc[-1]["source"] == "coach"
    add_checkin(data_copy, "ben", {"date": today, "heaviness": 7}, source="portal")
    app.open_athlete("ben")
    assert "sent by the athlete from the portal" in app.last_checkin.value and "heaviness 7" in app.last_checkin.value
