"""The athlete dashboard in a real browser: Debian's Chromium driven by Playwright.

Two Voila servers (module-scoped) serve the red-flag athlete gus and ana, who
reads miles and has check-ins and a saved plan (``planned_athlete.py``, on a
copy of data/); the exported HTML files of ana and gus are opened from disk. Every request that is not to
127.0.0.1 or a file is aborted and recorded, so a page that needs the network
fails here. Screenshots at 390×844 (a phone) and 1280×800 go to
tests/artifacts/ for a person to look at.
"""
import json
import re
import socket
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from screen_words import citations, cut_texts, internal_words

from heavylegs.serve.server import serve_dashboard
from heavylegs.views.dashboard import dashboard_content, export_dashboard
from heavylegs.analysis.plan import KM_PER_MILE
from planned_athlete import planned_data

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
CHART = ".js-plotly-plot .main-svg"


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    # ana: miles, check-ins and the plan saved with her newest assessment (from 2026-11-17)
    return planned_data(tmp_path_factory.mktemp("dash") / "data")


def _serve(athlete, data_dir, tmp_path_factory):
    jupyter = tmp_path_factory.mktemp("jupyter")
    env = {"JUPYTER_CONFIG_DIR": str(jupyter / "config"), "JUPYTER_DATA_DIR": str(jupyter / "data"),
           "JUPYTER_RUNTIME_DIR": str(jupyter / "runtime"), "IPYTHONDIR": str(jupyter / "ipython")}
    return serve_dashboard(data_dir, athlete, port=_free_port(), env=env)


@pytest.fixture(scope="module")
def server(data_dir, tmp_path_factory):
    srv = _serve("gus", data_dir, tmp_path_factory)
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def ana_server(data_dir, tmp_path_factory):
    srv = _serve("ana", data_dir, tmp_path_factory)
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def exported(data_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("export")
    return {athlete: export_dashboard(data_dir, athlete, out) for athlete in ("ana", "gus")}


class _Offline:
    """A page whose requests outside 127.0.0.1 and file:// are aborted and recorded."""

    def __init__(self, browser, viewport):
        self.context = browser.new_context(viewport=viewport)
        self.page = self.context.new_page()
        self.blocked = []
        self.page.route("**/*", self._route)

    def _route(self, route):
        url = route.request.url
        if url.startswith(("http://127.0.0.1", "file://", "data:", "blob:")):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def close(self):
        self.context.close()


@pytest.fixture
def open_page(browser):
    pages = []

    def _open(url, viewport=PHONE):
        offline = _Offline(browser, viewport)
        pages.append(offline)
        offline.page.goto(url, wait_until="domcontentloaded", timeout=120_000)
        return offline

    yield _open
    for offline in pages:
        offline.close()


def _weekly_in_unit(content):
    """The weekly distances the chart should draw: km, or miles for an athlete who reads miles."""
    km = content["weekly"]["distance_km"].tolist()
    return [d / KM_PER_MILE for d in km] if content["unit"] == "mi" else km


def _top(page, selector):
    return page.locator(selector).first.bounding_box()["y"]


def _check_dashboard(offline, content, shot_name):
    page = offline.page
    page.wait_for_selector(CHART, state="attached", timeout=120_000)
    top_title = content["causes"][0]["title"]
    title = page.locator(".hl-cause-title").first
    title.scroll_into_view_if_needed()
    assert title.is_visible()
    assert title.inner_text() == top_title
    assert page.locator(".js-plotly-plot .main-svg .bars, .js-plotly-plot .main-svg .trace").count() > 0
    if content["red_flags"]:
        banner = page.locator("#hl-red-flags")
        assert banner.is_visible()
        assert "See a doctor" in banner.inner_text()
        # first in the document and first on screen
        order = page.evaluate("""() => {
            const b = document.querySelector('#hl-red-flags');
            const c = document.querySelector('#hl-causes');
            return Boolean(b.compareDocumentPosition(c) & Node.DOCUMENT_POSITION_FOLLOWING);
        }""")
        assert order
        assert _top(page, "#hl-red-flags") < _top(page, "#hl-causes") < _top(page, ".js-plotly-plot")
    else:
        assert page.locator("#hl-red-flags").count() == 0
    assert page.locator("#hl-disclaimer").is_visible()
    # nothing sticks out sideways on a phone
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"page is {overflow} px wider than the screen"
    # issue 17: no label cut, no internal word on the page, no literature citation in a chart's labels
    assert cut_texts(page) == []
    chart_words = " ".join(page.evaluate(
        "() => [...document.querySelectorAll('.js-plotly-plot text')].map(t => t.textContent)"))
    assert internal_words(page.inner_text("body") + chart_words) == [] and citations(chart_words) == []
    _screenshots(page, shot_name)
    assert offline.blocked == []


def _screenshots(page, name):
    """What the screen shows first, and with the chart scrolled into view.

    Voila scrolls inside ``#rendered_cells``, so a full-page capture would
    stop at the window; the exported page also gets one full-length capture.
    """
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("() => { window.scrollTo(0, 0); document.querySelector('#rendered_cells')?.scrollTo(0, 0); }")
    page.screenshot(path=str(ARTIFACTS / f"{name}-top.png"))
    page.locator("#hl-training").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / f"{name}-chart.png"))
    if page.locator("#rendered_cells").count() == 0:
        page.screenshot(path=str(ARTIFACTS / f"{name}-full.png"), full_page=True)


