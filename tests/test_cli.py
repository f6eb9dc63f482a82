"""The command line as a user meets it: output, exit status, errors on standard error."""
import json
import subprocess
import sys

import pytest

from heavylegs.cli import main


def run(*args, cwd=None):
    proc = subprocess.run([sys.executable, "-m", "heavylegs", *map(str, args)], capture_output=True,
                          text=True, cwd=cwd, timeout=120)
    return proc.returncode, proc.stdout, proc.stderr


@pytest.fixture
def profile(tmp_path):
    path = tmp_path / "ana.json"
    path.write_text(json.dumps({"athlete_id": "ana", "name": "Ana", "assessed_on": "2026-11-20",
                                "sex": "female", "hemoglobin_g_dl": 11.2, "ferritin_ug_l": 14,
                                "heavy_periods": True}), encoding="utf-8")
    return path


def test_score_json_is_the_spec_document(profile):
    code, out, err = run("score", profile, "--json")
    assert code == 0 and err == ""
    doc = json.loads(out)
    assert doc["format"] == "heavylegs.ranking/1"
    assert doc["athlete_id"] == "ana" and doc["assessed_on"] == "2026-11-20"
    assert doc["red_flags"][0] == {
        "id": "anemia", "urgency": "soon",
        "reason": "haemoglobin 11.2 g/dL is below 12.0 g/dL (WHO anaemia threshold)",
        "title": doc["red_flags"][0]["title"], "action": doc["red_flags"][0]["action"]}
    top = doc["causes"][0]
    assert top["id"] == "iron_deficiency" and top["rank"] == 1 and top["band"] == "likely"
    assert {"field": "ferritin_ug_l", "value": 14, "points": 3}.items() <= top["evidence"][0].items()
    assert "ferritin 14 µg/L is below 35 µg/L" in top["evidence"][0]["because"]
    assert 0 <= top["coverage"] <= 1 and isinstance(top["advice"], list) and top["see_doctor_if"]
    assert [c["rank"] for c in doc["causes"]] == list(range(1, len(doc["causes"]) + 1))
    assert isinstance(doc["ask_next"], list) and doc["ask_next"]


def test_score_text_is_readable(profile):
    code, out, err = run("score", profile)
    assert code == 0
    assert out.index("RED FLAGS") < out.index("Low iron stores")
    assert "ferritin 14 µg/L" in out and "not a diagnosis" in out


def test_bad_profile_exit_2_one_line_per_problem(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"athlete_id": "ana", "sleep_h": 30, "diet": "paleo"}', encoding="utf-8")
    code, out, err = run("score", bad, "--json")
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"{bad}: sleep_h: found 30, expected a number from 0 to 14")
    assert lines[1].startswith(f"{bad}: diet: found \"paleo\", expected one of omnivore")
    assert "Traceback" not in err


def test_missing_profile_and_truncated_json(tmp_path):
    code, out, err = run("score", tmp_path / "none.json")
    assert code == 2 and out == "" and "cannot read" in err
    cut = tmp_path / "cut.json"
    cut.write_text('{"athlete_id": "ana",\n "sleep_h": 7', encoding="utf-8")
    code, out, err = run("score", cut)
    assert code == 2 and out == "" and f"{cut}:2:" in err and "Traceback" not in err


def test_usage_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as info:
        main(["score"])
    assert info.value.code == 2


@pytest.mark.parametrize("bad_id", ["../ben", "ana/../ben", "ANA", "_x", ""])
def test_export_refuses_ids_that_escape(tmp_path, bad_id):
    code, out, err = run("export", bad_id, "-o", tmp_path / "out")
    assert code == 2 and out == "" and "athlete_id" in err
    assert not (tmp_path / "out").exists()


def test_unknown_athlete_is_bad_input(tmp_path):
    (tmp_path / "athletes").mkdir()
    code, out, err = run("export", "nobody", "-o", tmp_path / "out", "--data", tmp_path)
    assert code == 2 and "no profile for athlete 'nobody'" in err


