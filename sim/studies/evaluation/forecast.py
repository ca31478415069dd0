"""The form in which every forecast reaches the evaluation: samples of the yearly observables by year."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Forecast:
    """A probabilistic forecast made at `origin`: it read the record through December origin−1 and nothing later.

    A forecast of the indicators only (a baseline) has counts with no samples, shape (years, 2, tracks, 0);
    one of the counts only has no indicators.
    """

    origin: int                           # the first forecast year
    years: list[int]                      # origin, origin+1, … (horizon h = year − origin + 1), cut at the record's last year
    counts: np.ndarray                    # (years, 2, tracks, samples) int
    indicators: dict[str, np.ndarray]     # name → (years, samples) float, the measured value (log Brent, trade share, subsidy)
