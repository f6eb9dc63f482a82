"""Nothing lost, nothing hung, on every path (issue 18).

Concurrency and bad-input cases that the probe of issue 18 found, each
replayed: concurrent check-in and roster writers lose nothing (they share
the athlete's lock, :func:`heavylegs.files.athlete_lock`), outputs and
inputs that are not regular files are refused before anything is read or
written, and nothing blocks on a FIFO. Worker processes are forked
(``multiprocessing`` "fork") after pandas is imported, so a writer costs
milliseconds, and every wait is bounded: a hang fails the test, it never
stalls it.
"""
import multiprocessing
import os
import stat
import threading

import pandas as pd
import pytest

from heavylegs import cli
from heavylegs.logs.checkins import (add_checkin, checkins_path, import_checkins, load_checkins,
                                     update_checkins)
from heavylegs.files import athlete_lock, folder_lock

# Far beyond what the writers need (about a second), so a deadlock fails instead of stalling.
JOIN_TIMEOUT_S = 120

_FORK = multiprocessing.get_context("fork")


def _run_all(targets):
    """Start one forked process per ``(function, args)``; return their exit codes."""
    procs = [_FORK.Process(target=fn, args=args) for fn, args in targets]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(JOIN_TIMEOUT_S)
    hung = [proc for proc in procs if proc.is_alive()]
    for proc in hung:
        proc.kill()
    assert not hung, "a writer hung"
    return [proc.exitcode for proc in procs]


def _days(worker, n):
    """``n`` distinct days for one worker (worker 0: 2026-01-01 on, worker 1: 100 days later...)."""
    start = pd.Timestamp("2026-01-01") + pd.Timedelta(days=100 * worker)
    return [(start + pd.Timedelta(days=i)).date().isoformat() for i in range(n)]


# --- check-ins: every write is a locked read-modify-write ---------------------------------------


def _cli_importer(tmp_path, worker, n):
    """``heavylegs checkins import`` of one new day, ``n`` times, into the athlete's check-in file."""
    output = str(checkins_path(tmp_path, "ana"))
    status = 0
    for i, day in enumerate(_days(worker, n)):
        export = tmp_path / f"export-{worker}-{i}.csv"
        export.write_text(f"Timestamp,Heavy legs (0-10)\n{day} 07:30,{(worker + i) % 11}\n")
        status |= cli.main(["checkins", "import", str(export), "-o", output])
    os._exit(status)


def _quick_entries(tmp_path, worker, n):
    for day in _days(worker, n):
        add_checkin(tmp_path, "ana", {"date": day, "heaviness": 4, "notes": f"worker {worker}"})
    os._exit(0)


def _api_updates(tmp_path, worker, n):
    path = checkins_path(tmp_path, "ana")
    for day in _days(worker, n):
        update_checkins(path, pd.DataFrame({"date": [day], "heaviness": [5]}))
    os._exit(0)


def test_concurrent_checkin_imports_lose_no_day(tmp_path):
    # Issue 18: 4 processes x 25 imports into one file lost 60 of 300 days, every run exiting 0.
    workers, n = 4, 15
    (tmp_path / "athletes").mkdir()
    codes = _run_all([(_cli_importer, (tmp_path, w, n)) for w in range(workers)])
    assert codes == [0] * workers
    saved = load_checkins(tmp_path, "ana")
    expected = sorted(day for w in range(workers) for day in _days(w, n))
    assert [d.date().isoformat() for d in saved["date"]] == expected


def test_imports_quick_entries_and_api_writers_share_the_athletes_lock(tmp_path):
    # The workbook's quick entry, the command line's import and the API (the athlete portal's
    # path) write one file at once: each is a read-modify-write under athlete_lock.
    n = 12
    targets = [(_cli_importer, (tmp_path, 0, n)), (_quick_entries, (tmp_path, 1, n)),
               (_api_updates, (tmp_path, 2, n)), (_quick_entries, (tmp_path, 3, n))]
    assert _run_all(targets) == [0] * 4
    saved = load_checkins(tmp_path, "ana")
    expected = sorted(day for w in range(4) for day in _days(w, n))
    assert [d.date().isoformat() for d in saved["date"]] == expected
    assert set(saved.loc[saved["date"] >= pd.Timestamp(_days(1, 1)[0]), "notes"].dropna()) >= {"worker 1"}


def test_a_checkin_write_waits_for_the_holder_of_the_athletes_lock(tmp_path):
    done = threading.Event()

    def entry():
        add_checkin(tmp_path, "ana", {"date": "2026-03-01", "heaviness": 2})
        done.set()

    with athlete_lock(tmp_path, "ana"):
        writer = threading.Thread(target=entry)
        writer.start()
        assert not done.wait(0.5), "a check-in was written while another writer held the lock"
    writer.join(JOIN_TIMEOUT_S)
    assert done.is_set()
    assert len(load_checkins(tmp_path, "ana")) == 1


