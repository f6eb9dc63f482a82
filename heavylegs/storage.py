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
    """
    path = Path(path)
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


def default_data_dir() -> Path:
    """The data folder to use when none is given.

    ``$HEAVYLEGS_DATA_DIR`` when set; else ``./data`` when it holds
    ``athletes/``; else the ``data`` folder of the source checkout.
    """
    env = os.environ.get("HEAVYLEGS_DATA_DIR")
    if env:
        return Path(env)
    here = Path.cwd() / "data"
    if (here / "athletes").is_dir():
        return here
    return Path(__file__).resolve().parent.parent / "data"


def list_athletes(data_dir=None) -> list:
    """Ids of the athletes with a profile in ``data_dir/athletes``, sorted."""
    root = Path(data_dir or default_data_dir()) / "athletes"
    return sorted(p.stem for p in root.glob("*.json") if ATHLETE_ID_PATTERN.match(p.stem))
