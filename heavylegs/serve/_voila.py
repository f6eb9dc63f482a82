"""What runs inside the Voila process that :func:`heavylegs.serve.server.serve_dashboard` starts.

Started as ``python -m heavylegs.serve._voila NOTEBOOK [voila options]`` with the
token in ``$HEAVYLEGS_SERVER_TOKEN`` and the server's temporary folder in
``$HEAVYLEGS_SERVER_ROOT`` (both removed from the environment before any
kernel starts). It is Voila's own ``main`` with:

* a gate in front of every handler (pages, kernels, websockets, static
  files): a ``Host`` header other than ``127.0.0.1``, ``localhost`` or
  ``[::1]`` with the server's port gets 403 (DNS rebinding), and a request
  without the token, as ``?token=`` or as the cookie a request with it
  sets, gets 403;
* :class:`BoundedKernelManager`, which caps the kernels running at once and
  shuts a kernel down once its page has been sent (the dashboard has no live
  widget, so nothing talks to the kernel afterwards);
* the page rendered once as soon as Voila listens, and then reused (see
  :func:`_install_one_shot`), so the athlete's first visit finds it ready;
* that first render's kernel started before Voila is even imported (see
  :func:`_start_preload` and :mod:`heavylegs.serve._kernel`), so the kernel's
  start and imports overlap with Voila's on a second core; once a page has
  been sent, the next such kernel is started, so the render after a change of
  the athlete's files (a new check-in) finds its imports done too;
* a watch on the parent process: should ``heavylegs serve`` die without
  stopping Voila, Voila stops (its kernels with it) and removes the folder;
* the module ``rfc3987_syntax`` kept out: jsonschema (through
  jupyter_events) imports it when it is installed, to check "iri" strings,
  and it builds a Lark grammar on import, about 1.0 s of Voila's 1.9 s
  start on 2 cores; nothing Voila serves here validates IRIs. The other
  optional format checkers jsonschema imports (URIs, dates, durations,
  colours, host names, JSON pointers, URI templates: about 0.1-0.2 s with
  arrow, which one of them imports) are hidden from jsonschema's format
  module only (:class:`heavylegs._imports.SkipFormatCheckers`, which every
  process importing heavylegs installs), for the same reason.

Nothing here is imported by the rest of the package.
"""
from __future__ import annotations

import asyncio
import contextvars
import hmac
import json
import os
import re
import shutil
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path

from heavylegs._imports import SkipFormatCheckers, install as install_import_economies  # noqa: F401

_TOKEN_ENV = "HEAVYLEGS_SERVER_TOKEN"
_ROOT_ENV = "HEAVYLEGS_SERVER_ROOT"
_LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]")
# The kernel the current request started (set by BoundedKernelManager.start_kernel, which runs
# in the request's own task).
_STARTED: contextvars.ContextVar = contextvars.ContextVar("heavylegs_started_kernel", default=None)


def allowed_hosts(port: int) -> frozenset:
    """``Host`` header values a server on ``port`` answers: loopback names with the port."""
    return frozenset(f"{host}:{port}" for host in _LOCAL_HOSTS)


def cookie_name(port: int) -> str:
    """The token cookie's name; cookies are shared between ports, so the name carries it."""
    return f"heavylegs-token-{port}"


def refusal(host: str | None, query_token: str | None, cookie_header: str | None, token: str,
            port: int) -> str | None:
    """Why a request is refused, or None to let it through.

    Parameters
    ----------
    host : str or None
        The request's ``Host`` header.
    query_token : str or None
        The ``token`` query parameter.
    cookie_header : str or None
        The ``Cookie`` header.
    token : str
        The server's token.
    port : int
        The server's port.
    """
    if (host or "").lower() not in allowed_hosts(port):
        return "this server answers only to 127.0.0.1, localhost or [::1] with its port"
    if query_token is not None and hmac.compare_digest(query_token.encode(), token.encode()):
        return None
    cookie = SimpleCookie()
    try:
        cookie.load(cookie_header or "")
    except Exception:  # a malformed cookie header is no token
        cookie = SimpleCookie()
    morsel = cookie.get(cookie_name(port))
    if morsel is not None and hmac.compare_digest(morsel.value.encode(), token.encode()):
        return None
    return "open the address that `heavylegs serve` printed: it carries the server's token"


