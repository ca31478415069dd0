"""A validated spec run as an ensemble: the record filtered up to the start (for a model tied to
the record), blocks on the run's executor starting from the filtered state, one Dataset."""

from __future__ import annotations

import xarray as xr

from .. import rng
from ..config import design
from ..config.compose import MODEL_DIR
from ..config.validate import RunSpec
from ..inference import filter as particle_filter
from ..model import engine
from ..record import derived
from ..results import counts, dataset
from . import executors, progress


def tied_to_record(spec: RunSpec) -> bool:
    """A model that starts from the record (it has an observation model and no judged initial date)."""
    return hasattr(spec.model, "record") and getattr(spec.model, "initial_date", None) is None


def start(spec: RunSpec, seed: int, record: derived.Record | None = None) -> particle_filter.Filtered:
    """The record filtered up to run.start with run.particles particles (nothing later is read)."""
    record = derived.load() if record is None else record
    return particle_filter.run(spec.model, record, spec.run.start, spec.run.particles, seed)


def origins(spec: RunSpec, seed: int, filtered: particle_filter.Filtered) -> list:
    """Each block's origin: its trajectories' particles drawn with the filter's weights, from the block's own stream."""
    sizes = engine.block_sizes(spec.run.trajectories, spec.run.block_size)
    return [filtered.origin(filtered.picks(n, rng.stream(seed, b, "origin"))) for b, n in enumerate(sizes)]


def simulate(spec: RunSpec, seed: int, config_yaml: str, store=None,
             record: derived.Record | None = None) -> xr.Dataset:
    """The ensemble as a Dataset: every path, or in summary mode the merged block counts; for a model
    tied to the record, from the state filtered on `record` (data/ by default) up to run.start.

    With a store (store.Store), each block is saved as it finishes and blocks already there are reused.
    """
    filtered = start(spec, seed, record) if tied_to_record(spec) else None
    jobs = executors.jobs(spec, seed, design.from_sets(spec, seed, MODEL_DIR),
                          origins(spec, seed, filtered) if filtered else None)
    if not engine.compiled():
        progress.say("Compiling the engine for this machine (once: about 40 s; the code is cached next to the sources)")
    finished = executors.run(jobs, spec.run, store, progress.Bar("simulating blocks"))
    attrs = dataset.attributes(spec, seed, config_yaml)
    if counts.chosen(spec.run):
        ds = dataset.from_counts(spec, counts.collect(arrays for _, arrays in finished), attrs)
    else:
        blocks = dict(finished)
        ds = dataset.assemble(spec, [blocks[b] for b in range(len(jobs))], seed, config_yaml)
    return dataset.with_start(ds, filtered) if filtered else ds
