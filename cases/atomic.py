"""Atomic file writes: a temporary file beside the target, flushed, synced, then moved into place.

Used for the snapshots crosscase exports; an existing file is never left half-written, and never
replaced without ``force``.
"""

from __future__ import annotations

import errno
import os
import secrets
from pathlib import Path


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
    except (IsADirectoryError, FileExistsError, SnapshotWriteError):
        raise
    except OSError as exc:   # the folder cannot be searched: even looking at the target fails
        raise SnapshotWriteError(exc.errno or errno.EIO, _message(path, folder, exc, False)) from None
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
        if isinstance(exc, FileExistsError) and not force:   # a file appeared meanwhile
            raise FileExistsError(f"{path}: already exists") from None
        raise SnapshotWriteError(exc.errno or errno.EIO, _message(path, folder, exc, existed)) from exc
    finally:
        if tmp is not None:
            _remove(tmp)
    return path


def _create_temp(folder: Path, name: str) -> tuple[Path, int]:
    """A new temporary file ``.<name>.<random>.tmp`` beside the target (mode 0666 less the umask)."""
    for _ in range(100):
        tmp = folder / f".{name}.{secrets.token_hex(4)}.tmp"
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
        os.link(tmp, path)          # fails if path exists, so nothing is replaced
    except FileExistsError:
        raise
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK, errno.ENOSYS):
            raise
        if path.exists() or path.is_symlink():   # a file system without hard links
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
