"""A validated spec run as an ensemble: the record filtered up to the start (for a model tied to
the record), blocks on the run's executor starting from the filtered state, one Dataset."""

from __future__ import annotations

import importlib
import importlib.util
import sys
import threading
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Iterator

import numpy as np
import xarray as xr

from .. import files, rng
from ..config import design
from ..config.compose import MODEL_DIR
from ..config.design import with_design
from ..config.validate import RunSpec, from_config
from ..inference import filter as particle_filter
from ..model import engine
from ..model.state import Origin
from ..record import derived
from ..record.events import EVENTS_FILE
from ..record.indicators import INDICATORS_FILE
from ..results import counts, dataset, questions
from . import executors, progress, start_cache


def tied_to_record(spec: RunSpec) -> bool:
    """A model that starts from the record (it has an observation model and no judged initial date)."""
    return hasattr(spec.model, "record") and getattr(spec.model, "initial_date", None) is None


PER_SET = 200  # particles per parameter set in the filter of a model with sets (at least): fewer let a block collapse at the judged 2021 levels


@dataclass
class Start:
    """The record filtered up to run.start; with parameter sets, a block of `per_set` particles per set used."""

    filtered: particle_filter.Filtered
    keys: list[str]
    sets: np.ndarray | None     # (blocks, keys) the sets the blocks filtered with, or None
    per_set: int

    def picks(self, seed: int, block: int, n: int) -> np.ndarray:
        """The particles the n trajectories of block `block` start from: drawn with the filter's weights,
        from the block's own stream."""
        return self.filtered.picks(n, rng.stream(seed, block, "origin"))

    def block(self, seed: int, block: int, n: int) -> tuple[Origin, dict[str, np.ndarray] | None]:
        """Where the n trajectories of block `block` begin and their parameter values (Start.values): made in
        the block's job, so that no future's state or values are held for the whole run."""
        picks = self.picks(seed, block, n)
        return self.filtered.origin(picks), self.values(picks)

    def values(self, picks: np.ndarray) -> dict[str, np.ndarray] | None:
        """The parameter values of the particles `picks` (those of the set each filtered with), or None without sets."""
        if self.sets is None:
            return None
        rows = self.sets[picks // self.per_set]
        return {key: rows[:, j] for j, key in enumerate(self.keys)}

    def model(self, spec: RunSpec, picks: np.ndarray) -> SimpleNamespace:
        """The model with the parameter values of the particles `picks`, one per trajectory."""
        values = self.values(picks)
        return spec.model if values is None else from_config(with_design(spec.config, values, slice(None))).model

    def arrays(self) -> dict[str, np.ndarray]:
        """Every field as arrays, to be stored and read back exactly (from_arrays)."""
        own = {"start_keys": np.array(self.keys, dtype=str), "start_per_set": np.array(self.per_set)}
        return self.filtered.arrays() | own | ({} if self.sets is None else {"start_sets": self.sets})

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> "Start":
        """The Start whose arrays() these are."""
        return cls(particle_filter.Filtered.from_arrays(arrays), arrays["start_keys"].tolist(),
                   arrays.get("start_sets"), int(arrays["start_per_set"]))


def start(spec: RunSpec, seed: int, record: derived.Record | None = None, sets_known_by: int | None = None) -> Start:
    """The record filtered up to run.start with run.particles particles (nothing later is read); a
    model with parameter sets spreads them over up to run.particles / PER_SET sets, those calibrated to
    the latest month not after `sets_known_by` (by default run.start). On the record in data/ (record
    None), a start made before for the same inputs is read from the cache (start_cache.py)."""
    chosen = design.sets_for(spec, MODEL_DIR, sets_known_by)
    cached = record is None  # only a start on the record in data/ is cached
    record = derived.load() if cached else record
    derived.check_cut(record, spec.run.start, "run.start")
    if not cached:
        return _filtered(spec, seed, record, chosen)
    name = start_cache.key(record=start_cache.content_digest(record), sets=start_cache.content_digest(chosen),
                           seed=seed, start=spec.run.start, particles=spec.run.particles,
                           config={k: v for k, v in spec.config.items() if k not in ("run", "analysis")})
    found = start_cache.read(name)
    if found is not None:
        return Start.from_arrays(found)
    begun = _filtered(spec, seed, record, chosen)
    start_cache.write(name, begun.arrays())
    return begun


def _filtered(spec: RunSpec, seed: int, record: derived.Record, chosen: tuple | None) -> Start:
    """The record filtered up to run.start, over the parameter sets `chosen` (keys, values) if any."""
    if chosen is None:
        return Start(particle_filter.run(spec.model, record, spec.run.start, spec.run.particles, seed), [], None,
                     spec.run.particles)
    keys, values = chosen
    blocks = min(len(values), max(1, spec.run.particles // PER_SET))
    used = values[rng.stream(seed, 0, "parameter-sets").permutation(len(values))[:blocks]]
    per_set = spec.run.particles // blocks
    model = from_config(with_design(spec.config, {k: np.repeat(used[:, j], per_set) for j, k in enumerate(keys)},
                                    slice(None))).model
    return Start(particle_filter.run(model, record, spec.run.start, per_set, seed, blocks), keys, used, per_set)


def read_files(spec: RunSpec) -> dict[str, Path]:
    """The files a run of this spec reads besides its config, by what names each: a model's parameter
    sets, the question set it answers, and the record for a model tied to it."""
    named = design.read_files(spec, MODEL_DIR)
    if spec.analysis.questions is not None:
        named["analysis.questions"] = questions.path_of(spec.analysis.questions)
    if tied_to_record(spec):
        named |= {"record.events": EVENTS_FILE, "record.indicators": INDICATORS_FILE}
    return named


def inputs(spec: RunSpec) -> str:
    """The files a run reads, a line each (what names it, its name and the SHA-256 of its content): what
    results.nc records and the run's key covers, so that blocks read from other files are never mixed in."""
    return "\n".join(f"{key}: {path.name} sha256:{files.digest(path)}" for key, path in read_files(spec).items())


def compiling() -> None:
    """Say, on a terminal, that the engine is being compiled when it is not in numba's cache (before the
    filter, which compiles it too)."""
    if not engine.compiled():
        progress.say("Compiling the engine for this machine (once: about 100 s, cached next to the sources; "
                     "python -m sim --warm-up does it ahead)")


def simulate(spec: RunSpec, seed: int, config_yaml: str, store=None,
             record: derived.Record | None = None) -> xr.Dataset:
    """The ensemble as a Dataset: every path, or in summary mode the merged block counts; for a model
    tied to the record, from the state filtered on `record` (data/ by default) up to run.start.

    With a store (store.Store), each block is saved as it finishes and blocks already there are reused.
    """
    compiling()
    begun = start(spec, seed, record) if tied_to_record(spec) else None
    return from_start(spec, seed, begun, dataset.attributes(spec, seed, config_yaml, inputs(spec)), store)


def from_start(spec: RunSpec, seed: int, begun: Start | None, attrs: dict, store=None,
               values: dict[str, np.ndarray] | None = None) -> xr.Dataset:
    """The ensemble from a start already made (`begun`: the record filtered, or None for a model that
    starts from its initial values), with the Dataset attributes `attrs`; `values`: a number or one value
    per trajectory at model keys, over those of the model's parameter sets. Each block makes its own
    origin and parameter values where it runs (executors.work): memory does not grow with the futures."""
    jobs = block_jobs(spec, seed, begun, values)
    finished = executors.run(jobs, spec.run, store, progress.Bar("simulating blocks"))
    summary = counts.chosen(spec.run)
    with importing_beside("dask.array", "distributed"):
        merged = counts.collect(arrays for _, arrays in finished) if summary else dict(finished)
    parts = () if begun is None else (dataset.start_parts(begun.filtered),)
    if begun is not None and begun.sets is not None and not summary:  # each path's set, from the blocks' streams
        picks = np.concatenate([begun.picks(seed, job.block, job.n) for job in jobs])
        parts += (dataset.set_parts(picks // begun.per_set, begun.keys, begun.sets),)
    if summary:
        return dataset.from_counts(spec, merged, attrs, parts)
    return dataset.assemble(spec, [merged[b] for b in range(len(jobs))], attrs, parts)


def block_jobs(spec: RunSpec, seed: int, begun: Start | None, values: dict[str, np.ndarray] | None = None
               ) -> list[executors.Job]:
    """The run's jobs, each block with what it makes its trajectories' start and values from where it runs: the
    record filtered (`begun`), or its part of the parameter sets' stream for a model with sets, and its part of
    `values`."""
    sizes = engine.block_sizes(spec.run.trajectories, spec.run.block_size)
    if begun is not None:
        starts = [begun] * len(sizes)
    else:
        starts = design.set_draws(spec, seed, MODEL_DIR, sizes)
        if starts:  # every set checked once: a bad one stops the run before any block
            engine.block_spec(spec, dict(zip(starts[0].keys, starts[0].values.T)))
    return executors.jobs(spec, seed, starts, values)


@contextmanager
def importing_beside(*modules: str) -> Iterator[None]:
    """Import `modules` on a thread while the body runs, done when it ends. xarray imports dask.array the
    first time it makes a variable (to tell dask arrays apart) and dask.distributed when it writes a file
    (to look for a cluster): about 0.9 s that, beside the blocks (whose compiled kernel releases the
    interpreter's lock), cost the everyday run nothing. A failed import is left for whoever imports the
    module next to report."""
    def load() -> None:
        for module in modules:
            with suppress(Exception):
                importlib.import_module(module)

    thread = threading.Thread(target=load, name="imports", daemon=True)
    if any(m not in sys.modules and importlib.util.find_spec(m.partition(".")[0]) for m in modules):
        thread.start()
    try:
        yield
    finally:
        if thread.ident is not None:  # started
            thread.join()  # before anything forks this process with an import half done
