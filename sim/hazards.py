"""Stochastic events, drawn every month for the whole block at once.

Each event type consumes one uniform per trajectory and month, whether it happens or not,
so two runs with the same seed stay aligned draw by draw (common random numbers). The branch
of an event (rally or hedge, the successor's course) reuses that uniform: given u < p, u/p is
again uniform on [0, 1), so branches cost no extra draws.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
from scipy.special import expit

from .state import State, count, jump, pick

HAZARDS = ("dispute", "crisis", "sanctions", "detente", "commodity", "transition")


def _occurs(u: np.ndarray, rate, dt: float) -> tuple[np.ndarray, np.ndarray]:
    """Trajectories where an event with this yearly rate happens this month, and u/p for them."""
    p = -np.expm1(-np.asarray(rate) * dt)
    idx = np.flatnonzero(u < p)
    return idx, u[idx] / pick(p, idx)


def draw_events(state: State, model: SimpleNamespace, u: np.ndarray, dt: float, years: float) -> None:
    """Apply this month's stochastic events; u holds one row of uniforms per entry of HAZARDS."""
    ev, ref = model.events, model.reference

    d = ev.dispute
    log_rate = (d.stress * (state.R - ref.fiscal_stress)
                + d.gap * ((1 - state.subsidy) - ref.subsidy_gap)
                - d.interdependence * (state.D - ref.interdependence))
    idx, _ = _occurs(u[0], d.rate * np.exp(log_rate), dt)
    jump(state, idx, d.effect)
    state.subsidy[idx] = np.maximum(state.subsidy[idx] - pick(d.subsidy_cut, idx), 0.0)
    count(state, "dispute", idx)

    c = ev.crisis
    boost = state.crisis_boost if state.month <= state.crisis_boost_until else 1.0
    idx, v = _occurs(u[1], c.rate * boost * np.exp(c.instability * (state.S - ref.instability)), dt)
    state.S[idx] += pick(c.instability_jump, idx)
    state.months_since_crisis[idx] = 0
    p_rally = expit(pick(c.rally_odds, idx) + pick(c.rally_pressure, idx) * (state.X[idx] - pick(ref.pressure, idx)))
    rally = v < p_rally
    jump(state, idx[rally], c.rally)
    jump(state, idx[~rally], c.hedge)
    count(state, "crisis", idx)
    count(state, "rally", idx[rally])
    count(state, "hedge", idx[~rally])

    s = ev.sanctions
    after = np.where(state.months_since_crisis < s.after_crisis_months, s.after_crisis, 1.0)
    idx, _ = _occurs(u[2], s.rate * after * np.exp(s.pressure * (state.X - ref.pressure)), dt)
    state.X[idx] += pick(s.jump, idx)
    state.D[idx] = np.clip(state.D[idx] + pick(s.interdependence, idx), 0.0, 1.0)
    count(state, "sanctions", idx)

    t = ev.detente
    idx, _ = _occurs(u[3], t.rate * np.exp(-t.pressure * (state.X - ref.pressure)), dt)
    state.X[idx] *= 1 - pick(t.cut, idx)
    count(state, "detente", idx)

    idx, _ = _occurs(u[4], ev.commodity.rate, dt)
    state.R[idx] += pick(ev.commodity.jump, idx)
    count(state, "commodity", idx)

    tr = ev.transition
    rate = np.where(state.transitioned, 0.0, tr.rate * np.exp(tr.growth * years))
    idx, v = _occurs(u[5], rate, dt)
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
    state.months_since_crisis += 1
