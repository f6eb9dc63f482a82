"""Atomic writes, locks and the layout of an athlete's folder: the ground every write of heavylegs stands on.

A data folder holds one profile per athlete and a folder per athlete::

    data/athletes/ana.json                    the athlete's profile
    data/athletes/ana/log.csv                 the training log
    data/athletes/ana/checkins.csv            daily check-ins
    data/athletes/ana/wellness.csv            nights and resting heart rate from a wearable
    data/athletes/ana/assessments/*.json      dated assessments saved by the workbook

Every write goes to a temporary file in the same folder, is flushed to disk
and then renamed over the target, so a crash leaves either the old file or the
new one, never half of one (:func:`atomic_write_text`). A target that exists
and is not a regular file (a device, a named pipe, a socket, a folder) is
refused before anything is written (:func:`check_output_file`).

Temporary files are named ``.<target name>.<pid>.<random>.tmp`` and their
writer holds an advisory lock (``flock``) on them until the rename. A process
killed mid-write leaves its temporary file behind; :func:`remove_stale_temp_files`
removes such files once no process holds their lock and their writer is dead
(or, without a readable pid, once they are older than
:data:`STALE_TEMP_AGE_S`), so a file another live process is writing is never
touched. Writers to one athlete's files take :func:`athlete_lock`
(``athletes/<id>/.lock``, :func:`folder_lock`, the one lock of heavylegs) so
that their read-modify-writes do not interleave; it needs a filesystem with a
working ``flock`` (not a network share mounted on several machines).

This module sits below every layer that writes (``logs``, ``engine``,
``store``), so the training log, check-ins and wellness writers use the same
writes and the same lock as the coach's saves. Finding the data folder and
listing its athletes is :mod:`heavylegs.store.storage`'s job.
"""
from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import tempfile
import threading
import time
from pathlib import Path

try:  # POSIX; elsewhere locks fall back to one process (see athlete_lock)
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

from heavylegs.errors import InputError, Problem, file_kind

__all__ = [
    "atomic_write_text",
    "check_output_file",
    "check_writable",
    "temp_file",
    "write_all",
    "fsync_folder",
    "mode_for",
    "remove_stale_temp_files",
    "STALE_TEMP_AGE_S",
    "folder_lock",
    "athlete_lock",
    "athlete_paths",
    "validate_athlete_id",
    "ATHLETE_ID_PATTERN",
    "PACKAGED_DATA_DIR",
]

#: Age [s] after which a temporary file whose writer cannot be identified
#: (no pid in its name, or a pid that is alive again) counts as abandoned.
STALE_TEMP_AGE_S = 600.0

# .<target>.<pid>.<random>.tmp as written by temp_file(); older files lack the pid
_TEMP_RE = re.compile(r"^\.(?P<target>.+?)(?:\.(?P<pid>\d+))?\.(?P<rand>[A-Za-z0-9_]+)\.tmp\Z")


ATHLETE_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}\Z")


_UMASK_LOCK = threading.Lock()


