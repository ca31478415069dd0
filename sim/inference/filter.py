"""The particle filter: the ensemble conditioned on the record, month by month up to a date.

A bootstrap filter (sequential Monte Carlo) whose transition is the compiled engine itself. The
particles start from the model's prior at the record's start; each month the engine moves them
and draws the events the record does not hold (thinned hazards), the recorded events are forced
in every particle, and each particle is weighted by the likelihood of the month's record
(observation.py): the recorded events given its hazards, the year's indicators in December, the
article's judged levels at their date. When the effective sample size falls below half the
particles they are resampled (systematic).

The particles may come in blocks, one filter per block run as one ensemble: a block per parameter
set, its parameters in every particle of the block (the model's per-trajectory values). Each
block resamples on its own and keeps its own estimate of log p(record | its parameters), which
the calibration (smc2.py) reads; a forecast starts from the filtered state (`Filtered.origin`).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from types import SimpleNamespace

import numpy as np

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
    recorded: int            # month index of the last month the record covers, up to `until` (later months are predicted)
    particles: Origin        # every particle's state at `until`
    weights: np.ndarray      # (blocks · particles,) normalised; the blocks weigh the same
    ess: np.ndarray          # (months,) the smallest block's effective sample size after each month's weighting
    loglik: np.ndarray       # (blocks,) the estimate of log p(record | the block's parameters)
    series: list[str]        # tracks, composite, drivers
    bands: np.ndarray        # (months, series, QUANTILES) filtered quantiles
    means: np.ndarray        # (months, series) filtered means

    def origin(self, picks: np.ndarray) -> Origin:
        """The state of the particles `picks` (indices), as a block of a forecast starts from it."""
        p = self.particles
        return Origin(p.y[:, picks], p.c[:, picks], p.drivers[:, picks], p.transitioned[picks], p.asymmetry, p.years)

    def picks(self, n: int, generator: np.random.Generator) -> np.ndarray:
        """n particle indices drawn with their weights (a block, then a particle of it)."""
        return generator.choice(self.weights.size, size=n, p=self.weights)

    def arrays(self) -> dict[str, np.ndarray]:
        """Every field as an array (the particles' as origin_<field>), to be stored and read back exactly."""
        out = {f"origin_{name}": np.asarray(value) for name, value in self.particles._asdict().items()}
        return out | {f.name: np.asarray(getattr(self, f.name)) for f in fields(self) if f.name != "particles"}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> "Filtered":
        """The Filtered whose arrays() these are."""
        p = {name: arrays[f"origin_{name}"] for name in Origin._fields}
        particles = Origin(**{**p, "asymmetry": float(p["asymmetry"]), "years": float(p["years"])})
        scalars = {"first": int(arrays["first"]), "until": int(arrays["until"]), "recorded": int(arrays["recorded"]),
                   "series": arrays["series"].tolist()}
        return cls(particles=particles, **{f.name: scalars.get(f.name, arrays[f.name])
                                           for f in fields(cls) if f.name != "particles"})


def log_sum_exp(x: np.ndarray) -> np.ndarray:
    """log Σ exp(x) along each row of x (blocks, particles): scipy's logsumexp spends more on checking
    its input than on the arithmetic, and the filter calls it several times a month."""
    top = x.max(axis=1, keepdims=True)
    top[~np.isfinite(top)] = 0.0
    with np.errstate(divide="ignore"):
        return (top + np.log(np.exp(x - top).sum(axis=1, keepdims=True)))[:, 0]


def effective_size(weights: np.ndarray) -> np.ndarray:
    """The effective sample size 1 / Σ w² of normalised weights, along the last axis."""
    return 1.0 / np.sum(weights**2, axis=-1)


def systematic(weights: np.ndarray, generator: np.random.Generator) -> np.ndarray:
    """Systematic resampling of each row of normalised weights (rows, m): (rows, m) indices into the
    row, from one uniform per row (low variance)."""
    rows, m = weights.shape
    positions = (generator.random((rows, 1)) + np.arange(m)) / m + np.arange(rows)[:, None]
    cumulative = np.cumsum(weights, axis=1) + np.arange(rows)[:, None]
    cumulative[:, -1] = np.arange(1, rows + 1)  # the last of each row catches rounding
    return np.searchsorted(cumulative.ravel(), positions.ravel()).reshape(rows, m) - np.arange(rows)[:, None] * m


class Population:
    """`blocks` particle filters of `particles` each, advanced together month by month on the record."""

    def __init__(self, model: SimpleNamespace, obs: Observations, blocks: int, particles: int, seed: int):
        self.obs, self.blocks, self.size = obs, blocks, particles
        self.walk = Chronicle(model, blocks * particles, obs.first, obs.months, obs.asymmetry, seed, coverage=obs.coverage)
        self.breadth = tuple(float(self.walk.rates.packed[kernel.KINDS.index(kind)][2][0, 0])
                             for kind in ("step", "setback"))
        self.judged = getattr(getattr(model.record, "judgement", None), "date", None)
        self.model = model
        self.logw = np.zeros((blocks, particles))
        self.loglik = np.zeros(blocks)
        self.last = np.zeros(blocks)  # the last month's increment of each block's log-likelihood
        self.month = 0  # months filtered so far

    @property
    def state(self) -> State:
        return self.walk.state

    def advance(self) -> np.ndarray:
        """Filter the next month: (blocks,) the increment of each block's log-likelihood. A block whose
        effective sample size falls below half its particles is resampled (after the weights are read)."""
        i, walk, obs = self.month, self.walk, self.obs
        month = obs.first + i
        step = observation.event_loglik(walk.advance(i), walk.rates.rows, obs, i, self.breadth)
        force(walk.state, walk.rates, obs, i, walk.generator)
        year = walk.close(i, obs.severity.get(month))
        if year is not None:
            step = step + observation.indicator_loglik(year, obs, month // 12, self.model)
        if month == self.judged:
            step = step + observation.judgement_loglik(walk.state.level.astype(np.float64), self.model)
        before = log_sum_exp(self.logw)
        self.logw += step.reshape(self.blocks, self.size)
        increment = log_sum_exp(self.logw) - before
        self.loglik += increment
        self.last = increment
        self.month += 1
        return increment

    def weights(self) -> np.ndarray:
        """(blocks, particles) each block's normalised weights."""
        return np.exp(self.logw - log_sum_exp(self.logw)[:, None])

    def resample(self, generator: np.random.Generator) -> None:
        """Resample the blocks whose effective sample size is below half their particles."""
        weights = self.weights()
        low = np.flatnonzero(effective_size(weights) < self.size / 2)
        if low.size:
            within = systematic(weights[low], generator)
            self.walk.keep(self.columns(low), (low[:, None] * self.size + within).ravel())
            self.logw[low] = 0.0

    def columns(self, blocks: np.ndarray) -> np.ndarray:
        """The particle indices of `blocks`, block after block."""
        return (np.asarray(blocks)[:, None] * self.size + np.arange(self.size)).ravel()

    def reorder(self, blocks: np.ndarray) -> None:
        """Block b takes the filter of block blocks[b] (the calibration's resampling of parameter sets)."""
        self.walk.keep(np.arange(self.blocks * self.size), self.columns(blocks))
        self.logw, self.loglik, self.last = self.logw[blocks], self.loglik[blocks], self.last[blocks]

    def adopt(self, columns: list[np.ndarray], logw: np.ndarray, loglik: np.ndarray, last: np.ndarray,
              blocks: np.ndarray) -> None:
        """The filters of `blocks` (indices) become those of other filters of the same layout, given as their
        columns (Chronicle.columns), weights, log-likelihoods and last months' increments."""
        self.walk.adopt(columns, self.columns(blocks))
        self.logw[blocks], self.loglik[blocks], self.last[blocks] = logw[blocks], loglik[blocks], last[blocks]

    def use(self, model: SimpleNamespace) -> None:
        """New per-trajectory parameters (after the blocks were reordered or adopted)."""
        self.model = model
        self.walk.use(model)

    def draw(self, blocks: np.ndarray, generator: np.random.Generator) -> np.ndarray:
        """A particle index per entry of `blocks`, drawn within the block by its weights."""
        cumulative = np.cumsum(self.weights()[blocks], axis=1)
        within = (cumulative < generator.random((len(blocks), 1)) * cumulative[:, -1:]).sum(axis=1)
        return np.asarray(blocks) * self.size + np.minimum(within, self.size - 1)

    def origin(self, picks: np.ndarray | None = None) -> Origin:
        """The state of the particles `picks` (all by default) at the month filtered last."""
        s, picks = self.state, slice(None) if picks is None else picks
        return Origin(s.y[:, picks].copy(), s.c[:, picks].copy(), s.drivers[:, picks].copy(),
                      s.transitioned[picks].copy(), asymmetry_at(self.obs.asymmetry, self.obs.first + self.month - 1),
                      self.month * DT)


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


def path(state: State, composite: np.ndarray, picks: np.ndarray) -> np.ndarray:
    """(series, picks) the filtered path's series (tracks, composite, drivers) of the particles `picks`."""
    level = state.level[:, picks].astype(np.float64)
    return np.vstack([level, composite @ level, state.drivers[:, picks]])


def run(model: SimpleNamespace, record: Record, until: int, particles: int, seed: int, blocks: int = 1) -> Filtered:
    """Filter the record from model.record.start to `until` with `particles` particles per block (the
    model's per-trajectory values, if any, one per particle); reads nothing of the record after `until`.
    Months after the record's end are predicted: the particles move and nothing weighs them."""
    obs = observation.observe(record, model, until)
    population = Population(model, obs, blocks, particles, seed)
    state, generator = population.state, population.walk.generator
    composite = np.ravel(np.asarray(model.weights, dtype=float)[:, 0])
    ess, bands, means = np.empty(obs.months), [], []
    for i in range(obs.months):
        population.advance()
        each = population.weights()
        ess[i] = effective_size(each).min()
        weights = each.ravel() / blocks
        level = state.level @ weights.astype(np.float32)  # float32 by float64 would leave BLAS for a slow loop
        means.append(np.concatenate([level, [composite @ level], state.drivers @ weights]))
        picks = generator.choice(weights.size, size=min(BAND_SAMPLE, weights.size), p=weights)
        bands.append(np.quantile(path(state, composite, picks), QUANTILES, axis=1).T)
        if i < obs.months - 1:
            population.resample(generator)
    return Filtered(obs.first, until, obs.last, population.origin(), population.weights().ravel() / blocks, ess,
                    population.loglik.copy(), [*model.tracks, "composite", *DRIVERS], np.array(bands), np.array(means))
