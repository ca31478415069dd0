"""A whole sampling design evaluated as one vectorised ensemble, with common random numbers.

Designs come as matrices of parameter points, shape (M, N, D): Saltelli's A, AB_1 … AB_D, B
(M = D + 2) or the D + 1 steps of N Morris trajectories. The estimators take differences
between the M points of one row (f(AB_i) − f(A), one Morris step), so those must share their
noise, while different rows should not, so that noise averages out across rows and shows up in
the bootstrap intervals instead of biasing every index the same way.

Layout. Each matrix is an ensemble of N·R trajectories: point n, replication r is trajectory
t = n·R + r, cut into blocks of run.block_size. With common random numbers every matrix uses
block indices 0, 1, …, so point (m, n, r) sits at the same block and position — hence draws the
same random numbers (rng.stream keys streams by block and purpose, and every draw has a fixed
shape per block) — for all m. Rows n ≠ n' sit at different positions: independent noise.
Without common random numbers, matrix m uses block indices offset by m × (blocks per matrix).

Start. A model tied to the record starts from the record filtered up to run.start, once, with the
model's point values (run.particles particles); `replications` particles are drawn by weight from
the seed alone, and replication r of every point starts from particle r. The start thus depends on
the replication only, like the random numbers, and common random numbers hold from the first month.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from ... import rng
from ...config.validate import RunSpec, from_config
from ...model import engine
from ...model.state import Origin
from ...results import measures
from ...run import ensemble as run_ensemble
from ...run import executors
from .config import Space

# The verdict's quantities (their means per point are what the indices explain), then the classes.
# P(uneven progress) is the thesis's own class: with P(progress) it gives P(setback | progress).
OUTPUTS = ("p_progress", "p_uneven", "setbacks", "delta_composite", "p_milestone")
OUTCOMES = (*OUTPUTS, *measures.CLASSES)


def outcomes(spec: RunSpec, levels: np.ndarray, milestone: str) -> dict[str, np.ndarray]:
    """Per-trajectory outcomes of one block's levels (months, tracks, n)."""
    a = spec.analysis
    composite = measures.composite(levels.transpose(2, 0, 1), spec.model.weights).astype(np.float64)
    delta_c = composite[:, -1] - composite[:, 0]
    setbacks = measures.setback_episodes(composite, a.epsilon, a.window_months)
    cls = measures.classify(delta_c, setbacks, a.delta)
    ms = getattr(a.milestones, milestone)
    series = composite if ms.track == "composite" else levels[:, spec.tracks.index(ms.track), :].T
    out = {
        "p_progress": cls <= 1,
        "p_uneven": cls == measures.CLASSES.index("uneven_progress"),
        "setbacks": setbacks,
        "delta_composite": delta_c,
        "p_milestone": measures.first_crossing(series, ms.threshold) >= 0,
    }
    out.update({name: cls == i for i, name in enumerate(measures.CLASSES)})
    return {k: np.asarray(v, dtype=np.float32) for k, v in out.items()}


def starts(spec: RunSpec, seed: int, replications: int) -> Origin | None:
    """Where each replication begins: for a model tied to the record, one particle per replication of
    the record filtered up to run.start with the model's point values; None for a model that starts
    from its initial values."""
    if not run_ensemble.tied_to_record(spec):
        return None
    filtered = run_ensemble.start(spec, seed).filtered
    return filtered.origin(filtered.picks(replications, rng.stream(seed, 0, "sensitivity:start")))


def origin_of(start: Origin | None, first: int, n: int) -> Origin | None:
    """The origin of trajectories first … first + n − 1: trajectory t = n·R + r begins at replication r's."""
    if start is None:
        return None
    r = np.arange(first, first + n) % start.transitioned.size
    return start._replace(y=start.y[:, r], c=start.c[:, r], drivers=start.drivers[:, r],
                          transitioned=start.transitioned[r])


def _run(spec: RunSpec, seed: int, block: int, n: int, milestone: str, origin: Origin | None) -> dict[str, np.ndarray]:
    return outcomes(spec, engine.run_block(spec, seed, block, n, origin=origin).levels, milestone)


def evaluate(spec: RunSpec, space: Space, unit: np.ndarray, replications: int, seed: int,
             milestone: str, common_random_numbers: bool = True, start: Origin | None = None) -> dict[str, np.ndarray]:
    """Outcomes (M, N, R) of every trajectory of the design `unit` (M, N, D) on the unit cube, each
    replication from its state in `start` (`starts`; None: the model's initial values).

    All matrices are validated before the first block runs; blocks run on the run's executor
    (run.workers local processes, or run.executor=dask).
    """
    m_count, n_points, _ = unit.shape
    config = dict(spec.config)
    config["run"] = {**config["run"], "trajectories": n_points * replications}
    matrix_spec = from_config(config)
    values = np.repeat(space.values(unit), replications, axis=1)  # (M, N·R, D): point-major
    if start is not None and start.transitioned.size != replications:
        raise ValueError(f"start: needs one state per replication ({replications})")
    jobs = []
    for m in range(m_count):
        blocks = engine.block_specs(matrix_spec, space.design(config, values[m]))
        offset = 0 if common_random_numbers else m * len(blocks)
        firsts = np.cumsum([0, *(n for _, n in blocks)])
        jobs += [(block_spec, seed, offset + b, n, milestone, origin_of(start, int(firsts[b]), n))
                 for b, (block_spec, n) in enumerate(blocks)]
    size = sum(job[3] for job in jobs) * (spec.months - 1)
    results = executors.map_in_order(_run, jobs, spec.run, size)
    per_matrix = len(jobs) // m_count
    return {
        name: np.stack([
            np.concatenate([r[name] for r in results[m * per_matrix:(m + 1) * per_matrix]])
            for m in range(m_count)
        ]).reshape(m_count, n_points, replications)
        for name in OUTCOMES
    }


def point_stats(values: np.ndarray) -> SimpleNamespace:
    """Means over replications (the analysed output) and the Monte Carlo variance of each mean."""
    r = values.shape[-1]
    values = values.astype(np.float64)
    return SimpleNamespace(mean=values.mean(axis=-1), noise_var=values.var(axis=-1, ddof=1) / r)
