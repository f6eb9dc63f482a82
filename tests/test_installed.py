"""heavylegs as a user installs it: the wheel in a fresh virtual environment, used outside the checkout.

The wheel is built from a copy of the source (the checkout gets no ``build/``),
installed into a new virtual environment without the system's or the
project's packages (its dependencies come from the package index, or pip's
cache), and its ``heavylegs`` command runs from an empty folder: no
``./data``, no checkout on the path. It then finds the sample athletes
shipped inside the package, and ``serve`` draws the chart in Chromium.

The module builds and installs once (about a minute with a warm pip cache).
"""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path

import psutil
import pytest

pytestmark = pytest.mark.installed

ROOT = Path(__file__).resolve().parent.parent
_SKIP = {".git", ".venv", "build", "dist", "tests", "__pycache__", ".pytest_cache", ".hypothesis", "benchmarks"}


def _ignore(folder, names):
    return [n for n in names if n in _SKIP or n.endswith(".egg-info")]


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(env, work folder, venv folder) of a fresh install of the wheel."""
    tmp = tmp_path_factory.mktemp("installed")
    source = tmp / "source"
    shutil.copytree(ROOT, source, ignore=_ignore)
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "--quiet",
                    "--disable-pip-version-check", "-w", str(tmp / "wheel")], check=True, capture_output=True)
    wheel = next((tmp / "wheel").glob("heavylegs-*.whl"))
    venv = tmp / "venv"
    # the interpreter the project's venv was made from, so the new venv does not nest in .venv
    subprocess.run([getattr(sys, "_base_executable", sys.executable), "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    pip = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(wheel)],
                         capture_output=True, text=True)
    assert pip.returncode == 0, pip.stderr[-3000:]
    work = tmp / "work"
    work.mkdir()
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", "HEAVYLEGS_DATA_DIR", "HEAVYLEGS_ATHLETE", "PYTHONHOME")}
    env["PATH"] = os.pathsep.join([str(venv / "bin"), env.get("PATH", "")])
    for var, sub in (("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_DATA_DIR", "data"),
                     ("JUPYTER_RUNTIME_DIR", "runtime"), ("IPYTHONDIR", "ipython"),
                     ("HEAVYLEGS_CACHE_DIR", "cache")):
        env[var] = str(tmp / "jupyter" / sub)
    return env, work, venv


def _run(installed, *args, **kwargs):
    env, work, venv = installed
    return subprocess.run([str(venv / "bin" / "heavylegs"), *map(str, args)], cwd=work, env=env,
                          capture_output=True, text=True, timeout=300, **kwargs)


def _python(installed, code):
    env, work, venv = installed
    done = subprocess.run([str(venv / "bin" / "python"), "-c", code], cwd=work, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_installed_package_is_the_wheel_and_finds_its_files(installed):
    _, work, venv = installed
    where = json.loads(_python(installed, (
        "import json, heavylegs, heavylegs.serve.server as s, heavylegs.store.storage as st; "
        "print(json.dumps([heavylegs.__file__, str(s.notebook_path()), str(st.default_data_dir())]))")))
    package = Path(where[0]).parent
    assert venv in package.parents and "site-packages" in package.parts
    assert ROOT not in package.parents
    assert Path(where[1]) == package / "app" / "notebooks" / "athlete_dashboard.ipynb" and Path(where[1]).is_file()
    assert Path(where[2]) == package / "samples"
    assert not (package.parent / "data").exists()
    assert sorted(p.stem for p in (package / "samples" / "athletes").glob("*.json")) == \
        sorted(p.stem for p in (ROOT / "data" / "athletes").glob("*.json"))
    # the dashboard's page template, with the plotly.js bundle it prefers
    template = package / "serve" / "templates" / "heavylegs-dashboard"
    assert sorted(p.name for p in template.rglob("*") if p.is_file()) == [
        "PLOTLY-BASIC.md", "conf.json", "index.html.j2", "plotly-basic.min.js"]


def test_score_and_load(installed):
    samples = Path(_python(installed, "import heavylegs.store.storage as s; print(s.default_data_dir())")) / "athletes"
    done = _run(installed, "score", samples / "ben.json", "--json", "--log", samples / "ben" / "log.csv")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["format"] == "heavylegs.ranking/1" and doc["athlete_id"] == "ben"
    text = _run(installed, "score", samples / "ana.json")
    assert text.returncode == 0 and "Low iron" in text.stdout
    load = _run(installed, "load", samples / "ben" / "log.csv", "--json")
    assert load.returncode == 0, load.stderr
    weeks = json.loads(load.stdout)["weeks"]
    assert len(weeks) == 18
    bad = _run(installed, "score", "no-such.json")
    assert bad.returncode == 2 and "no-such.json" in bad.stderr and "Traceback" not in bad.stderr


def test_import(installed):
    _, work, _ = installed
    source = ROOT / "tests" / "data" / "activities" / "runpandas__run.gpx"
    done = _run(installed, "import", source, "-o", "mine/log.csv")
    assert done.returncode == 0, done.stderr
    assert "wrote 1 sessions to mine/log.csv" in done.stdout
    assert (work / "mine" / "log.csv").read_text(encoding="utf-8").startswith("date,")


def test_export_with_the_default_and_with_data(installed):
    _, work, _ = installed
    done = _run(installed, "export", "ana", "-o", "out")
    assert done.returncode == 0, done.stderr
    page = (work / "out" / "ana-dashboard.html").read_text(encoding="utf-8")
    assert "Heavy legs: Ana" in page
    mine = work / "mydata"
    shutil.copytree(ROOT / "data", mine)
    shutil.rmtree(mine / "athletes" / "ana" / "assessments")  # the profile file is then what the page shows
    profile = mine / "athletes" / "ana.json"
    profile.write_text(profile.read_text(encoding="utf-8").replace('"Ana ', '"Anneke '), encoding="utf-8")
    done = _run(installed, "export", "ana", "-o", "out2", "--data", mine)
    assert done.returncode == 0, done.stderr
    assert "Heavy legs: Anneke" in (work / "out2" / "ana-dashboard.html").read_text(encoding="utf-8")


def test_serve_draws_the_chart_and_kill_stops_everything(installed, browser):
    env, work, venv = installed
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen([str(venv / "bin" / "heavylegs"), "serve", "gus", "--port", str(port)], cwd=work,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        match = re.search(rf"(http://127\.0\.0\.1:{port}/\?token=\S+)", line)
        assert match, (line, proc.poll() is not None and proc.stderr.read())
        children = psutil.Process(proc.pid).children(recursive=True)
        voila = [p for p in children if "heavylegs.serve._voila" in " ".join(p.cmdline())]
        assert len(voila) == 1
        folder = Path(voila[0].cwd()).parent
        page = browser.new_page()
        try:
            page.goto(match.group(1), wait_until="domcontentloaded", timeout=120_000)
            page.wait_for_selector(".js-plotly-plot .main-svg .bars, .js-plotly-plot .main-svg .trace",
                                   state="attached", timeout=120_000)
            assert "See a doctor" in page.inner_text("#hl-red-flags")
        finally:
            page.close()
        proc.send_signal(signal.SIGTERM)  # `kill PID`
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0 and "Traceback" not in err, err
    assert not voila[0].is_running()
    assert not folder.exists()


# --- the README's command-line examples, as written, from an empty folder (issue 17) -------------

README = ROOT / "README.md"


def readme_commands() -> list:
    """The ``heavylegs ...`` lines of the README's command-line block, comments dropped."""
    block = README.read_text(encoding="utf-8").split("## The command line", 1)[1].split("```", 2)[1]
    return [line.split("  #", 1)[0].strip() for line in block.splitlines()
            if line.strip().startswith("heavylegs ")]


