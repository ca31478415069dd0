"""Where the blocks of a run are computed, and the folder that keeps every block as it finishes.

A job is one block: the run's spec, seed, the block's index, size and first trajectory, and what
the block makes its trajectories' starting state and parameter values from where it runs (Job). A
worker makes them, runs the engine on the block and returns plain arrays — the block itself, or its
counts in summary mode (results/counts.py) — so only small results travel in summary mode. Jobs run
on threads of this process (`run.executor=threads`, the default: the compiled kernel releases the
interpreter's lock, so threads run blocks side by side with no start-up), on local worker processes
(`run.executor=local`) or on a Dask cluster (`run.executor=dask`: `run.scheduler` names a running
scheduler, or a local cluster of `run.workers` processes is started); the studies map their own jobs
over the same executors (`map_in_order` once for a design, `pool` for a sampler's many maps). Streams
are keyed by block (rng.py), so every executor and worker count gives the same bytes. At most two jobs
per worker are in flight, so memory stays flat however many blocks a run has. Local workers die with
the run (tether.py); when one dies anyway, its unfinished jobs run once more on new workers, and a
second death is a machine fault.
"""

from __future__ import annotations

import errno
import multiprocessing
import os
import pickle
import tempfile
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, ThreadPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from functools import partial
from typing import Any, Callable, Iterator, NamedTuple, Protocol

import numpy as np

from ..config.validate import RunSpec
from ..errors import MachineFault
from ..model import engine
from ..model.state import Origin
from ..results import counts
from . import tether
from .progress import note

KEPT = "a run keeps its finished blocks: resume it with run.resume=true"


class BlockStart(Protocol):
    """What a block's trajectories begin from (ensemble.Start: the filtered record; design.SetDraw: the
    block's part of the parameter sets' stream): made into the block's origin and values in its job."""

    def block(self, seed: int, block: int, n: int) -> tuple[Origin | None, dict[str, np.ndarray] | None]: ...


class Job(NamedTuple):
    """One block, small to send to a worker: nothing per trajectory of the run but the block's slice of values
    given per trajectory (a design given whole is O(trajectories) already; each job holds its part). The start
    is one for every block of a run (pickled with each job for processes: run.particles states, about 1.5 MB
    by default, the size of the origin a block of as many trajectories carried before)."""

    spec: RunSpec    # the run's; the block's own, with its trajectories' values, is made in work()
    seed: int
    block: int
    n: int
    offset: int      # the block's first trajectory in the run
    kept: np.ndarray  # summary mode: the run's sampled trajectories; None: keep the whole block
    start: BlockStart | None = None  # where the block's trajectories begin, if not at the model's initial values
    values: dict[str, np.ndarray] | None = None  # the block's part of values given for the run, over the start's


def jobs(spec: RunSpec, seed: int, starts: list[BlockStart] | None = None,
         values: dict[str, np.ndarray] | None = None) -> list[Job]:
    """One job per block of the run, in block order: with each block's start, when given, and its slice of
    `values` (dotted keys → a number or one value per trajectory), checked whole here before any block runs."""
    sizes = engine.block_sizes(spec.run.trajectories, spec.run.block_size)
    offsets = np.cumsum([0, *sizes])
    if values:
        engine.check_design(spec, values, len(sizes))
    kept = counts.sample(spec, seed) if counts.chosen(spec.run) else None
    starts, values = starts or [None] * len(sizes), values or {}
    return [Job(spec, seed, b, n, int(a), kept, starts[b],
                {k: v[a:a + n] if np.ndim(v) else v for k, v in values.items()} or None)  # views: nothing copied
            for b, (a, n) in enumerate(zip(offsets, sizes))]


def made(job: Job) -> tuple[RunSpec, Origin | None]:
    """The block's spec, with its trajectories' parameter values, and where they begin: made in the worker
    that runs it, from the job's start and values."""
    origin, drawn = job.start.block(job.seed, job.block, job.n) if job.start is not None else (None, None)
    values = {**(drawn or {}), **(job.values or {})}
    return (engine.block_spec(job.spec, values) if values else job.spec), origin


