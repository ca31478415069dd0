"""The calibration: the posterior of the uncertain parameters given the record, by SMC² (Chopin,
Jacob and Papaspiliopoulos 2013).

Parameter sets are drawn from the prior, each with a particle filter of its own (filter.Population:
all filters run as one vectorised ensemble, a block of particles per set). Month by month every
filter advances and each set is weighted by its filter's estimate of the month's likelihood, in as
many parts as keep the sets' effective sample size above a share of them (adaptive tempering within
the month). Between parts the sets are resampled and moved by particle-marginal Metropolis–Hastings:
an independent proposal on the prior's unconstrained scale (the normal fitted to the weighted sets), a fresh
filter for each proposal over the record so far, acceptance on the ratio of the filters' likelihood
estimates times the prior's; moves repeat until most sets have moved. The estimate's noise leaves the
posterior exact (a pseudo-marginal method) but, when large, lets sets with lucky estimates stop the
moves and the sets' spread understate the posterior's: at each rejuvenation the noise is measured
(fresh estimates twice over for a few sets) and, above `noise`, every set's filter is run afresh with
twice the particles and the sets reweighted by the ratio of their new estimates to their old (the
exchange step). What results at any month is a sample of the parameters and of the state given the
record up to that month, and nothing after it: the calibration at every origin of a rolling
evaluation comes from one pass over the record.

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
from ..months import text as months_text
from .filter import Population, effective_size, systematic
from .observation import Observations
from .prior import Prior

CHUNKS = 8  # the proposals' filters run in this many parts, spread over the workers
BISECTIONS = 30  # halvings that find the part of a month's likelihood the sets can take at once
MOST_PARTS = 20  # parts a month's likelihood is taken in at most (the last takes what is left)
FLOOR = 1e-4  # the proposals' least variance, as a share of the prior's (the sets' spread can vanish)
PROBES = 8  # sets whose likelihood is estimated twice afresh at each rejuvenation, to measure the estimate's noise


@dataclass(frozen=True)
class Settings:
    """How the calibration runs."""

    sets: int                 # parameter sets (the outer particles)
    particles: int            # particles of each set's filter
    moves: int                # Metropolis–Hastings moves at each rejuvenation, at most
    threshold: float          # rejuvenate when the sets' effective sample size would fall below this share of them
    samples: int              # draws of (parameters, state) kept at each month asked for
    workers: int = 1          # processes that run the proposals' filters
    noise: float = float("inf")   # double the particles when the log-likelihood estimate's sd exceeds this
    max_particles: int = 0        # … up to this many (0: never)
    renewal: float = 1.0      # stop moving once this share of the sets has moved at least once


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
    moves: list[dict] = field(default_factory=list)  # per rejuvenation: month, acceptance, moves, distinct sets


def population_model(config: Mapping[str, Any], prior: Prior, u: np.ndarray, particles: int):
    """The model with each set's values (unconstrained rows u) in every particle of its block."""
    return from_config(with_design(config, prior.design(config, prior.natural(u), particles), slice(None))).model


def filtered(config: Mapping[str, Any], prior: Prior, u: np.ndarray, particles: int, obs: Observations,
             months: int, seed: int) -> tuple[list[np.ndarray], np.ndarray, np.ndarray, np.ndarray]:
    """Fresh filters of the sets u over the record's first `months` months: their columns, weights,
    log-likelihoods and last months' increments."""
    population = Population(population_model(config, prior, u, particles), obs, len(u), particles, seed)
    generator = rng.stream(seed, 1, "smc2-resampling")
    for i in range(months):
        population.advance()
        if i < months - 1:
            population.resample(generator)
    return population.walk.columns(), population.logw, population.loglik, population.last


