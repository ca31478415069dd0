"""Differences between runs: the compared quantities and their standard errors, paired per future
when two runs share their random numbers (same seed, size and blocks) and kept every path."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..results.dataset import spec_of
from ..results.measures import CLASSES
from .outlook import Run


class Estimate(NamedTuple):
    """A run's mean of a quantity, its standard error and, where the run kept them, the per-future values."""

    mean: float
    se: float
    values: np.ndarray | None = None


def estimate(values: np.ndarray) -> Estimate:
    x = values.astype(np.float64)
    se = float(x.std(ddof=1) / np.sqrt(x.size)) if x.size > 1 else float("nan")
    return Estimate(float(x.mean()), se, x)


def quantities(run: Run) -> dict[str, Estimate]:
    """The compared quantities of a run: probabilities of progress, classes and milestones, setbacks
    and drawdown, and the composite's net change where the run kept per-future values."""
    s, ens = run.summary, run.ensemble
    outlook = ens.per_future("outlook")
    if outlook is not None:
        out = {"P(progress)": estimate(outlook <= 1)}
        out.update({f"P({c.replace('_', ' ')})": estimate(outlook == i) for i, c in enumerate(CLASSES)})
        out.update({f"P({ms.replace('_', ' ')} by the end)": estimate(ens.per_future(f"crossing:{ms}") >= 0)
                    for ms in ens.milestones})
        out.update({"composite net change": estimate(ens.per_future("net_change:composite")),
                    "setback episodes": estimate(ens.per_future("setbacks")),
                    "maximum drawdown": estimate(ens.per_future("max_drawdown"))})
        return out
    out = {"P(progress)": Estimate(s["verdict"]["p_progress"], s["verdict"]["p_progress_se"])}
    out.update({f"P({c.replace('_', ' ')})": Estimate(s["classes"][c], s["classes_se"][c]) for c in CLASSES})
    out.update({f"P({ms.replace('_', ' ')} by the end)": Estimate(x["p_by_end"], x["p_by_end_se"])
                for ms, x in s["milestones"].items()})
    out.update({key: Estimate(s["uneven"][name]["mean"], s["uneven"][name]["mean_se"])
                for key, name in (("setback episodes", "setbacks"), ("maximum drawdown", "max_drawdown"))})
    return out


def paired(a: Run, b: Run) -> bool:
    """Common random numbers and per-future values in both: same seed, size and block layout, so
    future i meets the same random draws in both runs."""
    if a.ensemble.per_future("outlook") is None or b.ensemble.per_future("outlook") is None:
        return False
    da, db = a.ensemble.ds, b.ensemble.ds
    return (da.attrs["seed"] == db.attrs["seed"] and a.ensemble.n == b.ensemble.n
            and spec_of(da).run.block_size == spec_of(db).run.block_size)


def difference(x: Estimate, y: Estimate, is_paired: bool) -> tuple[float, float]:
    """Mean of y minus mean of x and its standard error (paired per future when the runs share streams)."""
    if is_paired:
        d = estimate(y.values - x.values)
        return d.mean, d.se
    return y.mean - x.mean, float(np.hypot(x.se, y.se))
