"""From an ensemble to an outlook: per-trajectory metrics, classes, milestones and the verdict.

Setback: the composite stands at least ε below its maximum of the preceding `window` months;
consecutive months of that condition are one episode. Classes follow MODEL.md with ΔC the
composite's change from the first to the last month. Every ensemble probability comes with
its Monte Carlo standard error √(p(1−p)/n), every ensemble mean with s/√n.
"""

from __future__ import annotations

import itertools
from types import SimpleNamespace
from typing import NamedTuple

import numba
import numpy as np
from scipy.ndimage import maximum_filter1d
import xarray as xr

from .results import is_summary

CLASSES = ("uneven_progress", "smooth_progress", "stagnation", "regression")
HORIZON_YEARS = 5  # class shares and milestone probabilities are also reported every 5 years

# The verdict is re-taken over this grid around its own thresholds: δ and ε halved and
# doubled, p1 and p2 moved by ±0.1 (clipped to [0, 1]).
GRID_FACTORS = (0.5, 1.0, 2.0)
GRID_SHIFTS = (-0.1, 0.0, 0.1)


def preceding_max(c: np.ndarray, window: int) -> np.ndarray:
    """(n, T) maximum of months t−window … t−1 (−inf where there are none): scipy's running
    maximum over the window ending at t, shifted by a month."""
    out = np.empty(c.shape)
    out[:, 0] = -np.inf
    maximum_filter1d(c[:, :-1], size=window, axis=1, output=out[:, 1:], mode="constant", cval=-np.inf,
                     origin=(window - 1) // 2)
    return out


def setback_flags(c: np.ndarray, epsilon: float, window: int, running: np.ndarray | None = None) -> np.ndarray:
    """(n, T) bool: month t is at least ε below the maximum of months t−window … t−1 (`running`:
    preceding_max(c, window) if already at hand)."""
    return c <= (preceding_max(c, window) if running is None else running) - epsilon


def episodes(flags: np.ndarray) -> np.ndarray:
    """(n,) number of runs of consecutive True months."""
    starts = flags[:, 1:] & ~flags[:, :-1]
    return flags[:, 0].astype(np.int64) + starts.sum(axis=1)


def setback_episodes(c: np.ndarray, epsilon: float, window: int, running: np.ndarray | None = None) -> np.ndarray:
    """(n,) number of setback episodes: runs of consecutive setback months."""
    return episodes(setback_flags(c, epsilon, window, running))


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


def share(mask: np.ndarray) -> tuple[float, float]:
    """A proportion and its Monte Carlo standard error."""
    n = mask.size
    p = float(mask.mean()) if n else float("nan")
    return p, float(np.sqrt(p * (1 - p) / n)) if n else float("nan")


def mean_se(x: np.ndarray) -> tuple[float, float]:
    """A mean and its Monte Carlo standard error."""
    n = x.size
    return float(x.mean()), float(x.std(ddof=1) / np.sqrt(n)) if n > 1 else float("nan")


def _month(times: np.ndarray, index: int) -> str:
    return str(np.datetime64(times[index], "M"))


def _analysis(ds: xr.Dataset, analysis: SimpleNamespace | None) -> SimpleNamespace:
    if analysis is not None:
        return analysis
    from .results import spec_of

    return spec_of(ds).analysis


def horizons(months: int) -> list[int]:
    """Month indices every HORIZON_YEARS after the start (not within a year of the end), and the last month."""
    return [*range(12 * HORIZON_YEARS, months - 12, 12 * HORIZON_YEARS), months - 1]


def metrics(ds: xr.Dataset, analysis: SimpleNamespace | None = None, running: np.ndarray | None = None
            ) -> xr.Dataset:
    """Per-trajectory metrics of a run (`running`: the composite's preceding_max if already at hand).

    net_change(trajectory, series): last minus first month, per track and for the composite;
    setbacks, max_drawdown, decline_months (below the level of a year earlier) and reversals of
    the composite; crossing(trajectory, milestone): month index of the first crossing (0 = the
    start month), −1 if never; outlook: index into CLASSES. A summary-mode run is returned as is.
    """
    if is_summary(ds):
        return ds  # a summary-mode run's metrics are its counts and histograms (summary.py)
    a = _analysis(ds, analysis)
    c = np.asarray(ds["composite"].values, dtype=np.float64)
    levels = ds["level"].values  # float32: compared with thresholds as is, differenced in float64
    tracks = [str(t) for t in ds["track"].values]
    net = np.concatenate([levels[:, -1].astype(np.float64) - levels[:, 0], (c[:, -1] - c[:, 0])[:, None]], axis=1)
    setbacks = setback_episodes(c, a.epsilon, a.window_months, running)
    names = list(vars(a.milestones))
    crossing = np.stack(
        [first_crossing(c if ms.track == "composite" else levels[:, :, tracks.index(ms.track)], ms.threshold)
         for ms in vars(a.milestones).values()], axis=1) if names else np.empty((c.shape[0], 0), np.int64)
    return xr.Dataset(
        {
            "net_change": (("trajectory", "series"), net),
            "setbacks": ("trajectory", setbacks),
            "max_drawdown": ("trajectory", max_drawdown(c)),
            "decline_months": ("trajectory", decline_months(c)),
            "reversals": ("trajectory", reversals(c, a.epsilon)),
            "crossing": (("trajectory", "milestone"), crossing),
            "outlook": ("trajectory", classify(net[:, -1], setbacks, a.delta)),
        },
        coords={"trajectory": ds["trajectory"].values, "series": tracks + ["composite"], "milestone": names},
    )


def milestone_curves(m: xr.Dataset, months: int) -> np.ndarray:
    """(milestone, month) probability that each milestone has been reached by each month."""
    if is_summary(m):
        counts = m["crossing"].values  # futures first crossing per month, the last column: never
        return np.cumsum(counts[:, :months], axis=1) / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    crossing = m["crossing"].values
    firsts = [np.bincount(col[col >= 0], minlength=months)[:months] for col in crossing.T]
    return np.cumsum(firsts, axis=1) / crossing.shape[0] if firsts else np.empty((0, months))


def classes_by_horizon(c: np.ndarray, analysis: SimpleNamespace, running: np.ndarray | None = None
                       ) -> dict[int, np.ndarray]:
    """Month index → (n,) class of each trajectory judged over the months up to it (`running`:
    preceding_max(c, window) if already at hand)."""
    if running is None:
        running = preceding_max(c, analysis.window_months)
    flags = np.logical_or.accumulate(c <= running - analysis.epsilon, axis=1)
    return {h: classify(c[:, h] - c[:, 0], flags[:, h], analysis.delta) for h in horizons(c.shape[1])}


def verdict(cls: np.ndarray, setbacks: np.ndarray, p1: float, p2: float) -> dict:
    """The thesis test: P(progress) ≥ p1 and P(setback | progress) ≥ p2, with errors and margins."""
    progress = cls <= 1
    return verdict_counts(cls.size, int(progress.sum()), int((setbacks[progress] > 0).sum()), p1, p2)


def verdict_counts(n: int, progress: int, with_setback: int, p1: float, p2: float) -> dict:
    """The thesis test from counts: n futures, `progress` of them progressing, `with_setback` of
    those with a setback."""
    p, se = share_of(progress, n)
    q, qse = share_of(with_setback, progress)
    return {
        "holds": bool(p >= p1 and q >= p2), "p_progress": p, "p_progress_se": se,
        "p_setback_given_progress": q, "p_setback_given_progress_se": qse,
        "margin_se": {"p_progress": _margin(p, p1, se), "p_setback": _margin(q, p2, qse)},
    }


def share_of(k: int, n: int) -> tuple[float, float]:
    """k of n as a proportion and its Monte Carlo standard error."""
    p = k / n if n else float("nan")
    return p, float(np.sqrt(p * (1 - p) / n)) if n else float("nan")


def _margin(p: float, threshold: float, se: float) -> float | None:
    """How many standard errors a probability lies above (+) or below (−) its threshold."""
    return float((p - threshold) / se) if se > 0 else None


def grid_counts(c: np.ndarray, analysis: SimpleNamespace, running: np.ndarray | None = None) -> np.ndarray:
    """(δ, ε, 2) counts over the robustness grid of δ and ε: futures progressing, and of those the
    ones with a setback (`running`: preceding_max(c, window) if already at hand)."""
    out = np.zeros((len(GRID_FACTORS), len(GRID_FACTORS), 2), dtype=np.int64)
    if running is None:
        running = preceding_max(c, analysis.window_months)
    for j, f in enumerate(GRID_FACTORS):
        setbacks = episodes(c <= running - analysis.epsilon * f)
        for i, g in enumerate(GRID_FACTORS):
            progress = classify(c[:, -1] - c[:, 0], setbacks, analysis.delta * g) <= 1
            out[i, j] = progress.sum(), (progress & (setbacks > 0)).sum()
    return out


def robustness(c: np.ndarray, analysis: SimpleNamespace) -> dict:
    """The verdict over the grid of δ, ε, p1, p2 around the configured thresholds."""
    return robustness_counts(grid_counts(c, analysis), c.shape[0], analysis)


def robustness_counts(counts: np.ndarray, n: int, analysis: SimpleNamespace) -> dict:
    """The verdict over the grid from grid_counts: whether it holds at each point, and by value."""
    grid = {
        "delta": [analysis.delta * f for f in GRID_FACTORS],
        "epsilon": [analysis.epsilon * f for f in GRID_FACTORS],
        "p_progress": sorted({float(np.clip(analysis.p_progress + s, 0, 1)) for s in GRID_SHIFTS}),
        "p_setback": sorted({float(np.clip(analysis.p_setback + s, 0, 1)) for s in GRID_SHIFTS}),
    }
    holds = {}
    for (i, d), (j, e), p1, p2 in itertools.product(enumerate(grid["delta"]), enumerate(grid["epsilon"]),
                                                     grid["p_progress"], grid["p_setback"]):
        holds[d, e, p1, p2] = verdict_counts(n, int(counts[i, j, 0]), int(counts[i, j, 1]), p1, p2)["holds"]
    by_value = {
        key: {f"{v:g}": float(np.mean([h for point, h in holds.items() if point[i] == v])) for v in values}
        for i, (key, values) in enumerate(grid.items())
    }
    return {"points": len(holds), "holds_share": float(np.mean(list(holds.values()))),
            "grid": grid, "holds_share_by_value": by_value}


def unequal(m: xr.Dataset) -> dict:
    """How unequal the tracks move: net change per track, spread, who leads and who lags."""
    net = m["net_change"].drop_sel(series="composite")
    tracks = [str(t) for t in net["series"].values]
    values = net.values
    spread = values.max(axis=1) - values.min(axis=1)
    median = np.median(values, axis=0)
    q05, q95 = np.quantile(values, [0.05, 0.95], axis=0)
    fastest, slowest = values.argmax(axis=1), values.argmin(axis=1)
    sq = np.quantile(spread, [0.05, 0.5, 0.95])
    return {
        "net_change": {t: {"median": float(median[i]), "p05": float(q05[i]), "p95": float(q95[i])}
                       for i, t in enumerate(tracks)},
        "leads": {t: share(fastest == i)[0] for i, t in enumerate(tracks)},
        "lags": {t: share(slowest == i)[0] for i, t in enumerate(tracks)},
        "leader": tracks[int(np.argmax(median))],
        "laggard": tracks[int(np.argmin(median))],
        "spread_median": float(sq[1]), "spread_p05": float(sq[0]), "spread_p95": float(sq[2]),
    }


def uneven(m: xr.Dataset) -> dict:
    """How uneven the composite's path is: setbacks, drawdowns, time in decline, reversals."""
    out = {}
    for key, values in (("setbacks", m["setbacks"].values), ("max_drawdown", m["max_drawdown"].values),
                        ("reversals", m["reversals"].values),
                        ("decline_years", m["decline_months"].values / 12)):
        mean, se = mean_se(values.astype(np.float64))
        q = np.quantile(values, [0.05, 0.5, 0.95])
        out[key] = {"mean": mean, "mean_se": se, "p05": float(q[0]), "median": float(q[1]), "p95": float(q[2])}
    return out


def _milestone(crossing: np.ndarray, times: np.ndarray, marks: list[int]) -> dict:
    """Probability by the end and by each horizon, and crossing dates (over all and if reached)."""
    n = crossing.size
    reached = crossing >= 0
    p, se = share(reached)
    never = np.iinfo(np.int64).max
    median = np.sort(np.where(reached, crossing, never))[(n - 1) // 2]  # lower median over all futures
    out = {
        "p_by_end": p, "p_by_end_se": se,
        "median_date": None if median == never else _month(times, int(median)),
        "p_by": {_month(times, h): share(reached & (crossing <= h))[0] for h in marks},
        "median_date_if_reached": None, "p25_date_if_reached": None, "p75_date_if_reached": None,
    }
    if reached.any():
        q = np.quantile(crossing[reached], [0.25, 0.5, 0.75], method="lower")
        out.update({f"{k}_date_if_reached": _month(times, int(v)) for k, v in zip(("p25", "median", "p75"), q)})
    return out


def _events(ds: xr.Dataset, cls: np.ndarray) -> dict:
    """Mean count of each event type per trajectory, overall and by outlook class."""
    counts = ds["events"].values.astype(np.float64)
    out = {}
    for j, name in enumerate(ds["event"].values):
        by_class = {c: float(counts[cls == i, j].mean()) if (cls == i).any() else None for i, c in enumerate(CLASSES)}
        out[str(name)] = {"mean": float(counts[:, j].mean()), "by_class": by_class}
    return out


def summarize(ds: xr.Dataset, analysis: SimpleNamespace | None = None, m: xr.Dataset | None = None) -> dict:
    """The run's summary: verdict and its robustness, classes, milestones, unevenness and inequality.

    `analysis` defaults to the settings recorded in the Dataset's config; `m` to metrics(ds).
    """
    analysis = _analysis(ds, analysis)
    if is_summary(ds):
        from .summary import summarize as from_counts

        return from_counts(ds, analysis)
    m = metrics(ds, analysis) if m is None else m
    c = ds["composite"].values.astype(np.float64)
    times = ds["time"].values
    n, months = c.shape
    cls, setbacks = m["outlook"].values, m["setbacks"].values
    marks = horizons(months)

    milestones = {}
    for j, (name, ms) in enumerate(vars(analysis.milestones).items()):
        milestones[name] = {"track": ms.track, "threshold": ms.threshold,
                            **_milestone(m["crossing"].values[:, j], times, marks)}

    q = np.quantile(c[:, -1], [0.05, 0.5, 0.95])
    classes = [share(cls == i) for i in range(len(CLASSES))]
    return {
        "scenario": ds.attrs["scenario"],
        "seed": int(ds.attrs["seed"]),
        "trajectories": n,
        "start": ds.attrs["start"],
        "end": ds.attrs["end"],
        "verdict": {
            **verdict(cls, setbacks, analysis.p_progress, analysis.p_setback),
            "thresholds": {
                "p_progress": analysis.p_progress, "p_setback": analysis.p_setback,
                "delta": analysis.delta, "epsilon": analysis.epsilon,
                "window_months": analysis.window_months,
            },
            "robustness": robustness(c, analysis),
        },
        "classes": {name: p for name, (p, _) in zip(CLASSES, classes)},
        "classes_se": {name: se for name, (_, se) in zip(CLASSES, classes)},
        "classes_by_date": {
            _month(times, h): {name: float(np.mean(k == i)) for i, name in enumerate(CLASSES)}
            for h, k in classes_by_horizon(c, analysis).items()
        },
        "milestones": milestones,
        "composite": {
            "start": float(np.median(c[:, 0])),
            "end_median": float(q[1]), "end_p05": float(q[0]), "end_p95": float(q[2]),
            "mean_setbacks": float(setbacks.mean()),
        },
        "uneven": uneven(m),
        "unequal": unequal(m),
        "events": _events(ds, cls),
    }


class Run(NamedTuple):
    """A run ready for figures and reports: its label, Dataset, per-trajectory metrics and summary."""

    label: str
    ds: xr.Dataset
    metrics: xr.Dataset
    summary: dict


def analyse(ds: xr.Dataset, analysis: SimpleNamespace | None = None, label: str | None = None) -> Run:
    """Metrics and summary of a run in one go; the label defaults to the scenario's name."""
    analysis = _analysis(ds, analysis)
    m = metrics(ds, analysis)
    return Run(label or ds.attrs["scenario"], ds, m, summarize(ds, analysis, m))


def headline(summary: dict) -> str:
    """Two lines: the verdict with its numbers, and the most likely class with the composite band."""
    v, comp = summary["verdict"], summary["composite"]
    t = v["thresholds"]
    verdict_word = "HOLDS" if v["holds"] else "DOES NOT HOLD"
    top = max(summary["classes"], key=summary["classes"].get)
    return (
        f"Thesis 'uneven but progressive' {verdict_word}: P(progress) = {v['p_progress']:.3f} ± {v['p_progress_se']:.3f} "
        f"(needs ≥ {t['p_progress']:g}), P(setback | progress) = {v['p_setback_given_progress']:.3f} "
        f"± {v['p_setback_given_progress_se']:.3f} (needs ≥ {t['p_setback']:g}).\n"
        f"Most likely: {top.replace('_', ' ')} ({summary['classes'][top]:.0%}); composite {comp['start']:.2f} → "
        f"{comp['end_median']:.2f} (90% band {comp['end_p05']:.2f}–{comp['end_p95']:.2f}) by {summary['end']}, "
        f"{summary['trajectories']:,} trajectories, scenario {summary['scenario']}."
    )