# Paths no page of this server has, answered 404 without a word more: the log-out page of
# jupyter_server (whose template is not shipped with Voila: it answered 500) and the log-in page.
_NO_SUCH_PAGES = frozenset({"/logout", "/login"})


_TEMPLATE_FILE = re.compile(r"/voila/templates/[^/]+/static/[^/].*\Z")


def refused_path(path: str) -> bool:
    """True for a request path the server answers with a bare 404 before any handler sees it.

    Parameters
    ----------
    path : str
        The request's path as sent, still percent-encoded (no query).

    Notes
    -----
    Refused: a path with an encoded slash, backslash or NUL (``%2F``,
    ``%5C``, ``%00``), or a ``.`` or ``..`` segment once decoded (``..%2F``,
    ``%2e%2e/``): no file this server sends has such a name, and Voila's
    template static handler answered 500 to them; a path under
    ``/voila/templates/`` other than ``TEMPLATE/static/FILE`` (500 too);
    ``/logout`` and ``/login``. The answer names nothing: no path, no
    handler, no trace.

    Examples
    --------
    >>> refused_path("/voila/templates/heavylegs-dashboard/static/..%2F..%2Fetc%2Fpasswd")
    True
    >>> refused_path("/voila/templates/heavylegs-dashboard/static/plotly-basic.min.js"), refused_path("/")
    (False, False)
    """
    import urllib.parse

    lowered = path.lower()
    if any(code in lowered for code in ("%2f", "%5c", "%00")) or "\\" in path:
        return True
    decoded = urllib.parse.unquote(path)
    if any(segment in (".", "..") for segment in decoded.split("/")):
        return True
    if decoded.startswith("/voila/templates/") and not _TEMPLATE_FILE.match(decoded):
        return True  # Voila's template file handler fails (500) on anything but TEMPLATE/static/FILE
    return decoded.rstrip("/") in _NO_SUCH_PAGES


def _install_gate(token: str, port: int, portal=None) -> None:
    import tornado.web

    class NotFound(tornado.web.RequestHandler):
        def prepare(self):
            self.set_status(404)
            self.set_header("Content-Type", "text/plain; charset=utf-8")
            self.finish("404 Not Found\n")

    class Refused(tornado.web.RequestHandler):
        def initialize(self, reason):
            self.reason = reason

        def prepare(self):
            self.set_status(403)
            self.set_header("Content-Type", "text/plain; charset=utf-8")
            self.finish(f"403 Forbidden: {self.reason}\n")

    class TokenCookie(tornado.web.OutputTransform):
        """Sets the token cookie on the answer to a request that carried ``?token=``."""

        def __init__(self, request):
            values = request.query_arguments.get("token") or [b""]
            self.set = bool(values[-1]) and hmac.compare_digest(values[-1], token.encode())

        def transform_first_chunk(self, status_code, headers, chunk, finishing):
            if self.set:
                headers.add("Set-Cookie", f"{cookie_name(port)}={token}; Path=/; HttpOnly; SameSite=Strict")
            return status_code, headers, chunk

    find_handler = tornado.web.Application.find_handler
    init = tornado.web.Application.__init__

    def gated_find_handler(self, request, **kwargs):
        if portal is not None:  # the athlete portal: its own pages, Voila only for itself
            from heavylegs.serve._portal import route

            return route(portal, self, request, find_handler, **kwargs)
        values = request.query_arguments.get("token")
        reason = refusal(request.headers.get("Host"), values[-1].decode("utf-8", "replace") if values else None,
                         request.headers.get("Cookie"), token, port)
        if reason is not None:
            return self.get_handler_delegate(request, Refused, {"reason": reason})
        if refused_path(request.path):
            return self.get_handler_delegate(request, NotFound, {})
        return find_handler(self, request, **kwargs)

    def gated_init(self, *args, **kwargs):
        init(self, *args, **kwargs)
        if portal is None:
            self.transforms.append(TokenCookie)

    tornado.web.Application.find_handler = gated_find_handler
    tornado.web.Application.__init__ = gated_init


