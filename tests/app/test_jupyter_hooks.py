"""Saving a notebook from JupyterLab keeps the file free of outputs."""
import json
from pathlib import Path

import nbformat

from heavylegs.app.jupyter_hooks import strip_outputs

ROOT = Path(__file__).resolve().parents[2]


def _executed_notebook():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Ana"),
                nbformat.v4.new_code_cell("1 + 1", execution_count=3,
                                          outputs=[nbformat.v4.new_output("execute_result", {"text/plain": "2"},
                                                                          execution_count=3)])]
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {"x": 1}}}
    return json.loads(nbformat.writes(nb))


def test_a_saved_notebook_keeps_cells_and_drops_outputs():
    model = {"type": "notebook", "content": _executed_notebook()}
    strip_outputs(model=model, path="coach_workbook.ipynb", contents_manager=None)
    cells = model["content"]["cells"]
    assert ["".join(c["source"]) for c in cells] == ["# Ana", "1 + 1"]
    assert cells[1]["outputs"] == [] and cells[1]["execution_count"] is None
    assert "widgets" not in model["content"]["metadata"]
    nbformat.validate(nbformat.from_dict(model["content"]))


def test_other_files_are_left_alone():
    model = {"type": "file", "content": "a,b\n1,2\n", "format": "text"}
    strip_outputs(model=model, path="log.csv", contents_manager=None)
    assert model == {"type": "file", "content": "a,b\n1,2\n", "format": "text"}


def test_make_run_installs_the_hook():
    """make run starts the app and JupyterLab (heavylegs.serve.workbook_app); JupyterLab saves without outputs."""
    from heavylegs.serve.workbook_app import lab_command

    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "-m heavylegs.serve.workbook_app" in makefile
    assert "--ContentsManager.pre_save_hook=heavylegs.app.jupyter_hooks.strip_outputs" in lab_command(ROOT, 1, "t")


def test_make_run_opens_the_workbook_with_the_side_bar_closed():
    """The first session's layout: the workbook open, the side bar closed, so answers and ranking fit side by side."""
    workspace = json.loads((ROOT / "scripts" / "jupyterlab-workspace.json").read_text(encoding="utf-8"))
    layout = workspace["data"]["layout-restorer:data"]
    assert layout["left"]["collapsed"] is True
    assert layout["main"]["current"] == "notebook:coach_workbook.ipynb"
    assert (ROOT / "notebooks" / "coach_workbook.ipynb").is_file()
    assert "scripts/jupyterlab-workspace.json" in (ROOT / "Makefile").read_text(encoding="utf-8")
