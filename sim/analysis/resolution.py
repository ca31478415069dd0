"""Forecast questions resolved against the record (data/events_1992_2023.csv), and their climatology.

Only questions about recorded events resolve: a track's level is latent, so level and change
questions have no recorded answer. An event question counts the record's rows of its types (those
the record codes) dated in its window, narrowed to its track, direction and least magnitude.
Its climatology is the base rate of the same event in the record before the forecast's start: the
share of windows of the question's length, moved month by month from the record's first January
to the last window that ends before the start, in which the rule would have resolved yes.
"""

from __future__ import annotations

import numpy as np

from ..record.events import TYPES, Events
from ..results.questions import Question


def resolvable(q: Question, events: Events, known_until: int) -> str | None:
    """Why the record cannot resolve the question (None when it can): `known_until` is the last month it covers."""
    if q.rule.kind != "events":
        return "a level is latent: the record has no value to resolve it"
    if not set(q.rule.types) & set(TYPES):
        return f"the record codes no event of type {' or '.join(q.rule.types)}"
    if q.resolves > known_until:
        return "not yet resolved by the record"
    return None


def matching(q: Question, events: Events) -> np.ndarray:
    """Bool mask of the record's rows the question counts (its types, track, direction, least magnitude)."""
    r = q.rule
    keep = np.isin(events.type, list(r.types))
    if r.track is not None:
        keep &= events.on(r.track)
    if r.direction is not None:
        keep &= events.direction == r.direction
    if r.min_magnitude is not None:
        keep &= events.magnitude >= r.min_magnitude
    return keep


def outcome(q: Question, events: Events) -> bool:
    """Whether the record resolves the question yes."""
    hit = matching(q, events)
    return int(np.sum(hit & (events.month >= q.rule.first) & (events.month <= q.resolves))) >= q.rule.at_least


def climatology(q: Question, events: Events, start: int) -> float | None:
    """The base rate of the question's event in the record before `start` (month index); None when no
    window of its length fits between the record's first January and the start."""
    length = q.resolves - q.rule.first + 1
    first = int(events.month.min()) // 12 * 12
    origins = np.arange(first, start - length + 1)
    if not origins.size:
        return None
    when = events.month[matching(q, events)]
    counts = np.array([np.sum((when >= m) & (when < m + length)) for m in origins])
    return float(np.mean(counts >= q.rule.at_least))
