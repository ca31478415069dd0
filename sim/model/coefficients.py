"""Model values as the compiled kernels take them: float arrays whose last axis has one column
(the same value for every trajectory) or n (one per trajectory, from a design or parameter sets)."""

from __future__ import annotations

import numpy as np


def rows(*values) -> tuple[np.ndarray, ...]:
    """Each value (a scalar, per-trajectory (n,), per-track (tracks, 1 or n)) as (rows, 1 or n)."""
    return tuple(np.ascontiguousarray(np.atleast_2d(value), dtype=float) for value in values)


def matrix(entries: list[list]) -> np.ndarray:
    """Rows of entries (scalars, or arrays of one value or one per trajectory) as (rows, columns, 1 or n)."""
    width = max(np.size(entry) for row in entries for entry in row)
    out = np.empty((len(entries), len(entries[0]), width))
    for i, row in enumerate(entries):
        for j, entry in enumerate(row):
            out[i, j] = np.ravel(entry)
    return out
