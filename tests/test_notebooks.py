"""Every notebook in notebooks/: committed clean, small, one kernel, paired with its py:percent twin.

Running them is nbval's job (``pytest --nbval-lax --nbval-current-env notebooks/``);
these checks keep what is committed reviewable.
"""
import json
import re
from pathlib import Path

import jupytext
import pytest

NOTEBOOK_DIR = Path(__file__).resolve().parent.parent / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
MAX_BYTES = 20_000
KERNEL = "python3"


def _ids(path):
    return path.name


def test_there_are_notebooks():
    assert any(p.name == "coach_workbook.ipynb" for p in NOTEBOOKS)


@pytest.fixture(params=NOTEBOOKS, ids=_ids)
def notebook(request):
    path = request.param
    return path, json.loads(path.read_text(encoding="utf-8"))


def test_committed_without_outputs(notebook):
    path, nb = notebook
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [], f"{path.name} cell {i} has outputs; clear them before committing"
            assert cell.get("execution_count") is None, f"{path.name} cell {i} has an execution count"
    assert "widgets" not in nb["metadata"], f"{path.name} stores widget state"


def test_small(notebook):
    path, _ = notebook
    assert path.stat().st_size < MAX_BYTES, f"{path.name} is {path.stat().st_size} bytes"


def test_same_kernel(notebook):
    path, nb = notebook
    assert nb["metadata"]["kernelspec"]["name"] == KERNEL, path.name


def test_paired_with_a_py_percent_twin(notebook):
    path, nb = notebook
    formats = nb["metadata"].get("jupytext", {}).get("formats", "")
    assert "py:percent" in formats.split(","), f"{path.name} is not paired (jupytext formats {formats!r})"
    twin = path.with_suffix(".py")
    assert twin.exists(), f"{twin.name} is missing; run jupytext --sync {path.name}"
    header = twin.read_text(encoding="utf-8").split("# ---", 2)[1]
    assert "formats: ipynb,py:percent" in header and f"name: {KERNEL}" in header


def _cells(nb):
    return [(c.cell_type, c.source.strip(), tuple(c.metadata.get("tags", ()))) for c in nb.cells]


def test_twin_in_sync(notebook):
    path, _ = notebook
    ipynb = jupytext.read(path)
    py = jupytext.read(path.with_suffix(".py"))
    assert _cells(py) == _cells(ipynb), f"{path.name} and its .py twin differ; run jupytext --sync {path.name}"


_HTML = re.compile(r"<\s*(div|span|b|table|td|tr|style|br|h\d)\b", re.I)


def test_code_cells_only_wire(notebook):
    """House rule 1: no HTML, no pandas transforms, short cells."""
    path, nb = notebook
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        assert not _HTML.search(source), f"{path.name} cell {i} builds HTML"
        assert "import pandas" not in source and ".groupby(" not in source, f"{path.name} cell {i} transforms data"
        assert len(source.splitlines()) <= 15, f"{path.name} cell {i} is long; move the logic into heavylegs/"


def test_checks_catch_a_dirty_notebook(tmp_path):
    """The checks above can fail: an executed, unpaired notebook breaks them."""
    nb = jupytext.reads("# %%\n1 + 1\n", fmt="py:percent")
    import nbformat

    nb.cells[0].outputs = [nbformat.v4.new_output("execute_result", data={"text/plain": "2"}, execution_count=1)]
    nb.cells[0].execution_count = 1
    nb.metadata["kernelspec"] = {"name": "python3-other", "display_name": "x", "language": "python"}
    path = tmp_path / "dirty.ipynb"
    jupytext.write(nb, path)
    raw = json.loads(path.read_text())
    with pytest.raises(AssertionError):
        test_committed_without_outputs((path, raw))
    with pytest.raises(AssertionError):
        test_same_kernel((path, raw))
    with pytest.raises(AssertionError):
        test_paired_with_a_py_percent_twin((path, raw))
