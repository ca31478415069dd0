"""Forecast scores with known answers: CRPS of an ensemble, interval coverage, Brier score."""

from __future__ import annotations

import numpy as np


def crps_ensemble(ensemble: np.ndarray, observed: np.ndarray) -> np.ndarray:
    """CRPS of an ensemble (members on axis 0) against observations: E|X−y| − ½E|X−X'|.

    Uses the sorted-sample identity E|X−X'| = 2/m² Σ_i (2i − m − 1) x_(i), O(m log m).
    A point mass at the observation scores 0; lower is better; units are those of the data.
    """
    x = np.sort(np.asarray(ensemble, dtype=float), axis=0)
    y = np.asarray(observed, dtype=float)
    m = x.shape[0]
    spread_weights = (2 * np.arange(1, m + 1) - m - 1).reshape((m,) + (1,) * (x.ndim - 1))
    return np.abs(x - y).mean(axis=0) - (spread_weights * x).sum(axis=0) / m**2


def coverage(ensemble: np.ndarray, observed: np.ndarray, level: float) -> float:
    """Share of observations inside the ensemble's central `level` interval (members on axis 0)."""
    lo, hi = np.quantile(ensemble, [(1 - level) / 2, (1 + level) / 2], axis=0)
    observed = np.asarray(observed)
    return float(np.mean((observed >= lo) & (observed <= hi)))


def brier(probability: np.ndarray, outcome: np.ndarray) -> float:
    """Mean squared difference between forecast probabilities and 0/1 outcomes."""
    return float(np.mean((np.asarray(probability, float) - np.asarray(outcome, float)) ** 2))
