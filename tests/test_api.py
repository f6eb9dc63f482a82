"""The public API is pinned: what heavylegs re-exports, and that scoring stays light."""
import importlib
import subprocess
import sys

import heavylegs

EXPECTED = {
    "FIELDS": "fields", "InputError": "errors", "Problem": "errors",
    "load_causes": "causes", "load_red_flags": "causes",
    "read_profile": "profile", "validate_profile": "profile", "write_profile": "profile",
    "read_roster": "profile", "write_roster": "profile",
    "score_profile": "scoring", "score_roster": "scoring",
    "read_log": "traininglog", "validate_log": "traininglog", "write_log": "traininglog",
    "drop_duplicate_sessions": "traininglog", "merge_logs": "traininglog",
    "session_load": "load", "daily_load": "load", "fitness_fatigue": "load", "weekly_table": "load",
    "weekly_records": "load", "weekly_display": "load", "log_facts": "load",
    "import_sources": "importers", "summary_lines": "importers", "ImportResult": "importers",
    "ranking_figure": "figures", "weekly_load_figure": "figures",
    "save_assessment": "assessments", "list_assessments": "assessments",
    "load_latest_profile": "assessments", "top_cause_history": "assessments",
    "assess": "pipeline", "analyse_log": "pipeline", "Assessment": "pipeline",
    "WorkbookModel": "workbook",
    "CoachWorkbook": "widgets", "AthleteDashboard": "dashboard",
    "export_dashboard": "dashboard", "serve_dashboard": "dashboard",
    "session_loads": "deviceload", "load_summary": "deviceload", "resolve_thresholds": "deviceload",
    "squad_rows": "squad", "filter_rows": "squad", "SquadView": "squadview", "import_roster": "roster",
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