#: Run in a kept kernel before each page: every name the last page's cells made goes, and with it
#: everything of the athlete it drew; the outputs were never kept (Voila runs cells with
#: store_history=False). As ``%reset -f`` does for user names, without its garbage collection (0.12 s of
#: CPU of the 0.25 s a page takes in the kernel).
_FORGET_CELLS = ("_ip = get_ipython(); _k = None\n"
                 "for _k in [k for k in _ip.user_ns if k not in _ip.user_ns_hidden and k not in ('_ip', '_k')]:\n"
                 "    del _ip.user_ns[_k]\n"
                 "_ip.user_ns.update({'_': '', '__': '', '___': ''}); _ip.history_manager.output_hist.clear()\n"
                 "del _ip, _k\n")


def _kernel_manager_class():
    from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
    from tornado.web import HTTPError
    from traitlets import Bool, Float, Integer

    class BoundedKernelManager(AsyncMappingKernelManager):
        """Voila's kernel manager with a cap on the kernels running at once.

        A kernel is shut down once Voila has sent its page (see
        :func:`_install_one_shot`); until then it counts against
        ``max_kernels``. A request that finds every slot taken waits for one
        up to ``queue_timeout`` seconds, then gets 503.
        """

        max_kernels = Integer(4, config=True, help="Kernels running at once.")
        queue_timeout = Float(60.0, config=True, help="Seconds a request waits for a free kernel [s].")
        shutdown_after_page = Bool(True, config=True,
                                   help="Shut a kernel down once its page has been sent (no live widgets).")
        page_cache_ttl = Float(0.0, config=True,
                               help="Seconds a rendered page is sent again while the athlete's files are "
                                    "unchanged [s]; 0 renders every request.")
        reuse_kernels = Integer(0, config=True,
                                help="Kernels kept, once their page is sent, to render later pages (the "
                                     "athlete portal); 0 shuts each one down.")

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self._slots = None
            self._holding = set()
            self._idle = []

        def _semaphore(self):
            if self._slots is None:
                self._slots = asyncio.Semaphore(self.max_kernels)
            return self._slots

        async def start_kernel(self, **kwargs):
            while self._idle:  # a kept kernel, made ready for this request: no kernel start, no imports
                kernel_id = self._idle.pop()
                if kernel_id in self and await self._ready_for(kernel_id, kwargs.get("env") or {},
                                                               kwargs.get("path")):
                    _STARTED.set(kernel_id)
                    return kernel_id
                if kernel_id in self:
                    await self.shutdown_kernel(kernel_id, now=True)
            slots = self._semaphore()
            busy = HTTPError(503, "every kernel is busy; try again in a minute")
            if self.queue_timeout <= 0:  # no queue: a free slot or 503 at once
                if slots.locked():
                    raise busy
                await slots.acquire()
            else:
                try:
                    await asyncio.wait_for(slots.acquire(), self.queue_timeout)
                except asyncio.TimeoutError:
                    raise busy from None
            try:
                kernel_id = await super().start_kernel(**kwargs)
            except BaseException:
                slots.release()
                raise
            self._holding.add(kernel_id)
            _STARTED.set(kernel_id)
            return kernel_id

        async def _ready_for(self, kernel_id, env: dict, path) -> bool:
            """Give a kept kernel a clean namespace and the request's environment and folder.

            :data:`_FORGET_CELLS` drops every name the last page's cells made
            (nothing of the athlete it drew stays reachable); the environment
            (``QUERY_STRING``...) and folder become this request's, as for a
            new kernel. False when the kernel does not answer in 10 s.
            """
            kernel = self.get_kernel(kernel_id)
            client = kernel.client()
            client.start_channels()
            try:
                await client.wait_for_ready(timeout=10)
                code = (_FORGET_CELLS
                        + "import json as _j, os as _o\n"
                        f"_o.environ.clear(); _o.environ.update(_j.loads({json.dumps(json.dumps(dict(env)))}))\n"
                        + (f"_o.chdir({json.dumps(str(path))})\n" if path else "")
                        + "del _j, _o\n")
                msg_id = client.execute(code, silent=True, store_history=False)
                deadline = time.monotonic() + 10
                while time.monotonic() < deadline:
                    reply = await client.get_shell_msg(timeout=max(0.1, deadline - time.monotonic()))
                    if reply["parent_header"].get("msg_id") == msg_id:
                        return reply["content"]["status"] == "ok"
                return False
            except Exception:  # a kernel that cannot be made ready is not reused
                return False
            finally:
                client.stop_channels()

        def keep_or_shutdown(self, kernel_id, page_ok: bool):
            """After a page: keep its kernel for later pages (portal), or shut it down."""
            if page_ok and kernel_id in self and len(self._idle) < self.reuse_kernels:
                self._idle.append(kernel_id)
                return None
            return self.shutdown_kernel(kernel_id)

        async def cull_kernel_if_idle(self, kernel_id):
            if kernel_id in self._idle:  # kept on purpose, waiting for the next page
                return None
            return await super().cull_kernel_if_idle(kernel_id)

        def _release(self, kernel_id):
            if kernel_id in self._holding:
                self._holding.discard(kernel_id)
                self._semaphore().release()

        async def shutdown_kernel(self, kernel_id, now=False, restart=False):
            if kernel_id in self._idle and not restart:
                self._idle.remove(kernel_id)
            try:
                return await super().shutdown_kernel(kernel_id, now=now, restart=restart)
            finally:
                if not restart:
                    self._release(kernel_id)

        def remove_kernel(self, kernel_id):
            self._release(kernel_id)
            return super().remove_kernel(kernel_id)

    return BoundedKernelManager


