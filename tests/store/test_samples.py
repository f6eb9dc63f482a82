"""heavylegs.store.samples: the packaged sample athletes copied to a folder, never over a file."""
import pytest

from heavylegs import cli
from heavylegs.errors import InputError
from heavylegs.store.samples import copy_samples, sample_files
from heavylegs.files import PACKAGED_DATA_DIR


def _tree(folder):
    return {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_the_samples_are_every_sample_file_and_nothing_hidden(tmp_path):
    names = [str(p) for p in sample_files()]
    assert "README.md" in names and "athletes/ana.json" in names and "athletes/ben/log.csv" in names
    assert "athletes/ana/assessments/2026-11-16T180000.json" in names
    assert not any(part.startswith(".") for name in names for part in name.split("/"))


def test_copy_into_a_new_folder_gives_the_same_files(tmp_path):
    written = copy_samples(tmp_path / "data")
    assert len(written) == len(sample_files())
    packaged = {k: v for k, v in _tree(PACKAGED_DATA_DIR).items() if k in set(sample_files())}
    assert _tree(tmp_path / "data") == packaged


def test_an_existing_file_is_never_overwritten_and_nothing_is_written(tmp_path):
    target = tmp_path / "data"
    (target / "athletes").mkdir(parents=True)
    mine = target / "athletes" / "ana.json"
    mine.write_text('{"athlete_id": "ana", "name": "my own Ana"}', encoding="utf-8")
    with pytest.raises(InputError) as info:
        copy_samples(target)
    assert [str(p) for p in info.value.problems] == [
        f"{mine}: already exists; the samples never overwrite a file: copy them into another folder "
        "(heavylegs samples DIR)"]
    assert _tree(target) == {mine.relative_to(target): b'{"athlete_id": "ana", "name": "my own Ana"}'}


def test_a_file_in_place_of_the_folder_is_refused(tmp_path):
    (tmp_path / "data").write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match="found a file, expected a folder"):
        copy_samples(tmp_path / "data")


def test_the_command_copies_then_refuses_a_second_time(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["samples"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("copied 8 fictional sample athletes (") and "try: heavylegs score data/athletes/ana.json" in out
    assert cli.main(["score", "data/athletes/ana.json"]) == 0
    capsys.readouterr()
    before = _tree(tmp_path / "data")
    assert cli.main(["samples"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == len(sample_files()) and all("already exists" in line for line in err)
    assert _tree(tmp_path / "data") == before
    assert cli.main(["samples", "other"]) == 0 and (tmp_path / "other" / "athletes" / "gus.json").is_file()
