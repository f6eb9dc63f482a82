"""The package's shape: layers whose imports point one way, private names kept private.

Read from the source with :mod:`ast` (nothing is imported), so a failure
names the module, the line and the rule:

* no import cycle between heavylegs modules;
* imports point down the layers of ``docs/architecture.md``:
  ``vocabulary``/``errors`` -> ``knowledge`` -> ``metrics`` -> ``logs`` ->
  ``engine`` -> ``store`` -> ``analysis`` -> ``views`` -> ``app`` -> ``serve``,
  with ``cli``, ``__init__`` and ``__main__`` on top;
* no use of another module's ``_private`` name (imported, or read as an
  attribute of an imported module), except from a subpackage's own
  ``_x.py`` helper module by the modules of that subpackage;
* imports at the top of modules: none inside a function or a class, except
  in ``heavylegs/cli.py`` and ``heavylegs/__init__.py`` (where start-up
  time is measured);
* at most 8 top-level modules beside the subpackages;
* every function that takes both takes ``(data_dir, athlete_id)`` in that order;
* the layers' ``__init__.py`` import nothing (importing
  ``heavylegs.store.profiles`` must not import the rest of ``store``).
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "heavylegs"

#: The layers, lowest first; a module may import only from its own layer or a lower one.
LAYERS = ("base", "knowledge", "metrics", "logs", "engine", "store", "analysis", "views", "app", "serve", "top")
_BASE = {"heavylegs.errors", "heavylegs.vocabulary", "heavylegs._imports", "heavylegs.files"}
_TOP = {"heavylegs", "heavylegs.cli", "heavylegs.__main__"}
#: Where an import inside a function is allowed: the command line and the package's ``__init__``, where
#: start-up time is measured (``heavylegs score`` <= 0.12 s, tests/test_api.py), and the Voila process's
#: entry point, which starts the first kernel before Voila is imported (the order of its imports is its job).
LAZY_IMPORTS_ALLOWED = {"heavylegs", "heavylegs.cli", "heavylegs.serve._voila"}
#: The other imports inside a function, each with its reason: ``(module, imported module)``.
LAZY_IMPORT_EXCEPTIONS = {
    ("heavylegs.serve._kernel", "ipykernel"):
        "ipykernel.kernelapp reads $JPY_PARENT_PID when imported: only once the kernel's environment is set",
    ("heavylegs.views.dashboard", "voila.utils"):
        "1.9 s to import, and only a preheated Voila kernel waits for its request",
    ("heavylegs.analysis.squad", "heavylegs.analysis.squad_row"):
        "rows reused from the cache need neither pandas nor the assessment pipeline (0.5 s of a warm squad's start)",
    ("heavylegs.app.squad_view", "heavylegs.app.widgets"):
        "the served, read-only squad never opens a workbook; its widgets and plotly cost that page 0.5 s",
    ("heavylegs.knowledge.causes", "yaml"):
        "the catalogue is read from its parsed copy when it is fresh: `heavylegs score` imports no YAML parser",
    ("heavylegs.analysis.scoring", "numpy"):
        "score_roster's arrays only: `heavylegs score` (one profile, 0.12 s) imports neither NumPy nor pandas "
        "(tests/test_api.py); both paths share one definition of each computed fact (_COMPUTED_FORMULAS)",
    ("heavylegs.analysis.scoring", "pandas"): "as numpy, for score_roster's table",
    ("heavylegs.engine.federation", "distributed"):
        "optional (heavylegs[dask]) and about 1 s to import: only a run given a Dask scheduler needs it",
}
#: Known exceptions still to remove, by kind (empty since issue 19 landed); each entry must
#: still be found (so the list only shrinks) and goes when that work is merged.
PENDING_PART_A = {
    "layers": set(),
    "private": set(),
    "nested": set(),
    "cycles": set(),
}
MAX_TOP_LEVEL_MODULES = 8


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _modules() -> dict:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


MODULES = _modules()
TREES = {name: ast.parse(path.read_text(encoding="utf-8"), str(path)) for name, path in MODULES.items()}


def layer(module: str) -> str:
    """The layer of a heavylegs module."""
    if module in _BASE:
        return "base"
    if module in _TOP:
        return "top"
    return module.split(".")[1]


def _is_package(module: str) -> bool:
    return MODULES[module].name == "__init__.py"


def _resolve(module: str, node: ast.ImportFrom) -> str | None:
    """The absolute module name of a ``from ... import``."""
    if node.level == 0:
        return node.module
    base = module.split(".") if _is_package(module) else module.split(".")[:-1]
    base = base[:len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _imports(module: str):
    """``(line, imported module, names, in_function)`` of every heavylegs import of ``module``.

    ``names`` are the names taken from the module (``from m import a, b``);
    a name that is itself a module (``from heavylegs.engine import load``) is
    reported as the import of that module.
    """
    tree = TREES[module]
    nested = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            for sub in ast.walk(node):
                if sub is not node and isinstance(sub, (ast.Import, ast.ImportFrom)):
                    nested.add(id(sub))
    for node in ast.walk(tree):
        inner = id(node) in nested
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, (), inner
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(module, node)
            if target is None:
                continue
            names = []
            for alias in node.names:
                if f"{target}.{alias.name}" in MODULES:
                    yield node.lineno, f"{target}.{alias.name}", (), inner
                else:
                    names.append(alias.name)
            if names or not node.names:
                yield node.lineno, target, tuple(names), inner


def _heavylegs_edges(include_nested: bool = True) -> dict:
    edges = {}
    for module in MODULES:
        for _line, target, _names, inner in _imports(module):
            if target in MODULES and target != module and (include_nested or not inner):
                edges.setdefault(module, set()).add(target)
    return edges


def _cycles(edges: dict) -> list:
    """Every strongly connected component of more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(MODULES):
        if v not in index:
            visit(v)
    return out


