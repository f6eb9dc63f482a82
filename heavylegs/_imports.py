"""Import-time economies for processes that import heavylegs (the workbook kernel above all).

jsonschema, when it is imported, tries to import the optional modules that
check string formats: ``rfc3987_syntax`` for "iri" strings, which builds a
Lark grammar on import (0.9 s on 2 cores, 2.6 s on a loaded machine), and
the checkers of URIs, dates, durations, colours, host names, JSON pointers
and URI templates (0.1-0.13 s more, with arrow, which one of them imports).
The workbook's first figure pays for them: plotly's ``FigureWidget`` imports
``plotly.io._renderers``, which imports nbformat, whose validator imports
jsonschema. Nothing in heavylegs, plotly, nbformat or Voila's pages checks
those formats (jsonschema checks formats only when asked), so
:class:`SkipFormatCheckers` makes those optional imports fail *inside
jsonschema's format module only*: jsonschema then leaves the formats
unchecked, as it does when the modules are not installed, and importing any
of them anywhere else still works.
"""
from __future__ import annotations

import sys

__all__ = ["SkipFormatCheckers", "install"]


class SkipFormatCheckers:
    """A meta-path finder that hides jsonschema's optional format checkers from ``jsonschema._format``."""

    skipped = frozenset({"rfc3987_syntax", "rfc3987", "rfc3986_validator", "rfc3339_validator", "isoduration",
                         "webcolors", "fqdn", "uri_template", "jsonpointer", "idna"})
    importer = "jsonschema._format"

    def find_spec(self, name, path=None, target=None):
        if name not in self.skipped:
            return None
        frame = sys._getframe(1)
        while frame is not None:
            if frame.f_globals.get("__name__") == self.importer:
                raise ModuleNotFoundError(f"{name} is skipped for {self.importer} by heavylegs", name=name)
            frame = frame.f_back
        return None

    def __repr__(self) -> str:
        return "heavylegs._imports.SkipFormatCheckers()"


def install() -> None:
    """Put :class:`SkipFormatCheckers` first on ``sys.meta_path`` (once; too late once jsonschema is in)."""
    if "jsonschema._format" in sys.modules or any(isinstance(f, SkipFormatCheckers) for f in sys.meta_path):
        return
    sys.meta_path.insert(0, SkipFormatCheckers())
