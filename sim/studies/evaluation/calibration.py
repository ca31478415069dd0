"""The model's calibration per family of observables, by horizon and over all horizons: the uniformity of its
PIT, the coverage of its central 50 % and 90 % bands against binomial bounds, and the interval score of its
90 % band against the best baseline's.

The PIT of a count is randomised (a calibrated forecast's is exactly uniform), so a point lies in the central
band of level l when its PIT is within l/2 of ½; the coverage of a calibrated forecast is then binomial.
Points of one family are dependent (horizons of one origin overlap the next origins', tracks move together),
so the uniformity test counts more independent points than there are: its p-values are too small and it
claims more power than it has; read a rejection near 5 % as a hint, not a verdict.
"""

from __future__ import annotations

import pandas as pd
from scipy import stats

from .scores import baselines_of, families

LEVELS = (0.5, 0.9)
CONFIDENCE = 0.95  # of the binomial bounds on coverage


def calibration(points: pd.DataFrame) -> pd.DataFrame:
    """One row per family and horizon (and "all"): points, the PIT's Kolmogorov–Smirnov p-value against the
    uniform, the coverage of each band with its binomial bounds, and the mean interval score of the model's
    90 % band and of the best baseline's."""
    rows = []
    for family, chosen, _ in families(points):
        others = baselines_of(chosen, "interval90")
        for horizon, group in [*chosen.groupby("horizon"), ("all", chosen)]:
            row = {"family": family, "horizon": horizon, "points": len(group),
                   "pit_p": stats.kstest(group["pit"], "uniform").pvalue}
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
