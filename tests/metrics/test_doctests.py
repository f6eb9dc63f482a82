"""The examples in the metrics' docstrings run and give what they show."""
import doctest
import importlib
import pkgutil

import pytest

import heavylegs.metrics

MODULES = [info.name for info in pkgutil.iter_modules(heavylegs.metrics.__path__, "heavylegs.metrics.")]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


def test_metrics_import_numpy_only():
    import subprocess
    import sys

    code = ("import sys, heavylegs.metrics, pkgutil, importlib\n"
            "for m in pkgutil.iter_modules(heavylegs.metrics.__path__, 'heavylegs.metrics.'):\n"
            "    importlib.import_module(m.name)\n"
            "print(','.join(m for m in ('pandas', 'yaml', 'plotly') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == ""
