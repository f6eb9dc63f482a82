"""Atomic file writes and the layout of an athlete's folder.

A data folder holds one profile per athlete and a folder per athlete::

    data/athletes/ana.json                    the athlete's profile
    data/athletes/ana/log.csv                 the training log
    data/athletes/ana/assessments/*.json      dated assessments saved by the workbook

Every write goes to a temporary file in the same folder, is flushed to disk
and then renamed over the target, so a crash leaves either the old file or the
new one, never half of one.
"""
from __future__ import annotations

import os
import re
import stat
import tempfile
import threading
from pathlib import Path

from .errors import InputError, Problem

__all__ = [
    "atomic_write_text",
    "athlete_paths",
    "validate_athlete_id",
    "ATHLETE_ID_PATTERN",
    "default_data_dir",
    "PACKAGED_DATA_DIR",
    "list_athletes",
]

ATHLETE_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}\Z")


_UMASK_LOCK = threading.Lock()


def _mode_for(path: Path) -> int:
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        with _UMASK_LOCK:
            umask = os.umask(0o022)
            os.umask(umask)
        return 0o666 & ~umask


def atomic_write_text(path, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically.

    Parameters
    ----------
    path : str or Path
        Target file; its folder is created when missing.
    text : str
        The whole content.

    Returns
    -------
    Path
        The path written.

    Raises
    ------
    InputError
        When ``path`` lies inside the sample athletes shipped with the
        package (:data:`PACKAGED_DATA_DIR`), which are read-only.
    """
    path = Path(path)
    _check_writable(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding=encoding, newline="") as handle:
            handle.write(text)
            handle.flush()
            # mkstemp makes the file private (0600); give it the mode a plain open() would:
            # the old file's mode, or 0666 less the umask, so an exported page stays readable
            os.fchmod(handle.fileno(), _mode_for(path))
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    try:  # make the rename itself durable
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError:
        pass
    return path


def validate_athlete_id(athlete_id, source: str = "<input>") -> str:
    """Return ``athlete_id`` if it is a valid id, else raise :class:`InputError`.

    A valid id (``^[a-z0-9][a-z0-9_-]{0,63}$``) cannot contain ``/``, ``\\``
    or ``..``, so no id can reach outside the data folder.
    """
    if not isinstance(athlete_id, str) or not ATHLETE_ID_PATTERN.match(athlete_id):
        raise InputError([Problem(source, f"found {athlete_id!r}, expected an id of lower-case "
                                          "letters, digits, '-' and '_' (1-64 characters, "
                                          "starting with a letter or digit)", field="athlete_id")])
    return athlete_id


def athlete_paths(data_dir, athlete_id) -> dict:
    """Paths of one athlete's files under ``data_dir``.

    Parameters
    ----------
    data_dir : str or Path
        The data folder (holding ``athletes/``), e.g. the repository's ``data``.
    athlete_id : str
        A valid athlete id (checked).

    Returns
    -------
    dict
        ``profile``, ``folder``, ``log`` and ``assessments`` paths.
    """
    validate_athlete_id(athlete_id)
    root = Path(data_dir) / "athletes"
    folder = root / athlete_id
    return {
        "profile": root / f"{athlete_id}.json",
        "folder": folder,
        "log": folder / "log.csv",
        "assessments": folder / "assessments",
    }


#: The sample athletes shipped inside the package (a copy of the checkout's ``data/``), read-only.
PACKAGED_DATA_DIR = Path(__file__).resolve().parent / "samples"


def _checkout_data_dir() -> Path | None:
    """``data/`` of the source checkout the package runs from, or None when installed."""
    checkout = Path(__file__).resolve().parent.parent
    if (checkout / "pyproject.toml").is_file() and (checkout / "data" / "athletes").is_dir():
        return checkout / "data"
    return None


def default_data_dir() -> Path:
    """The data folder to use when none is given.

    Returns
    -------
    Path
        ``$HEAVYLEGS_DATA_DIR`` when set; else ``./data`` when it holds
        ``athletes/``; else the data folder the package was installed with:
        the checkout's ``data/`` when it runs from a source checkout (an
        editable install), else the sample athletes shipped inside the
        package (:data:`PACKAGED_DATA_DIR`, read-only). Never a ``data``
        folder beside an installed package (``site-packages/data``).
    """
    env = os.environ.get("HEAVYLEGS_DATA_DIR")
    if env:
        return Path(env)
    here = Path.cwd() / "data"
    if (here / "athletes").is_dir():
        return here
    return _checkout_data_dir() or PACKAGED_DATA_DIR


def _check_writable(path: Path) -> None:
    """Refuse to write inside the packaged sample athletes."""
    try:
        path.resolve().relative_to(PACKAGED_DATA_DIR)
    except ValueError:
        return
    raise InputError([Problem(str(path), "found a path inside the sample athletes shipped with heavylegs, which "
                                         "are read-only, expected a data folder of your own: copy them with "
                                         f"`cp -r {PACKAGED_DATA_DIR} data` and work in ./data, or pass --data DIR")])


def list_athletes(data_dir=None) -> list:
    """Ids of the athletes with a profile in ``data_dir/athletes``, sorted."""
    root = Path(data_dir or default_data_dir()) / "athletes"
    return sorted(p.stem for p in root.glob("*.json") if ATHLETE_ID_PATTERN.match(p.stem))