def _write_inside_the_lock(tmp_path):
    with athlete_lock(tmp_path, "ana"):
        add_checkin(tmp_path, "ana", {"date": "2026-03-02", "heaviness": 3})
        update_checkins(checkins_path(tmp_path, "ana"), pd.DataFrame({"date": ["2026-03-03"], "heaviness": [1]}))
    os._exit(0)


def test_the_lock_is_re_entrant_for_its_holder(tmp_path):
    # The athlete portal or the workbook may hold the athlete's lock and call a check-in writer,
    # which takes the same lock: it goes on instead of waiting for itself (in a child: a deadlock
    # fails the test instead of stalling it).
    assert _run_all([(_write_inside_the_lock, (tmp_path,))]) == [0]
    assert len(load_checkins(tmp_path, "ana")) == 2


def test_the_folder_lock_of_a_checkin_file_is_the_athletes_lock(tmp_path):
    path = checkins_path(tmp_path, "ana")
    with folder_lock(path.parent):
        blocked = threading.Event()

        def other():
            with athlete_lock(tmp_path, "ana"):
                blocked.set()

        thread = threading.Thread(target=other)
        thread.start()
        assert not blocked.wait(0.3)
    thread.join(JOIN_TIMEOUT_S)
    assert blocked.is_set()


def test_update_checkins_merges_into_the_newest_file(tmp_path):
    path = checkins_path(tmp_path, "ana")
    add_checkin(tmp_path, "ana", {"date": "2026-03-01", "heaviness": 2, "sleep_h": 7})
    imported = import_checkins([_write(tmp_path / "f.csv", "date,heaviness\n2026-03-01,6\n2026-03-02,1\n")])
    saved = update_checkins(path, imported.checkins)
    assert saved["existing"] == 1 and saved["replaced"] == ["2026-03-01"]
    frame = load_checkins(tmp_path, "ana")
    assert frame["heaviness"].tolist() == [6, 1]


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_a_fifo_as_the_lock_file_is_refused_without_blocking(tmp_path):
    folder = tmp_path / "athletes" / "ana"
    folder.mkdir(parents=True)
    os.mkfifo(folder / ".lock")
    with pytest.raises(Exception, match="not a regular file"):
        with athlete_lock(tmp_path, "ana"):
            pass
    assert stat.S_ISFIFO(os.lstat(folder / ".lock").st_mode)


# --- roster import: a locked read-modify-write of the newest answers ----------------------------

# Four workers, each filling its own answers of one athlete (all unknown before).
_ROSTER_FIELDS = [
    [("age_years", 30), ("body_mass_kg", 60), ("height_cm", 170), ("runs_per_week", 5)],
    [("weekly_distance_km", 50), ("long_run_min", 90), ("rest_days_per_week", 1), ("warmup_min", 10)],
    [("resting_hr_bpm", 50), ("carbs_g_per_kg", 5), ("fluid_l_per_day", 2), ("urine_color", 3)],
    [("shoe_km", 400), ("shoe_mass_g", 250), ("cadence_spm", 170), ("duration_weeks", 3)],
]


def _roster_worker(data, tmp_path, worker, via_cli):
    from heavylegs.analysis.roster import import_roster

    status = 0
    for name, value in _ROSTER_FIELDS[worker]:
        roster = _write(tmp_path / f"roster-{worker}-{name}.csv", f"athlete_id,{name}\nana,{value}\n")
        if via_cli:
            status |= cli.main(["roster", "import", str(roster), "--data", str(data)])
        else:
            import_roster(data, roster)
    os._exit(status)


@pytest.mark.parametrize("via_cli", [False, True], ids=["api", "cli"])
def test_concurrent_roster_imports_lose_no_answer(tmp_path, via_cli):
    # Issue 18: 4 processes filling different answers of one athlete lost 75 of 100 (API), 26 of
    # 100 (command line), every run exiting 0.
    import json

    from heavylegs.store.assessments import list_assessments, load_latest_profile

    data = tmp_path / "data"
    (data / "athletes").mkdir(parents=True)
    (data / "athletes" / "ana.json").write_text(json.dumps(
        {"athlete_id": "ana", "name": "Ana", "assessed_on": "2026-11-01", "sex": "female"}))
    codes = _run_all([(_roster_worker, (data, tmp_path, w, via_cli)) for w in range(4)])
    assert codes == [0] * 4
    profile = load_latest_profile(data, "ana")
    missing = [(name, value) for fields in _ROSTER_FIELDS for name, value in fields
               if profile.get(name) != value]
    assert missing == []
    assert profile["name"] == "Ana" and profile["sex"] == "female"
    assert len(list_assessments(data, "ana")) == 16
    written = json.loads((data / "athletes" / "ana.json").read_text())
    assert {k: v for k, v in written.items() if k != "format"} == profile


# --- outputs and inputs that are not regular files ----------------------------------------------

ROOT = __import__("pathlib").Path(__file__).resolve().parent.parent
GOOD_FIT = ROOT / "tests" / "data" / "activities" / "runpandas__run.fit"


