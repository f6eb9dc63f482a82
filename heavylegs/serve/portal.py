"""The athlete portal: one server for the whole squad (``spec/portal.md``).

:func:`serve_portal` starts the Voila process of :mod:`heavylegs.serve._voila`
in portal mode, on a new temporary folder holding only a copy of the
dashboard notebook and its template (as :func:`heavylegs.serve.server.serve_dashboard`
does for one athlete), and returns a :class:`PortalServer` that stops it. In
that one process:

* ``BASE/a/SECRET/`` is the athlete's dashboard: Voila's page with the
  ``heavylegs-dashboard`` template, rendered by a kernel once per change of
  the athlete's files and sent again from then on (the page depends on the
  athlete's data, not on the address);
* ``BASE/a/SECRET/checkin`` (GET and POST), ``plan``, ``plan.ics`` and
  ``doctor`` are plain Tornado handlers (:mod:`heavylegs.serve._portal`):
  no kernel per check-in;
* the link's secret is looked up among the hashes of
  ``data/portal/tokens.json`` (:mod:`heavylegs.store.portal_links`), read
  again whenever the file changes, so ``portal revoke`` counts at once.

``--host`` (default 127.0.0.1) and ``--public-url`` (the address links are
written with behind a TLS reverse proxy, ``docs/portal.md``) set which
``Host`` headers are answered; every other one gets 403.
"""
from __future__ import annotations

import ipaddress
import json
import socket
import urllib.parse
from pathlib import Path

from heavylegs.errors import InputError, Problem
from heavylegs.serve.server import DashboardServer, launch_voila
from heavylegs.store.portal_links import record_base_url
from heavylegs.store.storage import default_data_dir

__all__ = [
    "PORTAL_PORT",
    "PORTAL_MAX_KERNELS",
    "PortalServer",
    "serve_portal",
    "portal_settings",
    "local_addresses",
]

#: The portal's default port.
PORTAL_PORT = 8870
#: Kernels rendering dashboards at once: each holds about 150 MB; a squad's pages are rendered once per change.
PORTAL_MAX_KERNELS = 3
#: Kernels kept between renders, each made ready for the next page instead of starting a kernel (about
#: 1.5 s of CPU for a new kernel's start and imports against 0.2 s for a page in a kept one).
PORTAL_KEPT_KERNELS = 1
#: Seconds a rendered dashboard is reused while the athlete's files are unchanged (a change renders it anew).
PORTAL_PAGE_TTL = 24 * 3600
_PORTAL_ENV = "HEAVYLEGS_PORTAL"
_NOTEBOOK = "athlete_dashboard.ipynb"
_LOOPBACK = ("127.0.0.1", "localhost", "[::1]")


def local_addresses() -> list:
    """This machine's IPv4 addresses other than loopback, the one with the default route first."""
    found = []
    try:  # no packet is sent: connect() on UDP only picks the route
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.connect(("192.0.2.1", 9))
            found.append(sock.getsockname()[0])
    except OSError:
        pass
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            found.append(info[4][0])
    except OSError:
        pass
    out = []
    for address in found:
        if not ipaddress.ip_address(address).is_loopback and address not in out:
            out.append(address)
    return out