def page_key(query_arguments: dict, data_dir: str | None, athlete_id: str | None) -> tuple:
    """What a rendered page depends on: the athlete's files, and whether the query is refused.

    Parameters
    ----------
    query_arguments : dict
        The request's query, name to list of bytes values.
    data_dir, athlete_id : str or None
        The served data folder and athlete (``$HEAVYLEGS_DATA_DIR``,
        ``$HEAVYLEGS_ATHLETE``; for the athlete portal, the athlete its link
        opens).

    Returns
    -------
    tuple
        Hashable. The page shows the served athlete whatever else the query
        holds (a token, a campaign tag, a cache-buster), so only an
        ``athlete`` other than the served one (a refusal) gives another key;
        30 visitors with 30 different queries share one rendering. The rest
        is the signature of every file the page is drawn from:
        :func:`heavylegs.store.athlete.athlete_signature` (profile, training
        log, check-ins, the assessments and the plan saved in them: size,
        modification time [ns] and inode of each, taken before the page is
        rendered), and the same for each other file of the athlete's folder
        (``wellness.csv`` and whatever a later version keeps there), so a
        page is never sent again once any of them changed.
    """
    asked = query_arguments.get("athlete")
    asked = asked[-1].decode("utf-8", "replace") if asked else None
    query = () if asked is None or asked == athlete_id else (("athlete", asked),)
    if not (data_dir and athlete_id):
        return query, ()
    # Lazy: the Voila process imports the package's readers only once a page is asked for.
    from heavylegs.store.athlete import athlete_signature
    from heavylegs.files import athlete_paths

    folder = athlete_paths(data_dir, athlete_id)["folder"]
    others = []
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        entries = []
    for entry in entries:
        if entry.name.startswith("."):
            continue  # the lock file and temporary files of writes in progress
        try:
            info = entry.stat(follow_symlinks=True)
        except OSError:
            continue
        if not entry.is_dir():
            others.append((entry.name, info.st_size, info.st_mtime_ns, info.st_ino))
    return query, (athlete_signature(data_dir, athlete_id), tuple(others))


