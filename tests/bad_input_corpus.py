"""A generated corpus of malformed inputs for the command line, and its runner.

Used by ``tests/test_bad_input.py`` (which asserts the outcome of every case)
and ``benchmarks/bench_bad_input.py`` (which prints the counts). Nothing here
is committed data: every file is written at run time into a temporary
folder, the bombs as small compressed files (a few MB) that would unpack to
1-2 GiB.

A case is one command line (``heavylegs.cli.main(argv)``) and what a clean
outcome is:

* ``expect == 2``: refused, status 2, every standard-error line names one of
  ``names``, nothing written at ``outputs``;
* ``expect == 0``: an import where the other files were fine: status 0, the
  bad file reported by name in the summary, a log written that reads back;
* ``expect is None``: a mutated real file that may or may not still hold a
  session: either of the two above.

In every case: no Python traceback, no hang, memory bounded.

Run as a script, it runs a share of the cases in this process and prints one
JSON line per case (see :func:`run_worker`).
"""
from __future__ import annotations

import contextlib
import gzip
import io
import json
import os
import random
import resource
import signal
import socket
import struct
import subprocess
import sys
import time
import traceback
import zipfile
import zlib
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ACTIVITIES = HERE / "data" / "activities"
#: Seconds one case may take in the worker before it counts as a hang.
CASE_ALARM_S = 60
#: Address-space limit of a worker [bytes]: a bomb that slipped through would
#: fail with MemoryError here instead of filling the machine.
WORKER_MEMORY_LIMIT = 3 * 2**30

_GOOD_PROFILE = {"athlete_id": "ana", "name": "Ana", "assessed_on": "2026-11-20", "sex": "female",
                 "age_years": 34, "sleep_h": 7.5, "hemoglobin_g_dl": 13.1, "diet": "omnivore",
                 "runs_per_week": 4, "strength_within_48h": False}
_GOOD_LOG = ("date,activity,duration_min,distance_km,rpe,session_type,avg_hr_bpm,elevation_gain_m,"
             "surface,start_time,source,notes\n"
             "2026-10-01,run,45,8.2,4,easy,142,60,road,2026-10-01T07:00:00+02:00,watch,easy run\n"
             "2026-10-03,strength,40,,6,strength,,,,,,legs\n"
             "2026-10-05,run,95,18,5,long,150,210,trail,,,long one\n"
             "2026-10-08,rest,,,,,,,,,,\n"
             "2026-10-09,run,50,10,7,tempo,160,40,road,,,\n")
_STRAVA_HEADER = (ACTIVITIES / "gap__activities.csv").read_text(encoding="utf-8").splitlines()[0]


@dataclass
class Case:
    """One command line and the clean outcome expected (see the module docstring)."""

    name: str
    argv: list
    expect: int | None
    names: list
    outputs: list = field(default_factory=list)
    bad_files: list = field(default_factory=list)


# ---------------------------------------------------------------------------
# Bombs and odd files, generated small


def _gzip_bomb(path: Path, unpacked: int, head: bytes = b"") -> None:
    """A gzip file that unpacks to ``unpacked`` bytes: identical members, each 64 MiB."""
    member_size = 64 * 2**20
    member = gzip.compress(head.ljust(member_size, b"\0"), compresslevel=9, mtime=0)
    plain = gzip.compress(bytes(member_size), compresslevel=9, mtime=0)
    with open(path, "wb") as handle:
        handle.write(member)
        for _ in range(unpacked // member_size - 1):
            handle.write(plain)


def _deflate_zeros(size: int) -> bytes:
    """Raw deflate data for ``size`` zero bytes, built from one repeated 1 MiB block.

    A full flush makes each block independent of what came before, so the
    same compressed block can be repeated (zlib's own trick for appends).
    """
    chunk = 2**20
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = packer.compress(bytes(chunk)) + packer.flush(zlib.Z_FULL_FLUSH)
    end = zlib.compressobj(9, zlib.DEFLATED, -15).flush(zlib.Z_FINISH)
    return block * (size // chunk) + end


def _zip_bytes(name: str, data: bytes, size: int, *, method: int = 8, flags: int = 0,
               crc: int = 0) -> bytes:
    """A one-member zip written by hand, declaring ``size`` unpacked bytes."""
    raw = name.encode()
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, flags, method, 0, 0x21, crc,
                        len(data), size, len(raw), 0) + raw
    central = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, flags, method, 0, 0x21, crc,
                          len(data), size, len(raw), 0, 0, 0, 0, 0, 0) + raw
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(central), len(local) + len(data), 0)
    return local + data + central + end


def _small_zip(csv_text: str, name: str = "export/activities.csv") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, csv_text)
        archive.writestr("export/activities/1.gpx", "<gpx/>")
    return buffer.getvalue()


def _patch_zip(data: bytes, *, flags: int | None = None, method: int | None = None) -> bytes:
    """Set the flag bits or the compression method of every member, in both headers."""
    out = bytearray(data)
    for signature, flag_at, method_at in ((b"PK\x03\x04", 6, 8), (b"PK\x01\x02", 8, 10)):
        start = 0
        while (start := out.find(signature, start)) >= 0:
            if flags is not None:
                out[start + flag_at:start + flag_at + 2] = struct.pack("<H", flags)
            if method is not None:
                out[start + method_at:start + method_at + 2] = struct.pack("<H", method)
            start += 4
    return bytes(out)