def mode_for(path: Path) -> int:
    """The permission bits a file written at ``path`` gets: those of the file there, else 0o666 less the umask."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        with _UMASK_LOCK:
            umask = os.umask(0o022)
            os.umask(umask)
        return 0o666 & ~umask


@contextlib.contextmanager
def temp_file(folder: Path, target_name: str):
    """Create ``.<target_name>.<pid>.<random>.tmp`` in ``folder``, locked for this writer.

    Yields ``(fd, path)``; the file descriptor stays open (and the lock held)
    until the block ends, and the temporary file is removed when the block
    raises.
    """
    fd, tmp = tempfile.mkstemp(prefix=f".{target_name}.{os.getpid()}.", suffix=".tmp", dir=folder)
    try:
        if fcntl is not None:
            # Held until the fd is closed, so a cleaner never takes a file being written.
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield fd, Path(tmp)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    finally:
        with contextlib.suppress(OSError):
            os.close(fd)


def write_all(fd: int, data: bytes) -> None:
    """Write every byte of ``data`` to the file descriptor ``fd`` (``os.write`` may write fewer)."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def fsync_folder(folder: Path) -> None:
    """Make a rename or a link in ``folder`` durable (a no-op where folders cannot be synced)."""
    try:  # make a rename or link itself durable
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError:
        pass


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

    Notes
    -----
    The text goes to ``.<name>.<pid>.<random>.tmp`` in the same folder,
    locked by this writer, is flushed to disk and renamed over ``path``. A
    crash leaves the old file or the new one; a temporary file left by a
    killed writer is removed by :func:`remove_stale_temp_files`.
    """
    path = Path(path)
    check_output_file(path)
    data = text.encode(encoding)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with temp_file(path.parent, path.name) as (fd, tmp):
            write_all(fd, data)
            # mkstemp makes the file private (0600); give it the mode a plain open() would:
            # the old file's mode, or 0666 less the umask, so an exported page stays readable
            os.fchmod(fd, mode_for(path))
            os.fsync(fd)
            _refuse_not_regular(path)  # one more look: the name may have been taken meanwhile
            os.replace(tmp, path)
    except OSError as exc:
        if exc.errno not in _PATH_ERRNOS:
            raise  # a full disk or a failing device is no fault of the path given
        raise InputError([Problem(str(path), f"cannot be written ({exc.strerror or exc}), expected a "
                                             "file in a folder you can write; nothing was written")]) from None
    fsync_folder(path.parent)
    return path


# Errors that say the path itself cannot be written: bad input, reported with the path.
_PATH_ERRNOS = {errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOTDIR, errno.EISDIR, errno.ENOENT,
                errno.EEXIST, errno.EINVAL, errno.ENAMETOOLONG, errno.ELOOP, errno.EXDEV}


def _refuse_not_regular(path: Path, what: str = "a regular file to write") -> None:
    try:
        mode = os.stat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return
    except OSError as exc:
        raise InputError([Problem(str(path), f"cannot be looked at ({exc.strerror or exc}), expected "
                                             f"{what}; nothing was written")]) from None
    if not stat.S_ISREG(mode):
        via = f" (through a link to {os.path.realpath(path)})" if os.path.islink(path) else ""
        raise InputError([Problem(str(path), f"is {file_kind(mode)}{via}, expected {what}; "
                                             "nothing was written")])


def check_output_file(path, what: str = "a regular file to write") -> Path:
    """Refuse a path that cannot be written as a regular file, before any work.

    Every file heavylegs writes goes through this check (:func:`atomic_write_text`
    runs it), and the command line runs it on ``-o`` before reading its
    inputs, so a bad output stops a command before anything is read or
    written.

    Parameters
    ----------
    path : str or Path
        The file to write.
    what : str
        What the file should be, for messages (``"a training-log CSV file to write"``).

    Returns
    -------
    Path

    Raises
    ------
    InputError
        An empty path; a path that exists and is not a regular file (a
        device such as ``/dev/full``, a named pipe, a socket, a folder: the
        atomic rename would replace it with a file, or reading it would
        never end); a path under an existing file; a path inside the
        packaged sample athletes (:func:`check_writable`).
    """
    if str(path) == "":
        raise InputError([Problem("-o", f"found an empty path, expected {what}")])
    path = Path(path)
    _refuse_not_regular(path, what)
    for parent in path.parents:
        try:
            mode = os.stat(parent).st_mode
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise InputError([Problem(str(path), f"cannot be written: {parent} cannot be looked at "
                                                 f"({exc.strerror or exc}), expected {what}")]) from None
        if not stat.S_ISDIR(mode):
            kind = "a file" if stat.S_ISREG(mode) else file_kind(mode)
            raise InputError([Problem(str(path), f"cannot be written: {parent} is {kind}, "
                                                 f"expected a folder there")])
        break
    check_writable(path)
    return path


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by another user
        return True
    except OSError:
        return True  # cannot tell: treat as alive, the age rule still applies
    return True


def _remove_if_abandoned(path: Path, pid, now: float, max_age_s: float) -> bool:
    """Remove one temporary file when no writer holds it and it is abandoned."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return False  # gone already, or not ours to open
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return False
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    return False  # a live process is writing it
                raise
        age = now - info.st_mtime
        dead_writer = pid is not None and pid != os.getpid() and not _pid_alive(pid)
        if not (dead_writer or age > max_age_s):
            return False  # e.g. created a moment ago, its writer about to lock it
        try:
            if os.stat(path, follow_symlinks=False).st_ino != info.st_ino:
                return False  # the name now belongs to another file
            os.unlink(path)
        except FileNotFoundError:
            return False
        return True
    finally:
        os.close(fd)


def remove_stale_temp_files(folder, prefix: str = "", max_age_s: float = STALE_TEMP_AGE_S) -> list:
    """Remove the temporary files that interrupted atomic writes left in ``folder``.

    Parameters
    ----------
    folder : str or Path
        The folder to clean (not its sub-folders); a missing folder is fine.
    prefix : str
        Only temporary files of targets whose name starts with this, e.g.
        ``"ana.json"`` for the profile of ``ana`` in ``athletes/``.
    max_age_s : float
        Age [s] after which a temporary file whose writer cannot be told
        apart from a live process counts as abandoned.

    Returns
    -------
    list of Path
        The files removed.

    Notes
    -----
    A temporary file ``.<target>.<pid>.<random>.tmp`` is removed only when no
    process holds its lock (a writer holds it from creation to rename) and
    either its writer ``pid`` is not running or it is older than
    ``max_age_s``. A file another live process is writing is never removed.
    """
    folder = Path(folder)
    removed = []
    now = time.time()
    try:
        entries = list(os.scandir(folder))
    except (FileNotFoundError, NotADirectoryError):
        return removed
    for entry in entries:
        match = _TEMP_RE.match(entry.name)
        if not match or not match.group("target").startswith(prefix):
            continue
        pid = int(match.group("pid")) if match.group("pid") else None
        path = folder / entry.name
        if _remove_if_abandoned(path, pid, now, max_age_s):
            removed.append(path)
    if removed:
        fsync_folder(folder)
    return removed


