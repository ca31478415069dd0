"""Where the blocks of a run are computed, and the folder that keeps every block as it finishes.

A job is one block: its spec (with its slice of a design), seed, index, size and first
trajectory. A worker runs the engine on it and returns plain arrays — the block itself, or its
summary in summary mode (summary.py) — so only small results travel in summary mode. Jobs run
in this process, on local worker processes (`run.executor=local`, `run.workers`) or on a Dask
cluster (`run.executor=dask`: `run.scheduler` names a running scheduler, or a local cluster of
`run.workers` processes is started); the studies (sensitivity, calibration) map their own jobs
over the same executors (`map_in_order`). Streams are keyed by block (rng.py), so every executor
and worker count gives the same bytes. At most two jobs per worker are in flight, so memory
stays flat however many blocks a run has.

The store writes each finished block to `blocks/NNNNNN.npz` (no pickle) next to the results;
with `run.resume=true` a run loads the blocks it finds and computes only the others.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import shutil
import zipfile
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from pathlib import Path
from typing import Any, Callable, Iterator, NamedTuple

import numpy as np

from . import engine, summary
from .params import RunSpec


class Job(NamedTuple):
    spec: RunSpec
    seed: int
    block: int
    n: int
    offset: int      # the block's first trajectory in the run
    kept: np.ndarray  # summary mode: the run's sampled trajectories; None: keep the whole block


def jobs(spec: RunSpec, seed: int, design: dict[str, np.ndarray] | None) -> list[Job]:
    """One job per block of the run, in block order."""
    blocks = engine.block_specs(spec, design)
    offsets = np.cumsum([0, *(n for _, n in blocks)])
    kept = summary.sample(spec, seed) if summary.chosen(spec.run) else None
    return [Job(s, seed, b, n, int(offsets[b]), kept) for b, (s, n) in enumerate(blocks)]


def work(job: Job) -> dict[str, np.ndarray]:
    """Run one block; its arrays, or its summary when the job keeps a sample."""
    result = engine.run_block(job.spec, job.seed, job.block, job.n).arrays(job.offset)
    if job.kept is None:
        return result
    return summary.reduce(job.spec, result["levels"], result["counts"], result["event_month"], result["log"],
                          job.offset, job.kept)


class Store:
    """Finished blocks of one run in `folder`, each an .npz written atomically; `key` identifies
    the run (its config and seed) so blocks of another run are never mixed in. Summaries are
    compressed (their histograms are mostly zeros); paths are not (they would not shrink much)."""

    def __init__(self, folder: Path, key: str, resume: bool, compress: bool):
        self.folder, self.compress = Path(folder), compress
        stamp = self.folder / "run.key"
        if not (resume and stamp.exists() and stamp.read_text() == key):
            if resume and stamp.exists():
                from .results import ResultsError

                raise ResultsError(f"{self.folder}: run.resume=true, but its blocks belong to another "
                                   "config or seed; resume with the same settings or set run.resume=false")
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder.mkdir(parents=True)
            stamp.write_text(key)

    @classmethod
    def for_run(cls, folder: Path, spec: RunSpec, seed: int, config_yaml: str) -> "Store":
        """The store of a run: keyed by its config and seed, resumed if run.resume is set."""
        return cls(folder, run_key(config_yaml, seed), spec.run.resume, compress=summary.chosen(spec.run))

    def path(self, block: int) -> Path:
        return self.folder / f"{block:06d}.npz"

    def done(self) -> list[int]:
        return sorted(int(p.stem) for p in self.folder.glob("[0-9]*.npz"))

    def load(self, block: int) -> dict[str, np.ndarray]:
        with np.load(self.path(block), allow_pickle=False) as data:
            return {key: data[key] for key in data.files}

    def save(self, block: int, arrays: dict[str, np.ndarray]) -> None:
        """An .npz as numpy writes it, compressed at zlib's fastest level (a quarter of the time of
        np.savez_compressed for nearly the same size: the saving runs beside the workers)."""
        tmp = self.folder / f".{block:06d}.partial.npz"
        compression = zipfile.ZIP_DEFLATED if self.compress else zipfile.ZIP_STORED
        with zipfile.ZipFile(tmp, "w", compression=compression, compresslevel=1) as archive:
            for key, value in arrays.items():
                with archive.open(f"{key}.npy", "w", force_zip64=True) as member:
                    np.lib.format.write_array(member, np.asanyarray(value), allow_pickle=False)
        os.replace(tmp, self.path(block))

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def run_key(config_yaml: str, seed: int) -> str:
    """What identifies a run's blocks: its resolved config (less how it is executed) and seed."""
    kept = [line for line in config_yaml.splitlines()
            if not line.strip().startswith(("workers:", "executor:", "scheduler:", "resume:"))]
    return hashlib.sha256(("\n".join(kept) + f"\nseed {seed}").encode()).hexdigest()


