"""`python -m sim.bench`: the engine against the floor of drawing its random numbers, and how runs scale.

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
The figure goes to --figure. `--design` measures the sensitivity design instead.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np

from . import engine, kernel, rng
from .app import compose, prepare


def draw_floor(spec, seed: int, n: int) -> None:
    """Only the random numbers the engine's monthly steps draw, drawn the same way (kernel.draw_only)."""
    generator = rng.stream(seed, 0, "dynamics")
    for _ in range(spec.months - 1):
        kernel.draw_only(generator, len(spec.tracks), n)


def numpy_floor(spec, seed: int, n: int) -> None:
    """The same random numbers from numpy's bulk calls, for comparison: the floor the engine had
    while it drew them that way."""
    generator = rng.stream(seed, 0, "dynamics")
    normals, uniforms = np.empty((len(spec.tracks) + 3, n)), np.empty((len(kernel.EVENTS), n))
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


def measure(n: int, repeats: int, overrides: list[str]) -> dict:
    """Engine with and without the calendar against the floor, on one block of n trajectories."""
    spec, seed, _ = prepare(compose(overrides))
    steps = n * (spec.months - 1)
    best = _best({"engine": lambda: engine.run_block(spec, seed, 0, n),
                  "engine_without_calendar": lambda: engine.run_block(spec, seed, 0, n, calendar=False),
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
        import psutil

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


def point(trajectories: int, workers: int, overrides: list[str]) -> dict:
    """One whole run in this process (results in memory, nothing written): time and peak memory."""
    from . import summary
    from .app import simulate_spec

    spec, seed, config_yaml = prepare(compose([f"run.trajectories={trajectories}", f"run.workers={workers}",
                                               *overrides]))
    with Usage() as usage:
        start = time.perf_counter()
        simulate_spec(spec, seed, config_yaml)
        seconds = time.perf_counter() - start
    steps = trajectories * (spec.months - 1)
    return {
        "trajectories": trajectories, "months": spec.months - 1, "workers": workers,
        "summary_mode": summary.chosen(spec.run), "block_size": spec.run.block_size, "seconds": seconds,
        "ns_per_trajectory_month": 1e9 * seconds / steps,
        "cpu_ns_per_trajectory_month": 1e9 * (sum(usage.cpu.values()) - usage.cpu_before) / steps,
        "peak_mib": usage.peak / 2**20,  # all processes of the run together
        "peak_main_rss_mib": usage.own / 2**20,
    }


def in_fresh_process(trajectories: int, workers: int, overrides: list[str]) -> dict:
    out = subprocess.run([sys.executable, "-m", "sim.bench", "--point", str(trajectories), str(workers),
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


def design_throughput(overrides: list[str], points: int = 1024, single: int = 128) -> dict:
    """The default sensitivity design's parameter points per second as one ensemble, against the
    engine called once per point with the same work (sim/sensitivity/throughput.py)."""
    from omegaconf import OmegaConf

    from .sensitivity import throughput

    cfg = OmegaConf.to_container(compose(["+sensitivity=default", *overrides]), resolve=True)
    return throughput.measure(cfg, points, single)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m sim.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--trajectories", type=int, help="trajectories in the measured block (default run.block_size)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--scale-to", type=float, default=1e6, help="largest run of the scaling in trajectories")
    parser.add_argument("--parallel-trajectories", type=int, default=2_000_000,
                        help="size of the run timed on 1 and on all cores (big enough that the workers' "
                             "start-up, about two seconds, does not count)")
    parser.add_argument("--figure", type=Path, default=Path("outputs/bench/bench.png"))
    parser.add_argument("--engine-only", action="store_true", help="only the engine against the floor")
    parser.add_argument("--design", action="store_true",
                        help="instead: sensitivity design as one ensemble vs the engine once per point")
    parser.add_argument("--point", nargs=2, type=int, metavar=("TRAJECTORIES", "WORKERS"), help=argparse.SUPPRESS)
    parser.add_argument("overrides", nargs="*", help="config overrides, e.g. run.end=2031-12")
    args = parser.parse_args()
    if args.point:
        print(json.dumps(point(*args.point, args.overrides)))
        return
    if args.design:
        print(json.dumps(design_throughput(args.overrides), indent=2))
        return
    n = args.trajectories or prepare(compose(args.overrides))[0].run.block_size
    result = {"engine": measure(n, args.repeats, args.overrides)}
    if not args.engine_only:
        sizes = [int(10**e) for e in np.arange(4, np.log10(args.scale_to) + 0.01)]
        result["months"] = months_scaling(n, max(args.repeats // 2, 1), ["2026-12", "2031-12", "2041-12", "2061-12"],
                                          args.overrides)
        result["trajectories"] = trajectories_scaling(sizes, 1, args.overrides)
        result["parallel"] = parallel(args.parallel_trajectories, args.overrides)
        from .bench_plots import bench_figure

        result["figure"] = str(bench_figure(result, args.figure))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
