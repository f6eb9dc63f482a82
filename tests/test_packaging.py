"""Install files agree with each other and with the README's promises."""
import re
import tomllib

import yaml


def _name(requirement):
    return re.split(r"[<>=!~ \[]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_matches_pyproject(root):
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    env = yaml.safe_load((root / "environment.yml").read_text(encoding="utf-8"))
    assert env["channels"] == ["conda-forge"]
    conda = {_name(d) for d in env["dependencies"] if isinstance(d, str)}
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    runtime = {_name(d) for d in project["dependencies"]}
    tests = {_name(d) for d in project["optional-dependencies"]["test"]}
    assert runtime - conda == set(), "runtime dependencies missing from environment.yml"
    assert tests - conda == set(), "test dependencies missing from environment.yml"
    assert conda - runtime - tests - {"python", "pip"} == set(), "environment.yml has extras pyproject lacks"
    assert "-e ." in pip
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python="))
    minimum = project["requires-python"].removeprefix(">=")
    assert tuple(map(int, python.split("=")[1].split("."))) >= tuple(map(int, minimum.split(".")))


def test_pinned_notebook_stack(root):
    env = yaml.safe_load((root / "environment.yml").read_text(encoding="utf-8"))
    pinned = {_name(d) for d in env["dependencies"] if isinstance(d, str) and "=" in d}
    assert {"ipywidgets", "voila", "plotly", "pandas", "nbval"} <= pinned


def test_console_script_and_package_data(root):
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["scripts"]["heavylegs"] == "heavylegs.cli:main"
    data = project["tool"]["setuptools"]["package-data"]["heavylegs"]
    assert "knowledge/causes/*.yaml" in data and "knowledge/*.yaml" in data


def test_readme_starts_with_the_two_commands(root):
    head = "\n".join((root / "README.md").read_text(encoding="utf-8").splitlines()[:8])
    assert "make run" in head and "make test" in head
    assert "make test" in (root / ".ci" / "run").read_text(encoding="utf-8")


def test_generated_docs_are_in_sync(root):
    from heavylegs.knowledge.causes import catalogue_markdown
    from heavylegs.vocabulary import nomenclature_markdown

    assert (root / "docs" / "nomenclature.md").read_text(encoding="utf-8") == nomenclature_markdown()
    assert (root / "docs" / "causes.md").read_text(encoding="utf-8") == catalogue_markdown()


def _tree(folder):
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_packaged_copies_match_the_checkout(root):
    """The wheel ships copies of the dashboard notebook and the sample athletes; they must not drift.

    After changing one, refresh the copy: ``cp notebooks/athlete_dashboard.ipynb notebooks/squad.ipynb heavylegs/app/notebooks/``
    or ``rm -r heavylegs/samples/athletes && cp -r data/athletes heavylegs/samples/``.
    """
    for name in ("athlete_dashboard.ipynb", "squad.ipynb"):  # the notebooks heavylegs.serve.server serves
        assert (root / "heavylegs/app/notebooks" / name).read_bytes() == (root / "notebooks" / name).read_bytes(), name
    assert sorted(p.name for p in (root / "heavylegs/app/notebooks").iterdir()) == ["athlete_dashboard.ipynb",
                                                                                "squad.ipynb"]
    assert _tree(root / "heavylegs/samples/athletes") == _tree(root / "data/athletes")
    assert (root / "heavylegs/samples/README.md").read_bytes() == (root / "data/README.md").read_bytes()


def test_package_data_covers_every_shipped_file(root):
    """Every file under heavylegs/ that is not Python matches a package-data pattern, and every pattern a file."""
    import fnmatch

    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = project["tool"]["setuptools"]["package-data"]["heavylegs"]
    package = root / "heavylegs"
    files = [str(p.relative_to(package)) for p in package.rglob("*")
             if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts]
    unmatched = [f for f in files if not any(fnmatch.fnmatch(f, pat) and f.count("/") == pat.count("/")
                                             for pat in patterns)]
    assert unmatched == []
    empty = [pat for pat in patterns if not list(package.glob(pat))]
    assert empty == []
