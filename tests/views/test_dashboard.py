"""The athlete dashboard without a browser: content, HTML, export, request rules, notebook.

The real-browser checks (Voila and the exported file in Chromium) are in
tests/test_browser.py.
"""
import csv
from datetime import date
import json
import re
import socket
from pathlib import Path

import plotly.graph_objects as go
import pytest

from heavylegs.serve.server import notebook_path, serve_dashboard, voila_command
from heavylegs.store.storage import DATA_DIR_ENV, SERVED_ATHLETE_ENV
from heavylegs.views.dashboard import (
    CHARTS,
    AthleteDashboard,
    _check_offline,
    dashboard_blocks,
    dashboard_content,
    dashboard_figure,
    dashboard_page,
    dashboard_sections,
    export_dashboard,
    heaviness_chart,
    requested_athlete,
)
from heavylegs.errors import InputError
from heavylegs.analysis.plan import KM_PER_MILE
from planned_athlete import TODAY, planned_data

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
BAD_IDS = ["../x", "ana/../ben", "ANA", "", "ana ", "/etc/passwd"]
MAX_BYTES = 5 * 1000 * 1000


def _profile(athlete_id):
    return json.loads((DATA / "athletes" / f"{athlete_id}.json").read_text(encoding="utf-8"))


def _others(athlete_id):
    return [(p.stem, _profile(p.stem).get("name", "")) for p in sorted((DATA / "athletes").glob("*.json"))
            if p.stem != athlete_id]


def _without_plotly_js(page):
    # plotly.js is a minified library full of short words; the athlete's own
    # text and numbers are everything else on the page
    return re.sub(r"<script[^>]*>\s*/\*\*\s*\n\* plotly\.js.*?</script>", "", page, flags=re.S)


@pytest.fixture(scope="module")
def ana():
    return dashboard_content(DATA, "ana")


@pytest.fixture(scope="module")
def gus():
    return dashboard_content(DATA, "gus")


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    out = tmp_path_factory.mktemp("export")
    return {a: export_dashboard(DATA, a, out) for a in ("ana", "gus")}


# --- content -----------------------------------------------------------------------------

def test_content_of_a_red_flag_athlete(gus):
    assert gus["athlete_id"] == "gus" and gus["name"] == "Gus"
    ids = [f["id"] for f in gus["red_flags"]]
    assert "cannot_lift_leg" in ids and "progressive_weakness" in ids
    order = {"emergency": 0, "urgent": 1, "soon": 2}
    assert [order[f["urgency"]] for f in gus["red_flags"]] == sorted(order[f["urgency"]] for f in gus["red_flags"])
    assert gus["red_flags"][0]["urgency_label"] == "See a doctor today"
    assert gus["red_flags"][0]["id"] == "cannot_lift_leg"


def test_content_of_ana(ana):
    assert ana["red_flags"] == []
    assert len(ana["causes"]) == 3
    assert [c["rank"] for c in ana["causes"]] == [1, 2, 3]
    top = ana["causes"][0]
    assert top["id"] == "iron_deficiency"
    # why, in her own numbers: ferritin 14 µg/L from her profile
    assert any("14" in b and "ferritin" in b for b in top["because"])
    assert top["advice"] and all(isinstance(a, str) and a for a in top["advice"])
    assert ana["assessed_on"] == _profile("ana")["assessed_on"]


def test_last_run_is_the_last_run_row_of_the_log(ana):
    with open(DATA / "athletes" / "ana" / "log.csv", encoding="utf-8") as handle:
        runs = [row["date"][:10] for row in csv.DictReader(handle) if row.get("activity", "run") in ("run", "")]
    assert ana["last_run"] == max(runs)


def test_latest_acwr_is_the_last_week_with_a_ratio(ana):
    weekly = ana["weekly"]
    known = weekly[weekly["acwr"].notna()]
    assert ana["acwr"]["value"] == pytest.approx(float(known["acwr"].iloc[-1]))
    assert ana["acwr"]["week"] == str(known["week_start"].iloc[-1])[:10]


