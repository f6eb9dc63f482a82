"""What the scripts that write the sample data share: the stale-file check and the command line.

Used by ``make_sample_logs.py`` and ``make_sample_checkins.py``::

    python scripts/make_sample_logs.py            # write the files into data/
    python scripts/make_sample_logs.py --check    # exit 1 when data/ differs from what it writes
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def stale_files(write_samples, data_dir, prepare=None) -> list:
    """The files under ``data_dir`` that differ from what ``write_samples`` writes.

    Parameters
    ----------
    write_samples : callable
        Writes the samples under the folder it is given; returns their paths.
    data_dir : str or Path
        The data folder to compare.
    prepare : callable, optional
        ``prepare(data_dir, scratch)`` copies into the scratch folder what
        ``write_samples`` reads before it writes (the logs the check-ins follow).

    Returns
    -------
    list of str
        The differing (or missing) files of ``data_dir``.
    """
    with tempfile.TemporaryDirectory() as tmp:
        if prepare is not None:
            prepare(data_dir, tmp)
        stale = []
        for path in write_samples(tmp):
            target = Path(data_dir) / path.relative_to(tmp)
            if not target.is_file() or target.read_bytes() != path.read_bytes():
                stale.append(str(target))
        return stale


def main(doc: str, write_samples, stale, argv=None) -> int:
    """The scripts' command line: write the samples, or with ``--check`` list the stale ones.

    Parameters
    ----------
    doc : str
        The script's docstring (its first paragraph describes the command).
    write_samples : callable
        ``write_samples(data_dir)`` returning the paths written.
    stale : callable
        ``stale(data_dir)`` returning the files that differ.
    argv : list of str, optional
        The arguments (``sys.argv[1:]`` by default).

    Returns
    -------
    int
        0, or 1 when ``--check`` found stale files.
    """
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--out", default=str(ROOT / "data"), help="data folder (default: the repository's data/)")
    parser.add_argument("--check", action="store_true", help="only report files that would change")
    args = parser.parse_args(argv)
    if args.check:
        found = stale(args.out)
        for path in found:
            sys.stderr.write(f"stale: {path}\n")
        return 1 if found else 0
    for path in write_samples(args.out):
        sys.stdout.write(f"wrote {path}\n")
    return 0
