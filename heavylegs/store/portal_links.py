"""The athlete portal's links, their hashes and its audit trail (``spec/portal.md``).

A link is ``BASE/a/SECRET/``: ``SECRET`` is a random secret of 192 bits
(:func:`secrets.token_urlsafe`), shown once, when the link is made. The data
folder keeps only the secret's SHA-256 hash, in ``data/portal/tokens.json``
(never in an athlete's folder), written atomically under the folder's lock::

    {"format": "heavylegs.portal-tokens/1",
     "links": [{"athlete_id": "ana", "hash": "sha256:9f2c...", "created": "2026-12-06T01:02:03Z"}]}

A hash of a 192-bit random secret cannot be turned back into the secret, so
whoever reads the file (a backup, a shared folder) cannot open a link.
Every :func:`make_link` adds a link; the athlete's earlier links keep
working until :func:`revoke_links`, which ends them all at once.

``data/portal/server.json`` holds the address links are written with
(``{"base_url": ...}``), recorded by ``heavylegs portal`` when it starts,
so ``heavylegs portal link`` and the workbook print links that reach it.

``data/portal/audit.csv`` gets one row per write a link makes or the
command line does: ``time`` (UTC, ISO 8601), ``athlete_id``, ``action``
(``checkin``, ``link``, ``revoke``, ``refused``), ``detail`` (what changed)
and ``client`` (the client's address, or ``cli``). No secret is ever
written there.
"""
from __future__ import annotations

import csv
import datetime as _dt
import hashlib
import io
import json
import os
import re
import secrets
import urllib.parse
from pathlib import Path

from heavylegs.errors import InputError, Problem
from heavylegs.files import atomic_write_text, folder_lock, validate_athlete_id
from heavylegs.store.storage import list_athletes

__all__ = [
    "TOKENS_FORMAT",
    "SECRET_BYTES",
    "SECRET_PATTERN",
    "DEFAULT_BASE_URL",
    "AUDIT_COLUMNS",
    "portal_dir",
    "secret_hash",
    "read_links",
    "make_link",
    "revoke_links",
    "link_url",
    "athlete_for_secret",
    "LinkTable",
    "record_base_url",
    "base_url",
    "append_audit",
    "read_audit",
    "links_by_athlete",
]

#: Format name of ``tokens.json``.
TOKENS_FORMAT = "heavylegs.portal-tokens/1"
#: Bytes of randomness in a link's secret (192 bits; the spec asks for at least 128).
SECRET_BYTES = 24
#: What a secret looks like in an address: URL-safe base64, 32 characters for 24 bytes.
SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{22,86}\Z")
#: The address links are written with when no portal has recorded one.
DEFAULT_BASE_URL = "http://127.0.0.1:8870"
#: Columns of ``audit.csv``.
AUDIT_COLUMNS = ("time", "athlete_id", "action", "detail", "client")


def portal_dir(data_dir) -> Path:
    """The portal's folder of a data folder: ``<data_dir>/portal``."""
    return Path(data_dir) / "portal"


def secret_hash(secret: str) -> str:
    """The stored form of a secret: ``"sha256:"`` and the hex digest of its UTF-8 bytes.

    Examples
    --------
    >>> secret_hash("abc")
    'sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
    """
    return "sha256:" + hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _locked(data_dir):
    """The portal folder's lock (:func:`heavylegs.files.folder_lock` on ``<data_dir>/portal``)."""
    return folder_lock(portal_dir(data_dir))


def _tokens_path(data_dir) -> Path:
    return portal_dir(data_dir) / "tokens.json"


def read_links(data_dir) -> list:
    """The links of ``tokens.json``: a list of ``{"athlete_id", "hash", "created"}``, empty without a file.

    Raises
    ------
    InputError
        When the file is not a ``heavylegs.portal-tokens/1`` document (the
        problem names the file and what was expected).
    """
    path = _tokens_path(data_dir)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise InputError([Problem(str(path), f"cannot be read ({exc.strerror or exc}), expected the portal's "
                                             "link file")]) from None
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise InputError([Problem(str(path), f"invalid JSON ({exc}), expected a {TOKENS_FORMAT} document")]) from None
    if not isinstance(doc, dict) or doc.get("format") != TOKENS_FORMAT or not isinstance(doc.get("links"), list):
        raise InputError([Problem(str(path), f"expected a document with \"format\": \"{TOKENS_FORMAT}\" and a "
                                             "list \"links\"")])
    links = []
    for number, item in enumerate(doc["links"], start=1):
        if (not isinstance(item, dict) or not isinstance(item.get("athlete_id"), str)
                or not isinstance(item.get("hash"), str) or not item["hash"].startswith("sha256:")):
            raise InputError([Problem(str(path), f"link {number}: expected {{\"athlete_id\", \"hash\": "
                                                 "\"sha256:...\", \"created\"}", field="links")])
        links.append({"athlete_id": item["athlete_id"], "hash": item["hash"], "created": item.get("created")})
    return links


def _write_links(data_dir, links: list) -> None:
    doc = {"format": TOKENS_FORMAT, "links": links}
    atomic_write_text(_tokens_path(data_dir), json.dumps(doc, indent=1) + "\n")


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _check_athlete(data_dir, athlete_id) -> None:
    validate_athlete_id(athlete_id, "ATHLETE")
    profile = Path(data_dir) / "athletes" / f"{athlete_id}.json"
    if not profile.is_file():
        raise InputError([Problem(str(profile), f"no profile for athlete {athlete_id!r}, expected a file "
                                                "DATA/athletes/<id>.json")])