def test_a_log_that_ended_weeks_ago_says_so_instead_of_a_ratio_of_zero(tmp_path):
    # issue 17: the athlete page said "Your latest ratio is 0.00" for a log that ended years ago
    import shutil

    from heavylegs.logs.formats import import_sources
    from heavylegs.logs.traininglog import write_log

    (tmp_path / "athletes" / "zoe").mkdir(parents=True)
    profile = dict(_profile("ana"), athlete_id="zoe", name="Zoe", assessed_on="2026-12-06")
    (tmp_path / "athletes" / "zoe.json").write_text(json.dumps(profile), encoding="utf-8")
    files = sorted((ROOT / "tests" / "data" / "activities").glob("runpandas__*"))
    write_log(import_sources(files, use_cache=False).log, tmp_path / "athletes" / "zoe" / "log.csv")
    content = dashboard_content(tmp_path, "zoe", today="2026-12-06")
    ratio = content["acwr"]
    assert ratio["value"] is None and ratio["last_session"] == "2021-07-04" and ratio["as_of"] == "2026-12-06"
    assert ratio["days_without"] == (date(2026, 12, 6) - date(2021, 7, 4)).days
    before, after = dashboard_sections(content)
    page = before + after
    assert "0.00" not in page and "latest ratio is" not in page
    assert "No session in the 1981 days up to 6 Dec 2026 (the last on 4 Jul 2021), so there is no current ratio." in page
    # the chart opens on the log's last weeks, in plain words for the athlete
    fig = dashboard_figure(content)
    assert fig.layout.xaxis.range[1] < "2021-08-01" and fig.layout.yaxis.range[1] > 1
    words = " ".join(a.text for a in fig.layout.annotations) + " ".join(t.name or "" for t in fig.data)
    assert "Gabbett" not in words and "ACWR" not in words
    shutil.rmtree(tmp_path / "athletes")


def test_ratio_sentences_for_every_case():
    from heavylegs.views.html import ratio_sentence

    assert ratio_sentence(None) == ""
    fresh = {"value": 1.234, "week": "2026-11-09", "as_of": "2026-11-15", "last_session": "2026-11-14",
             "days_without": 1}
    assert ratio_sentence(fresh) == "Your latest ratio is <strong>1.23</strong> (week of 9 Nov 2026)."
    assert ratio_sentence(fresh, "coach").startswith("Latest ACWR: <strong>1.23</strong>")
    new_log = dict(fresh, value=None)
    assert "too short" in ratio_sentence(new_log)
    empty = dict(fresh, value=None, last_session=None, days_without=None)
    assert ratio_sentence(empty) == "No session in the log, so there is no ratio."


def test_athlete_without_log(tmp_path):
    (tmp_path / "athletes").mkdir()
    profile = _profile("ana")
    (tmp_path / "athletes" / "ana.json").write_text(json.dumps(profile), encoding="utf-8")
    content = dashboard_content(tmp_path, "ana")
    assert content["weekly"] is None and content["last_run"] is None and content["acwr"] is None
    before, _ = dashboard_sections(content)
    assert "No training log yet" in before and "none logged" in before
    # ana's check-ins are not in this folder: neither chart
    assert [type(p) for p in AthleteDashboard(tmp_path, "ana").parts()] == [str, str, str]
    assert "js-plotly-plot" not in dashboard_page(content)


