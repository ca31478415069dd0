"""Likelihood slices: what the record itself says of each parameter, whatever the sampler. One parameter
at a time is moved over a grid of its prior standard deviations, every other held (at the truth on a
replicated record, at the posterior medians in use on the real record), and the particle filter's
log-likelihood of the record is computed anew, several times, to measure its own noise. A slice's
curvature gives the narrowest posterior the record could give the parameter were every other known (a
slice, not a profile: the others are held, not maximised); a slice flat within its noise says no
calibration of a record of this layout can pin the parameter."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pandas as pd

from ... import files, months, rng
from ...config.compose import MODEL_DIR
from ...config.design import lookup
from ...errors import ConfigError, UsageError
from ...inference import smc2
from ...inference.observation import Observations, observe
from ...inference.prior import Prior
from ...run.progress import Bar
from .figures import slice_figure
from .sbc import replicated
from .sets import SETS_FILE
from .study import Study

MARKER = "slices.json"


def loglik(config: dict, prior: Prior, u: np.ndarray, particles: int, obs: Observations, seed: int) -> np.ndarray:
    """(n,) the filter's log-likelihood of the whole record for each unconstrained point."""
    return smc2.filtered(config, prior, u, particles, obs, obs.months, seed)[2]


def offsets_of(settings) -> np.ndarray:
    """The grid's offsets in prior sds: `points` evenly over ± `span` (calibration.slices)."""
    return np.linspace(-settings.span, settings.span, settings.points)


def grid(centre: np.ndarray, sds: np.ndarray, columns: list[int], offsets: np.ndarray) -> np.ndarray:
    """(columns × offsets, D) the centre (D,) with one parameter at a time moved by each offset × its prior sd."""
    u = np.repeat(centre[None, :], len(columns) * offsets.size, axis=0)
    for i, j in enumerate(columns):
        u[i * offsets.size:(i + 1) * offsets.size, j] = centre[j] + offsets * sds[j]
    return u


def curvature(offsets: np.ndarray, values: np.ndarray) -> np.ndarray:
    """(repeats,) the quadratic coefficient of a least-squares parabola through each repeat's slice
    (offsets, repeats): log-likelihood per squared prior sd, negative where the record is informative. Points
    outside the values the model accepts (NaN) are left out; NaN where fewer than four remain."""
    kept = np.isfinite(values).all(axis=1)
    if kept.sum() < 4:
        return np.full(values.shape[1], np.nan)
    return np.polyfit(offsets[kept], values[kept], 2)[0]


def narrowest(c: np.ndarray) -> np.ndarray:
    """The posterior's sd against the prior's if the slice's curvature c were the likelihood's (a normal
    prior of precision 1 and a likelihood of precision −2c, in prior sd units): 1 where c ≥ 0."""
    return 1 / np.sqrt(1 + np.maximum(0.0, -2 * c))


def along(study: Study, config: dict, centre: np.ndarray, columns: list[int], obs: Observations, seed: int,
             mapper) -> np.ndarray:
    """(columns, offsets, repeats) the record's log-likelihood along each parameter, a repeat per job; NaN at
    points outside the values the model accepts (a replicated record's truth can lie near them)."""
    p = study.slices
    u = grid(centre, study.prior.moments()[1], columns, offsets_of(p))
    inside = study.prior.inside(u)  # a point outside the truncated prior has no likelihood: NaN
    jobs = [(config, study.prior, u[inside], p.particles, obs, rng.child_seed(seed, k, "slice")) for k in range(p.repeats)]
    out = np.full((u.shape[0], p.repeats), np.nan)
    out[inside] = np.stack(mapper(loglik, jobs), axis=-1)
    return out.reshape(len(columns), p.points, p.repeats)


def posterior_centre(prior: Prior, config: dict, table: pd.DataFrame) -> np.ndarray:
    """(D,) the unconstrained posterior medians of the draws in a sets table (the model keys they set)."""
    values = []
    for p in prior.parameters:
        base = lookup(config, p.key)
        if p.scale and isinstance(base, dict):
            track = next(iter(base))
            column = table[f"{p.key}.{track}"] / float(base[track])
        else:
            column = table[p.key] / (float(base) if p.scale else 1.0)
        values.append(float(np.median(column)))
    return prior.unconstrained(np.array([values]))[0]


def held(study: Study, sets_file: Path) -> np.ndarray | None:
    """(D,) the posterior medians in use given the record to the study's month, where the real record is
    sliced; None when the installed sets hold no draws given the record to that month."""
    if not sets_file.exists():
        return None
    table = pd.read_csv(sets_file)
    given = table[table.record_until == months.text(study.until)]
    return posterior_centre(study.prior, study.spec.config, given) if len(given) else None


def records(study: Study, replicates: int, sets_file: Path) -> list[tuple[str, int, np.ndarray, Observations, dict]]:
    """The records to slice, each with its label, number (0 the real one), centre, observations and config:
    the real record at the posterior medians in use (when there are some, `held`), then `replicates`
    records made from known parameters, at their truth."""
    centre = held(study, sets_file)
    out = [] if centre is None else [("record", 0, centre, observe(study.record, study.spec.model, study.until),
                                      study.spec.config)]
    for r in range(replicates):
        truth, obs, config = replicated(study, study.until, study.seed, r)
        out.append((f"replicate {r + 1}", r + 1, truth[0], obs, config))
    return out


