"""Rewrite ``heavylegs/knowledge/catalogue.json``, the parsed copy of the catalogue's YAML files.

Run it after editing any file under ``heavylegs/knowledge/causes/`` or ``red_flags.yaml``;
``tests/test_causes.py`` fails until the copy matches the YAML again. Until then the stale
entries are simply not used: each file is parsed from its YAML.

    python scripts/make_catalogue_cache.py
"""
from heavylegs.knowledge.causes import CATALOGUE_CACHE, catalogue_cache_text
from heavylegs.files import atomic_write_text

if __name__ == "__main__":
    atomic_write_text(CATALOGUE_CACHE, catalogue_cache_text())
    print(f"wrote {CATALOGUE_CACHE}")
