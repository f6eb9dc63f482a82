"""heavylegs._imports: jsonschema's optional format checkers are skipped for jsonschema, nothing else."""
import subprocess
import sys

from heavylegs._imports import SkipFormatCheckers


def _run(code):
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()


def test_the_workbooks_first_figure_does_not_load_the_format_checkers():
    out = _run("import sys, heavylegs, plotly.graph_objects as go; go.FigureWidget(); "
               "import jsonschema; print('nbformat' in sys.modules, "
               "any(m in sys.modules for m in ('rfc3987_syntax', 'rfc3986_validator', 'isoduration', 'arrow')), "
               "'iri' in jsonschema.FormatChecker().checkers, 'duration' in jsonschema.FormatChecker().checkers, "
               "'email' in jsonschema.FormatChecker().checkers)")
    assert out == ["True", "False", "False", "False", "True"]


def test_an_explicit_import_still_works():
    out = _run("import heavylegs, jsonschema, rfc3987_syntax; print(rfc3987_syntax.__name__)")
    assert out == ["rfc3987_syntax"]


def test_without_heavylegs_jsonschema_keeps_its_iri_checker():
    out = _run("import jsonschema; print('iri' in jsonschema.FormatChecker().checkers)")
    assert out == ["True"]


def test_the_finder_ignores_other_names():
    finder = SkipFormatCheckers()
    assert finder.find_spec("json") is None
    assert finder.find_spec("rfc3987_syntax") is None  # not asked by jsonschema._format
    assert finder.find_spec("isoduration") is None
    assert repr(finder) == "heavylegs._imports.SkipFormatCheckers()"


def test_install_is_idempotent():
    import heavylegs._imports as imports

    before = sum(isinstance(f, SkipFormatCheckers) for f in sys.meta_path)
    imports.install()
    assert sum(isinstance(f, SkipFormatCheckers) for f in sys.meta_path) == before <= 1
