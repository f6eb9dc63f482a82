"""heavylegs: why do this runner's legs feel heavy?

A coaching aid, not a diagnosis. The public API:

* the vocabulary and the catalogue: :data:`FIELDS`, :func:`load_causes`,
  :func:`load_red_flags`;
* profiles: :func:`read_profile`, :func:`validate_profile`,
  :func:`write_profile`, :func:`read_roster`, :func:`write_roster`;
* scoring: :func:`score_profile`, :func:`score_roster`;
* training logs and load (imported on first use, as they need pandas):
  :func:`read_log`, :func:`validate_log`, :func:`write_log`,
  :func:`drop_duplicate_sessions`, :func:`merge_logs`, :func:`session_load`,
  :func:`daily_load`, :func:`fitness_fatigue`, :func:`weekly_table`,
  :func:`weekly_records`, :func:`weekly_display`, :func:`log_facts`;
* heart-rate and pace load: :func:`session_loads`, :func:`load_summary`,
  :func:`resolve_thresholds`;
* importing activity files: :func:`import_sources` (returns an
  :class:`ImportResult`), :func:`summary_lines`;
* figures: :func:`ranking_figure`, :func:`weekly_load_figure`;
* one assessment pipeline for every page: :func:`load_athlete` (returns an
  :class:`AthleteRecord`) and :func:`assess_athlete`; :func:`assess` (returns an
  :class:`Assessment`), :func:`analyse_log`;
* assessments: :func:`save_assessment`, :func:`list_assessments`,
  :func:`load_latest_profile`, :func:`top_cause_history`;
* wellness from watches and rings: :func:`import_wellness`,
  :func:`read_wellness`, :func:`write_wellness`, :func:`wellness_facts`,
  :func:`wellness_figure`;
* the apps: :class:`WorkbookModel` (the workbook without widgets), :class:`CoachWorkbook`, :class:`AthleteDashboard`,
  :func:`export_dashboard`, :func:`serve_dashboard`.
"""
from __future__ import annotations

import importlib

from heavylegs import _imports
from heavylegs.errors import InputError, Problem

__version__ = "0.1.0"

# jsonschema's optional format checkers cost the workbook's first figure 1 s to import; see _imports.
_imports.install()

# Names served from modules that import pandas, loaded on first access so that
# scoring a profile from the command line stays quick.
_LAZY = {
    # The catalogue, profiles and scoring, loaded on first access too: `heavylegs serve` and the
    # Voila process it starts need none of them, and each of those processes starts faster without
    # (PyYAML and the catalogue code, about 0.1 s on 2 cores; see docs/performance.md, issue 9).
    "load_causes": "knowledge.causes",
    "load_red_flags": "knowledge.causes",
    "FIELDS": "vocabulary",
    "read_profile": "store.profiles",
    "read_roster": "store.profiles",
    "validate_profile": "store.profiles",
    "write_profile": "store.profiles",
    "write_roster": "store.profiles",
    "score_profile": "analysis.scoring",
    "score_roster": "analysis.scoring",
    "read_log": "logs.traininglog",
    "validate_log": "logs.traininglog",
    "write_log": "logs.traininglog",
    "drop_duplicate_sessions": "logs.traininglog",
    "merge_logs": "logs.traininglog",
    "session_load": "engine.load",
    "daily_load": "engine.load",
    "fitness_fatigue": "engine.load",
    "weekly_table": "engine.load",
    "weekly_records": "engine.load",
    "weekly_display": "engine.load",
    "log_facts": "engine.load",
    "import_sources": "logs.formats",
    "summary_lines": "logs.formats",
    "ImportResult": "logs.formats",
    "ranking_figure": "views.figures",
    "weekly_load_figure": "views.figures",
    "save_assessment": "store.assessments",
    "list_assessments": "store.assessments",
    "load_latest_profile": "store.assessments",
    "top_cause_history": "store.assessments",
    "assess": "analysis.pipeline",
    "analyse_log": "analysis.pipeline",
    "Assessment": "analysis.pipeline",
    "WorkbookModel": "app.workbook",
    "CoachWorkbook": "app.widgets",
    "AthleteDashboard": "views.dashboard",
    "export_dashboard": "views.dashboard",
    "serve_dashboard": "serve.server",
    # Training load from heart rate and pace (spec/device-load.md).
    "session_loads": "engine.device_load",
    "load_summary": "engine.device_load",
    "resolve_thresholds": "engine.device_load",
    # The squad (issue 13): every athlete at a glance, and roster import.
    "squad_rows": "analysis.squad",
    "filter_rows": "analysis.squad",
    "SquadView": "app.squad_view",
    "import_roster": "analysis.roster",
    # One athlete read once, assessed once, for every page (issue 19).
    "load_athlete": "store.athlete",
    "AthleteRecord": "store.athlete",
    "assess_athlete": "analysis.pipeline",
    # Wellness from wearables (issue 21, spec/wellness.md).
    "read_wellness": "logs.wellness",
    "write_wellness": "store.wellness_files",
    "import_wellness": "logs.formats.wellness_import",
    "wellness_facts": "engine.wellness",
    "wellness_figure": "views.figures",
}

__all__ = [
    "InputError",
    "Problem",
    *_LAZY,
]


def __getattr__(name):
    if name in _LAZY:
        module = importlib.import_module(f".{_LAZY[name]}", __name__)
        value = getattr(module, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'heavylegs' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
