"""An athlete's ``wellness.csv``: where it lives, and saving an import into it under the athlete's lock.

The format and the merge rule are :mod:`heavylegs.logs.wellness`; this module
adds what touches the athlete's folder: the path, the atomic write
(:func:`heavylegs.files.atomic_write_text`) and
:func:`heavylegs.files.folder_lock` of the file's folder (for an athlete's file, the
athlete's lock), held from reading the file
that is there to renaming the new one over it, so two imports at once never
lose each other's rows and a crash leaves the old file.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from heavylegs.errors import InputError, Problem
from heavylegs.logs.wellness import (empty_wellness, merge_wellness, read_wellness, validate_wellness,
                                     wellness_to_csv_text)
from heavylegs.files import ATHLETE_ID_PATTERN, athlete_paths, atomic_write_text, folder_lock

__all__ = ["wellness_path", "load_wellness", "write_wellness", "save_wellness", "WellnessSave", "athlete_of_path"]


def wellness_path(data_dir, athlete_id) -> Path:
    """``<data_dir>/athletes/<id>/wellness.csv`` (the id is checked)."""
    return athlete_paths(data_dir, athlete_id)["wellness"]


def load_wellness(data_dir, athlete_id):
    """The athlete's wellness rows (:func:`heavylegs.logs.wellness.read_wellness`), empty without a file."""
    path = wellness_path(data_dir, athlete_id)
    if not path.exists():
        return empty_wellness()
    return read_wellness(path)


def write_wellness(wellness, path) -> Path:
    """Check wellness rows and write them atomically to ``path`` (nothing written when a row is bad)."""
    checked = validate_wellness(wellness, str(path))
    return atomic_write_text(path, wellness_to_csv_text(checked))


def athlete_of_path(path):
    """``(data_dir, athlete_id)`` when ``path`` is ``<data>/athletes/<id>/wellness.csv``, else None."""
    path = Path(path)
    folder = path.parent
    if folder.parent.name == "athletes" and ATHLETE_ID_PATTERN.match(folder.name):
        return folder.parent.parent, folder.name
    return None


@dataclass(frozen=True)
class WellnessSave:
    """What :func:`save_wellness` did.

    Attributes
    ----------
    path : Path
        The file written.
    rows : int
        Rows in the file now.
    before : int
        Rows in it before.
    changed : int
        Values already there that the import replaced or emptied (its source,
        its days, its columns).
    """

    path: Path
    rows: int
    before: int
    changed: int


def save_wellness(path, imported, covers=None) -> WellnessSave:
    """Merge imported rows into a wellness file, atomically, under the athlete's lock.

    Parameters
    ----------
    path : str or Path
        The wellness file. The lock of its folder is held while the file is
        read, merged and replaced; for an athlete's file
        (``<data>/athletes/<id>/wellness.csv``) that is the athlete's lock.
    imported : pandas.DataFrame
        The import's rows (:func:`heavylegs.logs.formats.wellness_import.import_wellness`).
    covers : sequence, optional
        What each imported file covers (see :func:`heavylegs.logs.wellness.merge_wellness`).

    Returns
    -------
    WellnessSave

    Raises
    ------
    InputError
        An existing file with a problem (left as it is) or a path that is a folder.
    """
    path = Path(path)
    if path.is_dir():
        raise InputError([Problem(str(path), "is a folder, expected the path of a wellness CSV file, e.g. "
                                             + str(path / "wellness.csv"))])
    # The lock of the file's folder: for athletes/<id>/wellness.csv the athlete's lock itself
    # (heavylegs.files.folder_lock, as check-ins do).
    with folder_lock(path.parent):
        existing = read_wellness(path) if path.exists() else empty_wellness()
        merged, changed = merge_wellness(existing, imported, covers)
        write_wellness(merged, path)
    return WellnessSave(path, len(merged), len(existing), changed)
