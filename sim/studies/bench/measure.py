"""The benchmark: the engine against the floor of drawing its random numbers, and how runs scale.

Figures, all measured on this machine and printed as JSON (ratios are the numbers to watch, since
a shared machine's absolute times drift):
- engine: one block of the default model with and without the calendar, against drawing the
  same random numbers the same way without any model (the floor) and against numpy's bulk
  calls for them, best of several interleaved repeats;
- months: the same against the length of the window;
- trajectories: whole runs from 10^4 up to --scale-to (summary mode above run.summary_above),
  each in a fresh process so its peak memory is its own, with the marginal cost per
  trajectory-month between consecutive sizes;
- parallel: a summary-mode run of --parallel-trajectories on 1 and on all cores, and the speed-up.
`design_throughput` measures the sensitivity design instead.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import threading
import time

import numpy as np
import psutil

from ... import months, rng
from ...config.compose import compose, prepare, settled
from ...inference import filter as particle_filter
from ...model import engine, kernel
from ...model.dynamics import Dynamics
from ...model.state import initial_state
from ...record import derived
from ...results import counts
from ...run import ensemble, executors
from ..sensitivity import throughput


def draws(spec) -> tuple[int, int]:
    """The normals and uniforms the model's monthly step draws per trajectory."""
    dynamics = Dynamics(spec.model, initial_state(spec.model, 1, spec.months), rng.stream(0, 0, "draws"))
    return dynamics.noises, len(dynamics.rates.rows[0])


def draw_floor(spec, seed: int, n: int) -> None:
    """Only the random numbers the engine's monthly steps draw, drawn the same way (kernel.draw_only)."""
    generator = rng.stream(seed, 0, "dynamics")
    noises, events = draws(spec)
    for _ in range(spec.months - 1):
        kernel.draw_only(generator, noises, events, n)


def numpy_floor(spec, seed: int, n: int) -> None:
    """The same random numbers from numpy's bulk calls, for comparison: the floor the engine had
    while it drew them that way."""
    generator = rng.stream(seed, 0, "dynamics")
    noises, events = draws(spec)
    normals, uniforms = np.empty((noises, n)), np.empty((events, n))
    for _ in range(spec.months - 1):
        generator.standard_normal(out=normals)
        generator.random(out=uniforms)


def _best(fns: dict, repeats: int) -> dict[str, float]:
    """Best time of each function over `repeats` rounds, the functions interleaved within a round,
    after an untimed round that compiles or loads the compiled code they use."""
    for fn in fns.values():
        fn()
    times = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: min(t) for name, t in times.items()}


def first_origin(spec, seed: int, n: int):
    """Where the n trajectories of a run's first block begin, as the run makes it (the record filtered up to
    the start), or None for a model that starts from its initial values."""
    return ensemble.start(spec, seed).block(seed, 0, n)[0] if ensemble.tied_to_record(spec) else None


def measure(n: int, repeats: int, overrides: list[str]) -> dict:
    """Engine with and without the calendar against the floor, on one block of n trajectories."""
    spec, seed, _ = prepare(compose(overrides))
    steps = n * (spec.months - 1)
    origin = first_origin(spec, seed, n)
    best = _best({"engine": lambda: engine.run_block(spec, seed, 0, n, origin=origin),
                  "engine_without_calendar": lambda: engine.run_block(spec, seed, 0, n, calendar=False, origin=origin),
                  "floor": lambda: draw_floor(spec, seed, n),
                  "numpy_floor": lambda: numpy_floor(spec, seed, n)}, repeats)
    return {
        "trajectories": n,
        "months": spec.months - 1,
        **{f"{name}_ns_per_step": 1e9 * t / steps for name, t in best.items()},
        "engine_over_floor": best["engine"] / best["floor"],
        "engine_without_calendar_over_floor": best["engine_without_calendar"] / best["floor"],
        "engine_over_numpy_floor": best["engine"] / best["numpy_floor"],
    }


def months_scaling(n: int, repeats: int, ends: list[str], overrides: list[str]) -> list[dict]:
    return [{"end": end, **measure(n, repeats, [*overrides, f"run.end={end}"])} for end in ends]


