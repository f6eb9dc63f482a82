"""The plan's files (plan.ics, plan.html, plan.json) and the one-page summary for the doctor."""
import datetime as dt
import json
import re

import pytest
from icalendar import Calendar

from heavylegs.analysis.pipeline import assess
from heavylegs.analysis.plan import build_plan
from heavylegs.views.plan_pages import (PRODID, doctor_summary_html, doctor_summary_needed, lab_thresholds, plan_files,
                                 plan_html, plan_ics, plan_json, plan_section_html, profile_changes)
from heavylegs.store.profiles import read_profile
from heavylegs.logs.traininglog import read_log

NOW = dt.datetime(2026, 11, 16, 9, 30, tzinfo=dt.timezone.utc)


def _sample(root, athlete_id, **changes):
    profile = read_profile(root / "data" / "athletes" / f"{athlete_id}.json")
    profile.update(changes)
    return assess(profile, read_log(root / "data" / "athletes" / athlete_id / "log.csv"))


@pytest.fixture
def ben(root):
    return _sample(root, "ben")


def test_ics_parses_back_with_one_all_day_event_a_day(ben):
    plan = build_plan(ben)
    text = plan_ics(plan, name="Ben Okafor", now=NOW)
    assert "\r\n" in text
    cal = Calendar.from_ical(text)
    assert str(cal["VERSION"]) == "2.0" and str(cal["PRODID"]) == PRODID
    events = cal.walk("VEVENT")
    assert len(events) == 14
    uids = [str(e["UID"]) for e in events]
    assert len(set(uids)) == 14 and uids[0] == "ben-2026-11-17@heavylegs.analysis.plan"
    for event, day in zip(events, plan["days"]):
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        assert type(start) is dt.date and start.isoformat() == day["date"]  # all-day: a DATE, not a time
        assert end - start == dt.timedelta(days=1)
        assert event.decoded("DTSTAMP") == NOW
    assert str(events[0]["SUMMARY"]).startswith("Quality session")
    assert "Carbohydrate about" in str(events[0]["DESCRIPTION"])


def test_ics_in_miles(root):
    plan = build_plan(_sample(root, "ben"))
    cal = Calendar.from_ical(plan_ics(plan, unit="mi", now=NOW))
    long_run = next(e for e in cal.walk("VEVENT") if str(e["SUMMARY"]).startswith("Long run"))
    assert re.search(r"≤ \d+\.\d mi", str(long_run["SUMMARY"]))
    assert " km" not in str(long_run["SUMMARY"])


def test_plan_json_keeps_km_and_the_spec_keys(root):
    assessment = _sample(root, "ben", distance_unit="mi")
    plan = build_plan(assessment)
    doc = json.loads(plan_json(plan))
    assert doc["format"] == "heavylegs.plan/1"
    assert {"athlete_id", "start", "withheld_for", "load_metric", "weeks", "days"} <= set(doc)
    assert len(doc["days"]) == 14
    assert set(doc["days"][0]) >= {"date", "training", "carbs_g", "fluid", "sleep_h", "notes"}
    assert set(doc["days"][0]["training"]) == {"kind", "minutes", "max_km", "load"}
    long_day = next(d for d in doc["days"] if d["training"]["kind"] == "long")
    assert long_day["training"]["max_km"] == plan["long_run_cap_km"]  # km, whatever the athlete reads


def test_html_escapes_the_athletes_text(ben):
    plan = build_plan(ben)
    plan["days"][0]["notes"] = ["<script>alert(1)</script>"]
    page = plan_html(plan, name="Ben <b>O</b>", printed=dt.date(2026, 11, 16))
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert "Ben &lt;b&gt;O&lt;/b&gt;" in page
    section = plan_section_html(plan)
    assert "<script>alert" not in section and section.startswith('<section class="hl-plan"')
    assert section.count('class="hl-plan-day"') == 14


def test_doctor_summary_needed():
    quiet = {"red_flags": [], "causes": [{"id": "overtraining", "rank": 1, "score": 90, "band": "likely"}]}
    assert doctor_summary_needed(quiet) is False
    iron = {"red_flags": [], "causes": [{"id": "iron_deficiency", "rank": 2, "score": 50, "band": "possible"}]}
    assert doctor_summary_needed(iron) is True
    iron_unlikely = {"red_flags": [], "causes": [{"id": "iron_deficiency", "rank": 2, "score": 20, "band": "unlikely"}]}
    assert doctor_summary_needed(iron_unlikely) is False
    assert doctor_summary_needed({"red_flags": [{"id": "anemia", "urgency": "soon"}], "causes": []}) is True


