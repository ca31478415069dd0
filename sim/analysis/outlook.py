"""From a run's results to its outlook: the verdict on the thesis, classes, milestones, unevenness, inequality.

One summary for both kinds of run (ensemble.py). Every probability comes with its Monte Carlo
standard error √(p(1−p)/n), every mean with s/√n.
"""

from __future__ import annotations

import itertools
from types import SimpleNamespace
from typing import NamedTuple

import numpy as np
import xarray as xr

from .. import months
from ..record import derived
from ..results.counts import order_statistic
from ..results.measures import CLASSES, GRID_FACTORS, horizons
from . import forecast, identity, posterior
from .ensemble import Ensemble, share_of, view

# The verdict is re-taken over a grid around its own thresholds: δ and ε halved and doubled
# (measures.GRID_FACTORS), p1 and p2 moved by ±0.1 (clipped to [0, 1]).
GRID_SHIFTS = (-0.1, 0.0, 0.1)
RECORD_FULL_FROM = 2005  # the record holds every event from then on (data/README.md)
UNEVEN = {"setbacks": ("setbacks", 1), "max_drawdown": ("max_drawdown", 1), "reversals": ("reversals", 1),
          "decline_years": ("decline_months", 12)}  # summary key → (measure, its value per unit)


def verdict_counts(n: int, progress: int, with_setback: int, p1: float, p2: float) -> dict:
    """The thesis test from counts: n futures, `progress` of them progressing, `with_setback` of
    those with a setback; P(progress) ≥ p1 and P(setback | progress) ≥ p2, with errors and margins."""
    p, se = share_of(progress, n)
    q, qse = share_of(with_setback, progress)
    return {
        "holds": bool(p >= p1 and q >= p2), "p_progress": p, "p_progress_se": se,
        "p_setback_given_progress": q, "p_setback_given_progress_se": qse,
        "margin_se": {"p_progress": _margin(p, p1, se), "p_setback": _margin(q, p2, qse)},
    }


def _margin(p: float, threshold: float, se: float) -> float | None:
    """How many standard errors a probability lies above (+) or below (−) its threshold."""
    return float((p - threshold) / se) if se > 0 else None


def by_horizon(classes: np.ndarray, n: int) -> dict:
    """P(progress) and P(setback | progress) judged over the months up to a horizon, from its class counts."""
    uneven, smooth = int(classes[CLASSES.index("uneven_progress")]), int(classes[CLASSES.index("smooth_progress")])
    p, se = share_of(uneven + smooth, n)
    q, qse = share_of(uneven, uneven + smooth)
    return {"p_progress": p, "p_progress_se": se, "p_setback_given_progress": q, "p_setback_given_progress_se": qse}


def uneven_years(ens: Ensemble) -> dict | None:
    """Unevenness by the record's own measure: years in which a future's setbacks outnumber its steps
    (events, as the record's rows count them). P(at least one such year | progress), such years per decade,
    and the record's own rate (2005 on, when it holds every event); None without an event log or such events."""
    steps, setbacks = ens.per_year("step"), ens.per_year("setback")
    if steps is None or not setbacks.any():
        return None
    uneven = setbacks > steps
    progress = ens.per_future("outlook") <= 1
    p, se = share_of(int(uneven[progress].any(axis=1).sum()), int(progress.sum()))
    events = derived.load().events
    year, last = events.month // 12, events.last_month // 12 - (events.last_month % 12 != 11)
    record = [((year == y) & (events.direction < 0)).sum() > ((year == y) & (events.direction > 0)).sum()
              for y in range(RECORD_FULL_FROM, last + 1)]
    return {"p_given_progress": p, "p_given_progress_se": se, "per_decade": float(uneven.mean() * 10),
            "record_per_decade": float(np.mean(record) * 10), "record_years": [RECORD_FULL_FROM, int(last)]}


def robustness_counts(counts: np.ndarray, n: int, analysis: SimpleNamespace) -> dict:
    """The verdict over the grid of δ, ε (counts from measures.grid_counts), p1 and p2: whether it
    holds at each point, and the share of points where it holds by each value."""
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


