"""Skill against the best baseline: per family of observables and per horizon, the mean score of the model and
of the best baseline (the one of lowest mean score there), the skill 1 − S_model / S_best, and its 95 % interval
from a circular block bootstrap over origins (Politis and Romano 1992). Forecasts from consecutive origins share
years, so their scores are dependent; blocks of consecutive origins keep that dependence in the resamples, and
wrapping the blocks around the end gives the first and last origins their full weight.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import baselines, scores
from .forecast import Forecast
from .observed import Observed

BLOCK = 3          # origins per bootstrap block: a five-year horizon overlaps the next origins' forecasts
REPLICATES = 2000


def compare(points: pd.DataFrame, by: str, generator: np.random.Generator | None = None, block: int = BLOCK,
            replicates: int = REPLICATES) -> pd.DataFrame:
    """One row per family, score and value of `by` (e.g. horizon): points, origins, the model's mean score, the
    best baseline and its mean score, the skill, and with a generator its bootstrap interval (low, high)."""
    rows = []
    for family, chosen, names in scores.families(points):
        for score in names:
            others = scores.baselines_of(chosen, score)
            for key, group in chosen.groupby(by):
                means = {name: group[f"{score}:{name}"].mean() for name in others}
                best = min(means, key=means.get)
                row = {"family": family, "score": score, by: key, "points": len(group),
                       "origins": group["origin"].nunique(), "model": group[f"{score}:model"].mean(),
                       "best_baseline": best, "baseline": means[best]}
                row["skill"] = skill(row["model"], row["baseline"])
                if generator is not None:
                    sums = group.groupby("origin")[[f"{score}:model", f"{score}:{best}"]].sum().to_numpy()
                    row["low"], row["high"] = interval(sums, generator, block, replicates)
                rows.append(row)
    return pd.DataFrame(rows)


def skill(model: np.ndarray | float, baseline: np.ndarray | float) -> np.ndarray | float:
    """1 − model / baseline: 0 for no gain over the baseline, 1 for a perfect forecast, negative for a worse one."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return 1 - np.asarray(model, float) / baseline


def interval(sums: np.ndarray, generator: np.random.Generator, block: int = BLOCK, replicates: int = REPLICATES,
             level: float = 0.95) -> tuple[float, float]:
    """The skill's central `level` interval from the scores summed per origin (origins in order, 2: model and
    baseline): origins resampled in circular blocks and the ratio of the sums recomputed."""
    resampled = sums[block_indices(len(sums), block, replicates, generator)].sum(axis=1)
    low, high = np.nanquantile(skill(resampled[:, 0], resampled[:, 1]), [(1 - level) / 2, (1 + level) / 2])
    return float(low), float(high)


def block_indices(n: int, block: int, replicates: int, generator: np.random.Generator) -> np.ndarray:
    """(replicates, n) positions of a circular block bootstrap: blocks of `block` consecutive positions, wrapped
    past the last to the first, with uniformly drawn starts, joined and cut to n. Every position is drawn
    equally often; unwrapped (moving) blocks draw the first and last a `block`-th as often as the middle."""
    block = min(block, n)
    starts = generator.integers(0, n, size=(replicates, -(-n // block)))
    return ((starts[..., None] + np.arange(block)) % n).reshape(replicates, -1)[:, :n]


def split_sample(forecast: Forecast, observed: Observed, samples: int, generator: np.random.Generator) -> pd.DataFrame:
    """A single forecast (say made at 2011 by the model fitted to the record before it) against the baselines
    made at the same origin, year by year: `compare` by year, without an interval, as there is one origin."""
    made = baselines.forecasts(observed, forecast.origin, forecast.years, samples, generator)
    return compare(scores.points([forecast], [made], observed, generator), "year")
