"""The athlete portal's request handlers, inside the Voila process (see :mod:`heavylegs.serve.portal`).

:mod:`heavylegs.serve._voila` installs them when ``$HEAVYLEGS_PORTAL`` holds
the portal's settings (JSON: allowed ``hosts``, the public URL's ``prefix``,
``trust_forwarded``). Every request passes :meth:`Portal.route` first:

* a ``Host`` that is neither the listening address nor the public URL's host
  gets 403 (DNS rebinding), whatever the path;
* ``/a/SECRET/...`` (after the public URL's path, when it has one) goes to
  the portal's pages, once the secret is found among the hashes of
  ``data/portal/tokens.json``;
* Voila's own addresses answer only the portal itself (its internal token,
  never shown to anyone), for rendering dashboards;
* anything else is 404, with no detail.

The dashboard is Voila's page: :meth:`Portal.dashboard` asks this same
server for ``/?athlete=ID`` with the internal token, and Voila's page reuse
(:func:`heavylegs.serve._voila.page_key`: the athlete and the files the page
was drawn from, :func:`heavylegs.store.athlete.athlete_signature`) renders it once per change of the athlete's files. A
check-in needs no kernel: the form and its post are plain Tornado handlers
that call :func:`heavylegs.logs.checkins.add_checkin`, in a thread, under
the athlete's lock.

Nothing here is imported by the rest of the package.
"""
from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import datetime as _dt
import hashlib
import hmac
import json
import logging
import math
import os
import re
import secrets
import time
import urllib.parse
from pathlib import Path

import tornado.httputil
import tornado.web
from tornado.httpclient import AsyncHTTPClient

from heavylegs.errors import InputError
from heavylegs.logs.checkins import CHECKIN_COLUMNS, add_checkin, load_checkins, validate_checkin
from heavylegs.store.assessments import load_latest_plan
from heavylegs.store.athlete import athlete_signature
from heavylegs.store.portal_links import LinkTable, append_audit, secret_hash
from heavylegs.views.dashboard import dashboard_content
from heavylegs.views.plan_pages import plan_ics
from heavylegs.views.portal_pages import (checkin_days, checkin_form_html, doctor_page_html, message_page,
                                          plan_page_html, with_portal_nav)

PORTAL_ENV = "HEAVYLEGS_PORTAL"
#: Largest request body the portal reads [bytes]; a bigger one gets 413.
MAX_BODY = 64 * 1024
#: Posts a minute one link may make before 429.
POSTS_PER_MINUTE = 30
#: Failed link attempts a minute one client address may make before 429.
FAILURES_PER_MINUTE = 10
#: Check-ins listed under the form.
RECENT_CHECKINS = 14
_PAGES = ("", "checkin", "plan", "plan.ics", "doctor")
_STATIC = ("plotly-basic.min.js", "plotly.min.js")
_ROUTE = re.compile(r"^/a/(?P<secret>[^/]*)/(?P<page>[^/]*|static/[^/]*)\Z")
_FORM_FIELDS = frozenset(CHECKIN_COLUMNS) | {"csrf"}
_TEMPLATE_STATIC = re.compile(r"(?:https?://[^\"'\s]*?)?/[^\"'\s]*?voila/templates/heavylegs-dashboard/static/")
_SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": ("default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' "
                                "'unsafe-inline'; img-src 'self' data:; form-action 'self'; "
                                "frame-ancestors 'none'; base-uri 'none'"),
}
_log = logging.getLogger("heavylegs.portal")

# --- what a log line may not carry -------------------------------------------------------------

_SECRET_IN_PATH = re.compile(r"/a/[^/\s\"'?#]+")
_TOKEN_IN_QUERY = re.compile(r"(token=)[^&\s\"']+")


def redact(text: str) -> str:
    """``text`` with every link secret (``/a/SECRET``) and internal token (``token=...``) blanked."""
    return _TOKEN_IN_QUERY.sub(r"\1…", _SECRET_IN_PATH.sub("/a/…", text))