def chosen(study: Study, replicates: int, sets_file: Path = MODEL_DIR / SETS_FILE) -> list[str]:
    """The parameters to slice (calibration.slices.parameters; none named: all the prior's), each checked,
    and a refusal when there is no record to slice."""
    if replicates == 0 and held(study, sets_file) is None:
        raise UsageError(f"--slices 0: the posterior in use ({sets_file.name}) holds no draws given the record to "
                         f"{months.text(study.until)}, where the real record would be sliced; ask for replicated records "
                         "(--slices N) or calibrate to that month and install it")
    names = list(study.slices.parameters) or study.prior.names
    unknown = [n for n in names if n not in study.prior.names]
    if unknown:
        raise ConfigError("calibration.slices.parameters", unknown,
                          "must name parameters of calibration.prior: " + ", ".join(study.prior.names))
    return names


def run(study: Study, replicates: int, out: Path, sets_file: Path = MODEL_DIR / SETS_FILE) -> dict:
    """Slices along calibration.slices.parameters on the real record and `replicates` replicated ones:
    slices.csv (every log-likelihood, rewritten as each record ends), figures/slices.png, and slices.json
    (last) with each slice's curvature, its standard error over the repeats, and the narrowest posterior
    width it allows."""
    names = chosen(study, replicates, sets_file)
    columns = [study.prior.names.index(n) for n in names]
    began, progress = time.perf_counter(), Bar("slicing the record's likelihood")
    made = records(study, replicates, sets_file)
    offsets = offsets_of(study.slices)
    out.mkdir(parents=True, exist_ok=True)
    (out / MARKER).unlink(missing_ok=True)
    found, rows = {}, []
    with study.pool() as mapper:
        for k, (label, number, centre, obs, config) in enumerate(made):
            found[label] = along(study, config, centre, columns, obs, rng.child_seed(study.seed, number, "slices"), mapper)
            rows += [(label, names[i], round(float(offsets[x]), 6), rep, value)
                     for (i, x, rep), value in np.ndenumerate(found[label])]
            with files.atomic(out / "slices.csv") as tmp:  # rewritten as each record ends: a stopped study keeps them
                table = pd.DataFrame(rows, columns=["record", "parameter", "offset", "repeat", "loglik"])
                table.to_csv(tmp, index=False, float_format="%.3f")
            progress(k + 1, len(made))
    summary = summarise(found, names, offsets)
    summary.update(records=len(made), seconds=round(time.perf_counter() - began, 1), record_until=months.text(study.until),
                   settings=vars(study.slices) | {"parameters": names}, seed=study.seed)
    slice_figure(found, names, offsets, summary["parameters"], out / "figures" / "slices.png")
    files.write_text(out / MARKER, json.dumps(summary, indent=1) + "\n")
    return summary


def summarise(found: dict[str, np.ndarray], names: list[str], offsets: np.ndarray) -> dict:
    """Per parameter and record: the mean curvature, its standard error over the repeats, the narrowest width
    it allows (and at two standard errors more curved); per parameter the median narrowest width of the
    replicated records."""
    parameters = {}
    for i, name in enumerate(names):
        each = {}
        for label, values in found.items():
            c = curvature(offsets, values[i])
            if np.isnan(c).any():
                each[label] = {"curvature": None, "se": None, "narrowest_width": None, "narrowest_width_2se": None}
                continue
            mean, se = float(c.mean()), float(c.std(ddof=1) / np.sqrt(c.size))
            each[label] = {"curvature": round(mean, 3), "se": round(se, 3),
                           "narrowest_width": round(float(narrowest(mean)), 3),
                           "narrowest_width_2se": round(float(narrowest(mean - 2 * se)), 3)}
        replicas = [v["narrowest_width"] for label, v in each.items() if label != "record" and v["narrowest_width"] is not None]
        parameters[name] = {"records": each, "median_replicated": round(float(np.median(replicas)), 3) if replicas else None}
    return {"parameters": parameters}


def said(summary: dict) -> str:
    """One line: each parameter's narrowest posterior / prior width on the record and the replicated median."""
    def width(value) -> str:
        return "–" if value is None else f"{value:.2f}"
    skipped = "" if any("record" in p["records"] for p in summary["parameters"].values()) else \
        f" (not the real record: the posterior in use holds no draws given it to {summary['record_until']})"
    return (f"Likelihood slices along {len(summary['parameters'])} parameters on {summary['records']} records{skipped} in "
            f"{summary['seconds']:.0f} s; the narrowest posterior / prior width each allows (record; replicated median): "
            + ", ".join(f"{name} {width(p['records'].get('record', {}).get('narrowest_width'))}; {width(p['median_replicated'])}"
                        for name, p in summary["parameters"].items()) + ".")
