"""The calibration: its prior, the filters in blocks it runs, the SMC² sampler (reads nothing after its
month, the same on any number of workers, calibrated on records drawn from its own prior), and
model=calibrated drawing each forecast's parameters from the posterior given the record to its start."""

from __future__ import annotations

import copy
import dataclasses
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from sim import months
from sim.config import design
from sim.config.compose import compose, prepare
from sim.errors import ConfigError
from sim.inference import filter as particle_filter, observation, prior as priors, replicate, smc2
from sim.record import derived
from sim.studies.calibration import sbc, study

QUICK = ["calibration.sets=16", "calibration.particles=20", "calibration.moves=1", "calibration.max_particles=0",
         "calibration.samples=50", "calibration.workers=1"]


@pytest.fixture(scope="module")
def quick():
    return study.load([*QUICK, "calibration.until=1997-12"])


def test_the_prior_is_truncated_to_the_values_the_model_accepts(quick):
    section = {"volatility": {"key": "model.climate.volatility", "dist": "lognormal", "centre": 5.0, "sd": 2.0},
               "implementation": {"key": "model.implementation", "dist": "lognormal", "centre": 1.0, "sd": 3.0,
                                  "scale": True},
               "cut": {"key": "model.events.setback.subsidy_cut.energy", "dist": "lognormal", "centre": 0.5, "sd": 3.0}}
    prior = priors.load(section, quick.spec.config)
    volatility, implementation, cut = prior.parameters
    assert (volatility.low, volatility.high) == (0, 10)                     # the schema's range
    assert (cut.low, cut.high) == (0, 1)                                    # … also of one track of a per-track effect
    rates = quick.spec.config["model"]["implementation"].values()
    assert implementation.high == pytest.approx(100 / max(rates))           # a factor keeps every track inside
    x = prior.natural(prior.sample(5_000, np.random.default_rng(1)))
    assert (x[:, 0] <= 10).all() and (x[:, 1] * max(rates) <= 100).all() and (x[:, 2] <= 1).all()
    assert np.isneginf(prior.log_density(np.log([[20.0, 1.0, 0.5]])))[0] and np.isneginf(prior.log_density(np.log([[2.0, 1.0, 1.5]])))[0]
    assert np.isfinite(prior.log_density(np.log([[2.0, 1.0, 0.5]])))[0]
    prior.design(quick.spec.config, x[:50])                                 # every draw is one the model accepts


def test_the_prior_scales_the_model_s_own_values_whatever_posterior_is_installed(quick):
    """A factor of the prior (scale: true) multiplies model=default's value, never a posterior median of
    the record installed as model=calibrated: a calibration at any date knows only the record before it."""
    own = prepare(compose(["model=default"]))[0].config
    installed = prepare(compose())[0].config
    scaled = [p for p in quick.prior.parameters if p.scale]
    assert scaled
    for p in scaled:
        assert design.lookup(quick.spec.config, p.key) == design.lookup(own, p.key)
        assert design.lookup(installed, p.key) != design.lookup(own, p.key)  # the test would see the difference
    assert study.load([*QUICK, "model=calibrated"]).spec.config["model"]["implementation"] == installed["model"]["implementation"]


def test_the_prior_is_a_normal_on_each_unconstrained_scale(quick):
    prior = quick.prior
    u = prior.sample(20_000, np.random.default_rng(0))
    means, sds = prior.moments()
    assert np.allclose(u.mean(axis=0), means, atol=0.05) and np.allclose(u.std(axis=0), sds, rtol=0.05)
    x = prior.natural(u)
    for j, p in enumerate(prior.parameters):
        assert np.allclose(p.unconstrained(x[:, j]), u[:, j])
        assert np.median(x[:, j]) == pytest.approx(p.centre, rel=0.05, abs=0.02)
    design_ = prior.design(quick.spec.config, x[:3], repeat=2)
    assert {len(v) for v in design_.values()} == {6}
    scaled = [p for p in prior.parameters if p.scale][0]  # a factor on every track of a per-track key
    assert f"{scaled.key}.economic" in design_