def _parents(module: str) -> set:
    parts = module.split(".")
    return {".".join(parts[:i]) for i in range(1, len(parts))}


def _private_uses(module: str) -> list:
    """``(line, owner, name)`` of every private name of another heavylegs module used by ``module``."""
    found = []
    aliases = {}  # local name -> heavylegs module it is bound to
    for line, target, names, _inner in _imports(module):
        if target not in MODULES:
            continue
        if _shared_helper(module, target):
            continue
        last = target.rsplit(".", 1)[-1]
        if last.startswith("_") and not last.startswith("__") and target not in _parents(module) | {module}:
            found.append((line, target.rsplit(".", 1)[0], last))
        for name in names:
            if name.startswith("_") and not name.startswith("__"):
                found.append((line, target, name))
    tree = TREES[module]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in MODULES:
                    aliases[alias.asname or alias.name] = alias.name
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(module, node)
            for alias in node.names:
                full = f"{target}.{alias.name}"
                if full in MODULES:
                    aliases[alias.asname or alias.name] = full
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
            owner = _dotted(node.value, aliases)
            if owner is not None and owner != module and not _shared_helper(module, owner):
                found.append((node.lineno, owner, node.attr))
    return sorted(set(found))


def _dotted(node, aliases: dict) -> str | None:
    """The heavylegs module an expression like ``load`` or ``heavylegs.engine.load`` names, or None."""
    if isinstance(node, ast.Name):
        return aliases.get(node.id)
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value, aliases)
        if base is not None and f"{base}.{node.attr}" in MODULES:
            return f"{base}.{node.attr}"
    return None


def _shared_helper(module: str, target: str) -> bool:
    """True when ``target`` is a ``_x.py`` helper of a (sub)package that holds ``module``."""
    package, _, last = target.rpartition(".")
    return (last.startswith("_") and not last.startswith("__")
            and (module == package or module.startswith(package + ".")))


def _pending(kind: str, module: str, target) -> bool:
    entries = PENDING_PART_A[kind]
    return (module, target) in entries or (module, None) in entries


# --- the rules -----------------------------------------------------------------------------------

def test_no_import_cycle():
    cycles = [c for c in _cycles(_heavylegs_edges()) if frozenset(c) not in PENDING_PART_A["cycles"]]
    assert not cycles, "import cycles (each group imports itself through the others): " + "; ".join(
        " <-> ".join(c) for c in cycles)


def test_imports_point_down_the_layers():
    wrong = []
    for module in MODULES:
        for line, target, _names, _inner in _imports(module):
            if not target.startswith("heavylegs") or target not in MODULES:
                continue
            if LAYERS.index(layer(target)) > LAYERS.index(layer(module)) and not _pending("layers", module, target):
                wrong.append(f"{MODULES[module].relative_to(PACKAGE.parent)}:{line} ({layer(module)}) imports "
                             f"{target} ({layer(target)})")
    assert not wrong, "imports pointing up the layers:\n" + "\n".join(wrong)


def test_no_private_name_of_another_module():
    uses = [f"{MODULES[m].relative_to(PACKAGE.parent)}:{line} uses {owner}.{name}"
            for m in MODULES for line, owner, name in _private_uses(m) if not _pending("private", m, owner)]
    assert not uses, "private names used outside their module:\n" + "\n".join(uses)


