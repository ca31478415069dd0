"""Per-future measures of an outlook, on plain arrays: setbacks, drawdowns, reversals, crossings, classes.

Setback: the composite stands at least ε below its maximum of the preceding `window` months;
consecutive months of that condition are one episode. Classes follow MODEL.md with ΔC the
composite's change from the first to the last month. Arrays are (futures, months) for one series
and (futures, months, tracks) for levels, as a block or a whole run holds them.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import NamedTuple

import numba
import numpy as np
from scipy.ndimage import maximum_filter1d

CLASSES = ("uneven_progress", "smooth_progress", "stagnation", "regression")
HORIZON_YEARS = 5  # class shares and milestone probabilities are also reported every 5 years
# The verdict is re-taken over a grid around its own thresholds: δ and ε halved and doubled.
GRID_FACTORS = (0.5, 1.0, 2.0)
# Levels and the composite are recorded to this step, a quarter of a summary-mode histogram bin: both
# kinds of run measure the same numbers, and results files keep them in 16 bits (io.py).
STEP = 2.0**-12


def recorded(x: np.ndarray) -> np.ndarray:
    """Levels rounded to STEP, in float32 (exact: STEP is a power of two); levels within a step of 0
    or 1 are recorded a step inside, so that recorded levels stay in (0, 1) as the model's do."""
    steps = np.rint(np.asarray(x, dtype=np.float32) * np.float32(1 / STEP))
    return np.clip(steps, 1, 1 / STEP - 1, out=steps) * np.float32(STEP)


def composite(levels: np.ndarray, weights) -> np.ndarray:
    """The composite index Σ w_k I_k of levels (..., tracks), in the levels' precision (float32 as
    recorded); weights (tracks,) or (tracks, 1), or (tracks, n) per future for levels (n, months, tracks)."""
    w = np.asarray(weights, dtype=levels.dtype)
    if w.ndim == 2 and w.shape[1] > 1:
        return np.einsum("ntk,kn->nt", levels, w)
    return levels @ np.ravel(w)


