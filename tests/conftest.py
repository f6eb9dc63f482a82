"""Shared fixtures; Jupyter and IPython write their files into a temporary folder, never $HOME."""
import os
import shutil
import tempfile
from pathlib import Path

import heavylegs.logs.traininglog  # noqa: F401  (sets the text storage the package uses)
import pytest

ROOT = Path(__file__).resolve().parent.parent
_JUPYTER_TMP = Path(tempfile.mkdtemp(prefix="heavylegs-jupyter-"))
for _var, _sub in (("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_DATA_DIR", "data"),
                   ("JUPYTER_RUNTIME_DIR", "runtime"), ("IPYTHONDIR", "ipython")):
    os.environ.setdefault(_var, str(_JUPYTER_TMP / _sub))
# The importers' cache goes to a temporary folder too, never ~/.cache.
os.environ.setdefault("HEAVYLEGS_CACHE_DIR", str(_JUPYTER_TMP / "cache"))
# Text storage: heavylegs.logs.traininglog keeps pandas text in Python strings whatever is installed.


@pytest.fixture
def data_copy(tmp_path):
    """A private copy of the repository's data/ folder; tests never write into the real one."""
    target = tmp_path / "data"
    shutil.copytree(ROOT / "data", target)
    return target


@pytest.fixture
def root():
    return ROOT


@pytest.fixture(scope="module")
def browser():
    """Debian's headless Chromium, driven by Playwright, for the tests of one module."""
    from playwright.sync_api import sync_playwright

    from jupyterlab_driver import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
