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
        "title": doc["red_flags"][0]["title"], "action": doc["red_flags"][0]["action"],
        "causes": ["iron_deficiency", "vitamin_b12_deficiency"]}  # the causes the flag points at
    top = doc["causes"][0]
    assert top["id"] == "iron_deficiency" and top["rank"] == 1 and top["band"] == "likely"
    # The anaemia flag is iron deficiency's first reason (spec/profile.md, "Red flags point at causes").
    assert {"field": "hemoglobin_g_dl", "value": 11.2, "points": 3, "red_flag": "anemia"}.items() \
        <= top["evidence"][0].items()
    assert {"field": "ferritin_ug_l", "value": 14, "points": 3}.items() <= top["evidence"][1].items()
    assert "ferritin 14 µg/L is below 35 µg/L" in top["evidence"][1]["because"]
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
    # main() returns argparse's status instead of raising SystemExit, so an
    # in-process caller (tests/test_bad_input.py) sees it like any other.
    assert main(["score"]) == 2
    assert "the following arguments are required: profile" in capsys.readouterr().err


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
        assert f"http://127.0.0.1:{port}/?token=" in line, (line, proc.stderr.read() if proc.poll() is not None else "")
        assert proc.poll() is None, "serve returned instead of serving"
        url = line.split(" at ", 1)[1].split()[0]
        with urllib.request.urlopen(url, timeout=60) as response:
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
    import heavylegs.logs.formats

    def no_import(*args, **kwargs):
        raise AssertionError("imported before checking -o")
    monkeypatch.setattr(heavylegs.logs.formats, "import_sources", no_import)
    (tmp_path / "notes.txt").write_text("x")
    output = tmp_path if where == "folder" else tmp_path / "notes.txt" / "log.csv"
    status, out, err = _import(capsys, ACTIVITIES / "runpandas__run.gpx", "-o", output)
    assert status == 2 and out == "" and err.count("\n") == 1
    assert err.startswith(f"{output}: ")
    assert ("is a folder" in err) if where == "folder" else (f"{tmp_path / 'notes.txt'} is a file" in err)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]

# ---------------------------------------------------------------------------
# Bad arguments and inputs (issue 9): exit 2, one line naming the option or file

LOG = "date,duration_min,rpe\n2026-10-01,45,4\n2026-10-08,50,5\n"


N_CAUSES = len(__import__("heavylegs").load_causes())


@pytest.mark.parametrize("top", ["-5", "0", str(N_CAUSES + 1), "99999999999999999999", "٣", "1.5", ""])
def test_score_top_out_of_range_exit_2(profile, capsys, top):
    assert main(["score", str(profile), "--top", top]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (f"--top: found {top!r}, expected a whole number from 1 to {N_CAUSES} "
                            "(the causes in the catalogue)\n")


def test_score_top_in_range_works(profile, capsys):
    assert main(["score", str(profile), "--top", "1"]) == 0
    assert "Low iron stores" in capsys.readouterr().out


@pytest.mark.parametrize("until, message", [
    ("9999-12-31", "--until: found 9999-12-31, expected a date from 1900-01-01 to 2100-12-31"),
    ("1899-12-31", "--until: found 1899-12-31, expected a date from 1900-01-01 to 2100-12-31"),
    ("", "--until: found '', expected a date from 1900-01-01 to 2100-12-31 written YYYY-MM-DD"),
    ("٢٠٢٦-10-10", "--until: found '٢٠٢٦-10-10', expected a date from 1900-01-01 to 2100-12-31 written YYYY-MM-DD"),
    ("2026-W41-1", "--until: found '2026-W41-1', expected a date from 1900-01-01 to 2100-12-31 written YYYY-MM-DD"),
])
def test_load_until_out_of_range_exit_2(tmp_path, capsys, until, message):
    log = tmp_path / "log.csv"
    log.write_text(LOG, encoding="utf-8")
    assert main(["load", str(log), "--until", until]) == 2
    assert capsys.readouterr().err == message + "\n"


def test_load_until_before_the_log_exit_2(tmp_path, capsys):
    log = tmp_path / "log.csv"
    log.write_text(LOG, encoding="utf-8")
    assert main(["load", str(log), "--until", "2026-09-30"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "Empty DataFrame" not in captured.err
    assert captured.err == (f"--until: found 2026-09-30, which is before the first session of {log} "
                            "(2026-10-01), expected a date from 2026-10-01 on\n")
    assert main(["load", str(log), "--until", "2026-10-01", "--csv"]) == 0  # the first day itself is fine


def test_load_date_that_would_wrap_around_exit_2(tmp_path, capsys):
    log = tmp_path / "log.csv"
    log.write_text("date,duration_min\n1000-01-01,30\n", encoding="utf-8")
    assert main(["load", str(log)]) == 2
    assert capsys.readouterr().err == \
        f"{log}:2:1: date: found 1000-01-01, expected a date from 1900-01-01 to 2100-12-31\n"


def test_score_assessed_far_in_the_future_with_log_exit_2(tmp_path, capsys):
    log = tmp_path / "log.csv"
    log.write_text(LOG, encoding="utf-8")
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"athlete_id": "ana", "assessed_on": "9999-12-31"}), encoding="utf-8")
    assert main(["score", str(path), "--log", str(log)]) == 2
    assert capsys.readouterr().err == \
        f'{path}: assessed_on: found "9999-12-31", expected a date from 1900-01-01 to 2100-12-31\n'