def tiny_message_fit(count: int) -> bytes:
    """A FIT file of ``count`` two-byte record messages (heart rate only)."""
    body = bytes([0x40, 0, 0]) + struct.pack("<HB", 20, 1) + bytes([3, 1, 0x02])
    body += bytes([0x00, 120]) * count
    return struct.pack("<BBHI4s", 12, 0x10, 2100, len(body), b".FIT") + body + b"\0\0"


def many_points_gpx(count: int) -> bytes:
    """A GPX track of ``count`` minimal timed points, one a second."""
    points = "".join(f'<trkpt lat="0" lon="0"><time>2026-01-01T{i // 3600 % 24:02d}:{i // 60 % 60:02d}:'
                     f'{i % 60:02d}Z</time></trkpt>' for i in range(count))
    return (f'<?xml version="1.0"?><gpx version="1.1" creator="x"><trk><trkseg>{points}'
            "</trkseg></trk></gpx>").encode()


def _sparse(path: Path, size: int) -> None:
    with open(path, "wb") as handle:
        handle.truncate(size)


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _socket(path: Path) -> None:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.bind(str(path))
    finally:
        sock.close()


def _odd_files(folder: Path, name: str) -> list:
    """(label, path) of a FIFO, a link to /dev/zero, a folder, a sparse huge file, a socket."""
    made = []
    fifo = folder / f"fifo-{name}"
    _fifo(fifo)
    made.append(("fifo", fifo))
    zero = folder / f"zero-{name}"
    zero.symlink_to("/dev/zero")
    made.append(("devzero", zero))
    loop = folder / f"loop-{name}"
    loop.symlink_to(loop.name)  # a link to itself
    made.append(("linkloop", loop))
    big = folder / f"huge-{name}"
    _sparse(big, 3 * 2**30)
    made.append(("sparse3gib", big))
    if len(str(folder / f"sock-{name}")) < 100:  # AF_UNIX paths are short
        sock = folder / f"sock-{name}"
        _socket(sock)
        made.append(("socket", sock))
    return made


# ---------------------------------------------------------------------------
# Mutations of real files


