"""heavylegs._imports: jsonschema's optional IRI checker is skipped, nothing else."""
import subprocess
import sys

from heavylegs._imports import SkipIriChecker


def _run(code):
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()


def test_the_workbooks_first_figure_does_not_load_rfc3987_syntax():
    out = _run("import sys, heavylegs, plotly.graph_objects as go; go.FigureWidget(); "
               "import jsonschema; print('nbformat' in sys.modules, 'rfc3987_syntax' in sys.modules, "
               "'iri' in jsonschema.FormatChecker().checkers, 'email' in jsonschema.FormatChecker().checkers)")
    assert out == ["True", "False", "False", "True"]


def test_an_explicit_import_still_works():
    out = _run("import heavylegs, jsonschema, rfc3987_syntax; print(rfc3987_syntax.__name__)")
    assert out == ["rfc3987_syntax"]


def test_without_heavylegs_jsonschema_keeps_its_iri_checker():
    out = _run("import jsonschema; print('iri' in jsonschema.FormatChecker().checkers)")
    assert out == ["True"]


def test_the_finder_ignores_other_names():
    finder = SkipIriChecker()
    assert finder.find_spec("json") is None
    assert finder.find_spec("rfc3987_syntax") is None  # not asked by jsonschema._format
    assert repr(finder) == "heavylegs._imports.SkipIriChecker()"


def test_install_is_idempotent():
    import heavylegs._imports as imports

    before = sum(isinstance(f, SkipIriChecker) for f in sys.meta_path)
    imports.install()
    assert sum(isinstance(f, SkipIriChecker) for f in sys.meta_path) == before <= 1
