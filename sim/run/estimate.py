"""What a run will cost, said before it starts: about how long and how much memory.

The figures were measured for the default model (tied to the record) on a 2-core machine and are scaled
by trajectories × months, workers and particles: a summary-mode run costs about 750 ns per
trajectory-month on each worker (10^7 futures over 20 years on 2 threads: 885 s, 0.8 GB); a run that
keeps every path about 1.4 µs, mostly its analysis in one process (10^5 futures: 41 s, 1.9 GB); the
filter of a model tied to the record about 700 ns and 1.2 kB per particle and month of the record. A
process with the engine loaded holds about 0.3 GB, a worker process 0.15 GB more, a block 100 bytes
per trajectory-month and every path kept 60 bytes. A summary run needs no memory per future: each block
makes its trajectories' starting state and parameter values where it runs (executors.work). Another
machine or model may differ: the figures are said as "about" (README, "Reproducibility and speed").
"""

from __future__ import annotations

from typing import NamedTuple

import psutil

from ..config.validate import RunSpec
from ..errors import UsageError
from ..results import counts
from .ensemble import tied_to_record
from .executors import worker_count
from .progress import note

GB = 1e9
SUMMARY_NS, FULL_NS = 750, 1400      # seconds per trajectory-month × 1e9: per worker, and of a full run
FILTER_NS, PARTICLE = 700, 1200        # the filter's seconds × 1e9 per particle-month, and bytes per particle
PROCESS, WORKER = 0.3 * GB, 0.15 * GB  # bytes of a process with the engine, and of each worker process beside it
BLOCK, PATH = 100, 60                  # bytes per trajectory-month of a block in work, and of a path kept
SAY_ABOVE = (60, 2**30)               # seconds and bytes above which the estimate is said


class Cost(NamedTuple):
    seconds: float
    bytes: float
    workers: int
    summary: bool


def cost(spec: RunSpec) -> Cost:
    """About how long a run takes and how much memory it needs on this machine."""
    n, months = spec.run.trajectories, spec.months
    workers = worker_count(spec.run, n * (months - 1))
    summary = counts.chosen(spec.run)
    block = BLOCK * min(n, spec.run.block_size) * months
    processes = workers if workers > 1 and spec.run.executor != "threads" else 0  # each with its own kernel
    memory = PROCESS + workers * block + processes * WORKER + (0 if summary else PATH * n * months)
    seconds = n * (months - 1) * (SUMMARY_NS / workers if summary else FULL_NS) / 1e9
    if tied_to_record(spec):  # the record filtered up to the start, in this process
        particles = spec.run.particles
        seconds += particles * (spec.run.start - spec.model.record.start + 1) * FILTER_NS / 1e9
        memory = max(memory, PROCESS + particles * PARTICLE)
    return Cost(seconds, memory, workers, summary)


def check(spec: RunSpec) -> Cost:
    """The run's cost; a run that keeps every path and cannot fit in the memory available is refused (a
    summary run needs the memory of its blocks, whatever its number of futures)."""
    c = cost(spec)
    available = psutil.virtual_memory().available
    if c.summary or c.bytes <= available:
        return c
    raise UsageError(f"keeping every path of {spec.run.trajectories:,} futures × {spec.months} months needs "
                     f"about {_size(c.bytes)} of memory, more than the {_size(available)} available: add "
                     "run.summary=true (counts and quantile bands of every future, sampled paths; the same "
                     "probabilities), or run fewer trajectories")


def announce(spec: RunSpec) -> None:
    """Refuse a run that cannot fit (check); say the cost of one that takes over a minute or 1 GiB (not on a
    Dask cluster's scheduler, whose workers this process does not know)."""
    c = check(spec)
    if not spec.run.scheduler and (c.seconds > SAY_ABOVE[0] or c.bytes > SAY_ABOVE[1]):
        mode = ", summary mode" if c.summary else ", every path kept"
        note(f"this run will take about {_duration(c.seconds)} on {c.workers} worker{'s' * (c.workers > 1)} and "
             f"need about {_size(c.bytes)} of memory ({spec.run.trajectories:,} futures × {spec.months} months{mode})")


def _duration(seconds: float) -> str:
    for unit, length in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= 1.5 * length:
            count = round(seconds / length)
            return f"{count} {unit}s"
    return f"{max(1, round(seconds))} seconds"


def _size(nbytes: float) -> str:
    return f"{nbytes / GB:,.1f} GB"
