"""The model's calibration per family of observables, by horizon and over all horizons: the uniformity of its
PIT, the coverage of its central 50 % and 90 % bands against binomial bounds, and the interval score of its
90 % band against the best baseline's.

The PIT of a count is randomised (a calibrated forecast's is exactly uniform), so a point lies in the central
band of level l when its PIT is within l/2 of ½; the coverage of a calibrated forecast is then binomial.
Points of one family are dependent (horizons of one origin overlap the next origins', tracks move together),
so the Kolmogorov–Smirnov test, which counts every point as independent, rejects a right model far more often
than 5 %. Its p-value is kept beside a test that allows for the dependence: the PIT's mean and spread
(E[u − ½] = 0, E[(u − ½)² − 1/12] = 0 for a calibrated forecast) summed over each origin's points, their
mean over origins tested with an equal-weighted cosine long-run variance and its F distribution
(heteroskedasticity- and autocorrelation-robust inference as recommended by Lazarus, Lewis, Stock and Watson,
2018, JBES 36(4)). Written here: the Python HAC estimators found (statsmodels, arch) use kernel weights with
asymptotic χ² critical values, which with 20 origins reject a right model far too often. With 20 origins the
test has little power: as little as the record holds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from .scores import baselines_of, families

LEVELS = (0.5, 0.9)
CONFIDENCE = 0.95  # of the binomial bounds on coverage
MOMENTS = 2        # the PIT's mean and spread


def pit_moments(origins: np.ndarray, pit: np.ndarray) -> np.ndarray:
    """(origins, 2): per origin in time order, the sum over its points of u − ½ and (u − ½)² − 1/12, both of
    mean 0 for a calibrated forecast."""
    centred = pit - 0.5
    frame = pd.DataFrame({"origin": origins, "mean": centred, "spread": centred**2 - 1 / 12})
    return frame.groupby("origin")[["mean", "spread"]].sum().sort_index().to_numpy()


def robust_uniformity(origins: np.ndarray, pit: np.ndarray) -> float:
    """p-value of the PIT's mean and spread being a calibrated forecast's, robust to points dependent within an
    origin and across consecutive origins: T·ḡ'Ω⁻¹ḡ over the T origins' moments g, with the equal-weighted
    cosine estimate Ω of their long-run variance on ν = 0.41·T^⅔ cosines (at least 3), scaled to its
    F(2, ν − 1) law (Lazarus et al. 2018). NaN with fewer than 4 origins."""
    g = pit_moments(origins, pit)
    t = len(g)
    if t < 4:
        return float("nan")
    nu = max(MOMENTS + 1, round(0.41 * t ** (2 / 3)))
    times = np.arange(1, t + 1) - 0.5
    cosines = np.sqrt(2 / t) * np.cos(np.pi * np.outer(np.arange(1, nu + 1), times) / t) @ g
    omega = cosines.T @ cosines / nu
    mean = g.mean(axis=0)
    wald = t * mean @ np.linalg.pinv(omega) @ mean
    return float(stats.f.sf((nu - MOMENTS + 1) / (nu * MOMENTS) * wald, MOMENTS, nu - MOMENTS + 1))


def calibration(points: pd.DataFrame) -> pd.DataFrame:
    """One row per family and horizon (and "all"): points, origins, the PIT's Kolmogorov–Smirnov p-value
    against the uniform and the dependence-robust p-value of its mean and spread, the coverage of each band
    with its binomial bounds, and the mean interval score of the model's 90 % band and of the best baseline's."""
    rows = []
    for family, chosen, _ in families(points):
        others = baselines_of(chosen, "interval90")
        for horizon, group in [*chosen.groupby("horizon"), ("all", chosen)]:
            row = {"family": family, "horizon": horizon, "points": len(group), "origins": group["origin"].nunique(),
                   "pit_p": stats.kstest(group["pit"], "uniform").pvalue,
                   "pit_robust_p": robust_uniformity(group["origin"].to_numpy(), group["pit"].to_numpy())}
            for level in LEVELS:
                name = f"cover{round(100 * level)}"
                low, high = stats.binom.interval(CONFIDENCE, len(group), level)
                row |= {name: ((group["pit"] - 0.5).abs() <= level / 2).mean(),
                        f"{name}_low": low / len(group), f"{name}_high": high / len(group)}
            means = {name: group[f"interval90:{name}"].mean() for name in others}
            best = min(means, key=means.get)
            rows.append(row | {"interval90_model": group["interval90:model"].mean(),
                               "interval90_baseline": best, "interval90_best": means[best]})
    return pd.DataFrame(rows)