# Rendered pages: key -> (expiry [monotonic s], bytes); and the renders in progress: key -> _Render.
_PAGES: dict = {}
_RENDERING: dict = {}
_VOILA_ERROR = b"There was an error when executing cell"


class _Render:
    """A page being rendered, streamed to every request that asked for it meanwhile."""

    def __init__(self):
        self.chunks = []
        self.done = False
        self._changed = asyncio.Event()

    def _wake(self):
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    def add(self, chunk: bytes) -> None:
        self.chunks.append(chunk)
        self._wake()

    def finish(self) -> None:
        self.done = True
        self._wake()

    async def follow(self, handler) -> None:
        """Write the page to ``handler`` as it is rendered, to its end."""
        from tornado.iostream import StreamClosedError

        sent = 0
        while True:
            changed = self._changed
            if sent < len(self.chunks):
                handler.write(b"".join(self.chunks[sent:]))
                sent = len(self.chunks)
                try:
                    await handler.flush()
                except StreamClosedError:  # the visitor left
                    return
            elif self.done:
                return
            else:
                await changed.wait()


# Pages being rendered now (a stop waits for them, see _install_graceful_stop).
_IN_FLIGHT = {"pages": 0}


def _install_one_shot() -> None:
    """Shut each page's kernel down once the page has been sent, and reuse rendered pages.

    The server shows one athlete and the page holds no live widget, so the
    same query on the same files gives the same page: it is rendered once
    (requests for it meanwhile get it streamed from that one render) and
    sent again for ``page_cache_ttl`` seconds, or until one of the athlete's
    files changes. A page whose notebook failed is never reused.
    """
    from voila.tornado import handler as tornado_handler

    base_get = tornado_handler.TornadoVoilaHandler.get

    def headers(handler):
        handler.set_header("Content-Type", "text/html")
        handler.set_header("Cache-Control", "no-cache, no-store, must-revalidate")
        handler.set_header("Pragma", "no-cache")
        handler.set_header("Expires", "0")

    async def get(self, path=None):
        manager = self.kernel_manager
        ttl = getattr(manager, "page_cache_ttl", 0)
        key = render = None
        if ttl > 0 and not path:
            query, athlete = self.request.query_arguments, os.environ.get("HEAVYLEGS_ATHLETE")
            if _PORTAL["on"]:  # one server for every athlete: the page depends on the athlete's files only
                values = query.get("athlete") or [b""]
                athlete, query = values[-1].decode("utf-8", "replace"), {"athlete": values[-1:]}
            key = page_key(query, os.environ.get("HEAVYLEGS_DATA_DIR"), athlete)
            cached = _PAGES.get(key)
            if cached is not None and cached[0] > time.monotonic():
                headers(self)
                return self.write(cached[1])
            if key in _RENDERING:  # the same page is being rendered: take it as it comes
                headers(self)
                return await _RENDERING[key].follow(self)
            render = _RENDERING[key] = _Render()
            write = self.write

            def capture(chunk):
                render.add(chunk.encode("utf-8") if isinstance(chunk, str) else bytes(chunk))
                return write(chunk)

            self.write = capture
        body = None
        _STARTED.set(None)
        _IN_FLIGHT["pages"] += 1
        try:
            await base_get(self, path)
            if render is not None:
                body = b"".join(render.chunks)
        finally:
            _IN_FLIGHT["pages"] -= 1
            if render is not None:
                if body and self.get_status() == 200 and _VOILA_ERROR not in body:
                    _PAGES[key] = (time.monotonic() + ttl, body)
                render.finish()
                _RENDERING.pop(key, None)
            # start_kernel ran in this task, so the kernel it set is this request's
            kernel_id = _STARTED.get()
            if kernel_id is not None and kernel_id in manager and getattr(manager, "shutdown_after_page", False):
                page_ok = body is not None and self.get_status() == 200 and _VOILA_ERROR not in body
                done = manager.keep_or_shutdown(kernel_id, page_ok)
                if done is not None:
                    await done
            if getattr(manager, "shutdown_after_page", False):  # kernels kept for culling: no spare one
                _refill_preload()

    tornado_handler.TornadoVoilaHandler.get = get


