"""The squad view served read-only by Voila (``heavylegs squad --serve``), in Debian's Chromium.

One server on a small data folder built here; the page is opened at 1280×800 with the token, the
table must be drawn with every athlete, red flags first, the filters must answer (the kernel stays
live for them), no workbook is offered, and no request may leave 127.0.0.1.
"""
import socket
import urllib.error
import urllib.request

import pytest

from heavylegs.serve.server import serve_squad
from views.test_dashboard_browser import ARTIFACTS, DESKTOP, PHONE, _Offline
from analysis.test_squad import _checkins, _log, _profile


def _free_port():
    # the ports given to this work (8990-8999), else any free one
    for port in range(8990, 9000):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def squad_server(tmp_path_factory):
    data = tmp_path_factory.mktemp("squad") / "data"
    (data / "athletes").mkdir(parents=True)
    _profile(data, "urgent1", name="Una Urgent", cold_pale_foot=True)
    _profile(data, "loaded", name="Lou Loaded", ferritin_ug_l=12, sex="female")
    _profile(data, "quiet", name="Quinn Quiet")
    _log(data, "loaded")
    _checkins(data, "loaded")
    jupyter = tmp_path_factory.mktemp("jupyter")
    env = {"JUPYTER_CONFIG_DIR": str(jupyter / "config"), "JUPYTER_DATA_DIR": str(jupyter / "data"),
           "JUPYTER_RUNTIME_DIR": str(jupyter / "runtime"), "IPYTHONDIR": str(jupyter / "ipython")}
    server = serve_squad(port=_free_port(), data_dir=data, env=env)
    yield server
    server.stop()


def test_served_squad_draws_the_table_and_filters(squad_server, browser):
    offline = _Offline(browser, DESKTOP)
    try:
        page = offline.page
        page.goto(squad_server.url, wait_until="domcontentloaded", timeout=120_000)
        page.wait_for_selector("table.hl-squad tbody tr", timeout=120_000)
        rows = page.locator("table.hl-squad tbody tr")
        assert rows.count() == 3
        assert rows.first.get_attribute("data-athlete") == "urgent1"
        assert "urgent: " in rows.first.inner_text() and "possible limb ischemia" not in rows.first.inner_text()
        assert page.get_by_role("button", name="Open in the workbook").count() == 0  # read-only
        assert "from heavylegs" not in page.inner_text("body")        # code cells stripped
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "served-squad-1280.png"))
        page.get_by_role("button", name="Red flags").click()           # answered by the live kernel
        page.wait_for_function("() => document.querySelectorAll('table.hl-squad tbody tr').length === 1",
                               timeout=60_000)
        assert page.locator("table.hl-squad tbody tr").first.get_attribute("data-athlete") == "urgent1"
        assert offline.blocked == []
    finally:
        offline.close()


@pytest.mark.parametrize("path", ["", "voila/files/squad.ipynb", "api/contents/"])
def test_served_squad_needs_the_token_and_serves_no_file(squad_server, path):
    urls = [f"{squad_server.base_url}{path}", squad_server.link(path)] if path else [squad_server.base_url]
    for url in urls:
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                status, body = response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            status, body = exc.code, exc.read().decode("utf-8", "replace")
        assert status in (403, 404), (url, status)
        assert "Una Urgent" not in body


_CUT = """() => {
    // every control, table cell and chip: inside the viewport and not clipped by its own box
    const width = document.documentElement.clientWidth;
    const out = [];
    for (const el of document.querySelectorAll('.widget-toggle-button, .widget-dropdown, button, '
                                               + 'table.hl-squad td, table.hl-squad .hl-chip')) {
        const box = el.getBoundingClientRect();
        if (box.width === 0) continue;
        if (box.right > width + 1 || box.left < -1) out.push(['outside', el.innerText.slice(0, 40)]);
        if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== 'visible')
            out.push(['clipped', el.innerText.slice(0, 40)]);
    }
    const wide = Array.from(document.querySelectorAll('table.hl-squad')).filter(t => t.scrollWidth > width + 1);
    if (wide.length) out.push(['table wider than the screen', wide[0].scrollWidth]);
    return out;
}"""


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_served_squad_fits_the_screen_with_titles_and_no_notebook_words(squad_server, browser, viewport):
    # issue 17: the served page said "Run all cells", cut the table and filters at phone width and
    # showed causes by their ids
    offline = _Offline(browser, viewport)
    try:
        page = offline.page
        page.goto(squad_server.url, wait_until="domcontentloaded", timeout=120_000)
        page.wait_for_selector("table.hl-squad tbody tr", timeout=120_000)
        text = page.inner_text("body")
        assert "Run all" not in text and "Read-only: sort and filter here" in text
        assert "iron_deficiency" not in text and "Low iron stores or anaemia" in text
        assert page.evaluate(_CUT) == [], page.evaluate(_CUT)
        page.screenshot(path=str(ARTIFACTS / f"served-squad-{viewport['width']}-cards.png"), full_page=True)
        assert offline.blocked == []
    finally:
        offline.close()
