"""The athlete portal (heavylegs.serve.portal, heavylegs.serve._portal) on a live server: every rule of
spec/portal.md's "What an athlete can do" and "Limits", tried the way someone would try to break it.

One portal runs for the module, with a public URL (so, as behind a reverse proxy, the client's address is
taken from X-Forwarded-For on loopback: each test uses its own address, and the per-client limits of one
test do not spill into another). Plain HTTP, no browser: the browser checks are in test_portal_browser.py.
"""
import datetime as dt
import http.client
import itertools
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import psutil
import pytest

from heavylegs.logs.checkins import add_checkin, load_checkins
from heavylegs.serve.portal import portal_settings, serve_portal
from heavylegs.store.portal_links import make_link, read_audit, revoke_links

ROOT = Path(__file__).resolve().parents[2]
TODAY = dt.date.today()
_clients = (f"10.9.{n // 250}.{n % 250 + 1}" for n in itertools.count())


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Client:
    """HTTP to the portal as one client address (X-Forwarded-For, trusted from loopback with a public URL)."""

    def __init__(self, port, address=None, host=None):
        self.port, self.address = port, address or next(_clients)
        self.host = host or f"127.0.0.1:{port}"

    def request(self, method, path, body=None, headers=None, host=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        sent = {"Host": host if host is not None else self.host, "X-Forwarded-For": self.address, **(headers or {})}
        try:
            conn.request(method, path, body=body, headers=sent)
            response = conn.getresponse()
            return response.status, response.headers, response.read().decode("utf-8", "replace")
        finally:
            conn.close()

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, fields, headers=None, **kwargs):
        body = urllib.parse.urlencode(fields)
        return self.request("POST", path, body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded", **(headers or {})}, **kwargs)


def _path(link):
    return urllib.parse.urlsplit(link).path


def _csrf(client, link):
    status, _, body = client.get(_path(link) + "checkin")
    assert status == 200, body[:300]
    return re.search(r'name="csrf" value="([0-9a-f]{64})"', body).group(1)


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    data = tmp_path_factory.mktemp("portal") / "data"
    shutil.copytree(ROOT / "data", data)
    log_path = data.parent / "portal.log"
    log = open(log_path, "w")
    port = _free_port()
    server = serve_portal(data, port=port, public_url="https://legs.test/team", log=log, warm=False)
    links = {athlete: make_link(data, athlete) for athlete in ("ana", "ben", "carla")}
    secrets_used = [_path(link).split("/")[-2] for link in links.values()]
    yield {"server": server, "port": port, "data": data, "links": links, "log": log_path,
           "secrets": secrets_used}
    server.stop()
    log.close()


def test_links_are_written_with_the_public_url(portal):
    link = portal["links"]["ana"]
    assert re.fullmatch(r"https://legs\.test/team/a/[A-Za-z0-9_-]{32}/", link)


@pytest.mark.parametrize("prefix", ["", "/team"])
def test_a_link_opens_its_athletes_dashboard_with_the_portal_pages_around_it(portal, prefix):
    client = Client(portal["port"])
    status, headers, body = client.get(prefix + _path(portal["links"]["ana"])[len("/team"):])
    assert status == 200, body[:300]
    assert "Ana" in body and "Low iron" in body and "Ben" not in body
    assert 'href="checkin"' in body and 'href="plan"' in body and 'href="doctor"' in body
    assert headers["Cache-Control"] == "no-store" and headers["Referrer-Policy"] == "no-referrer"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    # the page's script comes from under the link, never from Voila's own addresses
    script = re.search(r'src="(static/plotly-basic\.min\.js\?v=[0-9a-f]+)"', body).group(1)
    status, headers, js = client.get(_path(portal["links"]["ana"])[len("/team"):] + script)
    assert status == 200 and "plotly" in js[:2000].lower()
    assert "voila/templates" not in body


@pytest.mark.parametrize("page,expected", [("plan", "Plan: Ana"), ("doctor", "Ana"), ("checkin", "Check-in: Ana")])
def test_plan_doctor_and_check_in_pages(portal, page, expected):
    status, headers, body = Client(portal["port"]).get(_path(portal["links"]["ana"])[5:] + page)
    assert status == 200 and expected in body
    assert headers["Content-Type"].startswith("text/html")


def test_the_plan_calendar(portal):
    status, headers, body = Client(portal["port"]).get(_path(portal["links"]["ana"])[5:] + "plan.ics")
    if status == 404:  # ana has no saved plan in the sample data: the plan page says so
        _, _, page = Client(portal["port"]).get(_path(portal["links"]["ana"])[5:] + "plan")
        assert 'id="hl-no-plan"' in page
        return
    assert status == 200 and headers["Content-Type"].startswith("text/calendar")
    assert body.startswith("BEGIN:VCALENDAR") and body.count("BEGIN:VEVENT") == 14


# --- no link, wrong link, revoked link, other addresses ------------------------------------------

@pytest.mark.parametrize("path", [
    "/", "/a/", "/a", "/a//", "/a/x/", "/a/" + "A" * 32 + "/", "/a/" + "A" * 32 + "/checkin",
    "/voila/static/voila.js", "/voila/templates/heavylegs-dashboard/static/plotly-basic.min.js",
    "/api/kernels", "/api/kernels/x/channels", "/voila/files/athletes/ana.json", "/athletes/ana.json",
    "/portal/tokens.json", "/tree", "/login", "/?athlete=ana", "/team/", "/team/voila/static/voila.js",
])
def test_no_or_wrong_link_and_any_other_address_is_refused_without_detail(portal, path):
    status, _, body = Client(portal["port"]).get(path)
    assert status in (403, 404)
    assert "Sousa" not in body and "Low iron" not in body and "sha256" not in body
    if path.strip("/"):
        assert path not in body
    assert "Traceback" not in body and "/voila/" not in body


@pytest.mark.parametrize("tail", [
    "../../athletes/ana.json", "%2e%2e/%2e%2e/athletes/ana.json", "static/..%2f..%2fathletes%2fana.json",
    "static/../../../../etc/passwd", "static/%2e%2e%2f%2e%2e%2fportal%2ftokens.json", "..%2fportal%2ftokens.json",
    "checkin/../doctor", ".%2fcheckin", "static/", "static/voila.js", "static/plotly-basic.min.js/..",
    "%2fetc%2fpasswd", "checkin%00", "plan.ics/../../tokens.json", "a/../checkin",
])
def test_path_and_encoded_traversal_reach_nothing(portal, tail):
    client = Client(portal["port"])
    status, _, body = client.get(_path(portal["links"]["ana"])[5:] + tail)
    assert status == 404, (tail, body[:200])
    assert "root:" not in body and "sha256" not in body and "heavylegs.profile" not in body


def test_a_revoked_link_stops_at_once(portal):
    data = portal["data"]
    link = make_link(data, "dev")
    client = Client(portal["port"])
    assert client.get(_path(link)[5:])[0] == 200
    revoke_links(data, "dev")
    status, _, body = client.get(_path(link)[5:])
    assert status == 404 and "Dev" not in body
    assert client.get(_path(link)[5:] + "checkin")[0] == 404


# --- one athlete's link for another's pages -------------------------------------------------------

@pytest.mark.parametrize("page", ["", "checkin", "plan", "plan.ics", "doctor"])
def test_a_link_asking_for_another_athlete_is_refused_and_logged_without_the_secret(portal, page):
    client = Client(portal["port"])
    status, _, body = client.get(_path(portal["links"]["ana"])[5:] + page + "?athlete=ben")
    assert status == 403 and "Ben" not in body and "Ana" not in body
    log = portal["log"].read_text(encoding="utf-8")
    assert "ana's link asked for athlete 'ben'" in log


def test_a_check_in_for_another_athlete_is_refused_and_nothing_is_written(portal):
    data, client = portal["data"], Client(portal["port"])
    ben_file = data / "athletes" / "ben" / "checkins.csv"
    before = ben_file.read_bytes() if ben_file.exists() else None
    link = _path(portal["links"]["ana"])[5:]
    csrf = _csrf(client, link)
    status, _, _ = client.post(link + "checkin", {"csrf": csrf, "heaviness": 4, "athlete": "ben"})
    assert status == 403
    status, _, _ = client.post(link + "checkin?athlete=ben", {"csrf": csrf, "heaviness": 4})
    assert status == 403
    # ben's own form token does not work with ana's link, nor ana's with ben's
    ben_csrf = _csrf(client, _path(portal["links"]["ben"])[5:])
    assert client.post(link + "checkin", {"csrf": ben_csrf, "heaviness": 4})[0] == 403
    assert client.post(_path(portal["links"]["ben"])[5:] + "checkin", {"csrf": csrf, "heaviness": 4})[0] == 403
    assert (ben_file.read_bytes() if ben_file.exists() else None) == before


# --- Host -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("host", ["evil.example", "evil.example:443", "legs.test.evil.example", "127.0.0.1",
                                  "127.0.0.1:1", "0.0.0.0:{port}", "", "legs.test:8443", "localhost.:{port}"])