def work(job: Job) -> dict[str, np.ndarray]:
    """Make the block (made), run it; its arrays, or its summary when the job keeps a sample."""
    spec, origin = made(job)
    result = engine.run_block(spec, job.seed, job.block, job.n, origin=origin).arrays(job.offset)
    if job.kept is None:
        return result
    return counts.reduce(spec, result["levels"], result["counts"], result["event_month"], result["log"],
                          job.offset, job.kept)


def run(todo: list[Job], run_settings, store=None,
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
    size = sum(job.n for job in pending) * (pending[0].spec.months - 1) if pending else 0
    for index, arrays in completed(work, [(job,) for job in pending], run_settings, size):
        block = pending[index].block
        if store:
            store.save(block, arrays)
        count += 1
        if progress:
            progress(count, total)
        yield block, arrays


def map_in_order(function: Callable, jobs: list[tuple], run_settings, size: float | None = None) -> list:
    """function(*job) for every job, in the order of the jobs, on the run's executor (`size`: the
    work in trajectory-months, for the number of automatic workers)."""
    results = dict(completed(function, jobs, run_settings, size))
    return [results[index] for index in range(len(jobs))]


def cores() -> int:
    """The cores this process may run on (its CPU affinity, which containers and taskset narrow)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def worker_count(run_settings, size: float | None) -> int:
    """run.workers up to the cores available (more workers than cores only cost memory), or when it is
    null (automatic): every core on threads, which start at once; on processes, every core for work of
    at least run.parallel_above trajectory-months and one below (where their start-up costs more than
    they save)."""
    if run_settings.workers is not None:
        return min(run_settings.workers, cores())
    if run_settings.executor == "threads":
        return cores()
    return cores() if size is not None and size >= run_settings.parallel_above else 1


def completed(function: Callable, jobs: list[tuple], run_settings, size: float | None = None
              ) -> Iterator[tuple[int, Any]]:
    """(index, function(*jobs[index])) for every job, as they finish: in this process for one
    local worker, on local worker processes, or on a Dask cluster; `size` is the work in
    trajectory-months, which sets the number of automatic workers (worker_count)."""
    if not jobs:
        return
    workers = worker_count(run_settings, size)
    if run_settings.workers is not None and workers < run_settings.workers and not run_settings.scheduler:
        note(f"run.workers={run_settings.workers} is more than the {workers} cores this process may use: "
                      f"using {workers} (the results do not depend on it)")
    if run_settings.executor == "dask":
        yield from _dask(function, jobs, run_settings, workers)
    elif workers == 1 or len(jobs) == 1:
        for index, job in enumerate(jobs):
            yield index, function(*job)
    elif run_settings.executor == "threads":
        yield from _threads(function, jobs, workers)
    else:
        yield from _local(function, jobs, workers)


@contextmanager
def pool(run_settings, workers: int) -> Iterator[Callable[[Callable, list[tuple]], list]]:
    """A map(function, jobs) → results in the jobs' order, kept open for many calls (a sampler maps its
    proposals' filters at every move): in this process for one worker, on `workers` local processes tied to
    this one, or on the run's Dask cluster (run.executor=dask). Never on threads: a filter's monthly
    weighing and resampling hold the interpreter's lock (32 parameter sets filtered to 2001 took 15.8 s
    on two threads, 14.6 s on two processes with their start-up)."""
    if run_settings.executor == "dask":
        with _client(run_settings, workers) as client:
            yield lambda function, jobs: client.gather(client.map(function, *zip(*jobs), pure=False))
    elif workers > 1:
        with _processes(workers) as (processes, folder):
            yield lambda function, jobs: [_taken(path) for path in
                                          processes.map(partial(_in_file, function, folder), *zip(*jobs))]
    else:
        yield lambda function, jobs: [function(*job) for job in jobs]


@contextmanager
def _processes(workers: int) -> Iterator[tuple[ProcessPoolExecutor, str]]:
    """Local worker processes tied to this one (tether.py), and the folder where they leave their results."""
    with ProcessPoolExecutor(workers, mp_context=worker_context(), initializer=tether.worker,
                             initargs=(os.getpid(),)) as processes, \
            tempfile.TemporaryDirectory(prefix="sim-results-") as folder:
        yield processes, folder


@contextmanager
def _client(run_settings, workers: int):
    """A client of the scheduler at run.scheduler, or of a local cluster of `workers` processes started here."""
    from distributed import Client, LocalCluster

    cluster = None if run_settings.scheduler else LocalCluster(n_workers=workers, threads_per_worker=1,
                                                               processes=True, dashboard_address=None)
    try:
        with Client(run_settings.scheduler or cluster) as client:
            yield client
    finally:
        if cluster is not None:
            cluster.close()


def _threads(function: Callable, jobs: list[tuple], workers: int) -> Iterator[tuple[int, Any]]:
    """The jobs on `workers` threads of this process; a run stopped early waits only for the blocks
    already begun."""
    threads = ThreadPoolExecutor(workers, thread_name_prefix="sim-block")
    try:
        yield from _window(list(enumerate(jobs)), lambda job: threads.submit(function, *job), 2 * workers,
                           _first_done)
    finally:
        threads.shutdown(wait=True, cancel_futures=True)


def _local(function: Callable, jobs: list[tuple], workers: int) -> Iterator[tuple[int, Any]]:
    """The jobs on local worker processes tied to this one (tether.py). When a worker dies, the jobs not
    yet done run once more on new workers; a second death is a MachineFault."""
    left = dict(enumerate(jobs))
    for attempt in (1, 2):
        try:
            with _processes(min(workers, len(left))) as (processes, folder):
                for index, path in _window(list(left.items()),
                                           lambda job: processes.submit(_in_file, function, folder, *job),
                                           2 * workers, _first_done):
                    del left[index]
                    yield index, _taken(path)
            return
        except (BrokenProcessPool, OSError) as exc:
            if isinstance(exc, OSError) and exc.errno != errno.EBADF:  # EBADF: the pool broke while starting a
                raise  # worker and closed its pipes under it (CPython issue 84176), a worker's death too
            if attempt == 2:
                raise MachineFault(f"a worker process died twice (killed, or out of memory?); {KEPT}") from None
            note(f"a worker process died: the {len(left)} unfinished jobs run again on new workers")


def _first_done(pending: set) -> set:
    """The local futures among `pending` that are done, once at least one is."""
    return wait(pending, return_when=FIRST_COMPLETED).done


def _in_file(function: Callable, folder: str, *job) -> str:
    """function(*job) in a worker, its result pickled to a file in `folder`; the file's path. Results cross
    the workers' pipe as a path of a few bytes: a pipe write of at most PIPE_BUF bytes is atomic, so a worker
    killed while it reports cannot leave half a message, which would hang the pool's reader for ever."""
    result = function(*job)
    fd, path = tempfile.mkstemp(dir=folder, suffix=".pkl")
    with os.fdopen(fd, "wb") as out:
        pickle.dump(result, out, protocol=pickle.HIGHEST_PROTOCOL)
    return path


