"""Worker processes tied to the process they work for: each dies when that process ends, however it
ended (Ctrl-C, SIGTERM, SIGKILL, a crash), so no worker outlives a run holding memory or its output.

A watchdog thread waits for the process to end (on a pidfd where Linux has one, else by polling it);
on Linux the kernel also kills a worker whose own parent dies (PR_SET_PDEATHSIG), which for local
workers is the fork server between them and the run.
"""

from __future__ import annotations

import ctypes
import os
import select
import signal
import sys
import threading
import time

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
_watched: set[int] = set()


def worker(pid: int) -> None:
    """Initializer of a local worker process: die with process `pid` or with the worker's own parent."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    tie(pid)


def tie(pid: int) -> None:
    """Kill this process as soon as process `pid` has ended (at once if it already has); once per pid."""
    if pid not in _watched:
        _watched.add(pid)
        threading.Thread(target=_watch, args=(pid,), name=f"tied to {pid}", daemon=True).start()


def _watch(pid: int) -> None:
    try:
        handle = os.pidfd_open(pid)
    except ProcessLookupError:  # ended already
        pass
    except (AttributeError, OSError):  # no pidfd on this system: poll
        while _alive(pid):
            time.sleep(1)
    else:
        select.select([handle], [], [])  # readable once the process has ended
    os.kill(os.getpid(), signal.SIGKILL)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, under another user
        pass
    return True
