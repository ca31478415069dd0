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

CLASSES = ("uneven_progress", "smooth_progress", "stagnation", "regression")
HORIZON_YEARS = 5  # class shares and milestone probabilities are also reported every 5 years
# The verdict is re-taken over a grid around its own thresholds: δ and ε halved and doubled.
GRID_FACTORS = (0.5, 1.0, 2.0)
# Levels and the composite are recorded to this step, a quarter of a summary-mode histogram bin: both
# kinds of run measure the same numbers, and results files keep them in 16 bits (io.py).
STEP = 2.0**-12


def recorded(x: np.ndarray) -> np.ndarray:
    """Levels rounded to STEP, in float32 (exact: STEP is a power of two); levels within a step of 0
    or 1 are recorded a step inside, so that recorded levels stay in (0, 1) as the model's do. In the
    input's memory order."""
    return _recorded(np.asarray(x, dtype=np.float32))


@numba.njit(cache=True, nogil=True, inline="always")
def _step(x):
    """One float32 recorded to STEP (what `recorded` does to each)."""
    steps = np.rint(x * np.float32(1 / STEP))
    return min(max(steps, np.float32(1)), np.float32(1 / STEP - 1)) * np.float32(STEP)


_recorded = numba.vectorize(["float32(float32)"], cache=True, nopython=True)(_step.py_func)


def composite(levels: np.ndarray, weights) -> np.ndarray:
    """The composite index Σ w_k I_k of recorded levels (n, months, tracks), recorded: (n, months) float32;
    weights (tracks,) or (tracks, 1), or (tracks, n) per future. One compiled pass in the memory order of a
    run's levels (months, tracks, n), summing the tracks in their order in float32."""
    w = np.asarray(weights, dtype=np.float32)
    w = w.reshape(-1, 1) if w.ndim == 1 else w
    return _composite(np.asarray(levels, dtype=np.float32).transpose(1, 2, 0), w)


@numba.njit(cache=True, nogil=True)
def _composite(levels, w):
    months, k, n = levels.shape
    out = np.empty((n, months), dtype=np.float32)
    total = np.empty(n, dtype=np.float32)
    per_future = w.shape[1] > 1
    for t in range(months):
        total[:] = 0
        for j in range(k):
            for i in range(n):
                total[i] += levels[t, j, i] * w[j, i if per_future else 0]
        for i in range(n):
            out[i, t] = _step(total[i])
    return out


class Paths(NamedTuple):
    """What each future's composite path shows (n futures), for a set of setback depths ε."""

    setbacks: np.ndarray        # (n, ε) setback episodes
    first_setback: np.ndarray   # (n, ε) month of the first setback month (0 = the start), −1 if none
    max_drawdown: np.ndarray    # (n,) largest fall from a running peak to a later month (≥ 0)
    decline_months: np.ndarray  # (n,) months below the level of `lag` months earlier
    reversals: np.ndarray       # (n,) turns of direction by at least the reversal ε (a zigzag filter)


def along(c: np.ndarray, epsilons, window: int, reversal: float, lag: int = 12) -> Paths:
    """The measures of composite paths c (n, months) float64, in one compiled pass per future.

    Setback: c stands at least ε below its maximum of the preceding `window` months; consecutive
    months of that condition are one episode. Reversal: a fall of `reversal` from the peak of a rise,
    or a rise of it from the trough of a fall, the direction set by the first such move from the start.
    """
    c = np.ascontiguousarray(c, dtype=np.float64)
    eps = np.asarray(epsilons, dtype=np.float64).ravel()
    n = c.shape[0]
    out = Paths(np.zeros((n, eps.size), np.int64), np.full((n, eps.size), -1, np.int64), np.zeros(n),
                np.zeros(n, np.int64), np.zeros(n, np.int64))
    _along(c, eps, int(window), float(reversal), int(lag), *out)
    return out


@numba.njit(cache=True, nogil=True)
def _along(c, eps, window, reversal, lag, setbacks, first, drawdown, decline, reversals):
    n, months = c.shape
    ahead, behind = np.empty(months), np.empty(months)  # maxima within blocks of `window` months: up to and from each
    top = np.full(months, -np.inf)  # the maximum of the preceding `window` months
    for i in range(n):
        path = c[i]
        for start in range(0, months, window):
            end = min(start + window, months)
            ahead[start], behind[end - 1] = path[start], path[end - 1]
            for t in range(start + 1, end):
                ahead[t] = max(ahead[t - 1], path[t])
            for t in range(end - 2, start - 1, -1):
                behind[t] = max(behind[t + 1], path[t])
        for t in range(1, months):  # two blocks' partial maxima (van Herk; Gil and Werman)
            top[t] = ahead[t - 1] if t <= window else max(behind[t - window], ahead[t - 1])
        for e in range(eps.size):
            episodes, began, was = 0, -1, False
            for t in range(1, months):
                now = path[t] <= top[t] - eps[e]
                episodes += now and not was
                if now and began < 0:
                    began = t
                was = now
            setbacks[i, e], first[i, e] = episodes, began
        peak = hi = lo = path[0]
        fall, declines, turns, direction = 0.0, 0, 0, 0
        for t in range(1, months):
            x = path[t]
            peak = max(peak, x)
            fall = max(fall, peak - x)
            declines += t >= lag and x < path[t - lag]
            hi, lo = max(hi, x), min(lo, x)
            if direction >= 0 and x <= hi - reversal:
                turns += direction == 1
                direction, lo = -1, x
            elif direction <= 0 and x >= lo + reversal:
                turns += direction == -1
                direction, hi = 1, x
        drawdown[i], decline[i], reversals[i] = fall, declines, turns


