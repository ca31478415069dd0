"""Policies: rules that watch a block's state at their reviews and act where their condition holds.

They are levers in the exploratory-modelling sense: a scenario switches one on by listing it
under `scenario.policies` with its parameters (checked in params.py). A policy reviews every
`every_months` from its `start`, after that month's dated events, and acts through a mask.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Callable

import numpy as np
from scipy.special import expit

from .state import count, jump, pick

REVIEW = 0.75  # into the month: after its dynamics (0) and dated events (0.5), see calendar.py


def subsidy_for_integration(cal, p: SimpleNamespace) -> Callable[[int], None]:
    """Moscow's "subsidies in exchange for integration": where `track` lags `target`, the gas
    subsidy is cut by `cut` (the next gas deals move it back toward what Russia can afford)."""
    k = cal.model.tracks.index(p.track)

    def act(month: int) -> None:
        s = cal.state
        idx = np.flatnonzero(expit(s.y[k]) < p.target)
        s.subsidy[idx] = np.maximum(s.subsidy[idx] - pick(p.cut, idx), 0.0)
        count(s, "subsidy_cut", idx)
    return act


def multi_vector(cal, p: SimpleNamespace) -> Callable[[int], None]:
    """Minsk's multi-vector hedging: where Western pressure X is below `pressure_below`, Minsk
    opens toward the West and the tracks take `effect` (a setback in logit units)."""
    def act(month: int) -> None:
        s = cal.state
        idx = np.flatnonzero(s.X < p.pressure_below)
        jump(s, idx, p.effect)
        count(s, "multi_vector", idx)
    return act


POLICIES = {"subsidy_for_integration": subsidy_for_integration, "multi_vector": multi_vector}


def install(cal) -> None:
    """Schedule the reviews of every policy the scenario switches on."""
    for name, p in vars(cal.scenario.policies).items():
        first = p.start - cal.start
        if first < 0:  # a policy in force before the run reviews on its schedule from the run's start
            first %= p.every_months
        cal.at(list(range(first, cal.end - cal.start + 1, p.every_months)), POLICIES[name](cal, p), offset=REVIEW)