def install_log_redaction() -> None:
    """Blank secrets in every log record this process makes, whoever makes it.

    A record's message is formatted and redacted when the record is made,
    and so is its exception text (a traceback may quote a request's
    address), before any handler or formatter sees it.
    """
    make = logging.getLogRecordFactory()

    def factory(*args, **kwargs):
        record = make(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a malformed call: keep it as it is
            return record
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return record

    logging.setLogRecordFactory(factory)


# --- limits ------------------------------------------------------------------------------------

class RateLimit:
    """At most ``limit`` events a ``window`` seconds per key (a sliding window)."""

    def __init__(self, limit: int, window: float = 60.0):
        self.limit, self.window = limit, window
        self._events = collections.defaultdict(collections.deque)

    def _trim(self, key, now):
        events = self._events[key]
        while events and events[0] <= now - self.window:
            events.popleft()
        if not events:
            del self._events[key]
        return events

    def over(self, key) -> bool:
        """Whether ``key`` has used up its events in the window."""
        return len(self._trim(key, time.monotonic())) >= self.limit

    def add(self, key) -> None:
        """Count one event of ``key``."""
        self._events[key].append(time.monotonic())


# --- the portal -------------------------------------------------------------------------------

class Portal:
    """The portal's state in the Voila process: links, limits, the CSRF key, the render queue.

    Parameters
    ----------
    data_dir : str or Path
        The data folder.
    hosts : iterable of str
        ``Host`` header values the server answers (lower case, with the port
        where one is needed).
    prefix : str
        The public URL's path (``""`` or e.g. ``"/legs"``): requests may
        come with it (a proxy that keeps it) or without (one that strips it).
    trust_forwarded : bool
        Take the client's address from ``X-Forwarded-For`` when the request
        comes from loopback (a reverse proxy on the same machine).
    port : int
        The port this server listens on.
    connect : str
        The address the portal reaches this server at (for rendering).
    token : str
        Voila's internal token.
    static_dir : Path
        The dashboard template's ``static/`` folder (plotly.js).
    warm_at_start : bool
        Render every athlete's dashboard once when the server starts.
    """

    def __init__(self, data_dir, hosts, prefix, trust_forwarded, port, connect, token, static_dir,
                 warm_at_start=True):
        self.warm_at_start = warm_at_start
        self.data_dir = Path(data_dir)
        self.hosts = frozenset(h.lower() for h in hosts)
        self.prefix = prefix.rstrip("/")
        self.trust_forwarded = trust_forwarded
        self.port, self.connect, self.token = port, connect, token
        self.static_dir = Path(static_dir)
        self.links = LinkTable(self.data_dir)
        self.csrf_key = secrets.token_bytes(32)
        self.posts = RateLimit(POSTS_PER_MINUTE)
        self.failures = RateLimit(FAILURES_PER_MINUTE)
        self.pool = concurrent.futures.ThreadPoolExecutor(max_workers=4, thread_name_prefix="heavylegs-portal")
        self._contents = {}
        self._queue = None
        self._queued = set()

    # routing --------------------------------------------------------------------------------
    def host_ok(self, host: str | None) -> bool:
        return (host or "").lower() in self.hosts

    def portal_path(self, path: str) -> str | None:
        """The path relative to the portal's root when it is one of the portal's (``/a/...``), else None."""
        if self.prefix and (path == self.prefix or path.startswith(self.prefix + "/")):
            path = path[len(self.prefix):]
        return path if path.startswith("/a/") or path == "/a" else None

    def client(self, request) -> str:
        """The client's address: the peer's, or the proxy's ``X-Forwarded-For`` (its last entry)."""
        peer = request.remote_ip or "?"
        if self.trust_forwarded and peer in ("127.0.0.1", "::1"):
            forwarded = request.headers.get("X-Forwarded-For", "")
            last = forwarded.split(",")[-1].strip()
            if last:
                return last[:64]
        return peer

    def csrf(self, athlete_id: str, link_hash: str) -> str:
        """The CSRF token of one link's forms (valid while this server runs)."""
        return hmac.new(self.csrf_key, f"{athlete_id}\n{link_hash}".encode(), hashlib.sha256).hexdigest()

    # content --------------------------------------------------------------------------------
    def content(self, athlete_id: str) -> dict:
        """The dashboard's content model for the plan and doctor's pages, once per change of the files.

        The files are :func:`heavylegs.store.athlete.athlete_signature`, the
        same rule as the dashboard's page reuse.
        """
        key = (athlete_signature(self.data_dir, athlete_id), _dt.date.today().isoformat())
        cached = self._contents.get(athlete_id)
        if cached is not None and cached[0] == key:
            return cached[1]
        content = dashboard_content(self.data_dir, athlete_id)
        self._contents[athlete_id] = (key, content)
        return content

    def first_name(self, athlete_id: str) -> str:
        """The athlete's first name from the profile (the id when there is none), as the dashboard says it."""
        try:
            profile = json.loads((self.data_dir / "athletes" / f"{athlete_id}.json").read_text(encoding="utf-8"))
            return str(profile.get("name") or athlete_id).split()[0]
        except (OSError, ValueError, AttributeError, IndexError):
            return athlete_id

    async def dashboard(self, athlete_id: str) -> tuple:
        """``(status, html)`` of the athlete's dashboard, as Voila renders (or reuses) it."""
        query = urllib.parse.urlencode({"athlete": athlete_id, "token": self.token})
        response = await AsyncHTTPClient().fetch(
            f"http://{self.connect}:{self.port}/?{query}", headers={"Host": f"{self.connect}:{self.port}"},
            request_timeout=300, raise_error=False)
        if response.code != 200:
            return response.code, None
        page = response.body.decode("utf-8", "replace")
        return 200, with_portal_nav(_TEMPLATE_STATIC.sub("static/", page))

    def render_soon(self, athlete_id: str) -> None:
        """Render the athlete's dashboard in the background (after a change), one render at a time."""
        if self._queue is None:
            self._queue = asyncio.Queue()
            asyncio.get_running_loop().create_task(self._renderer())
        if athlete_id not in self._queued:
            self._queued.add(athlete_id)
            self._queue.put_nowait(athlete_id)

    async def _renderer(self):
        while True:
            athlete_id = await self._queue.get()
            self._queued.discard(athlete_id)
            try:
                await self.dashboard(athlete_id)
            except Exception:  # logged by Voila; the next visit tries again
                _log.warning("portal: rendering %s's dashboard failed", athlete_id, exc_info=True)

    def warm(self, athletes) -> None:
        """Render every athlete's dashboard once, in the background."""
        for athlete_id in athletes:
            self.render_soon(athlete_id)


# --- handlers ------------------------------------------------------------------------------------

class _Base(tornado.web.RequestHandler):
    """Security headers, bare error pages, no secret in a log line."""

    def initialize(self, portal: Portal, status: int = 404):
        self.portal = portal
        self.refusal_status = status

    def set_default_headers(self):
        for name, value in _SECURITY_HEADERS.items():
            self.set_header(name, value)

    def write_error(self, status_code, **kwargs):
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(message_page(f"{status_code} {tornado.httputil.responses.get(status_code, 'Error')}",
                                 _ERROR_WORDS.get(status_code, "This address cannot be shown.")))

    def _request_summary(self):
        return redact(super()._request_summary())

    def log_exception(self, typ, value, tb):
        if isinstance(value, tornado.web.HTTPError):
            return
        _log.error("portal: error on %s %s", self.request.method, redact(self.request.path), exc_info=(typ, value, tb))


_ERROR_WORDS = {
    400: "The request could not be read.",
    403: "This address cannot be shown.",
    404: "This address cannot be shown.",
    413: "The form sent too much: at most 64 kB.",
    429: "Too many tries in a minute. Wait a minute, then try again.",
    500: "Something went wrong on the server. Try again in a minute.",
}


class Refused(_Base):
    """A bare 403 or 404 (or 429) for any method."""

    def prepare(self):
        raise tornado.web.HTTPError(self.refusal_status)


@tornado.web.stream_request_body
class PortalHandler(_Base):
    """Every ``/a/SECRET/...`` request: the link, the limits, then the page."""

    def initialize(self, portal: Portal, status: int = 404):
        super().initialize(portal, status)
        self._body = bytearray()
        self._too_big = False

    def prepare(self):
        portal = self.portal
        self.client = portal.client(self.request)
        if portal.failures.over(self.client):
            raise tornado.web.HTTPError(429)
        path = portal.portal_path(self.request.path)
        match = _ROUTE.match(path or "")
        secret = match.group("secret") if match else None
        self.athlete_id = portal.links.athlete(secret) if secret else None
        if self.athlete_id is None:
            portal.failures.add(self.client)
            _log.warning("portal: %s %s from %s: no such link", self.request.method,
                         redact(self.request.path), self.client)
            raise tornado.web.HTTPError(404)
        self.link_hash = secret_hash(secret)
        page = match.group("page")
        if page not in _PAGES and not (page.startswith("static/") and page[7:] in _STATIC):
            raise tornado.web.HTTPError(404)
        self.page = page
        if self.request.method == "POST":
            if page != "checkin":
                raise tornado.web.HTTPError(405)
            if portal.posts.over(self.link_hash):
                _log.warning("portal: %s's link posted over %d times a minute (from %s)", self.athlete_id,
                             POSTS_PER_MINUTE, self.client)
                raise tornado.web.HTTPError(429)
            portal.posts.add(self.link_hash)
            length = self.request.headers.get("Content-Length")
            if length is not None and (not length.isdigit() or int(length) > MAX_BODY):
                raise tornado.web.HTTPError(413)
        elif self.request.method not in ("GET", "HEAD"):
            raise tornado.web.HTTPError(405)
        self._other_athlete(self.request.query_arguments.get("athlete"))

    def data_received(self, chunk):
        if self._too_big:
            return
        self._body.extend(chunk)
        if len(self._body) > MAX_BODY:
            self._too_big = True
            self._body = bytearray()

    def _other_athlete(self, values) -> None:
        """403 when the request names another athlete than the link's (logged without the secret)."""
        for value in values or []:
            named = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
            if named != self.athlete_id:
                _log.warning("portal: %s's link asked for athlete %r (from %s): refused", self.athlete_id,
                             named[:64], self.client)
                raise tornado.web.HTTPError(403)

    # GET ------------------------------------------------------------------------------------------
    async def get(self):
        if self.page.startswith("static/"):
            return self._static(self.page[7:])
        if self.page == "":
            status, page = await self.portal.dashboard(self.athlete_id)
            if page is None:
                raise tornado.web.HTTPError(503 if status == 503 else 500)
            return self._html(page)
        if self.page == "checkin":
            return await self._form()
        loop = asyncio.get_running_loop()
        if self.page == "plan.ics":
            ics = await loop.run_in_executor(self.portal.pool, self._ics)
            if ics is None:
                raise tornado.web.HTTPError(404)
            self.set_header("Content-Type", "text/calendar; charset=utf-8")
            self.set_header("Content-Disposition", f'attachment; filename="{self.athlete_id}-plan.ics"')
            return self.finish(ics)
        content = await loop.run_in_executor(self.portal.pool, self.portal.content, self.athlete_id)
        self._html(plan_page_html(content) if self.page == "plan" else doctor_page_html(content))

    def _html(self, page: str, status: int = 200):
        self.set_status(status)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(page)

    def _static(self, name: str):
        path = self.portal.static_dir / name
        self.set_header("Content-Type", "text/javascript; charset=utf-8")
        self.set_header("Cache-Control", "private, max-age=604800, immutable")
        self.finish(path.read_bytes())

    def _ics(self):
        plan = load_latest_plan(self.portal.data_dir, self.athlete_id)
        if plan is None:
            return None
        content = self.portal.content(self.athlete_id)
        return plan_ics(plan, name=content.get("name"), unit=content.get("unit") or "km")

    def _recent(self) -> tuple:
        checkins = load_checkins(self.portal.data_dir, self.athlete_id)
        rows = []
        for record in checkins.tail(RECENT_CHECKINS).iloc[::-1].to_dict("records"):
            rows.append({"date": record["date"].date().isoformat(),
                         **{k: _plain(record.get(k)) for k in ("heaviness", "sleep_h", "sleep_quality", "fatigue",
                                                                "stress", "soreness", "hooper", "notes",
                                                                "source")}})
        return rows, self.portal.first_name(self.athlete_id)

    async def _form(self, values=None, refused=None, general=None, day=None, status=200):
        today = _dt.date.today()
        days = checkin_days(today)
        if day is None:
            asked = self.get_query_argument("date", None)
            day = next((d for d in days if d.isoformat() == asked), today)
        recent, name = await asyncio.get_running_loop().run_in_executor(self.portal.pool, self._recent)
        if values is None:
            values = next((row for row in recent if row["date"] == day.isoformat()), {})
        saved = self.get_query_argument("saved", None) if status == 200 else None
        if saved is not None and saved not in {d.isoformat() for d in days}:
            saved = None
        page = checkin_form_html(name=name, today=today, day=day, values=values,
                                 csrf=self.portal.csrf(self.athlete_id, self.link_hash), recent=recent,
                                 refused=refused, saved=saved, general=general)
        self._html(page, status)

    # POST -----------------------------------------------------------------------------------------
    async def post(self):
        if self._too_big:
            raise tornado.web.HTTPError(413)
        arguments, files = {}, {}
        tornado.httputil.parse_body_arguments(self.request.headers.get("Content-Type", ""), bytes(self._body),
                                              arguments, files, self.request.headers)
        form = {name: values[-1].decode("utf-8", "replace") for name, values in arguments.items()}
        self._other_athlete(arguments.get("athlete"))
        sent = form.get("csrf", "")
        if not sent or not hmac.compare_digest(sent.encode(), self.portal.csrf(self.athlete_id,
                                                                                 self.link_hash).encode()):
            _log.warning("portal: %s's check-in post without a valid CSRF token (from %s): refused",
                         self.athlete_id, self.client)
            raise tornado.web.HTTPError(403)
        today = _dt.date.today()
        days = checkin_days(today)
        refused, general = {}, []
        for name in sorted(set(form) - _FORM_FIELDS - {"athlete"}):
            general.append(f"{name[:40]!r} is not a question of the check-in.")
        if files:
            general.append("Files cannot be sent with a check-in.")
        entry = {name: (form.get(name, "").strip() or None) for name in CHECKIN_COLUMNS}
        entry["date"] = entry["date"] or today.isoformat()
        day = next((d for d in days if d.isoformat() == entry["date"]), None)
        if day is None:
            refused["date"] = (f"found {entry['date'][:20]!r}, expected a day from {days[-1].isoformat()} to "
                               f"{today.isoformat()} (today or the 6 days before)")
        try:
            validate_checkin(entry, source="check-in")
        except InputError as exc:
            for problem in exc.problems:
                refused.setdefault(problem.field or "date", _plain_words(problem.message))
        if refused or general:
            shown = {k: v for k, v in entry.items() if k != "date"}
            return await self._form(values=shown, refused=refused, general=general, day=day or today, status=400)
        loop = asyncio.get_running_loop()
        try:
            outcome = await loop.run_in_executor(self.portal.pool, self._save, entry)
        except InputError as exc:  # the athlete's file has a problem the coach must fix: nothing written
            _log.warning("portal: %s's check-in not saved: %s", self.athlete_id, exc)
            return await self._form(values={k: v for k, v in entry.items() if k != "date"}, day=day, status=400,
                                     general=["Your check-in could not be saved: your coach's file of check-ins "
                                              "has a problem to fix first. Nothing was changed."])
        self.portal.render_soon(self.athlete_id)
        self.set_status(303)
        self.set_header("Location", f"checkin?saved={outcome['entry']['date']}&date={outcome['entry']['date']}")
        self.finish()

    def _save(self, entry: dict) -> dict:
        outcome = add_checkin(self.portal.data_dir, self.athlete_id, entry, source="portal")
        saved = outcome["entry"]
        fields = ", ".join(f"{k} {_text(saved[k])}" for k in CHECKIN_COLUMNS[1:-1] if saved.get(k) is not None)
        if saved.get("notes"):
            fields += ", notes"
        what = "replaced" if outcome["replaced"] else "new"
        append_audit(self.portal.data_dir, self.athlete_id, "checkin", f"{saved['date']} {what}: {fields}",
                     self.client)
        return outcome


def _plain(value):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):
        value = value.item()
    return value