def _warm_up(port: int, token: str) -> None:
    """Render the page once as soon as Voila listens, so the athlete's first visit finds it ready."""
    from tornado.httpclient import AsyncHTTPClient
    from tornado.ioloop import IOLoop

    async def fetch():
        await AsyncHTTPClient().fetch(f"http://127.0.0.1:{port}/?token={token}", request_timeout=300,
                                      raise_error=False)

    IOLoop.current().add_callback(fetch)


# Whether this server is the athlete portal (heavylegs.serve._portal), and the athlete whose dashboard the
# preloaded kernels build once to warm up (they keep the modules and the knowledge files, not the data); set by main.
_PORTAL: dict = {"on": False, "warm_athlete": None}
# The process started by _start_preload, until a kernel launch adopts it (or None); and whether a
# new one is started once a page has been sent (so the render after a change of the athlete's files
# finds a kernel with its imports done, as the first one does).
_PRELOAD: dict = {"process": None, "refill": False}


def _refill_preload() -> None:
    """Start the next preloaded kernel once the last one was taken and its page sent."""
    if _PRELOAD["refill"] and _PRELOAD["process"] is None:
        try:
            _start_preload()
        except OSError:  # no process to spare now: the next render starts its kernel the usual way
            _PRELOAD["process"] = None


def _start_preload() -> subprocess.Popen:
    """Start the process that becomes the first kernel (:mod:`heavylegs.serve._kernel`).

    It inherits this process's environment (the token already removed) and
    runs in a session of its own, as every kernel jupyter_client starts.
    """
    env = None
    if _PORTAL.get("warm_athlete"):  # the portal serves no one athlete: warm up on one of them, keeping nothing
        env = {**os.environ, "HEAVYLEGS_ATHLETE": _PORTAL["warm_athlete"]}
    process = subprocess.Popen([sys.executable, "-m", "heavylegs.serve._kernel", "ipykernel_launcher"],
                               stdin=subprocess.PIPE, start_new_session=True, env=env)
    _PRELOAD["process"] = process
    return process


def preload_fits(cmd: list, executable: str = sys.executable) -> bool:
    """Whether a kernel command is the one the preloaded process can become.

    Parameters
    ----------
    cmd : list of str
        The kernel command jupyter_client is about to run, e.g.
        ``[python, "-m", "ipykernel_launcher", "-f", connection_file]``.
    executable : str
        This Python (the preloaded process runs it).
    """
    return (len(cmd) >= 3 and list(cmd[1:3]) == ["-m", "ipykernel_launcher"]
            and os.path.realpath(cmd[0]) == os.path.realpath(executable))


def _install_preload_handover() -> None:
    """Let the first kernel launch that fits take over the preloaded process instead of starting one.

    jupyter_client's local provisioner starts kernels with
    ``jupyter_client.launcher.launch_kernel``; the replacement writes the
    command's arguments, environment and folder to the waiting process and
    returns it, with ``$JPY_PARENT_PID`` set as ``launch_kernel`` sets it, so
    the kernel still ends when Voila does. Every other launch, or one after
    the preloaded process died, goes to ``launch_kernel`` unchanged.
    """
    from jupyter_client.provisioning import local_provisioner

    launch = local_provisioner.launch_kernel

    def launch_kernel(cmd, stdin=None, stdout=None, stderr=None, env=None, independent=False, cwd=None, **kwargs):
        process = _PRELOAD["process"]
        if process is not None and not independent and process.poll() is None and preload_fits(cmd):
            _PRELOAD["process"] = None
            env = dict(os.environ if env is None else env)
            env["JPY_PARENT_PID"] = str(os.getpid())
            request = {"argv": list(cmd[3:]), "env": env, "cwd": str(cwd) if cwd else None}
            try:
                process.stdin.write(json.dumps(request).encode("utf-8") + b"\n")
                process.stdin.close()
                return process
            except OSError:  # it died meanwhile: start a kernel the usual way
                process.kill()
        return launch(cmd, stdin=stdin, stdout=stdout, stderr=stderr, env=env, independent=independent,
                      cwd=cwd, **kwargs)

    local_provisioner.launch_kernel = launch_kernel