def setback_episodes(c: np.ndarray, epsilon: float, window: int) -> np.ndarray:
    """(n,) number of setback episodes of composite paths c (n, months) (along)."""
    return along(c, [epsilon], window, epsilon).setbacks[:, 0]


def first_crossing(x: np.ndarray, threshold: float) -> np.ndarray:
    """(n,) index of the first month with x ≥ threshold (compared in x's precision), −1 where it never happens."""
    x = np.asarray(x)
    return _first_crossing(x, x.dtype.type(threshold))


@numba.njit(cache=True, nogil=True)
def _first_crossing(x, threshold):
    out = np.full(x.shape[0], -1, dtype=np.int64)
    for i in range(x.shape[0]):
        for t in range(x.shape[1]):
            if x[i, t] >= threshold:
                out[i] = t
                break
    return out


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
    paths = along(c, [a.epsilon * f for f in GRID_FACTORS], a.window_months, a.epsilon)
    setbacks = paths.setbacks[:, GRID_FACTORS.index(1.0)]
    first = paths.first_setback[:, GRID_FACTORS.index(1.0)]
    net = np.concatenate([levels[:, -1].astype(np.float64) - levels[:, 0], (c[:, -1] - c[:, 0])[:, None]], axis=1)
    milestones = list(vars(a.milestones).values())
    crossing = np.stack(
        [first_crossing(c if ms.track == "composite" else levels[:, :, tracks.index(ms.track)], ms.threshold)
         for ms in milestones], axis=1) if milestones else np.empty((c.shape[0], 0), np.int64)
    return Measures(
        net_change=net, setbacks=setbacks, max_drawdown=paths.max_drawdown, decline_months=paths.decline_months,
        reversals=paths.reversals, crossing=crossing, outlook=classify(net[:, -1], setbacks, a.delta),
        horizon_outlook={h: classify(c[:, h] - c[:, 0], (first >= 0) & (first <= h), a.delta)
                         for h in horizons(c.shape[1])},
        verdict_grid=grid_counts(c[:, -1] - c[:, 0], a.delta, paths.setbacks),
    )


def grid_counts(delta_c: np.ndarray, delta: float, setbacks: np.ndarray) -> np.ndarray:
    """(δ, ε, 2) counts over the robustness grid of δ and ε: futures progressing, and of those the
    ones with a setback (`setbacks` (n, ε): episodes at each ε of GRID_FACTORS)."""
    out = np.zeros((len(GRID_FACTORS), len(GRID_FACTORS), 2), dtype=np.int64)
    for j in range(len(GRID_FACTORS)):
        for i, g in enumerate(GRID_FACTORS):
            progress = classify(delta_c, setbacks[:, j], delta * g) <= 1
            out[i, j] = progress.sum(), (progress & (setbacks[:, j] > 0)).sum()
    return out


def quantiles_by_month(x: np.ndarray, qs) -> np.ndarray:
    """(len(qs), months) quantiles over futures, month by month, of series x (n, months): np.quantile's,
    to the bit. For recorded series (on the STEP grid) the order statistics come from a count per grid
    value, one compiled pass instead of a partial sort (20× faster for 10,000 futures)."""
    qs = np.asarray(qs, dtype=np.float64)
    n = x.shape[0]
    h = (n - 1) * qs  # np.quantile's virtual index (its linear method)
    below = np.clip(np.floor(h), 0, n - 1).astype(np.int64)
    ranks = np.unique(np.concatenate([below, np.minimum(below + 1, n - 1)]))
    stats, on_grid = _order_statistics(x, ranks, int(round(1 / STEP)) + 1)  # (ranks, months)
    if not on_grid:
        return np.quantile(x, qs, axis=0)
    stats = stats.astype(x.dtype)
    a, b = stats[np.searchsorted(ranks, below)], stats[np.searchsorted(ranks, np.minimum(below + 1, n - 1))]
    t = (h - below)[:, None]
    diff = b - a
    return np.where(t >= 0.5, b - diff * (1 - t), a + diff * t)  # np.quantile's interpolation, its rounding too


@numba.njit(cache=True, nogil=True)
def _order_statistics(x, ranks, values):
    """(ranks, months) the ranks-th smallest (0-based, increasing ranks) of each month of x (n, months), and
    whether every value is one of the `values` grid points of [0, 1] (if not, the first is meaningless)."""
    n, months = x.shape
    out = np.empty((ranks.size, months))
    count = np.zeros(values, dtype=np.int64)
    for t in range(months):
        count[:] = 0
        for i in range(n):
            scaled = x[i, t] * (values - 1)
            if not 0 <= scaled <= values - 1 or scaled != round(scaled):
                return out, False
            count[int(scaled)] += 1
        seen, r = 0, 0
        for v in range(values):
            seen += count[v]
            while r < ranks.size and ranks[r] < seen:
                out[r, t] = v / (values - 1)
                r += 1
    return out, True
