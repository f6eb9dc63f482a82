"""The coach workbook in JupyterLab, driven in Debian's Chromium through a coach's flows.

One JupyterLab server on a private copy of the data: run all cells, switch
athletes, start a new one, upload a log into it, save, reload the page and
open it again. After each step the files on disk and the chart on screen are
checked against that athlete's own files. Then an unsaved answer, a kernel
restart and Run All: the answer comes back with its note. (The app that
``make run`` serves is driven in ``test_workbook_app_browser.py``.)
"""
from pathlib import Path

import pytest

from heavylegs.store.assessments import list_assessments, read_assessment
from heavylegs.store.drafts import read_draft
from heavylegs.engine.load import weekly_table
from heavylegs.logs.traininglog import read_log

from jupyterlab_driver import LabServer, Workbook

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


@pytest.fixture(scope="module")
def lab():
    server = LabServer("ana")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    yield context.new_page()
    context.close()


def _expected_bars(data: Path, athlete: str) -> list:
    answers = read_assessment(list_assessments(data, athlete)[-1])["profile"] if list_assessments(data, athlete) \
        else None
    from heavylegs.store.profiles import read_profile

    answers = answers or read_profile(data / "athletes" / f"{athlete}.json")
    table = weekly_table(read_log(data / "athletes" / athlete / "log.csv"), until=answers["assessed_on"])
    return [round(float(x), 6) for x in table["distance_km"]]


def _files(data: Path) -> dict:
    return {str(p.relative_to(data)): p.read_bytes() for p in sorted(data.rglob("*")) if p.is_file()}


def test_a_coach_switches_starts_uploads_saves_and_reloads(lab, page, tmp_path):
    wb = Workbook(page, lab.url)
    wb.open()
    bars = wb.weekly_bars()
    assert [round(x, 6) for x in bars] == _expected_bars(lab.data, "ana")

    # switch: ben's own log, never ana's
    before = _files(lab.data)
    wb.pick("ben")
    assert [round(x, 6) for x in wb.weekly_bars()] == _expected_bars(lab.data, "ben")
    assert _files(lab.data) == before                           # opening writes nothing

    # a new athlete, from ben: the new one is open, not the first of the list
    wb.new_athlete("newbie")
    assert wb.picked() == "newbie"
    assert not wb.weekly_bars()                                 # no log yet, no bars of anyone else

    # upload into the new athlete: only its own log.csv is written
    log = tmp_path / "newbie-log.csv"
    log.write_text("date,activity,duration_min,distance_km,rpe\n2026-11-02,run,40,8,4\n"
                   "2026-11-04,run,50,10,5\n2026-11-07,run,90,18,4\n", encoding="utf-8")
    wb.upload(log, "3 session(s) added to newbie's log")
    after = _files(lab.data)
    changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
    assert changed == {"athletes/newbie/log.csv"}

    # save: a dated assessment and the profile, for newbie
    wb.save("newbie")
    files = list_assessments(lab.data, "newbie")
    assert len(files) == 1 and read_assessment(files[0])["athlete_id"] == "newbie"
    assert (lab.data / "athletes" / "newbie.json").exists()

    # reload the page: a fresh kernel; newbie is listed and opens with its own log
    page.reload()
    wb.open()
    wb.pick("newbie")
    assert [round(x, 6) for x in wb.weekly_bars()] == _expected_bars(lab.data, "newbie")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "workbook-newbie.png"), full_page=False)
    # and ana is still ana
    wb.pick("ana")
    assert [round(x, 6) for x in wb.weekly_bars()] == _expected_bars(lab.data, "ana")


def test_a_kernel_restart_in_jupyterlab_brings_back_the_unsaved_answers(lab, page):
    wb = Workbook(page, lab.url)
    wb.open()
    wb.pick("carla")
    wb.answer("Sleep", "Recovery", "4.5")
    for _ in range(50):                                       # the answer reaches the kernel and the disk
        if (read_draft(lab.data, "carla") or {}).get("answers", {}).get("sleep_h") == 4.5:
            break
        page.wait_for_timeout(100)
    page.evaluate("window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.restart()")
    page.wait_for_function("window.jupyterapp.shell.currentWidget.sessionContext.session.kernel"
                           ".connectionStatus === 'connected'", timeout=120_000)
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    wb.status_contains("Opened ana.", timeout=120_000)       # the new kernel's workbook (the old one said carla)
    wb.pick("carla")
    page.locator(".hl-draft-note").wait_for(timeout=30_000)
    assert wb.question("Sleep", "Recovery").locator("input").first.input_value() == "4.5"
