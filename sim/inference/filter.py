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

from .. import rng
from ..model import calendar, kernel
from ..model.dynamics import DT, Dynamics
from ..model.hazards import HAZARDS
from ..model.state import DRIVERS, Origin, State, initial_state, logit
from ..record.derived import Record, asymmetry_at
from . import observation
from .observation import Observations

SERIES_DRIVERS = DRIVERS  # the drivers whose filtered path is kept, after the tracks and the composite
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


def prior_state(model: SimpleNamespace, n: int, months: int, generator: np.random.Generator) -> State:
    """Particles at the record's start: levels and commitments around the model's initial values
    (logit-normal, sd record.prior_spread), drivers at their initial values."""
    state = initial_state(model, n, months)
    y = logit(np.broadcast_to(model.initial, state.y.shape)) + model.record.prior_spread * generator.standard_normal(state.y.shape)
    state.y[:] = np.clip(y, -kernel.LOGIT_BOUND, kernel.LOGIT_BOUND)
    state.c[:] = state.y
    state.refresh_level()
    return state


def keep(state: State, idx: np.ndarray) -> None:
    """Resample the particles in place: each array takes the particles idx (views stay valid)."""
    for values in (state.y, state.level, state.drivers, state.c, state.hits, state.track_events, state.counts,
                   state.record.last):
        values[...] = values[..., idx]
    state.transitioned[:] = state.transitioned[idx]
    state.months_since_crisis[:] = state.months_since_crisis[idx]


def elections(model: SimpleNamespace, first: int, until: int) -> dict[int, list]:
    """month → the model's elections of that month in the window (SimpleNamespace of each)."""
    out: dict[int, list] = {}
    for name, election in vars(model.calendar).items():
        if name.endswith("_election"):
            for offset in calendar.election_months(election, first, until):
                out.setdefault(first + offset, []).append(election)
    return out


def elect(state: State, election: SimpleNamespace, severity: int | None, generator: np.random.Generator,
          month: int) -> None:
    """A recorded election: instability jumps (by its recorded severity, or one drawn per particle where
    the model codes severity and the record has none), and the crisis window opens."""
    jump = election.instability_jump
    if getattr(election, "severity", None) is not None:
        jumps = np.asarray(jump, dtype=float)
        drawn = (np.full(state.n, severity - 1) if severity else
                 np.searchsorted(np.cumsum(election.severity)[:-1], generator.random(state.n), side="right"))
        jump = jumps[drawn]
    state.S += jump
    kernel.tick_each(state.arrays(), kernel.EVENT_TYPES.index("election"), month, np.arange(state.n))
    if election.crisis_window_months > 0:
        state.crisis_boost = election.crisis_multiplier
        state.crisis_boost_until = month + election.crisis_window_months


def force(dynamics: Dynamics, obs: Observations, i: int, month: int, generator: np.random.Generator) -> None:
    """The month's recorded events, in every particle."""
    s, rates = dynamics.s, dynamics.rates
    for direction, seen in enumerate((obs.steps[i], obs.setbacks[i])):
        params = rates.packed[kernel.KINDS.index("step" if direction == 0 else "setback")]
        for track in np.flatnonzero(seen):
            kernel.force_hit(s.arrays(), params, int(track), int(seen[track]), direction)
    for kind in observation.RECORDED:
        if obs.kinds[kind][i] and kind in rates.kinds:
            hazard = HAZARDS[kind]
            kernel.force(hazard.effect, s.arrays(), rates.packed[kernel.KINDS.index(kind)], np.arange(s.n),
                         generator.random(s.n), month)


def weighted_bands(values: np.ndarray, weights: np.ndarray, generator: np.random.Generator) -> tuple:
    """Means and QUANTILES of each row of values (series, particles) under the weights."""
    sample = values[:, systematic(weights, min(BAND_SAMPLE, weights.size), generator)]
    return values @ weights, np.quantile(sample, QUANTILES, axis=1).T


def run(model: SimpleNamespace, record: Record, until: int, particles: int, seed: int) -> Filtered:
    """Filter the record from model.record.start to `until` with `particles` particles; reads nothing
    of the record after `until`."""
    obs = observation.observe(record, model, until)
    generator = rng.stream(seed, 0, "filter")
    state = prior_state(model, particles, obs.months, generator)
    dynamics = Dynamics(model, state, rng.stream(seed, 0, "filter-dynamics"))
    rates = dynamics.rates
    dynamics.recorded = np.empty((len(rates.rows[0]), particles))
    breadth = tuple(rates.packed[kernel.KINDS.index(kind)][2] for kind in ("step", "setback"))
    dated = elections(model, obs.first, until)
    logw, loglik = np.zeros(particles), 0.0
    sums = np.zeros((3, particles))
    ess, bands, means = np.empty(obs.months), [], []
    series = [*model.tracks, "composite", *SERIES_DRIVERS]
    weights_of_tracks = np.ravel(np.asarray(model.weights, dtype=float)[:, 0])
    for i in range(obs.months):
        month = obs.first + i
        dynamics.asymmetry = asymmetry_at(obs.asymmetry, month)
        rates.thin = observation.thinning(rates.rows, obs.coverage[i])
        dynamics.step(i + 1)
        step_loglik = observation.event_loglik(dynamics.recorded, rates.rows, obs, i, breadth)
        force(dynamics, obs, i, i + 1, generator)
        for election in dated.get(month, []):
            elect(state, election, obs.severity.get(month), generator, i + 1)
        level = state.refresh_level().astype(np.float64)
        sums += (state.R, state.D, state.subsidy)
        if month % 12 == 11:
            mean = dict(zip(observation.INDICATORS, sums / 12))
            step_loglik = step_loglik + observation.indicator_loglik(mean, obs, month // 12, model)
            sums[:] = 0.0
        if hasattr(model.record, "judgement") and month == model.record.judgement.date:
            step_loglik = step_loglik + observation.judgement_loglik(level, model)
        before = logsumexp(logw)
        logw = logw + step_loglik
        loglik += logsumexp(logw) - before
        weights = np.exp(logw - logsumexp(logw))
        ess[i] = 1.0 / np.sum(weights**2)
        values = np.vstack([level, weights_of_tracks @ level, state.drivers])
        mean, band = weighted_bands(values, weights, generator)
        means.append(mean)
        bands.append(band)
        if ess[i] < particles / 2 and i < obs.months - 1:
            idx = systematic(weights, particles, generator)
            keep(state, idx)
            sums[:] = sums[:, idx]
            logw = np.zeros(particles)
    weights = np.exp(logw - logsumexp(logw))
    origin = Origin(state.y.copy(), state.c.copy(), state.drivers.copy(), state.transitioned.copy(),
                    asymmetry_at(obs.asymmetry, until), obs.months * DT)
    return Filtered(obs.first, until, origin, weights, ess, float(loglik), series,
                    np.array(bands), np.array(means))
