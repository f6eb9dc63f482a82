"""The public API is pinned: what heavylegs re-exports, and that scoring stays light."""
import importlib
import subprocess
import sys

import heavylegs

EXPECTED = {
    "FIELDS": "vocabulary", "InputError": "errors", "Problem": "errors",
    "load_causes": "knowledge.causes", "load_red_flags": "knowledge.causes",
    "read_profile": "store.profiles", "validate_profile": "store.profiles", "write_profile": "store.profiles",
    "read_roster": "store.profiles", "write_roster": "store.profiles",
    "score_profile": "analysis.scoring", "score_roster": "analysis.scoring",
    "read_log": "logs.traininglog", "validate_log": "logs.traininglog", "write_log": "logs.traininglog",
    "drop_duplicate_sessions": "logs.traininglog", "merge_logs": "logs.traininglog",
    "session_load": "engine.load", "daily_load": "engine.load", "fitness_fatigue": "engine.load", "weekly_table": "engine.load",
    "weekly_records": "engine.load", "weekly_display": "engine.load", "log_facts": "engine.load",
    "import_sources": "logs.formats", "summary_lines": "logs.formats", "ImportResult": "logs.formats",
    "ranking_figure": "views.figures", "weekly_load_figure": "views.figures",
    "save_assessment": "store.assessments", "list_assessments": "store.assessments",
    "load_latest_profile": "store.assessments", "top_cause_history": "store.assessments",
    "assess": "analysis.pipeline", "analyse_log": "analysis.pipeline", "Assessment": "analysis.pipeline",
    "WorkbookModel": "app.workbook",
    "CoachWorkbook": "app.widgets", "AthleteDashboard": "views.dashboard",
    "export_dashboard": "views.dashboard", "serve_dashboard": "serve.server",
    "session_loads": "engine.device_load", "load_summary": "engine.device_load", "resolve_thresholds": "engine.device_load",
    "squad_rows": "analysis.squad", "filter_rows": "analysis.squad", "SquadView": "app.squad_view", "import_roster": "analysis.roster",
    "load_athlete": "store.athlete", "AthleteRecord": "store.athlete", "assess_athlete": "analysis.pipeline",
    "read_wellness": "logs.wellness", "write_wellness": "store.wellness_files",
    "import_wellness": "logs.formats.wellness_import", "wellness_facts": "engine.wellness",
    "wellness_figure": "views.figures",
}


def test_all_is_pinned():
    assert sorted(heavylegs.__all__) == sorted(EXPECTED)


def test_reexports_are_the_module_objects():
    for name, module in EXPECTED.items():
        mod = importlib.import_module(f"heavylegs.{module}")
        assert getattr(heavylegs, name) is getattr(mod, name), name


def test_unknown_attribute_raises():
    try:
        heavylegs.no_such_thing
    except AttributeError as exc:
        assert "no_such_thing" in str(exc)
    else:
        raise AssertionError("expected AttributeError")


def test_scoring_path_does_not_import_heavy_libraries():
    # PyYAML too: the packaged catalogue is read from its parsed copy, knowledge/catalogue.json.
    code = ("import sys, heavylegs, heavylegs.cli; "
            "from heavylegs import score_profile; score_profile({'athlete_id': 'a'}); "
            "heavy = [m for m in ('pandas', 'numpy', 'plotly', 'ipywidgets', 'IPython', 'yaml') "
            "if m in sys.modules]; "
            "print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == ""
