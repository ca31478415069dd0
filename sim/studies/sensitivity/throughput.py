"""Parameter points per second of a sensitivity design run as one vectorised ensemble, against
calling the engine once per point with the same work (reported by `python -m sim.bench --design`).

Both sides run the same points (the first rows of the study's Sobol' design), the same
replications, window and start, on one process, and reduce every block to the same outcomes.
"""

from __future__ import annotations

import time

import numpy as np

from ...config.validate import from_config
from ...model import engine
from . import config, ensemble, indices


def measure(cfg: dict, points: int, single: int) -> dict:
    """Points per second both ways: `points` points vectorised, the first `single` of them one call each."""
    cfg = {**cfg, "run": {**cfg["run"], "workers": 1}}
    spec, settings, space = config.load(cfg)
    seed, r = spec.run.seed or 0, settings.replications
    origins = ensemble.starts(spec, seed, r)
    unit = indices.sobol_design(space.problem(), points, seed)[:1]  # (1, points, D)
    start = time.perf_counter()
    ensemble.evaluate(spec, space, unit, r, seed, settings.milestone, start=origins)
    vectorised = points / (time.perf_counter() - start)

    one = from_config({**cfg, "run": {**cfg["run"], "trajectories": r}})
    values = space.values(unit[0, :single])
    start = time.perf_counter()
    for point in values:
        design = space.design(cfg, np.repeat(point[None], r, axis=0))
        block_spec, n = engine.block_specs(one, design)[0]
        levels = engine.run_block(block_spec, seed, 0, n, origin=ensemble.origin_of(origins, 0, n)).levels
        ensemble.outcomes(one, levels, settings.milestone)  # weights and analysis are not in the design
    per_point = single / (time.perf_counter() - start)
    return {"replications": r, "points": points, "single_points": single, "vectorised_points_per_s": vectorised,
            "per_point_points_per_s": per_point, "ratio": vectorised / per_point}
