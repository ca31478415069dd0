"""A folder's lock while a command writes into it: one writer at a time, and the next one is told who.

The lock is an advisory lock (flock) on a file in the folder that names its holder (process, host,
start time). The operating system releases it when the holder exits, however it ends, so the lock
of a killed process is taken over by the next command without any judgement of staleness.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import socket
from datetime import datetime
from pathlib import Path
from typing import Iterator

from .errors import UsageError

NAME = ".lock"  # in the locked folder; not part of what the folder holds


@contextlib.contextmanager
def held(folder: str | os.PathLike) -> Iterator[Path]:
    """Make `folder` if needed and hold its lock while the block runs; a folder another process holds
    is refused with one line naming that process."""
    folder = Path(folder)
    path = folder / NAME
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = _acquire(path)
    except FileExistsError:
        raise UsageError(f"{folder}: exists and is not a folder") from None
    except OSError as exc:
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            raise UsageError(f"{folder}: cannot write in this folder ({exc.strerror})") from None
        raise
    try:
        os.ftruncate(fd, 0)
        os.write(fd, f"process {os.getpid()} on {socket.gethostname()} since {datetime.now():%Y-%m-%d %H:%M:%S}\n"
                 .encode())
        yield folder
    finally:
        path.unlink(missing_ok=True)  # before the release: whoever opens the file next gets a new one
        os.close(fd)


def _acquire(path: Path) -> int:
    """An open descriptor of `path` holding its lock. A file its holder removed on release while this
    process opened it is not the lock any more: then open it again."""
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise UsageError(f"{path.parent}: in use by {holder(path)}; wait for it to finish, or choose "
                             "another folder") from None
        try:
            if os.stat(path).st_ino == os.fstat(fd).st_ino:
                return fd
        except FileNotFoundError:
            pass
        os.close(fd)


def holder(path: Path) -> str:
    """Who holds a lock, as its file says (e.g. "process 4242 on host since 2026-11-24 12:00:00")."""
    try:
        text = path.read_text().strip()
    except OSError:
        text = ""
    return text or "another process"
