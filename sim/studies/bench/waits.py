"""Where users wait, each as a ratio to a reference measured in the same call (a shared machine's
absolute times drift):
- everyday: the baseline run end to end (`python -m sim`, compiled, its filtered start read from the
  cache the first run wrote: run/start_cache.py) against importing its libraries, each in a fresh
  process, with the first run on empty caches against a warm run and the compile alone (`python -m sim
  --warm-up` on an empty compile cache, less the same on a full one);
- api: the Python API's per-call cost for a pre-built model (sim.Model.run) less the engine's time
  for the same trajectories;
- workers: automatic workers and two workers against one on whole runs, each in a fresh process;
- reduction: summary mode's reduction of one block against simulating it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time

import numpy as np

from ...api import Model
from ...config.compose import compose, prepare
from ...model import engine
from ...results import counts
from ...run import ensemble
from . import measure

KEY = "model.events.step.effect"  # a model key the API's calls set, one value per trajectory


def _seconds(args: list[str], env: dict | None = None) -> float:
    """Wall time of `python ARGS` in a fresh process (it must succeed)."""
    start = time.perf_counter()
    subprocess.run([sys.executable, *args], check=True, capture_output=True, env={**os.environ, **(env or {})})
    return time.perf_counter() - start


def everyday(overrides: list[str]) -> dict:
    """The baseline run against importing its libraries, and the first run on empty caches."""
    with tempfile.TemporaryDirectory() as first, tempfile.TemporaryDirectory() as other:
        run = ["-m", "sim", "--out", f"{first}/run", "--force", *overrides]
        cold = {"NUMBA_CACHE_DIR": f"{first}/cache", "SIM_CACHE_DIR": f"{first}/starts"}
        first_run = _seconds(run, cold)  # compiles into an empty cache and filters the record
        warm_run = min(_seconds(run, cold) for _ in range(2))
        imports = min(_seconds(["-c", "import sim.cli, sim.app"]) for _ in range(3))
        warm_up = ["-m", "sim", "--warm-up", *overrides]
        compiled, loaded = ({"NUMBA_CACHE_DIR": cache, "SIM_CACHE_DIR": f"{other}/{name}"}  # both filter
                            for name, cache in (("compiled", f"{other}/cache"), ("loaded", f"{first}/cache")))
        compile_seconds = _seconds(warm_up, compiled) - _seconds(warm_up, loaded)
    return {"import_seconds": imports, "warm_run_seconds": warm_run, "first_run_seconds": first_run,
            "compile_seconds": compile_seconds,
            "warm_run_over_import": warm_run / imports,
            "first_run_less_compile_over_warm_run": (first_run - compile_seconds) / warm_run,
            "first_run_over_warm_run_plus_compile": first_run / (warm_run + compile_seconds)}


def api(overrides: list[str], trajectories: int = 1, repeats: int = 20) -> dict:
    """sim.Model.run with one value per trajectory at KEY, against the engine on the same block, best of
    interleaved repeats; and sim.simulate (compose and validate per call) of model=reference, for scale."""
    model = Model(overrides)
    value = model.spec.config["model"]["events"]["step"]["effect"]
    values = {KEY: np.full(trajectories, value)}
    model.run(values, trajectories)  # the filter's start for the seed, once
    spec = prepare(compose([*overrides, f"run.trajectories={trajectories}"]))[0]
    origin = model._start[1].block(model.seed, 0, trajectories)[0] if ensemble.tied_to_record(spec) else None
    blocks = engine.block_specs(spec, values)
    best = measure._best({"call": lambda: model.run(values, trajectories),
                          "engine": lambda: engine.run_block(blocks[0][0], model.seed, 0, trajectories, origin=origin),
                          "simulate": lambda: Model(["model=reference", "run.trajectories=1"]).run()},
                         repeats)
    return {"trajectories": trajectories, "call_ms": 1e3 * best["call"], "engine_ms": 1e3 * best["engine"],
            "overhead_ms": 1e3 * (best["call"] - best["engine"]),
            "simulate_reference_ms": 1e3 * best["simulate"]}


def workers(overrides: list[str], sizes: tuple[int, int] = (400_000, 100_000)) -> dict:
    """Automatic workers (run.workers=null) against one at sizes[0], and two against one at sizes[1]."""
    big, small = sizes
    one = measure.in_fresh_process(big, 1, overrides)["seconds"]
    automatic = measure.in_fresh_process(big, None, overrides)["seconds"]
    small_one = measure.in_fresh_process(small, 1, overrides)["seconds"]
    small_two = measure.in_fresh_process(small, 2, overrides)["seconds"]
    return {"trajectories": big, "automatic_seconds": automatic, "one_seconds": one,
            "automatic_over_one": automatic / one,
            "small_trajectories": small, "two_seconds": small_two, "small_one_seconds": small_one,
            "two_speedup": small_one / small_two}


def reduction(overrides: list[str], repeats: int = 3) -> dict:
    """Summary mode's reduction of one block (results/counts.py) against simulating that block."""
    spec, seed, _ = prepare(compose(["run.summary=true", *overrides]))
    n = spec.run.block_size
    origin = measure.first_origin(spec, seed, n)
    kept = counts.sample(spec, seed)
    block = engine.run_block(spec, seed, 0, n, origin=origin).arrays(0)
    best = measure._best({
        "simulate": lambda: engine.run_block(spec, seed, 0, n, origin=origin),
        "reduce": lambda: counts.reduce(spec, block["levels"], block["counts"], block["event_month"], block["log"],
                                        0, kept)}, repeats)
    return {"trajectories": n, "months": spec.months - 1, "simulate_seconds": best["simulate"],
            "reduce_seconds": best["reduce"], "reduce_over_simulate": best["reduce"] / best["simulate"]}