def test_a_foreign_host_is_refused_even_with_a_good_link(portal, host):
    status, _, body = Client(portal["port"]).get(_path(portal["links"]["ana"])[5:],
                                                 host=host.format(port=portal["port"]))
    assert status in ((400, 403) if host == "" else (403,)) and "Sousa" not in body


@pytest.mark.parametrize("host", ["legs.test", "LEGS.TEST", "legs.test:443", "127.0.0.1:{port}", "localhost:{port}"])
def test_the_listening_address_and_the_public_host_are_answered(portal, host):
    status, _, _ = Client(portal["port"]).get(_path(portal["links"]["ana"])[5:] + "plan",
                                              host=host.format(port=portal["port"]))
    assert status == 200


def test_host_rules_follow_the_options():
    assert portal_settings("127.0.0.1", 8870)["hosts"] == ["127.0.0.1:8870", "[::1]:8870", "localhost:8870"]
    settings = portal_settings("0.0.0.0", 8870, None)
    assert "127.0.0.1:8870" in settings["hosts"] and settings["connect"] == "127.0.0.1"
    assert not settings["base_url"].startswith("http://0.0.0.0")
    behind = portal_settings("127.0.0.1", 8870, "https://team.example.org:8443/legs/")
    assert "team.example.org:8443" in behind["hosts"] and "team.example.org" not in behind["hosts"]
    assert behind["prefix"] == "/legs" and behind["base_url"] == "https://team.example.org:8443/legs"
    assert behind["trust_forwarded"] and not portal_settings()["trust_forwarded"]