def run(todo: list[Job], run_settings, store: Store | None = None,
        progress: Callable[[int, int], None] | None = None) -> Iterator[tuple[int, dict[str, np.ndarray]]]:
    """(block, arrays) for every job, as blocks finish (stored ones first); each new block is
    saved to the store before it is yielded."""
    done = set(store.done()) if store else set()
    total, count = len(todo), 0
    for block in sorted(done):
        count += 1
        if progress:
            progress(count, total)
        yield block, store.load(block)
    pending = [job for job in todo if job.block not in done]
    for index, arrays in completed(work, [(job,) for job in pending], run_settings):
        block = pending[index].block
        if store:
            store.save(block, arrays)
        count += 1
        if progress:
            progress(count, total)
        yield block, arrays


def map_in_order(function: Callable, jobs: list[tuple], run_settings) -> list:
    """function(*job) for every job, in the order of the jobs, on the run's executor."""
    results = dict(completed(function, jobs, run_settings))
    return [results[index] for index in range(len(jobs))]


def completed(function: Callable, jobs: list[tuple], run_settings) -> Iterator[tuple[int, Any]]:
    """(index, function(*jobs[index])) for every job, as they finish: in this process for one
    local worker, on run.workers local processes, or on a Dask cluster."""
    if not jobs:
        return
    if run_settings.executor == "dask":
        yield from _dask(function, jobs, run_settings)
    elif run_settings.workers == 1 or len(jobs) == 1:
        for index, job in enumerate(jobs):
            yield index, function(*job)
    else:
        with ProcessPoolExecutor(min(run_settings.workers, len(jobs)), mp_context=worker_context()) as pool:
            yield from _window(jobs, lambda job: pool.submit(function, *job), 2 * run_settings.workers,
                               lambda pending: wait(pending, return_when=FIRST_COMPLETED).done)


def worker_context() -> multiprocessing.context.BaseContext:
    """Local worker processes forked from a server that has imported the engine once (forkserver:
    nothing inherited from the parent but the arguments, and no import cost per worker)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["sim.executors"])
    return context


def _dask(function: Callable, jobs: list[tuple], run_settings) -> Iterator[tuple[int, Any]]:
    """The jobs on a Dask cluster: the scheduler at run.scheduler, or a local one started here."""
    from distributed import Client, LocalCluster, wait as dask_wait

    if run_settings.scheduler:
        client, cluster = Client(run_settings.scheduler), None
    else:
        cluster = LocalCluster(n_workers=run_settings.workers, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    try:
        slots = 2 * sum(client.nthreads().values())
        yield from _window(jobs, lambda job: client.submit(function, *job, pure=False), slots,
                           lambda pending: dask_wait(pending, return_when="FIRST_COMPLETED").done)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _window(jobs: list[tuple], submit, slots: int, finished) -> Iterator[tuple[int, Any]]:
    """Submit jobs keeping at most `slots` in flight; yield (index, result) as each finishes."""
    queue, pending = list(reversed(list(enumerate(jobs)))), {}
    while queue or pending:
        while queue and len(pending) < slots:
            index, job = queue.pop()
            pending[submit(job)] = index
        for future in finished(set(pending)):
            yield pending.pop(future), future.result()
