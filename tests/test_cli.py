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


# --- load on a chosen metric (spec/device-load.md) ---------------------------

DEVICE_LOG = "date,duration_min,distance_km,hr_histogram,max_hr_bpm\n" + "".join(
    f"2026-03-{day:02d},30,6,130:1800,{150 + day}\n" for day in range(1, 11))


@pytest.fixture
def device_files(tmp_path):
    log = tmp_path / "log.csv"
    log.write_text(DEVICE_LOG, encoding="utf-8")
    athlete = tmp_path / "bo.json"
    athlete.write_text(json.dumps({"athlete_id": "bo", "assessed_on": "2026-03-10", "sex": "male",
                                   "hr_max_bpm": 200, "hr_rest_bpm": 40, "lthr_bpm": 172}), encoding="utf-8")
    return log, athlete


def test_load_metric_and_profile_json(device_files, capsys):
    log, athlete = device_files
    assert main(["load", str(log), "--profile", str(athlete), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["load"]["metric"] == "stress" and doc["load"]["thresholds"]["hr_max"]["provenance"] == "entered"
    week = doc["weeks"][-1]   # Monday 9 and Tuesday 10 March
    assert week["load_metric"] == "stress" and round(week["hrss"], 2) == round(2 * 20.5946, 2)
    assert week["load"] == week["stress"] == week["hrss"] and week["sessions_load_estimated"] == 0
    assert main(["load", str(log), "--profile", str(athlete), "--metric", "trimp", "--csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].endswith(",trimp,hrss,rtss,stress,load_metric,load,sessions_load_estimated")
    assert ",trimp,63.6" in lines[-1]


def test_load_text_says_the_metric_and_the_thresholds(device_files, capsys):
    log, _ = device_files
    assert main(["load", str(log)]) == 0
    out = capsys.readouterr().out
    assert "load metric: stress" in out and "max HR: unknown" in out
    assert "threshold pace: 5:00 min/km, estimated from the log" in out


def test_load_bad_metric_is_a_usage_error(device_files, capsys):
    log, _ = device_files
    with pytest.raises(SystemExit) as info:
        main(["load", str(log), "--metric", "tss"])
    assert info.value.code == 2 and "invalid choice: 'tss'" in capsys.readouterr().err


def test_score_log_uses_the_same_metric(device_files, capsys, monkeypatch):
    import heavylegs.load

    seen = []
    real = heavylegs.load.log_facts

    def spy(log, until=None, **options):
        seen.append((options["metric"], options["profile"]["hr_max_bpm"]))
        return real(log, until, **options)

    monkeypatch.setattr(heavylegs.load, "log_facts", spy)
    log, athlete = device_files
    assert main(["score", str(athlete), "--log", str(log), "--json"]) == 0
    assert main(["score", str(athlete), "--log", str(log), "--json", "--metric", "hrss"]) == 0
    capsys.readouterr()
    assert seen == [("auto", 200), ("hrss", 200)]
