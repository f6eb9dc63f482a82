"""Regenerate the documents built from the package's data: docs/nomenclature.md and docs/causes.md."""
from pathlib import Path

from heavylegs.knowledge.causes import catalogue_markdown
from heavylegs.vocabulary import nomenclature_markdown
from heavylegs.files import atomic_write_text

DOCS = Path(__file__).resolve().parent.parent / "docs"

if __name__ == "__main__":
    atomic_write_text(DOCS / "nomenclature.md", nomenclature_markdown())
    atomic_write_text(DOCS / "causes.md", catalogue_markdown())
    print(f"wrote {DOCS / 'nomenclature.md'} and {DOCS / 'causes.md'}")
