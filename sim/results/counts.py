"""Summary mode: each block reduced as it finishes to counts that merge exactly, in any order.

A big run never holds all paths. Every block becomes a dict of integer arrays — per-month
histograms of each track and the composite on BINS equal bins of (0, 1) (quantiles to 1/BINS),
fixed-point sums for means and spreads, class, verdict and milestone counts, histograms of the
per-future measures of measures.py, the futures answering yes to each forecast question of the
run's set (answers.py) — plus the full paths of a fixed random sample of trajectories and the
dated events of the first LOGGED. Merging adds the counts and concatenates the rows keyed by
trajectory, so blocks from any worker or machine give the same bytes in any order. Summaries are computed with the
run's analysis settings (δ, ε, window, milestones); they are recorded in the results.
"""

from __future__ import annotations

import numba
import numpy as np

from .. import rng
from ..config.validate import RunSpec
from . import answers, measures, questions

BINS = 1000                      # histogram bins on (0, 1): quantiles to 0.001 in level
FIXED_POINT = 2.0**24            # fixed point of a block's sums: integer merges are exact, 6e-8 per block
QUANTILES = (0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99)
SAMPLE_PATHS = 100               # full paths kept for plots (the fan chart draws run.sample_paths of them)
INTEGER_METRICS = ("setbacks", "reversals", "decline_months")
LOGGED = 20                      # futures whose dated events are kept
ROWS = ("log", "sample_index", "sample_level")  # per-trajectory rows; everything else is a count


def chosen(run) -> bool:
    """Summary mode: when asked for, or automatically above run.summary_above trajectories."""
    return run.summary if run.summary is not None else run.trajectories > run.summary_above


def sample(spec: RunSpec, seed: int) -> np.ndarray:
    """The trajectories whose full paths a summary keeps: a fixed random draw, sorted."""
    n = min(SAMPLE_PATHS, spec.run.trajectories)
    return np.sort(rng.stream(seed, 0, "summary-sample").choice(spec.run.trajectories, n, replace=False))


def _bincount(values: np.ndarray, length: int) -> np.ndarray:
    return np.bincount(values.ravel(), minlength=length)[:length].astype(np.int64)


def _bin(x: np.ndarray, lo: float, hi: float, bins: int) -> np.ndarray:
    """Bin index of x on `bins` equal bins of [lo, hi), values outside clipped to the end bins."""
    scaled = (x - lo) * (bins / (hi - lo))
    return np.clip(scaled, 0, bins - 1, out=scaled).astype(np.int64)


@numba.njit(cache=True, nogil=True)
def _level_counts(levels, composite, bins):
    """Each month's levels (months, tracks, n) and composite (n, months), float32, in one compiled pass:
    (months, tracks + 1, bins) int32 counts on `bins` equal bins of [0, 1) as _bin places them (scaled in
    float32, clipped to the end bins, truncated; a block's counts fit in int32), and (2, months, tracks + 1)
    sums of x and x² in float64, in trajectory order."""
    months, k, n = levels.shape
    hist = np.zeros((months, k + 1, bins), dtype=np.int32)
    sums = np.zeros((2, months, k + 1))
    scale, top = np.float32(bins), np.float32(bins - 1)
    for t in range(months):
        for j in range(k + 1):
            total = square = 0.0
            for i in range(n):
                x = levels[t, j, i] if j < k else composite[i, t]
                hist[t, j, int(min(max(x * scale, np.float32(0)), top))] += 1
                total += x
                square += np.float64(x) * x
            sums[0, t, j], sums[1, t, j] = total, square
    return hist, sums


def _fixed(sums: np.ndarray) -> np.ndarray:
    """Sums in fixed point: integers that merge exactly in any order."""
    return np.rint(sums * FIXED_POINT).astype(np.int64)


def reduce(spec: RunSpec, levels: np.ndarray, counts: np.ndarray, per_month: np.ndarray, log: np.ndarray,
           offset: int, kept: np.ndarray) -> dict[str, np.ndarray]:
    """The summary of one block: levels (months, tracks, n; recorded to measures.STEP), counts (n, events), per_month
    (events, months), log rows (month, trajectory, type) in run-wide trajectory numbers; `offset` is
    the block's first trajectory and `kept` the run's sampled trajectories."""
    months, k, n = levels.shape
    levels = measures.recorded(levels)
    paths = levels.transpose(2, 0, 1)
    composite = measures.composite(paths, spec.model.weights)  # (n, t), as the Dataset holds it
    hist, sums = _level_counts(levels, composite, BINS)
    m = measures.measure(paths, composite.astype(np.float64), spec.tracks, spec.analysis)
    mine = kept[(kept >= offset) & (kept < offset + n)]
    log = log.astype(np.int64).reshape(-1, 3)
    local = np.subtract(log, [0, offset, 0], order="F")  # by column, as the questions read it
    return {
        "trajectories": np.array(n, dtype=np.int64),
        "hist": hist,
        "moments": _fixed(sums),
        **tally(m, counts, months),
        "event_month": per_month.astype(np.int64),
        "question_yes": answers.yes_counts(questions.named(spec.analysis.questions), spec.run.start, spec.run.end,
                                           spec.tracks, paths, composite, local),
        "log": log[log[:, 1] < LOGGED],
        "sample_index": mine.astype(np.int64),
        "sample_level": levels[:, :, mine - offset].transpose(2, 0, 1).astype(np.float32),
    }


