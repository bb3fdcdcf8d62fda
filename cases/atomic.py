"""Atomic file writes: a temporary file beside the target, flushed, synced, then moved into place.

Used for the snapshots crosscase exports; an existing file is never left half-written, and never
replaced without ``force``.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import signal
import stat
import threading
import time
from pathlib import Path

# The temporary file: ``.<name>.crosscase-<pid>-<random>.tmp`` beside the target. The pid lets a later
# write remove what a killed one left (its process is gone), and nothing else.
_TEMP = re.compile(r"^\..*\.crosscase-(\d+)-[0-9a-f]{8}\.tmp$", re.S)
NAME_MAX = 255


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP (a dropped SSH session) turned into an exception, like Ctrl-C, so that every
    ``finally`` runs (the temporary file is removed); ``signum`` gives the exit status 128 + signum."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def _raise_terminated(signum, frame):
    raise Terminated(signum)


@contextlib.contextmanager
def signals_raise():
    """SIGTERM and SIGHUP raise Terminated while inside (main thread only, and only where they would
    otherwise kill the process without cleaning up); the handlers before are restored after."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    saved = {}
    for name in ("SIGTERM", "SIGHUP"):
        signum = getattr(signal, name, None)
        if signum is None:
            continue
        try:
            if signal.getsignal(signum) == signal.SIG_DFL:
                saved[signum] = signal.signal(signum, _raise_terminated)
        except (ValueError, OSError):
            pass
    try:
        yield
    finally:
        for signum, handler in saved.items():
            try:
                signal.signal(signum, handler)
            except (ValueError, OSError):
                pass


class SnapshotWriteError(OSError):
    """A write that failed (permission, full disk, ...); ``str()`` is the message for people."""

    def __str__(self) -> str:
        return str(self.strerror)


def write_atomic(path: str | os.PathLike, text: str | bytes, force: bool = False) -> Path:
    """Write ``text`` to ``path`` atomically: a temporary file in the same folder, flush, fsync, rename.

    Without ``force`` an existing file is refused (FileExistsError), and the final step cannot
    replace a file that appeared meanwhile. A folder as ``path`` is IsADirectoryError. Any other
    failure is a SnapshotWriteError with a clear message. On every failure the temporary file is
    removed and an existing file at ``path`` is left exactly as it was.
    """
    path = Path(path)
    data = text.encode("utf-8") if isinstance(text, str) else text
    folder = path.parent
    try:
        if path.is_dir():
            raise IsADirectoryError(f"{path}: is a folder; give a file name, e.g. {path / 'snapshot.toml'}")
        if not force and (path.exists() or path.is_symlink()):
            raise FileExistsError(f"{path}: already exists")
        if not folder.is_dir():
            raise SnapshotWriteError(errno.ENOENT, f"cannot write {path}: the folder {folder} does not exist")
        existed = path.exists()
        if existed and not stat.S_ISREG(os.stat(path).st_mode):  # a FIFO, a device, a socket: never replaced
            raise SnapshotWriteError(
                errno.EINVAL,
                f"cannot write {path}: it is not a regular file (a pipe, a device or "
                "a socket); crosscase replaces only regular files",
            )
    except (IsADirectoryError, FileExistsError, SnapshotWriteError):
        raise
    except OSError as exc:  # the folder cannot be searched: even looking at the target fails
        raise SnapshotWriteError(exc.errno or errno.EIO, _message(path, folder, exc, False)) from None
    with signals_raise():
        _remove_stale(folder)
        return _write(path, folder, data, force, existed)


def _write(path: Path, folder: Path, data: bytes, force: bool, existed: bool) -> Path:
    tmp: Path | None = None
    try:
        tmp, fd = _create_temp(folder, path.name)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if existed and force:
            _copy_mode(path, tmp)
        _commit(tmp, path, force)
        tmp = None
        _fsync_folder(folder)
    except SnapshotWriteError:
        raise
    except OSError as exc:
        if isinstance(exc, FileExistsError) and not force:  # a file appeared meanwhile
            raise FileExistsError(f"{path}: already exists") from None
        raise SnapshotWriteError(exc.errno or errno.EIO, _message(path, folder, exc, existed)) from exc
    finally:
        if tmp is not None:
            _remove(tmp)
    return path


def temp_name(name: str, pid: int, token: str, limit: int = NAME_MAX) -> str:
    """``.<name>.crosscase-<pid>-<token>.tmp``, the name cut (at a character) to keep it within ``limit`` bytes."""
    tail = f".crosscase-{pid}-{token}.tmp"
    room = limit - 1 - len(tail.encode())
    cut = name
    while len(os.fsencode(cut)) > room:
        cut = cut[:-1]
    return f".{cut}{tail}"


def _remove_stale(folder: Path) -> None:
    """Remove what a killed write left in ``folder``: crosscase's own temporary files (by their name),
    regular files, older than this write, whose process is gone. Nothing else is touched."""
    now = time.time()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        found = _TEMP.match(entry.name)
        if not found:
            continue
        pid = int(found.group(1))
        try:
            info = entry.stat(follow_symlinks=False)
            if not stat.S_ISREG(info.st_mode) or info.st_mtime >= now or pid == os.getpid() or _alive(pid):
                continue
            os.unlink(entry.path)
        except OSError:
            continue


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: alive
        return True
    return True


def _create_temp(folder: Path, name: str) -> tuple[Path, int]:
    """A new temporary file beside the target (``temp_name``; mode 0666 less the umask)."""
    try:
        limit = os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):
        limit = NAME_MAX
    for _ in range(100):
        tmp = folder / temp_name(name, os.getpid(), secrets.token_hex(4), min(limit, NAME_MAX))
        try:
            return tmp, os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
        except FileExistsError:
            continue
    raise SnapshotWriteError(errno.EEXIST, f"cannot create a temporary file in {folder}")


def _copy_mode(src: Path, dst: Path) -> None:
    try:
        os.chmod(dst, src.stat().st_mode & 0o7777)
    except OSError:
        pass


def _commit(tmp: Path, path: Path, force: bool) -> None:
    """Move the finished temporary file into place; without force never over an existing file."""
    if force:
        os.replace(tmp, path)
        return
    try:
        os.link(tmp, path)  # fails if path exists, so nothing is replaced
    except FileExistsError:
        raise
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK, errno.ENOSYS):
            raise
        if path.exists() or path.is_symlink():  # a file system without hard links
            raise FileExistsError(str(path)) from None
        os.replace(tmp, path)
        return
    _remove(tmp)


def _remove(path: Path) -> None:
    """Delete a temporary file; one that is already gone or cannot be removed is left be."""
    try:
        os.unlink(path)
    except OSError:
        pass


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (best effort: not every platform can open a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _message(path: Path, folder: Path, exc: OSError, existed: bool) -> str:
    code = exc.errno
    if code in (errno.EACCES, errno.EPERM):
        reason = f"permission denied (the folder {folder} cannot be written)"
    elif code == errno.EROFS:
        reason = f"the folder {folder} is on a read-only file system"
    elif code in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        reason = "the disk is full (or over quota)"
    elif code == errno.ENOENT:
        reason = f"the folder {folder} does not exist"
    elif code == errno.ENAMETOOLONG:
        reason = "the file name is too long"
    elif code == errno.EISDIR:
        reason = "it is a folder"
    else:
        reason = exc.strerror or str(exc)
    kept = "the existing file was left unchanged" if existed else "nothing was written"
    return f"cannot write {path}: {reason}; {kept}"
