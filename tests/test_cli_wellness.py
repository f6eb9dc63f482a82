"""`heavylegs wellness import` and `heavylegs score --wellness` (spec/wellness.md, spec/cli.md)."""
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

from heavylegs.cli import main

DATA = Path(__file__).resolve().parent / "data" / "wellness"
HRV = [DATA / "matin_garth__test_daily_hrv_paginate.i0.json", DATA / "matin_garth__test_daily_hrv_paginate.i1.json"]


def test_import_to_an_athletes_file_then_again_is_idempotent(tmp_path, capsys):
    out = tmp_path / "data" / "athletes" / "ana" / "wellness.csv"
    assert main(["wellness", "import", *map(str, HRV), "-o", str(out)]) == 0
    text = capsys.readouterr().out.splitlines()
    assert text[0] == (f"{HRV[0]}: Garmin Connect daily HRV (JSON) (Garmin): 28 days, 2023-06-23 to 2023-07-20; "
                       "columns filled: hrv_ms")
    assert text[-1] == f"wrote 40 rows (40 days imported) to {out}"
    first = out.read_text()
    assert main(["wellness", "import", *map(str, HRV), "--athlete", "ana", "--data", str(tmp_path / "data")]) == 0
    assert capsys.readouterr().out.splitlines()[-1].endswith("40 rows were there, 0 values replaced")
    assert out.read_text() == first


def test_an_unidentifiable_file_exits_2_naming_it_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "wellness.csv"
    bad = DATA / "openmhealth_shimmer__googlefit-merge-heart-rate.json"
    assert main(["wellness", "import", str(HRV[0]), str(bad), "-o", str(out)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"{bad}: is Google Fit REST data")
    assert not out.exists()


def test_files_without_any_value_exit_2(tmp_path, capsys):
    out = tmp_path / "wellness.csv"
    stress = DATA / "matin_garth__test_daily_stress_pagination.i2.json"
    assert main(["wellness", "import", str(stress), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.strip() == (f"{stress}: Garmin Connect daily stress (JSON): found no day with sleep, resting heart "
                           f"rate, HRV or scores; nothing written to {out}")
    assert not out.exists()


def test_missing_file_and_bad_athlete_id(tmp_path, capsys):
    assert main(["wellness", "import", str(tmp_path / "nope.zip"), "-o", str(tmp_path / "w.csv")]) == 2
    assert "nope.zip: no such file or folder" in capsys.readouterr().err
    assert main(["wellness", "import", str(HRV[0]), "--athlete", "../x", "--data", str(tmp_path)]) == 2
    assert "--athlete: athlete_id: found '../x'" in capsys.readouterr().err


def test_score_with_wellness_fills_and_says_so(tmp_path, data_copy):
    profile = json.loads((data_copy / "athletes" / "ana.json").read_text())
    for key in ("sleep_h", "resting_hr_bpm", "resting_hr_baseline_bpm"):
        profile.pop(key, None)
    profile["assessed_on"] = "2023-07-20"
    (tmp_path / "p.json").write_text(json.dumps(profile))
    wellness = tmp_path / "w.csv"
    rows = ["date,source,rhr_bpm,sleep_h"]
    for i in range(67):
        day = dt.date(2023, 7, 20) - dt.timedelta(days=66 - i)
        rows.append(f"{day},garmin,{50 if i < 60 else 57},6.5")
    wellness.write_text("\n".join(rows) + "\n")
    proc = subprocess.run([sys.executable, "-m", "heavylegs", "score", str(tmp_path / "p.json"), "--wellness",
                           str(wellness), "--json"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    used = {e["field"]: e["used"] for e in doc["from_wellness"]}
    assert used == {"resting_hr_bpm": "device", "resting_hr_baseline_bpm": "device", "sleep_h": "device"}
    text = subprocess.run([sys.executable, "-m", "heavylegs", "score", str(tmp_path / "p.json"), "--wellness",
                           str(wellness)], capture_output=True, text=True, timeout=120).stdout
    assert "From the wearable:\n  resting heart rate 57.0 bpm from Garmin, mean of 7 mornings, 2023-07-14 to " \
           "2023-07-20" in text
    bad = tmp_path / "bad.csv"
    bad.write_text("date,source,rhr_bpm\n2023-07-20,garmin,500\n")
    proc = subprocess.run([sys.executable, "-m", "heavylegs", "score", str(tmp_path / "p.json"), "--wellness",
                           str(bad)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and proc.stderr.strip() == (f"{bad}:2:3: rhr_bpm: found 500, expected a number from "
                                                            "25 to 120 [bpm]")
    assert proc.stdout == ""