def test_lab_thresholds_come_from_the_catalogue():
    found = lab_thresholds()
    assert "< 35 (Low iron stores or anaemia)" in found["ferritin_ug_l"]
    assert any(t.startswith("< 130 (red flag") for t in found["sodium_mmol_l"])


def test_profile_changes():
    before = {"athlete_id": "a", "sleep_h": 6.0, "ferritin_ug_l": 14.0, "assessed_on": "2026-10-01"}
    after = {"athlete_id": "a", "sleep_h": 7.5, "hemoglobin_g_dl": 12.5, "ferritin_ug_l": 14.0,
             "assessed_on": "2026-11-01"}
    assert profile_changes(before, after) == [("sleep_h", 6.0, 7.5), ("hemoglobin_g_dl", None, 12.5)]
    assert profile_changes(None, after) == []


def test_doctor_summary_content(root):
    gus = _sample(root, "gus", ferritin_ug_l=18.0, name="Gus <x>")
    previous = dict(gus.profile, ferritin_ug_l=None, progressive_weakness=False)
    page = doctor_summary_html(gus, previous_profile=previous, plan=build_plan(gus), printed=dt.date(2026, 11, 17))
    assert "For the doctor: heavy legs when running, Gus &lt;x&gt;" in page
    assert "Printed 17 Nov 2026" in page and "assessed 16 Nov 2026" in page
    assert "The foot or leg will not lift" in page and "Answers: Leg will not lift: yes" in page
    assert "18.0 µg/L" in page  # the lab value with its unit
    assert "Not measured: Haemoglobin" in page
    assert "Training load, last 8 weeks" in page and "<th>Week of</th><td class=\"num\">28 Sep</td>" in page
    assert "<th>Distance [km]</th>" in page and "<th>Load (srpe)</th>" in page and "16 Nov</td></tr>" in page
    assert "Answers since the assessment before: Weakness growing: no → yes; Ferritin [µg/L]: unknown → 18.0" in page
    assert "Training stopped until a doctor has seen the athlete." in page


def _pdf_pages(browser, pages):
    counts = []
    tab = browser.new_page()
    try:
        for html in pages:
            tab.set_content(html)
            pdf = tab.pdf(format="A4")
            counts.append(len(re.findall(rb"/Type\s*/Page[^s]", pdf)))
    finally:
        tab.close()
    return counts


def test_printed_on_a4(root, browser, tmp_path):
    """plan.html on one or two A4 pages, the doctor's summary on one, in Chromium's print to PDF."""
    ana = _sample(root, "ana")  # a likely cause with steps, notes on many days
    busy = _sample(root, "gus", ferritin_ug_l=18.0, hemoglobin_g_dl=12.1, vitamin_d_ng_ml=15.0, crp_mg_l=4.0,
                   sodium_mmol_l=136.0, chest_pain_or_fainting=True, bone_pain_point=True)
    pages = [plan_html(build_plan(ana), name="Ana Sousa"), plan_html(build_plan(busy), name="Gus"),
             doctor_summary_html(ana, previous_profile=dict(ana.profile, sleep_h=5.0), plan=build_plan(ana)),
             doctor_summary_html(busy, previous_profile={"athlete_id": "gus"}, plan=build_plan(busy))]
    counts = _pdf_pages(browser, pages)
    assert 1 <= counts[0] <= 2 and 1 <= counts[1] <= 2
    assert counts[2:] == [1, 1]


def test_plan_files_has_doctor_page_only_when_needed(root):
    ben = _sample(root, "ben")
    assert set(plan_files(ben, build_plan(ben), now=NOW)) == {"plan.json", "plan.ics", "plan.html"}
    gus = _sample(root, "gus")
    assert set(plan_files(gus, build_plan(gus), now=NOW)) == {"plan.json", "plan.ics", "plan.html", "doctor.html"}


def test_the_doctor_page_of_an_athlete_who_reads_miles_is_in_miles(root):
    from heavylegs.analysis.pipeline import assess
    from heavylegs.analysis.plan import build_plan
    from heavylegs.views.plan_pages import plan_files
    from heavylegs.store.profiles import read_profile
    from heavylegs.logs.traininglog import read_log

    km = read_profile(root / "data" / "athletes" / "ana.json")
    log = read_log(root / "data" / "athletes" / "ana" / "log.csv")
    in_km = plan_files(assess(km, log), build_plan(assess(km, log)))["doctor.html"]
    assert "Distance [km]" in in_km                           # the 8 weeks of load, in km by default
    result = assess(dict(km, distance_unit="mi"), log)
    files = plan_files(result, build_plan(result))
    assert "Distance [mi]" in files["doctor.html"] and "[km]" not in files["doctor.html"]