_THREAD_LOCKS: dict = {}
_THREAD_LOCKS_GUARD = threading.Lock()
_HELD = threading.local()  # folders whose lock this thread holds, with a count (re-entry)


@contextlib.contextmanager
def folder_lock(folder):
    """Hold the lock of the files in ``folder`` (``<folder>/.lock``) for the ``with`` block.

    This is the one lock of heavylegs, and :func:`athlete_lock` is this lock
    on the athlete's folder: every read-modify-write of an athlete's files
    (an assessment and the profile saved by the workbook, a check-in added
    or imported, a roster row) reads the newest file, changes it and writes
    it back while holding it, so two writers at once never lose each other's
    change. A check-in file written by ``heavylegs checkins import -o PATH``
    takes the lock of ``PATH``'s folder, which for
    ``athletes/<id>/checkins.csv`` is the athlete's lock itself.

    Parameters
    ----------
    folder : str or Path
        The folder; created when missing.

    Notes
    -----
    An advisory ``flock(2)`` on ``<folder>/.lock``, across processes and
    threads: readers never wait for it, and it is released when its holder
    ends, even by a crash (``kill -9``). It needs a filesystem where
    ``flock`` works between every process that writes the data folder: a
    local disk does; some network filesystems (older NFS, SMB mounts) accept
    ``flock`` without enforcing it between machines, so keep one data folder
    on one machine. The lock is re-entrant within a thread (a holder that
    calls another locked writer of the same folder goes on) but not shared
    between threads. Without ``fcntl`` (Windows) it only holds between the
    threads of one process.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    key = os.path.realpath(folder)
    held = getattr(_HELD, "counts", None)
    if held is None:
        held = _HELD.counts = {}
    if held.get(key):
        held[key] += 1  # this thread holds it already
        try:
            yield
        finally:
            held[key] -= 1
        return
    if fcntl is None:  # pragma: no cover - no flock: one process only
        with _THREAD_LOCKS_GUARD:
            lock = _THREAD_LOCKS.setdefault(key, threading.Lock())
        with lock:
            held[key] = 1
            try:
                yield
            finally:
                del held[key]
        return
    fd = _open_lock_file(folder / ".lock")
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        held[key] = 1
        try:
            yield
        finally:
            del held[key]
    finally:
        os.close(fd)  # releases the lock


def _open_lock_file(path: Path) -> int:
    """Open (creating) a lock file without following a link or blocking on a FIFO."""
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags, 0o666)
    except OSError as exc:
        raise InputError([Problem(str(path), f"cannot be opened as the folder's lock file "
                                             f"({exc.strerror or exc}), expected a regular file or none")]) from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise InputError([Problem(str(path), "is not a regular file (a FIFO, device or socket), expected "
                                             "the folder's lock file, a regular file, or none")])
    return fd


@contextlib.contextmanager
def athlete_lock(data_dir, athlete_id):
    """Hold the athlete's lock (``athletes/<id>/.lock``) for the ``with`` block.

    :func:`folder_lock` on the athlete's folder (read it for the rules and
    what the lock needs from the filesystem). Writers that must not
    interleave take it: the workbook's save (an assessment, then the
    profile), :func:`heavylegs.logs.checkins.add_checkin` and every other
    check-in write, a roster row. Creates the athlete's folder when missing.

    Parameters
    ----------
    data_dir : str or Path
        The data folder.
    athlete_id : str
        A valid athlete id (checked).
    """
    with folder_lock(athlete_paths(data_dir, athlete_id)["folder"]):
        yield


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
        ``profile``, ``folder``, ``log``, ``checkins``, ``wellness`` and
        ``assessments`` paths.
    """
    validate_athlete_id(athlete_id)
    root = Path(data_dir) / "athletes"
    folder = root / athlete_id
    return {
        "profile": root / f"{athlete_id}.json",
        "folder": folder,
        "log": folder / "log.csv",
        "checkins": folder / "checkins.csv",
        "wellness": folder / "wellness.csv",
        "assessments": folder / "assessments",
    }

#: The sample athletes shipped inside the package (a copy of the checkout's ``data/``), read-only.
PACKAGED_DATA_DIR = Path(__file__).resolve().parent / "samples"


def check_writable(path: Path) -> None:
    """Refuse to write inside the packaged sample athletes."""
    try:
        path.resolve().relative_to(PACKAGED_DATA_DIR)
    except ValueError:
        return
    raise InputError([Problem(str(path), "found a path inside the sample athletes shipped with heavylegs, which "
                                         "are read-only, expected a data folder of your own: copy them with "
                                         f"`cp -r {PACKAGED_DATA_DIR} data` and work in ./data, or pass --data DIR")])
