"""Simulation-based calibration (Talts et al. 2018) of the calibration itself: parameters drawn from the
prior make a record (replicate.py, the real record's layout), the sampler finds their posterior given
that record, and the rank of the true value among the posterior's draws is uniform for every
parameter when the sampler is right. A posterior too narrow piles the ranks at both ends, one
biased at one end. Records end before the article's judged levels (2021-11), which a synthetic
record cannot hold."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from scipy import stats

from ... import rng
from ...inference import observation, replicate, smc2
from ...record import derived
from .study import Study


def posteriors(study: Study, replicates: int, until: int, draws: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """True values (replicates, parameters) drawn from the prior and `draws` posterior draws given the record
    each made (replicates, draws, parameters), on the parameters' own scale."""
    spec, prior = study.spec, study.prior
    model, first = spec.model, spec.model.record.start
    asymmetry = derived.asymmetry(study.record.indicators, model.record.territory_ratio)
    settings = replace(study.settings, samples=draws)
    truths, found = [], []
    for r in range(replicates):
        truth = prior.sample(1, rng.stream(seed, r, "sbc-truth"))
        truth_model = smc2.population_model(spec.config, prior, truth, 1)
        made = replicate.replicate(truth_model, 1, first, until - first + 1, asymmetry, rng.child_seed(seed, r, "sbc-record"))
        record = replicate.as_record(made, 0, spec.tracks, study.record, model.record.contract_per_brent)
        obs = observation.observe(record, model, until)
        posterior = smc2.Sampler(spec.config, prior, obs, settings, rng.child_seed(seed, r, "sbc-sampler")).run([until])
        truths.append(prior.natural(truth)[0])
        found.append(posterior.snapshots[until].theta)
    return np.array(truths), np.array(found)


def ranks(truths: np.ndarray, draws: np.ndarray) -> np.ndarray:
    """(replicates, parameters) the rank (0…draws) of each true value among its posterior draws."""
    return (draws < truths[:, None, :]).sum(axis=1)


def uniformity(ranks: np.ndarray, draws: int, bins: int) -> np.ndarray:
    """(parameters,) p-value of a chi-square test that each parameter's ranks are uniform on 0…draws, in `bins` bins."""
    edges = np.linspace(0, draws + 1, bins + 1)
    counts = np.stack([np.histogram(column, edges)[0] for column in ranks.T])
    expected = ranks.shape[0] * np.diff(edges) / (draws + 1)
    return stats.chi2.sf((((counts - expected) ** 2) / expected).sum(axis=1), bins - 1)