def _others(data_dir, athlete_id):
    out = []
    for path in sorted((Path(data_dir) / "athletes").glob("*.json")):
        if path.stem != athlete_id:
            out.append((path.stem, json.loads(path.read_text(encoding="utf-8")).get("name", "")))
    return out


def _assert_no_other_athlete(text, data_dir, athlete_id):
    for other_id, other_name in _others(data_dir, athlete_id):
        assert not re.search(rf"\b{re.escape(other_id)}\b", text), other_id
        for part in other_name.split():
            assert part not in text, other_name


# --- served by Voila -----------------------------------------------------------------------------

@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1280"])
def test_served_dashboard_renders(server, open_page, data_dir, viewport):
    content = dashboard_content(data_dir, "gus")
    offline = open_page(server.url, viewport)
    _check_dashboard(offline, content, f"served-gus-{viewport['width']}")
    assert offline.page.locator(".jp-InputArea, .jp-CodeCell .jp-InputPrompt:visible").count() == 0


def test_served_page_holds_only_that_athlete(server, open_page, data_dir):
    offline = open_page(server.url)
    page = offline.page
    page.wait_for_selector(CHART, state="attached", timeout=120_000)
    _assert_no_other_athlete(page.inner_text("body"), data_dir, "gus")
    plotted = page.evaluate("() => document.querySelector('.js-plotly-plot').data[0].y")
    weekly = dashboard_content(data_dir, "gus")["weekly"]
    assert plotted == pytest.approx(weekly["distance_km"].tolist())


def test_served_dashboard_refuses_another_athlete(server, open_page, data_dir):
    offline = open_page(server.link(athlete="ana"))
    page = offline.page
    page.wait_for_selector("#hl-refused", timeout=120_000)
    assert "another athlete" in page.inner_text("#hl-refused")
    assert page.locator(".hl-cause, #hl-red-flags, .js-plotly-plot").count() == 0
    text = page.inner_text("body")
    assert "Ana" not in text and "Gus" not in text


@pytest.mark.parametrize("path", [
    "voila/files/data/athletes/ana.json",
    "voila/files/../data/athletes/ana.json",
    "voila/files/%2e%2e/%2e%2e/data/athletes/gus.json",
    "files/data/athletes/gus.json",
    "data/athletes/gus/log.csv",
    "voila/files/athlete_dashboard.ipynb",
    "voila/files/voila.log",
    "api/contents/",
    "voila/tree/",
])
def test_server_serves_no_file(server, path):
    try:
        with urllib.request.urlopen(server.link(path), timeout=30) as response:
            status, body = response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        status, body = exc.code, exc.read().decode("utf-8", "replace")
    assert status in (403, 404), (path, status)
    assert "Lindqvist" not in body and "duration_min" not in body


# --- exported HTML -------------------------------------------------------------------------------

@pytest.mark.parametrize("athlete,viewport", [("ana", PHONE), ("ana", DESKTOP), ("gus", PHONE)],
                         ids=["ana-390", "ana-1280", "gus-390"])
def test_exported_dashboard_renders_offline(exported, open_page, data_dir, athlete, viewport):
    content = dashboard_content(data_dir, athlete)
    offline = open_page(exported[athlete].as_uri(), viewport)
    _check_dashboard(offline, content, f"export-{athlete}-{viewport['width']}")
    plotted = offline.page.evaluate("() => document.querySelector('#hl-weekly-chart').data[0].y")
    assert plotted == pytest.approx(_weekly_in_unit(content))
    _assert_no_other_athlete(offline.page.inner_text("body"), data_dir, athlete)


# --- the plan, check-ins, follow-up and the page for the doctor, in miles (issue 12) -------------

