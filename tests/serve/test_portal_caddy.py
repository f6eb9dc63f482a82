"""The portal behind Caddy over HTTPS, with the Caddyfile of docs/portal.md as written there.

A real Caddy (Debian's package; `make test` installs it as it installs Chromium) runs on loopback with its
own internal certificate authority; the test trusts only that authority's root, opens an athlete's link
through Caddy over HTTPS and submits a check-in. Only the site name and the ports are changed from the
documented Caddyfile, and Caddy's global options say to use its internal CA and where to keep its files.
"""
import datetime as dt
import http.client
import re
import shutil
import socket
import ssl
import subprocess
import time
import urllib.parse
from pathlib import Path

import pytest

from heavylegs.logs.checkins import load_checkins
from heavylegs.serve.portal import serve_portal
from heavylegs.store.portal_links import make_link, read_audit

ROOT = Path(__file__).resolve().parents[2]
CADDY = shutil.which("caddy") or ("/usr/bin/caddy" if Path("/usr/bin/caddy").exists() else None)
pytestmark = pytest.mark.skipif(CADDY is None, reason="caddy is not installed here and could not be: run "
                                                      "`make caddy` (apt-get install caddy) as root")


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def documented_caddyfile() -> str:
    """The ```caddyfile block of docs/portal.md."""
    text = (ROOT / "docs" / "portal.md").read_text(encoding="utf-8")
    return re.search(r"```caddyfile\n(.*?)```", text, re.S).group(1)


class _Https(http.client.HTTPSConnection):
    """HTTPS to 127.0.0.1, checking the certificate for ``server_name`` (SNI) against ``context``."""

    def __init__(self, port, server_name, context):
        super().__init__("127.0.0.1", port, context=context, timeout=120)
        self.server_name = server_name

    def connect(self):
        sock = socket.create_connection(("127.0.0.1", self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.server_name)


@pytest.fixture(scope="module")
def behind_caddy(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("caddy")
    data = tmp / "data"
    shutil.copytree(ROOT / "data", data)
    portal_port, http_port, https_port = _free_port(), _free_port(), _free_port()
    site = f"legs.test:{https_port}"
    public = f"https://{site}/legs"
    caddyfile = documented_caddyfile().replace("team.example.org", site).replace("127.0.0.1:8870",
                                                                                  f"127.0.0.1:{portal_port}")
    assert site in caddyfile and f"127.0.0.1:{portal_port}" in caddyfile
    config = tmp / "Caddyfile"
    config.write_text("{\n\tadmin off\n\tlocal_certs\n\tskip_install_trust\n\tauto_https disable_redirects\n"
                      f"\thttp_port {http_port}\n\thttps_port {https_port}\n\tstorage file_system {tmp / 'store'}\n"
                      "}\n\n" + caddyfile, encoding="utf-8")
    env = {"HOME": str(tmp), "XDG_DATA_HOME": str(tmp / "xdg-data"), "XDG_CONFIG_HOME": str(tmp / "xdg-config"),
           "PATH": "/usr/bin:/bin"}
    caddy_log = open(tmp / "caddy.log", "w")
    caddy = subprocess.Popen([CADDY, "run", "--config", str(config), "--adapter", "caddyfile"], env=env,
                             stdout=caddy_log, stderr=subprocess.STDOUT)
    portal_log = open(tmp / "portal.log", "w")
    portal = serve_portal(data, port=portal_port, public_url=public, log=portal_log, warm=False)
    root = tmp / "store" / "pki" / "authorities" / "local" / "root.crt"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert caddy.poll() is None, (tmp / "caddy.log").read_text()
            if root.exists():
                try:
                    context = ssl.create_default_context(cafile=str(root))
                    conn = _Https(https_port, "legs.test", context)
                    conn.connect()
                    conn.close()
                    break
                except (OSError, ssl.SSLError):
                    pass
            time.sleep(0.2)
        else:
            raise AssertionError("Caddy did not serve HTTPS within 60 s: " + (tmp / "caddy.log").read_text()[-3000:])
        yield {"data": data, "port": https_port, "http_port": http_port, "context": context, "site": site,
               "link": make_link(data, "ana"), "public": public, "tmp": tmp}
    finally:
        portal.stop()
        caddy.terminate()
        caddy.wait(30)
        caddy_log.close()
        portal_log.close()


def _request(env, method, path, body=None, headers=None):
    conn = _Https(env["port"], "legs.test", env["context"])
    try:
        conn.request(method, path, body=body, headers={"Host": env["site"], **(headers or {})})
        response = conn.getresponse()
        return response.status, response.headers, response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def test_a_link_through_caddy_over_https_opens_the_dashboard_and_saves_a_check_in(behind_caddy):
    env = behind_caddy
    link = env["link"]
    assert link.startswith(env["public"] + "/a/")
    path = urllib.parse.urlsplit(link).path
    status, _, page = _request(env, "GET", path)
    assert status == 200 and "Ana" in page and "Low iron" in page
    status, _, form = _request(env, "GET", path + "checkin")
    assert status == 200
    csrf = re.search(r'name="csrf" value="([0-9a-f]{64})"', form).group(1)
    body = urllib.parse.urlencode({"csrf": csrf, "heaviness": "5", "sleep_h": "8", "fatigue": "3"})
    status, headers, _ = _request(env, "POST", path + "checkin", body=body,
                                  headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 303
    status, _, saved = _request(env, "GET", path + headers["Location"])
    assert status == 200 and 'id="hl-saved"' in saved
    row = load_checkins(env["data"], "ana").iloc[-1]
    assert (row["date"].date(), row["heaviness"], row["source"]) == (dt.date.today(), 5, "portal")
    assert read_audit(env["data"])[-1]["client"] == "127.0.0.1"  # Caddy's X-Forwarded-For: the real client


def test_the_certificate_is_checked_and_other_paths_are_refused(behind_caddy):
    env = behind_caddy
    with pytest.raises(ssl.SSLError):  # not a certificate for another name
        conn = _Https(env["port"], "other.test", env["context"])
        conn.connect()
    with pytest.raises(ssl.SSLError):  # nor one a client trusts without Caddy's root
        conn = _Https(env["port"], "legs.test", ssl.create_default_context())
        conn.connect()
    assert _request(env, "GET", "/")[0] == 404
    assert _request(env, "GET", "/legs/")[0] == 404
    assert _request(env, "GET", "/legs/voila/static/voila.js")[0] == 404
    assert _request(env, "GET", "/legs/a/" + "x" * 32 + "/")[0] == 404