def expand_options(line: str) -> list:
    """Every form of a line: ``[A]`` with and without A, ``[A | B]`` with A, with B, without.

    The forms with an option come first: ``import ... -o LOG [--append]``
    then appends to the sample log before the plain form replaces it.
    """
    match = re.search(r"\[([^\]]+)\]", line)
    if match is None:
        return [" ".join(line.split())]
    out = []
    for option in [o.strip() for o in match.group(1).split("|")] + [""]:
        out += expand_options(line[:match.start()] + option + line[match.end():])
    return out


def test_expand_options_reads_the_readme_syntax():
    assert expand_options("heavylegs load x.csv [--until 2026-11-15] [--json | --csv]") == [
        "heavylegs load x.csv --until 2026-11-15 --json", "heavylegs load x.csv --until 2026-11-15 --csv",
        "heavylegs load x.csv --until 2026-11-15", "heavylegs load x.csv --json", "heavylegs load x.csv --csv",
        "heavylegs load x.csv"]
    commands = readme_commands()
    assert commands[0].startswith("heavylegs samples") and "heavylegs score data/athletes/ana.json" in commands


def _own_files(home: Path, work: Path) -> None:
    """The user's own files the README's examples name, made from the real files in tests/data."""
    import gzip
    import zipfile

    activities = ROOT / "tests" / "data" / "activities"
    home.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(home / "strava_export.zip", "w") as archive:
        archive.write(activities / "gap__activities.csv", "export_123/activities.csv")
        archive.write(activities / "gap__12866632127.fit.gz", "export_123/activities/12866632127.fit.gz")
    shutil.copy(activities / "fitparse__2019-02-17-062644-ELEMNT-297E-195-0.fit", work / "ride.fit")
    (work / "run.gpx.gz").write_bytes(gzip.compress((activities / "runpandas__run.gpx").read_bytes()))
    (work / "form-export.csv").write_text(
        "Timestamp,Email address,How heavy did your legs feel today?,Hours of sleep,Muscle soreness\n"
        "2026-11-17 07:58:02,ana@example.org,5,7.5,3\n2026-11-18 08:01:40,ana@example.org,4,8,2\n",
        encoding="utf-8")
    wellness = ROOT / "tests" / "data" / "wellness"  # a real Apple export.zip and a real Garmin HRV file
    shutil.copy(wellness / "alxdrcirilo_apple-health-parser__export.zip", home / "export.zip")
    shutil.copy(wellness / "matin_garth__test_daily_hrv_paginate.i0.json", work / "garmin-hrv.json")
    (work / "roster.csv").write_text("athlete_id,name,sex,age_years,weekly_distance_km\nivy,Ivy Example,female,31,35\n",
                                     encoding="utf-8")


