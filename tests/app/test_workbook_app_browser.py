"""The workbook as ``make run`` serves it, driven in Debian's Chromium as a coach would.

One app (Voila with kernels run ahead, JupyterLab beside it) on private copies of
``notebooks/`` and ``data/``. The coach opens the printed address and reads the ranking with no
Run All and no code; answers, switches athlete and back, reloads the tab, and the kernel under the
page dies: the unsaved answers come back each time, with the note, and are never written as an
assessment until Save. An answer that raises a red flag shows the flag beside it, in view.
"""
import re
import urllib.request
from pathlib import Path

import pytest

from heavylegs.store.assessments import list_assessments
from heavylegs.store.drafts import draft_path, read_draft

from jupyterlab_driver import RANKING_DRAWN, TOKEN, AppPage, AppServer

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


@pytest.fixture(scope="module")
def app():
    server = AppServer("ana", lab=True)
    server.wait_preheated()
    yield server
    server.stop()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert errors == []


def _kernel_of(page) -> list:
    """Ids of the kernels the page talks to (read from its requests)."""
    seen = []
    page.on("request", lambda request: seen.extend(re.findall(r"/api/kernels/([0-9a-f-]{36})", request.url)))
    return seen


def _kill(app, kernel_id: str) -> None:
    """Shut a kernel down under its page, as a crash would."""
    request = urllib.request.Request(f"http://127.0.0.1:{app.port}/voila/api/shutdown/{kernel_id}?token={TOKEN}",
                                     data=b"", method="POST")
    urllib.request.urlopen(request, timeout=60)


def test_the_printed_address_shows_the_ranking_without_run_all_or_code(app, page):
    wb = AppPage(page, app.url)
    wb.open()                                             # no Run All: the ranking is drawn
    assert wb.picked() == "ana"
    body = page.inner_text("body")
    assert "Opened ana." in body
    assert "from heavylegs" not in body and "import os" not in body    # no code to read
    assert "run all cells" not in body.lower()           # the notebook's note for JupyterLab is not shown
    link = page.locator("a.hl-lab-link")
    assert link.get_attribute("href") == app.lab_url                     # JupyterLab one click away
    with urllib.request.urlopen(app.lab_url, timeout=60) as answer:
        assert answer.status == 200
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "workbook-app-ready.png"))


def test_a_red_flag_shows_beside_the_answer_in_the_viewport(app, page):
    wb = AppPage(page, app.url)
    wb.open()
    wb.pick("ben")
    row = wb.question("Hot, swollen calf", "Symptoms")
    assert row.locator(".hl-flag-note").count() == 0
    row.locator("select").select_option(label="yes")
    note = row.locator(".hl-flag-note")
    note.wait_for(timeout=30_000)                         # the same refresh as the ranking
    box, viewport = note.bounding_box(), page.viewport_size
    assert box is not None and 0 <= box["y"] and box["y"] + box["height"] <= viewport["height"], box
    assert "EMERGENCY" in note.inner_text()
    assert "EMERGENCY" in page.locator(".widget-html-content", has_text="See a doctor").first.inner_text()
    page.screenshot(path=str(ARTIFACTS / "workbook-app-flag.png"))
    row.locator("select").select_option(label="unknown")  # back as it was (ben's draft goes)
    note.wait_for(state="detached", timeout=30_000)