def _main(tmp_path, argv, timeout_s=JOIN_TIMEOUT_S):
    """``heavylegs.cli.main(argv)`` in a forked process: (status, stdout, stderr); a hang fails."""
    out, err = tmp_path / ".stdout", tmp_path / ".stderr"

    def child():
        import sys

        with open(out, "w") as o, open(err, "w") as e:
            sys.stdout, sys.stderr = o, e
            try:
                status = cli.main([str(a) for a in argv])
            except BaseException:
                import traceback

                traceback.print_exc(file=e)
                status = 99
            o.flush()
            e.flush()
        os._exit(status)

    proc = _FORK.Process(target=child)
    proc.start()
    proc.join(timeout_s)
    if proc.is_alive():
        proc.kill()
        proc.join()
        pytest.fail(f"heavylegs {' '.join(map(str, argv))} hung for {timeout_s} s")
    texts = out.read_text(), err.read_text()
    out.unlink()
    err.unlink()
    return (proc.exitcode, *texts)


def _special(tmp_path, kind):
    """A FIFO, a socket, a folder or a character device (``/dev/full``'s numbers) in ``tmp_path``."""
    import socket

    path = tmp_path / f"special-{kind}"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "socket":
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(str(path))
        sock.close()
    elif kind == "folder":
        path.mkdir()
    elif kind == "device":
        try:
            os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 7))
        except PermissionError:  # not root: the real one, never written to by a passing test
            return __import__("pathlib").Path("/dev/full")
    return path


def _kind_of(path):
    mode = os.lstat(path).st_mode
    return next(k for k, test in (("fifo", stat.S_ISFIFO), ("socket", stat.S_ISSOCK), ("folder", stat.S_ISDIR),
                                  ("device", stat.S_ISCHR), ("file", stat.S_ISREG)) if test(mode))


@pytest.mark.parametrize("kind", ["device", "fifo", "socket"])
def test_import_refuses_an_output_that_is_not_a_regular_file(tmp_path, kind):
    # Issue 18: as root, `heavylegs import good.fit -o /dev/full` exited 0 and replaced the device
    # node with a file.
    target = _special(tmp_path, kind)
    status, out, err = _main(tmp_path, ["import", GOOD_FIT, "-o", target, "--no-progress"])
    assert status == 2 and out == "", err
    assert err.startswith(f"{target}: is ") and "expected" in err and err.count("\n") == 1, err
    assert _kind_of(target) == kind  # not replaced by a file
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


@pytest.mark.parametrize("kind", ["device", "fifo", "socket"])
def test_checkins_import_refuses_an_output_that_is_not_a_regular_file_without_reading_it(tmp_path, kind):
    # Issue 18: `checkins import in.csv -o <char device>` read the device until MemoryError.
    target = _special(tmp_path, kind)
    export = _write(tmp_path / "in.csv", "date,heaviness\n2026-03-01,4\n")
    status, out, err = _main(tmp_path, ["checkins", "import", export, "-o", target], timeout_s=60)
    assert status == 2 and out == "" and err.startswith(f"{target}: is "), err
    assert _kind_of(target) == kind


def test_outputs_that_cannot_be_written_are_refused_cleanly(tmp_path, data_copy):
    export = _write(tmp_path / "c.csv", "date,heaviness\n2026-03-01,4\n")
    # `-o ""` said ": is a folder"
    status, out, err = _main(tmp_path, ["checkins", "import", export, "-o", ""])
    assert status == 2 and "found an empty path" in err and "folder" not in err, err
    # `-o c.csv/x.csv` raised FileExistsError
    status, out, err = _main(tmp_path, ["checkins", "import", export, "-o", f"{export}/x.csv"])
    assert status == 2 and err == f"{export}/x.csv: cannot be written: {export} is a file, expected a folder there\n"
    assert export.read_text() == "date,heaviness\n2026-03-01,4\n"
    # `export ana -o /proc/self/x` gave a traceback
    status, out, err = _main(tmp_path, ["export", "ana", "-o", "/proc/self/x", "--data", data_copy])
    assert status == 2 and out == "" and err.startswith("/proc/self/x/ana-dashboard.html: cannot be written ("), err
    assert "Traceback" not in err
    # a folder where the check-in file should be
    status, out, err = _main(tmp_path, ["checkins", "import", export, "-o", tmp_path])
    assert status == 2 and f"{tmp_path}: is a folder" in err


def test_a_fifo_where_a_file_is_read_never_blocks(tmp_path, data_copy):
    # Issue 18: `score p.json --checkins fifo`, and a FIFO as athletes/ana/checkins.csv for
    # `export` and `squad`, blocked forever.
    fifo = _special(tmp_path, "fifo")
    profile = data_copy / "athletes" / "ana.json"
    status, out, err = _main(tmp_path, ["score", profile, "--checkins", fifo], timeout_s=60)
    assert status == 2 and err == f"{fifo}: is a named pipe (FIFO), expected a regular file\n"
    checkins = data_copy / "athletes" / "ana" / "checkins.csv"
    checkins.unlink(missing_ok=True)
    os.mkfifo(checkins)
    status, out, err = _main(tmp_path, ["export", "ana", "-o", tmp_path / "out", "--data", data_copy], 60)
    assert status == 2 and err == f"{checkins}: is a named pipe (FIFO), expected a regular file\n"
    status, out, err = _main(tmp_path, ["squad", "--data", data_copy, "--csv"], timeout_s=120)
    assert status == 0, err
    ana = next(line for line in out.splitlines() if line.startswith("ana,"))
    assert "is a named pipe (FIFO)" in ana  # the other athletes are listed as usual
    assert _run_all([(_add_checkin_child, (data_copy,))]) == [0]
    assert stat.S_ISFIFO(os.lstat(checkins).st_mode)