def preceding_max(c: np.ndarray, window: int) -> np.ndarray:
    """(n, T) maximum of months t−window … t−1 (−inf where there are none): scipy's running
    maximum over the window ending at t, shifted by a month."""
    out = np.empty(c.shape)
    out[:, 0] = -np.inf
    maximum_filter1d(c[:, :-1], size=window, axis=1, output=out[:, 1:], mode="constant", cval=-np.inf,
                     origin=(window - 1) // 2)
    return out


def episodes(flags: np.ndarray) -> np.ndarray:
    """(n,) number of runs of consecutive True months."""
    starts = flags[:, 1:] & ~flags[:, :-1]
    return flags[:, 0].astype(np.int64) + starts.sum(axis=1)


def setback_episodes(c: np.ndarray, epsilon: float, window: int, running: np.ndarray | None = None) -> np.ndarray:
    """(n,) number of setback episodes: runs of consecutive months at least ε below the maximum
    of the preceding `window` months (`running`: preceding_max(c, window) if already at hand)."""
    return episodes(c <= (preceding_max(c, window) if running is None else running) - epsilon)


def max_drawdown(c: np.ndarray) -> np.ndarray:
    """(n,) largest fall from a running peak to a later month, in composite units (≥ 0)."""
    fall = np.maximum.accumulate(c, axis=1)
    return np.subtract(fall, c, out=fall).max(axis=1)


def decline_months(c: np.ndarray, lag: int = 12) -> np.ndarray:
    """(n,) months spent below the level of `lag` months (a year) earlier."""
    return (c[:, lag:] < c[:, :-lag]).sum(axis=1)


def reversals(c: np.ndarray, epsilon: float) -> np.ndarray:
    """(n,) turns of direction by at least ε (a zigzag filter).

    The direction is set by the first move of ε from the start; a reversal is a fall of ε from
    the peak of a rise, or a rise of ε from the trough of a fall. Smaller wiggles do not count.
    """
    count = np.zeros(c.shape[0], dtype=np.int64)
    _zigzag(np.ascontiguousarray(c, dtype=np.float64), float(epsilon), count)
    return count


@numba.njit(cache=True, nogil=True)
def _zigzag(c, epsilon, count):
    """reversals, one trajectory at a time: a sequential filter, compiled (about 8× faster than
    whole-array steps month by month)."""
    for i in range(c.shape[0]):
        direction, hi, lo = 0, c[i, 0], c[i, 0]
        for t in range(1, c.shape[1]):
            x = c[i, t]
            hi, lo = max(hi, x), min(lo, x)
            if direction >= 0 and x <= hi - epsilon:
                count[i] += direction == 1
                direction, lo = -1, x
            elif direction <= 0 and x >= lo + epsilon:
                count[i] += direction == -1
                direction, hi = 1, x


def first_crossing(x: np.ndarray, threshold: float) -> np.ndarray:
    """(n,) index of the first month with x ≥ threshold, −1 where it never happens."""
    above = x >= threshold
    return np.where(above.any(axis=1), above.argmax(axis=1), -1)


def classify(delta_c: np.ndarray, setbacks: np.ndarray, delta: float) -> np.ndarray:
    """(n,) index into CLASSES for each trajectory."""
    return np.select(
        [delta_c >= delta, delta_c <= -delta],
        [np.where(setbacks > 0, 0, 1), 3],
        default=2,
    )


def horizons(months: int) -> list[int]:
    """Month indices every HORIZON_YEARS after the start (not within a year of the end), and the last month."""
    return [*range(12 * HORIZON_YEARS, months - 12, 12 * HORIZON_YEARS), months - 1]


class Measures(NamedTuple):
    """Per-future measures of a set of futures (n of them) and the counts that need their paths."""

    net_change: np.ndarray      # (n, tracks + 1) last minus first month, per track and the composite
    setbacks: np.ndarray        # (n,) setback episodes of the composite
    max_drawdown: np.ndarray    # (n,)
    decline_months: np.ndarray  # (n,) months below the level of a year earlier
    reversals: np.ndarray       # (n,)
    crossing: np.ndarray        # (n, milestones) month of the first crossing (0 = the start), −1 if never
    outlook: np.ndarray         # (n,) index into CLASSES
    horizon_outlook: dict       # month index → (n,) class judged over the months up to it
    verdict_grid: np.ndarray    # (δ, ε, 2) futures progressing, and of those with a setback, over GRID_FACTORS


def measure(levels: np.ndarray, c: np.ndarray, tracks: tuple[str, ...], analysis: SimpleNamespace) -> Measures:
    """The measures of futures with levels (n, months, tracks) (float32) and composite c (n, months)
    (float64, the analysis's precision)."""
    a = analysis
    running = preceding_max(c, a.window_months)
    flags = c <= running - a.epsilon
    setbacks = episodes(flags)
    net = np.concatenate([levels[:, -1].astype(np.float64) - levels[:, 0], (c[:, -1] - c[:, 0])[:, None]], axis=1)
    milestones = list(vars(a.milestones).values())
    crossing = np.stack(
        [first_crossing(c if ms.track == "composite" else levels[:, :, tracks.index(ms.track)], ms.threshold)
         for ms in milestones], axis=1) if milestones else np.empty((c.shape[0], 0), np.int64)
    ever = np.logical_or.accumulate(flags, axis=1)
    return Measures(
        net_change=net, setbacks=setbacks, max_drawdown=max_drawdown(c), decline_months=decline_months(c),
        reversals=reversals(c, a.epsilon), crossing=crossing, outlook=classify(net[:, -1], setbacks, a.delta),
        horizon_outlook={h: classify(c[:, h] - c[:, 0], ever[:, h], a.delta) for h in horizons(c.shape[1])},
        verdict_grid=grid_counts(c, a, running),
    )


def grid_counts(c: np.ndarray, analysis: SimpleNamespace, running: np.ndarray) -> np.ndarray:
    """(δ, ε, 2) counts over the robustness grid of δ and ε: futures progressing, and of those the
    ones with a setback (`running`: preceding_max(c, window))."""
    out = np.zeros((len(GRID_FACTORS), len(GRID_FACTORS), 2), dtype=np.int64)
    for j, f in enumerate(GRID_FACTORS):
        setbacks = episodes(c <= running - analysis.epsilon * f)
        for i, g in enumerate(GRID_FACTORS):
            progress = classify(c[:, -1] - c[:, 0], setbacks, analysis.delta * g) <= 1
            out[i, j] = progress.sum(), (progress & (setbacks > 0)).sum()
    return out