# --- the check-in ------------------------------------------------------------------------------------

def test_a_check_in_is_saved_with_source_portal_and_audited_without_the_secret(portal):
    data, client = portal["data"], Client(portal["port"])
    link = _path(portal["links"]["carla"])[5:]
    status, headers, _ = client.post(link + "checkin", {
        "csrf": _csrf(client, link), "date": TODAY.isoformat(), "heaviness": "7", "sleep_h": "6.5",
        "sleep_quality": "4", "fatigue": "5", "stress": "3", "soreness": "6", "notes": "hill reps, legs like lead"})
    assert status == 303, headers
    assert headers["Location"] == f"checkin?saved={TODAY.isoformat()}&date={TODAY.isoformat()}"
    checkins = load_checkins(data, "carla")
    row = checkins.loc[checkins["date"] == str(TODAY)].iloc[0]
    assert (row["heaviness"], row["sleep_h"], row["hooper"], row["source"]) == (7, 6.5, 18, "portal")
    assert row["notes"] == "hill reps, legs like lead"
    status, _, page = client.get(link + headers["Location"])
    assert status == 200 and 'id="hl-saved"' in page and "hill reps" in page
    audit = read_audit(data)[-1]
    assert (audit["athlete_id"], audit["action"], audit["client"]) == ("carla", "checkin", client.address)
    assert "heaviness 7" in audit["detail"]
    text = (data / "portal" / "audit.csv").read_text(encoding="utf-8")
    assert all(secret not in text for secret in portal["secrets"])