#: Seconds of silence on a new kernel's IOPub channel taken as "flushed" (jupyter_client waits 0.2 s).
READY_FLUSH = 0.02


def _install_quick_ready() -> None:
    """Let a kernel client be ready once its kernel answers, without jupyter_client's 0.2 s of silence.

    jupyter_client's ``wait_for_ready`` asks the kernel for its info until it
    answers and IOPub carries a message, as here, then reads IOPub until it
    has been silent for 0.2 s, which every page render waits for. Voila's
    executor (nbclient) only reads messages whose parent is its own request,
    so a status message arriving later is skipped all the same; here the
    silence needed is :data:`READY_FLUSH`.
    """
    import time as _time
    from queue import Empty

    from jupyter_client.asynchronous.client import AsyncKernelClient

    async def wait_for_ready(self, timeout=None):
        deadline = _time.time() + (float("inf") if timeout is None else timeout)
        while True:
            self.kernel_info()
            try:
                msg = await self.shell_channel.get_msg(timeout=1)
            except Empty:
                pass
            else:
                if msg["msg_type"] == "kernel_info_reply":
                    try:  # IOPub connected: the request's status message reaches it
                        await self.iopub_channel.get_msg(timeout=0.2)
                    except Empty:
                        pass
                    else:
                        self._handle_kernel_info_reply(msg)
                        break
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if _time.time() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")
        while True:
            try:
                await self.iopub_channel.get_msg(timeout=READY_FLUSH)
            except Empty:
                break

    AsyncKernelClient.wait_for_ready = wait_for_ready


def _stop_preload() -> None:
    """End the preloaded process if no kernel launch took it."""
    process, _PRELOAD["process"] = _PRELOAD["process"], None
    if process is not None and process.poll() is None:
        process.kill()
        process.wait()


def _watch_parent() -> None:
    """Stop Voila when the process that started it is gone."""
    from tornado.ioloop import IOLoop, PeriodicCallback

    def check():
        if os.getppid() != _PARENT:
            IOLoop.current().stop()  # Voila's finally: shuts the kernels down

    def start():
        PeriodicCallback(check, 1000).start()

    IOLoop.current().add_callback(start)


#: Seconds a stop waits for kernels still running a cell (a save, a page) before shutting them down [s].
STOP_GRACE = 5.0


def _install_graceful_stop() -> None:
    """Let SIGTERM wait for busy kernels to finish their cell before Voila shuts them down.

    Voila stops its loop at once on SIGTERM and asks every kernel to shut
    down; a kernel still running a cell (a coach's Save, a page being drawn)
    then finds its sockets closed under it and prints a traceback. Here the
    loop keeps running until no page is being rendered and no kernel is
    busy, for at most
    :data:`STOP_GRACE` seconds; a kernel busy past that is killed without a
    word, as its cell's writes are atomic files and nothing is half-written.
    """
    from voila.app import Voila

    def handle(self, sig, frame):
        self.log.info("Handle signal %s.", sig)

        async def stop_when_idle():
            manager = self.kernel_manager
            deadline = time.monotonic() + STOP_GRACE

            def busy():
                return [k for k in list(manager.list_kernel_ids())
                        if getattr(manager.get_kernel(k), "execution_state", "idle") in ("busy", "starting")]

            while (busy() or _IN_FLIGHT["pages"]) and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            for kernel_id in busy():
                try:
                    await manager.shutdown_kernel(kernel_id, now=True)
                except Exception:  # already gone
                    pass
            self.ioloop.stop()

        self.ioloop.add_callback_from_signal(lambda: self.ioloop.add_callback(stop_when_idle))

    Voila._handle_signal_stop = handle