def proposal_normal(u: np.ndarray, weights: np.ndarray, prior_sd: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The mean and Cholesky factor of the normal fitted to weighted sets: their covariance shrunk toward its
    diagonal by d / (d + ESS). With few sets in many dimensions a sample covariance is too small in most
    directions (its eigenvalues spread), and proposals drawn from it narrow the sets at every rejuvenation."""
    d = u.shape[1]
    sample = np.atleast_2d(np.cov(u, rowvar=False, aweights=weights))
    shrink = d / (d + 1.0 / np.sum(weights**2))
    spread = (1 - shrink) * sample + shrink * np.diag(np.diag(sample)) + FLOOR * np.diag(prior_sd**2)
    return weights @ u, np.linalg.cholesky(spread)


def log_normal(x: np.ndarray, centre: np.ndarray, root: np.ndarray) -> np.ndarray:
    """(rows,) the log-density of a normal with Cholesky factor `root` at the rows of x, up to a constant."""
    z = np.linalg.solve(root, (x - centre).T)
    return -0.5 * np.sum(z**2, axis=0)


def ess(logw: np.ndarray) -> float:
    """The effective sample size of log-weights."""
    return float(effective_size(np.exp(logw - logsumexp(logw))))


def tempered(loglik: np.ndarray, last: np.ndarray, rest: float) -> np.ndarray:
    """The log-likelihood estimates to the month less the share `rest` of the month's own not yet taken."""
    return loglik - rest * last


class Sampler:
    """SMC² over the record: `run` walks the record once and returns the posterior at the months asked for."""

    def __init__(self, config: Mapping[str, Any], prior: Prior, obs: Observations, settings: Settings, seed: int,
                 progress: Callable[[int, int], None] | None = None):
        self.config, self.prior, self.obs, self.settings, self.seed = config, prior, obs, settings, seed
        self.progress = progress or (lambda done, total: None)
        self.doing = getattr(progress, "doing", lambda text: None)  # a long stage within a month, for the bar
        self.generator = rng.stream(seed, 0, "smc2")
        self.trajectories = self.trajectory_months = 0  # what the sampler simulated
        self.particles = settings.particles  # of each set's filter: doubled when the moves stall (exchange)

    def run(self, snapshot_months: list[int],
            mapper: Callable[[Callable, list[tuple]], list] | None = None) -> Posterior:
        """The posterior at `snapshot_months`; `mapper(function, jobs)` runs the proposals' filters (in this
        process by default; the studies pass local processes or a Dask cluster: sim/run/executors.pool).

        Each month's likelihood enters the sets' weights in as few parts as keep their effective sample
        size at `threshold` (Jasra et al. 2011's adaptive tempering, within a month): a month that would
        leave one set standing (a treaty's five steps at once, a sharp indicator) is taken in steps, the
        sets resampled and moved between them, so that the record never reduces them to a few ancestors."""
        s, obs = self.settings, self.obs
        pool = mapper or (lambda function, jobs: [function(*job) for job in jobs])
        u = self.prior.sample(s.sets, self.generator)
        population = Population(population_model(self.config, self.prior, u, s.particles), obs, s.sets,
                                s.particles, rng.child_seed(self.seed, 0, "smc2-filters"))
        self.count(s.sets, obs.months)
        logw, evidence = np.zeros(s.sets), 0.0
        posterior = Posterior(self.prior.names, {}, np.empty(obs.months))
        self.progress(0, obs.months)
        for i in range(obs.months):
            increment, rest = population.advance(), 1.0
            for parts in range(1, MOST_PARTS + 1):
                part = rest if parts == MOST_PARTS else self.bridge(logw, increment, rest)
                evidence += logsumexp(logw + part * increment) - logsumexp(logw)
                logw = logw + part * increment
                rest = 0.0 if part == rest else rest - part
                if rest == 0.0 and ess(logw) >= s.threshold * s.sets:
                    break
                u = self.rejuvenate(population, u, np.exp(logw - logsumexp(logw)), i + 1, rest, pool, posterior)
                logw = np.zeros(s.sets)
                if 2 * self.particles <= s.max_particles and self.noise(u, i + 1, rest, pool, posterior) > s.noise:
                    population, logw = self.exchange(population, u, i + 1, rest, pool, posterior)
                if rest == 0.0:
                    break
                increment = population.last
            weights = np.exp(logw - logsumexp(logw))
            posterior.ess[i] = 1.0 / np.sum(weights**2)
            if obs.first + i in snapshot_months:
                posterior.snapshots[obs.first + i] = self.snapshot(population, u, weights, obs.first + i,
                                                                   posterior.ess[i], evidence)
            if i < obs.months - 1:
                population.resample(self.generator)
            self.progress(i + 1, obs.months)
        return posterior

    def stage(self, months: int, what: str) -> None:
        """Tell the progress bar what holds the month the sampler has reached after `months` months."""
        self.doing(f"{months_text(self.obs.first + months - 1)}: {what}")

    def bridge(self, logw: np.ndarray, increment: np.ndarray, rest: float) -> float:
        """The part (≤ rest) of the month's log-likelihood the sets can take keeping their effective sample
        size at the threshold: all of it when they can, else the largest part found by bisection (or the
        least part tried, when even that leaves too few: sets the month rules out)."""
        target = self.settings.threshold * self.settings.sets
        if ess(logw + rest * increment) >= target:
            return rest
        low, high = 0.0, rest
        for _ in range(BISECTIONS):
            middle = (low + high) / 2
            low, high = (middle, high) if ess(logw + middle * increment) >= target else (low, middle)
        return low if low > 0 else high

    def snapshot(self, population: Population, u: np.ndarray, weights: np.ndarray, month: int, ess: float,
                 evidence: float) -> Snapshot:
        """`samples` draws of (parameters, state): a set by its weight, a particle of its filter by the particle's."""
        sets = systematic(weights[None], self.generator)[0][self.generator.integers(0, weights.size, self.settings.samples)]
        picks = population.draw(sets, self.generator)
        return Snapshot(month, self.prior.natural(u[sets]), population.origin(picks), float(ess), float(evidence))

    def rejuvenate(self, population: Population, u: np.ndarray, weights: np.ndarray, months: int, rest: float,
                   pool, posterior: Posterior) -> np.ndarray:
        """Resample the sets and move them by particle-marginal Metropolis–Hastings until `renewal` of them
        have moved (at most `moves` moves); the new sets. The target is the prior times the likelihood to the
        month, less the part `rest` of the month's own not yet taken. Proposals are independent draws from
        the normal fitted to the weighted sets before resampling (Chopin et al. 2013): an accepted move is a
        fresh point, so the sets do not stay near the few ancestors a resampling may leave."""
        s = self.settings
        centre, root = proposal_normal(u, weights, self.prior.moments()[1])
        chosen = systematic(weights[None], self.generator)[0]
        u = u[chosen]
        population.reorder(chosen)
        moved = np.zeros(s.sets, dtype=bool)
        accepted = made = 0
        while made < s.moves and moved.mean() < s.renewal:
            self.stage(months, f"moving the sets, {made + 1} of at most {s.moves}, {moved.mean():.0%} moved")
            proposal = centre + self.generator.standard_normal(u.shape) @ root.T
            outside = ~self.prior.inside(proposal)  # prior density 0: rejected below, simulated at the current point
            simulated = np.where(outside[:, None], u, proposal)
            columns, logw, loglik, last = self.filters(simulated, months, pool, len(posterior.moves) * s.moves + made + 1)
            ratio = (tempered(loglik, last, rest) - tempered(population.loglik, population.last, rest)
                     + self.prior.log_density(proposal) - self.prior.log_density(u)
                     + log_normal(u, centre, root) - log_normal(proposal, centre, root))
            accept = np.flatnonzero(np.log(self.generator.random(s.sets)) < ratio)
            population.adopt(columns, logw, loglik, last, accept)
            u = u.copy()
            u[accept] = proposal[accept]
            population.use(population_model(self.config, self.prior, u, self.particles))
            moved[accept] = True
            accepted += accept.size
            made += 1
        posterior.moves.append({"month": self.obs.first + months - 1, "acceptance": accepted / (made * s.sets),
                                "moves": made, "distinct": int(np.unique(u, axis=0).shape[0]),
                                **({"share": round(1.0 - rest, 4)} if rest > 0 else {})})
        return u

    def noise(self, u: np.ndarray, months: int, rest: float, pool, posterior: Posterior) -> float:
        """The standard deviation of a set's log-likelihood estimate to the month, from two fresh filters of
        each of PROBES sets drawn (recorded with the rejuvenation). Above ~1.5 the moves stall on lucky
        estimates and the sets' spread understates the posterior's (Doucet et al. 2015)."""
        self.stage(months, "measuring the likelihood's noise")
        probes = np.repeat(u[self.generator.choice(len(u), min(PROBES, len(u)), replace=False)], 2, axis=0)
        _, _, loglik, last = self.filters(probes, months, pool, 20_000 + len(posterior.moves))
        estimates = tempered(loglik, last, rest)
        sd = float(np.sqrt(np.mean((estimates[0::2] - estimates[1::2]) ** 2) / 2))
        posterior.moves[-1]["noise"] = round(sd, 3)
        return sd

    def exchange(self, population: Population, u: np.ndarray, months: int, rest: float, pool, posterior: Posterior):
        """Double every set's particles (Chopin et al.'s exchange step): fresh filters over the record so far,
        each set reweighted by the ratio of its new likelihood estimate to its old; the new filters and log-weights."""
        self.particles *= 2
        self.stage(months, f"refiltering with {self.particles} particles a set")
        columns, logw, loglik, last = self.filters(u, months, pool, 10_000 + len(posterior.moves))
        fresh = Population(population_model(self.config, self.prior, u, self.particles), self.obs, len(u),
                           self.particles, rng.child_seed(self.seed, len(posterior.moves), "smc2-exchange"))
        fresh.adopt(columns, logw, loglik, last, np.arange(len(u)))
        fresh.month = months
        posterior.moves[-1]["particles_after"] = self.particles
        return fresh, tempered(loglik, last, rest) - tempered(population.loglik, population.last, rest)

    def count(self, sets: int, months: int) -> None:
        """Count a pass of `sets` filters over `months` months."""
        self.trajectories += sets * self.particles
        self.trajectory_months += sets * self.particles * months

    def filters(self, u: np.ndarray, months: int, pool, stage: int):
        """The proposals' filters over the record's first `months` months, in CHUNKS of sets with streams of
        their own (so that the result is the same on any number of workers)."""
        parts = np.array_split(np.arange(len(u)), min(CHUNKS, len(u)))
        seeds = [rng.child_seed(self.seed, stage * CHUNKS + k, "smc2-proposals") for k in range(len(parts))]
        self.count(len(u), months)
        results = pool(filtered, [(self.config, self.prior, u[part], self.particles, self.obs, months, seed)
                                  for part, seed in zip(parts, seeds)])
        columns = [np.concatenate(arrays, axis=-1) for arrays in zip(*(r[0] for r in results))]
        return (columns, *(np.concatenate([r[k] for r in results]) for k in (1, 2, 3)))