def test_a_day_of_the_last_week_can_be_corrected_but_not_older_or_future_days(portal):
    data, client = portal["data"], Client(portal["port"])
    link = _path(portal["links"]["carla"])[5:]
    csrf = _csrf(client, link)
    day = (TODAY - dt.timedelta(days=6)).isoformat()
    assert client.post(link + "checkin", {"csrf": csrf, "date": day, "heaviness": "2"})[0] == 303
    assert client.post(link + "checkin", {"csrf": csrf, "date": day, "heaviness": "3"})[0] == 303
    checkins = load_checkins(data, "carla")
    assert checkins.loc[checkins["date"] == day, "heaviness"].tolist() == [3]
    path = data / "athletes" / "carla" / "checkins.csv"
    before = path.read_bytes()
    for bad in [(TODAY - dt.timedelta(days=7)).isoformat(), (TODAY + dt.timedelta(days=1)).isoformat(),
                "2026-02-30", "yesterday", "../../x"]:
        status, _, page = client.post(link + "checkin", {"csrf": csrf, "date": bad, "heaviness": "5"})
        assert status == 400 and 'id="hl-date-refused"' in page, bad
    assert path.read_bytes() == before


@pytest.mark.parametrize("fields,refused", [
    ({"heaviness": ""}, ["heaviness"]),
    ({"heaviness": "11"}, ["heaviness"]),
    ({"heaviness": "-1"}, ["heaviness"]),
    ({"heaviness": "4.5"}, ["heaviness"]),
    ({"heaviness": "five"}, ["heaviness"]),
    ({"heaviness": "5", "sleep_h": "15"}, ["sleep_h"]),
    ({"heaviness": "5", "sleep_h": "nan"}, ["sleep_h"]),
    ({"heaviness": "5", "sleep_quality": "0", "soreness": "8"}, ["sleep_quality", "soreness"]),
    ({"heaviness": "5", "fatigue": "3.5", "stress": "x"}, ["fatigue", "stress"]),
    ({"heaviness": "12", "sleep_h": "-2"}, ["heaviness", "sleep_h"]),
])
def test_refused_values_are_shown_next_to_their_field_and_nothing_is_written(portal, fields, refused):
    data, client = portal["data"], Client(portal["port"])
    link = _path(portal["links"]["ben"])[5:]
    path = data / "athletes" / "ben" / "checkins.csv"
    before = path.read_bytes() if path.exists() else None
    rows = len(read_audit(data))
    status, _, page = client.post(link + "checkin", {"csrf": _csrf(client, link), **fields})
    assert status == 400
    assert sorted(re.findall(r'id="hl-([a-z_]+)-refused"', page)) == sorted(refused)
    assert 'id="hl-not-saved"' in page and 'id="hl-saved"' not in page
    assert (path.read_bytes() if path.exists() else None) == before
    assert len(read_audit(data)) == rows


def test_unknown_fields_are_refused(portal):
    client = Client(portal["port"])
    link = _path(portal["links"]["ben"])[5:]
    status, _, page = client.post(link + "checkin", {"csrf": _csrf(client, link), "heaviness": "3", "hooper": "4",
                                                     "path": "../../x"})
    assert status == 400 and "is not a question of the check-in" in page


# --- CSRF, body size, rate limits -----------------------------------------------------------------

@pytest.mark.parametrize("csrf", [None, "", "0" * 64, "x", "A" * 5000])
def test_a_post_without_the_form_token_is_refused(portal, csrf):
    data, client = portal["data"], Client(portal["port"])
    link = _path(portal["links"]["ben"])[5:]
    path = data / "athletes" / "ben" / "checkins.csv"
    before = path.read_bytes() if path.exists() else None
    fields = {"heaviness": "3"} if csrf is None else {"csrf": csrf, "heaviness": "3"}
    status, _, body = client.post(link + "checkin", fields)
    assert status == 403 and "csrf" not in body.lower()
    assert (path.read_bytes() if path.exists() else None) == before


