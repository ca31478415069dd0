"""A scenario's scripted events and parameter changes, as dated actions on a whole block.

A scripted event forces one stochastic event type (hazards.HAZARDS) in every trajectory at its
date, with its own values if it states any and its branches drawn per trajectory from its own
stream; a change sets model values from its date on, before that month's dynamics. Both are
declared in configs/scenario/ and checked in params.py.
"""

from __future__ import annotations

import copy
from types import SimpleNamespace
from typing import Any, Callable

import numpy as np

from . import kernel
from .hazards import HAZARDS

BEFORE_MONTH = -0.1  # changes from month i take effect just before its dynamics (see calendar.py)


def install(cal) -> None:
    """Schedule the scenario's changes and scripted events on the block's calendar."""
    for change in vars(cal.scenario.changes).values():
        cal.at([change.date - cal.start], changed(cal, change.model), offset=BEFORE_MONTH)
    for name, event in vars(cal.scenario.events).items():
        cal.at([event.date - cal.start], forced(cal, name, event))


def set_values(root: SimpleNamespace, values: dict[str, Any], tracks: tuple[str, ...]) -> None:
    """Set values at dotted paths under root (e.g. "events.sanctions.rate"); a path ending in a
    track sets that track's row of a per-track array ("drift.energy")."""
    for path, value in values.items():
        *parents, leaf = path.split(".")
        node = _get(root, parents)
        if isinstance(node, np.ndarray):
            owner = _get(root, parents[:-1])
            rows = np.array(np.broadcast_to(node, (node.shape[0], max(node.shape[1], np.size(value)))))
            rows[tracks.index(leaf)] = value
            setattr(owner, parents[-1], rows)
        else:
            setattr(node, leaf, value)


def _get(root: SimpleNamespace, parts: list[str]):
    for part in parts:
        root = getattr(root, part)
    return root


def changed(cal, values: dict[str, Any]) -> Callable[[int], None]:
    """The action of a change: the block's model takes the values, and its dynamics with it."""
    def act(month: int) -> None:
        set_values(cal.model, values, cal.model.tracks)
        cal.dynamics.use(cal.model)
    return act


def forced(cal, name: str, event: SimpleNamespace) -> Callable[[int], None]:
    """The action of a scripted event: its type's effect on every trajectory of the block."""
    hazard = HAZARDS[event.type]
    own = {path.split(".", 2)[2]: value for path, value in getattr(event, "model", {}).items()}

    def act(month: int) -> None:
        s = cal.state
        params = copy.deepcopy(getattr(cal.model.events, event.type))  # the model's values at the date
        set_values(params, own, cal.model.tracks)
        branch = cal.stream(f"scenario:{name}:{cal.start + month}").random(s.n)
        kind = kernel.KINDS.index(event.type)
        packed = list(cal.dynamics.rates.packed)  # the event's own values for its kind
        packed[kind] = hazard.params(params, cal.model, len(cal.model.tracks))
        kernel.force(kind, s.arrays(), tuple(packed), np.arange(s.n), branch, s.month)
    return act