@pytest.mark.parametrize("entry, says", [
    ({"key": "model.events.step.effect", "dist": "gamma", "centre": 1, "sd": 1}, "dist"),
    ({"key": "model.events.step.effect", "dist": "lognormal", "centre": -1, "sd": 1}, "support"),
    ({"key": "model.nowhere", "dist": "normal", "centre": 0, "sd": 1}, "no such parameter"),
    ({"key": "model.implementation", "dist": "lognormal", "centre": 1, "sd": 1}, "scale: true"),
    ({"key": "model.events.step.effect", "dist": "normal", "centre": 0}, "{key, dist, centre, sd}"),
])
def test_a_bad_prior_entry_is_refused_with_one_line(quick, entry, says):
    with pytest.raises(ConfigError) as caught:
        priors.load({"x": entry}, quick.spec.config)
    assert says in str(caught.value) and "\n" not in str(caught.value)


def test_blocked_filters_resample_within_their_block_and_move_as_blocks(quick):
    """systematic() keeps every index inside its row; reorder() and adopt() move whole blocks."""
    weights = np.random.default_rng(1).dirichlet(np.ones(7), size=5)
    idx = particle_filter.systematic(weights, np.random.default_rng(2))
    assert idx.shape == (5, 7) and idx.min() >= 0 and idx.max() < 7
    assert np.allclose(np.bincount(idx[0], minlength=7) / 7, weights[0], atol=1 / 7 + 1e-9)
    obs = observation.observe(quick.record, quick.spec.model, months.parse("1995-12"))
    population = particle_filter.Population(quick.spec.model, obs, 4, 10, seed=3)
    for _ in range(obs.months):
        population.advance()
    y = population.state.y.copy()
    population.reorder(np.array([2, 2, 0, 1]))
    assert np.array_equal(population.state.y[:, :10], y[:, 20:30]) and np.array_equal(population.state.y[:, 30:], y[:, 10:20])
    other = [c * 0 for c in population.walk.columns()]
    population.adopt(other, np.zeros((4, 10)), np.zeros(4), np.zeros(4), np.array([3]))
    assert not population.state.y[:, 30:].any() and population.state.y[:, :30].any()


def test_a_month_is_taken_in_parts_so_that_the_sets_never_fall_below_the_threshold(quick):
    """On the record to 1997-12 (the Union treaty's month hits five tracks at once) the sets' effective
    sample size stays at the threshold after every month, some month is taken in parts, and every
    rejuvenation stops moving once the share `renewal` of the sets has moved or the moves run out."""
    obs = observation.observe(quick.record, quick.spec.model, quick.until)
    settings = dataclasses.replace(quick.settings, moves=4, renewal=0.5)
    posterior = smc2.Sampler(quick.spec.config, quick.prior, obs, settings, 3).run([quick.until])
    assert posterior.ess.min() >= settings.threshold * settings.sets * (1 - 1e-6)
    assert any("share" in m for m in posterior.moves)
    assert all(1 <= m["moves"] <= 4 for m in posterior.moves) and any(m["moves"] < 4 for m in posterior.moves)


def test_the_measured_noise_of_the_likelihood_estimate_falls_with_the_particles(quick):
    """Two fresh estimates for each of a few sets (at the prior's centre): the sd of log p̂ with 16 times
    the particles is at least half smaller (√16 = 4 in theory), and it is recorded with the rejuvenation."""
    obs = observation.observe(quick.record, quick.spec.model, quick.until)
    u = np.repeat(quick.prior.moments()[0][None, :], 8, axis=0)
    found = []
    for particles in (10, 160):
        sampler = smc2.Sampler(quick.spec.config, quick.prior, obs, dataclasses.replace(quick.settings, particles=particles), 6)
        posterior = smc2.Posterior(quick.prior.names, {}, np.empty(0), [{}])
        found.append(sampler.noise(u, obs.months, 0.0, lambda f, jobs: [f(*job) for job in jobs], posterior))
        assert posterior.moves[-1]["noise"] == round(found[-1], 3)
    assert found[1] < found[0] / 2