def tally(m: measures.Measures, counts: np.ndarray, months: int) -> dict[str, np.ndarray]:
    """The counts an outlook needs from per-future measures and event counts (n, events): exact
    for classes, verdict, crossings and integer metrics; histograms on BINS bins for the rest."""
    cls, net = m.outlook, m.net_change
    tracks_net = net[:, :-1]
    k = tracks_net.shape[1]
    metrics = {"setbacks": m.setbacks, "reversals": m.reversals, "decline_months": m.decline_months}
    return {
        "classes": _bincount(cls, len(measures.CLASSES)),
        "horizon_classes": np.stack([_bincount(c, len(measures.CLASSES)) for c in m.horizon_outlook.values()]),
        "verdict_grid": m.verdict_grid.astype(np.int64),
        "crossing": np.array([_bincount(col, months + 1) for col in np.where(
            m.crossing >= 0, m.crossing, months).T]).reshape(-1, months + 1),
        "metric_counts": np.stack([_bincount(metrics[key], months + 1) for key in INTEGER_METRICS]),
        "metric_sums": np.array([[metrics[key].sum(), (metrics[key] ** 2).sum()] for key in INTEGER_METRICS]),
        "drawdown_sums": _fixed(np.array([m.max_drawdown.sum(), np.square(m.max_drawdown).sum()])),
        "drawdown_hist": _bincount(_bin(m.max_drawdown, 0.0, 1.0, BINS), BINS),
        "net_hist": np.stack([_bincount(_bin(col, -1.0, 1.0, 2 * BINS), 2 * BINS) for col in net.T]),
        "spread_hist": _bincount(_bin(tracks_net.max(axis=1) - tracks_net.min(axis=1), 0.0, 1.0, BINS), BINS),
        "leads": _bincount(tracks_net.argmax(axis=1), k),
        "lags": _bincount(tracks_net.argmin(axis=1), k),
        "events_by_class": np.stack([counts[cls == i].sum(axis=0, dtype=np.int64)
                                     for i in range(len(measures.CLASSES))]),
    }


def merge(parts) -> dict[str, np.ndarray]:
    """One summary from block summaries, in any order: counts add, rows are sorted by trajectory."""
    parts = list(parts)
    out = {key: np.zeros(np.shape(value), dtype=np.int64) for key, value in parts[0].items() if key not in ROWS}
    for part in parts:
        for key, total in out.items():
            total += part[key]  # in place: no stacked copy of the parts
    log = np.concatenate([p["log"] for p in parts])
    out["log"] = log[np.lexsort((log[:, 2], log[:, 0], log[:, 1]))]
    index = np.concatenate([p["sample_index"] for p in parts])
    order = np.argsort(index)
    out["sample_index"] = index[order]
    out["sample_level"] = np.concatenate([p["sample_level"] for p in parts])[order]
    return out


def collect(parts) -> dict[str, np.ndarray]:
    """Merge block summaries one at a time as they arrive: memory stays that of one summary."""
    merged = None
    for part in parts:
        merged = part if merged is None else merge([merged, part])
    return merged


def quantiles(hist: np.ndarray, qs, lo: float = 0.0, hi: float = 1.0) -> np.ndarray:
    """Quantiles from counts on equal bins of [lo, hi) along the last axis, linear within a bin:
    exact to one bin width. Shape (len(qs), *hist.shape[:-1])."""
    cum = np.cumsum(hist, axis=-1, dtype=np.float64)
    total = cum[..., -1:]
    width = (hi - lo) / hist.shape[-1]
    out = []
    for q in qs:
        target = q * total
        j = np.minimum((cum < target).sum(axis=-1, keepdims=True), hist.shape[-1] - 1)
        before = np.take_along_axis(cum, j, -1) - np.take_along_axis(hist, j, -1)
        inside = np.take_along_axis(hist, j, -1)
        frac = np.divide(target - before, inside, out=np.full(target.shape, 0.5), where=inside > 0)
        out.append((lo + width * (j + np.clip(frac, 0, 1)))[..., 0])
    return np.array(out)


def order_statistic(counts: np.ndarray, i: int) -> int:
    """The i-th smallest value (0-based) of integer data given as counts per value 0, 1, …."""
    return int(np.searchsorted(np.cumsum(counts), i, side="right"))


def int_quantile(counts: np.ndarray, q: float) -> float:
    """np.quantile (linear) of integer data given as counts per value 0, 1, …: exact."""
    h = q * (counts.sum() - 1)
    lo = order_statistic(counts, int(np.floor(h)))
    return lo + (h - np.floor(h)) * (order_statistic(counts, int(np.ceil(h))) - lo)
