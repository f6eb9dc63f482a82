"""The dashboard server (heavylegs.serve.server, heavylegs.serve._voila): token, Host check, kernels, stopping.

The request rules are checked as a pure function first, then on live Voila
servers (plain HTTP, no browser: the browser checks are in test_browser.py).
"""
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest

from heavylegs.serve import _voila
from heavylegs.serve.server import (DashboardServer, notebook_path, plotly_bundles, plotly_js_version, serve_dashboard,
                              voila_command)

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "s3cret-token"


# --- the request rules, as a function -------------------------------------------------------------

@pytest.mark.parametrize("host", ["127.0.0.1:8866", "localhost:8866", "LOCALHOST:8866", "[::1]:8866"])
def test_local_hosts_with_the_token_pass(host):
    assert _voila.refusal(host, TOKEN, None, TOKEN, 8866) is None


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8866", "127.0.0.1", "localhost",
                                  "127.0.0.1:8867", "127.0.0.1.evil.example:8866", "", None,
                                  "0.0.0.0:8866", "localhost.:8866"])
def test_foreign_hosts_are_refused_even_with_the_token(host):
    assert "answers only to 127.0.0.1" in _voila.refusal(host, TOKEN, None, TOKEN, 8866)


@pytest.mark.parametrize("query,cookie", [
    (None, None), ("", None), ("wrong", None), (TOKEN + "x", None), (TOKEN[:-1], None),
    (None, f"heavylegs-token-8866={TOKEN}x"), (None, f"heavylegs-token-8867={TOKEN}"),
    (None, f"token={TOKEN}"), (None, "garbage;;=="),
])
def test_requests_without_the_token_are_refused(query, cookie):
    assert "carries the server's token" in _voila.refusal("127.0.0.1:8866", query, cookie, TOKEN, 8866)


def test_the_cookie_stands_for_the_token():
    assert _voila.refusal("localhost:8866", None, f"a=1; heavylegs-token-8866={TOKEN}", TOKEN, 8866) is None
    assert _voila.cookie_name(8866) == "heavylegs-token-8866"
    assert _voila.allowed_hosts(1) == {"127.0.0.1:1", "localhost:1", "[::1]:1"}


def test_voila_command_bounds_and_culls_kernels():
    cmd = voila_command(port=9000, max_kernels=3, cull_idle_timeout=120, queue_timeout=5)
    for flag in ("--VoilaConfiguration.multi_kernel_manager_class=heavylegs.serve._voila.BoundedKernelManager",
                 "--BoundedKernelManager.max_kernels=3", "--BoundedKernelManager.queue_timeout=5",
                 "--BoundedKernelManager.shutdown_after_page=True",
                 "--MappingKernelManager.cull_idle_timeout=120", "--MappingKernelManager.cull_interval=20",
                 "--MappingKernelManager.cull_connected=True"):
        assert flag in cmd, flag
    assert "--MappingKernelManager.cull_interval=1" in voila_command(cull_idle_timeout=2)


def test_voila_refuses_to_start_without_a_token(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "HEAVYLEGS_SERVER_TOKEN"}
    done = subprocess.run(voila_command(port=1), capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60)
    assert done.returncode == 2 and "refusing to serve without a token" in done.stderr


def test_notebook_path_is_the_checkouts():
    assert notebook_path() == ROOT / "notebooks" / "athlete_dashboard.ipynb"


def test_the_dashboard_has_its_own_template_and_the_squad_voilas():
    assert "--template=heavylegs-dashboard" in voila_command()
    assert "--template=heavylegs" in voila_command(template="heavylegs")


def test_voila_skips_jsonschemas_optional_format_checkers_only_for_jsonschema():
    code = ("import sys; from heavylegs.serve._voila import SkipFormatCheckers as S; sys.meta_path.insert(0, S()); "
            "import jsonschema; print(sorted(m for m in S.skipped | {'arrow'} if m in sys.modules)); "
            "import isoduration, webcolors, rfc3986_validator; print('direct imports work'); "
            "jsonschema.validate('not a date', {'type': 'string', 'format': 'date-time'}, "
            "format_checker=jsonschema.FormatChecker()); print('date-time left unchecked')")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "[]\ndirect imports work\ndate-time left unchecked\n"


