"""Simulation-based calibration (Talts et al. 2018) of the calibration itself: parameters drawn from the
prior make a record (replicate.py, the real record's layout), the sampler finds their posterior given
that record, and the rank of the true value among the posterior's draws is uniform for every
parameter when the sampler is right. A posterior too narrow piles the ranks at both ends, one
biased at one end. A record that reaches the article's judged month (2021-11) holds a judgement
of its own: its true levels there with the judgement's stated error, the observation model's rule.
Each record's posterior width against the prior's is kept too: how much a record of the real
record's layout can teach of each parameter when the model is true."""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Callable
from dataclasses import asdict, replace
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from ... import files, months, rng
from ...inference import observation, replicate, smc2
from ...record import derived
from ...run.progress import Bar
from .figures import sbc_figure
from .study import Study, widths

MARKER = "sbc.json"


def posteriors(study: Study, replicates: int, until: int, draws: int, seed: int,
               so_far: Callable[[np.ndarray, np.ndarray, pd.DataFrame], None] | None = None,
               ) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    """True values (replicates, parameters) drawn from the prior, `draws` posterior draws given the record
    each made (replicates, draws, parameters), on the parameters' own scale, and each record's posterior
    width against the prior's (replicates rows, a column per parameter); `so_far` is given the three after
    each record."""
    prior = study.prior
    settings = replace(study.settings, samples=draws)
    truths, found, narrowed, progress = [], [], [], Bar("calibrating replicated records")
    for r in range(replicates):
        truth, obs, config = replicated(study, until, seed, r)
        with study.pool() as mapper:
            posterior = smc2.Sampler(config, prior, obs, settings, rng.child_seed(seed, r, "sbc-sampler")).run(
                [until], mapper)
        truths.append(prior.natural(truth)[0])
        found.append(posterior.snapshots[until].theta)
        narrowed.append({name: w["width_ratio"] for name, w in widths(prior, found[-1]).items()})
        if so_far is not None:
            so_far(np.array(truths), np.array(found), pd.DataFrame(narrowed, columns=list(prior.names)))
        progress(r + 1, replicates)
    return np.array(truths), np.array(found), pd.DataFrame(narrowed, columns=list(prior.names))


def replicated(study: Study, until: int, seed: int, r: int) -> tuple[np.ndarray, observation.Observations, dict]:
    """Record r of a study's replicated records to `until`: the true parameters (1, D) drawn from the prior
    (unconstrained), the record they made as the filter reads it, and the config holding its own judgement."""
    spec, prior = study.spec, study.prior
    model, first = spec.model, spec.model.record.start
    asymmetry = derived.asymmetry(study.record.indicators, model.record.territory_ratio)
    truth = prior.sample(1, rng.stream(seed, r, "sbc-truth"))
    truth_model = smc2.population_model(spec.config, prior, truth, 1)
    made = replicate.replicate(truth_model, 1, first, until - first + 1, asymmetry, rng.child_seed(seed, r, "sbc-record"))
    record = replicate.as_record(made, 0, spec.tracks, study.record, model.record.contract_per_brent)
    obs = observation.observe(record, model, until)
    return truth, obs, judged(spec.config, model, made, until, rng.stream(seed, r, "sbc-judgement"))


def judged(config: dict, model, made: replicate.Replicas, until: int, generator: np.random.Generator) -> dict:
    """The config with the article's judged levels replaced by the replicated record's own judgement (its
    true levels at the judged month, each with the judgement's stated error, kept inside the levels'
    range), when the record reaches that month; the config as it is otherwise."""
    j = model.record.judgement
    if until < j.date:
        return config
    truth = made.levels[j.date - made.first, :, 0].astype(float)
    levels = np.clip(truth + j.spread * generator.standard_normal(truth.size), 0.01, 0.99)
    out = copy.deepcopy(config)
    out["model"]["record"]["judgement"]["levels"] = dict(zip(model.tracks, map(float, levels)))
    return out


def ranks(truths: np.ndarray, draws: np.ndarray) -> np.ndarray:
    """(replicates, parameters) the rank (0…draws) of each true value among its posterior draws."""
    return (draws < truths[:, None, :]).sum(axis=1)


def uniformity(ranks: np.ndarray, draws: int, bins: int) -> np.ndarray:
    """(parameters,) p-value of a chi-square test that each parameter's ranks are uniform on 0…draws, in `bins` bins."""
    edges = np.linspace(0, draws + 1, bins + 1)
    counts = np.stack([np.histogram(column, edges)[0] for column in ranks.T])
    expected = ranks.shape[0] * np.diff(edges) / (draws + 1)
    return stats.chi2.sf((((counts - expected) ** 2) / expected).sum(axis=1), bins - 1)


def run(study: Study, replicates: int, draws: int, out: Path) -> dict:
    """Simulation-based calibration over `replicates` records to calibration.until: ranks.csv and widths.csv
    (each record's posterior width against the prior's), rewritten after every record so that a study
    stopped midway keeps the records it finished; then the rank histograms (figures/sbc.png) and sbc.json
    (last) with each parameter's uniformity p-value and median width."""
    out.mkdir(parents=True, exist_ok=True)
    (out / MARKER).unlink(missing_ok=True)
    began = time.perf_counter()
    truths, found, narrowed = posteriors(study, replicates, study.until, draws, study.seed,
                                         partial(write_so_far, out, study.prior.names))
    seconds = time.perf_counter() - began
    found_ranks = ranks(truths, found)
    bins = 5 if (draws + 1) % 5 == 0 else 4 if (draws + 1) % 4 == 0 else 2
    p = uniformity(found_ranks, draws, bins)
    sbc_figure(found_ranks, study.prior.names, draws, bins, p, narrowed.median().to_numpy(), out / "figures" / "sbc.png")
    summary = {"replicates": replicates, "draws": draws, "bins": bins, "record_until": months.text(study.until),
               "seconds": round(seconds, 1),
               "settings": asdict(study.settings), "seed": study.seed,
               "p_values": dict(zip(study.prior.names, map(float, p))),
               "pooled_p_value": float(uniformity(found_ranks.reshape(-1, 1), draws, bins)[0]),
               "median_width_ratio": {name: round(float(v), 3) for name, v in narrowed.median().items()}}
    files.write_text(out / MARKER, json.dumps(summary, indent=1) + "\n")
    return summary


def write_so_far(out: Path, names: list[str], truths: np.ndarray, found: np.ndarray, narrowed: pd.DataFrame) -> None:
    """ranks.csv and widths.csv of the records calibrated so far."""
    with files.atomic(out / "ranks.csv") as tmp:
        pd.DataFrame(ranks(truths, found), columns=names).to_csv(tmp, index=False)
    with files.atomic(out / "widths.csv") as tmp:
        narrowed.to_csv(tmp, index=False, float_format="%.4g")
