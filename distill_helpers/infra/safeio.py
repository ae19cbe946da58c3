"""Crash-safe file writes and a cross-process lock: the file-system guarantees the package relies on.

- `atomic_write` writes to a temporary file beside the target, fsyncs it and publishes it in one step:
  `os.replace` when overwriting, `os.link` when not (which fails if the target appeared meanwhile, so two
  writers can never both "create" the same file). A crash at any moment leaves the old file or the new one.
- Temporary files carry the writer's process id; a later save of the same target removes those whose
  process is gone (kill -9, power loss), so they do not pile up.
- Published files get the usual mode for new files (0o666 minus the umask), not mkstemp's 0o600.
- `file_lock` is an exclusive advisory lock (fcntl.flock) on a lock file, released when the holder exits
  in any way, including kill -9. The holder deletes the lock file before it releases the lock, so no empty
  lock files pile up; a waiter that then wins the lock on the deleted file sees that the name no longer
  leads to the file it locked and starts again on the new one (see `file_lock`).
"""
from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import socket
import tempfile
import time
from pathlib import Path
from typing import Callable, IO

__all__ = ["atomic_write", "atomic_write_text", "atomic_torch_save", "clean_stale_temp_files", "staging_dir", "file_lock",
           "current_umask"]

_HOST = re.sub(r"[^A-Za-z0-9-]", "-", socket.gethostname())[:32] or "host"
# A temp file older than this is stale even when its pid is alive again (pids are reused).
STALE_AFTER_S = 24 * 3600


def current_umask() -> int:
    """The process umask (read by setting it and restoring it at once)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _temp_prefix(path: Path) -> str:
    return f".{path.name}.{_HOST}.{os.getpid()}."


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):  # exists but belongs to someone else, or cannot tell
        return True
    return True


def clean_stale_temp_files(path: str | os.PathLike) -> list[Path]:
    """Remove temp files of earlier writers of `path` that died before publishing; return what was removed.

    A temp file is stale when its writer ran on this host and that process no longer exists, or when it
    is more than a day old. Temp files of live writers (a concurrent save) are left alone.
    """
    path = Path(path)
    removed = []
    pattern = re.compile(re.escape(f".{path.name}.") + r"(?P<host>[A-Za-z0-9-]+)\.(?P<pid>\d+)\.[^.]+\.tmp$")
    try:
        entries = list(os.scandir(path.parent))
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        m = pattern.match(entry.name)
        if not m:
            continue
        try:
            old = now - entry.stat(follow_symlinks=False).st_mtime > STALE_AFTER_S
            dead = m["host"] == _HOST and not _pid_alive(int(m["pid"]))
            if old or dead:
                if entry.is_dir(follow_symlinks=False):  # a staging folder (see staging_dir)
                    shutil.rmtree(entry.path)
                else:
                    os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:  # vanished meanwhile or not ours to delete: leave it
            pass
    return removed


def atomic_write(path: str | os.PathLike, write: Callable[[IO[bytes]], None], overwrite: bool = True) -> Path:
    """Call write(f) on a temporary file beside `path`, then publish it atomically.

    overwrite=False publishes with os.link, which fails with FileExistsError if `path` exists by then,
    even when another process created it a moment ago.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    clean_stale_temp_files(path)
    fd, tmp = tempfile.mkstemp(prefix=_temp_prefix(path), suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~current_umask())
        if overwrite:
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)
            except FileExistsError:
                raise FileExistsError(errno.EEXIST, f"{str(path)!r} already exists (another writer created it "
                                      f"first); pass overwrite=True to replace it, or choose another file name",
                                      str(path)) from None
            except OSError as e:
                if e.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
                    raise
                # No hard links on this file system (some FUSE and SMB mounts): O_EXCL still refuses an
                # existing file, then a rename over the empty placeholder publishes the content.
                os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
                os.replace(tmp, path)
            else:
                os.unlink(tmp)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return path


def staging_dir(path: str | os.PathLike) -> Path:
    """Create an empty temporary folder beside `path` (same file system, so it can be renamed onto it),
    named like the temp files above, so a later call cleans it up if its creator died."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    clean_stale_temp_files(path)
    return Path(tempfile.mkdtemp(prefix=_temp_prefix(path), suffix=".tmp", dir=path.parent))


def atomic_write_text(path: str | os.PathLike, text: str, overwrite: bool = True) -> Path:
    """atomic_write for a UTF-8 text file."""
    return atomic_write(path, lambda f: f.write(text.encode("utf-8")), overwrite=overwrite)


def atomic_torch_save(obj, path: str | os.PathLike, overwrite: bool = True) -> Path:
    """atomic_write of torch.save(obj)."""
    import torch
    return atomic_write(path, lambda f: torch.save(obj, f), overwrite=overwrite)


@contextlib.contextmanager
def file_lock(path: str | os.PathLike, timeout: float | None = None):
    """Hold an exclusive lock on the file `path` (created if missing) for the duration of the block.

    The lock file exists only while someone holds or waits for the lock: the holder unlinks it while still
    holding the lock, then releases. The race this opens is closed on the waiting side: after flock
    succeeds, the lock counts only if `path` still names the very file that was locked (same device and
    inode); otherwise the file was unlinked by the previous holder (or replaced), and the waiter closes it
    and tries again on whatever `path` names now. So at any moment at most one process holds the lock
    that `path` names, and an unlinked file can never be held by a second "owner".

    Raises TimeoutError after `timeout` seconds (None waits for ever). Where fcntl is missing
    (Windows) the block runs unlocked.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = None if timeout is None else time.monotonic() + timeout
    fd = _acquire(path, fcntl, deadline, timeout)
    try:
        yield
    finally:
        with contextlib.suppress(OSError):  # we hold the lock on the file `path` names: only we may unlink it
            os.unlink(path)
        os.close(fd)  # closing the descriptor releases the lock


def _acquire(path: Path, fcntl, deadline: float | None, timeout: float | None) -> int:
    """Open-or-create `path`, flock it, and return the descriptor once `path` still names the locked file."""
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | (fcntl.LOCK_NB if deadline is not None else 0))
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise TimeoutError(f"another process has held {str(path)!r} for over {timeout:g} s; "
                                           f"if no other process is running, delete that file") from None
                    time.sleep(0.05)
            held = os.fstat(fd)
            try:
                now = os.stat(path)
            except FileNotFoundError:  # the previous holder unlinked it: lock the next one
                now = None
            if now is not None and (now.st_dev, now.st_ino) == (held.st_dev, held.st_ino):
                return fd
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)