class _Channel:
    """A kernel client's channel that hands out queued messages, then times out; it records each timeout."""

    def __init__(self, messages):
        self.messages, self.timeouts = list(messages), []

    async def get_msg(self, timeout=None):
        from queue import Empty

        self.timeouts.append(timeout)
        if not self.messages:
            raise Empty
        return self.messages.pop(0)


class _Client:
    def __init__(self, shell, iopub):
        self.shell_channel, self.iopub_channel = _Channel(shell), _Channel(iopub)
        self.asked, self.handled = 0, []

    def kernel_info(self):
        self.asked += 1

    def _handle_kernel_info_reply(self, msg):
        self.handled.append(msg)

    async def _async_is_alive(self):
        return True


def test_a_kernel_client_is_ready_without_waiting_for_two_tenths_of_silence(monkeypatch):
    import asyncio

    from jupyter_client.asynchronous.client import AsyncKernelClient

    monkeypatch.setattr(AsyncKernelClient, "wait_for_ready", AsyncKernelClient.wait_for_ready)  # restored after
    _voila._install_quick_ready()
    reply = {"msg_type": "kernel_info_reply"}
    # no answer to the first request; then the reply, IOPub's busy status, and its idle status to flush
    client = _Client(shell=[{"msg_type": "status"}, reply], iopub=[{"busy": 1}, {"idle": 1}])
    asyncio.run(AsyncKernelClient.wait_for_ready(client, timeout=30))
    assert client.asked == 2 and client.handled == [reply]
    assert client.shell_channel.timeouts == [1, 1]
    assert client.iopub_channel.timeouts == [0.2, _voila.READY_FLUSH, _voila.READY_FLUSH] and _voila.READY_FLUSH < 0.2


# --- plotly.js for the dashboard's template ------------------------------------------------------

BASIC = ROOT / "heavylegs" / "serve" / "templates" / "heavylegs-dashboard" / "static" / "plotly-basic.min.js"


def test_plotly_js_version_reads_the_bundles_first_lines(tmp_path):
    assert plotly_js_version(BASIC) == "4.1.1"  # the vendored bundle (PLOTLY-BASIC.md)
    full = tmp_path / "plotly.min.js"
    full.write_text("/**\n* plotly.js v3.0.1\n* Copyright\n*/\n(function(){})();\n")
    assert plotly_js_version(full) == "3.0.1"
    full.write_text("(function(){})();\n")
    assert plotly_js_version(full) is None


def _bundle(path, version):
    path.write_text(f"/**\n* plotly.js{' (basic - minified)' if 'basic' in path.name else ''} v{version}\n*/\n"
                    f"// {path.name}\n")
    return path


@pytest.mark.parametrize("installed,expected", [("4.1.1", "basic"), ("4.2.0", "full")])
def test_plotly_bundles_use_the_basic_one_only_for_the_installed_version(tmp_path, installed, expected):
    static = tmp_path / "static"
    static.mkdir()
    _bundle(static / "plotly-basic.min.js", "4.1.1")
    full = _bundle(tmp_path / "plotly.min.js", installed)
    assert plotly_bundles(static, full) == expected
    assert (static / "plotly.min.js").read_text() == full.read_text()
    basic_text = (static / "plotly-basic.min.js").read_text()
    assert (basic_text == full.read_text()) == (expected == "full")


def test_plotly_bundles_without_a_basic_one_serve_the_full_one_twice(tmp_path):
    full = _bundle(tmp_path / "plotly.min.js", "4.1.1")
    assert plotly_bundles(tmp_path / "static", full) == "full"
    assert (tmp_path / "static" / "plotly-basic.min.js").read_text() == full.read_text()


def _render_page(outputs):
    """The dashboard template rendered by Jinja alone, with one cell holding ``outputs``."""
    import jinja2
    from nbconvert.filters import strip_ansi

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(BASIC.parent.parent)))
    env.filters["strip_ansi"] = strip_ansi
    env.filters["markdown2html"] = lambda text: f"<p>{text}</p>"
    cell = {"cell_type": "code", "source": "secret_code()", "outputs": outputs}
    return env.get_template("index.html.j2").render(
        nb={"cells": [cell]}, resources={"base_url": "/"}, kernel_start=lambda nb: "k-1",
        cell_generator=lambda nb, kernel_id: iter(nb["cells"]), static_url=lambda path: f"/static/{path}?v=1")