def _host_text(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def portal_settings(host: str = "127.0.0.1", port: int = PORTAL_PORT, public_url: str | None = None) -> dict:
    """What the portal answers and how its links are written.

    Parameters
    ----------
    host : str
        The listening address: 127.0.0.1 (this machine only), 0.0.0.0
        (every address of the machine) or one of its addresses.
    port : int
        The listening port.
    public_url : str, optional
        The address behind a reverse proxy, e.g. ``https://team.example.org/legs``.

    Returns
    -------
    dict
        ``hosts`` (the ``Host`` header values answered, lower case),
        ``prefix`` (the public URL's path, or ``""``), ``base_url`` (links
        are ``base_url/a/SECRET/``), ``connect`` (where the server reaches
        itself), ``trust_forwarded`` (take the client's address from a
        proxy's ``X-Forwarded-For`` on loopback: with a public URL only).

    Raises
    ------
    InputError
        For a public URL that is not ``http(s)://host[:port][/path]``.
    """
    wildcard = host in ("0.0.0.0", "::", "")
    loopback = host in ("127.0.0.1", "localhost", "::1")
    names = set()
    if wildcard or loopback:
        names.update(_LOOPBACK)
    if wildcard:
        names.update(local_addresses())
        names.update({socket.gethostname(), socket.gethostname() + ".local"})
    else:
        names.add(_host_text(host))
    hosts = {f"{name}:{port}".lower() for name in names}
    prefix, base = "", None
    if public_url:
        parts = urllib.parse.urlsplit(public_url)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
            raise InputError([Problem("--public-url", f"found {public_url!r}, expected an address such as "
                                                      "https://team.example.org/legs (http or https, no query)")])
        try:
            public_port = parts.port
        except ValueError:
            raise InputError([Problem("--public-url", f"found {public_url!r}, whose port is not a number from 1 "
                                                      "to 65535")]) from None
        hostname = _host_text(parts.hostname.lower())
        default_port = 443 if parts.scheme == "https" else 80
        hosts.add(hostname if public_port in (None, default_port) else f"{hostname}:{public_port}")
        if public_port in (None, default_port):
            hosts.add(f"{hostname}:{default_port}")
        prefix = parts.path.rstrip("/")
        base = public_url.rstrip("/")
    if base is None:
        shown = host if not wildcard else (local_addresses() or ["127.0.0.1"])[0]
        base = f"http://{_host_text(shown)}:{port}"
    connect = "127.0.0.1" if wildcard or host == "localhost" else host
    return {"hosts": sorted(hosts), "prefix": prefix, "base_url": base, "connect": connect,
            "trust_forwarded": bool(public_url)}


class PortalServer:
    """A running athlete portal.

    Attributes
    ----------
    base_url : str
        The address links are written with (``BASE``).
    server : DashboardServer
        The Voila process and its temporary folder.
    settings : dict
        :func:`portal_settings`.
    data_dir : Path
    """

    def __init__(self, server: DashboardServer, settings: dict, data_dir: Path):
        self.server, self.settings, self.data_dir = server, settings, data_dir
        self.base_url = settings["base_url"]

    @property
    def process(self):
        """The portal's process (:class:`subprocess.Popen`)."""
        return self.server.process

    @property
    def root(self) -> Path:
        """The temporary folder (removed by :meth:`stop`)."""
        return self.server.root

    @property
    def local_url(self) -> str:
        """Where this machine reaches the portal, e.g. ``http://127.0.0.1:8870/``."""
        return self.server.base_url

    @property
    def stopped_by(self):
        return self.server.stopped_by

    def wait(self) -> int:
        """Block until Ctrl+C, SIGTERM or SIGHUP (then stop cleanly), or until the server ends."""
        return self.server.wait()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the portal and its kernels, and remove its temporary folder."""
        self.server.stop(timeout)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def __repr__(self) -> str:
        return f"PortalServer({self.base_url!r}, pid={self.process.pid})"


def serve_portal(data_dir=None, host: str = "127.0.0.1", port: int = PORTAL_PORT, public_url: str | None = None,
                 out=None, log=None, wait_ready: bool = True, env: dict | None = None,
                 max_kernels: int = PORTAL_MAX_KERNELS, warm: bool = True) -> PortalServer:
    """Start the athlete portal for every athlete of a data folder.

    Parameters
    ----------
    data_dir : str or Path, optional
        The data folder (:func:`heavylegs.store.storage.default_data_dir` by default).
    host : str
        Address to listen on (127.0.0.1; 0.0.0.0 for phones on the same network).
    port : int
        Port to listen on; an error when it is in use.
    public_url : str, optional
        The address links are written with behind a reverse proxy.
    out : file-like, optional
        Where to write where the portal listens and how to get links.
    log : file-like, optional
        Where the server's log goes (e.g. ``sys.stderr``); a file in its
        temporary folder by default. No log line carries a link's secret.
    wait_ready : bool
        Return only once the server accepts connections.
    env : dict, optional
        Extra environment variables for the server and its kernels.
    max_kernels : int
        Dashboards rendered at once.
    warm : bool
        Render every athlete's dashboard once as soon as the server
        listens (one at a time, in the background), so the first visit of
        each finds it ready; False renders a dashboard at its first visit.

    Returns
    -------
    PortalServer

    Raises
    ------
    InputError
        For a data folder without ``athletes/``, a port in use, an address
        that is not this machine's, or a bad public URL.
    """
    data_dir = Path(data_dir if data_dir is not None else default_data_dir()).resolve()
    if not (data_dir / "athletes").is_dir():
        raise InputError([Problem(str(data_dir), "no athletes/ folder, expected a data folder holding "
                                                 "athletes/<id>.json")])
    settings = dict(portal_settings(host, port, public_url), warm=bool(warm))
    # first, so a data folder the portal cannot write (the sample athletes of an installed package) is said
    # before anything starts
    record_base_url(data_dir, settings["base_url"])
    server = launch_voila(_NOTEBOOK, data_dir, {_PORTAL_ENV: json.dumps(settings)}, port, ip=host or "0.0.0.0",
                          connect=settings["connect"], wait_ready=wait_ready, env=env, log=log,
                          options=dict(max_kernels=max_kernels, page_cache_ttl=PORTAL_PAGE_TTL,
                                       shutdown_after_page=True, cull_idle_timeout=60,
                                       reuse_kernels=PORTAL_KEPT_KERNELS))
    portal = PortalServer(server, settings, data_dir)
    if out is not None:
        out.write(f"The athlete portal listens on {host}:{port}; links are written as "
                  f"{settings['base_url']}/a/…/ (Ctrl+C to stop)\n"
                  f"Print an athlete's link with: heavylegs portal link ATHLETE --data {data_dir}\n")
        if settings["base_url"].startswith("http://") and host not in ("127.0.0.1", "localhost", "::1"):
            out.write("Links over plain http can be read by anyone on the network: use them on a trusted "
                      "network only, or put the portal behind TLS (docs/portal.md).\n")
        out.flush()
    return portal

