"""The data folder: where it is, which athletes it holds, and whether an athlete's files changed.

The writes, the lock and the layout of an athlete's folder are
:mod:`heavylegs.files`' (re-exported here, where the rest of the package and
its users have long found them).
"""
from __future__ import annotations

import os
from pathlib import Path

from heavylegs.files import (ATHLETE_ID_PATTERN, PACKAGED_DATA_DIR, STALE_TEMP_AGE_S, athlete_lock, athlete_paths,
                             atomic_write_text, check_output_file, check_writable, folder_lock, fsync_folder, mode_for,
                             remove_stale_temp_files, temp_file, validate_athlete_id, write_all)

__all__ = [
    "atomic_write_text",
    "athlete_paths",
    "validate_athlete_id",
    "ATHLETE_ID_PATTERN",
    "default_data_dir",
    "PACKAGED_DATA_DIR",
    "list_athletes",
    "athlete_lock",
    "folder_lock",
    "athlete_signature",
    "check_writable",
    "check_output_file",
    "remove_stale_temp_files",
    "STALE_TEMP_AGE_S",
    "temp_file",
    "write_all",
    "fsync_folder",
    "mode_for",
    "DATA_DIR_ENV",
    "SERVED_ATHLETE_ENV",
    "SERVED_SQUAD_ENV",
]


def _stat(path) -> tuple | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ino)


def athlete_signature(data_dir, athlete_id: str) -> tuple:
    """What identifies the state of an athlete's files on disk, without reading them.

    Parameters
    ----------
    data_dir : str or Path
        The data folder (holding ``athletes/``).
    athlete_id : str
        A valid athlete id (checked).

    Returns
    -------
    tuple
        ``(profile, log, checkins, assessments, wellness)``: for each file
        ``(size [B], modification time [ns], inode)`` or None when there is
        no such file; for the assessments folder a tuple of
        ``(name, size, modification time, inode)`` per entry, sorted by name,
        or None without the folder. Equal signatures mean the files were not
        changed in between (saves replace files, so they change the inode).
    """
    paths = athlete_paths(data_dir, athlete_id)
    out = [_stat(paths["profile"]), _stat(paths["log"]), _stat(paths["checkins"])]
    try:
        entries = sorted(os.scandir(paths["assessments"]), key=lambda e: e.name)
        folder = []
        for entry in entries:
            try:
                st = entry.stat()
            except OSError:
                continue
            folder.append((entry.name, st.st_size, st.st_mtime_ns, st.st_ino))
        out.append(tuple(folder))
    except OSError:
        out.append(None)
    out.append(_stat(paths["wellness"]))
    return tuple(out)


#: Environment variable naming the data folder (read by :func:`default_data_dir`).
DATA_DIR_ENV = "HEAVYLEGS_DATA_DIR"
#: Environment variable naming the one athlete a served page shows (set by :mod:`heavylegs.serve.server`,
#: read by the page: :meth:`heavylegs.views.dashboard.AthleteDashboard.from_request`).
SERVED_ATHLETE_ENV = "HEAVYLEGS_ATHLETE"
#: Environment variable telling the squad notebook it is served read-only (no workbook, nothing written).
SERVED_SQUAD_ENV = "HEAVYLEGS_SQUAD_SERVED"


def _checkout_data_dir() -> Path | None:
    """``data/`` of the source checkout the package runs from, or None when installed."""
    checkout = Path(__file__).resolve().parents[2]
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
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return Path(env)
    here = Path.cwd() / "data"
    if (here / "athletes").is_dir():
        return here
    return _checkout_data_dir() or PACKAGED_DATA_DIR


def list_athletes(data_dir=None) -> list:
    """Ids of the athletes with a profile in ``data_dir/athletes``, sorted."""
    root = Path(data_dir or default_data_dir()) / "athletes"
    return sorted(p.stem for p in root.glob("*.json") if ATHLETE_ID_PATTERN.match(p.stem))
