"""The vectorised ensemble engine: blocks of trajectories advanced month by month; no I/O.

One block = one SimPy environment. The monthly dynamics are a process at integer times: at
time i it records the state of month i−1 (after that month's dated events) and then advances
every trajectory of the block through month i (dynamics.py, the compiled step of kernel.py). Blocks have
a fixed size and their own streams, so the ensemble does not depend on how they are spread
over workers (executors.py).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Iterator

import numpy as np
import simpy

from .. import rng
from ..config.design import with_design
from ..config.validate import RunSpec, with_changed
from . import kernel
from .calendar import Calendar
from .dynamics import Dynamics
from .state import EVENT_TYPES, EventRecord, Origin, initial_state


@dataclass
class BlockResult:
    """What one block returns: levels (months, tracks, n) as float32, event counts (n,), steps and
    setbacks per track (2, tracks, n) and when events happened (state.EventRecord)."""

    levels: np.ndarray
    counts: dict[str, np.ndarray]
    track_events: np.ndarray
    record: EventRecord

    def arrays(self, offset: int) -> dict[str, np.ndarray]:
        """The block as plain arrays (saved without pickle): levels, counts (n, event types),
        track_events (n, 2, tracks), event_month (event types, months) and log rows (month,
        trajectory from `offset`, type)."""
        per_month, log = self.record.arrays(offset)
        counts = np.stack([self.counts[e] for e in EVENT_TYPES], axis=1)
        return {"levels": self.levels, "counts": counts, "track_events": self.track_events.transpose(2, 0, 1),
                "event_month": per_month, "log": log}


def run_block(spec: RunSpec, seed: int, block: int, n: int, calendar: bool = True,
              origin: Origin | None = None) -> BlockResult:
    """Simulate n trajectories of block `block` over the run window from the model's initial values,
    or from `origin` (the filtered state at the start); `calendar=False`: without the dated events,
    scenario and policies, to measure what they cost."""
    months = spec.months
    state = initial_state(spec.model, n, months, origin)
    levels = np.empty((months, len(spec.tracks), n), dtype=np.float32)
    # the block's own model: a scenario's changes edit it during the run (calendar.py)
    dynamics = Dynamics(copy.deepcopy(spec.model), state, rng.stream(seed, block, "dynamics"))
    if origin is not None:
        dynamics.asymmetry, dynamics.clock = origin.asymmetry, origin.years
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
    return BlockResult(levels, dict(zip(EVENT_TYPES, state.counts)), state.track_events, state.record)


def compiled() -> bool:
    """Whether the monthly step's machine code for this source is loaded in this process or in numba's
    on-disk cache; a first run on a machine (or after the kernel changed) compiles it. True when the cache
    cannot be read."""
    if kernel.step.signatures:
        return True
    try:
        return bool(kernel.step._cache._cache_file._load_index())
    except Exception:  # numba's cache layout is not public: when unsure, say nothing
        return True


def block_sizes(trajectories: int, block_size: int) -> list[int]:
    full, rest = divmod(trajectories, block_size)
    return [block_size] * full + ([rest] if rest else [])


def block_spec(spec: RunSpec, design: dict[str, np.ndarray], rows: slice = slice(None)) -> RunSpec:
    """The spec of the trajectories `rows` of a design (dotted config keys → a number, or one value per
    trajectory), validated where the design changes it."""
    return with_changed(spec, with_design(spec.config, design, rows), design)


def check_design(spec: RunSpec, design: dict[str, np.ndarray], blocks: int) -> None:
    """Refuse, before any block runs, a design without a number or one value per trajectory at each key, or
    with a value the config does not allow (over `blocks` blocks: one block's own check is the whole's)."""
    for key, values in design.items():
        if np.shape(values) not in ((), (spec.run.trajectories,)):
            raise ValueError(f"design {key}: needs a number or one value per trajectory ({spec.run.trajectories})")
    if blocks > 1:
        block_spec(spec, design)


def block_specs(spec: RunSpec, design: dict[str, np.ndarray] | None) -> list[tuple[RunSpec, int]]:
    """(spec, size) per block; with a design, each block's spec carries its slice of the design.

    A design maps dotted config keys (e.g. "model.events.dispute.rate") to one value per
    trajectory; it is validated whole before any block runs.
    """
    sizes = block_sizes(spec.run.trajectories, spec.run.block_size)
    if not design:
        return [(spec, n) for n in sizes]
    check_design(spec, design, len(sizes))
    starts = np.cumsum([0, *sizes])
    return [(block_spec(spec, design, slice(a, a + n)), n) for a, n in zip(starts, sizes)]


def run_blocks(spec: RunSpec, seed: int, design: dict[str, np.ndarray] | None = None) -> list[BlockResult]:
    """All blocks of the run in block order, in this process (executors.py spreads blocks over workers)."""
    return [run_block(s, seed, b, n) for b, (s, n) in enumerate(block_specs(spec, design))]
