"""Copy the sample athletes shipped inside the package to a folder of one's own.

An installed package holds its fictional sample athletes read-only
(:data:`heavylegs.files.PACKAGED_DATA_DIR`). :func:`copy_samples`
(``heavylegs samples [DIR]``) copies them to ``./data`` or another folder,
so the README's examples (``heavylegs score data/athletes/ana.json``) work
as written from any folder, and the coach can change the copies. A file
that is already there is never overwritten: the copy is refused whole.
"""
from __future__ import annotations

from pathlib import Path

from heavylegs.errors import InputError, Problem
from heavylegs.files import PACKAGED_DATA_DIR, atomic_write_text

__all__ = ["sample_files", "copy_samples"]


def sample_files(source=None) -> list:
    """The sample files, as paths relative to the samples folder, sorted.

    Parameters
    ----------
    source : str or Path, optional
        The samples folder (:data:`heavylegs.files.PACKAGED_DATA_DIR` by default).

    Returns
    -------
    list of Path
        ``README.md`` and every file under ``athletes/`` (profiles, logs,
        check-ins, saved assessments); hidden files (locks, temporary files)
        are left out.
    """
    source = Path(PACKAGED_DATA_DIR if source is None else source)
    files = [p.relative_to(source) for p in source.rglob("*")
             if p.is_file() and not any(part.startswith(".") for part in p.relative_to(source).parts)
             and "__pycache__" not in p.parts]
    return sorted(files)


def copy_samples(target, source=None) -> list:
    """Copy the sample athletes into ``target``, refusing to overwrite anything.

    Parameters
    ----------
    target : str or Path
        The data folder to create or fill, e.g. ``data``; it may exist.
    source : str or Path, optional
        The samples folder (the package's own by default).

    Returns
    -------
    list of Path
        The files written, under ``target``.

    Raises
    ------
    InputError
        One problem per file of the samples that already exists in
        ``target`` (nothing is written then), or when ``target`` is a file.
    """
    target = Path(target)
    source = Path(PACKAGED_DATA_DIR if source is None else source)
    if target.exists() and not target.is_dir():
        raise InputError([Problem(str(target), "found a file, expected a folder to copy the sample athletes into")])
    files = sample_files(source)
    taken = [name for name in files if (target / name).exists() or (target / name).is_symlink()]
    if taken:
        raise InputError([Problem(str(target / name), "already exists; the samples never overwrite a file: "
                                                      "copy them into another folder (heavylegs samples DIR)")
                          for name in taken])
    written = []
    for name in files:
        text = (source / name).read_text(encoding="utf-8")
        written.append(atomic_write_text(target / name, text))
    return written