def _truncations(data: bytes, rng: random.Random, count: int) -> list:
    cuts = {0, 1, 11, 13, len(data) // 2, len(data) - 1}
    while len(cuts) < count:
        cuts.add(rng.randrange(len(data)))
    return [(f"cut{cut}", data[:cut]) for cut in sorted(cuts)[:count]]


def _bit_flips(data: bytes, rng: random.Random, count: int) -> list:
    out = []
    for index in range(count):
        mutated = bytearray(data)
        for _ in range(1 + index % 4):
            pos = rng.randrange(min(len(data), 4096) if index % 2 else len(data))
            mutated[pos] ^= 1 << rng.randrange(8)
        out.append((f"flip{index}", bytes(mutated)))
    return out


def _xml_text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


# ---------------------------------------------------------------------------
# The corpus


def build_corpus(folder) -> list:
    """Write every input into ``folder`` and return the cases, in a fixed order.

    Parameters
    ----------
    folder : str or Path
        An empty folder.

    Returns
    -------
    list of Case
    """
    folder = Path(folder)
    rng = random.Random(20261201)
    cases: list = []
    cases += _profile_cases(folder / "profiles", rng)
    cases += _log_cases(folder / "logs", rng)
    cases += _activity_cases(folder / "activities", rng)
    cases += _export_cases(folder / "exports", rng)
    cases += _dashboard_cases(folder / "dashboard")
    return cases


def _profile_cases(folder: Path, rng: random.Random) -> list:
    folder.mkdir(parents=True)
    cases = []
    good = folder / "good.json"
    good.write_text(json.dumps(_GOOD_PROFILE), encoding="utf-8")
    good_log = folder / "good-log.csv"
    good_log.write_text(_GOOD_LOG, encoding="utf-8")

    def case(name, text=None, data=None, extra=(), expect=2):
        path = folder / f"{name}.json"
        if data is None:
            data = text.encode("utf-8", "surrogatepass")
        path.write_bytes(data)
        cases.append(Case(f"profile/{name}", ["score", str(path), *extra], expect, [str(path)]))

    def with_fields(label, /, **fields):
        case(label, json.dumps({**_GOOD_PROFILE, **fields}, ensure_ascii=True))

    deep = 1000
    case("deep-array-1000", '{"athlete_id": "ana", "x_a": ' + "[" * deep + "]" * deep + "}")
    case("deep-object-1000", '{"athlete_id": "ana", "x_a": ' + '{"a":' * deep + "1" + "}" * deep + "}")
    case("deep-100000", "[" * 100000 + "]" * 100000)
    case("deep-x-40", '{"athlete_id": "ana", "x_a": ' + "[" * 40 + "]" * 40 + "}")
    case("deep-field-900", '{"athlete_id": "ana", "sleep_h": ' + "[" * 900 + "]" * 900 + "}")
    case("surrogate-name", '{"athlete_id": "ana", "name": "An\\ud800a"}')
    case("surrogate-low-name", '{"athlete_id": "ana", "name": "\\udfff"}')
    case("surrogate-key", '{"athlete_id": "ana", "x_\\ud800": 1}')
    case("surrogate-x-value", '{"athlete_id": "ana", "x_note": ["ok", "\\ud83d"]}')
    case("surrogate-enum", '{"athlete_id": "ana", "diet": "vegan\\ud800"}')
    case("surrogate-id", '{"athlete_id": "an\\ud800"}')
    for token in ("NaN", "Infinity", "-Infinity"):
        case(f"x-{token}", '{"athlete_id": "ana", "x_value": ' + token + "}")
        case(f"x-nested-{token}", '{"athlete_id": "ana", "x_value": {"a": [1, ' + token + "]}}")
        case(f"field-{token}", '{"athlete_id": "ana", "sleep_h": ' + token + "}")
    case("number-1e999", '{"athlete_id": "ana", "sleep_h": 1e999}')
    case("int-5000-digits", '{"athlete_id": "ana", "age_years": ' + "9" * 5000 + "}")
    for day in ("9999-12-31", "0001-01-01", "1899-12-31", "2101-01-01", "1000-01-01", "2026-02-30",
                "٢٠٢٦-١١-٢٠", "２０２６-11-20", "2026-11-20T00:00", "20261120"):
        with_fields(f"assessed-{day}", assessed_on=day)
    case("assessed-9999-with-log", json.dumps({**_GOOD_PROFILE, "assessed_on": "9999-12-31"}),
         extra=["--log", str(good_log)])
    for name, value in (("arabic-digits", "٣"), ("fullwidth-digits", "３"), ("nan-text", "nan"),
                        ("underscore", "1_0"), ("bool", True), ("list", [[]]), ("object", {"a": 1})):
        with_fields(f"age-{name}", age_years=value)
    case("empty", data=b"")
    case("bom-only", data=b"\xef\xbb\xbf")
    case("whitespace", data=b" \n\t ")
    case("not-utf8", data=b'{"athlete_id": "ana", "name": "\xff\xfe"}')
    case("utf16", data=json.dumps(_GOOD_PROFILE).encode("utf-16"))
    case("nul-bytes", data=b'{"athlete_id": "ana"\x00}')
    for name, text in (("array", "[]"), ("string", '"ana"'), ("number", "3"), ("null", "null"),
                       ("duplicate-key", '{"athlete_id": "ana", "athlete_id": "ben"}'),
                       ("unknown-field", '{"athlete_id": "ana", "sleeep_h": 7}'),
                       ("format", '{"athlete_id": "ana", "format": "heavylegs.profile/9"}'),
                       ("trailing-comma", '{"athlete_id": "ana",}'),
                       ("no-id", '{"name": "Ana"}'), ("bad-id", '{"athlete_id": "../../etc"}'),
                       ("long-name", json.dumps({"athlete_id": "ana", "name": "x" * 5000}))):
        case(name, text)
    text = json.dumps(_GOOD_PROFILE, indent=1)
    for label, cut in _truncations(text.encode(), rng, 12):
        if cut.strip() and cut != text.encode():
            case(f"truncated-{label}", data=cut)
    # Wrong values field by field: every field gets one value of a wrong kind.
    from heavylegs.vocabulary import PROFILE_FIELDS

    wrong = {"int": "٣", "number": "nan", "bool": "yes", "enum": "unknown-value", "list": "a;b",
             "date": "2026-13-01", "str": ["not", "text"]}
    for name, spec in PROFILE_FIELDS.items():
        if name == "athlete_id":
            continue
        with_fields(f"field-{name}", **{name: wrong.get(spec.kind, [["x"]])})
    big = folder / "huge.json"
    big.write_text('{"athlete_id": "ana", "x_pad": "' + "x" * (2 * 2**20) + '"}', encoding="utf-8")
    cases.append(Case("profile/2mib", ["score", str(big)], 2, [str(big)]))
    for label, path in _odd_files(folder, "profile.json"):
        cases.append(Case(f"profile/{label}", ["score", str(path)], 2, [str(path)]))
    cases.append(Case("profile/missing", ["score", str(folder / "missing.json")], 2,
                      [str(folder / "missing.json")]))
    cases.append(Case("profile/folder", ["score", str(folder)], 2, [str(folder)]))
    from heavylegs import load_causes

    beyond = str(len(load_causes()) + 1)  # one more than the catalogue holds
    for top in ("-5", "0", beyond, "99999999999999999999", "٣", "1.5", "", "5e1"):
        cases.append(Case(f"score/top={top!r}", ["score", str(good), "--top", top], 2, ["--top"]))
    return cases


def _log_cases(folder: Path, rng: random.Random) -> list:
    folder.mkdir(parents=True)
    cases = []
    good = folder / "good.csv"
    good.write_text(_GOOD_LOG, encoding="utf-8")
    header, *rows = _GOOD_LOG.splitlines()

    def case(name, text=None, data=None, extra=(), command="load", expect=2):
        path = folder / f"{name}.csv"
        path.write_bytes(data if data is not None else text.encode("utf-8"))
        argv = ["load", str(path), *extra] if command == "load" else \
            ["score", str(folder.parent / "profiles" / "good.json"), "--log", str(path)]
        cases.append(Case(f"{command}/{name}", argv, expect, [str(path)]))

    def with_cell(name, column, value, row=0, command="load"):
        columns = header.split(",")
        cells = rows[row].split(",")
        cells[columns.index(column)] = value
        lines = list(rows)
        lines[row] = ",".join(cells)
        case(name, "\n".join([header, *lines]) + "\n", command=command)

    for day in ("1000-01-01", "9999-12-31", "0001-01-01", "1677-09-21", "2262-04-12", "1899-12-31",
                "2101-01-01", "2026-02-30", "٢٠٢٦-١٠-٠١", "２０２６-10-01", "2026-10-01T25:00",
                "+2026-10-01", "20261001"):
        with_cell(f"date-{day}", "date", day)
    with_cell("score-date-1000", "date", "1000-01-01", command="score")
    with_cell("score-date-9999", "date", "9999-12-31", command="score")
    for moment in ("9999-12-31T10:00:00", "0001-01-01T00:00:00+00:00", "٢٠٢٦-10-01T07:00",
                   "2026-10-01T07:00:00+99:00"):
        with_cell(f"start-{moment}", "start_time", moment)
    for column in ("duration_min", "distance_km", "rpe", "avg_hr_bpm", "elevation_gain_m"):
        for label, value in (("arabic", "٣"), ("fullwidth", "３"), ("devanagari", "४५"), ("nan", "nan"),
                             ("inf", "inf"), ("1e999", "1e999"), ("underscore", "1_0"),
                             ("comma", "3,5"), ("text", "abc"), ("negative", "-1")):
            if column == "duration_min" or label in ("arabic", "nan", "1e999", "negative"):
                with_cell(f"{column}-{label}", column, f'"{value}"' if "," in value else value)
    for column in ("activity", "session_type", "surface"):
        with_cell(f"{column}-unknown", column, "=cmd|' /C calc'!A0")
    case("missing-date-column", "activity,duration_min\nrun,30\n")
    case("duplicate-column", "date,date,duration_min\n2026-01-01,2026-01-02,30\n")
    case("ragged-row", header + "\n" + rows[0] + ",extra\n")
    case("unbalanced-quote", header + '\n2026-10-01,run,45,8,4,easy,,,,,,"open\n')
    case("not-utf8", data=(header + "\n" + rows[0]).encode() + b"\xff\n")
    case("utf16", data=_GOOD_LOG.encode("utf-16"))
    case("nul-byte", data=(header + "\n" + rows[0] + "\x00\n").encode(), expect=None)
    case("empty", data=b"")
    case("bom-only", data=b"\xef\xbb\xbf")
    case("only-blank-lines", "\n\n \n")
    case("huge-field", header + "\n" + rows[0].replace("easy run", '"' + "x" * 200000 + '"') + "\n",
         expect=None)
    for label, cut in _truncations(_GOOD_LOG.encode(), rng, 6):
        if not cut.strip():
            case(f"truncated-{label}", data=cut)
    for label, path in _odd_files(folder, "log.csv"):
        cases.append(Case(f"load/{label}", ["load", str(path)], 2, [str(path)]))
    big = folder / "huge.csv"
    _sparse(big, 65 * 2**20)
    cases.append(Case("load/65mib-sparse", ["load", str(big)], 2, [str(big)]))
    for until in ("9999-12-31", "0001-01-01", "1899-12-31", "2101-01-01", "2026-09-30", "2026-02-30",
                  "٢٠٢٦-10-10", "2026-W41-1", "tomorrow", ""):
        cases.append(Case(f"load/until={until!r}", ["load", str(good), "--until", until], 2, ["--until"]))
    return cases


def _activity_cases(folder: Path, rng: random.Random) -> list:
    folder.mkdir(parents=True)
    cases = []
    good = folder / "good.fit"
    good.write_bytes((ACTIVITIES / "fitparse__2013-02-06-12-11-14.fit").read_bytes())
    out_dir = folder / "out"
    counter = iter(range(10**6))

    def case(name, path, expect=None, with_good=False):
        output = out_dir / f"{next(counter)}.csv"
        sources = [str(path), str(good)] if with_good else [str(path)]
        cases.append(Case(f"import/{name}", ["import", *sources, "-o", str(output), "--no-progress"],
                          0 if with_good else expect, [str(path)], outputs=[str(output)],
                          bad_files=[str(path)]))

    def write(name, data):
        path = folder / name
        path.write_bytes(data)
        return path

    sources = {
        "fit": (ACTIVITIES / "fitparse__2013-02-06-12-11-14.fit").read_bytes(),
        "fit.gz": (ACTIVITIES / "gap__12866632127.fit.gz").read_bytes(),
        "tcx": (ACTIVITIES / "runpandas__run_garmin.tcx").read_bytes(),
        "gpx": (ACTIVITIES / "runpandas__run.gpx").read_bytes(),
    }
    for ext, data in sources.items():
        for label, mutated in _truncations(data, rng, 8):
            case(f"{ext}-{label}", write(f"{label}.{ext}", mutated))
        for label, mutated in _bit_flips(data, rng, 10):
            case(f"{ext}-{label}", write(f"{label}.{ext}", mutated))
        if ext == "fit.gz":
            plain = gzip.decompress(data)
            case("fit.gz-corrupt-crc", write("crc.fit.gz", data[:-8] + b"\0" * 8), expect=2)
            case("fit.gz-truncated-stream", write("cut.fit.gz", data[: len(data) // 2]), expect=2)
            case("fit.gz-garbage-after-magic", write("garbage.fit.gz", b"\x1f\x8b" + bytes(200)),
                 expect=2)
            case("fit.gz-double", write("double.fit.gz", gzip.compress(gzip.compress(plain))), expect=2)
    # Wrong headers.
    case("random-bytes-fit", write("random.fit", rng.randbytes(5000)), expect=2)
    case("zeros-fit", write("zeros.fit", bytes(5000)), expect=2)
    case("empty-fit", write("empty.fit", b""), expect=2)
    case("empty-gz", write("empty.fit.gz", gzip.compress(b"")), expect=2)
    case("fit-header-only", write("header.fit", sources["fit"][:14]), expect=2)
    case("fit-bad-header-size", write("hsize.fit", b"\x02" + sources["fit"][1:]), expect=2)
    case("text-as-tcx", write("text.tcx", b"hello, world\n" * 10), expect=2)
    case("unknown-ext", write("notes.txt", b"just text"), expect=2)
    # Dates out of range inside otherwise good files.
    gpx_text = _xml_text(ACTIVITIES / "runpandas__run.gpx")
    tcx_text = _xml_text(ACTIVITIES / "runpandas__run_garmin.tcx")
    year = gpx_text[gpx_text.index("<time>") + 6:][:4]
    tcx_year = tcx_text[tcx_text.index("<Id>") + 4:][:4]
    for new_year in ("0001", "1000", "1899", "2101", "9999"):
        case(f"gpx-year-{new_year}", write(f"y{new_year}.gpx",
                                           gpx_text.replace(f">{year}-", f">{new_year}-").encode()),
             expect=2)
        case(f"gpx-year-{new_year}-with-good", write(f"y{new_year}b.gpx",
                                                     gpx_text.replace(f">{year}-", f">{new_year}-").encode()),
             with_good=True)
        case(f"tcx-year-{new_year}", write(f"y{new_year}.tcx",
                                           tcx_text.replace(f"{tcx_year}-", f"{new_year}-").encode()),
             expect=2)
    case("gpx-arabic-hr", write("hr.gpx", gpx_text.replace("<gpxtpx:hr>", "<gpxtpx:hr>٣").encode()),
         expect=None)
    case("tcx-arabic-hr", write("hr.tcx", tcx_text.replace("<Value>", "<Value>٣").encode()), expect=None)
    # Deep and entity-laden XML.
    for kind, head, ext in (("gpx", '<gpx version="1.1" creator="x">', "gpx"),
                            ("tcx", "<TrainingCenterDatabase>", "tcx")):
        for depth in (100, 1000, 100000):
            body = head + "<a>" * depth + "</a>" * depth + head.replace("<", "</").split(" ")[0] + ">"
            case(f"{kind}-deep-{depth}", write(f"deep{depth}.{ext}", body.encode()), expect=2)
        laughs = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i else "&lol;" * 10}">'
                            for i in range(10))
                  + "]>" + head + "<name>&lol9;</name>" + head.replace("<", "</").split(" ")[0] + ">")
        case(f"{kind}-billion-laughs", write(f"laughs.{ext}", laughs.encode()), expect=2)
        case(f"{kind}-external-entity", write(f"xxe.{ext}", (
            '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            + head + "<name>&x;</name>" + head.replace("<", "</").split(" ")[0] + ">").encode()), expect=2)
    # Bombs and files that are not files.
    bomb = folder / "bomb.fit.gz"
    _gzip_bomb(bomb, 2**30, sources["fit"][:14])
    case("gzip-bomb-fit", bomb, expect=2)
    case("gzip-bomb-fit-with-good", bomb, with_good=True)
    gpx_bomb = folder / "bomb.gpx.gz"
    _gzip_bomb(gpx_bomb, 2**30, b'<?xml version="1.0"?><gpx version="1.1"><trk><name>')
    case("gzip-bomb-gpx", gpx_bomb, expect=2)
    case("gzip-bomb-gpx-with-good", gpx_bomb, with_good=True)
    big = folder / "huge.fit"
    _sparse(big, 129 * 2**20)
    case("129mib-fit", big, expect=2)
    case("fit-600k-tiny-messages", write("tiny.fit.gz", gzip.compress(tiny_message_fit(600_000))), expect=2)
    case("gpx-200k-points", write("points.gpx.gz", gzip.compress(many_points_gpx(200_000))), expect=2)
    case("gpx-3m-empty-elements", write("padded.gpx.gz", gzip.compress(
        b'<gpx version="1.1"><trk><trkseg>' + b"<x/>" * 3_000_000 + b"</trkseg></trk></gpx>")), expect=2)
    for label, path in _odd_files(folder, "a.gpx"):
        case(label, path, expect=2)
        case(f"{label}-with-good", path, with_good=True)
    fifo_folder = folder / "fifo-folder"
    fifo_folder.mkdir()
    _fifo(fifo_folder / "a.gpx")
    (fifo_folder / "z.fit").symlink_to("/dev/zero")
    (fifo_folder / "run.fit").write_bytes(sources["fit"])
    output = out_dir / "fifo-folder.csv"
    cases.append(Case("import/folder-with-fifo-and-devzero",
                      ["import", str(fifo_folder), "-o", str(output), "--no-progress"], 0,
                      [str(fifo_folder)], outputs=[str(output)],
                      bad_files=[str(fifo_folder / "a.gpx"), str(fifo_folder / "z.fit")]))
    return cases


def _strava_csv(rows: list, header: str = _STRAVA_HEADER) -> str:
    return header + "\n" + "\n".join(rows) + "\n"


def _export_cases(folder: Path, rng: random.Random) -> list:
    folder.mkdir(parents=True)
    cases = []
    out_dir = folder / "out"
    counter = iter(range(10**6))
    good_csv = (ACTIVITIES / "gap__activities.csv").read_text(encoding="utf-8")
    good_row = good_csv.splitlines()[1]
    good_fit = folder / "good.fit"
    good_fit.write_bytes((ACTIVITIES / "fitparse__2013-02-06-12-11-14.fit").read_bytes())

    def case(name, path, expect=None, with_good=False, bad=None):
        output = out_dir / f"{next(counter)}.csv"
        sources = [str(path), str(good_fit)] if with_good else [str(path)]
        cases.append(Case(f"strava/{name}", ["import", *sources, "-o", str(output), "--no-progress"],
                          0 if with_good else expect, [str(path)], outputs=[str(output)],
                          bad_files=[str(bad or path)]))

    def write(name, data):
        path = folder / name
        path.write_bytes(data)
        return path

    def write_csv(label, text):
        path = folder / label / "activities.csv"
        path.parent.mkdir()
        path.write_bytes(text.encode("utf-8"))
        return path

    def row_with(date=None, time_s=None, name=None):
        cells = next(iter(__import__("csv").reader([good_row])))
        if date is not None:
            cells[1] = date
        if time_s is not None:
            cells[5] = cells[15] = cells[16] = time_s
        if name is not None:
            cells[2] = name
        buffer = io.StringIO()
        __import__("csv").writer(buffer, lineterminator="").writerow(cells)
        return buffer.getvalue()

    # activities.csv rows that cannot be read: reported by file:line, exit 2 when nothing is left.
    for label, date in (("year-9999", "Dec 31, 9999, 3:53:35 PM"), ("year-0001", "2001-01-01 25:00:00"),
                        ("year-1000", "1000-05-29 15:53:35"), ("year-2262", "2262-05-29 15:53:35"),
                        ("arabic", "٢٠٢٢-05-29 15:53:35"), ("fullwidth", "May ２９, 2022, 3:53:35 PM"),
                        ("empty", "")):
        path = write_csv(f"date-{label}", _strava_csv([row_with(date=date)]))
        case(f"date-{label}", path, expect=2)
        path = write_csv(f"date-{label}-mixed", _strava_csv([row_with(date=date), good_row]))
        case(f"date-{label}-with-good-row", path, expect=0, bad=f"{path}:2")
    for label, value in (("arabic", "١٤٢٨"), ("nan", "nan"), ("inf", "inf"), ("text", "abc"),
                         ("clock-arabic", "0:٢٣:48")):
        path = write_csv(f"time-{label}", _strava_csv([row_with(time_s=value)]))
        case(f"time-{label}", path, expect=2)
    for label, payload in (("header-only", _STRAVA_HEADER + "\n"), ("nul-in-row", _strava_csv([good_row + "\x00"]))):
        case(f"csv-{label}", write_csv(f"csv-{label}", payload))  # nothing to import, or a NUL in an unread cell
    for label, payload in (("no-columns", "a,b,c\n1,2,3\n"), ("garbage", "\x00\x01\x02" * 100),
                           ("huge-field", _strava_csv([row_with(name="x" * 300000)])),
                           ("unbalanced", _strava_csv(['1,"May 29, 2022, 3:53:35 PM,"open']))):
        case(f"csv-{label}", write_csv(f"csv-{label}", payload), expect=2)
    # Zip archives.
    good_zip = _small_zip(good_csv)
    case("zip-no-csv", write("nocsv.zip", _small_zip(good_csv, name="export/other.csv")), expect=2)
    case("zip-empty", write("empty.zip", b"PK\x05\x06" + bytes(18)), expect=2)
    case("zip-not-zip", write("fake.zip", b"this is not a zip"), expect=2)
    case("zip-encrypted", write("encrypted.zip", _patch_zip(good_zip, flags=1)), expect=2)
    case("zip-encrypted-with-good", write("encrypted2.zip", _patch_zip(good_zip, flags=1)), with_good=True)
    case("zip-deflate64", write("deflate64.zip", _patch_zip(good_zip, method=9)), expect=2)
    case("zip-deflate64-with-good", write("deflate64b.zip", _patch_zip(good_zip, method=9)), with_good=True)
    case("zip-bzip2-bad", write("bzip2.zip", _patch_zip(good_zip, method=12)), expect=2)
    case("zip-unknown-method", write("method99.zip", _patch_zip(good_zip, method=99)), expect=2)
    for label, cut in _truncations(good_zip, rng, 8):
        case(f"zip-{label}", write(f"{label}.zip", cut), expect=2)
    for label, flipped in _bit_flips(good_zip, rng, 10):
        case(f"zip-{label}", write(f"{label}.zip", flipped))
    bomb = _zip_bytes("activities.csv", _deflate_zeros(2 * 2**30), 2 * 2**30)
    case("zip-bomb-2gib", write("bomb.zip", bomb), expect=2)
    case("zip-bomb-2gib-with-good", folder / "bomb.zip", with_good=True)
    liar = _zip_bytes("activities.csv", _deflate_zeros(256 * 2**20), 1000)
    case("zip-bomb-lying-size", write("liar.zip", liar), expect=2)
    stored_liar = _zip_bytes("activities.csv", b"x" * 5000, 10, method=0)
    case("zip-stored-wrong-size", write("stored.zip", stored_liar), expect=2)
    injected = write_csv("formula", _strava_csv([row_with(name="=cmd|' /C calc'!A0"), row_with(name="-5 min warm-up",
                                                                                date="2022-05-30 07:00:00"),
                                  row_with(name="@SUM(A1:A2)", date="2022-05-31 07:00:00"),
                                  row_with(name="+1", date="2022-06-01 07:00:00")]))
    output = out_dir / "formula.csv"
    cases.append(Case("strava/formula-injection", ["import", str(injected), "-o", str(output),
                                                   "--no-progress"], 0, [str(injected)],
                      outputs=[str(output)]))
    # Export folders whose activities.csv is not a file.
    for label in ("fifo", "devzero"):
        export = folder / f"export-{label}"
        export.mkdir()
        csv_path = export / "activities.csv"
        _fifo(csv_path) if label == "fifo" else csv_path.symlink_to("/dev/zero")
        case(f"folder-csv-{label}", export, expect=2, bad=csv_path)
    return cases


def _dashboard_cases(folder: Path) -> list:
    """``export``: -o at a file, answers that cannot be read."""
    data = folder / "data"
    athletes = data / "athletes"
    (athletes / "ana" / "assessments").mkdir(parents=True)
    (athletes / "ana.json").write_text(json.dumps(_GOOD_PROFILE), encoding="utf-8")
    target = folder / "existing.html"
    target.write_text("keep me", encoding="utf-8")
    cases = [
        Case("export/o-existing-file", ["export", "ana", "-o", str(target), "--data", str(data)], 2,
             [str(target)]),
        Case("export/o-under-file", ["export", "ana", "-o", str(target / "sub"), "--data", str(data)], 2,
             [str(target / "sub")]),
    ]
    for name, text in (("deep", '{"format": "heavylegs.assessment/1", "x": ' + "[" * 5000 + "]" * 5000 + "}"),
                       ("not-json", "{"), ("nan-profile", '{"format": "heavylegs.assessment/1", '
                        '"saved_at": "2026-11-20T10:00:00", "athlete_id": "ben", "ranking": {}, '
                        '"profile": {"athlete_id": "ben", "assessed_on": "9999-12-31"}}')):
        athlete = f"x{name.replace('-', '')}"
        (athletes / f"{athlete}.json").write_text(json.dumps({**_GOOD_PROFILE, "athlete_id": athlete}))
        saved = athletes / athlete / "assessments" / "2026-11-20T100000.json"
        saved.parent.mkdir(parents=True)
        saved.write_text(text, encoding="utf-8")
        out = folder / f"out-{name}"
        cases.append(Case(f"export/assessment-{name}", ["export", athlete, "-o", str(out), "--data", str(data)],
                          2, [str(saved)], outputs=[str(out)]))
    return cases


# ---------------------------------------------------------------------------
# Running


class _Hang(Exception):
    pass


def _on_alarm(_signum, _frame):
    raise _Hang()


def _snapshot(paths) -> dict:
    return {path: os.path.exists(path) for path in paths}


def check_outcome(case: Case, status, out: str, err: str) -> list:
    """What is wrong with one clean run (empty when all is as expected)."""
    from heavylegs.logs.traininglog import read_log

    wrong = []
    if "Traceback" in err or "Traceback" in out:
        wrong.append("printed a traceback")
    expect = {0, 2} if case.expect is None else {case.expect}
    if status not in expect:
        wrong.append(f"exit {status}, expected {sorted(expect)}")
    if status == 2:
        lines = [line for line in err.splitlines() if line.strip()]
        if not lines:
            wrong.append("exit 2 with nothing on standard error")
        for line in lines:
            if not any(line.startswith(name) for name in case.names):
                wrong.append(f"a line that names none of {case.names}: {line[:200]!r}")
        for path in case.outputs:
            if os.path.exists(path):
                wrong.append(f"exit 2 but {path} was written")
    elif status == 0 and case.argv[0] == "import":
        for bad in case.bad_files if case.expect == 0 else ():
            if bad not in out:
                wrong.append(f"exit 0 but the bad input {bad} is not reported")
        for path in case.outputs:
            try:
                read_log(path)
            except Exception as exc:  # noqa: BLE001 - any failure is the finding
                wrong.append(f"the log written does not read back: {exc}")
    return wrong


def run_case(case: Case) -> dict:
    """Run one case through ``heavylegs.cli.main`` in this process; the outcome as a dict."""
    from heavylegs.cli import main

    out, err = io.StringIO(), io.StringIO()
    outcome, detail, status = "clean", "", None
    started = time.perf_counter()
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.alarm(CASE_ALARM_S)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = main(case.argv)
    except _Hang:
        outcome, detail = "hang", f"no answer after {CASE_ALARM_S} s"
    except MemoryError:
        outcome, detail = "out of memory", "MemoryError"
    except BaseException:  # noqa: BLE001 - a traceback is what the corpus looks for
        outcome, detail = "traceback", traceback.format_exc(limit=-6)
    finally:
        signal.alarm(0)
    seconds = time.perf_counter() - started
    if outcome == "clean":
        wrong = check_outcome(case, status, out.getvalue(), err.getvalue())
        if any("traceback" in w for w in wrong):
            outcome = "traceback"
        elif wrong:
            outcome = "unexpected"
        detail = "; ".join(wrong)
    return {"name": case.name, "outcome": outcome, "status": status, "detail": detail,
            "seconds": round(seconds, 4), "stderr": err.getvalue()[-2000:]}


def run_worker(cases_file, share: int, shares: int) -> None:
    """Run every ``shares``-th case (from ``share``) in this process, one JSON line each on stdout.

    The process limits its address space to :data:`WORKER_MEMORY_LIMIT`
    first, and ends with a line ``{"peak_rss_kib": ...}``.
    """
    resource.setrlimit(resource.RLIMIT_AS, (WORKER_MEMORY_LIMIT, WORKER_MEMORY_LIMIT))
    cases = [Case(**item) for item in json.loads(Path(cases_file).read_text(encoding="utf-8"))]
    real_stdout = sys.stdout
    for case in cases[share::shares]:
        real_stdout.write(json.dumps({"start": case.name}) + "\n")
        real_stdout.flush()
        real_stdout.write(json.dumps(run_case(case)) + "\n")
        real_stdout.flush()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    real_stdout.write(json.dumps({"peak_rss_kib": peak}) + "\n")


def run_corpus(folder, *, workers: int = 2, timeout_s: float = 600) -> dict:
    """Build the corpus in ``folder`` and run it in ``workers`` subprocesses.

    Returns
    -------
    dict
        ``cases`` (the Case list), ``results`` (one dict per case that
        finished), ``hung`` (names of the cases a worker was running when it
        was stopped at ``timeout_s`` or died), ``peak_rss_kib`` (largest of
        the workers), ``build_s`` and ``run_s``.
    """
    folder = Path(folder)
    started = time.perf_counter()
    cases = build_corpus(folder / "corpus")
    build_s = time.perf_counter() - started
    cases_file = folder / "cases.json"
    cases_file.write_text(json.dumps([asdict(case) for case in cases]), encoding="utf-8")
    env = {**os.environ, "HEAVYLEGS_CACHE_DIR": str(folder / "cache"), "OPENBLAS_NUM_THREADS": "1",
           "OMP_NUM_THREADS": "1", "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")])}
    started = time.perf_counter()
    procs = [subprocess.Popen([sys.executable, str(Path(__file__)), str(cases_file), str(share), str(workers)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                              cwd=str(folder))
             for share in range(workers)]
    results, hung, peaks, died = [], [], [], []
    deadline = time.monotonic() + timeout_s
    for proc in procs:
        try:
            stdout, stderr = proc.communicate(timeout=max(deadline - time.monotonic(), 1))
        except subprocess.TimeoutExpired:
            proc.kill()
            stdout, stderr = proc.communicate()
        current = None
        for line in stdout.splitlines():
            item = json.loads(line)
            if "start" in item:
                current = item["start"]
            elif "peak_rss_kib" in item:
                peaks.append(item["peak_rss_kib"])
                current = None
            else:
                results.append(item)
                current = None
        if current is not None:
            hung.append(current)
            died.append(stderr[-2000:])
    return {"cases": cases, "results": results, "hung": hung, "died": died,
            "peak_rss_kib": max(peaks, default=0), "build_s": build_s,
            "run_s": time.perf_counter() - started}


if __name__ == "__main__":
    run_worker(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
