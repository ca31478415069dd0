"""The vectorised ensemble engine: blocks of trajectories advanced month by month; no I/O.

One block = one SimPy environment. The monthly dynamics are a process at integer times: at
time i it records the state of month i−1 (after that month's dated events) and then advances
every trajectory of the block through month i with whole-array numpy operations. Blocks have
a fixed size and their own streams, so the ensemble does not depend on how they are spread
over workers.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Callable, Iterator

import numpy as np
import simpy

from . import rng
from .calendar import Calendar
from .hazards import HAZARDS, draw_events
from .params import RunSpec, from_config, with_design
from .state import EVENT_TYPES, EventRecord, State, history, initial_state

DT = 1 / 12  # years per month


@dataclass
class BlockResult:
    """What one block returns: levels (months, tracks, n) as float32, event counts (n,) and when
    events happened (state.EventRecord)."""

    levels: np.ndarray
    counts: dict[str, np.ndarray]
    record: EventRecord

    def arrays(self, offset: int) -> dict[str, np.ndarray]:
        """The block as plain arrays (saved without pickle): levels, counts (n, event types),
        event_month (event types, months) and log rows (month, trajectory from `offset`, type)."""
        per_month, log = self.record.arrays(self.levels.shape[0], offset)
        counts = np.stack([self.counts[e] for e in EVENT_TYPES], axis=1)
        return {"levels": self.levels, "counts": counts, "event_month": per_month, "log": log}


def correlation_factor(model: SimpleNamespace) -> np.ndarray:
    """Cholesky factor of the equicorrelation matrix of the tracks' noise."""
    k = len(model.tracks)
    corr = np.full((k, k), float(model.correlation))
    np.fill_diagonal(corr, 1.0)
    return np.linalg.cholesky(corr)


def draw_shape(k: int, n: int) -> tuple[tuple[int, int], tuple[int, int]]:
    """Random numbers one month needs: normals for tracks + D, S, R; one uniform per hazard."""
    return (k + 3, n), (len(HAZARDS), n)


class Dynamics:
    """The monthly step for one block: drift, diffusion, drivers, stochastic events.

    The step works in place on preallocated (tracks, n) buffers: a temporary array per term
    would cost more than the random numbers themselves.
    """

    def __init__(self, model: SimpleNamespace, state: State, generator: np.random.Generator):
        self.m, self.s, self.gen = model, state, generator
        normal_shape, uniform_shape = draw_shape(len(model.tracks), state.n)
        self.z = np.empty(normal_shape)
        self.u = np.empty(uniform_shape)
        self.chol = correlation_factor(model)
        self.drift = np.empty_like(state.y)
        self.noise = np.empty_like(state.y)
        self.pressure_decay = np.exp(-np.log(2) * DT / np.asarray(model.pressure.half_life_years))

    def step(self, month: int) -> None:
        """Advance every trajectory through month `month` (1-based since the start).

        Uses s.level as refreshed from s.y at the record just before (engine.run_block).
        """
        m, s, drift, noise = self.m, self.s, self.drift, self.noise
        years = (month - 1) * DT
        self.gen.standard_normal(out=self.z)
        self.gen.random(out=self.u)
        k = len(m.tracks)

        np.power(s.level, m.eta, out=drift)
        drift *= -m.resistance * m.asymmetry
        drift += m.drift + m.history_loading * history(m, years)
        for loading, driver in ((m.interdependence_loading, s.D), (m.pressure_loading, s.X),
                                (-m.instability_drag, s.S)):
            drift += np.multiply(loading, driver, out=noise)
        drift *= DT
        s.y += drift
        np.matmul(self.chol, self.z[:k], out=noise)
        noise *= m.volatility
        noise *= (1 + m.noise_instability * s.S) * np.sqrt(DT)
        s.y += noise

        d = m.interdependence
        target = (d.base + (d.feedback * s.level).sum(axis=0) + d.pressure * s.X
                  + d.subsidy * s.subsidy - d.stress * s.R)
        s.D += d.reversion * DT * (target - s.D) + d.volatility * np.sqrt(DT) * self.z[k]
        np.clip(s.D, 0.0, 1.0, out=s.D)
        s.X *= self.pressure_decay
        for x, p, z in ((s.S, m.instability, self.z[k + 1]), (s.R, m.fiscal_stress, self.z[k + 2])):
            x += p.reversion * DT * (p.mean - x) + p.volatility * np.sqrt(DT) * z
            np.maximum(x, 0.0, out=x)

        s.month = month
        draw_events(s, m, self.u, DT, years)


def run_block(spec: RunSpec, seed: int, block: int, n: int, calendar: bool = True) -> BlockResult:
    """Simulate n trajectories of block `block` over the run window (`calendar=False`: without
    the dated events, scenario and policies, to measure what they cost)."""
    months = spec.months
    state = initial_state(spec.model, n)
    levels = np.empty((months, len(spec.tracks), n), dtype=np.float32)
    dynamics = Dynamics(spec.model, state, rng.stream(seed, block, "dynamics"))
    env = simpy.Environment()

    def monthly() -> Iterator[simpy.Event]:
        for month in range(1, months + 1):
            yield env.timeout(1)
            levels[month - 1] = state.refresh_level()
            if month < months:
                dynamics.step(month)

    if calendar:
        Calendar(env, dynamics, spec, seed, block).install()
    env.run(until=env.process(monthly()))
    return BlockResult(levels, state.counts, state.record)


def block_sizes(trajectories: int, block_size: int) -> list[int]:
    full, rest = divmod(trajectories, block_size)
    return [block_size] * full + ([rest] if rest else [])


def block_specs(spec: RunSpec, design: dict[str, np.ndarray] | None) -> list[tuple[RunSpec, int]]:
    """(spec, size) per block; with a design, each block's spec carries its slice of the design.

    A design maps dotted config keys (e.g. "model.events.dispute.rate") to one value per
    trajectory; it is validated whole before any block runs.
    """
    sizes = block_sizes(spec.run.trajectories, spec.run.block_size)
    if not design:
        return [(spec, n) for n in sizes]
    for key, values in design.items():
        if np.shape(values) != (spec.run.trajectories,):
            raise ValueError(f"design {key}: needs one value per trajectory ({spec.run.trajectories})")
    from_config(with_design(spec.config, design, slice(None)))
    starts = np.cumsum([0, *sizes])
    return [(from_config(with_design(spec.config, design, slice(a, a + n))), n) for a, n in zip(starts, sizes)]


def run_blocks(spec: RunSpec, seed: int, design: dict[str, np.ndarray] | None = None) -> list[BlockResult]:
    """All blocks of the run in block order, on spec.run.workers local processes."""
    jobs = [(s, seed, b, n) for b, (s, n) in enumerate(block_specs(spec, design))]
    return map_in_order(run_block, jobs, spec.run.workers)


def map_in_order(function: Callable, jobs: list[tuple], workers: int) -> list:
    """function(*job) for every job, in order: in this process for one worker, else on local
    worker processes (forkserver: nothing inherited from the parent but the arguments)."""
    if workers == 1 or len(jobs) <= 1:
        return [function(*job) for job in jobs]
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(min(workers, len(jobs)), mp_context=context) as pool:
        return list(pool.map(function, *zip(*jobs)))