def _text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _plain_words(message: str) -> str:
    """A validation message as the athlete reads it: "found ..., expected ..." made a sentence."""
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")


# --- installation ------------------------------------------------------------------------------

def settings_from_env() -> dict | None:
    """The portal's settings from ``$HEAVYLEGS_PORTAL`` (None when the server is no portal)."""
    text = os.environ.pop(PORTAL_ENV, None)
    return json.loads(text) if text else None


def make_portal(settings: dict, port: int, token: str, static_dir) -> Portal:
    """The :class:`Portal` of this process, from its settings."""
    data_dir = os.environ.get("HEAVYLEGS_DATA_DIR")
    return Portal(data_dir, settings["hosts"], settings.get("prefix", ""), settings.get("trust_forwarded", False),
                  port, settings.get("connect", "127.0.0.1"), token, static_dir,
                  warm_at_start=bool(settings.get("warm", True)))


def route(portal: Portal, application, request, find_handler, **kwargs):
    """Which handler answers ``request`` (see the module docstring)."""
    if not portal.host_ok(request.headers.get("Host")):
        _log.warning("portal: %s %s with Host %r refused", request.method, redact(request.path),
                     (request.headers.get("Host") or "")[:80])
        return application.get_handler_delegate(request, Refused, {"portal": portal, "status": 403})
    if portal.portal_path(request.path) is not None:
        return application.get_handler_delegate(request, PortalHandler, {"portal": portal})
    values = request.query_arguments.get("token")
    internal = bool(values) and hmac.compare_digest(values[-1], portal.token.encode())
    if internal and request.remote_ip in ("127.0.0.1", "::1", portal.connect):
        return find_handler(application, request, **kwargs)
    return application.get_handler_delegate(request, Refused, {"portal": portal, "status": 404})