def test_the_posterior_at_a_month_reads_nothing_after_it(quick):
    """The sampler over the record to 1997-12 and over the record to 1999-12 keep the same draws at 1997-12."""
    at = months.parse("1997-12")
    draws = []
    for until in (at, months.parse("1999-12")):
        obs = observation.observe(quick.record, quick.spec.model, until)
        snapshot = smc2.Sampler(quick.spec.config, quick.prior, obs, quick.settings, 11).run([at]).snapshots[at]
        draws.append((snapshot.theta, snapshot.origin.y, snapshot.evidence))
    assert np.array_equal(draws[0][0], draws[1][0]) and np.array_equal(draws[0][1], draws[1][1])
    assert draws[0][2] == draws[1][2]


@pytest.mark.slow
def test_the_posterior_is_the_same_on_any_number_of_workers_and_on_dask(quick):
    obs = observation.observe(quick.record, quick.spec.model, quick.until)
    found = []
    for executor, workers in (("local", 1), ("local", 2), ("dask", 2)):
        run = SimpleNamespace(**{**vars(quick.spec.run), "executor": executor})
        study = dataclasses.replace(quick, spec=dataclasses.replace(quick.spec, run=run),
                                    settings=dataclasses.replace(quick.settings, workers=workers))
        with study.pool() as mapper:
            found.append(smc2.Sampler(study.spec.config, study.prior, obs, study.settings, 5)
                         .run([quick.until], mapper).snapshots[quick.until].theta)
    assert np.array_equal(found[0], found[1]) and np.array_equal(found[0], found[2])


@pytest.mark.slow
def test_simulation_based_calibration_ranks_are_uniform_and_the_test_has_power(quick):
    """Four rates, records 1994–2000 drawn from the prior: the true values' ranks among 9 posterior draws
    pass a chi-square test of uniformity (5 bins, p > 0.01 for each), while the same draws shrunk to half
    their spread around their mean (a posterior too sure of itself) fail it (p < 0.01 pooled): the test
    has the power to see a posterior half as wide as it should be."""
    names = ["step_economic", "step_security", "setback_energy", "setback_economic"]
    prior = priors.Prior(tuple(p for p in quick.prior.parameters if p.name in names))
    small = dataclasses.replace(quick, prior=prior, settings=dataclasses.replace(quick.settings, sets=48, particles=20,
                                                                                  moves=2))
    draws = 9
    truths, found, narrowed = sbc.posteriors(small, 24, months.parse("2000-12"), draws, seed=2)
    assert sbc.uniformity(sbc.ranks(truths, found), draws, 5).min() > 0.01
    assert narrowed.shape == (24, 4) and (narrowed.median() < 1).all()  # seven years of record teach every rate
    u = np.log(found)
    shrunk = np.exp(u.mean(axis=1, keepdims=True) + 0.5 * (u - u.mean(axis=1, keepdims=True)))
    pooled = sbc.ranks(truths, shrunk).reshape(-1, 1)
    assert sbc.uniformity(pooled, draws, 5)[0] < 0.01