def test_serve_runs_until_ctrl_c_then_stops_cleanly(tmp_path):
    """`heavylegs serve` prints the address, answers on it, and a Ctrl+C ends it with status 0."""
    import os
    import signal
    import socket
    import urllib.request
    from pathlib import Path

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    data = Path(__file__).resolve().parent.parent / "data"
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    proc = subprocess.Popen([sys.executable, "-m", "heavylegs", "serve", "ana", "--port", str(port),
                             "--data", str(data)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env)
    try:
        line = proc.stdout.readline()
        assert f"http://127.0.0.1:{port}/" in line, (line, proc.stderr.read() if proc.poll() is not None else "")
        assert proc.poll() is None, "serve returned instead of serving"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=60) as response:
            page = response.read().decode("utf-8")
        assert response.status == 200 and "Ana" in page and "Low iron" in page
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "Stopped" in out and "Traceback" not in err
    with socket.socket() as sock:  # Voila is gone: the port is free again
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))


# --- import: an import that adds nothing never replaces a log ------------------------------------

ACTIVITIES = __import__("pathlib").Path(__file__).parent / "data" / "activities"
HAND_LOG = ("date,activity,duration_min,distance_km\n"
            "2026-11-05,strength,30,\n2026-11-05,strength,30,\n2026-11-06,run,40,8\n")


def _import(capsys, *args):
    status = main(["import", *map(str, args), "--no-progress"])
    out, err = capsys.readouterr()
    return status, out, err