def milestone(crossing: np.ndarray, times: np.ndarray, marks: list[int]) -> dict:
    """Probability by the end and by each horizon, and crossing dates (over all futures, and if
    reached), from first-crossing counts per month (the last entry: never)."""
    n, reached = int(crossing.sum()), int(crossing[:-1].sum())
    p, se = share_of(reached, n)
    median = order_statistic(crossing, (n - 1) // 2)  # the lower median over all futures
    cum = np.cumsum(crossing)
    out = {
        "p_by_end": p, "p_by_end_se": se,
        "median_date": None if median == crossing.size - 1 else months.of_date(times[median]),
        "p_by": {months.of_date(times[h]): float(cum[h] / n) for h in marks},
        "median_date_if_reached": None, "p25_date_if_reached": None, "p75_date_if_reached": None,
    }
    if reached:
        for key, q in (("p25", 0.25), ("median", 0.5), ("p75", 0.75)):
            when = order_statistic(crossing[:-1], int(np.floor(q * (reached - 1))))
            out[f"{key}_date_if_reached"] = months.of_date(times[when])
    return out


def summarize(ens: Ensemble | xr.Dataset) -> dict:
    """The run's summary (summary.json): what was run, the verdict and its robustness, classes,
    milestones, unevenness, inequality, events and the answers to its forecast questions; and
    `start_state` when the run starts from a state it records (identity.start_state)."""
    ens = view(ens) if isinstance(ens, xr.Dataset) else ens
    a, n, times, attrs = ens.analysis, ens.n, ens.times, ens.ds.attrs
    marks = horizons(ens.months)
    classes, grid = ens.tallied("classes"), ens.tallied("verdict_grid")
    centre = len(GRID_FACTORS) // 2
    start, end = ens.band("composite", [0.5])[0, 0], ens.band("composite", [0.05, 0.5, 0.95])[:, -1]
    by_class = ens.tallied("events_by_class")
    leads, lags = ens.tallied("leads"), ens.tallied("lags")
    net = {t: ens.net_change(t).quantiles([0.05, 0.5, 0.95]) for t in ens.tracks}
    spread = ens.metric("spread").quantiles([0.05, 0.5, 0.95])
    uneven = {}
    for key, (name, unit) in UNEVEN.items():
        dist = ens.metric(name).per(unit)
        mean, se = dist.mean_se()
        q = dist.quantiles([0.05, 0.5, 0.95])
        uneven[key] = {"mean": mean, "mean_se": se, "p05": float(q[0]), "median": float(q[1]), "p95": float(q[2])}
    medians = np.array([net[t][1] for t in ens.tracks])
    return {
        "scenario": attrs["scenario"], "model": identity.model_name(ens.ds), "overrides": identity.overrides(ens.ds),
        "seed": int(attrs["seed"]), "trajectories": n, "start": attrs["start"], "end": attrs["end"],
        **({"start_state": identity.start_state(ens.ds)} if identity.start_state(ens.ds) else {}),
        "verdict": {
            **verdict_counts(n, int(grid[centre, centre, 0]), int(grid[centre, centre, 1]), a.p_progress, a.p_setback),
            "thresholds": {"p_progress": a.p_progress, "p_setback": a.p_setback, "delta": a.delta,
                           "epsilon": a.epsilon, "window_months": a.window_months},
            "robustness": robustness_counts(grid, n, a),
        },
        "verdict_by_date": {months.of_date(times[h]): by_horizon(row, n) for h, row in zip(marks, ens.tallied("horizon_classes"))},
        **({"verdict_across_sets": across, "deciding_parameters": posterior.deciding(ens)}
           if (across := posterior.verdict_across_sets(ens)) else {}),
        **({"uneven_by_record": record_measure} if (record_measure := uneven_years(ens)) else {}),
        "classes": {c: share_of(int(k), n)[0] for c, k in zip(CLASSES, classes)},
        "classes_se": {c: share_of(int(k), n)[1] for c, k in zip(CLASSES, classes)},
        "classes_by_date": {months.of_date(times[h]): {c: float(k / n) for c, k in zip(CLASSES, row)}
                            for h, row in zip(marks, ens.tallied("horizon_classes"))},
        "milestones": {name: {"track": ms.track, "threshold": ms.threshold,
                              **milestone(ens.tallied("crossing")[j], times, marks)}
                       for j, (name, ms) in enumerate(vars(a.milestones).items())},
        "composite": {"start": float(start), "end_median": float(end[1]), "end_p05": float(end[0]),
                      "end_p95": float(end[2]), "mean_setbacks": uneven["setbacks"]["mean"]},
        "uneven": uneven,
        "unequal": {
            "net_change": {t: {"median": float(q[1]), "p05": float(q[0]), "p95": float(q[2])} for t, q in net.items()},
            "leads": {t: float(k / n) for t, k in zip(ens.tracks, leads)},
            "lags": {t: float(k / n) for t, k in zip(ens.tracks, lags)},
            "leader": ens.tracks[int(np.argmax(medians))], "laggard": ens.tracks[int(np.argmin(medians))],
            "spread_median": float(spread[1]), "spread_p05": float(spread[0]), "spread_p95": float(spread[2]),
        },
        "events": {str(e): {"mean": float(by_class[:, j].sum() / n),
                            "by_class": {c: float(by_class[i, j] / classes[i]) if classes[i] else None
                                         for i, c in enumerate(CLASSES)}}
                   for j, e in enumerate(ens.ds["event"].values)},
        **dict(zip(("questions", "questions_not_answered"), forecast.answer(ens, forecast.of_run(ens.ds)))),
    }


class Run(NamedTuple):
    """A run ready for figures and reports: its label, its view and its summary."""

    label: str
    ensemble: Ensemble
    summary: dict


def analyse(ds: xr.Dataset, analysis: SimpleNamespace | None = None, label: str | None = None) -> Run:
    """View and summary of a run in one go; the label defaults to the scenario's name."""
    ens = view(ds, analysis)
    return Run(label or ds.attrs["scenario"], ens, summarize(ens))


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
        + _deciding(summary)
    )


def _deciding(summary: dict) -> str:
    """A third line for a run whose futures drew their parameters from the posterior: what moves the verdict,
    with how far each correlation is from its noise over the run's sets."""
    found = summary.get("deciding_parameters")
    if not found:
        return ""
    named = [f"{r['key'].removeprefix('model.')} (ρ = {r['p_progress']['rho']:+.2f} with P(progress), "
             f"{r['p_setback_given_progress']['rho']:+.2f} with P(setback | progress))" for r in found]
    sets = next(iter(summary["verdict_across_sets"].values()))["p_progress"]["sets"]
    noise = posterior.rho_interval(0.0, sets)[1]  # the half-width of a 95 % interval about ρ = 0
    return (f"\nDecided most, across the posterior's {sets} parameter sets (each ρ ± {noise:.2f} at 95 %; "
            "more sets with run.particles), by: " + "; ".join(named) + ".")