def test_a_replicated_record_that_reaches_the_judged_month_holds_a_judgement_of_its_own_levels(quick):
    """SBC on records to 2023: the judged levels are the replicate's true levels there with the judgement's
    stated error (its mean and spread), not the article's; a record that ends before holds none."""
    model = copy.deepcopy(quick.spec.model)
    j = model.record.judgement
    j.spread = 0.05  # narrow enough that most true levels lie 3 errors inside the clipped range
    made = replicate.replicate(model, 1, model.record.start, j.date - model.record.start + 1,
                               derived.asymmetry(quick.record.indicators, model.record.territory_ratio), 3)
    assert sbc.judged(quick.spec.config, model, made, j.date - 1, np.random.default_rng(0)) is quick.spec.config
    truth = made.levels[-1, :, 0]
    generator = np.random.default_rng(1)
    judged = np.array([list(sbc.judged(quick.spec.config, model, made, j.date, generator)["model"]["record"]
                            ["judgement"]["levels"].values()) for _ in range(400)])
    inside = (truth > 0.01 + 3 * j.spread) & (truth < 0.99 - 3 * j.spread)  # no clipping at the range's ends
    assert inside.any()
    error = (judged - truth)[:, inside]
    assert np.abs(error.mean(axis=0)).max() < 0.03 and np.allclose(error.std(axis=0), j.spread, rtol=0.15)
    assert list(quick.spec.config["model"]["record"]["judgement"]["levels"].values()) == list(j.levels)


def test_a_simulation_based_calibration_stopped_midway_keeps_the_records_it_finished(quick, tmp_path, monkeypatch):
    """Each record's ranks and widths are written as it ends; a study stopped at its second record keeps the
    first and leaves no sbc.json that would make it look finished."""
    prior = priors.Prior(tuple(p for p in quick.prior.parameters if p.name in ("step_economic", "setback_energy")))
    small = dataclasses.replace(quick, prior=prior, until=months.parse("1995-12"),
                                settings=dataclasses.replace(quick.settings, sets=8, particles=10))
    run = smc2.Sampler.run
    calls = []

    def stop_at_the_second(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return run(self, *args, **kwargs)

    monkeypatch.setattr(smc2.Sampler, "run", stop_at_the_second)
    with pytest.raises(KeyboardInterrupt):
        sbc.run(small, 3, 9, tmp_path)
    kept = pd.read_csv(tmp_path / "ranks.csv")
    assert list(kept.columns) == list(prior.names) and len(kept) == 1 and kept.to_numpy().max() <= 9
    assert len(pd.read_csv(tmp_path / "widths.csv")) == 1 and not (tmp_path / sbc.MARKER).exists()


def test_dated_parameter_sets_are_those_calibrated_to_the_latest_month_before_the_start(tmp_path):
    (tmp_path / "sets.csv").write_text("record_until,model.events.step.effect\n2020-12,0.1\n2020-12,0.2\n"
                                       "2023-12,0.3\n")
    spec, _, _ = prepare(compose(["run.start=2022-06", "model.parameter_sets=sets.csv"]))
    keys, values = design.sets_for(spec, tmp_path)
    assert keys == ["model.events.step.effect"] and values[:, 0].tolist() == [0.1, 0.2]
    early, _, _ = prepare(compose(["run.start=2019-06", "model.parameter_sets=sets.csv"]))
    with pytest.raises(ConfigError, match="comes before every calibration"):
        design.sets_for(early, tmp_path)


def test_a_calibrated_forecast_takes_each_trajectory_s_parameters_from_its_filter_block(tmp_path, monkeypatch):
    """With parameter sets, the start filter runs a block per set and every trajectory carries its block's values."""
    from sim.run import ensemble
    (tmp_path / "sets.csv").write_text("record_until,model.events.step.effect\n" +
                                       "".join(f"1999-12,{v}\n" for v in (0.05, 0.1, 0.2, 0.4)))
    monkeypatch.setattr(ensemble, "MODEL_DIR", tmp_path)
    spec, seed, _ = prepare(compose(["run.start=2001-12", "run.particles=800", "run.trajectories=300",
                                     "run.block_size=100", "model.parameter_sets=sets.csv"]))
    begun = ensemble.start(spec, seed, derived.load())
    assert begun.sets.shape == (4, 1) and begun.per_set == 200 and begun.filtered.loglik.shape == (4,)
    origin, drawn = begun.block(seed, 2, 100)
    picks, values = begun.picks(seed, 2, 100), drawn["model.events.step.effect"]
    assert origin.y.shape[1] == 100 and np.array_equal(values, begun.sets[picks // 200, 0])
    assert set(values) <= {0.05, 0.1, 0.2, 0.4}