def test_import_of_an_empty_folder_refuses_and_keeps_the_log(tmp_path, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    log = tmp_path / "log.csv"
    log.write_text(HAND_LOG, encoding="utf-8")
    status, out, err = _import(capsys, empty, "-o", log)
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith(f"{empty}: found no session in 0 inputs read")
    assert f"nothing written to {log}" in err
    assert log.read_text(encoding="utf-8") == HAND_LOG
    status, out, err = _import(capsys, empty, "-o", tmp_path / "new.csv")
    assert status == 2 and not (tmp_path / "new.csv").exists()


def test_import_append_with_only_known_sessions_refuses_without_touching_the_log(tmp_path, capsys):
    log = tmp_path / "log.csv"
    gpx = ACTIVITIES / "runpandas__run.gpx"
    status, out, err = _import(capsys, gpx, "-o", log)
    assert status == 0 and "wrote 1 sessions" in out
    written = log.read_bytes()
    status, out, err = _import(capsys, gpx, "-o", log, "--append")
    assert status == 2 and out == ""
    assert err == f"{gpx}: found 1 session, all already in {log}, expected at least one new session; " \
                  f"{log} left as it was\n"
    assert log.read_bytes() == written
    status, out, err = _import(capsys, gpx, ACTIVITIES / "runpandas__run.fit", "-o", log, "--append")
    assert status == 0 and "added 1 new session to the 1 already there" in out


def test_import_append_keeps_every_session_already_in_the_log(tmp_path, capsys):
    log = tmp_path / "log.csv"
    log.write_text(HAND_LOG, encoding="utf-8")
    status, out, err = _import(capsys, ACTIVITIES / "runpandas__run.gpx", "-o", log, "--append")
    assert status == 0, err
    lines = log.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 5  # header, the two strength sessions typed alike, the run, the imported run
    assert sum(line.startswith("2026-11-05,strength,30,") for line in lines) == 2


@pytest.mark.parametrize("where", ["folder", "under_a_file"])
def test_import_refuses_an_output_that_cannot_be_a_file_before_importing(tmp_path, capsys, monkeypatch, where):
    import heavylegs.importers

    def no_import(*args, **kwargs):
        raise AssertionError("imported before checking -o")
    monkeypatch.setattr(heavylegs.importers, "import_sources", no_import)
    (tmp_path / "notes.txt").write_text("x")
    output = tmp_path if where == "folder" else tmp_path / "notes.txt" / "log.csv"
    status, out, err = _import(capsys, ACTIVITIES / "runpandas__run.gpx", "-o", output)
    assert status == 2 and out == "" and err.count("\n") == 1
    assert err.startswith(f"{output}: ")
    assert ("is a folder" in err) if where == "folder" else (f"{tmp_path / 'notes.txt'} is a file" in err)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


# --- check-ins: `checkins import` and `score --checkins` ------------------------------------

def _checkins(capsys, *args):
    status = main(["checkins", "import", *map(str, args)])
    out, err = capsys.readouterr()
    return status, out, err


def test_checkins_import_maps_headers_and_reports_the_unmapped(tmp_path, capsys):
    form = tmp_path / "form.csv"
    form.write_text("Timestamp,Heavy legs (0-10),Sleep (h),Email\n"
                    "2026-11-01 07:58:02,5,7.5,a@b.c\n2026-11-02 08:00:00,3,8,a@b.c\n", encoding="utf-8")
    output = tmp_path / "checkins.csv"
    status, out, err = _checkins(capsys, form, "-o", output)
    assert status == 0 and err == ""
    assert out.splitlines() == [
        f"{form}: mapped 'Timestamp' → date, 'Heavy legs (0-10)' → heaviness, 'Sleep (h)' → sleep_h",
        f"{form}: left out the columns it could not map: 'Email'",
        f"wrote 2 check-ins to {output}"]
    assert output.read_text(encoding="utf-8").splitlines() == [
        "date,heaviness,sleep_h,sleep_quality,fatigue,stress,soreness,notes",
        "2026-11-01,5,7.5,,,,,", "2026-11-02,3,8,,,,,"]
    # a second import keeps the days already there; a day in the export replaces the same day
    more = tmp_path / "more.csv"
    more.write_text("date,heaviness\n2026-11-02,6\n2026-11-03,2\n", encoding="utf-8")
    status, out, err = _checkins(capsys, more, "-o", output)
    assert status == 0
    assert out.splitlines()[-2:] == [f"kept 1 check-ins already in {output}, replaced 1",
                                     f"wrote 3 check-ins to {output}"]
    assert output.read_text(encoding="utf-8").splitlines()[2:] == ["2026-11-02,6,,,,,,", "2026-11-03,2,,,,,,"]


def test_checkins_import_bad_input_exits_2_and_writes_nothing(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("date,heaviness\n2026-11-01,3\n2026-11-02,eleven\n", encoding="utf-8")
    output = tmp_path / "checkins.csv"
    status, out, err = _checkins(capsys, bad, "-o", output)
    assert status == 2 and out == "" and not output.exists()
    assert err == (f"{bad}:3:2: heaviness: found 'eleven', expected a whole number from 0 to 10 "
                   "(0 = light, normal; 10 = like lead)\n")
    status, out, err = _checkins(capsys, tmp_path / "none.csv", "-o", output)
    assert status == 2 and err == f"{tmp_path / 'none.csv'}: no such file, expected a CSV export of check-ins\n"
    header_only = tmp_path / "header.csv"
    header_only.write_text("date,heaviness\n", encoding="utf-8")
    status, out, err = _checkins(capsys, header_only, "-o", output)
    assert status == 2 and "found no check-in" in err and not output.exists()
    status, out, err = _checkins(capsys, header_only, "-o", tmp_path)
    assert status == 2 and "is a folder" in err


def test_score_with_checkins_adds_patterns_and_their_evidence():
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "data" / "athletes"
    code, out, err = run("score", root / "dev.json", "--log", root / "dev" / "log.csv",
                         "--checkins", root / "dev" / "checkins.csv", "--json")
    assert code == 0 and err == ""
    doc = json.loads(out)
    first = doc["patterns"][0]
    assert first["id"] == "after_strength" and first["reported"] is True
    assert {"n_exposed", "n_other", "mean_exposed", "mean_other", "delta", "p", "because"} <= set(first)
    assert len(doc["patterns"]) == 7
    top = doc["causes"][0]
    assert top["id"] == "strength_overload"
    item = next(e for e in top["evidence"] if e["field"] == "pattern_after_strength")
    assert item["points"] == 3 and item["because"] == first["because"]
    code, text, err = run("score", root / "dev.json", "--checkins", root / "dev" / "checkins.csv")
    assert code == 0 and "Patterns in the check-ins" in text and "after_strength" in text


def test_score_with_bad_checkins_exits_2(tmp_path, profile):
    bad = tmp_path / "checkins.csv"
    bad.write_text("date,heaviness\n2026-13-01,3\n", encoding="utf-8")
    code, out, err = run("score", profile, "--checkins", bad, "--json")
    assert code == 2 and out == ""
    assert err == f"{bad}:2:1: date: found '2026-13-01', which is not a real date, expected a date YYYY-MM-DD\n"