def test_imports_are_at_the_top_of_modules():
    inner = [f"{MODULES[m].relative_to(PACKAGE.parent)}:{line} imports {target}"
             for m in MODULES if m not in LAZY_IMPORTS_ALLOWED
             for line, target, _names, nested in _imports(m)
             if nested and not _lazy_allowed(m, target) and not _pending("nested", m, target)]
    assert not inner, "imports inside functions (allowed only in cli.py and __init__.py):\n" + "\n".join(inner)


def _lazy_allowed(module: str, target: str) -> bool:
    return any(module == m and (target == t or target.startswith(t + ".")) for m, t in LAZY_IMPORT_EXCEPTIONS)


def test_every_exception_and_pending_entry_is_still_needed():
    """The lists only shrink: an entry whose import is gone must be taken out."""
    nested = {(m, t) for m in MODULES for _l, t, _n, inner in _imports(m) if inner}
    for module, target in LAZY_IMPORT_EXCEPTIONS:
        assert any(m == module and (t == target or t.startswith(target + ".")) for m, t in nested), (module, target)
    found = {"layers": {(m, t) for m in MODULES for _l, t, _n, _i in _imports(m)},
             "private": {(m, owner) for m in MODULES for _l, owner, _name in _private_uses(m)},
             "nested": nested | {(m, None) for m, _t in nested},
             "cycles": {frozenset(c) for c in _cycles(_heavylegs_edges())}}
    for kind, entries in PENDING_PART_A.items():
        gone = [e for e in entries if e not in found[kind]]
        assert not gone, f"{kind}: no longer found, take them out of PENDING_PART_A: {gone}"


def test_data_dir_comes_before_athlete_id_everywhere():
    """One argument order in the whole package: ``(data_dir, athlete_id)``."""
    wrong = []
    for module, tree in TREES.items():
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                names = [a.arg for a in node.args.posonlyargs + node.args.args + node.args.kwonlyargs]
                if "data_dir" in names and "athlete_id" in names and names.index("athlete_id") < names.index("data_dir"):
                    wrong.append(f"{MODULES[module].relative_to(PACKAGE.parent)}:{node.lineno} {node.name}")
    assert not wrong, "functions taking athlete_id before data_dir:\n" + "\n".join(wrong)


def test_few_top_level_modules():
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= MAX_TOP_LEVEL_MODULES, f"{len(top)} top-level modules: {', '.join(top)}"


def test_subpackage_init_files_import_nothing():
    busy = [f"{MODULES[m].relative_to(PACKAGE.parent)}" for m in MODULES
            if _is_package(m) and m.count(".") == 1 and any(True for _ in _imports(m))]
    assert not busy, "subpackage __init__ files that import: " + ", ".join(busy)


# --- the checker itself, on known cases ----------------------------------------------------------

def _check_source(tmp_path, files: dict):
    """Run the helpers on a throwaway package laid out as ``files``."""
    global MODULES, TREES, PACKAGE
    saved = MODULES, TREES, PACKAGE
    root = tmp_path / "heavylegs"
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    PACKAGE = root
    MODULES = _modules()
    TREES = {name: ast.parse(path.read_text(encoding="utf-8")) for name, path in MODULES.items()}
    try:
        return (_cycles(_heavylegs_edges()), {m: _private_uses(m) for m in MODULES},
                {m: [t for _l, t, _n, inner in _imports(m) if inner] for m in MODULES})
    finally:
        MODULES, TREES, PACKAGE = saved


def test_the_checker_finds_what_it_must_and_nothing_else(tmp_path):
    cycles, private, nested = _check_source(tmp_path, {
        "__init__.py": "", "views/__init__.py": "", "serve/__init__.py": "",
        "views/a.py": "from heavylegs.views.b import x\n",
        "views/b.py": "from heavylegs.views import a\nx = 1\n",
        "serve/_helper.py": "_shared = 1\n",
        "serve/server.py": ("from heavylegs.serve._helper import _shared\nfrom heavylegs.views import b\n"
                            "def f():\n    import json\n    return b._hidden\n"),
        "views/c.py": "from heavylegs.serve._helper import _shared\nfrom heavylegs.views.b import _y\n",
    })
    assert cycles == [["heavylegs.views.a", "heavylegs.views.b"]]
    assert private["heavylegs.serve.server"] == [(5, "heavylegs.views.b", "_hidden")]  # its own _helper is fine
    assert private["heavylegs.views.c"] == [(1, "heavylegs.serve", "_helper"), (1, "heavylegs.serve._helper", "_shared"),
                                            (2, "heavylegs.views.b", "_y")]
    assert nested["heavylegs.serve.server"] == ["json"]
    assert layer("heavylegs.views.c") == "views" and layer("heavylegs.cli") == "top"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_every_module_has_a_layer(module):
    assert layer(module) in LAYERS
