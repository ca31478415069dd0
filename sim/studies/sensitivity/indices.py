"""Sampling designs and sensitivity indices through SALib, laid out as (M, N, D) matrices.

Sobol: Saltelli's design without second order (M = D + 2 matrices A, AB_1 … AB_D, B of N base
rows) and Jansen/Saltelli 2010 first- and total-order estimators with bootstrap intervals.
A and B are independent uniform draws, not a scrambled Sobol' sequence: the bootstrap treats
base rows as independent, and with 2D = 22 dimensions and N = 1024 the scrambled sequence
scattered small first-order indices across seeds three times wider than its intervals said
(experiments/sensitivity/README.md). Morris: N one-at-a-time trajectories of D + 1 steps on a
grid. Both work on the unit cube; the study maps it to parameter values (config.Space.values).
Random numbers and SALib's seeds come from rng.py.
"""

from __future__ import annotations

import numpy as np
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import morris as morris_sample

from ... import rng


def _seed(root: int, purpose: str) -> int:
    return int(rng.stream(root, 0, f"sensitivity:{purpose}").integers(2**31))


def sobol_design(problem: dict, n: int, seed: int) -> np.ndarray:
    """(D + 2, N, D): A, AB_1 … AB_D, B; AB_i is A with column i taken from B."""
    d = problem["num_vars"]
    generator = rng.stream(seed, 0, "sensitivity:sobol-design")
    a, b = generator.random((n, d)), generator.random((n, d))
    ab = np.repeat(a[None], d, axis=0)
    for i in range(d):
        ab[i, :, i] = b[:, i]
    return np.concatenate([a[None], ab, b[None]])


def sobol_indices(problem: dict, y: np.ndarray, bootstrap: int, confidence: float, seed: int) -> dict:
    """First and total order indices with their interval half-widths, from outputs y (D + 2, N)."""
    result = sobol_analyze.analyze(problem, np.ascontiguousarray(y.T).ravel(), calc_second_order=False,
                                   num_resamples=bootstrap, conf_level=confidence,
                                   seed=_seed(seed, "sobol-bootstrap"))
    return {k: np.asarray(result[k]) for k in ("S1", "S1_conf", "ST", "ST_conf")}


def morris_design(problem: dict, trajectories: int, levels: int, seed: int) -> np.ndarray:
    """(D + 1, N, D): step s of each of N Morris trajectories on a `levels`-point grid."""
    d = problem["num_vars"]
    x = morris_sample.sample(problem, trajectories, num_levels=levels, seed=_seed(seed, "morris-design"))
    return x.reshape(trajectories, d + 1, d).transpose(1, 0, 2)


def morris_indices(problem: dict, unit: np.ndarray, y: np.ndarray, levels: int, bootstrap: int,
                   confidence: float, seed: int) -> dict:
    """μ* (with interval half-width) and σ of the elementary effects, per unit of the input's range."""
    d = problem["num_vars"]
    x = unit.transpose(1, 0, 2).reshape(-1, d)
    result = morris_analyze.analyze(problem, x, np.ascontiguousarray(y.T).ravel(), num_resamples=bootstrap,
                                    conf_level=confidence, num_levels=levels, seed=_seed(seed, "morris-bootstrap"))
    return {k: np.asarray(result[k], dtype=float) for k in ("mu_star", "mu_star_conf", "sigma")}


def noise_share(mean: np.ndarray, noise_var: np.ndarray) -> float:
    """Share of the variance of the analysed output (point means) that is Monte Carlo noise.

    Over independent points: E[Var(mean | θ)] / Var(mean), with Var(mean | θ) = s²(θ)/R.
    """
    total = float(np.var(mean, ddof=1))
    return float(np.mean(noise_var)) / total if total > 0 else 0.0


def agreement(a: dict, b: dict) -> dict:
    """How two estimates of the first-order indices (e.g. two seeds) agree, given their intervals.

    `overlap`: the two intervals overlap (|a − b| ≤ ca + cb); `difference`: the difference is
    within the interval of the difference (|a − b| ≤ √(ca² + cb²)), which fails ~5 % of the time
    by chance alone.
    """
    gap = np.abs(a["S1"] - b["S1"])
    return {
        "indices": int(gap.size),
        "overlap": int(np.sum(gap <= a["S1_conf"] + b["S1_conf"])),
        "difference": int(np.sum(gap <= np.hypot(a["S1_conf"], b["S1_conf"]))),
        "max_gap": float(gap.max()),
    }
