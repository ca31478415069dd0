"""Stochastic events, drawn every month for the whole block at once.

Each event type is a rate and an effect (what it does to the trajectories where it happens; a
scenario forces the same effects at a date, scenario.py). A rate is log-linear in the drivers
(the rows of State.drivers) around the reference state, shifted by a modifier of the calendar
(an election window, the clock of a transition) and, for some events, by a recent crisis:

    log rate = log base + Σ_j slope_j · (driver_j − reference_j) + modifier
               [+ log multiplier for some months after a crisis]

All rates of a month are taken at the state after the month's dynamics, before any event acts
(competing hazards within the month: an event changes the others' rates from the next month).
The compiled monthly step (kernel.py) evaluates them from the slopes and intercepts of Rates.

Each event type consumes one uniform per trajectory and month, whether it happens or not,
so two runs with the same seed stay aligned draw by draw (common random numbers). The branch
of an event (rally or hedge, the successor's course) reuses that uniform: given u < p, u/p is
again uniform on [0, 1), so branches cost no extra draws.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, Callable, NamedTuple

import numpy as np

from . import kernel
from .coefficients import matrix, rows
from .state import DRIVERS, State


class Rate(NamedTuple):
    """rate = base · exp(Σ slope · (driver − reference)), times `after_crisis` = (months, multiplier)
    in the months right after a crisis."""
    base: Any
    slopes: dict[str, tuple[Any, Any]]  # driver → (slope, reference value)
    after_crisis: tuple[Any, Any] = (0, 1.0)


def dispute_rate(d: SimpleNamespace, ref: SimpleNamespace) -> Rate:
    """Disputes come with Russia's fiscal stress and the subsidy gap 1 − subsidy, less with D."""
    return Rate(d.rate, {"R": (d.stress, ref.fiscal_stress), "subsidy": (-d.gap, 1 - ref.subsidy_gap),
                         "D": (-d.interdependence, ref.interdependence)})


def dispute_params(d: SimpleNamespace, ref: SimpleNamespace) -> tuple:
    return rows(d.effect, d.subsidy_cut)


def crisis_rate(c: SimpleNamespace, ref: SimpleNamespace) -> Rate:
    return Rate(c.rate, {"S": (c.instability, ref.instability)})


def crisis_modifier(state: State, c: SimpleNamespace, years: float):
    """An election window multiplies the crisis rate (calendar.py)."""
    return np.log(state.crisis_boost) if state.month <= state.crisis_boost_until else 0.0


def crisis_params(c: SimpleNamespace, ref: SimpleNamespace) -> tuple:
    return rows(c.instability_jump, c.rally_odds, c.rally_pressure, ref.pressure, c.rally, c.hedge)


def sanctions_rate(s: SimpleNamespace, ref: SimpleNamespace) -> Rate:
    """Rounds come in waves (pressure raises the rate) and follow crises."""
    return Rate(s.rate, {"X": (s.pressure, ref.pressure)}, (s.after_crisis_months, s.after_crisis))


def sanctions_params(s: SimpleNamespace, ref: SimpleNamespace) -> tuple:
    return rows(s.jump, s.interdependence)


def detente_rate(t: SimpleNamespace, ref: SimpleNamespace) -> Rate:
    return Rate(t.rate, {"X": (-t.pressure, ref.pressure)})


def detente_params(t: SimpleNamespace, ref: SimpleNamespace) -> tuple:
    return rows(t.cut)


def commodity_rate(c: SimpleNamespace, ref: SimpleNamespace) -> Rate:
    return Rate(c.rate, {})


def commodity_params(c: SimpleNamespace, ref: SimpleNamespace) -> tuple:
    return rows(c.jump)


def transition_rate(tr: SimpleNamespace, ref: SimpleNamespace) -> Rate:
    return Rate(tr.rate, {})


def transition_modifier(state: State, tr: SimpleNamespace, years: float):
    """The hazard grows with time (the incumbent ages)."""
    return tr.growth * years


def transition_params(tr: SimpleNamespace, ref: SimpleNamespace) -> tuple:
    return rows(tr.instability_jump, tr.continuity, tr.pro_moscow, tr.consolidation, tr.pivot)


class Hazard(NamedTuple):
    rate: Callable       # (params, reference) → Rate
    modifier: Callable | None  # (state, params, years) → log-rate shift of the month, scalar or per trajectory
    params: Callable     # (params, reference) → the effect's parameters as kernel.py takes them
    effect: Callable     # compiled (state arrays, params, trajectory, branch uniform, month) → None


# name → Hazard, in the order of the rows of the month's uniforms.
HAZARDS = {
    "dispute": Hazard(dispute_rate, None, dispute_params, kernel.dispute),
    "crisis": Hazard(crisis_rate, crisis_modifier, crisis_params, kernel.crisis),
    "sanctions": Hazard(sanctions_rate, None, sanctions_params, kernel.sanctions),
    "detente": Hazard(detente_rate, None, detente_params, kernel.detente),
    "commodity": Hazard(commodity_rate, None, commodity_params, kernel.commodity),
    "transition": Hazard(transition_rate, transition_modifier, transition_params, kernel.transition),
}


class Rates:
    """The events' log-rates of a block, as the kernel takes them: slopes (events, DRIVERS, 1 or n)
    and intercepts (events, 1 or n) of log(rate·dt) over the drivers, the after-crisis windows
    and log multipliers (events, 2, 1 or n), and the effects' parameters; built from a model
    once (and again when a scenario changes it)."""

    def __init__(self, model: SimpleNamespace, dt: float):
        ev, ref = model.events, model.reference
        self.params = [getattr(ev, name) for name in HAZARDS]
        self.packed = tuple(hazard.params(params, ref) for hazard, params in zip(HAZARDS.values(), self.params))
        rates = [hazard.rate(params, ref) for hazard, params in zip(HAZARDS.values(), self.params)]
        zero = (0.0, 0.0)
        self.slopes = matrix([[rate.slopes.get(d, zero)[0] for d in DRIVERS] for rate in rates])
        with np.errstate(divide="ignore"):  # a zero rate or multiplier: log = −inf, the event cannot happen
            self.intercepts = matrix([[np.log(rate.base * dt) - sum(slope * reference for slope, reference in rate.slopes.values())]
                                      for rate in rates])[:, 0]
            self.after_crisis = matrix([[rate.after_crisis[0], np.log(rate.after_crisis[1])] for rate in rates])
        self.modified = [(row, hazard.modifier, params) for row, (hazard, params)
                         in enumerate(zip(HAZARDS.values(), self.params)) if hazard.modifier]

    def intercepts_for(self, state: State, years: float) -> np.ndarray:
        """This month's intercepts (events, 1 or n): the model's, shifted by the modifiers."""
        with np.errstate(divide="ignore"):  # a multiplier of zero: the event cannot happen then
            shifts = [(row, modifier(state, params, years)) for row, modifier, params in self.modified]
        width = max([self.intercepts.shape[1], *(np.size(shift) for _, shift in shifts)])
        out = np.array(np.broadcast_to(self.intercepts, (len(self.intercepts), width)))
        for row, shift in shifts:
            out[row] += shift
        return out
