"""Forecast questions answered per future, on plain arrays: a block's or a whole run's paths and events.

A full run answers from its Dataset, a summary-mode run counts the futures that answer yes in each
block (counts.py); both call `resolve`, so their answers agree exactly.
"""

from __future__ import annotations

import numba
import numpy as np

from .. import months
from ..model.state import EVENT_TYPES
from .questions import Question


def in_window(q: Question, start: int, end: int) -> bool:
    """Whether a run from month `start` to `end` (indices) sees every month the question looks at."""
    first, last = q.window(start)
    return start <= first and last <= end


def model_types(q: Question) -> list[int]:
    """Indices of the question's event types that the model counts (none: it cannot answer)."""
    return [EVENT_TYPES.index(t) for t in q.rule.types if t in EVENT_TYPES]


def resolve(q: Question, start: int, tracks: tuple[str, ...], levels: np.ndarray, composite: np.ndarray,
            log: np.ndarray) -> np.ndarray:
    """(n,) whether each future answers yes: levels (n, months, tracks) and composite (n, months) from
    month index `start`, log rows (month, trajectory 0…n−1, event type) of every event of the n futures."""
    r = q.rule
    first, last = (m - start for m in q.window(start))
    if r.kind == "events":
        wanted = np.isin(np.arange(len(EVENT_TYPES)), model_types(q))
        return _events_in(log[:, 0], log[:, 1], log[:, 2], wanted, first, last, composite.shape[0]) >= r.at_least
    series = composite if r.series == "composite" else levels[:, :, tracks.index(r.series)]
    if r.kind == "level":
        seen = series[:, first:last + 1]
        return (seen >= r.above).any(axis=1) if r.above is not None else (seen <= r.below).any(axis=1)
    change = series[:, last].astype(np.float64) - series[:, first]
    return change >= r.above if r.above is not None else change <= r.below


@numba.njit(cache=True, nogil=True)
def _events_in(month, trajectory, kind, wanted, first, last, n):
    """(n,) events of the `wanted` types in months first … last, per trajectory: one compiled pass over the rows."""
    out = np.zeros(n, dtype=np.int64)
    for row in range(month.size):
        if first <= month[row] <= last and wanted[kind[row]]:
            out[trajectory[row]] += 1
    return out


def yes_counts(questions: tuple[Question, ...], start: int, end: int, tracks: tuple[str, ...], levels: np.ndarray,
               composite: np.ndarray, log: np.ndarray) -> np.ndarray:
    """(questions,) futures answering yes, for the questions a run of this window and model can
    answer (0 for the others)."""
    return np.array([int(resolve(q, start, tracks, levels, composite, log).sum())
                     if answerable(q, start, end) is None else 0 for q in questions], dtype=np.int64)


def answerable(q: Question, start: int, end: int) -> str | None:
    """Why a run of this window cannot answer the question, or None when it can."""
    if not in_window(q, start, end):
        return f"outside the run's window ({months.text(start)} to {months.text(end)})"
    if q.rule.kind == "events" and not model_types(q):
        return f"the model has no event of type {' or '.join(q.rule.types)}"
    return None
