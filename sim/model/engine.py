"""The vectorised ensemble engine: blocks of trajectories advanced month by month; no I/O.

One block = one SimPy environment. The monthly dynamics are a process at integer times: at
time i it records the state of month i−1 (after that month's dated events) and then advances
every trajectory of the block through month i (the compiled step of kernel.py). Blocks have
a fixed size and their own streams, so the ensemble does not depend on how they are spread
over workers (executors.py).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Iterator

import numpy as np
import simpy

from .. import rng
from ..config.design import with_design
from ..config.validate import RunSpec, from_config
from . import kernel
from .calendar import Calendar
from .coefficients import matrix, rows
from .hazards import Rates
from .state import DRIVERS, EVENT_TYPES, EventRecord, State, history, initial_state

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
        per_month, log = self.record.arrays(offset)
        counts = np.stack([self.counts[e] for e in EVENT_TYPES], axis=1)
        return {"levels": self.levels, "counts": counts, "event_month": per_month, "log": log}


def correlation_factor(model: SimpleNamespace) -> np.ndarray:
    """Cholesky factor of the equicorrelation matrix of the tracks' noise."""
    k = len(model.tracks)
    corr = np.full((k, k), float(model.correlation))
    np.fill_diagonal(corr, 1.0)
    return np.linalg.cholesky(corr)


class Dynamics:
    """The monthly step for one block: numpy computes I^η whole-array, the compiled kernel
    (kernel.step) draws the random numbers and does the rest. Coefficients are taken from the
    model once (`use`), as coefficients.py lays them out."""

    def __init__(self, model: SimpleNamespace, state: State, generator: np.random.Generator):
        self.s, self.gen = state, generator
        self.powered = np.empty_like(state.y)
        self.use(model)

    def use(self, model: SimpleNamespace) -> None:
        """Take the model's values: at the start, and again when a scenario changes them."""
        self.m = m = model
        k, root_dt = len(m.tracks), np.sqrt(DT)
        loading = {"D": m.interdependence_loading, "X": m.pressure_loading, "S": -m.instability_drag}
        self.loadings = matrix([[DT * loading[d][t] if d in loading else 0.0 for d in DRIVERS] for t in range(k)])
        chol = correlation_factor(m)
        self.diffusion = matrix([[root_dt * m.volatility[t] * chol[t, j] for j in range(k)] for t in range(k)])
        self.drag, self.feedback = rows(-DT * m.resistance * m.asymmetry, m.interdependence.feedback)
        d, s, r = m.interdependence, m.instability, m.fiscal_stress
        decay = np.exp(-np.log(2) * DT / np.asarray(m.pressure.half_life_years))
        self.drivers = matrix([[value] for value in (  # rows in the order of kernel.D_BASE … NOISE_INSTABILITY
            d.base, d.pressure, d.subsidy, -d.stress, d.reversion * DT, d.volatility * root_dt, decay,
            s.reversion * DT, s.mean, s.volatility * root_dt, r.reversion * DT, r.mean, r.volatility * root_dt,
            m.noise_instability)])[:, 0]
        self.rates = Rates(m, DT)

    def step(self, month: int) -> None:
        """Advance every trajectory through month `month` (1-based since the start).

        Uses s.level as refreshed from s.y at the record just before (engine.run_block).
        """
        m, s = self.m, self.s
        years = (month - 1) * DT
        np.power(s.level, np.asarray(m.eta, dtype=float), out=self.powered)  # in float64, shared η or not
        (constant,) = rows(DT * (m.drift + m.history_loading * history(m, years)))
        s.month = month
        rates = self.rates
        kernel.step(self.gen, s.y, s.level, self.powered, s.drivers, s.arrays(),
                    (constant, self.drag, self.loadings, self.diffusion, self.feedback), self.drivers,
                    (rates.slopes, rates.intercepts_for(s, years), rates.after_crisis), rates.packed, month)


def run_block(spec: RunSpec, seed: int, block: int, n: int, calendar: bool = True) -> BlockResult:
    """Simulate n trajectories of block `block` over the run window (`calendar=False`: without
    the dated events, scenario and policies, to measure what they cost)."""
    months = spec.months
    state = initial_state(spec.model, n, months)
    levels = np.empty((months, len(spec.tracks), n), dtype=np.float32)
    # the block's own model: a scenario's changes edit it during the run (calendar.py)
    dynamics = Dynamics(copy.deepcopy(spec.model), state, rng.stream(seed, block, "dynamics"))
    env = simpy.Environment()

    def monthly() -> Iterator[simpy.Event]:
        for month in range(1, months + 1):
            yield env.timeout(1)
            levels[month - 1] = state.refresh_level()
            state.record.log_month(month - 1, state.counts)
            if month < months:
                dynamics.step(month)

    if calendar:
        Calendar(env, dynamics, spec, seed, block).install()
    env.run(until=env.process(monthly()))
    return BlockResult(levels, dict(zip(EVENT_TYPES, state.counts)), state.record)


def compiled() -> bool:
    """Whether the monthly step's machine code for this source is in numba's on-disk cache; a first
    run on a machine (or after the kernel changed) compiles it. True when the cache cannot be read."""
    try:
        return bool(kernel.step._cache._cache_file._load_index())
    except Exception:  # numba's cache layout is not public: when unsure, say nothing
        return True


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
    """All blocks of the run in block order, in this process (executors.py spreads blocks over workers)."""
    return [run_block(s, seed, b, n) for b, (s, n) in enumerate(block_specs(spec, design))]