def _serve_until_ready(env, work, command: str) -> str:
    """Start a serving example, wait for its address, stop it as Ctrl+C would; returns its first line."""
    proc = subprocess.Popen(["bash", "-c", f"exec {command}"], cwd=work, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        line = proc.stdout.readline()
        assert "http://127.0.0.1:" in line, (command, line, proc.poll() is not None and proc.stderr.read())
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
    assert proc.returncode in (0, 130) and "Traceback" not in err, (command, err[-2000:])
    return line


def test_every_readme_example_works_as_written_from_an_empty_folder(installed, tmp_path):
    env, _, _ = installed
    env = dict(env, HOME=str(tmp_path / "home"))
    work = tmp_path / "empty"
    work.mkdir()
    _own_files(tmp_path / "home", work)
    ran = []
    for line in readme_commands():
        for command in expand_options(line):
            if " --port " in command:
                # a free port for the one example that serves (the README's may be taken on a shared machine)
                with socket.socket() as sock:
                    sock.bind(("127.0.0.1", 0))
                    port = sock.getsockname()[1]
                command = re.sub(r"--port \d+", f"--port {port}", command)
                _serve_until_ready(env, work, command)
                ran.append(command)
                continue
            done = subprocess.run(["bash", "-c", command], cwd=work, env=env, capture_output=True, text=True,
                                  timeout=300)
            assert done.returncode == 0, (command, done.stderr[-3000:])
            assert "Traceback" not in done.stderr
            ran.append(command)
    assert ran[:2] == ["heavylegs samples DIR", "heavylegs samples"]
    assert (work / "data" / "athletes" / "ana.json").is_file()
    assert (work / "DIR" / "athletes" / "gus.json").is_file()
    assert (work / "out" / "plan.ics").is_file() and (work / "out" / "ana-dashboard.html").is_file()
    assert (work / "data" / "athletes" / "ivy.json").is_file()
    assert len(ran) >= 25
