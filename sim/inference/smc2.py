"""The calibration: the posterior of the uncertain parameters given the record, by SMC² (Chopin,
Jacob and Papaspiliopoulos 2013).

Parameter sets are drawn from the prior, each with a particle filter of its own (filter.Population:
all filters run as one vectorised ensemble, a block of particles per set). Month by month every
filter advances and each set is weighted by its filter's estimate of the month's likelihood. When
the sets' effective sample size falls below a share of them, they are resampled and moved by
particle-marginal Metropolis–Hastings: a random-walk proposal on the prior's unconstrained scale
(covariance from the current sets), a fresh filter for each proposal over the record so far, and
acceptance on the ratio of the filters' likelihood estimates times the prior's; the estimate's
noise leaves the posterior exact (a pseudo-marginal method). The estimate gets noisier as the record
lengthens, and a set with a lucky estimate stops the moves; when a rejuvenation's acceptance falls
below `exchange_below`, every set's filter is run afresh with twice the particles and the sets are
reweighted by the ratio of their new estimates to their old (the exchange step). What results at any month is a sample
of the parameters and of the state given the record up to that month, and nothing after it: the
calibration at every origin of a rolling evaluation comes from one pass over the record.

No maintained library fits: `particles` (SMC²) and `pyabc` move one parameter set at a time through
a Python model, while here every filter of every set is one block of the compiled engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import numpy as np
from scipy.special import logsumexp

from .. import rng
from ..config.design import with_design
from ..config.validate import from_config
from ..model.state import Origin
from .filter import Population, systematic
from .observation import Observations
from .prior import Prior

CHUNKS = 8  # the proposals' filters run in this many parts, spread over the workers


@dataclass(frozen=True)
class Settings:
    """How the calibration runs."""

    sets: int                 # parameter sets (the outer particles)
    particles: int            # particles of each set's filter
    moves: int                # Metropolis–Hastings moves at each rejuvenation
    threshold: float          # rejuvenate when the sets' effective sample size falls below this share
    samples: int              # draws of (parameters, state) kept at each month asked for
    workers: int = 1          # processes that run the proposals' filters
    exchange_below: float = 0.0   # double the particles when a rejuvenation's acceptance falls below this
    max_particles: int = 0        # … up to this many (0: never)


@dataclass
class Snapshot:
    """Draws of (parameters, state) given the record up to `month`, with the sets' figures there."""

    month: int
    theta: np.ndarray         # (samples, D) parameter values on their own scale
    origin: Origin            # the matching states (samples columns)
    ess: float                # the sets' effective sample size at the month
    evidence: float           # log p(record up to the month), estimated


@dataclass
class Posterior:
    """The calibration's result: snapshots at the months asked for, and how the sampler went."""

    names: list[str]
    snapshots: dict[int, Snapshot]
    ess: np.ndarray                                  # (months,) the sets' effective sample size
    moves: list[dict] = field(default_factory=list)  # per rejuvenation: month, acceptance, distinct sets


def population_model(config: Mapping[str, Any], prior: Prior, u: np.ndarray, particles: int):
    """The model with each set's values (unconstrained rows u) in every particle of its block."""
    return from_config(with_design(config, prior.design(config, prior.natural(u), particles), slice(None))).model


def filtered(config: Mapping[str, Any], prior: Prior, u: np.ndarray, particles: int, obs: Observations,
             months: int, seed: int) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """Fresh filters of the sets u over the record's first `months` months: their columns, weights and log-likelihoods."""
    population = Population(population_model(config, prior, u, particles), obs, len(u), particles, seed)
    generator = rng.stream(seed, 1, "smc2-resampling")
    for i in range(months):
        population.advance()
        if i < months - 1:
            population.resample(generator)
    return population.walk.columns(), population.logw, population.loglik


