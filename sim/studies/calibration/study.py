"""The calibration study: the posterior of the model's uncertain parameters given the record up to a
month (inference/smc2.py), written with what the sampler did and how much the record taught."""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd

from ... import files, months
from ...config.compose import compose, prepare
from ...config.validate import RunSpec, section
from ...errors import ConfigError
from ...inference import observation, prior as priors, smc2
from ...record import derived
from ...run import executors
from ...run.progress import Bar
from . import sets
from .figures import posterior_figure, sampler_figure

@dataclass
class Study:
    """A calibration ready to run: the model's spec, its prior, the sampler's settings and the record."""

    name: str
    spec: RunSpec
    seed: int
    prior: priors.Prior
    settings: smc2.Settings
    record: derived.Record
    until: int               # the last month of the record used
    keep: list[int]          # the months whose posterior draws are kept (sets.csv)
    slices: SimpleNamespace  # the likelihood slices' settings (slices.py)

    def pool(self):
        """Where the proposals' filters run: calibration.workers local processes (at most the cores), or the
        Dask cluster of run.executor=dask (sim/run/executors.pool)."""
        return executors.pool(self.spec.run, min(self.settings.workers, executors.cores()))


def load(overrides: list[str], studies: tuple[str, ...] = ()) -> Study:
    """The study of configs/calibration/<name>.yaml with the overrides (and the config groups of `studies`
    that build on it, e.g. "backtest"), every problem one line before any work. The model is `default`
    unless named: a prior that scales a model value (scale: true) must scale the model's own value, not
    a posterior median of the record installed as model=calibrated."""
    chosen = {group: next((a.split("=", 1)[1] for a in overrides if a.startswith(f"{group}=")), "default")
              for group in ("calibration", *studies)}
    model = [] if any(a.startswith("model=") for a in overrides) else ["model=default"]  # not the installed posterior
    cfg = compose([*(f"+{group}={name}" for group, name in chosen.items()), *model,
                   *(a for a in overrides if a.split("=", 1)[0] not in chosen)])
    spec, seed, _ = prepare(cfg)
    if not hasattr(spec.model, "record"):
        raise ConfigError("model", spec.config["model"].get("name", "?"), "must be a model tied to the record "
                          "(model=default); the reference model starts from judged levels")
    c = section(spec.config, "calibration", spec.tracks)
    record = derived.load()
    end = derived.end_month(*record)
    until = end if c.until is None else c.until
    if not spec.model.record.start < until <= end:
        raise ConfigError("calibration.until", months.text(until),
                          f"must lie between the record's start ({months.text(spec.model.record.start)}) and end ({months.text(end)})")
    derived.check_cut(record, until, "calibration.until")
    prior = priors.load(spec.config["calibration"]["prior"], spec.config)
    settings = smc2.Settings(c.sets, c.particles, c.moves, c.threshold, c.samples, c.workers, c.noise,
                             c.max_particles, c.renewal)
    kept = sorted({until, *(m for m in c.keep if m < until)})
    return Study(c.name, spec, seed, prior, settings, record, until, kept, c.slices)


def run(study: Study, out: Path) -> dict[str, Any]:
    """Sample the posterior; write sets.csv, posterior.csv, the figures and calibration.json (last)."""
    out.mkdir(parents=True, exist_ok=True)
    (out / sets.MARKER).unlink(missing_ok=True)
    obs = observation.observe(study.record, study.spec.model, study.until)
    began = time.perf_counter()
    sampler = smc2.Sampler(study.spec.config, study.prior, obs, study.settings, study.seed, Bar("calibrating"))
    with study.pool() as mapper:
        posterior = sampler.run(study.keep, mapper)
    seconds = time.perf_counter() - began
    final = posterior.snapshots[study.until]
    table = widths(study.prior, final.theta)
    sets.write(out / sets.SETS_FILE, study.prior, study.spec.config, posterior)
    with files.atomic(out / "posterior.csv") as tmp:
        pd.DataFrame.from_dict(table, orient="index").to_csv(tmp, index_label="parameter", float_format="%.6g")
    posterior_figure(study.prior, final.theta, out / "figures" / "posterior.png")
    sampler_figure(posterior, obs.first, out / "figures" / "sampler.png")
    summary = {
        "name": study.name, "seed": study.seed, "record_until": months.text(study.until),
        "settings": asdict(study.settings), "seconds": round(seconds, 1),
        "trajectories": sampler.trajectories, "trajectory_months": sampler.trajectory_months,
        "final_particles": sampler.particles,
        "log_evidence": final.evidence, "final_ess": final.ess, "min_ess": float(posterior.ess.min()),
        "rejuvenations": posterior.moves, "kept_months": [months.text(m) for m in study.keep],
        "parameters": table,
    }
    files.write_text(out / sets.MARKER, json.dumps(summary, indent=1) + "\n")
    return summary


def widths(prior: priors.Prior, theta: np.ndarray) -> dict[str, dict[str, float]]:
    """Per parameter: prior and posterior 5/50/95 % quantiles and the ratio of the posterior's 90 % width to the
    prior's on the unconstrained scale (how much the record narrowed it: 1 = nothing)."""
    means, sds = prior.moments()
    out = {}
    for j, p in enumerate(prior.parameters):
        post = np.quantile(theta[:, j], [0.05, 0.5, 0.95])
        u = p.unconstrained(post)
        out[p.name] = {"key": p.key, "prior_5": float(p.natural(means[j] - 1.645 * sds[j])),
                       "prior_50": float(p.centre), "prior_95": float(p.natural(means[j] + 1.645 * sds[j])),
                       "posterior_5": float(post[0]), "posterior_50": float(post[1]), "posterior_95": float(post[2]),
                       "width_ratio": float((u[2] - u[0]) / (2 * 1.645 * sds[j]))}
    return out