@pytest.mark.parametrize("under", [False, True])
def test_export_to_an_existing_file_exit_2_before_anything(data_copy, tmp_path, capsys, under):
    target = tmp_path / "dashboard.html"
    target.write_text("keep me", encoding="utf-8")
    output = target / "sub" if under else target
    assert main(["export", "ana", "-o", str(output), "--data", str(data_copy)]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.startswith(f"{output}: ")
    assert "an existing file, expected a folder to write the HTML into" in captured.err
    assert target.read_text(encoding="utf-8") == "keep me"


def test_import_reports_a_broken_link_by_name(tmp_path, capsys):
    link = tmp_path / "gone.fit"
    link.symlink_to(tmp_path / "missing.fit")
    out = tmp_path / "log.csv"
    assert main(["import", str(link), "-o", str(out), "--no-progress"]) == 2
    assert capsys.readouterr().err.startswith(f"{link}: could not open the file")
    assert not out.exists()


# --- heavylegs plan (issue 12) ---

def test_plan_writes_the_three_files(data_copy, tmp_path):
    out_dir = tmp_path / "out"
    code, out, err = run("plan", "ben", "-o", out_dir, "--data", data_copy)
    assert code == 0 and err == ""
    assert sorted(p.name for p in out_dir.iterdir()) == ["plan.html", "plan.ics", "plan.json"]
    assert out.splitlines() == [f"wrote {out_dir / name}" for name in ("plan.json", "plan.ics", "plan.html")]
    doc = json.loads((out_dir / "plan.json").read_text(encoding="utf-8"))
    assert doc["format"] == "heavylegs.plan/1" and doc["athlete_id"] == "ben"
    assert doc["start"] == "2026-11-17" and len(doc["days"]) == 14  # the day after the assessment
    assert (out_dir / "plan.ics").read_text(encoding="utf-8").startswith("BEGIN:VCALENDAR")


def test_plan_start_option_and_doctor_page(data_copy, tmp_path):
    code, out, err = run("plan", "gus", "-o", tmp_path / "out", "--start", "2026-12-01", "--data", data_copy)
    assert code == 0, err
    doc = json.loads((tmp_path / "out" / "plan.json").read_text(encoding="utf-8"))
    assert doc["start"] == "2026-12-01" and doc["withheld_for"] == ["cannot_lift_leg"]
    assert {d["training"]["kind"] for d in doc["days"]} == {"rest"}
    assert "For the doctor" in (tmp_path / "out" / "doctor.html").read_text(encoding="utf-8")


def test_plan_uses_the_plan_saved_with_the_newest_assessment(data_copy, tmp_path):
    from heavylegs.store.assessments import save_assessment
    from heavylegs.analysis.pipeline import assess
    from heavylegs.analysis.plan import apply_plan_edits, build_plan, plan_rows
    from heavylegs.store.profiles import read_profile
    from heavylegs.logs.traininglog import read_log

    profile = read_profile(data_copy / "athletes" / "ben.json")
    result = assess(profile, read_log(data_copy / "athletes" / "ben" / "log.csv"))
    rows = plan_rows(build_plan(result))
    rows[0]["notes"] = "edited by the coach"
    plan = apply_plan_edits(build_plan(result), rows)
    save_assessment(data_copy, profile, result.ranking, plan=plan)
    code, out, err = run("plan", "ben", "-o", tmp_path / "out", "--data", data_copy)
    assert code == 0, err
    assert json.loads((tmp_path / "out" / "plan.json").read_text(encoding="utf-8")) == plan
    # another start makes a new plan from the assessment
    code, out, err = run("plan", "ben", "-o", tmp_path / "out2", "--start", "2026-11-20", "--data", data_copy)
    doc = json.loads((tmp_path / "out2" / "plan.json").read_text(encoding="utf-8"))
    assert code == 0 and doc["start"] == "2026-11-20" and "edited" not in doc


@pytest.mark.parametrize("args, message", [
    (["ben", "--start", "2026-02-30"], "--start: found '2026-02-30', expected a date from 1900-01-01 to 2100-12-31 written YYYY-MM-DD"),
    (["nobody"], "no profile for athlete 'nobody'"),
    (["Ben"], "athlete_id"),
])
def test_plan_bad_input_exit_2_nothing_written(data_copy, tmp_path, args, message):
    code, out, err = run("plan", *args, "-o", tmp_path / "out", "--data", data_copy)
    assert code == 2 and out == "" and message in err
    assert not (tmp_path / "out").exists()


def test_plan_output_that_is_a_file_is_refused(data_copy, tmp_path):
    (tmp_path / "notes.txt").write_text("keep")
    code, out, err = run("plan", "ben", "-o", tmp_path / "notes.txt", "--data", data_copy)
    assert code == 2 and err == f"{tmp_path / 'notes.txt'}: is a file, expected a folder to write the plan into\n"
    assert (tmp_path / "notes.txt").read_text() == "keep"


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
    assert main(["load", str(log), "--metric", "tss"]) == 2
    assert "invalid choice: 'tss'" in capsys.readouterr().err


def test_score_log_uses_the_same_metric(device_files, capsys, monkeypatch):
    import heavylegs.analysis.pipeline

    seen = []
    real = heavylegs.analysis.pipeline.analyse_log

    def spy(log, until=None, **options):
        seen.append((options["metric"], options["profile"]["hr_max_bpm"]))
        return real(log, until, **options)

    monkeypatch.setattr(heavylegs.analysis.pipeline, "analyse_log", spy)
    log, athlete = device_files
    assert main(["score", str(athlete), "--log", str(log), "--json"]) == 0
    assert main(["score", str(athlete), "--log", str(log), "--json", "--metric", "hrss"]) == 0
    capsys.readouterr()
    assert seen == [("auto", 200), ("hrss", 200)]


# --- squad and roster import -------------------------------------------------------------------

@pytest.fixture
def squad_data(tmp_path):
    data = tmp_path / "data"
    (data / "athletes").mkdir(parents=True)
    for athlete_id, answers in (("cal", {"cold_pale_foot": True}), ("dee", {"sleep_h": 5.0}),
                                ("bea", {"ferritin_ug_l": 12, "sex": "female"})):
        (data / "athletes" / f"{athlete_id}.json").write_text(json.dumps(
            {"athlete_id": athlete_id, "name": athlete_id.title(), "assessed_on": "2026-11-20", **answers}),
            encoding="utf-8")
    (data / "athletes" / "eve.json").write_text("[1,", encoding="utf-8")
    return data


def test_squad_json_is_the_spec_document(squad_data, capsys):
    assert main(["squad", "--data", str(squad_data), "--json", "--today", "2026-11-28"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["format"] == "heavylegs.squad/1"
    ids = [a["athlete_id"] for a in doc["athletes"]]
    assert ids[:2] == ["cal", "eve"]  # the red flag, then the athlete whose file cannot be read
    assert doc["athletes"][0]["red_flags"] == [{"id": "possible_limb_ischemia", "urgency": "urgent"}]
    assert "cannot read" in doc["athletes"][1]["error"]
    scores = [a["top_causes"][0]["score"] for a in doc["athletes"][2:]]
    assert scores == sorted(scores, reverse=True) and set(ids[2:]) == {"bea", "dee"}


def test_squad_csv_and_table(squad_data, capsys):
    assert main(["squad", "--data", str(squad_data), "--csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split(",")[:4] == ["athlete_id", "name", "red_flags", "top_1"]
    assert lines[1].startswith("cal,Cal,possible_limb_ischemia:urgent,") and len(lines) == 5
    assert main(["squad", "--data", str(squad_data)]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].startswith("athlete") and "ACWR" in table[0]
    assert table[1].startswith("cal ") and "possible_limb_ischemia (urgent)" in table[1]


def test_squad_bad_input_exits_2(tmp_path, squad_data):
    code, out, err = run("squad", "--data", tmp_path / "nowhere")
    assert code == 2 and out == "" and "no athletes/ folder" in err
    code, out, err = run("squad", "--data", squad_data, "--today", "28/11/2026")
    assert code == 2 and out == "" and "--today: found '28/11/2026'" in err


def test_roster_import_cli(squad_data, tmp_path, capsys):
    roster = tmp_path / "roster.csv"
    roster.write_text("athlete_id,name,sleep_h\ndee,,6.5\nfay,Fay,7\n", encoding="utf-8")
    assert main(["roster", "import", str(roster), "--data", str(squad_data)]) == 2
    err = capsys.readouterr().err
    assert f"{roster}:2: sleep_h: would change dee's answer 5.0 to 6.5" in err
    assert not (squad_data / "athletes" / "fay.json").exists()
    assert main(["roster", "import", str(roster), "--data", str(squad_data), "--overwrite", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "would create 1, would update 1" in out and "dry run: nothing written" in out
    assert not (squad_data / "athletes" / "fay.json").exists()
    assert main(["roster", "import", str(roster), "--data", str(squad_data), "--overwrite"]) == 0
    out = capsys.readouterr().out
    assert "overwrote dee: sleep_h: 5.0 -> 6.5 (line 2)" in out and "wrote 2 assessments" in out
    assert (squad_data / "athletes" / "fay.json").exists()


def test_roster_import_bad_row_exits_2(squad_data, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("athlete_id,sleep_h\nzed,7\nyan,99\n", encoding="utf-8")
    code, out, err = run("roster", "import", roster, "--data", squad_data)
    assert code == 2 and out == ""
    assert f"{roster}:3:2: sleep_h: found 99.0" in err
    assert not (squad_data / "athletes" / "zed.json").exists()