class Usage:
    """Peak memory and CPU time of this process and all its descendants (worker processes)
    together, sampled every 0.5 s on a thread while the `with` block runs (reading PSS costs CPU;
    a block holds its memory longer than that). Memory is the sum of their proportional set sizes
    (PSS), so libraries the processes share count once; CPU time is what a shared machine's
    other load does not inflate, unlike wall time."""

    def __enter__(self) -> "Usage":
        self.peak, self.cpu, self.done = 0, {}, threading.Event()
        me = psutil.Process()
        before = me.cpu_times()
        self.cpu_before = before.user + before.system  # this process's CPU time before the run

        def sample() -> None:
            while not self.done.wait(0.5):
                total = 0
                for process in [me, *me.children(recursive=True)]:
                    try:
                        total += process.memory_full_info().pss
                        times = process.cpu_times()
                        self.cpu[process.pid] = times.user + times.system
                    except psutil.Error:
                        pass  # a worker that ended between listing and reading
                self.peak = max(self.peak, total)

        self.thread = threading.Thread(target=sample, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.done.set()
        self.thread.join()
        self.own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


def point(trajectories: int, workers: int | None, overrides: list[str]) -> dict:
    """One whole run in this process (results in memory, nothing written): time and peak memory; workers
    None (or 0): automatic."""

    spec, seed, config_yaml = prepare(compose([f"run.trajectories={trajectories}",
                                               f"run.workers={workers or 'null'}", *overrides]))
    with Usage() as usage:
        start = time.perf_counter()
        ensemble.simulate(spec, seed, config_yaml)
        seconds = time.perf_counter() - start
    steps = trajectories * (spec.months - 1)
    alone = engine_alone(spec, seed)
    return {
        "trajectories": trajectories, "months": spec.months - 1, "workers": workers,
        "summary_mode": counts.chosen(spec.run), "block_size": spec.run.block_size, "seconds": seconds,
        "ns_per_trajectory_month": 1e9 * seconds / steps,
        "engine_alone_ns_per_trajectory_month": 1e9 * alone,
        "over_engine_alone": seconds / (alone * steps / executors.worker_count(spec.run, steps)),
        "cpu_ns_per_trajectory_month": 1e9 * (sum(usage.cpu.values()) - usage.cpu_before) / steps,
        "peak_mib": usage.peak / 2**20,  # all processes of the run together
        "peak_main_rss_mib": usage.own / 2**20,
    }


def engine_alone(spec, seed: int, blocks: int = 3) -> float:
    """Seconds per trajectory-month of the engine alone on the run's first blocks, each made as the run makes it
    (its futures' starting state and parameter values) and simulated on one core, without the reduction or
    anything else a run does: the best of `blocks` blocks."""
    jobs = ensemble.block_jobs(spec, seed, ensemble.start(spec, seed) if ensemble.tied_to_record(spec) else None)
    best = np.inf
    for job in jobs[:blocks]:
        begun = time.perf_counter()
        block_spec, origin = executors.made(job)
        engine.run_block(block_spec, seed, job.block, job.n, origin=origin)
        best = min(best, (time.perf_counter() - begun) / (job.n * (spec.months - 1)))
    return best


def in_fresh_process(trajectories: int, workers: int | None, overrides: list[str]) -> dict:
    out = subprocess.run([sys.executable, "-m", "sim.bench", "--point", str(trajectories), str(workers or 0),
                          *overrides], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def trajectories_scaling(sizes: list[int], workers: int, overrides: list[str]) -> list[dict]:
    """Whole runs of growing size; from the second on, also the marginal cost per trajectory-month
    over the previous size, which leaves out what every run pays once (start-up, compiled code)."""
    rows = []
    for n in sizes:
        rows.append(in_fresh_process(n, workers, overrides))
        if len(rows) > 1:
            before, now = rows[-2], rows[-1]
            added = (now["trajectories"] - before["trajectories"]) * now["months"]
            now["marginal_ns_per_trajectory_month"] = 1e9 * (now["seconds"] - before["seconds"]) / added
        print(json.dumps(rows[-1]), file=sys.stderr)
    return rows


def parallel(trajectories: int, overrides: list[str]) -> dict:
    cores = os.cpu_count() or 1
    one = in_fresh_process(trajectories, 1, ["run.summary=true", *overrides])
    many = in_fresh_process(trajectories, cores, ["run.summary=true", *overrides])
    return {"trajectories": trajectories, "cores": cores, "seconds_one": one["seconds"],
            "seconds_all": many["seconds"], "speedup": one["seconds"] / many["seconds"]}


def filter_cost(particles: int, overrides: list[str]) -> dict:
    """The filter over the whole record with `particles` particles, against simulating the same
    trajectory-months with the engine alone (the same model, from the filtered state, no record)."""
    spec, seed, _ = prepare(compose(overrides))
    record = derived.load()
    end = derived.end_month(*record)
    start = time.perf_counter()
    filtered = particle_filter.run(spec.model, record, end, particles, seed)
    seconds = time.perf_counter() - start
    plain = prepare(compose([*overrides, f"run.end={months.text(spec.run.start + filtered.ess.size)}"]))[0]
    origin = filtered.origin(filtered.picks(particles, rng.stream(seed, 0, "origin")))
    start = time.perf_counter()
    engine.run_block(plain, seed, 0, particles, calendar=False, origin=origin)
    simulated = time.perf_counter() - start
    steps = particles * filtered.ess.size
    return {"particles": particles, "months": int(filtered.ess.size), "filter_seconds": seconds,
            "simulate_seconds": simulated, "filter_over_simulate": seconds / simulated,
            "filter_ns_per_particle_month": 1e9 * seconds / steps, "ess_min": float(filtered.ess.min())}


def design_throughput(overrides: list[str], points: int = 1024, single: int = 128) -> dict:
    """The default sensitivity design's parameter points per second as one ensemble, against the
    engine called once per point with the same work (sim/sensitivity/throughput.py)."""

    cfg = settled(compose(["+sensitivity=default", *overrides]))
    return throughput.measure(cfg, points, single)
