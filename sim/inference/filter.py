"""The particle filter: the ensemble conditioned on the record, month by month up to a date.

A bootstrap filter (sequential Monte Carlo) whose transition is the compiled engine itself. The
particles start from the model's prior at the record's start; each month the engine moves them
and draws the events the record does not hold (thinned hazards), the recorded events are forced
in every particle, and each particle is weighted by the likelihood of the month's record
(observation.py): the recorded events given its hazards, the year's indicators in December, the
article's judged levels at their date. When the effective sample size falls below half the
particles they are resampled (systematic). The result is the filtering distribution at the last
month, which a forecast starts from (`Filtered.origin`), and its path, month by month.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np
from scipy.special import logsumexp

from ..model import kernel
from ..model.dynamics import DT
from ..model.state import DRIVERS, Origin, State
from ..record.derived import Record, asymmetry_at
from . import observation
from .chronicle import Chronicle
from .observation import Observations

BAND_SAMPLE = 2000        # particles drawn by weight each month for the filtered quantiles
QUANTILES = (0.05, 0.5, 0.95)


@dataclass
class Filtered:
    """The particles at the last month with their weights, and the filtered path month by month."""

    first: int               # month index of the record's first month
    until: int               # month index of the last month filtered
    particles: Origin        # every particle's state at `until`
    weights: np.ndarray      # (particles,) normalised
    ess: np.ndarray          # (months,) effective sample size after each month's weighting
    loglik: float            # the estimate of log p(record | model)
    series: list[str]        # tracks, composite, drivers
    bands: np.ndarray        # (months, series, QUANTILES) filtered quantiles
    means: np.ndarray        # (months, series) filtered means

    def origin(self, picks: np.ndarray) -> Origin:
        """The state of the particles `picks` (indices), as a block of a forecast starts from it."""
        p = self.particles
        return Origin(p.y[:, picks], p.c[:, picks], p.drivers[:, picks], p.transitioned[picks], p.asymmetry, p.years)

    def picks(self, n: int, generator: np.random.Generator) -> np.ndarray:
        """n particle indices drawn with their weights."""
        return generator.choice(self.weights.size, size=n, p=self.weights)


def systematic(weights: np.ndarray, n: int, generator: np.random.Generator) -> np.ndarray:
    """n indices by systematic resampling of normalised weights (low variance, one uniform)."""
    positions = (generator.random() + np.arange(n)) / n
    return np.minimum(np.searchsorted(np.cumsum(weights), positions), weights.size - 1)


def path(state: State, composite: np.ndarray, picks: np.ndarray) -> np.ndarray:
    """(series, picks) the filtered path's series (tracks, composite, drivers) of the particles `picks`."""
    level = state.level[:, picks].astype(np.float64)
    return np.vstack([level, composite @ level, state.drivers[:, picks]])


def force(state: State, rates, obs: Observations, i: int, generator: np.random.Generator) -> None:
    """Month i's recorded events, in every particle."""
    for direction, seen in enumerate((obs.steps[i], obs.setbacks[i])):
        if seen.any():
            params = rates.packed[kernel.KINDS.index("step" if direction == 0 else "setback")]
            kernel.force_hits(state.arrays(), params, np.repeat(seen[:, None], state.n, axis=1), direction)
    for kind in observation.RECORDED:
        if obs.kinds[kind][i] and kind in rates.kinds:
            kernel.force(kernel.KINDS.index(kind), state.arrays(), rates.packed, np.arange(state.n),
                         generator.random(state.n), i + 1)


def run(model: SimpleNamespace, record: Record, until: int, particles: int, seed: int) -> Filtered:
    """Filter the record from model.record.start to `until` with `particles` particles; reads nothing
    of the record after `until`."""
    obs = observation.observe(record, model, until)
    walk = Chronicle(model, particles, obs.first, obs.months, obs.asymmetry, seed)
    state, rates, generator = walk.state, walk.rates, walk.generator
    breadth = tuple(float(rates.packed[kernel.KINDS.index(kind)][2][0, 0]) for kind in ("step", "setback"))
    composite = np.ravel(np.asarray(model.weights, dtype=float)[:, 0])
    judged = getattr(getattr(model.record, "judgement", None), "date", None)
    logw, loglik = np.zeros(particles), 0.0
    ess, bands, means = np.empty(obs.months), [], []
    for i in range(obs.months):
        month = obs.first + i
        step_loglik = observation.event_loglik(walk.advance(i), rates.rows, obs, i, breadth)
        force(state, rates, obs, i, generator)
        year = walk.close(i, obs.severity.get(month))
        if year is not None:
            step_loglik = step_loglik + observation.indicator_loglik(year, obs, month // 12, model)
        if month == judged:
            step_loglik = step_loglik + observation.judgement_loglik(state.level.astype(np.float64), model)
        before = logsumexp(logw)
        logw = logw + step_loglik
        loglik += logsumexp(logw) - before
        weights = np.exp(logw - logsumexp(logw))
        ess[i] = 1.0 / np.sum(weights**2)
        means.append(np.concatenate([state.level @ weights, [composite @ state.level @ weights], state.drivers @ weights]))
        bands.append(np.quantile(path(state, composite, systematic(weights, min(BAND_SAMPLE, particles), generator)),
                                 QUANTILES, axis=1).T)
        if ess[i] < particles / 2 and i < obs.months - 1:
            walk.keep(systematic(weights, particles, generator))
            logw = np.zeros(particles)
    weights = np.exp(logw - logsumexp(logw))
    origin = Origin(state.y.copy(), state.c.copy(), state.drivers.copy(), state.transitioned.copy(),
                    asymmetry_at(obs.asymmetry, until), obs.months * DT)
    return Filtered(obs.first, until, origin, weights, ess, float(loglik), [*model.tracks, "composite", *DRIVERS],
                    np.array(bands), np.array(means))