def make_link(data_dir, athlete_id: str, base: str | None = None) -> str:
    """Make a new link for one athlete and return it (the only time its secret is seen).

    Parameters
    ----------
    data_dir : str or Path
        The data folder.
    athlete_id : str
        An athlete with a profile in ``data_dir``.
    base : str, optional
        The portal's address (:func:`base_url` by default).

    Returns
    -------
    str
        ``BASE/a/SECRET/``. The athlete's earlier links keep working.

    Raises
    ------
    InputError
        For an invalid or unknown athlete, or a bad ``tokens.json``.
    """
    _check_athlete(data_dir, athlete_id)
    secret = secrets.token_urlsafe(SECRET_BYTES)
    with _locked(data_dir):
        links = read_links(data_dir)
        links.append({"athlete_id": athlete_id, "hash": secret_hash(secret), "created": _now()})
        _write_links(data_dir, links)
    append_audit(data_dir, athlete_id, "link", "a new link was made", "cli")
    return link_url(base if base is not None else base_url(data_dir), secret)


def revoke_links(data_dir, athlete_id: str) -> int:
    """End every link of one athlete at once; returns how many were ended.

    The portal reads ``tokens.json`` again whenever it changes, so the next
    request with an ended link is refused.
    """
    validate_athlete_id(athlete_id, "ATHLETE")
    with _locked(data_dir):
        links = read_links(data_dir)
        kept = [link for link in links if link["athlete_id"] != athlete_id]
        ended = len(links) - len(kept)
        if ended:
            _write_links(data_dir, kept)
    append_audit(data_dir, athlete_id, "revoke", f"{ended} link(s) ended", "cli")
    return ended


def link_url(base: str, secret: str) -> str:
    """``BASE/a/SECRET/`` (one slash between the base and ``a``)."""
    return f"{base.rstrip('/')}/a/{secret}/"


class LinkTable:
    """The hashes of ``tokens.json`` in memory, read again when the file changes.

    Parameters
    ----------
    data_dir : str or Path
        The data folder.

    Notes
    -----
    :meth:`athlete` looks a secret up by its hash; it checks the file's
    modification time, size and inode on each call (one ``stat``), so a
    link made or revoked by the command line counts at once.
    """

    def __init__(self, data_dir):
        self.data_dir = Path(data_dir)
        self._key = None
        self._by_hash = {}

    def _refresh(self) -> None:
        path = _tokens_path(self.data_dir)
        try:
            info = path.stat()
            key = (info.st_mtime_ns, info.st_size, info.st_ino)
        except FileNotFoundError:
            key = None
        if key != self._key or key is None:
            links = read_links(self.data_dir) if key is not None else []
            self._by_hash = {link["hash"]: link["athlete_id"] for link in links}
            self._key = key

    def athlete(self, secret: str) -> str | None:
        """The athlete a secret opens, or None (unknown, revoked or malformed)."""
        if not isinstance(secret, str) or not SECRET_PATTERN.match(secret):
            return None
        self._refresh()
        return self._by_hash.get(secret_hash(secret))


def athlete_for_secret(data_dir, secret: str) -> str | None:
    """The athlete a link's secret opens, or None (unknown, revoked or malformed)."""
    return LinkTable(data_dir).athlete(secret)


def _server_path(data_dir) -> Path:
    return portal_dir(data_dir) / "server.json"


def _check_base(url: str, source: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise InputError([Problem(source, f"found {url!r}, expected an address such as "
                                          "https://team.example.org/legs (http or https, no query)")])
    return url.rstrip("/")


def record_base_url(data_dir, url: str) -> None:
    """Record the address links are written with (``server.json``), as ``heavylegs portal`` does."""
    url = _check_base(url, "--public-url")
    with _locked(data_dir):
        atomic_write_text(_server_path(data_dir), json.dumps({"base_url": url}) + "\n")


def base_url(data_dir) -> str:
    """The address links are written with: the last portal's, else :data:`DEFAULT_BASE_URL`."""
    try:
        doc = json.loads(_server_path(data_dir).read_text(encoding="utf-8"))
        return _check_base(doc["base_url"], str(_server_path(data_dir)))
    except (OSError, ValueError, KeyError, TypeError, InputError):
        return DEFAULT_BASE_URL


def append_audit(data_dir, athlete_id: str, action: str, detail: str, client: str) -> None:
    """Append one row to ``audit.csv`` (with its header when the file is new).

    Parameters
    ----------
    athlete_id : str
        The athlete concerned.
    action : str
        ``checkin``, ``link``, ``revoke`` or ``refused``.
    detail : str
        What changed, in words; never a secret.
    client : str
        The client's address, or ``cli``.

    Notes
    -----
    The row is written with one ``write`` to a file opened for appending,
    under the portal folder's lock, so rows from several writers never mix.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    with _locked(data_dir):
        path = portal_dir(data_dir) / "audit.csv"
        if not path.exists() or path.stat().st_size == 0:
            writer.writerow(AUDIT_COLUMNS)
        writer.writerow([_now(), athlete_id, action, detail, client])
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, buffer.getvalue().encode("utf-8"))
        finally:
            os.close(fd)


def read_audit(data_dir) -> list:
    """The rows of ``audit.csv`` as dicts (empty without a file)."""
    path = portal_dir(data_dir) / "audit.csv"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    return list(csv.DictReader(io.StringIO(text)))


def links_by_athlete(data_dir) -> dict:
    """``{athlete_id: {"links": n, "created": newest creation time or None}}`` for every athlete."""
    counts = {athlete: {"links": 0, "created": None} for athlete in list_athletes(data_dir)}
    for link in read_links(data_dir):
        entry = counts.setdefault(link["athlete_id"], {"links": 0, "created": None})
        entry["links"] += 1
        if link["created"] and (entry["created"] is None or link["created"] > entry["created"]):
            entry["created"] = link["created"]
    return counts
