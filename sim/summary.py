"""Summary mode: each block reduced as it finishes to counts that merge exactly, in any order.

A big run never holds all paths. Every block becomes a dict of integer arrays — per-month
histograms of each track and the composite on BINS equal bins of (0, 1) (quantiles to 1/BINS),
fixed-point sums for means and spreads, class, verdict and milestone counts, histograms of the
per-trajectory metrics of outlook.py — plus the full paths of a fixed random sample of
trajectories. Merging adds the counts and concatenates the rows keyed by trajectory, so blocks
from any worker or machine give the same bytes in any order. Summaries are computed with the
run's analysis settings (δ, ε, window, milestones); they are recorded in the results.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from . import outlook, rng
from .params import RunSpec
from .state import EVENT_TYPES

BINS = 1000                      # histogram bins on (0, 1): quantiles to 0.001 in level
FIXED = 2.0**24                  # fixed point of a block's sums: integer merges are exact, 6e-8 per block
QUANTILES = (0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99)
SAMPLE_PATHS = 100               # full paths kept for plots (the fan chart draws run.sample_paths of them)
INTEGER_METRICS = ("setbacks", "reversals", "decline_months")
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


def _fixed(x: np.ndarray) -> np.ndarray:
    """The block's sums over the last axis of x and x² (accumulated in float64) in fixed point:
    integers that merge exactly in any order. Above two dimensions, one slice of the first axis
    at a time, so that x² is never whole in memory."""
    if x.ndim > 2:
        return np.stack([_fixed(part) for part in x], axis=1)
    sums = [x.sum(axis=-1, dtype=np.float64), np.square(x).sum(axis=-1, dtype=np.float64)]
    return np.rint(np.stack(sums) * FIXED).astype(np.int64)


def reduce(spec: RunSpec, levels: np.ndarray, counts: np.ndarray, per_month: np.ndarray, log: np.ndarray,
           offset: int, kept: np.ndarray) -> dict[str, np.ndarray]:
    """The summary of one block: levels (months, tracks, n), counts (n, events), per_month
    (events, months), log rows (month, trajectory, type) in run-wide trajectory numbers; `offset` is
    the block's first trajectory and `kept` the run's sampled trajectories."""
    a = spec.analysis
    months, k, n = levels.shape
    weights = np.asarray(spec.model.weights, dtype=np.float32)[:, 0]
    composite = levels.transpose(2, 0, 1) @ weights  # (n, t) float32, as results.assemble
    cell = (np.arange(k + 1) * BINS)[:, None]
    hist = np.stack([_bincount(cell + _bin(np.vstack([levels[t], composite[:, t]]), 0.0, 1.0, BINS),
                               (k + 1) * BINS) for t in range(months)],
                    dtype=np.int32).reshape(months, k + 1, BINS)  # a block's counts fit: half the bytes to merge

    c = composite.astype(np.float64)  # the analysis's precision (outlook.metrics)
    block = xr.Dataset({"level": (("trajectory", "time", "track"), levels.transpose(2, 0, 1)),
                        "composite": (("trajectory", "time"), c)},
                       coords={"trajectory": np.arange(n), "track": list(spec.tracks)})
    running = outlook.preceding_max(c, a.window_months)
    m = outlook.metrics(block, a, running)
    cls, net = m["outlook"].values, m["net_change"].values
    by_horizon = outlook.classes_by_horizon(c, a, running)
    tracks_net = net[:, :-1]
    mine = kept[(kept >= offset) & (kept < offset + n)]
    return {
        "trajectories": np.array(n, dtype=np.int64),
        "hist": hist,
        "moments": np.concatenate([_fixed(levels), _fixed(composite.T)[:, :, None]], axis=2),
        "classes": _bincount(cls, len(outlook.CLASSES)),
        "horizon_classes": np.stack([_bincount(by_horizon[h], len(outlook.CLASSES)) for h in by_horizon]),
        "verdict_grid": outlook.grid_counts(c, a, running).astype(np.int64),
        "crossing": np.array([_bincount(col, months + 1) for col in np.where(
            m["crossing"].values >= 0, m["crossing"].values, months).T]).reshape(-1, months + 1),
        "metric_counts": np.stack([_bincount(m[key].values, months + 1) for key in INTEGER_METRICS]),
        "metric_sums": np.array([[m[key].values.sum(), (m[key].values ** 2).sum()] for key in INTEGER_METRICS]),
        "drawdown_sums": _fixed(m["max_drawdown"].values),
        "drawdown_hist": _bincount(_bin(m["max_drawdown"].values, 0.0, 1.0, BINS), BINS),
        "net_hist": np.stack([_bincount(_bin(col, -1.0, 1.0, 2 * BINS), 2 * BINS) for col in net.T]),
        "spread_hist": _bincount(_bin(tracks_net.max(axis=1) - tracks_net.min(axis=1), 0.0, 1.0, BINS), BINS),
        "leads": _bincount(tracks_net.argmax(axis=1), k),
        "lags": _bincount(tracks_net.argmin(axis=1), k),
        "events_by_class": np.stack([counts[cls == i].sum(axis=0, dtype=np.int64) for i in range(len(outlook.CLASSES))]),
        "event_month": per_month.astype(np.int64),
        "log": log.astype(np.int64).reshape(-1, 3),
        "sample_index": mine.astype(np.int64),
        "sample_level": levels[:, :, mine - offset].transpose(2, 0, 1).astype(np.float32),
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


def to_dataset(spec: RunSpec, merged: dict[str, np.ndarray], attrs: dict) -> xr.Dataset:
    """The results Dataset of a summary-mode run: quantile bands, mean and spread, the histograms
    and counts the analysis reads, the sampled paths and the event records."""
    from .results import month_dates

    n = int(merged["trajectories"])
    months = spec.months
    times = month_dates(spec.run.start, months)
    series = [*spec.tracks, "composite"]
    hist = merged["hist"]
    s1, s2 = merged["moments"] / FIXED
    mean = s1 / n
    sd = np.sqrt(np.maximum(s2 - n * mean**2, 0) / max(n - 1, 1))
    weights = np.asarray(spec.model.weights, dtype=np.float32)[:, 0]
    log = merged["log"]
    return xr.Dataset(
        {
            "band": (("quantile", "time", "series"), quantiles(hist, QUANTILES).astype(np.float32),
                     {"long_name": "quantile of the level over futures", "resolution": 1 / BINS}),
            "mean": (("time", "series"), mean, {"long_name": "mean level over futures"}),
            "sd": (("time", "series"), sd, {"long_name": "standard deviation of the level over futures"}),
            "histogram": (("time", "series", "bin"), hist.astype(np.int32),
                          {"long_name": f"futures per level bin of width 1/{BINS}"}),
            "classes": ("outlook", merged["classes"].astype(np.int32)),
            "horizon_classes": (("horizon", "outlook"), merged["horizon_classes"].astype(np.int32)),
            "verdict_grid": (("grid_delta", "grid_epsilon", "count"), merged["verdict_grid"].astype(np.int32),
                             {"long_name": "futures progressing, and of those with a setback, per δ and ε"}),
            "crossing": (("milestone", "crossing_month"), merged["crossing"].astype(np.int32),
                         {"long_name": "futures first crossing in each month (the last: never)"}),
            "metric_counts": (("integer_metric", "value"), merged["metric_counts"].astype(np.int32)),
            "metric_sums": (("integer_metric", "power"), merged["metric_sums"].astype(np.float64)),
            "drawdown_sums": ("power", merged["drawdown_sums"] / FIXED),
            "drawdown_histogram": ("level_bin", merged["drawdown_hist"].astype(np.int32)),
            "spread_histogram": ("level_bin", merged["spread_hist"].astype(np.int32)),
            "net_change_histogram": (("series", "change_bin"), merged["net_hist"].astype(np.int32),
                                     {"long_name": f"futures per bin of width 1/{BINS} on [-1, 1)"}),
            "leads": ("track", merged["leads"].astype(np.int32)),
            "lags": ("track", merged["lags"].astype(np.int32)),
            "events_by_class": (("outlook", "event"), merged["events_by_class"].astype(np.float64)),
            "event_month": (("event", "time"), merged["event_month"].astype(np.int32),
                            {"long_name": "trajectories with an event of this type in this month"}),
            "sample_level": (("sample", "time", "track"), merged["sample_level"]),
            "sample_composite": (("sample", "time"), merged["sample_level"] @ weights),
            "log_trajectory": ("log", log[:, 1].astype(np.int32)),
            "log_time": ("log", times[log[:, 0]]),
            "log_event": ("log", np.array(EVENT_TYPES)[log[:, 2]]),
        },
        coords={"quantile": list(QUANTILES), "time": times, "series": series, "track": list(spec.tracks),
                "event": list(EVENT_TYPES), "outlook": list(outlook.CLASSES),
                "horizon": times[outlook.horizons(months)], "milestone": list(vars(spec.analysis.milestones)),
                "integer_metric": list(INTEGER_METRICS), "sample": merged["sample_index"].astype(np.int32)},
        attrs={**attrs, "layout": "summary", "trajectories": n},
    )


# --- the analysis of a summary-mode run: outlook.summarize's numbers from its counts ----------


def _order_statistic(counts: np.ndarray, i: int) -> int:
    """The i-th smallest value (0-based) of integer data given as counts per value."""
    return int(np.searchsorted(np.cumsum(counts), i, side="right"))


def int_quantile(counts: np.ndarray, q: float, method: str = "linear") -> float:
    """np.quantile of integer data given as counts per value 0, 1, …: exact."""
    h = q * (counts.sum() - 1)
    lo = _order_statistic(counts, int(np.floor(h)))
    if method == "lower":
        return float(lo)
    return lo + (h - np.floor(h)) * (_order_statistic(counts, int(np.ceil(h))) - lo)


def _mean_se(total: float, squares: float, n: int) -> tuple[float, float]:
    mean = total / n
    return float(mean), float(np.sqrt(max(squares - n * mean**2, 0) / (n - 1) / n)) if n > 1 else float("nan")


def _milestone(counts: np.ndarray, times: np.ndarray, marks: list[int]) -> dict:
    """outlook._milestone from first-crossing counts per month (the last entry: never)."""
    n, reached = int(counts.sum()), int(counts[:-1].sum())
    month = lambda i: str(np.datetime64(times[i], "M"))  # noqa: E731
    p, se = outlook.share_of(reached, n)
    median = _order_statistic(counts, (n - 1) // 2)
    cum = np.cumsum(counts)
    out = {
        "p_by_end": p, "p_by_end_se": se,
        "median_date": None if median == counts.size - 1 else month(median),
        "p_by": {month(h): float(cum[h] / n) for h in marks},
        "median_date_if_reached": None, "p25_date_if_reached": None, "p75_date_if_reached": None,
    }
    if reached:
        out.update({f"{k}_date_if_reached": month(int(int_quantile(counts[:-1], q, "lower")))
                    for k, q in (("p25", 0.25), ("median", 0.5), ("p75", 0.75))})
    return out


def summarize(ds: xr.Dataset, analysis) -> dict:
    """The summary dict of outlook.summarize for a summary-mode Dataset: counts give the same
    numbers; quantiles of continuous quantities are read from histograms (to 1/BINS)."""
    n = int(ds.attrs["trajectories"])
    times = ds["time"].values
    months = times.size
    marks = outlook.horizons(months)
    classes = ds["classes"].values
    grid = ds["verdict_grid"].values
    centre = len(outlook.GRID_FACTORS) // 2
    milestones = {name: {"track": ms.track, "threshold": ms.threshold,
                         **_milestone(ds["crossing"].values[j], times, marks)}
                  for j, (name, ms) in enumerate(vars(analysis.milestones).items())}
    composite = ds["histogram"].sel(series="composite").values
    start = quantiles(composite[0], [0.5])[0]
    q05, q50, q95 = quantiles(composite[-1], [0.05, 0.5, 0.95])
    sums = dict(zip(INTEGER_METRICS, ds["metric_sums"].values))
    counts = dict(zip(INTEGER_METRICS, ds["metric_counts"].values))
    uneven = {}
    for key, source, scale in (("setbacks", "setbacks", 1), ("max_drawdown", None, 1),
                               ("reversals", "reversals", 1), ("decline_years", "decline_months", 12)):
        if source:
            mean, se = _mean_se(*sums[source], n)
            q = [int_quantile(counts[source], p) for p in (0.05, 0.5, 0.95)]
        else:
            mean, se = _mean_se(*ds["drawdown_sums"].values, n)
            q = quantiles(ds["drawdown_histogram"].values, [0.05, 0.5, 0.95])
        uneven[key] = {"mean": mean / scale, "mean_se": se / scale, "p05": float(q[0]) / scale,
                       "median": float(q[1]) / scale, "p95": float(q[2]) / scale}
    tracks = [str(t) for t in ds["track"].values]
    net = quantiles(ds["net_change_histogram"].values[:-1], [0.05, 0.5, 0.95], -1.0, 1.0)
    spread = quantiles(ds["spread_histogram"].values, [0.05, 0.5, 0.95])
    leads, lags = ds["leads"].values / n, ds["lags"].values / n
    by_class = ds["events_by_class"].values
    return {
        "scenario": ds.attrs["scenario"], "seed": int(ds.attrs["seed"]), "trajectories": n,
        "start": ds.attrs["start"], "end": ds.attrs["end"],
        "verdict": {
            **outlook.verdict_counts(n, int(grid[centre, centre, 0]), int(grid[centre, centre, 1]),
                                     analysis.p_progress, analysis.p_setback),
            "thresholds": {"p_progress": analysis.p_progress, "p_setback": analysis.p_setback,
                           "delta": analysis.delta, "epsilon": analysis.epsilon,
                           "window_months": analysis.window_months},
            "robustness": outlook.robustness_counts(grid, n, analysis),
        },
        "classes": {c: outlook.share_of(int(k), n)[0] for c, k in zip(outlook.CLASSES, classes)},
        "classes_se": {c: outlook.share_of(int(k), n)[1] for c, k in zip(outlook.CLASSES, classes)},
        "classes_by_date": {str(np.datetime64(t, "M")): {c: float(k / n) for c, k in zip(outlook.CLASSES, row)}
                            for t, row in zip(ds["horizon"].values, ds["horizon_classes"].values)},
        "milestones": milestones,
        "composite": {"start": float(start), "end_median": float(q50), "end_p05": float(q05), "end_p95": float(q95),
                      "mean_setbacks": float(sums["setbacks"][0] / n)},
        "uneven": uneven,
        "unequal": {
            "net_change": {t: {"median": float(net[1, i]), "p05": float(net[0, i]), "p95": float(net[2, i])}
                           for i, t in enumerate(tracks)},
            "leads": {t: float(x) for t, x in zip(tracks, leads)},
            "lags": {t: float(x) for t, x in zip(tracks, lags)},
            "leader": tracks[int(np.argmax(net[1]))], "laggard": tracks[int(np.argmin(net[1]))],
            "spread_median": float(spread[1]), "spread_p05": float(spread[0]), "spread_p95": float(spread[2]),
        },
        "events": {str(e): {"mean": float(by_class[:, j].sum() / n),
                            "by_class": {c: float(by_class[i, j] / classes[i]) if classes[i] else None
                                         for i, c in enumerate(outlook.CLASSES)}}
                   for j, e in enumerate(ds["event"].values)},
    }