def _taken(path: str) -> Any:
    """The result a worker left in `path`, read once and removed."""
    with open(path, "rb") as result:
        value = pickle.load(result)
    os.unlink(path)
    return value


def worker_context() -> multiprocessing.context.BaseContext:
    """Local worker processes forked from a server that has imported the engine once (forkserver:
    nothing inherited from the parent but the arguments, and no import cost per worker)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["sim.run.executors"])
    return context


def _dask(function: Callable, jobs: list[tuple], run_settings, workers: int) -> Iterator[tuple[int, Any]]:
    """The jobs on a Dask cluster: the scheduler at run.scheduler, or a local one started here."""
    from distributed import KilledWorker, wait as dask_wait

    with _client(run_settings, workers) as client:
        try:
            slots = 2 * sum(client.nthreads().values())
            yield from _window(list(enumerate(jobs)), lambda job: client.submit(function, *job, pure=False), slots,
                               lambda pending: dask_wait(pending, return_when="FIRST_COMPLETED").done)
        except KilledWorker:
            raise MachineFault(f"Dask workers kept dying on a job (killed, or out of memory?); {KEPT}") from None


def _window(jobs: list[tuple[int, tuple]], submit, slots: int, finished) -> Iterator[tuple[int, Any]]:
    """Submit (index, job) pairs keeping at most `slots` in flight; yield (index, result) as each finishes."""
    queue, pending = list(reversed(jobs)), {}
    while queue or pending:
        while queue and len(pending) < slots:
            index, job = queue.pop()
            pending[submit(job)] = index
        for future in finished(set(pending)):
            yield pending.pop(future), future.result()
