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


def log_score(probability: np.ndarray, outcome: np.ndarray, futures: int) -> float:
    """Mean log probability given to what happened (higher is better, 0 at best); probabilities
    are kept within half a future of 0 and 1, so an outcome no future had scores finitely."""
    p = np.clip(np.asarray(probability, float), 0.5 / futures, 1 - 0.5 / futures)
    return float(np.mean(np.where(np.asarray(outcome, bool), np.log(p), np.log1p(-p))))


def reliability(probability: np.ndarray, outcome: np.ndarray, bins: int = 5) -> list[tuple[float, float, int]]:
    """(mean forecast, observed frequency, count) per non-empty bin of equal width on [0, 1]."""
    p, y = np.asarray(probability, float), np.asarray(outcome, float)
    which = np.minimum((p * bins).astype(int), bins - 1)
    return [(float(p[which == b].mean()), float(y[which == b].mean()), int(np.sum(which == b)))
            for b in range(bins) if np.any(which == b)]