def _add_checkin_child(data):
    from heavylegs.errors import InputError

    try:
        add_checkin(data, "ana", {"date": "2026-03-01", "heaviness": 3})
    except InputError as exc:
        os._exit(0 if "named pipe" in str(exc) else 3)
    os._exit(4)


def _read_assessment_child(path):
    from heavylegs.errors import InputError
    from heavylegs.store.assessments import read_assessment

    try:
        read_assessment(path)
    except InputError as exc:
        os._exit(0 if "named pipe" in str(exc) else 3)
    os._exit(4)


def test_an_assessment_that_is_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = _special(tmp_path, "fifo")
    assert _run_all([(_read_assessment_child, (fifo,))]) == [0]


# --- check-ins: the rules of the training log ----------------------------------------------------


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1850-06-01", "2101-01-01"])
def test_checkin_dates_outside_1900_2100_are_refused(tmp_path, day):
    # Issue 18: 9999-12-31 and 0001-01-01 gave an OutOfBoundsDatetime traceback (command line and
    # add_checkin); 1850 and 2101 were written silently and used by `score --checkins`.
    from heavylegs.errors import InputError

    with pytest.raises(InputError, match=f"date: found {day}, expected a date from 1900-01-01 to 2100-12-31"):
        add_checkin(tmp_path, "ana", {"date": day, "heaviness": 3})
    export = _write(tmp_path / "in.csv", f"date,heaviness\n2026-03-01,4\n{day},5\n")
    output = tmp_path / "checkins.csv"
    status, out, err = _main(tmp_path, ["checkins", "import", export, "-o", output])
    assert (status, out) == (2, "") and not output.exists()
    assert err == f"{export}:3:1: date: found {day}, expected a date from 1900-01-01 to 2100-12-31\n"
    checkins = _write(tmp_path / "checkins-file.csv", f"date,heaviness\n{day},5\n")
    status, out, err = _main(tmp_path, ["score", ROOT / "data" / "athletes" / "ana.json", "--checkins", checkins])
    assert status == 2 and err.startswith(f"{checkins}:2:1: date: found {day}"), err


def test_checkin_numbers_are_ascii_and_of_a_sane_size(tmp_path):
    from heavylegs.errors import InputError
    from heavylegs.logs.checkins import read_checkins

    # Issue 18: "٣" was read as 3; add_checkin raised OverflowError for 10**400.
    path = _write(tmp_path / "c.csv", "date,heaviness\n2026-03-01,٣\n")
    with pytest.raises(InputError, match=r"c.csv:2:2: heaviness: found '٣', expected a whole number"):
        read_checkins(path)
    with pytest.raises(InputError, match="heaviness: found a number of 401 digits"):
        add_checkin(tmp_path, "ana", {"date": "2026-03-01", "heaviness": 10**400})
    with pytest.raises(InputError, match="date: found '２０２６-03-01'"):
        add_checkin(tmp_path, "ana", {"date": "２０２６-03-01", "heaviness": 1})
    assert not checkins_path(tmp_path, "ana").exists()


def test_a_repeated_checkin_column_is_refused_not_dropped(tmp_path):
    from heavylegs.errors import InputError
    from heavylegs.logs.checkins import read_checkins

    # Issue 18: `date,heaviness,heaviness` silently dropped a column.
    export = _write(tmp_path / "in.csv", "date,heaviness,heaviness\n2026-03-01,4,7\n")
    with pytest.raises(InputError) as info:
        import_checkins([export])
    assert [str(p) for p in info.value.problems] == [
        f"{export}:1:3: heaviness: column 'heaviness' appears twice (columns 2 and 3), expected each column once"]
    with pytest.raises(InputError, match="appears twice"):
        read_checkins(export)
    # two different headers for one column: the nearer wins and the other is listed, as before
    form = _write(tmp_path / "form.csv", "date,heaviness,Heavy legs\n2026-03-01,4,7\n")
    result = import_checkins([form])
    assert result.checkins["heaviness"].tolist() == [4] and result.unmapped[str(form)] == ["Heavy legs"]