def _pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


def _check_planned(offline, content):
    """ana at 390 px: the plan in words, the heaviness chart, the follow-up and "For your doctor"."""
    page = offline.page
    page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot .main-svg').length >= 2",
                           timeout=120_000)
    plan = page.locator("#hl-plan")
    plan.scroll_into_view_if_needed()
    assert plan.is_visible()
    words = plan.inner_text()
    assert "Your next two weeks" in words and "Tuesday 17 Nov 2026" in words and "Monday 30 Nov 2026" in words
    long_run = next(d for d in content["plan"]["days"] if d["training"]["kind"] == "long")
    assert f"≤ {long_run['training']['max_km'] / KM_PER_MILE:.1f} mi" in words
    assert page.locator(".hl-plan-day").count() == 14
    follow = page.locator("#hl-follow-up")
    follow.scroll_into_view_if_needed()
    assert follow.is_visible() and content["follow_up"]["text"] in follow.inner_text()
    # the heaviness chart (its check-ins and the plan's first day), then the weekly chart in miles
    charts = page.evaluate("""() => [...document.querySelectorAll('.js-plotly-plot')].map(
        p => ({y: p.data[0].y, name: p.data[0].name, shapes: (p.layout.shapes || []).map(s => s.x0)}))""")
    assert len(charts) == 2
    assert charts[0]["name"].startswith("heaviness") and len(charts[0]["y"]) == len(content["checkins"])
    assert "2026-11-17" in charts[0]["shapes"]
    assert charts[1]["name"] == "weekly distance [mi]" and charts[1]["y"] == pytest.approx(_weekly_in_unit(content))
    assert _top(page, "#hl-causes") < _top(page, "#hl-plan") < _top(page, "#hl-follow-up") \
        < _top(page, ".js-plotly-plot")
    assert "Bars are your miles each week." in page.inner_text("#hl-training")
    doctor = page.locator("#hl-for-doctor")
    doctor.scroll_into_view_if_needed()
    assert doctor.is_visible() and "For your doctor" in doctor.inner_text()
    assert page.locator("#hl-doctor-page").is_hidden()  # folded until asked for
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"page is {overflow} px wider than the screen"


def _print_doctor_page(page) -> bytes:
    """Press "Print the page for your doctor" (the print dialog stubbed) and print to PDF, A4."""
    page.evaluate("() => { window.__printed = 0; window.print = () => { window.__printed += 1; }; }")
    page.locator("#hl-print-doctor").scroll_into_view_if_needed()
    page.click("#hl-print-doctor")
    assert page.evaluate("() => window.__printed") == 1
    assert page.evaluate("() => document.documentElement.classList.contains('hl-print-doctor')")
    assert page.locator("#hl-doctor-page").is_visible()  # the button opened it
    return page.pdf(format="A4")


def test_served_dashboard_with_plan_check_ins_and_miles(ana_server, open_page, data_dir):
    content = dashboard_content(data_dir, "ana")
    offline = open_page(ana_server.url, PHONE)
    _check_planned(offline, content)
    _assert_no_other_athlete(offline.page.inner_text("body"), data_dir, "ana")
    _screenshots(offline.page, "served-ana-390")
    pdf = _print_doctor_page(offline.page)
    assert _pdf_pages(pdf) == 1
    assert offline.blocked == []


def test_exported_dashboard_with_plan_check_ins_and_miles(exported, open_page, data_dir):
    content = dashboard_content(data_dir, "ana")
    offline = open_page(exported["ana"].as_uri(), PHONE)
    _check_planned(offline, content)
    page = offline.page
    assert _pdf_pages(page.pdf(format="A4")) > 3  # the whole dashboard is several pages ...
    assert _pdf_pages(_print_doctor_page(page)) == 1  # ... the doctor's page one
    page.evaluate("() => window.dispatchEvent(new Event('afterprint'))")
    assert not page.evaluate("() => document.documentElement.classList.contains('hl-print-doctor')")
    assert offline.blocked == []


def test_exported_doctor_page_of_a_red_flag_athlete_prints_on_one_page(exported, open_page):
    offline = open_page(exported["gus"].as_uri(), PHONE)
    page = offline.page
    page.wait_for_selector(CHART, state="attached", timeout=120_000)
    assert _top(page, "#hl-red-flags") < _top(page, "#hl-for-doctor") < _top(page, "#hl-causes")
    assert "For your doctor" in page.inner_text("#hl-for-doctor")
    assert _pdf_pages(_print_doctor_page(page)) == 1
    assert offline.blocked == []
