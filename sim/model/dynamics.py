"""The monthly step of one block: the model's coefficients laid out for the compiled kernel, and
the numpy work around it (I^η, the depth of commitments, this month's intercepts)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from . import kernel
from .coefficients import matrix, rows
from .hazards import Rates
from .state import DRIVERS, State, history

DT = 1 / 12  # years per month


def correlation_factor(model: SimpleNamespace) -> np.ndarray:
    """Cholesky factor of the equicorrelation matrix of the tracks' noise."""
    k = len(model.tracks)
    corr = np.full((k, k), float(model.correlation))
    np.fill_diagonal(corr, 1.0)
    return np.linalg.cholesky(corr)


def per_track(value, k: int) -> np.ndarray:
    """A scalar, per-trajectory (n,), per-track (k, 1) or (k, n) value as (k, 1 or n) float rows."""
    value = np.asarray(value, dtype=float)
    return np.ascontiguousarray(value if value.ndim == 2 else np.broadcast_to(value, (k, value.size)), dtype=float)


def commitments(model: SimpleNamespace, k: int) -> tuple[np.ndarray, ...]:
    """(κ·dt, ε·dt, floor logit, σ_c·√dt) of the tracks: how fast levels implement their commitments,
    how fast commitments erode toward their floor, and their own noise; zeros for a model without commitments."""
    implement = getattr(model, "implementation", None)
    commit = getattr(model, "commitment", None)
    if implement is None or commit is None:
        return per_track(0.0, k), per_track(0.0, k), per_track(0.0, k), per_track(0.0, k)
    floor = np.asarray(commit.floor, dtype=float)
    return (per_track(DT * implement, k), per_track(DT * commit.erosion, k), per_track(np.log(floor / (1 - floor)), k),
            per_track(np.sqrt(DT) * commit.volatility, k))


class Dynamics:
    """The monthly step for one block: numpy computes I^η whole-array, the compiled kernel
    (kernel.step) draws the random numbers and does the rest. Coefficients are taken from the
    model once (`use`), as coefficients.py lays them out. `asymmetry` is A this month: the model's
    constant, or a value the caller sets month by month (a model whose asymmetry follows the record)."""

    def __init__(self, model: SimpleNamespace, state: State, generator: np.random.Generator):
        self.s, self.gen = state, generator
        self.powered = np.zeros_like(state.y)  # level^η where resistance drags the levels
        self.recorded = np.empty((0, 0))  # a filter's buffer for the month's unthinned log-rates
        self.asymmetry = model.asymmetry if not isinstance(model.asymmetry, str) else None
        self.clock = 0.0  # years at month 0: the model's clock of H and the transition hazard
        self.use(model)

    def use(self, model: SimpleNamespace) -> None:
        """Take the model's values: at the start, and again when a scenario changes them."""
        self.m = m = model
        k, root_dt = len(m.tracks), np.sqrt(DT)
        loading = {"D": m.interdependence_loading, "X": m.pressure_loading, "S": -m.instability_drag}
        self.loadings = matrix([[DT * loading[d][t] if d in loading else 0.0 for d in DRIVERS] for t in range(k)])
        chol = correlation_factor(m)
        self.diffusion = matrix([[root_dt * m.volatility[t] * chol[t, j] for j in range(k)] for t in range(k)])
        self.feedback = rows(m.interdependence.feedback)[0]
        self.commit = commitments(m, k)
        d, s, r, ref = m.interdependence, m.instability, m.fiscal_stress, m.reference
        z = getattr(m, "climate", SimpleNamespace(reversion=0.0, pressure=0.0, volatility=0.0))
        sub = m.subsidy
        sub_rate = getattr(sub, "reversion", 0.0)
        decay = np.exp(-np.log(2) * DT / np.asarray(m.pressure.half_life_years))
        self.drivers = matrix([[value] for value in (  # rows in the order of kernel.D_BASE … SUB_PASS
            d.base, d.pressure, d.subsidy, -d.stress, d.reversion * DT, d.volatility * root_dt, decay,
            s.reversion * DT, s.mean, s.volatility * root_dt, 0.0, r.reversion * DT, r.mean, r.volatility * root_dt,
            getattr(r, "floor", 0.0),
            m.noise_instability, z.reversion * DT, -z.pressure * ref.pressure, z.pressure, z.volatility * root_dt,
            sub_rate * DT, sub.reference + sub.stress * ref.fiscal_stress, -sub.stress,
            getattr(sub, "pass_through", 0.0))])[:, 0]
        self.noises = k + 3 + bool(np.any(np.asarray(z.volatility) > 0)) + k * bool(np.any(self.commit[3] > 0))
        self.rates = Rates(m, DT)
        self.drags = bool(np.any(np.asarray(m.resistance) != 0))
        self.resists = any(kind == "step" for kind in self.rates.kinds) and np.any(m.events.step.resistance != 0)

    def constant(self, years: float) -> np.ndarray:
        """(μ + a_H·H)·dt per track; for a model whose loadings act around the reference state,
        (μ + a_H·(H − H_ref) − a_D·D_ref − a_X·X_ref + s·S_ref)·dt."""
        m = self.m
        if not getattr(m, "centred", False):
            return rows(DT * (m.drift + m.history_loading * history(m, years)))[0]
        ref = m.reference
        return rows(DT * (m.drift + m.history_loading * (history(m, years) - ref.history)
                          - m.interdependence_loading * ref.interdependence - m.pressure_loading * ref.pressure
                          + m.instability_drag * ref.instability))[0]

    def step(self, month: int) -> None:
        """Advance every trajectory through month `month` (1-based since the start).

        Uses s.level as refreshed from s.y at the record just before (engine.run_block).
        """
        m, s = self.m, self.s
        years = self.clock + (month - 1) * DT
        eta = np.asarray(m.eta, dtype=float)
        (drag,) = rows(-DT * m.resistance * self.asymmetry)
        if self.drags:
            np.power(s.level, eta, out=self.powered)  # in float64, shared η or not
        if self.resists:  # the depth of commitments that steps resist: A·(expit(c)^η − I_ref^η)
            depth = np.power(kernel.logistic(s.c), eta)
            depth -= m.reference.level ** eta
            depth *= self.asymmetry
            s.depth = depth
        s.month = month
        s.hits[:] = 0
        rates = self.rates
        kernel.step(self.gen, s.y, s.level, self.powered, s.drivers, s.arrays(),
                    (self.constant(years), drag, self.loadings, self.diffusion, self.feedback, *self.commit),
                    self.drivers, (rates.slopes, rates.sloped, rates.intercepts_for(s, years), rates.after_crisis, rates.thin),
                    rates.rows, rates.packed, month, self.noises, self.recorded)
