"""Stochastic events, drawn every month for the whole block at once.

Each event type consumes one uniform per trajectory and month, whether it happens or not,
so two runs with the same seed stay aligned draw by draw (common random numbers). The branch
of an event (rally or hedge, the successor's course) reuses that uniform: given u < p, u/p is
again uniform on [0, 1), so branches cost no extra draws.

Each event is a rate (how likely this month, from the state) and an effect (what it does to
the trajectories where it happens); a scenario forces the same effects at a date (scenario.py).
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
from scipy.special import expit

from .state import State, count, jump, pick


def _occurs(u: np.ndarray, rate, dt: float) -> tuple[np.ndarray, np.ndarray]:
    """Trajectories where an event with this yearly rate happens this month, and u/p for them.

    p = 1 − exp(−rate·dt) ≤ rate·dt, so only the few u below rate·dt need the exact p (thinning).
    """
    rate = np.asarray(rate)
    candidates = np.flatnonzero(u < rate * dt)
    p = -np.expm1(-pick(rate, candidates) * dt)
    happens = u[candidates] < p
    return candidates[happens], u[candidates[happens]] / (p[happens] if p.ndim else p)


def dispute_rate(state: State, d: SimpleNamespace, ref: SimpleNamespace, years: float):
    log_rate = (d.stress * (state.R - ref.fiscal_stress)
                + d.gap * ((1 - state.subsidy) - ref.subsidy_gap)
                - d.interdependence * (state.D - ref.interdependence))
    return d.rate * np.exp(log_rate)


def dispute(state: State, d: SimpleNamespace, ref: SimpleNamespace, idx: np.ndarray, v: np.ndarray) -> None:
    jump(state, idx, d.effect)
    state.subsidy[idx] = np.maximum(state.subsidy[idx] - pick(d.subsidy_cut, idx), 0.0)
    count(state, "dispute", idx)


def crisis_rate(state: State, c: SimpleNamespace, ref: SimpleNamespace, years: float):
    boost = state.crisis_boost if state.month <= state.crisis_boost_until else 1.0
    return c.rate * boost * np.exp(c.instability * (state.S - ref.instability))


def crisis(state: State, c: SimpleNamespace, ref: SimpleNamespace, idx: np.ndarray, v: np.ndarray) -> None:
    state.S[idx] += pick(c.instability_jump, idx)
    state.months_since_crisis[idx] = 0
    p_rally = expit(pick(c.rally_odds, idx) + pick(c.rally_pressure, idx) * (state.X[idx] - pick(ref.pressure, idx)))
    rally = v < p_rally
    jump(state, idx[rally], c.rally)
    jump(state, idx[~rally], c.hedge)
    count(state, "crisis", idx)
    count(state, "rally", idx[rally])
    count(state, "hedge", idx[~rally])


def sanctions_rate(state: State, s: SimpleNamespace, ref: SimpleNamespace, years: float):
    after = np.where(state.months_since_crisis < s.after_crisis_months, s.after_crisis, 1.0)
    return s.rate * after * np.exp(s.pressure * (state.X - ref.pressure))


def sanctions(state: State, s: SimpleNamespace, ref: SimpleNamespace, idx: np.ndarray, v: np.ndarray) -> None:
    state.X[idx] += pick(s.jump, idx)
    state.D[idx] = np.clip(state.D[idx] + pick(s.interdependence, idx), 0.0, 1.0)
    count(state, "sanctions", idx)


def detente_rate(state: State, t: SimpleNamespace, ref: SimpleNamespace, years: float):
    return t.rate * np.exp(-t.pressure * (state.X - ref.pressure))


def detente(state: State, t: SimpleNamespace, ref: SimpleNamespace, idx: np.ndarray, v: np.ndarray) -> None:
    state.X[idx] *= 1 - pick(t.cut, idx)
    count(state, "detente", idx)


def commodity_rate(state: State, c: SimpleNamespace, ref: SimpleNamespace, years: float):
    return c.rate


def commodity(state: State, c: SimpleNamespace, ref: SimpleNamespace, idx: np.ndarray, v: np.ndarray) -> None:
    state.R[idx] += pick(c.jump, idx)
    count(state, "commodity", idx)


def transition_rate(state: State, tr: SimpleNamespace, ref: SimpleNamespace, years: float):
    return np.where(state.transitioned, 0.0, tr.rate * np.exp(tr.growth * years))


def transition(state: State, tr: SimpleNamespace, ref: SimpleNamespace, idx: np.ndarray, v: np.ndarray) -> None:
    state.transitioned[idx] = True
    state.S[idx] += pick(tr.instability_jump, idx)
    continuity = pick(tr.continuity, idx)
    to_moscow = (v >= continuity) & (v < continuity + pick(tr.pro_moscow, idx))
    pivot = v >= continuity + pick(tr.pro_moscow, idx)
    jump(state, idx[to_moscow], tr.consolidation)
    jump(state, idx[pivot], tr.pivot)
    count(state, "transition", idx)
    count(state, "consolidation", idx[to_moscow])
    count(state, "pivot", idx[pivot])


# name → (rate, effect), in the order of the rows of the month's uniforms.
HAZARDS = {
    "dispute": (dispute_rate, dispute),
    "crisis": (crisis_rate, crisis),
    "sanctions": (sanctions_rate, sanctions),
    "detente": (detente_rate, detente),
    "commodity": (commodity_rate, commodity),
    "transition": (transition_rate, transition),
}


def draw_events(state: State, model: SimpleNamespace, u: np.ndarray, dt: float, years: float) -> None:
    """Apply this month's stochastic events; u holds one row of uniforms per entry of HAZARDS."""
    ev, ref = model.events, model.reference
    for row, (name, (rate, effect)) in enumerate(HAZARDS.items()):
        params = getattr(ev, name)
        idx, v = _occurs(u[row], rate(state, params, ref, years), dt)
        if idx.size:
            effect(state, params, ref, idx, v)
    state.months_since_crisis += 1
