"""A validated spec run as an ensemble: blocks on the run's executor, assembled into one Dataset."""

from __future__ import annotations

import xarray as xr

from ..config import design
from ..config.compose import MODEL_DIR
from ..config.validate import RunSpec
from ..model import engine
from ..results import counts, dataset
from . import executors, progress


def simulate(spec: RunSpec, seed: int, config_yaml: str, store=None) -> xr.Dataset:
    """The ensemble as a Dataset: every path, or in summary mode the merged block counts.

    With a store (store.Store), each block is saved as it finishes and blocks already there are reused.
    """
    jobs = executors.jobs(spec, seed, design.from_sets(spec, seed, MODEL_DIR))
    if not engine.compiled():
        progress.say("Compiling the engine for this machine (once: about 40 s; the code is cached next to the sources)")
    finished = executors.run(jobs, spec.run, store, progress.Bar("simulating blocks"))
    if counts.chosen(spec.run):
        return dataset.from_counts(spec, counts.collect(arrays for _, arrays in finished),
                                   dataset.attributes(spec, seed, config_yaml))
    blocks = dict(finished)
    return dataset.assemble(spec, [blocks[b] for b in range(len(jobs))], seed, config_yaml)