def test_the_page_template_renders_every_output_on_the_server():
    bar = {"data": [{"type": "bar", "y": [1, 2]}, {"y": [3]}], "layout": {"height": 300}}
    heat = {"data": [{"type": "heatmap", "z": [[1]]}], "layout": {}}
    page = _render_page([
        {"output_type": "display_data", "data": {"text/html": "<div id='hl-x'>Hi <b>Ana</b></div>"}},
        {"output_type": "display_data", "data": {"application/vnd.plotly.v1+json": bar, "text/plain": "chart"}},
        {"output_type": "display_data", "data": {"application/vnd.plotly.v1+json": heat}},
        {"output_type": "stream", "name": "stdout", "text": "a < b\n"},
        {"output_type": "execute_result", "data": {"text/plain": "<3>"}},
        {"output_type": "error", "ename": "ExecutionError", "evalue": "Execution error",
         "traceback": ["\x1b[31mThere was an error when executing cell [2]. Please run Voila with --show_tracebacks"]},
    ])
    assert '<script async src="/static/plotly-basic.min.js?v=1" onload="hlLoaded(\'basic\')"></script>' in page
    assert "<div id='hl-x'>Hi <b>Ana</b></div>" in page  # HTML outputs as they are
    assert ('<div class="hl-dash hl-chart"><div id="hl-served-chart-1-2" class="hl-served-chart"></div></div>\n'
            '<script>hlChart("hl-served-chart-1-2", {"data": [{"type": "bar", "y": [1, 2]}, {"y": [3]}], '
            '"layout": {"height": 300}}, "basic");</script>') in page
    assert ('hlChart("hl-served-chart-1-3", {"data": [{"type": "heatmap", "z": [[1]]}], "layout": {}}, "full", '
            '"/static/plotly.min.js?v=1");') in page
    assert '<pre class="hl-output-text">a &lt; b\n</pre>' in page
    assert '<pre class="hl-output-text">&lt;3&gt;</pre>' in page
    # the error shows without its colour codes, and keeps the words that stop the page being reused
    assert ('<pre class="hl-output-text">There was an error when executing cell [2]. Please run Voila with '
            '--show_tracebacks</pre>') in page
    assert _voila._VOILA_ERROR.decode() in page
    assert "secret_code" not in page  # no source
    assert '"kernelId": "k-1"' in page and 'name="viewport"' in page


def test_the_page_template_keeps_script_breaking_text_inside_a_figure():
    figure = {"data": [{"type": "bar", "name": "</script><script>alert(1)</script>", "y": [1]}]}
    page = _render_page([{"output_type": "display_data", "data": {"application/vnd.plotly.v1+json": figure}}])
    assert "</script><script>alert(1)" not in page and "\\u003c/script\\u003e" in page


# --- the preloaded first kernel (heavylegs.serve._voila, heavylegs.serve._kernel) -----------------------------

@pytest.mark.parametrize("cmd,fits", [
    ([sys.executable, "-m", "ipykernel_launcher", "-f", "/tmp/k.json"], True),
    ([os.path.realpath(sys.executable), "-m", "ipykernel_launcher", "-f", "/tmp/k.json"], True),
    (["/usr/bin/some-other-python", "-m", "ipykernel_launcher", "-f", "/tmp/k.json"], False),
    ([sys.executable, "-m", "ipykernel", "-f", "/tmp/k.json"], False),
    (["/usr/bin/R", "--slave", "-e", "IRkernel::main()"], False),
    ([sys.executable], False),
])
def test_preload_fits_only_this_pythons_ipykernel(cmd, fits):
    assert _voila.preload_fits(cmd) is fits


# --- live servers --------------------------------------------------------------------------------

def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _jupyter_env(tmp):
    return {"JUPYTER_CONFIG_DIR": str(tmp / "config"), "JUPYTER_DATA_DIR": str(tmp / "data"),
            "JUPYTER_RUNTIME_DIR": str(tmp / "runtime"), "IPYTHONDIR": str(tmp / "ipython")}