def test_a_note_has_a_maximum_and_one_bad_note_never_locks_the_athlete_out(tmp_path):
    from heavylegs.errors import InputError
    from heavylegs.logs.checkins import MAX_NOTE_CHARS

    # Issue 18: a 140,000-character note was accepted; every later check-in of that athlete then
    # failed with "field larger than field limit". A lone surrogate raised UnicodeEncodeError.
    add_checkin(tmp_path, "ana", {"date": "2026-03-01", "heaviness": 3, "notes": "x" * MAX_NOTE_CHARS})
    with pytest.raises(InputError, match=f"notes: found a text of 140000 characters, expected at most {MAX_NOTE_CHARS}"):
        add_checkin(tmp_path, "ana", {"date": "2026-03-02", "heaviness": 3, "notes": "x" * 140_000})
    with pytest.raises(InputError, match="notes: found a lone surrogate U\\+D800 at character 3"):
        add_checkin(tmp_path, "ana", {"date": "2026-03-02", "heaviness": 3, "notes": "ab\ud800"})
    add_checkin(tmp_path, "ana", {"date": "2026-03-03", "heaviness": 2, "notes": "fine"})
    assert load_checkins(tmp_path, "ana")["notes"].tolist() == ["x" * MAX_NOTE_CHARS, "fine"]
    export = _write(tmp_path / "in.csv", "date,heaviness,notes\n2026-03-04,4," + "y" * 5000 + "\n")
    with pytest.raises(InputError, match=r"in.csv:2:3: notes: found a text of 5000 characters"):
        import_checkins([export])


@pytest.mark.parametrize("note", ["=cmd|' /C calc'!A0", "@SUM(A1)", "-2+3", "+1 more", "'=already"])
def test_formula_like_notes_are_escaped_and_read_back_as_written(tmp_path, note):
    # Issue 18: notes beginning with =, @, -, + were written unescaped.
    add_checkin(tmp_path, "ana", {"date": "2026-03-01", "heaviness": 3, "notes": note})
    text = checkins_path(tmp_path, "ana").read_text()
    cell = text.splitlines()[1].split(",", 7)[7]
    assert cell.strip('"') == "'" + note
    assert load_checkins(tmp_path, "ana")["notes"].tolist() == [note]
    again = tmp_path / "again.csv"
    status, _out, err = _main(tmp_path, ["checkins", "import", checkins_path(tmp_path, "ana"), "-o", again])
    assert status == 0, err
    assert again.read_text() == text


def test_squad_csv_escapes_formula_like_names(tmp_path, data_copy):
    # Issue 18: `squad --csv` wrote a name `=cmd|' /C calc'!A0` as is.
    import csv
    import io
    import json

    profile = data_copy / "athletes" / "ben.json"
    doc = json.loads(profile.read_text())
    doc["name"] = "=cmd|' /C calc'!A0"
    profile.write_text(json.dumps(doc))
    for file in (data_copy / "athletes" / "ben" / "assessments").glob("*.json"):
        file.unlink()
    status, out, err = _main(tmp_path, ["squad", "--data", data_copy, "--csv"], timeout_s=180)
    assert status == 0, err
    rows = {row["athlete_id"]: row for row in csv.DictReader(io.StringIO(out))}
    assert rows["ben"]["name"] == "'=cmd|' /C calc'!A0"
    assert all(not cell.startswith(("=", "+", "@")) for row in rows.values() for cell in row.values())


def test_a_roster_cell_past_the_csv_limit_is_refused_cleanly(tmp_path):
    # Issue 18: a 5,000,000-character cell gave a _csv.Error traceback.
    roster = _write(tmp_path / "r.csv", "athlete_id,name\nana," + "x" * 5_000_000 + "\n")
    data = tmp_path / "data"
    (data / "athletes").mkdir(parents=True)
    status, out, err = _main(tmp_path, ["roster", "import", roster, "--data", data])
    assert status == 2 and out == "" and err.startswith(f"{roster}:2: is not valid CSV (field larger"), err
    assert list((data / "athletes").iterdir()) == []


# --- imports that believe impossible data ---------------------------------------------------------


def _gpx(points, sport="running"):
    """A GPX track of ``(lat, lon, "HH:MM:SS")`` points on 2026-03-01."""
    body = "".join(f'<trkpt lat="{lat}" lon="{lon}"><time>2026-03-01T{t}Z</time></trkpt>'
                   for lat, lon, t in points)
    return (f'<?xml version="1.0"?><gpx version="1.1" creator="t" xmlns="http://www.topografix.com/GPX/1/1">'
            f"<trk><type>{sport}</type><trkseg>{body}</trkseg></trk></gpx>")


def _steady(n=61, step_deg=0.0001):
    """A steady run: a point every 5 s, ``step_deg`` of latitude (11 m) apart: 8 km/h."""
    return [(45.0 + i * step_deg, 7.0, f"08:{(i * 5) // 60:02d}:{(i * 5) % 60:02d}") for i in range(n)]


