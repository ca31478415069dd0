"""Where the blocks of a run are computed, and the folder that keeps every block as it finishes.

A job is one block: its spec (with its slice of a design), seed, index, size and first
trajectory. A worker runs the engine on it and returns plain arrays — the block itself, or its
summary in summary mode (summary.py) — so only small results travel in summary mode. Jobs run
in this process, on local worker processes (`run.executor=local`, `run.workers`) or on a Dask
cluster (`run.executor=dask`: `run.scheduler` names a running scheduler, or a local cluster of
`run.workers` processes is started). Streams are keyed by block (rng.py), so every executor and
worker count gives the same bytes. At most two jobs per worker are in flight, so memory stays
flat however many blocks a run has.

The store writes each finished block to `blocks/NNNNNN.npz` (no pickle) next to the results;
with `run.resume=true` a run loads the blocks it finds and computes only the others.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import zipfile
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from pathlib import Path
from typing import Callable, Iterator, NamedTuple

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
    for block, arrays in _execute([job for job in todo if job.block not in done], run_settings):
        if store:
            store.save(block, arrays)
        count += 1
        if progress:
            progress(count, total)
        yield block, arrays


def _execute(todo: list[Job], run_settings) -> Iterator[tuple[int, dict[str, np.ndarray]]]:
    if not todo:
        return
    if run_settings.executor == "dask":
        yield from _dask(todo, run_settings)
    elif run_settings.workers == 1 or len(todo) == 1:
        for job in todo:
            yield job.block, work(job)
    else:
        with ProcessPoolExecutor(min(run_settings.workers, len(todo)), mp_context=engine.worker_context()) as pool:
            yield from _window(todo, lambda job: pool.submit(work, job), 2 * run_settings.workers,
                               lambda pending: wait(pending, return_when=FIRST_COMPLETED).done)


def _dask(todo: list[Job], run_settings) -> Iterator[tuple[int, dict[str, np.ndarray]]]:
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
        yield from _window(todo, lambda job: client.submit(work, job, pure=False), slots,
                           lambda pending: dask_wait(pending, return_when="FIRST_COMPLETED").done)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _window(todo: list[Job], submit, slots: int, finished) -> Iterator[tuple[int, dict[str, np.ndarray]]]:
    """Submit jobs keeping at most `slots` in flight; yield each result as it finishes."""
    queue, pending = list(reversed(todo)), {}
    while queue or pending:
        while queue and len(pending) < slots:
            job = queue.pop()
            pending[submit(job)] = job.block
        for future in finished(set(pending)):
            yield pending.pop(future), future.result()
