"""The athlete portal on a phone: Debian's Chromium at 390×844, driven by Playwright.

ana (miles, check-ins, a saved plan: ``planned_athlete.py``) opens her link, sees her dashboard drawn, goes
to the check-in, taps her answers and saves; once with JavaScript and once without (a plain form post).
Every request that is not to 127.0.0.1 is aborted and recorded, so a page that needs the network fails
here. Screenshots go to tests/artifacts/ for a person to look at.
"""
import datetime as dt
import urllib.parse
from pathlib import Path

import pytest

from heavylegs.logs.checkins import load_checkins
from heavylegs.serve.portal import serve_portal
from heavylegs.store.portal_links import make_link
from jupyterlab_driver import free_port
from planned_athlete import planned_data

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
PHONE = {"width": 390, "height": 844}
CHART = ".js-plotly-plot .main-svg"
TODAY = dt.date.today()


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    data = planned_data(tmp_path_factory.mktemp("portal-browser") / "data")
    log = open(data.parent / "portal.log", "w")
    server = serve_portal(data, port=free_port(), log=log)
    yield {"server": server, "data": data, "ana": make_link(data, "ana"), "gus": make_link(data, "gus")}
    server.stop()
    log.close()


@pytest.fixture
def phone(browser):
    contexts = []

    def _open(javascript=True):
        context = browser.new_context(viewport=PHONE, java_script_enabled=javascript, is_mobile=True,
                                      has_touch=True, device_scale_factor=2)
        context.blocked = []

        def route(request_route):
            if request_route.request.url.startswith(("http://127.0.0.1", "data:")):
                request_route.continue_()
            else:
                context.blocked.append(request_route.request.url)
                request_route.abort()

        context.route("**/*", route)
        contexts.append(context)
        return context, context.new_page()

    yield _open
    for context in contexts:
        assert context.blocked == []
        context.close()


def _shot(page, name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"portal-{name}.png"), full_page=True)


def _fill_the_form(page, heaviness, hooper, sleep):
    for name, value in (("heaviness", heaviness), *zip(("sleep_quality", "fatigue", "stress", "soreness"), hooper)):
        page.tap(f'label[for="hl-{name}-{value}"]')
    page.select_option("#hl-sleep-select", sleep)


def test_link_dashboard_check_in_saved_and_shown(portal, phone):
    context, page = phone()
    page.goto(portal["ana"], wait_until="domcontentloaded", timeout=120_000)
    page.wait_for_selector(CHART, timeout=120_000)
    assert page.locator(CHART).count() >= 2  # the heaviness chart and the weekly chart
    assert "Ana" in page.inner_text("body")
    _shot(page, "dashboard-390")
    page.tap("nav.hl-nav >> text=Check-in")
    page.wait_for_selector("#hl-save")
    # a phone without a keyboard: every choice is a tap target of at least 44 × 44 px, nothing wider than the screen
    for label in page.locator(".hl-scale label").all():
        box = label.bounding_box()
        assert box["width"] >= 44 and box["height"] >= 44, box
    assert page.locator("#hl-save").bounding_box()["height"] >= 44
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    _fill_the_form(page, 6, (3, 5, 2, 6), "7.5")
    _shot(page, "checkin-filled-390")
    page.tap("#hl-save")
    page.wait_for_selector("#hl-saved")
    assert "Saved" in page.inner_text("#hl-saved")
    _shot(page, "checkin-saved-390")
    row = load_checkins(portal["data"], "ana").iloc[-1]
    assert (row["date"].date(), row["heaviness"], row["sleep_h"], row["hooper"], row["source"]) == \
           (TODAY, 6, 7.5, 16, "portal")
    # the dashboard shows it: the heaviness chart's last point is today's 6
    page.tap("nav.hl-nav >> text=Dashboard")
    page.wait_for_selector(CHART, timeout=120_000)
    points = page.evaluate("""() => {
        const charts = [...document.querySelectorAll('.js-plotly-plot')];
        return charts.flatMap(c => c.data.map(t => [t.x ? t.x[t.x.length - 1] : null,
                                                    t.y ? t.y[t.y.length - 1] : null]));
    }""")
    assert any(str(x).startswith(TODAY.isoformat()) and y == 6 for x, y in points), points


def test_the_check_in_works_without_javascript_and_refuses_a_missing_answer(portal, phone):
    context, page = phone(javascript=False)
    link = portal["gus"]
    page.goto(link + "checkin", wait_until="domcontentloaded")
    day = (TODAY - dt.timedelta(days=1))
    page.tap(f'a[href="checkin?date={day.isoformat()}"]')
    assert page.input_value('input[name="date"]') == day.isoformat()
    page.tap('label[for="hl-fatigue-5"]')
    page.tap("#hl-save")
    # no heaviness: refused next to its field, the other answer kept, nothing written
    page.wait_for_selector("#hl-heaviness-refused")
    assert "expected a whole number from 0 to 10" in page.inner_text("#hl-heaviness-refused")
    assert page.is_checked("#hl-fatigue-5")
    _shot(page, "checkin-refused-390-nojs")
    checkins = load_checkins(portal["data"], "gus")
    assert day not in set(checkins["date"].dt.date)
    page.tap('label[for="hl-heaviness-8"]')
    page.tap("#hl-save")
    page.wait_for_selector("#hl-saved")
    checkins = load_checkins(portal["data"], "gus")
    row = checkins.loc[checkins["date"].dt.date == day].iloc[0]
    assert (row["heaviness"], row["fatigue"], row["source"]) == (8, 5, "portal")


def test_plan_calendar_and_doctor_pages_on_the_phone(portal, phone):
    context, page = phone()
    page.goto(portal["ana"] + "plan", wait_until="domcontentloaded")
    assert page.locator("#hl-plan .hl-plan-day").count() == 14
    with page.expect_download() as download:
        page.tap("#hl-ics")
    path = download.value.path()
    assert Path(path).read_text(encoding="utf-8").count("BEGIN:VEVENT") == 14
    page.goto(portal["gus"] + "doctor", wait_until="domcontentloaded")
    assert "doctor" in page.inner_text("body").lower()
    _shot(page, "doctor-390")
    path = urllib.parse.urlsplit(portal["gus"]).path
    assert page.goto(portal["gus"].replace(path, "/a/" + "x" * 32 + "/")).status == 404
