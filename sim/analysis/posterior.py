"""The verdict across the posterior's parameter sets: a run of model=calibrated draws each future's
parameters from the posterior, so P(progress) and P(setback | progress) vary from set to set. Their
spread between sets is the parameters' share of the verdict's uncertainty; the binomial noise of each
set's few futures is taken out of it (method of moments), so that the interval is the parameters'."""

from __future__ import annotations

import numpy as np
from scipy import stats

from .. import months
from ..results.measures import horizons
from .ensemble import Ensemble

Z90 = 1.645  # a central 90 % interval of a normal


def spread(values: np.ndarray, trials: np.ndarray) -> dict:
    """Mean over sets of per-set shares `values` from `trials` futures each, the between-set standard
    deviation net of binomial noise, and the 90 % interval it implies (within [0, 1])."""
    keep = trials > 0
    p, n = values[keep], trials[keep]
    mean = float(p.mean())
    noise = float(np.mean(p * (1 - p) / n))
    sd = float(np.sqrt(max(p.var(ddof=1) - noise, 0.0))) if p.size > 1 else float("nan")
    return {"mean": mean, "sd_between_sets": sd, "p05": float(max(mean - Z90 * sd, 0.0)),
            "p95": float(min(mean + Z90 * sd, 1.0)), "sets": int(p.size)}


def verdict_across_sets(ens: Ensemble) -> dict | None:
    """At every reporting horizon and the end: P(progress) and P(setback | progress) across parameter sets;
    None for a run without per-future parameter sets (not calibrated, or summary mode)."""
    if "parameter_set" not in ens.ds or ens.per_future("outlook") is None:
        return None
    sets = ens.ds["parameter_set"].values
    count = int(ens.ds.attrs["parameter_sets"])
    out = {}
    for h in horizons(ens.months):
        classes = ens.per_future(f"horizon_outlook:{h}")
        progress = np.bincount(sets, weights=classes <= 1, minlength=count)
        uneven = np.bincount(sets, weights=classes == 0, minlength=count)
        futures = np.bincount(sets, minlength=count)
        out[months.of_date(ens.times[h])] = {
            "p_progress": spread(np.divide(progress, futures, where=futures > 0, out=np.zeros(count)), futures),
            "p_setback_given_progress": spread(np.divide(uneven, progress, where=progress > 0, out=np.zeros(count)),
                                               progress)}
    return out


def rho_interval(rho: float, sets: int) -> list[float]:
    """The 95 % interval of a Spearman correlation over `sets` pairs (Fisher's z with Bonett and Wright's
    2000 standard error): over 50 sets about ±0.3, so the order of correlations near each other is noise."""
    if sets < 4:
        return [-1.0, 1.0]
    half = 1.96 * np.sqrt((1 + rho**2 / 2) / (sets - 3))
    z = np.arctanh(np.clip(rho, -0.999999, 0.999999))
    return [float(np.tanh(z - half)), float(np.tanh(z + half))]


def deciding(ens: Ensemble, top: int = 3) -> list[dict] | None:
    """The parameters whose posterior values move the verdict most: the Spearman correlation, across
    parameter sets, of each set's P(progress) and P(setback | progress) by the end with each parameter;
    the `top` by the larger of the two, with their p-values and 95 % intervals. None for a run without
    parameter sets."""
    if "parameter_set" not in ens.ds or ens.per_future("outlook") is None:
        return None
    sets, classes = ens.ds["parameter_set"].values, ens.per_future("outlook")
    count = int(ens.ds.attrs["parameter_sets"])
    futures = np.bincount(sets, minlength=count)
    progress = np.bincount(sets, weights=classes <= 1, minlength=count)
    uneven = np.bincount(sets, weights=classes == 0, minlength=count)
    shares = {"p_progress": progress / np.maximum(futures, 1),
              "p_setback_given_progress": uneven / np.maximum(progress, 1)}
    values, keys = ens.ds["set_value"].values, [str(k) for k in ens.ds["parameter_key"].values]
    found, seen = [], {}
    for j, key in enumerate(keys):
        ranks = tuple(stats.rankdata(values[:, j]))
        if np.ptp(values[:, j]) == 0 or ranks in seen:  # a factor on every track: one parameter, named once
            if ranks in seen:
                seen[ranks]["key"] = key.rsplit(".", 1)[0] + ".*"
            continue
        row = {"key": key}
        seen[ranks] = row
        for name, share in shares.items():  # a probability equal in every set is decided by no parameter
            rho, p = stats.spearmanr(values[:, j], share) if np.ptp(share) > 0 else (0.0, 1.0)
            row[name] = {"rho": float(rho), "p_value": float(p), "interval": rho_interval(float(rho), count)}
        found.append(row)
    found.sort(key=lambda r: -max(abs(r["p_progress"]["rho"]), abs(r["p_setback_given_progress"]["rho"])))
    return found[:top]