@pytest.mark.parametrize("bad", BAD_IDS)
def test_bad_ids_are_refused(bad, tmp_path):
    with pytest.raises(InputError, match="expected an id of lower-case"):
        dashboard_content(DATA, bad)
    with pytest.raises(InputError, match="expected an id of lower-case"):
        export_dashboard(DATA, bad, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_unknown_athlete(tmp_path):
    with pytest.raises(InputError, match="no profile for athlete 'zoe'"):
        export_dashboard(DATA, "zoe", tmp_path)
    assert list(tmp_path.iterdir()) == []


# --- HTML ----------------------------------------------------------------------------------

def test_red_flags_come_before_the_causes(gus):
    before, after = dashboard_sections(gus)
    assert before.index('id="hl-red-flags"') < before.index('id="hl-causes"') < before.index('id="hl-training"')
    assert "See a doctor first" in before
    assert "not a diagnosis" in after
    assert 'id="hl-no-flags"' not in before


def test_no_red_flag_says_so(ana):
    before, _ = dashboard_sections(ana)
    assert 'id="hl-red-flags"' not in before and 'id="hl-no-flags"' in before
    assert "16 Nov 2026" in before  # the assessment date, spelt out
    assert "Your latest ratio is" in before and "green band (0.8 to 1.3)" in before


def test_text_is_escaped(ana):
    content = dict(ana, name="<b>x</b>", causes=[dict(ana["causes"][0], title="<script>alert(1)</script>",
                                                      because=["a < b & c"])])
    before, _ = dashboard_sections(content)
    assert "<script>alert" not in before and "&lt;script&gt;alert(1)&lt;/script&gt;" in before
    assert "a &lt; b &amp; c" in before and "&lt;b&gt;x&lt;/b&gt;" in before


def test_long_lists_fold(ana):
    content = dict(ana, causes=[dict(ana["causes"][0], advice=[f"tip {i}" for i in range(5)],
                                     because=["only reason"])])
    before, _ = dashboard_sections(content)
    assert "<summary>2 more tips</summary>" in before and "more reason" not in before
    assert before.index("tip 2") < before.index("<summary>") < before.index("tip 3")


def test_figure_is_this_athletes_weekly_distance(ana):
    fig = dashboard_figure(ana)
    assert isinstance(fig, go.Figure)
    assert list(fig.data[0].y) == pytest.approx(ana["weekly"]["distance_km"].tolist())
    assert fig.layout.height == 400 and fig.layout.width is None  # width follows the screen


# --- export --------------------------------------------------------------------------------

def test_export_is_one_offline_file_under_5_mb(exported):
    for athlete, path in exported.items():
        assert path.name == f"{athlete}-dashboard.html"
        page = path.read_text(encoding="utf-8")
        assert path.stat().st_size < MAX_BYTES
        assert page.count("* plotly.js v") == 1  # inlined once
        assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
        assert not re.search(r"<(script|link|img|iframe)\b[^>]*\b(src|href)\s*=\s*[\"']?\s*(https?:)?//", page, re.I)
        assert "Plotly.newPlot" in page and 'id="hl-weekly-chart"' in page


@pytest.mark.parametrize("athlete", ["ana", "gus"])
def test_export_holds_only_that_athlete(exported, athlete):
    page = _without_plotly_js(exported[athlete].read_text(encoding="utf-8"))
    assert "plotly.js v" not in page  # the strip worked, so the check below is on the real text
    assert _profile(athlete)["name"].split()[0] in page
    for other_id, other_name in _others(athlete):
        assert not re.search(rf"\b{re.escape(other_id)}\b", page), other_id
        for part in other_name.split():
            assert part not in page, other_name


def test_export_overwrites_atomically(tmp_path):
    path = export_dashboard(DATA, "ana", tmp_path)
    path.write_text("old", encoding="utf-8")
    assert export_dashboard(DATA, "ana", tmp_path) == path
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ana-dashboard.html"]


@pytest.mark.parametrize("tag", ['<script src="https://cdn.plot.ly/plotly.min.js"></script>',
                                 "<link rel=stylesheet href='//fonts.example/x.css'>",
                                 '<img src = "http://example.org/a.png">'])
def test_offline_guard_catches_remote_tags(tag):
    with pytest.raises(RuntimeError, match="from the network"):
        _check_offline(f"<html><body>{tag}</body></html>")


def test_offline_guard_allows_urls_in_text():
    _check_offline('<p>see https://example.org</p><script>var u = "https://plot.ly";</script>')


# --- the request rules of a served dashboard ----------------------------------------------------

@pytest.mark.parametrize("default,query,served,expected", [
    ("ana", "", None, "ana"),
    ("ana", None, None, "ana"),
    ("ana", "athlete=ben", None, "ben"),
    ("ana", "x=1&athlete=carla", None, "carla"),
    ("ana", "", "gus", "gus"),
    ("ana", "athlete=gus", "gus", "gus"),
])
def test_requested_athlete(default, query, served, expected):
    assert requested_athlete(default, query, served) == expected


@pytest.mark.parametrize("query", ["athlete=ana", "athlete=ben&x=1", "athlete=gus&athlete=ana"])
def test_served_athlete_refuses_another(query):
    with pytest.raises(InputError, match="asks for another athlete"):
        requested_athlete("ana", query, "gus")


@pytest.mark.parametrize("bad", ["..%2Fx", "ana%2F..%2Fben", "ANA", ""])
def test_query_with_a_bad_id_is_refused(bad):
    with pytest.raises(InputError, match="expected an id of lower-case"):
        requested_athlete("ana", f"athlete={bad}", None)


def test_from_request_refuses_another_athlete(monkeypatch):
    monkeypatch.setenv(SERVED_ATHLETE_ENV, "gus")
    monkeypatch.setenv("QUERY_STRING", "athlete=ana")
    monkeypatch.setenv(DATA_DIR_ENV, str(DATA))
    monkeypatch.delenv("VOILA_PREHEAT", raising=False)
    dash = AthleteDashboard.from_request(None, "ana")
    assert dash.content is None and "another athlete" in dash.error
    page = dash.page()
    assert 'id="hl-refused"' in page
    for word in ("Gus", "Ana", "ferritin", "js-plotly-plot"):
        assert word not in page


def test_from_request_follows_the_query_when_not_locked(monkeypatch):
    monkeypatch.delenv(SERVED_ATHLETE_ENV, raising=False)
    monkeypatch.setenv("QUERY_STRING", "athlete=gus")
    monkeypatch.setenv(DATA_DIR_ENV, str(DATA))
    monkeypatch.delenv("VOILA_PREHEAT", raising=False)
    assert AthleteDashboard.from_request(None, "ana").content["athlete_id"] == "gus"
    monkeypatch.setenv("QUERY_STRING", "")
    assert AthleteDashboard.from_request(None, "ana").content["athlete_id"] == "ana"


def test_unknown_athlete_in_the_notebook_shows_a_message():
    dash = AthleteDashboard(DATA, "zoe")
    assert dash.content is None and "no profile" in dash.error
    assert [type(p) for p in dash.parts()] == [str]


def test_display_uses_plotly_mimetype(monkeypatch, gus):
    shown = []
    monkeypatch.setattr("heavylegs.views.dashboard.display", lambda obj, raw=False: shown.append((obj, raw)))
    AthleteDashboard(DATA, "gus")._ipython_display_()
    assert len(shown) == 4  # gus has no check-ins: no heaviness chart
    first, second, chart, last = shown
    assert 'id="hl-red-flags"' in first[0].data and "not a diagnosis" in last[0].data
    assert 'id="hl-patterns"' in second[0].data and chart[0]["text/plain"] == "weekly training chart"
    assert chart[1] is True and "application/vnd.plotly.v1+json" in chart[0]
    assert "text/html" not in chart[0]  # never the renderer that inlines plotly.js
    assert chart[0]["application/vnd.plotly.v1+json"]["data"][0]["y"] == pytest.approx(
        gus["weekly"]["distance_km"].tolist())


# --- serve: what can be checked without starting Voila -------------------------------------------

@pytest.mark.parametrize("bad", BAD_IDS)
def test_serve_refuses_bad_ids(bad):
    with pytest.raises(InputError, match="expected an id of lower-case"):
        serve_dashboard(DATA, bad, port=1)


def test_serve_refuses_unknown_athlete():
    with pytest.raises(InputError, match="no profile for athlete 'zoe'"):
        serve_dashboard(DATA, "zoe")


@pytest.mark.parametrize("port", [0, 70000, "8866", True])
def test_serve_refuses_bad_ports(port):
    with pytest.raises(InputError, match="expected a port from 1 to 65535"):
        serve_dashboard(DATA, "ana", port=port)


def test_serve_refuses_a_busy_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        with pytest.raises(InputError, match="already in use"):
            serve_dashboard(DATA, "ana", port=port)


def test_voila_command():
    cmd = voila_command(port=9123)
    for flag in ("--no-browser", "--port=9123", "--Voila.ip=127.0.0.1", "--Voila.port_retries=0",
                 "--preheat_kernel=False", "--show_tracebacks=False", "--strip_sources=True",
                 "--VoilaConfiguration.file_denylist=.*"):
        assert flag in cmd
    assert cmd[1:3] == ["-m", "heavylegs.serve._voila"]
    assert "--preheat_kernel=True" in voila_command(preheat=True)


def test_voila_command_starts_voila(tmp_path):
    """The command really is Voila's: it answers --version like `python -m voila` does."""
    import subprocess

    cmd = voila_command()
    version = subprocess.run(cmd[:3] + ["--version"], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    import voila

    assert version.returncode == 0 and voila.__version__ in version.stdout


# --- the notebook ----------------------------------------------------------------------------

def test_notebook_is_committed_clean_and_thin():
    nb = json.loads(notebook_path().read_text(encoding="utf-8"))
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    assert nb["metadata"]["jupytext"]["formats"] == "ipynb,py:percent"
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(c["outputs"] == [] and c["execution_count"] is None for c in code)
    params = [c for c in code if "parameters" in c["metadata"].get("tags", [])]
    assert len(params) == 1
    assert "".join(params[0]["source"]) == 'athlete_id = "ana"\ndata_dir = None'
    body = "".join(code[-1]["source"])
    assert "AthleteDashboard.from_request(data_dir, athlete_id)" in body
    assert notebook_path().stat().st_size < 4000
    twin = notebook_path().with_suffix(".py").read_text(encoding="utf-8")
    assert body in twin and 'athlete_id = "ana"' in twin


# --- the plan, check-ins, patterns, follow-up and the page for the doctor (issue 12) -------------

@pytest.fixture(scope="module")
def planned_dir(tmp_path_factory):
    """data/ with ana in miles and two saved assessments, the newest with a plan from 2026-11-17."""
    return planned_data(tmp_path_factory.mktemp("planned") / "data")


@pytest.fixture(scope="module")
def planned(planned_dir):
    return dashboard_content(planned_dir, "ana", today=TODAY)


@pytest.fixture(scope="module")
def dev():
    return dashboard_content(DATA, "dev")


def test_no_saved_plan_no_plan(gus):
    """gus has no saved assessment: the dashboard never makes a plan of its own."""
    for content in (gus, dashboard_content(DATA, "ben")):
        assert content["plan"] is None and content["follow_up"] is None
        assert 'id="hl-plan"' not in "".join(dashboard_sections(content))


def test_plan_is_the_one_saved_with_the_newest_assessment(planned, planned_dir):
    from heavylegs.store.assessments import load_latest_plan

    saved = load_latest_plan(planned_dir, "ana")
    assert planned["plan"]["start"] == saved["start"] == "2026-11-17"
    assert [d["training"] for d in planned["plan"]["days"]] == [d["training"] for d in saved["days"]]
    assert len(planned["plan"]["days"]) == 14


def test_plan_in_plain_words_after_the_causes(planned):
    before, _ = dashboard_sections(planned)
    assert before.index('id="hl-causes"') < before.index('id="hl-plan"') < before.index('id="hl-follow-up"')
    assert "Your next two weeks" in before
    assert "Tuesday <span class=\"hl-date\">17 Nov 2026</span>" in before
    assert "Monday <span class=\"hl-date\">30 Nov 2026</span>" in before
    long_runs = [d for d in planned["plan"]["days"] if d["training"]["kind"] == "long"]
    assert long_runs
    miles = long_runs[0]["training"]["max_km"] / KM_PER_MILE
    assert f"≤ {miles:.1f} mi" in before  # ana reads miles: 20.4 km is 12.7 mi


def test_follow_up_once_the_plan_has_started(planned, planned_dir):
    assert planned["follow_up"]["text"] == "heaviness 6.1 → 4.3 since the plan began (−1.8; 13 and 12 check-ins)"
    before, _ = dashboard_sections(planned)
    assert "Since the plan began on 17 Nov 2026, the legs feel lighter." in before
    # the day before the plan begins there is nothing to follow up yet
    early = dashboard_content(planned_dir, "ana", today="2026-11-16")
    assert early["plan"] is not None and early["follow_up"] is None
    assert 'id="hl-follow-up"' not in "".join(dashboard_sections(early))


def test_heaviness_chart_with_the_daily_load_beneath(planned):
    blocks = dashboard_blocks(planned)
    assert [b for b in blocks if b in CHARTS] == ["heaviness", "weekly"]
    fig = heaviness_chart(planned)
    checkins = planned["checkins"]
    assert len(checkins) == 96
    # the last 16 weeks: 2026-08-10 to 2026-11-29 holds every one of ana's check-ins
    assert len(fig.data[0].x) == 96 and fig.data[0].y[-1] == float(checkins["heaviness"].iloc[-1])
    assert fig.data[2].type == "bar" and fig.data[2].yaxis == "y2" and len(fig.data[2].y) > 0
    assert [s.x0 for s in fig.layout.shapes] == ["2026-11-17", "2026-11-17"]  # the plan's first day
    assert fig.layout.height == 400 and fig.layout.width is None


def test_no_check_ins_no_heaviness_chart(gus):
    assert gus["checkins"] is None and gus["patterns"] is None
    assert "heaviness" not in dashboard_blocks(gus)
    before, _ = dashboard_sections(gus)
    assert "No check-ins yet" in before


def test_patterns_in_plain_words(dev):
    reported = [p for p in dev["patterns"] if p["reported"]]
    assert [p["id"] for p in reported] == ["after_strength", "high_acute_load"]
    before, _ = dashboard_sections(dev)
    assert before.index('id="hl-causes"') < before.index('id="hl-patterns"') < before.index('id="hl-training"')
    for pattern in reported:
        assert pattern["because"].replace("'", "&#x27;") in before
    assert "p =" not in before and "q =" not in before  # no statistics for the athlete
    # the pipeline fed the pattern to the ranking, as the workbook and score --checkins do
    top = dev["causes"][0]
    assert top["id"] == "strength_overload"
    assert any(b == reported[0]["because"] for b in top["because"])


def test_doctor_page_after_the_red_flags(gus):
    assert gus["doctor"] is not None and "For the doctor: heavy legs when running" in gus["doctor"]
    before, after = dashboard_sections(gus)
    assert before.index('id="hl-red-flags"') < before.index('id="hl-for-doctor"') < before.index('id="hl-causes"')
    assert 'id="hl-for-doctor"' not in after
    assert "For your doctor" in before and "Print the page for your doctor" in before
    assert "<html" not in before.split('id="hl-doctor-page"')[1]  # the page's body only, no second document
    doctor_part = before.split('id="hl-for-doctor"')[1]
    assert "Warning signs" in doctor_part
    assert all(f["title"].replace("'", "&#x27;") in doctor_part for f in gus["red_flags"])


def test_doctor_page_when_a_cause_says_see_a_doctor(ana):
    """ana: no red flag, but low iron (likely) sends her to a doctor."""
    assert ana["red_flags"] == [] and ana["doctor"] is not None
    before, after = dashboard_sections(ana)
    assert 'id="hl-for-doctor"' not in before
    assert after.index('id="hl-for-doctor"') < after.index('id="hl-disclaimer"')
    assert "ferritin 14.0 µg/L" in after


def test_no_doctor_page_when_nothing_calls_for_one():
    ben = dashboard_content(DATA, "ben")
    assert ben["red_flags"] == [] and ben["doctor"] is None
    assert 'id="hl-for-doctor"' not in "".join(dashboard_sections(ben))


def test_doctor_page_says_what_the_coach_changed(planned):
    # the assessment before had sleep 6.5 h; the newest one 7.5 h; the plan's week 1 is named
    assert "Sleep [h]: 6.5 → 7.5" in planned["doctor"]
    assert "Two-week plan from 17 Nov 2026" in planned["doctor"]
    assert f"Printed {'30 Nov 2026'}" in planned["doctor"]
    assert "Distance [mi]" in planned["doctor"]


# --- units: what the athlete reads is in her unit; the files keep km ------------------------------

def test_weekly_chart_in_miles(planned):
    fig = dashboard_figure(planned)
    assert list(fig.data[0].y) == pytest.approx((planned["weekly"]["distance_km"] / KM_PER_MILE).tolist())
    assert fig.layout.title.text == "Weekly distance [mi] and load ratio" and fig.layout.yaxis.title.text == "mi"
    assert "Bars are your miles each week." in dashboard_sections(planned)[0]
    assert "distance_km" in planned["weekly"].columns  # the table keeps km


def test_evidence_in_miles(tmp_path):
    """femi's shoes have 1100 km on them: a runner who reads miles sees 683.5 mi."""
    data = tmp_path / "data"
    import shutil

    shutil.copytree(DATA, data)
    path = data / "athletes" / "femi.json"
    profile = json.loads(path.read_text(encoding="utf-8"))
    km = dashboard_content(data, "femi")
    path.write_text(json.dumps(dict(profile, distance_unit="mi")), encoding="utf-8")
    mi = dashboard_content(data, "femi")
    shoes_km = next(c for c in km["causes"] if c["id"] == "unsuitable_shoes")
    shoes_mi = next(c for c in mi["causes"] if c["id"] == "unsuitable_shoes")
    assert "1100.0 km on the current pair, beyond the 800 km at which most midsoles are worn out" in shoes_km["because"]
    assert "683.5 mi on the current pair, beyond the 497 mi at which most midsoles are worn out" in shoes_mi["because"]
    assert not any(re.search(r"\d km\b", b) for b in shoes_mi["because"])
    assert json.loads(path.read_text(encoding="utf-8"))["distance_unit"] == "mi"  # nothing written back
    log = Path("athletes") / "femi" / "log.csv"
    assert (data / log).read_bytes() == (DATA / log).read_bytes()


def test_exported_page_holds_plan_check_ins_follow_up_and_doctor(planned_dir, tmp_path):
    path = export_dashboard(planned_dir, "ana", tmp_path)
    page = path.read_text(encoding="utf-8")
    assert page.count("* plotly.js v") == 1  # inlined once for two charts
    assert 'id="hl-heaviness-chart"' in page and 'id="hl-weekly-chart"' in page
    assert page.index("* plotly.js v") < page.index('id="hl-heaviness-chart"') < page.index('id="hl-weekly-chart"')
    for part in ('id="hl-plan"', 'id="hl-follow-up"', 'id="hl-patterns"', 'id="hl-for-doctor"'):
        assert part in page
    assert path.stat().st_size < MAX_BYTES


def test_the_page_says_what_the_training_load_is_made_of(root):
    from heavylegs.views.dashboard import dashboard_content, dashboard_page

    content = dashboard_content(root / "data", "ben")
    assert content["load"].startswith("Training load here is worked out from how hard each session felt")
    assert "sessions it had to be estimated" in content["load"]        # ben has sessions without an RPE
    assert content["load"].split(". ")[0] in dashboard_page(content)


def test_the_sample_athlete_ana_shows_her_saved_plan_and_its_follow_up(ana):
    """ana's sample assessment holds her plan (scripts/make_sample_plans.py); her heaviness falls after it."""
    assert ana["plan"]["start"] == "2026-11-17"
    assert ana["follow_up"] is not None
    assert 'id="hl-plan"' in "".join(dashboard_sections(ana))
