"""`python -m sim.bench`: engine throughput against the floor of drawing its random numbers.

Both are measured in the same process on one block of the default model, best of several
repeats; the ratio engine/floor is the figure to watch (1.0 would be a free engine).
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from . import engine, rng
from .app import compose, prepare


def best_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def draw_floor(spec, seed: int, n: int) -> None:
    """Only the random numbers the engine's monthly step draws, with the same calls and shapes."""
    generator = rng.stream(seed, 0, "dynamics")
    normal_shape, uniform_shape = engine.draw_shape(len(spec.tracks), n)
    z, u = np.empty(normal_shape), np.empty(uniform_shape)
    for _ in range(spec.months - 1):
        generator.standard_normal(out=z)
        generator.random(out=u)


def measure(n: int, repeats: int, overrides: list[str]) -> dict:
    spec, seed, _ = prepare(compose(overrides))
    steps = n * (spec.months - 1)
    engine_s = best_time(lambda: engine.run_block(spec, seed, 0, n), repeats)
    floor_s = best_time(lambda: draw_floor(spec, seed, n), repeats)
    return {
        "trajectories": n,
        "months": spec.months - 1,
        "engine_steps_per_s": steps / engine_s,
        "floor_steps_per_s": steps / floor_s,
        "engine_over_floor": engine_s / floor_s,
        "engine_ns_per_step": 1e9 * engine_s / steps,
        "floor_ns_per_step": 1e9 * floor_s / steps,
    }


def design_throughput(overrides: list[str], points: int = 1024, single: int = 128) -> dict:
    """The default sensitivity design's parameter points per second as one ensemble, against the
    engine called once per point with the same work (sim/sensitivity/throughput.py)."""
    from omegaconf import OmegaConf

    from .sensitivity import throughput

    cfg = OmegaConf.to_container(compose(["+sensitivity=default", *overrides]), resolve=True)
    return throughput.measure(cfg, points, single)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m sim.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--trajectories", type=int, default=10_000, help="trajectories in the measured block")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--design", action="store_true",
                        help="instead: sensitivity design as one ensemble vs the engine once per point")
    parser.add_argument("overrides", nargs="*", help="config overrides, e.g. run.end=2031-12")
    args = parser.parse_args()
    result = design_throughput(args.overrides) if args.design else measure(args.trajectories, args.repeats, args.overrides)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
