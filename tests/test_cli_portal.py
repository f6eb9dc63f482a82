"""`heavylegs portal link / revoke` (spec/portal.md "Links"); `heavylegs portal` itself is run in
tests/serve/test_portal.py (stopping) and tests/serve/test_portal_browser.py (a phone's check-in)."""
import json
import re
import subprocess
import sys

import pytest

from heavylegs.cli import main
from heavylegs.store.portal_links import athlete_for_secret, read_audit

LINK = re.compile(r"^http://127\.0\.0\.1:8870/a/([A-Za-z0-9_-]{32})/$")


def _secret(link):
    return LINK.match(link).group(1)


def test_link_prints_the_link_alone_on_its_last_line(data_copy, capsys):
    assert main(["portal", "link", "ana", "--data", str(data_copy)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert LINK.match(lines[-1]), lines
    assert athlete_for_secret(data_copy, _secret(lines[-1])) == "ana"
    assert "revoke" in lines[0]


def test_link_with_qr_draws_it_in_the_terminal_and_as_a_png(data_copy, capsys, tmp_path):
    assert main(["portal", "link", "ana", "--qr", "--data", str(data_copy)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert LINK.match(lines[-1]) and sum("█" in line for line in lines) > 15
    png = tmp_path / "ana.png"
    assert main(["portal", "link", "ana", "--qr", str(png), "--data", str(data_copy)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert LINK.match(lines[-1]) and png.read_bytes()[:4] == b"\x89PNG"
    assert f"wrote the QR code to {png}" in lines


def test_link_all_prints_a_table_of_every_athlete(data_copy, capsys):
    assert main(["portal", "link", "--all", "--data", str(data_copy)]) == 0
    out = capsys.readouterr().out.splitlines()
    header = next(i for i, line in enumerate(out) if line.startswith("athlete"))
    rows = out[header + 1:]
    athletes = sorted(p.stem for p in (data_copy / "athletes").glob("*.json"))
    assert [row.split()[0] for row in rows] == athletes
    assert "Ana Sousa" in rows[0]
    for row in rows:
        link = row.split()[-1]
        assert athlete_for_secret(data_copy, _secret(link)) == row.split()[0]


def test_revoke_ends_the_links(data_copy, capsys):
    main(["portal", "link", "ana", "--data", str(data_copy)])
    link = capsys.readouterr().out.splitlines()[-1]
    assert main(["portal", "revoke", "ana", "--data", str(data_copy)]) == 0
    assert "Ended 1 link of ana" in capsys.readouterr().out
    assert athlete_for_secret(data_copy, _secret(link)) is None
    assert [row["action"] for row in read_audit(data_copy)] == ["link", "revoke"]
    assert _secret(link) not in (data_copy / "portal" / "audit.csv").read_text(encoding="utf-8")
    assert _secret(link) not in (data_copy / "portal" / "tokens.json").read_text(encoding="utf-8")


@pytest.mark.parametrize("args,message", [
    (["portal", "link", "zed"], "no profile for athlete 'zed'"),
    (["portal", "link", "../x"], "expected an id"),
    (["portal", "link"], "expected an athlete id or --all"),
    (["portal", "link", "ana", "--all"], "expected an athlete id or --all"),
    (["portal", "link", "--all", "--qr"], "expected it without --all"),
    (["portal", "revoke", "A B"], "expected an id"),
])
def test_bad_input_exits_2_and_writes_nothing(data_copy, capsys, args, message):
    assert main([*args, "--data", str(data_copy)]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
    assert not (data_copy / "portal" / "tokens.json").exists()


def test_qr_to_a_folder_is_refused_before_a_link_is_made(data_copy, capsys, tmp_path):
    assert main(["portal", "link", "ana", "--qr", str(tmp_path), "--data", str(data_copy)]) == 2
    assert "expected the path of a PNG file" in capsys.readouterr().err
    assert not (data_copy / "portal" / "tokens.json").exists()


def test_portal_refuses_a_busy_port_and_a_bad_public_url(data_copy):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        proc = subprocess.run([sys.executable, "-m", "heavylegs", "portal", "--data", str(data_copy), "--port",
                               str(port)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "already in use" in proc.stderr
    proc = subprocess.run([sys.executable, "-m", "heavylegs", "portal", "--data", str(data_copy), "--public-url",
                           "ftp://x"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "--public-url" in proc.stderr


def test_the_link_command_stays_light(data_copy):
    code = ("import sys; from heavylegs.cli import main; main(['portal', 'link', 'ana', '--data', sys.argv[1]]); "
            "print(json.dumps(sorted(m for m in ('pandas', 'numpy', 'plotly', 'tornado', 'voila') if m in sys.modules)))")
    proc = subprocess.run([sys.executable, "-c", "import json; " + code, str(data_copy)], capture_output=True,
                          text=True, timeout=60)
    assert json.loads(proc.stdout.splitlines()[-1]) == []