def test_a_body_over_64_kb_is_refused(portal):
    data, client = portal["data"], Client(portal["port"])
    link = _path(portal["links"]["ben"])[5:]
    csrf = _csrf(client, link)
    path = data / "athletes" / "ben" / "checkins.csv"
    before = path.read_bytes() if path.exists() else None
    status, _, _ = client.post(link + "checkin", {"csrf": csrf, "heaviness": "3", "notes": "x" * (64 * 1024)})
    assert status == 413
    # the same without a Content-Length: chunked
    body = urllib.parse.urlencode({"csrf": csrf, "heaviness": "3", "notes": "y" * (70 * 1024)}).encode()
    conn = http.client.HTTPConnection("127.0.0.1", portal["port"], timeout=60)
    conn.putrequest("POST", link + "checkin", skip_host=True)
    for name, value in (("Host", client.host), ("X-Forwarded-For", client.address),
                        ("Content-Type", "application/x-www-form-urlencoded"), ("Transfer-Encoding", "chunked")):
        conn.putheader(name, value)
    conn.endheaders()
    for start in range(0, len(body), 8192):
        piece = body[start:start + 8192]
        conn.send(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
    conn.send(b"0\r\n\r\n")
    assert conn.getresponse().status == 413
    conn.close()
    # a body just under the limit is read (and here refused for its value, not its size)
    status, _, _ = client.post(link + "checkin", {"csrf": csrf, "heaviness": "33", "notes": "z" * 60000})
    assert status == 400
    assert (path.read_bytes() if path.exists() else None) == before


def test_at_most_30_posts_a_minute_per_link(portal):
    data = portal["data"]
    link = _path(make_link(data, "elena"))[5:]
    client = Client(portal["port"])
    csrf = _csrf(client, link)
    statuses = [Client(portal["port"]).post(link + "checkin", {"csrf": csrf, "heaviness": "99"})[0]
                for _ in range(30)]
    assert statuses == [400] * 30  # each a different client address: the limit is the link's
    assert client.post(link + "checkin", {"csrf": csrf, "heaviness": "3"})[0] == 429
    assert client.get(link + "checkin")[0] == 200  # reading goes on
    assert "over 30 times a minute" in portal["log"].read_text(encoding="utf-8")


def test_ten_failed_link_attempts_a_minute_then_429_for_that_client(portal):
    client, other = Client(portal["port"]), Client(portal["port"])
    good = _path(portal["links"]["ana"])[5:] + "plan"
    for n in range(10):
        assert client.get(f"/a/{'B' * 31}{n}/")[0] == 404
    assert client.get(f"/a/{'B' * 32}/")[0] == 429
    assert client.get(good)[0] == 429  # even a good link, from that client, for the rest of the minute
    assert other.get(good)[0] == 200  # another client is not held back


# --- nothing of a secret in a log line, an error page or the audit ---------------------------------

def test_no_secret_in_any_log_line_error_page_or_audit(portal):
    client = Client(portal["port"])
    link = _path(portal["links"]["ana"])[5:]
    pages = [client.get(link + "nope")[2], client.get(link + "checkin?athlete=zed")[2],
             client.request("DELETE", link + "checkin")[2], client.request("PUT", link)[2],
             client.post(link + "checkin", {"heaviness": 2})[2], client.get(link, host="evil.example")[2]]
    for page in pages:
        assert all(secret not in page for secret in portal["secrets"])
    log = portal["log"].read_text(encoding="utf-8")
    assert "/a/…" in log  # requests were logged, with the secret blanked
    for secret in portal["secrets"]:
        assert secret not in log
        assert secret not in (portal["data"] / "portal" / "audit.csv").read_text(encoding="utf-8")
    assert portal["server"].server.token not in log


# --- the athlete sees the check-in; the coach's edit and the portal's at once both survive -----------

def test_a_check_in_is_in_the_next_dashboard(portal):
    data, client = portal["data"], Client(portal["port"])
    link = _path(portal["links"]["ben"])[5:]
    _, _, before = client.get(link)
    day = (TODAY - dt.timedelta(days=2)).isoformat()
    assert client.post(link + "checkin", {"csrf": _csrf(client, link), "date": day, "heaviness": "9"})[0] == 303
    status, _, after = client.get(link)
    assert status == 200 and after != before
    assert day in after  # the heaviness chart's new point


def test_the_coach_and_the_portal_writing_at_once_both_survive(portal):
    data, client = portal["data"], Client(portal["port"])
    link = _path(portal["links"]["ana"])[5:]
    csrf = _csrf(client, link)
    days = [(TODAY - dt.timedelta(days=n)).isoformat() for n in range(7)]
    coach_days = [(TODAY - dt.timedelta(days=n)).isoformat() for n in range(20, 40)]
    errors = []

    def athlete(day):
        status = Client(portal["port"]).post(link + "checkin", {"csrf": csrf, "date": day, "heaviness": "6"})[0]
        if status != 303:
            errors.append(status)

    def coach(day):
        add_checkin(data, "ana", {"date": day, "heaviness": 2}, source="coach")

    threads = [threading.Thread(target=athlete, args=(d,)) for d in days]
    threads += [threading.Thread(target=coach, args=(d,)) for d in coach_days]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    checkins = load_checkins(data, "ana").set_index(load_checkins(data, "ana")["date"].dt.strftime("%Y-%m-%d"))
    assert all(checkins.loc[d, "source"] == "portal" and checkins.loc[d, "heaviness"] == 6 for d in days)
    assert all(checkins.loc[d, "source"] == "coach" and checkins.loc[d, "heaviness"] == 2 for d in coach_days)


# --- stopping -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGINT])
def test_the_portal_command_stops_on_kill_or_ctrl_c_leaving_no_process_or_folder(tmp_path, how):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    port = _free_port()
    before = set(Path("/tmp").glob("heavylegs-dashboard-*"))
    proc = subprocess.Popen([sys.executable, "-m", "heavylegs", "portal", "--data", str(data), "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert f"listens on 127.0.0.1:{port}" in line, line + proc.stderr.read()[-2000:]
        link = make_link(data, "ana")
        status, _, _ = Client(port, host=f"127.0.0.1:{port}").get(_path(link))
        assert status == 200  # a kernel has run
        children = psutil.Process(proc.pid).children(recursive=True)
        assert children
        # the server's own folder (other servers of the machine may make such folders at the same time)
        voila = next(p for p in children if "heavylegs.serve._voila" in " ".join(p.cmdline()))
        folders = {Path(voila.cwd()).parent}
        assert folders <= set(Path("/tmp").glob("heavylegs-dashboard-*")) - before
        proc.send_signal(how)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err[-2000:]
    assert "Stopped the athlete portal." in out
    voila_folders = [Path(p) for p in re.findall(r"Storing connection files in (\S+?)\.?$", err, re.M)]
    assert voila_folders and not any(folder.exists() for folder in voila_folders)
    gone, alive = psutil.wait_procs(children, timeout=15)
    assert alive == []
    assert not any(folder.exists() for folder in folders)
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", port)) != 0


# --- one kept kernel draws every athlete's page, and nothing of one reaches another -------------------

def test_a_kept_kernel_draws_each_athletes_own_page_only(portal):
    data, client = portal["data"], Client(portal["port"])
    names = {"ana": "Sousa", "ben": "Okafor", "carla": "Romano"}
    pages = {}
    for round_ in range(2):
        for athlete in names:
            add_checkin(data, athlete, {"date": (TODAY - dt.timedelta(days=20 + round_)).isoformat(),
                                        "heaviness": 1}, source="coach")  # a change: the page is drawn again
            status, _, page = client.get(_path(portal["links"][athlete])[5:])
            assert status == 200
            pages[athlete, round_] = page
    for (athlete, _round), page in pages.items():
        first = {"ana": "Ana", "ben": "Ben", "carla": "Carla"}
        assert f"{first[athlete]}'s check" in page
        assert all(f"{first[other]}'s check" not in page for other in names if other != athlete)
    kernels = [p for p in psutil.Process(portal["server"].process.pid).children(recursive=True)
               if "ipykernel" in " ".join(p.cmdline())]
    assert len(kernels) <= 2  # the kept one (and at most one more rendering at the same moment, now ending)


def test_the_page_key_is_the_athletes_files_so_a_check_in_draws_the_page_again(data_copy):
    from heavylegs.serve import _voila

    key = _voila.page_key({"athlete": [b"ana"]}, str(data_copy), "ana")
    assert key == _voila.page_key({"athlete": [b"ana"]}, str(data_copy), "ana")
    assert key != _voila.page_key({"athlete": [b"ben"]}, str(data_copy), "ben")
    assert key == _voila.page_key({"athlete": [b"ana"], "token": [b"x"]}, str(data_copy), "ana")
    add_checkin(data_copy, "ana", {"date": TODAY.isoformat(), "heaviness": 5}, source="portal")
    assert key != _voila.page_key({"athlete": [b"ana"]}, str(data_copy), "ana")