def test_switch_reload_and_a_dead_kernel_keep_the_unsaved_answers(app, page):
    before = list_assessments(app.data, "ana")
    kernels = _kernel_of(page)
    wb = AppPage(page, app.url)
    wb.open()
    wb.answer("Sleep", "Recovery", "5.5")
    wb.answer("Rest days per week", "Training", "0")
    wb.answer("Cramps", "Symptoms", "yes")

    def shown():
        return (wb.question("Sleep", "Recovery").locator("input").first.input_value(),
                wb.question("Rest days per week", "Training").locator("input").first.input_value(),
                wb.question("Cramps", "Symptoms").locator("select").first.input_value())

    def draft_on_disk():
        draft = read_draft(app.data, "ana")
        return draft and (draft["answers"].get("sleep_h"), draft["answers"].get("rest_days_per_week"),
                          draft["answers"].get("cramps"))

    for _ in range(50):                                   # the last answer reaches the kernel
        if draft_on_disk() == (5.5, 0, True):
            break
        page.wait_for_timeout(100)
    assert draft_on_disk() == (5.5, 0, True)

    wb.pick("ben")                                        # switch away and back
    wb.pick("ana")
    assert shown() == ("5.5", "0", "yes")
    assert "restored: Save or Discard" in page.locator(".hl-draft-note").inner_text()

    wb.reload()                                           # a new page, a new kernel
    page.locator(".hl-draft-note").wait_for(timeout=30_000)
    assert shown() == ("5.5", "0", "yes")

    _kill(app, kernels[-1])                               # the page's kernel dies (a crash), then a reload
    page.locator(".hl-draft-note").wait_for(timeout=30_000)
    wb.reload()
    page.locator(".hl-draft-note").wait_for(timeout=60_000)
    assert shown() == ("5.5", "0", "yes")
    assert list_assessments(app.data, "ana") == before    # nothing saved behind the coach's back

    page.get_by_role("button", name="Discard").click()
    page.locator(".hl-draft-note").wait_for(state="hidden", timeout=30_000)
    assert not draft_path(app.data, "ana").exists()
    assert shown()[0] != "5.5"


def test_the_squad_opens_the_workbook_built_ahead_for_the_picked_athlete(app, page):
    """The squad page of the app: "Open in the workbook" shows ben's workbook below the table, his scores."""
    page.goto(app.squad_url, wait_until="domcontentloaded", timeout=120_000)
    page.wait_for_selector("table.hl-squad tbody tr", timeout=120_000)
    assert not page.evaluate(RANKING_DRAWN)                   # built ahead, not shown before the coach asks
    ben_row = page.locator("table.hl-squad tbody tr", has_text="Ben Okafor").first.inner_text()
    label = page.locator("label", has_text=re.compile("^Athlete$"))
    pickers = page.locator(".widget-dropdown:visible").filter(has=label).locator("select")
    assert pickers.count() == 1                                 # the squad's; the workbook's is hidden with it
    names = pickers.locator("option").all_inner_texts()
    pickers.select_option(label=next(name for name in names if name.endswith("(ben)")))
    page.get_by_role("button", name="Open in the workbook").click()
    page.wait_for_function(RANKING_DRAWN, timeout=120_000, polling=50)
    page.locator(".widget-html-content:visible", has_text="Opened ben.").first.wait_for(timeout=60_000)
    assert pickers.count() == 1 and pickers.input_value() == "ben"   # now the workbook's, set to ben
    assert page.get_by_role("button", name="Open in the workbook").is_hidden()   # one Athlete picker
    top = page.evaluate("""() => {
        const chart = Array.from(document.querySelectorAll('.js-plotly-plot')).find(p => p.offsetParent !== null
            && p.data && p.data.length && p.data[0].orientation === 'h');
        const bars = chart.data.flatMap(t => (t.x || []).map((x, i) => [x, t.y[i]]));
        return bars.sort((a, b) => b[0] - a[0])[0];
    }""")
    squad_words = " ".join(ben_row.split())
    title = " ".join(str(top[1]).replace("<br>", " ").split())
    assert f"{title} {round(top[0])}" in squad_words, (top, squad_words)     # the squad's top cause and score


def test_a_reload_comes_back_to_the_athlete_the_coach_was_on(app, page):
    """The address follows the athlete picked (?athlete=), so a reload or a copied address reopens them."""
    wb = AppPage(page, app.url)
    wb.open()
    wb.pick("carla")
    page.wait_for_function("() => new URL(window.location.href).searchParams.get('athlete') === 'carla'",
                           timeout=30_000)
    assert "token=" in page.url                           # the rest of the address is kept
    wb.reload()
    page.locator(".widget-html-content", has_text="Opened carla.").first.wait_for(timeout=60_000)
    assert wb.picked() == "carla"
