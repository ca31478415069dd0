"""From an ensemble to an outlook: per-trajectory metrics, classes, milestones and the verdict.

Setback: the composite stands at least ε below its maximum of the preceding `window` months;
consecutive months of that condition are one episode. Classes follow MODEL.md with ΔC the
composite's change from the first to the last month. Every ensemble probability comes with
its Monte Carlo standard error √(p(1−p)/n).
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import xarray as xr

CLASSES = ("uneven_progress", "smooth_progress", "stagnation", "regression")


def setback_flags(c: np.ndarray, epsilon: float, window: int) -> np.ndarray:
    """(n, T) bool: month t is at least ε below the maximum of months t−window … t−1."""
    running = np.full(c.shape, -np.inf)
    for lag in range(1, window + 1):
        np.maximum(running[:, lag:], c[:, :-lag], out=running[:, lag:])
    return c <= running - epsilon


def setback_episodes(c: np.ndarray, epsilon: float, window: int) -> np.ndarray:
    """(n,) number of setback episodes: runs of consecutive setback months."""
    flags = setback_flags(c, epsilon, window)
    starts = flags[:, 1:] & ~flags[:, :-1]
    return flags[:, 0].astype(np.int64) + starts.sum(axis=1)


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


def _month(times: np.ndarray, index: int) -> str:
    return str(np.datetime64(times[index], "M"))


def summarize(ds: xr.Dataset, analysis: SimpleNamespace | None = None) -> dict:
    """The run's summary: verdict, classes, milestones and the composite's outlook.

    `analysis` defaults to the settings recorded in the Dataset's config.
    """
    if analysis is None:
        from .results import spec_of

        analysis = spec_of(ds).analysis
    c = ds["composite"].values.astype(np.float64)
    times = ds["time"].values
    n = c.shape[0]
    delta_c = c[:, -1] - c[:, 0]
    setbacks = setback_episodes(c, analysis.epsilon, analysis.window_months)
    cls = classify(delta_c, setbacks, analysis.delta)

    progress = cls <= 1
    p_progress, se_progress = share(progress)
    p_setback, se_setback = share(setbacks[progress] > 0)
    holds = bool(p_progress >= analysis.p_progress and p_setback >= analysis.p_setback)

    milestones = {}
    for name, ms in vars(analysis.milestones).items():
        series = c if ms.track == "composite" else ds["level"].sel(track=ms.track).values
        crossing = first_crossing(series, ms.threshold)
        p, se = share(crossing >= 0)
        never = np.iinfo(np.int64).max
        median = np.sort(np.where(crossing >= 0, crossing, never))[(n - 1) // 2]  # lower median over all
        milestones[name] = {
            "track": ms.track, "threshold": ms.threshold, "p_by_end": p, "p_by_end_se": se,
            "median_date": None if median == never else _month(times, int(median)),
        }

    q = np.quantile(c[:, -1], [0.05, 0.5, 0.95])
    return {
        "scenario": ds.attrs["scenario"],
        "seed": int(ds.attrs["seed"]),
        "trajectories": n,
        "start": ds.attrs["start"],
        "end": ds.attrs["end"],
        "verdict": {
            "holds": holds,
            "p_progress": p_progress,
            "p_progress_se": se_progress,
            "p_setback_given_progress": p_setback,
            "p_setback_given_progress_se": se_setback,
            "thresholds": {
                "p_progress": analysis.p_progress, "p_setback": analysis.p_setback,
                "delta": analysis.delta, "epsilon": analysis.epsilon,
                "window_months": analysis.window_months,
            },
        },
        "classes": {name: float(np.mean(cls == i)) for i, name in enumerate(CLASSES)},
        "milestones": milestones,
        "composite": {
            "start": float(np.median(c[:, 0])),
            "end_median": float(q[1]), "end_p05": float(q[0]), "end_p95": float(q[2]),
            "mean_setbacks": float(setbacks.mean()),
        },
    }


def headline(summary: dict) -> str:
    """Two lines: the verdict with its numbers, and the most likely class with the composite band."""
    v, comp = summary["verdict"], summary["composite"]
    t = v["thresholds"]
    verdict = "HOLDS" if v["holds"] else "DOES NOT HOLD"
    top = max(summary["classes"], key=summary["classes"].get)
    return (
        f"Thesis 'uneven but progressive' {verdict}: P(progress) = {v['p_progress']:.3f} ± {v['p_progress_se']:.3f} "
        f"(needs ≥ {t['p_progress']:g}), P(setback | progress) = {v['p_setback_given_progress']:.3f} "
        f"± {v['p_setback_given_progress_se']:.3f} (needs ≥ {t['p_setback']:g}).\n"
        f"Most likely: {top.replace('_', ' ')} ({summary['classes'][top]:.0%}); composite {comp['start']:.2f} → "
        f"{comp['end_median']:.2f} (90% band {comp['end_p05']:.2f}–{comp['end_p95']:.2f}) by {summary['end']}, "
        f"{summary['trajectories']:,} trajectories, scenario {summary['scenario']}."
    )