_PARENT = os.getppid()
_PORTAL_ENV = "HEAVYLEGS_PORTAL"


def _start_portal(settings: dict, port: int, token: str, root: str | None):
    """Make this server the athlete portal (:mod:`heavylegs.serve._portal`): its pages, limits and log rules."""
    import tornado.web

    from heavylegs.serve import _portal

    _portal.install_log_redaction()
    _PORTAL["on"] = True
    static = Path(root or ".") / "jupyter" / "voila" / "templates" / "heavylegs-dashboard" / "static"
    portal = _portal.make_portal(settings, port, token, static)
    listen = tornado.web.Application.listen

    def bounded_listen(self, port, address=None, **kwargs):
        # bodies past this are cut off by Tornado itself; the portal's pages answer 413 from 64 kB
        kwargs.setdefault("max_body_size", 16 * _portal.MAX_BODY)
        return listen(self, port, address, **kwargs)

    tornado.web.Application.listen = bounded_listen
    return portal


def _warm_portal(portal) -> None:
    """Render every athlete's dashboard once, in the background, as soon as the server listens."""
    from tornado.ioloop import IOLoop

    from heavylegs.store.storage import list_athletes

    if portal.warm_at_start:
        IOLoop.current().add_callback(lambda: portal.warm(list_athletes(portal.data_dir)))


def main(argv=None) -> int:
    """Run Voila with the gate, the bounded kernel manager and the parent watch."""
    sys.modules["rfc3987_syntax"] = None
    install_import_economies()
    token = os.environ.pop(_TOKEN_ENV, "")
    root = os.environ.pop(_ROOT_ENV, None)
    argv = list(sys.argv[1:] if argv is None else argv)
    if not token and not {"--version", "--help", "--help-all"} & set(argv):
        sys.stderr.write(f"heavylegs.serve._voila: ${_TOKEN_ENV} is not set; refusing to serve without a token\n")
        return 2
    cache = next((a.split("=", 1)[1] for a in argv if a.startswith("--BoundedKernelManager.page_cache_ttl=")), "0")
    warm = float(cache) > 0 and "--preheat_kernel=True" not in argv
    portal_settings = os.environ.pop(_PORTAL_ENV, None)
    if portal_settings:
        from heavylegs.store.storage import list_athletes

        athletes = list_athletes(os.environ.get("HEAVYLEGS_DATA_DIR") or ".")
        _PORTAL["warm_athlete"] = athletes[0] if athletes else None
    if warm:  # first of all, so the kernel's start overlaps with Voila's imports
        _start_preload()
        # the portal keeps a kernel between pages instead (BoundedKernelManager.reuse_kernels)
        _PRELOAD["refill"] = not portal_settings
    try:
        port = next((int(a.split("=", 1)[1]) for a in argv if a.startswith("--port=")), 8866)
        portal = None
        if portal_settings:
            portal = _start_portal(json.loads(portal_settings), port, token, root)
        _install_gate(token, port, portal)
        this = sys.modules[__name__]
        this.BoundedKernelManager = _kernel_manager_class()
        _install_one_shot()
        _install_quick_ready()
        _install_graceful_stop()
        if warm:
            _install_preload_handover()
        from voila.app import Voila

        app = Voila.instance()
        app.initialize(argv)
        _watch_parent()
        if portal is not None:
            _warm_portal(portal)
        elif warm:
            _warm_up(port, token)
        try:
            app.start()
        finally:
            if root and os.getppid() != _PARENT:  # orphaned: nobody else will remove the folder
                shutil.rmtree(root, ignore_errors=True)
    finally:
        _stop_preload()
    return 0


if __name__ == "__main__":
    sys.modules.setdefault("heavylegs.serve._voila", sys.modules[__name__])
    sys.exit(main())