class Sampler:
    """SMC² over the record: `run` walks the record once and returns the posterior at the months asked for."""

    def __init__(self, config: Mapping[str, Any], prior: Prior, obs: Observations, settings: Settings, seed: int,
                 progress: Callable[[int, int], None] | None = None):
        self.config, self.prior, self.obs, self.settings, self.seed = config, prior, obs, settings, seed
        self.progress = progress or (lambda done, total: None)
        self.generator = rng.stream(seed, 0, "smc2")
        self.trajectories = self.trajectory_months = 0  # what the sampler simulated
        self.particles = settings.particles  # of each set's filter: doubled when the moves stall (exchange)

    def run(self, snapshot_months: list[int],
            mapper: Callable[[Callable, list[tuple]], list] | None = None) -> Posterior:
        """The posterior at `snapshot_months`; `mapper(function, jobs)` runs the proposals' filters (in this
        process by default; the studies pass local processes or a Dask cluster: sim/run/executors.pool)."""
        s, obs = self.settings, self.obs
        pool = mapper or (lambda function, jobs: [function(*job) for job in jobs])
        u = self.prior.sample(s.sets, self.generator)
        population = Population(population_model(self.config, self.prior, u, s.particles), obs, s.sets,
                                s.particles, rng.child_seed(self.seed, 0, "smc2-filters"))
        self.count(obs.months)
        logw, evidence = np.zeros(s.sets), 0.0
        posterior = Posterior(self.prior.names, {}, np.empty(obs.months))
        for i in range(obs.months):
            increment = population.advance()
            evidence += logsumexp(logw + increment) - logsumexp(logw)
            logw += increment
            weights = np.exp(logw - logsumexp(logw))
            posterior.ess[i] = 1.0 / np.sum(weights**2)
            if obs.first + i in snapshot_months:
                posterior.snapshots[obs.first + i] = self.snapshot(population, u, weights, obs.first + i,
                                                                   posterior.ess[i], evidence)
            if i < obs.months - 1:
                population.resample(self.generator)
                if posterior.ess[i] < s.threshold * s.sets:
                    u = self.rejuvenate(population, u, weights, i + 1, pool, posterior)
                    logw = np.zeros(s.sets)
                    if posterior.moves[-1]["acceptance"] < s.exchange_below and 2 * self.particles <= s.max_particles:
                        population, logw = self.exchange(population, u, i + 1, pool, posterior)
            self.progress(i + 1, obs.months)
        return posterior

    def snapshot(self, population: Population, u: np.ndarray, weights: np.ndarray, month: int, ess: float,
                 evidence: float) -> Snapshot:
        """`samples` draws of (parameters, state): a set by its weight, a particle of its filter by the particle's."""
        sets = systematic(weights[None], self.generator)[0][self.generator.integers(0, weights.size, self.settings.samples)]
        picks = population.draw(sets, self.generator)
        return Snapshot(month, self.prior.natural(u[sets]), population.origin(picks), float(ess), float(evidence))

    def rejuvenate(self, population: Population, u: np.ndarray, weights: np.ndarray, months: int, pool,
                   posterior: Posterior) -> np.ndarray:
        """Resample the sets and move each by `moves` particle-marginal Metropolis–Hastings steps; the new sets."""
        s = self.settings
        chosen = systematic(weights[None], self.generator)[0]
        u = u[chosen]
        population.reorder(chosen)
        accepted = 0
        for move in range(s.moves):
            spread = np.atleast_2d(np.cov(u, rowvar=False)) + 1e-9 * np.eye(u.shape[1])
            step = np.linalg.cholesky(spread) * 2.38 / np.sqrt(u.shape[1])
            proposal = u + self.generator.standard_normal(u.shape) @ step.T
            outside = ~self.prior.inside(proposal)  # prior density 0: rejected below, simulated at the current point
            simulated = np.where(outside[:, None], u, proposal)
            columns, logw, loglik = self.filters(simulated, months, pool, len(posterior.moves) * s.moves + move + 1)
            ratio = loglik - population.loglik + self.prior.log_density(proposal) - self.prior.log_density(u)
            accept = np.flatnonzero(np.log(self.generator.random(s.sets)) < ratio)
            population.adopt(columns, logw, loglik, accept)
            u = u.copy()
            u[accept] = proposal[accept]
            population.use(population_model(self.config, self.prior, u, self.particles))
            accepted += accept.size
        distinct = np.unique(u, axis=0).shape[0]
        posterior.moves.append({"month": self.obs.first + months - 1, "acceptance": accepted / (s.moves * s.sets),
                                "distinct": int(distinct)})
        return u

    def exchange(self, population: Population, u: np.ndarray, months: int, pool, posterior: Posterior):
        """Double every set's particles (Chopin et al.'s exchange step): fresh filters over the record so far,
        each set reweighted by the ratio of its new likelihood estimate to its old; the new filters and log-weights."""
        self.particles *= 2
        columns, logw, loglik = self.filters(u, months, pool, 10_000 + len(posterior.moves))
        fresh = Population(population_model(self.config, self.prior, u, self.particles), self.obs, len(u),
                           self.particles, rng.child_seed(self.seed, len(posterior.moves), "smc2-exchange"))
        fresh.adopt(columns, logw, loglik, np.arange(len(u)))
        fresh.month = months
        posterior.moves[-1]["particles_after"] = self.particles
        return fresh, loglik - population.loglik

    def count(self, months: int) -> None:
        """Count a pass of every set's filter over `months` months."""
        self.trajectories += self.settings.sets * self.particles
        self.trajectory_months += self.settings.sets * self.particles * months

    def filters(self, u: np.ndarray, months: int, pool, stage: int):
        """The proposals' filters over the record's first `months` months, in CHUNKS of sets with streams of
        their own (so that the result is the same on any number of workers)."""
        parts = np.array_split(np.arange(len(u)), min(CHUNKS, len(u)))
        seeds = [rng.child_seed(self.seed, stage * CHUNKS + k, "smc2-proposals") for k in range(len(parts))]
        self.count(months)
        results = pool(filtered, [(self.config, self.prior, u[part], self.particles, self.obs, months, seed)
                                  for part, seed in zip(parts, seeds)])
        columns = [np.concatenate(arrays, axis=-1) for arrays in zip(*(r[0] for r in results))]
        return columns, np.concatenate([r[1] for r in results]), np.concatenate([r[2] for r in results])
