"""scripts/make_large_export.py: valid FIT rewrites, and a small export that imports whole."""
import csv
import gzip
import importlib.util
import io
import random
import sys
import zipfile
from datetime import datetime, timedelta
from pathlib import Path

import fitdecode
import pytest

from heavylegs import WorkbookModel
from heavylegs.logs.formats import import_sources, read_activity_file
from heavylegs.logs.formats.fit import read_fit
from heavylegs.logs.formats.strava import parse_strava_date

ROOT = Path(__file__).resolve().parent.parent
ACTIVITIES = ROOT / "tests" / "data" / "activities"
SMALL_FIT = ACTIVITIES / "fitparse__2013-02-06-12-11-14.fit"


def _script():
    name = "make_large_export"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up while the class is built
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.fixture(scope="module")
def script():
    return _script()


@pytest.fixture(scope="module")
def export(script, tmp_path_factory):
    path = tmp_path_factory.mktemp("export") / "export.zip"
    return path, script.make_export(path, 2_000_000, seed=8)


def test_fit_crc_known_value(script):
    # The check value of CRC-16/ARC, the CRC of the FIT protocol.
    assert script.fit_crc(b"123456789") == 0xBB3D


def test_fit_crc_update_equals_a_full_crc(script):
    rng = random.Random(1)
    old = bytes(rng.randrange(256) for _ in range(5000))
    new = bytearray(old)
    changes = []
    for offset in sorted(rng.sample(range(0, 4990, 10), 40)):
        delta = bytes(rng.randrange(1, 256) for _ in range(4))
        new[offset:offset + 4] = bytes(a ^ b for a, b in zip(old[offset:offset + 4], delta))
        changes.append((offset, delta))
    assert script.fit_crc_update(script.fit_crc(old), len(old), changes) == script.fit_crc(bytes(new))


def test_shift_fit_moves_every_date_and_keeps_the_file_valid(script):
    data = SMALL_FIT.read_bytes()
    moved = script.shift_fit(data, 1000 * 86400)
    assert len(moved) == len(data)
    assert script.fit_crc(moved) == 0  # the CRC of a FIT file with its CRC is 0

    def dates(buffer):
        found = []
        with fitdecode.FitReader(io.BytesIO(buffer), check_crc=fitdecode.CrcCheck.RAISE) as reader:
            for frame in reader:
                if isinstance(frame, fitdecode.FitDataMessage):
                    found += [f.value for f in frame.fields if isinstance(f.value, datetime)]
        return found
    before, after = dates(data), dates(moved)
    assert len(before) == len(after) == 611
    assert {b - a for a, b in zip(before, after)} == {timedelta(days=1000)}
    old, new = read_fit(SMALL_FIT, data).rows[0], read_fit(SMALL_FIT, moved).rows[0]
    assert new["start_time"] == "2015-11-03T12:11:14+00:00"
    assert (new["duration_min"], new["distance_km"]) == (old["duration_min"], old["distance_km"])


def test_shift_fit_refuses_a_shift_that_breaks_compressed_timestamps(script):
    with pytest.raises(ValueError, match="multiple of 32"):
        script.shift_fit(SMALL_FIT.read_bytes(), 3600 + 1)


def test_shift_text_moves_dates_across_month_ends(script):
    text = b"<time>2017-05-27T08:13:01Z</time><time>2017-05-28T00:00:01Z</time><name>2017-05-27</name>"
    assert script.shift_text(text, 5) == (b"<time>2017-06-01T08:13:01Z</time><time>2017-06-02T00:00:01Z</time>"
                                          b"<name>2017-05-27</name>")


def test_parse_size(script):
    assert script.parse_size("1G") == 10**9
    assert script.parse_size("100M") == 10**8
    assert script.parse_size("2.5MB") == 2_500_000
    assert script.parse_size("1234") == 1234


def test_export_has_the_real_header_and_one_file_per_row(export):
    path, made = export
    assert 1_900_000 <= made["bytes"] <= 2_400_000 and made["bytes"] == path.stat().st_size
    header = (ROOT / "tests" / "data" / "strava" / "header_en_99cols_export-2025-12.txt").read_text().strip()
    with zipfile.ZipFile(path) as archive:
        text = archive.read("activities.csv").decode("utf-8")
        rows = list(csv.reader(io.StringIO(text)))
        assert text.splitlines()[0] == header and len(rows[0]) == 99
        assert len(rows) - 1 == made["activities"] > 10
        infos = {info.filename: info for info in archive.infolist()}
        assert len(infos) == made["activities"] + 1
        filename = rows[0].index("Filename")
        for row in rows[1:]:
            info = infos[row[filename]]
            assert info.compress_type == zipfile.ZIP_STORED and row[filename].endswith(".gz")
            assert gzip.decompress(archive.read(info))[:1]  # a whole gzip stream
        assert set(made["kinds"]) == {"fit", "gpx", "tcx"}


def test_each_activity_file_agrees_with_its_row(export, tmp_path):
    path, _ = export
    with zipfile.ZipFile(path) as archive:
        rows = list(csv.DictReader(io.StringIO(archive.read("activities.csv").decode("utf-8"))))
        for row in rows:
            target = tmp_path / Path(row["Filename"]).name
            target.write_bytes(archive.read(row["Filename"]))
            read = read_activity_file(target).rows
            assert len(read) == 1
            start = datetime.fromisoformat(read[0]["start_time"])
            assert abs(start - parse_strava_date(row["Activity Date"])) < timedelta(seconds=1)


def test_export_is_the_same_for_the_same_seed(script, tmp_path):
    first = script.make_export(tmp_path / "a.zip", 300_000, seed=3)
    second = script.make_export(tmp_path / "b.zip", 300_000, seed=3)
    assert first["activities"] == second["activities"]
    assert (tmp_path / "a.zip").read_bytes() == (tmp_path / "b.zip").read_bytes()


def test_export_imports_every_activity_as_a_session(export, data_copy):
    path, made = export
    result = import_sources([path], use_cache=False)
    assert (result.sessions, result.duplicates_skipped, result.failed) == (made["activities"], 0, [])
    model = WorkbookModel(data_copy)
    model.new("bulk")
    outcome = model.import_path(str(path))
    assert (outcome["added"], outcome["duplicates"], outcome["failed"]) == (made["activities"], 0, [])
    assert len(model.log) == made["activities"]
