"""Import-time economies for processes that import heavylegs (the workbook kernel above all).

jsonschema, when it is imported, tries ``import rfc3987_syntax`` to add an
"iri" format checker, and that module builds a Lark grammar on import: 0.9 s
on 2 cores (2.6 s on a loaded machine). The workbook's first figure pays it:
plotly's ``FigureWidget`` imports ``plotly.io._renderers``, which imports
nbformat, whose validator imports jsonschema. Nothing in heavylegs, plotly
or nbformat checks IRI strings (jsonschema checks formats only when asked),
so :class:`SkipIriChecker` makes that one optional import fail *inside
jsonschema's format module only*; ``import rfc3987_syntax`` anywhere else
still works.
"""
from __future__ import annotations

import sys

__all__ = ["SkipIriChecker", "install"]


class SkipIriChecker:
    """A meta-path finder that hides ``rfc3987_syntax`` from ``jsonschema._format``."""

    skipped = "rfc3987_syntax"
    importer = "jsonschema._format"

    def find_spec(self, name, path=None, target=None):
        if name != self.skipped:
            return None
        frame = sys._getframe(1)
        while frame is not None:
            if frame.f_globals.get("__name__") == self.importer:
                raise ModuleNotFoundError(f"{name} is skipped for {self.importer} by heavylegs",
                                          name=name)
            frame = frame.f_back
        return None

    def __repr__(self) -> str:
        return "heavylegs._imports.SkipIriChecker()"


def install() -> None:
    """Put :class:`SkipIriChecker` first on ``sys.meta_path`` (once)."""
    if "jsonschema._format" in sys.modules or any(isinstance(f, SkipIriChecker) for f in sys.meta_path):
        return
    sys.meta_path.insert(0, SkipIriChecker())
