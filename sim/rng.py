"""The only place random generators are made: root seed → one stream per block and purpose.

A stream is keyed by (block, purpose), never by worker, so a run gives the same bytes on any
number of workers; and by purpose, so a scenario that adds a scheduled event draws from that
event's own stream without shifting anyone else's (common random numbers across scenarios).
"""

from __future__ import annotations

import zlib

import numpy as np


def fresh_seed() -> int:
    """Entropy for `run.seed=null`; the caller records it so the run can be repeated."""
    return int(np.random.SeedSequence().entropy % 2**63)


def stream(root: int, block: int, purpose: str) -> np.random.Generator:
    """The generator for one block and one purpose (e.g. "dynamics", "deadline:single_gas_market")."""
    key = (block, zlib.crc32(purpose.encode()))
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(root, spawn_key=key)))


def resumed(state: dict) -> np.random.Generator:
    """A stream going on from a state it was in (`generator.bit_generator.state`): a block draws its own
    part of a stream drawn for the whole run, from where that part begins."""
    generator = np.random.Generator(np.random.PCG64())
    generator.bit_generator.state = state
    return generator


def child_seed(root: int, block: int, purpose: str) -> int:
    """A root seed of its own for work that makes its streams from a seed (a filter of the calibration)."""
    return int(stream(root, block, purpose).integers(2**63))
