"""The errors of the package, each with a one-line message; imports nothing of the package.

Every command reports these as `prog: error: MESSAGE` (command.guard): exit code 2 for what the
user can fix, 1 for a failing machine.
"""

from __future__ import annotations

from typing import Any

import numpy as np


class UsageError(Exception):
    """Something the user can fix in the command, the configs or the files it names."""


class ConfigError(UsageError, ValueError):
    """A config value that is not allowed; its message is one line naming key, value and rule."""

    def __init__(self, key: str, value: Any, allowed: str, where: str = ""):
        self.key, self.value, self.allowed = key, value, allowed
        self.where = where
        super().__init__(f"{where}: " * bool(where) + f"{key} = {_show(value)}: {allowed}")

    def __reduce__(self):  # rebuilt from its parts when it crosses a process (a sweep's job)
        return type(self), (self.key, self.value, self.allowed, self.where)


class ResultsError(UsageError):
    """A run folder or results file that cannot be read or written as asked."""


class MachineFault(Exception):
    """A failure of the machine rather than of the request, such as worker processes that died."""


class RecordError(UsageError, ValueError):
    """A malformed file of the historical record; the message names file, row and field."""


def _show(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"array of {value.size}"
    return repr(value) if isinstance(value, str) else str(value)
