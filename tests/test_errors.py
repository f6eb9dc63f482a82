"""heavylegs.errors: problems, and the limits every input respects."""
import datetime as dt
import doctest
import os

import pytest

import heavylegs.errors as errors
from heavylegs.errors import (FIRST_DATE, LAST_DATE, InputError, Problem, ascii_number,
                              check_date_range, find_lone_surrogate, read_input_file)


def test_problem_names_file_line_column_field():
    assert str(Problem("log.csv", "found 'x', expected a number", field="rpe", line=3, column=5)) == \
        "log.csv:3:5: rpe: found 'x', expected a number"


def test_docstring_examples_run():
    assert doctest.testmod(errors).failed == 0


@pytest.mark.parametrize("text, expected", [
    ("12.5", 12.5), (" -3 ", -3.0), ("1e3", 1000.0), (".5", 0.5),
    ("٣", None), ("３", None), ("४५", None), ("nan", None), ("inf", None), ("1_000", None),
    ("", None), ("1,5", None), ("0x10", None),
])
def test_ascii_number_reads_ascii_digits_only(text, expected):
    assert float("٣") == 3.0  # what Python itself would do
    assert ascii_number(text) == expected


@pytest.mark.parametrize("day, ok", [
    (dt.date(1900, 1, 1), True), (dt.date(2100, 12, 31), True), (dt.date(2026, 11, 20), True),
    (dt.date(1899, 12, 31), False), (dt.date(2101, 1, 1), False), (dt.date(1000, 1, 1), False),
    (dt.date(9999, 12, 31), False), (dt.datetime(9999, 1, 1, 12, 0), False),
])
def test_date_range(day, ok):
    assert FIRST_DATE == dt.date(1900, 1, 1) and LAST_DATE == dt.date(2100, 12, 31)
    message = check_date_range(day)
    assert (message is None) == ok
    if not ok:
        assert message.endswith("expected a date from 1900-01-01 to 2100-12-31")


def test_lone_surrogate_found():
    assert find_lone_surrogate("Ana") is None
    assert find_lone_surrogate("Ana 🏃") is None  # a real pair is fine
    assert find_lone_surrogate("An\ud800a") == 2
    assert find_lone_surrogate("\udfff") == 0


def test_read_input_file_reads_a_small_regular_file(tmp_path):
    path = tmp_path / "a.json"
    path.write_bytes(b"{}")
    assert read_input_file(path, 10, "a profile") == b"{}"
    link = tmp_path / "link.json"
    link.symlink_to(path)
    assert read_input_file(link, 10, "a profile") == b"{}"


def test_read_input_file_refuses_a_large_file_without_reading_it(tmp_path):
    path = tmp_path / "big.csv"
    with open(path, "wb") as handle:
        handle.truncate(3 * 2**30)  # sparse: nothing is really written
    with pytest.raises(InputError, match=r"big.csv: is 3072 MiB, expected a log of at most 1 MiB"):
        read_input_file(path, 2**20, "a log")


def test_read_input_file_refuses_a_pipe_without_blocking(tmp_path):
    fifo = tmp_path / "a.gpx"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match=r"is a named pipe \(FIFO\), expected a regular file"):
        read_input_file(fifo, 100, "a file")


def test_read_input_file_refuses_a_link_to_a_device(tmp_path):
    zero = tmp_path / "zero.json"
    zero.symlink_to("/dev/zero")
    with pytest.raises(InputError, match=r"is a character device \(through a link to /dev/zero\)"):
        read_input_file(zero, 100, "a file")
    with pytest.raises(InputError, match="is a folder"):
        read_input_file(tmp_path, 100, "a file")