def _get(port, path, host=None, cookie=None, timeout=120):
    """(status, headers, body) of a GET with the given Host and Cookie headers."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = {"Host": host or f"127.0.0.1:{port}"}
    if cookie:
        headers["Cookie"] = cookie
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, response.headers, response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def _kernels(server):
    """Kernel processes (children of Voila) alive now."""
    try:
        return [p for p in psutil.Process(server.process.pid).children(recursive=True)
                if "ipykernel" in " ".join(p.cmdline())]
    except psutil.NoSuchProcess:
        return []


def _wait_until(predicate, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.25)
    return predicate()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("server")
    srv = serve_dashboard(ROOT / "data", "ana", port=_free_port(), env=_jupyter_env(tmp), max_kernels=1, queue_timeout=0, page_cache_ttl=0)
    yield srv
    srv.stop()


def _port(server):
    return int(server.base_url.rsplit(":", 1)[1].strip("/"))


def test_served_url_carries_the_token(server):
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/\?token=[A-Za-z0-9_-]{32}", server.url)


@pytest.mark.parametrize("path", ["/", "/voila/static/voila.js", "/api/kernels/x"])
def test_foreign_host_gets_403(server, path):
    status, _, body = _get(_port(server), f"{path}?token={server.token}", host="evil.example")
    assert status == 403 and "answers only to" in body and "Ana" not in body
    status, _, _ = _get(_port(server), f"{path}?token={server.token}", host=f"evil.example:{_port(server)}")
    assert status == 403


@pytest.mark.parametrize("path", ["/", "/?athlete=ana", "/voila/static/voila.js", "/voila/files/voila.log",
                                  "/api/kernels/x/channels", "/login"])
def test_no_token_gets_403(server, path):
    status, _, body = _get(_port(server), path)
    assert status == 403 and "token" in body and "Ana" not in body


def test_token_link_shows_the_page_sets_the_cookie_and_ends_its_kernel(server):
    port = _port(server)
    status, headers, body = _get(port, f"/?token={server.token}")
    assert status == 200 and "Ana" in body and "Low iron" in body
    cookie = headers["Set-Cookie"]
    assert cookie.startswith(f"heavylegs-token-{port}={server.token};")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    # the page's own requests (scripts, kernel API) carry only the cookie
    jar = cookie.split(";", 1)[0]
    status, _, _ = _get(port, "/voila/static/voila.js", cookie=jar)
    assert status == 200
    status, _, _ = _get(port, "/voila/static/voila.js", cookie=jar, host=f"localhost:{port}")
    assert status == 200
    # the page holds no live widget: its kernel is shut down once it has been sent
    kernel_id = re.search(r'"kernelId": "([0-9a-f-]{36})"', body).group(1)
    assert _wait_until(lambda: _get(port, f"/api/kernels/{kernel_id}", cookie=jar)[0] == 404)
    assert _wait_until(lambda: _kernels(server) == [])


def test_the_page_loads_plotly_js_and_none_of_voilas_scripts(server):
    port = _port(server)
    status, headers, body = _get(port, f"/?token={server.token}")
    assert status == 200 and "Low iron" in body
    assert 'name="viewport"' in body and "hlChart(" in body
    assert "voila.js" not in body and "require.min.js" not in body and "http://" not in body
    script = re.search(r'<script async src="(/voila/templates/heavylegs-dashboard/static/plotly-basic\.min\.js\?v=\w+)"',
                       body).group(1)
    jar = headers["Set-Cookie"].split(";", 1)[0]
    status, headers, js = _get(port, script, cookie=jar)
    assert status == 200 and js.startswith("/**\n* plotly.js (basic - minified) v")
    assert "max-age=" in headers["Cache-Control"]  # versioned by ?v=, so a browser keeps it
    assert _get(port, script)[0] == 403  # neither token nor cookie


def test_kernels_are_bounded(server):
    """max_kernels=1 and no queue: of two page requests at once, one is served and one gets 503."""
    port = _port(server)
    results, peak = [], []
    watching = threading.Event()

    def visit():
        results.append(_get(port, f"/?token={server.token}")[0])

    def watch():
        while not watching.is_set():
            peak.append(len(_kernels(server)))
            time.sleep(0.05)

    watcher = threading.Thread(target=watch)
    watcher.start()
    visitors = [threading.Thread(target=visit) for _ in range(3)]
    for thread in visitors:
        thread.start()
    for thread in visitors:
        thread.join()
    watching.set()
    watcher.join()
    assert sorted(results) == [200, 503, 503]
    assert max(peak) <= 1


def test_idle_kernels_are_culled(tmp_path):
    """With kernels kept after the page, an idle one is culled after cull_idle_timeout."""
    srv = serve_dashboard(ROOT / "data", "ana", port=_free_port(), env=_jupyter_env(tmp_path), shutdown_after_page=False, cull_idle_timeout=2, cull_interval=1)
    try:
        # The kernel preloaded at start-up becomes the page's kernel; once the page is sent the
        # server preloads the next one, which stays (idle, not a kernel of Voila's) after the cull.
        assert _wait_until(lambda: len(_kernels(srv)) == 1)
        serving = {p.pid for p in _kernels(srv)}
        status, _, body = _get(_port(srv), f"/?token={srv.token}")
        assert status == 200 and "Ana" in body
        kernel_id = re.search(r'"kernelId": "([0-9a-f-]{36})"', body).group(1)
        assert _wait_until(lambda: f"Culling 'idle' kernel 'python3' ({kernel_id})" in srv._stderr_tail())
        assert _wait_until(lambda: not serving & {p.pid for p in _kernels(srv)})
        assert len(_kernels(srv)) <= 1
    finally:
        srv.stop()
    assert not srv.root.exists()


def _started(server):
    return (server.root / "voila.log").read_text(encoding="utf-8", errors="replace").count("Kernel started:")


def test_pages_are_rendered_once_until_the_athletes_files_change(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    shutil.rmtree(data / "athletes" / "ana" / "assessments")  # so the profile file is what the page shows
    srv = serve_dashboard(data, "ana", port=_free_port(), env=_jupyter_env(tmp_path))
    try:
        port, results = _port(srv), []
        visitors = [threading.Thread(target=lambda: results.append(_get(port, f"/?token={srv.token}")))
                    for _ in range(3)]
        for thread in visitors:
            thread.start()
        for thread in visitors:
            thread.join()
        assert [r[0] for r in results] == [200, 200, 200]
        assert len({r[2] for r in results}) == 1 and "Low iron" in results[0][2]
        assert _started(srv) == 1  # three visitors at once, one kernel
        assert _get(port, f"/?token={srv.token}")[2] == results[0][2] and _started(srv) == 1
        # Issue 18: the page depends on the athlete's data, not on the query string: 30 visitors with
        # 30 query strings took a kernel each (median 21 s). Any other query shares the one page.
        for query in ("&v=1", "&utm_source=qr&v=2", "&athlete=ana", "&x=%2F"):
            assert _get(port, f"/?token={srv.token}{query}")[2] == results[0][2]
        assert _started(srv) == 1
        refused = _get(port, f"/?token={srv.token}&athlete=ben")[2]  # another query: its own page
        assert "another athlete" in refused and _started(srv) == 2
        profile = data / "athletes" / "ana.json"
        profile.write_text(profile.read_text(encoding="utf-8").replace('"Ana ', '"Anneke '), encoding="utf-8")
        status, _, body = _get(port, f"/?token={srv.token}")
        assert status == 200 and "Anneke" in body and _started(srv) == 3
        # Issue 18: a byte-identical page was sent for 300 s after 7 new check-ins. A page is valid
        # only while every file it was drawn from is unchanged: the check-ins are one of them.
        from heavylegs.logs.checkins import add_checkin

        add_checkin(data, "ana", {"date": "2026-11-29", "heaviness": 10, "sleep_h": 3})
        status, _, fresh = _get(port, f"/?token={srv.token}&v=after-checkin")
        assert status == 200 and _started(srv) == 4 and _figure_data(fresh) != _figure_data(body)
        assert "2026-11-29" in _figure_data(fresh)
        assert _get(port, f"/?token={srv.token}")[2] == fresh and _started(srv) == 4
    finally:
        srv.stop()


def _figure_data(page):
    """The page's charts' data (what a new check-in changes), without the kernel id."""
    return re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "", page)


def test_page_key_follows_every_file_the_page_is_drawn_from_and_not_the_query(tmp_path):
    from heavylegs.logs.checkins import add_checkin

    (tmp_path / "athletes" / "ana").mkdir(parents=True)
    (tmp_path / "athletes" / "ana.json").write_text("{}")
    key = _voila.page_key({"token": [b"a"]}, str(tmp_path), "ana")
    for query in ({"v": [b"1"]}, {"utm": [b"x"], "v": [b"2"]}, {"athlete": [b"ana"]}):
        assert _voila.page_key(query, str(tmp_path), "ana") == key
    keys = {key}
    add_checkin(tmp_path, "ana", {"date": "2026-11-20", "heaviness": 3})
    keys.add(_voila.page_key({}, str(tmp_path), "ana"))
    add_checkin(tmp_path, "ana", {"date": "2026-11-20", "heaviness": 3})  # same bytes: a new inode
    keys.add(_voila.page_key({}, str(tmp_path), "ana"))
    (tmp_path / "athletes" / "ana" / "wellness.csv").write_text("date,resting_hr_bpm\n")
    keys.add(_voila.page_key({}, str(tmp_path), "ana"))
    (tmp_path / "athletes" / "ana" / "log.csv").write_text("date,duration_min\n")
    keys.add(_voila.page_key({}, str(tmp_path), "ana"))
    assert len(keys) == 5
    # a lock file or a temporary file of a write in progress changes nothing
    (tmp_path / "athletes" / "ana" / ".checkins.csv.1.x.tmp").write_text("")
    assert _voila.page_key({}, str(tmp_path), "ana") in keys


@pytest.mark.parametrize("path", ["/logout", "/login",
                                  "/voila/templates/heavylegs-dashboard/static/..%2F..%2F..%2F..%2Fetc%2Fpasswd",
                                  "/voila/templates/heavylegs-dashboard/static/%2e%2e/%2e%2e/x",
                                  "/voila/static/..%5C..%5Cx", "/voila/templates/heavylegs-dashboard/static/",
                                  "/voila/templates/", "/voila/templates/heavylegs-dashboard/"])
def test_logout_and_traversal_paths_get_a_bare_404(server, path):
    # Issue 18: /logout and an encoded traversal under the template's static folder answered 500.
    status, headers, body = _get(_port(server), f"{path}?token={server.token}")
    assert (status, body) == (404, "404 Not Found\n")
    assert headers["Content-Type"].startswith("text/plain")


def test_refused_paths():
    for path in ("/logout", "/logout/", "/a/%2e%2e/b", "/a/..%2fb", "/a%00", "/./x", "/voila/templates/t/",
                 "/voila/templates/t/static/"):
        assert _voila.refused_path(path), path
    for path in ("/", "/voila/static/voila.js", "/api/kernels/x/channels", "/voila/templates/t/static/a.js"):
        assert not _voila.refused_path(path), path


def test_page_key_follows_the_query_and_the_files(tmp_path):
    (tmp_path / "athletes" / "ana" / "assessments").mkdir(parents=True)
    profile = tmp_path / "athletes" / "ana.json"
    profile.write_text("{}")
    key = _voila.page_key({"token": [b"a"]}, str(tmp_path), "ana")
    assert key == _voila.page_key({"token": [b"b"]}, str(tmp_path), "ana")  # the token is not part of it
    assert key != _voila.page_key({"athlete": [b"ben"]}, str(tmp_path), "ana")
    (tmp_path / "athletes" / "ana" / "assessments" / "2026-11-20.json").write_text("{}")
    assert key != _voila.page_key({}, str(tmp_path), "ana")
    assert _voila.page_key({}, None, None) == ((), ())


def test_a_failed_start_leaves_no_folder(monkeypatch, tmp_path):
    import tempfile

    from heavylegs.serve import server as server_module

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(server_module, "_write_template", lambda folder: (_ for _ in ()).throw(RuntimeError("x")))
    with pytest.raises(RuntimeError):
        serve_dashboard(ROOT / "data", "ana", port=_free_port())
    assert list(tmp_path.iterdir()) == []
    monkeypatch.undo()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(server_module, "voila_command", lambda *a, **k: [sys.executable, "-c", "raise SystemExit(3)"])
    with pytest.raises(RuntimeError, match="voila stopped with status 3"):
        serve_dashboard(ROOT / "data", "ana", port=_free_port())
    assert list(tmp_path.iterdir()) == []


# --- stopping `heavylegs serve` ------------------------------------------------------------------

def _start_cli(tmp_path):
    port = _free_port()
    env = {**os.environ, **_jupyter_env(tmp_path)}
    proc = subprocess.Popen([sys.executable, "-m", "heavylegs", "serve", "gus", "--port", str(port),
                             "--data", str(ROOT / "data")], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env)
    line = proc.stdout.readline()
    assert "?token=" in line, (line, proc.poll())
    url = line.split(" at ", 1)[1].split()[0]
    status, _, body = _get(port, url.split(str(port), 1)[1])
    assert status == 200 and "Gus" in body
    voila = [p for p in psutil.Process(proc.pid).children() if "heavylegs.serve._voila" in " ".join(p.cmdline())]
    assert len(voila) == 1
    folder = Path(voila[0].cwd()).parent
    assert folder.name.startswith("heavylegs-dashboard-") and folder.is_dir()
    return proc, voila[0], folder


def test_sigterm_stops_voila_and_removes_the_folder(tmp_path):
    proc, voila, folder = _start_cli(tmp_path)
    proc.send_signal(signal.SIGTERM)  # what `kill PID` sends
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0 and "Traceback" not in err
    assert "Stopped" in out
    assert not voila.is_running()
    assert not folder.exists()


def test_sigkill_of_serve_still_stops_voila(tmp_path):
    """Even when `heavylegs serve` cannot clean up, Voila sees its parent gone and cleans up itself."""
    proc, voila, folder = _start_cli(tmp_path)
    proc.kill()
    proc.communicate(timeout=60)
    try:
        assert _wait_until(lambda: not voila.is_running() or voila.status() == psutil.STATUS_ZOMBIE)
        assert _wait_until(lambda: not folder.exists())
    finally:
        if voila.is_running():
            voila.kill()
        shutil.rmtree(folder, ignore_errors=True)


def test_server_repr_and_link():
    srv = DashboardServer(process=type("P", (), {"pid": 7})(), base_url="http://127.0.0.1:9/", root="/nonexistent",
                          token="abc")
    assert srv.url == "http://127.0.0.1:9/?token=abc"
    assert srv.link("voila/static/", athlete="ben") == "http://127.0.0.1:9/voila/static/?token=abc&athlete=ben"
    assert repr(srv) == "DashboardServer('http://127.0.0.1:9/', pid=7)"


def test_sigterm_while_voila_starts_leaves_nothing(tmp_path):
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {**os.environ, **_jupyter_env(tmp_path), "TMPDIR": str(temp)}
    proc = subprocess.Popen([sys.executable, "-m", "heavylegs", "serve", "gus", "--port", str(_free_port()),
                             "--data", str(ROOT / "data")], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env)
    try:
        assert _wait_until(lambda: any(temp.glob("heavylegs-dashboard-*")) or proc.poll() is not None, 60)
        children = psutil.Process(proc.pid).children(recursive=True)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode in (0, 130) and "Traceback" not in err, err
    assert _wait_until(lambda: not any(p.is_running() and p.status() != psutil.STATUS_ZOMBIE for p in children))
    assert _wait_until(lambda: not any(temp.glob("heavylegs-dashboard-*")))


def test_the_first_kernel_is_the_process_started_with_voila(tmp_path):
    """The warm-up render's kernel is the preloaded process; it still ends with Voila."""
    srv = serve_dashboard(ROOT / "data", "ana", port=_free_port(), env=_jupyter_env(tmp_path), shutdown_after_page=False)
    try:
        log = srv.root / "voila.log"
        assert _wait_until(lambda: "Kernel started:" in log.read_text(encoding="utf-8", errors="replace"))
        assert _wait_until(lambda: len(_kernels(srv)) == 1)
        kernel = _kernels(srv)[0]
        assert kernel.cmdline()[1:4] == ["-m", "heavylegs.serve._kernel", "ipykernel_launcher"]
        assert "HEAVYLEGS_SERVER_TOKEN" not in kernel.environ()  # started after Voila took the token out
        status, _, body = _get(_port(srv), f"/?token={srv.token}")
        assert status == 200 and "Low iron" in body and _started(srv) == 1
        srv.process.kill()  # Voila gone without a word: the kernel sees its parent change and ends
        srv.process.wait()
        assert _wait_until(lambda: not kernel.is_running() or kernel.status() == psutil.STATUS_ZOMBIE, timeout=30)
    finally:
        srv.stop()


def test_the_page_is_rendered_as_soon_as_voila_listens(tmp_path):
    srv = serve_dashboard(ROOT / "data", "ana", port=_free_port(), env=_jupyter_env(tmp_path))
    try:
        log = srv.root / "voila.log"
        assert _wait_until(lambda: "Kernel shutdown:" in log.read_text(encoding="utf-8", errors="replace"))
        assert _started(srv) == 1  # before any visitor
        status, _, body = _get(_port(srv), f"/?token={srv.token}")
        assert status == 200 and "Low iron" in body and _started(srv) == 1
    finally:
        srv.stop()