def test_gpx_with_impossible_coordinates_times_or_speeds_is_refused(tmp_path):
    from heavylegs.logs.formats import read_activity_file

    good = _write(tmp_path / "good.gpx", _gpx(_steady()))
    (row,) = read_activity_file(good).rows
    assert row["duration_min"] == pytest.approx(5.0) and row["distance_km"] == pytest.approx(0.667, abs=0.01)
    # Issue 18: a track at latitude 200 imported as 33.3 km in 5 min (401 km/h).
    points = _steady()
    points[30] = (200.0, 7.0, points[30][2])
    bad = _write(tmp_path / "lat200.gpx", _gpx(points))
    assert read_activity_file(bad).failed == [
        (str(bad), "track point 31 has latitude 200.0, expected a latitude from -90 to 90 degrees")]
    # A track at real coordinates covering 33 km in 5 min: a car, not a runner.
    fast = _write(tmp_path / "fast.gpx", _gpx(_steady(step_deg=0.005)))
    ((where, reason),) = read_activity_file(fast).failed
    assert where == str(fast) and reason.startswith("found 33.4 km in 5.0 min (400 km/h), faster than any run")
    # Shuffled timestamps gave 2.1 min instead of 5.
    points = _steady()
    points[10], points[40] = (points[10][0], points[10][1], points[40][2]), (points[40][0], points[40][1], points[10][2])
    shuffled = _write(tmp_path / "shuffled.gpx", _gpx(points))
    ((where, reason),) = read_activity_file(shuffled).failed
    assert reason.startswith("time runs backwards at timed track point 12 (2026-03-01T08:00:55+00:00 after "
                             "2026-03-01T08:03:20+00:00)"), reason
    # One GPS jump in a real run is imported, with a note.
    points = _steady()
    points[30] = (45.01, 7.0, points[30][2])
    (row,) = read_activity_file(_write(tmp_path / "jump.gpx", _gpx(points))).rows
    assert "2 jumps between track points faster than 45 km/h" in row["notes"]
    # Through the command line: status 2, the file and the reason named.
    status, out, err = _main(tmp_path, ["import", bad, "-o", tmp_path / "log.csv", "--no-progress"])
    assert status == 2 and err == f"{bad}: track point 31 has latitude 200.0, expected a latitude from -90 to 90 degrees\n"


