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
    from heavylegs.causes import catalogue_markdown
    from heavylegs.fields import nomenclature_markdown

    assert (root / "docs" / "nomenclature.md").read_text(encoding="utf-8") == nomenclature_markdown()
    assert (root / "docs" / "causes.md").read_text(encoding="utf-8") == catalogue_markdown()