def test_every_cut_of_a_fit_file_is_reported_truncated(tmp_path):
    # Issue 18: 2 of 45 random FIT truncations were not reported as damaged (a cut between two
    # records read as a whole file: 55.9 min instead of 224.5). Here every 97th byte of a real file.
    from heavylegs.logs.formats.fit import read_fit

    data = GOOD_FIT.read_bytes()
    missed = []
    for cut in range(14, len(data) - 2, 97):
        result = read_fit("cut.fit", data[:cut])
        said = [reason for _where, reason in result.failed] + [row["notes"] or "" for row in result.rows]
        if not any("truncated" in text for text in said):
            missed.append((cut, said))
    assert missed == []
    # A file missing only its final CRC imports whole, with a note.
    (row,) = read_fit("no-crc.fit", data[:-2]).rows
    (whole,) = read_fit("whole.fit", data).rows
    assert row["notes"] == "the file's final CRC is missing (its records are complete)"
    assert {k: v for k, v in row.items() if k not in ("notes", "source")} == \
        {k: v for k, v in whole.items() if k not in ("notes", "source")}
    # Through the command line, the summary says it.
    cut = _write(tmp_path / "cut.fit", "")
    cut.write_bytes(data[: len(data) // 2 - len(data) // 2 % 7])
    status, out, err = _main(tmp_path, ["import", cut, "-o", tmp_path / "log.csv", "--no-progress"])
    assert status == 0 and "truncated" in out, out + err


# --- a large log fails fast -------------------------------------------------------------------------


def _big_log(n):
    import datetime as dt

    start = dt.date(2000, 1, 1)
    rows = [f"{(start + dt.timedelta(days=i // 10)).isoformat()},run,{30 + i % 60},{5 + (i % 10) / 2},{i % 10}"
            for i in range(n)]
    return ["date,activity,duration_min,distance_km,rpe", *rows]


def test_a_bad_row_at_the_end_of_a_large_log_fails_fast(tmp_path, monkeypatch):
    # Issue 18: `load` on a 1e6-row log with a bad last row took 21.9 s and 1.4 GB before the
    # (clean) error, the valid file 4.3 s: every cell went the careful way. Now only the block
    # the fast path doubts does, and the problems are the same.
    import heavylegs.logs.traininglog as traininglog
    from heavylegs.errors import InputError

    lines = _big_log(90_000)
    lines[-1] = lines[-1].replace(",run,", ",runn,")
    lines[30_000] = lines[30_000].replace(",5,", ",-5,", 1) if ",5," in lines[30_000] else \
        lines[30_000].rsplit(",", 1)[0] + ",11"
    path = _write(tmp_path / "big.csv", "\n".join(lines) + "\n")
    careful = traininglog._log_from_text
    with pytest.raises(InputError) as whole:
        careful(path.read_text(), str(path))  # every cell checked: the reference
    seen = []

    def counting(text, source):
        seen.append(text.count("\n"))
        return careful(text, source)

    monkeypatch.setattr(traininglog, "_log_from_text", counting)
    with pytest.raises(InputError) as fast:
        traininglog.read_log(path)
    assert [str(p) for p in fast.value.problems] == [str(p) for p in whole.value.problems]
    assert [p.line for p in fast.value.problems] == [30_001, 90_001]
    assert seen and max(seen) <= traininglog._CHUNK_ROWS + 1  # never the whole file cell by cell
    status, out, err = _main(tmp_path, ["load", path])
    assert status == 2 and err.splitlines()[-1].startswith(f"{path}:90001:2: activity: found 'runn'")


def test_a_large_log_with_many_bad_rows_stops_after_a_hundred_problems(tmp_path):
    from heavylegs.errors import InputError
    from heavylegs.logs.traininglog import read_log

    lines = _big_log(50_000)
    for i in range(1, len(lines), 100):
        lines[i] = lines[i].replace(",run,", ",jog,")
    path = _write(tmp_path / "big.csv", "\n".join(lines) + "\n")
    with pytest.raises(InputError) as info:
        read_log(path)
    problems = info.value.problems
    assert len(problems) == 101 and problems[0].line == 2 and problems[99].line == 9902
    assert problems[-1].message.startswith("more problems may follow: the check stopped after the first 100")
    # a valid large log reads whole, and a header problem is named once
    lines = _big_log(50_000)
    assert len(read_log(_write(tmp_path / "ok.csv", "\n".join(lines) + "\n"))) == 50_000
    lines[0] = "date,activity,duration_min,distance_km,duration_min"
    with pytest.raises(InputError) as info:
        read_log(_write(tmp_path / "header.csv", "\n".join(lines) + "\n"))
    assert [str(p) for p in info.value.problems] == [f"{tmp_path / 'header.csv'}:1:5: duration_min: column "
                                                     "'duration_min' appears twice, expected each column once"]


# --- the duplicate search of an import is bounded -----------------------------------------------------


def _brute_force_keep(keys, instants, duration, has_hr):
    """The same-session rule by comparing every pair: the reference for small logs."""
    from heavylegs.logs.traininglog import SAME_SESSION_OVERLAP

    n = len(keys)
    parent = list(range(n))

    def root(i):
        while parent[i] != i:
            i = parent[i]
        return i

    for i in range(n):
        for j in range(i + 1, n):
            same = keys[i] == keys[j]
            if not same and instants[i] is not None and instants[j] is not None \
                    and instants[i][0] == instants[j][0] and keys[i][2] == keys[j][2]:
                s1, e1 = instants[i][1], instants[i][1] + int(duration[i] * 60e9)
                s2, e2 = instants[j][1], instants[j][1] + int(duration[j] * 60e9)
                overlap = min(e1, e2) - max(s1, s2)
                same = overlap > 0 and overlap > SAME_SESSION_OVERLAP * min(e1 - s1, e2 - s2)
            if same:
                a, b = root(i), root(j)
                parent[max(a, b)] = min(a, b)
    keep = [True] * n
    groups = {}
    for pos in range(n):
        groups.setdefault(root(pos), []).append(pos)
    for rows in groups.values():
        best = max(rows, key=lambda pos: (has_hr[pos], duration[pos], -pos))
        for pos in rows:
            keep[pos] = pos == best
    return keep


@pytest.mark.parametrize("seed", range(6))
def test_the_bounded_duplicate_search_keeps_what_every_pair_would(seed):
    import random

    import numpy as np

    from heavylegs.logs.traininglog import _session_features, same_session_keep

    rng = random.Random(seed)
    base = pd.Timestamp("2026-01-01 06:00", tz="UTC")
    rows = []
    for _ in range(300):
        start = base + pd.Timedelta(minutes=rng.choice([0, 1, 5, 20, 30, 45, 60, 90]) + 60 * rng.randrange(40))
        rows.append({"date": start.date().isoformat(), "activity": rng.choice(["run", "run", "cross"]),
                     "duration_min": rng.choice([20, 30, 45, 60, 120]),
                     "start_time": None if rng.random() < 0.1 else start.isoformat(),
                     "distance_km": 5.0, "avg_hr_bpm": rng.choice([None, 140])})
    log = pd.DataFrame(rows)
    keys, instants, duration, has_hr = _session_features(log)
    expected = _brute_force_keep(keys, instants, duration, has_hr)
    assert np.array_equal(same_session_keep(log), np.array(expected))


def test_a_strava_export_of_copies_is_deduplicated_in_bounded_pairs(tmp_path):
    # Issue 18: an activities.csv of 200k rows took 6.8 GB and 32 s: every copy of a session was
    # compared with every other copy. Copies of one span are now compared once.
    import numpy as np

    from heavylegs.logs.formats.strava import read_strava_csv
    from heavylegs.logs.traininglog import SAME_SESSION_NEIGHBOURS, _session_features, _spans, _overlapping_pairs

    header = "Activity ID,Activity Date,Activity Name,Activity Type,Elapsed Time,Distance,Moving Time\n"
    lines = [f'{i},"Mar {1 + i % 20}, 2026, 7:00:00 AM",Run,Run,2700,7.5,2700\n' for i in range(4000)]
    result = read_strava_csv((header + "".join(lines)).encode(), "activities.csv")
    assert len(result.rows) == 4000 and result.failed == []
    log = pd.DataFrame(result.rows)
    keys, instants, duration, _ = _session_features(log)
    left, right = _overlapping_pairs(*_spans(keys, instants, duration))
    assert len(left) <= 20 * SAME_SESSION_NEIGHBOURS  # 20 distinct spans, not 4000 * 3999 / 2 pairs
    export = tmp_path / "export"
    export.mkdir()
    (export / "activities.csv").write_text(header + "".join(lines))
    status, out, err = _main(tmp_path, ["import", export, "-o", tmp_path / "log.csv", "--no-progress"])
    assert status == 0, err
    assert out.splitlines()[-1] == f"wrote 20 sessions to {tmp_path / 'log.csv'}"
    assert np.unique(pd.read_csv(tmp_path / "log.csv")["date"]).size == 20


def test_plan_refuses_a_target_that_is_not_a_regular_file_before_writing_any(tmp_path, data_copy):
    out = tmp_path / "out"
    out.mkdir()
    os.mkfifo(out / "plan.json")
    status, stdout, err = _main(tmp_path, ["plan", "ana", "-o", out, "--data", data_copy], timeout_s=180)
    assert status == 2 and stdout == "" and err == f"{out / 'plan.json'}: is a named pipe (FIFO), expected a " \
                                                  "regular file to write; nothing was written\n", err
    assert sorted(p.name for p in out.iterdir()) == ["plan.json"]


def test_a_roster_written_by_heavylegs_escapes_formulas_and_reads_back(tmp_path):
    from heavylegs.store.profiles import read_roster, write_roster

    profiles = [{"athlete_id": "ana", "name": "=cmd|' /C calc'!A0", "assessed_on": "2026-11-01",
                 "mass_change_kg_90d": -3, "x_note": "@home"}]
    path = write_roster(profiles, tmp_path / "roster.csv")
    text = path.read_text()
    assert "'=cmd" in text and ",'@home" in text and ",-3," in text
    (again,) = read_roster(path)
    assert again["name"] == "=cmd|' /C calc'!A0" and again["x_note"] == "@home" and again["mass_change_kg_90d"] == -3


# --- every check-in writer, in any order: nothing acknowledged is lost ------------------------------

from hypothesis import settings, strategies as st  # noqa: E402
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule  # noqa: E402

_DAYS = [f"2026-03-{d:02d}" for d in range(1, 11)]
_NOTES = st.one_of(st.none(), st.sampled_from(["=1+1", "-tired", "@coach", "fine", "a,b", 'say "hi"', "x" * 300]))


class CheckinWriters(RuleBasedStateMachine):
    """The quick entry, the merge of an import, a bad entry and a whole-file write, in any order.

    The model is what each acknowledged write says the file holds: one row a day, the latest
    heaviness and note written for it; a refused write changes nothing.
    """

    def __init__(self):
        super().__init__()
        import tempfile

        self.data = __import__("pathlib").Path(tempfile.mkdtemp(prefix="heavylegs-checkin-writers-"))
        self.path = checkins_path(self.data, "ana")
        self.model = {}

    @rule(day=st.sampled_from(_DAYS), heaviness=st.integers(0, 10), notes=_NOTES)
    def quick_entry(self, day, heaviness, notes):
        add_checkin(self.data, "ana", {"date": day, "heaviness": heaviness, "notes": notes})
        old = self.model.get(day, (None, None))
        self.model[day] = (heaviness, notes if notes is not None else old[1])  # unknown keeps the earlier

    @rule(days=st.lists(st.sampled_from(_DAYS), min_size=1, max_size=4, unique=True), heaviness=st.integers(0, 10),
          notes=_NOTES)
    def merge_import(self, days, heaviness, notes):
        update_checkins(self.path, pd.DataFrame({"date": days, "heaviness": [heaviness] * len(days),
                                                 "notes": [notes] * len(days)}))
        for day in days:
            self.model[day] = (heaviness, notes)  # an imported row replaces the day whole

    @rule(day=st.sampled_from(_DAYS), bad=st.sampled_from([{"heaviness": 11}, {"heaviness": 10**400},
                                                           {"date": "9999-12-31"}, {"notes": "x" * 2001},
                                                           {"notes": "\ud800"}, {"sleep_h": "٣"}]))
    def refused_entry(self, day, bad):
        from heavylegs.errors import InputError

        before = self.path.read_bytes() if self.path.exists() else None
        with pytest.raises(InputError):
            add_checkin(self.data, "ana", {"date": day, "heaviness": 3, **bad})
        assert (self.path.read_bytes() if self.path.exists() else None) == before

    @invariant()
    def the_file_holds_every_acknowledged_write(self):
        frame = load_checkins(self.data, "ana")
        got = {d.date().isoformat(): (int(h), None if not isinstance(n, str) else n)
               for d, h, n in zip(frame["date"], frame["heaviness"], frame["notes"])}
        assert got == self.model


CheckinWriters.TestCase.settings = settings(max_examples=25, stateful_step_count=12, deadline=None)
test_checkin_writers_in_any_order_lose_nothing = CheckinWriters.TestCase
