"""The model on the record: rows as observations, the observation model's likelihood against the law
of replicated records, the filter on records drawn from the model (the truth known) and on the real
record, and forecasts that start from the filtered state and read nothing after their start."""

from __future__ import annotations

import copy
import dataclasses

import numpy as np
import pytest
from scipy import stats

import sim
from sim import months
from sim.config.compose import compose, prepare, window
from sim.inference import filter as particle_filter, likelihood, observation, replicate
from sim.model import kernel
from sim.record import derived
from sim.record.events import Events
from sim.run import ensemble

SMALL = ["run.trajectories=2000", "run.block_size=1000", "run.particles=2000"]


@pytest.fixture(scope="module")
def model():
    return prepare(compose())[0].model


@pytest.fixture(scope="module")
def real():
    return derived.load()


def made_up(rows: list[tuple], tracks) -> Events:
    """Events from (YYYY-MM, tracks, direction, magnitude, type) rows."""
    k = len(tracks)
    return Events(month=np.array([months.parse(r[0]) for r in rows]), day=np.zeros(len(rows), int),
                  tracks=np.array([[t in r[1] for t in tracks] for r in rows]).reshape(-1, k), track_names=tuple(tracks),
                  direction=np.array([r[2] for r in rows]), magnitude=np.array([r[3] for r in rows]),
                  type=np.array([r[4] for r in rows]), title=np.full(len(rows), "t"), source=np.full(len(rows), "s"))


def test_recorded_rows_become_observations_by_the_rule(model, real):
    rows = [("2010-03", ("economic", "energy"), 1, 2, "treaty"), ("2010-03", ("energy",), 1, 3, "council"),
            ("2010-03", ("energy",), -1, 1, "dispute"), ("2010-04", ("political",), 0, 2, "sanctions"),
            ("2010-05", ("political",), 0, 3, "election"), ("2010-06", ("political",), 0, 1, "other"),
            ("2010-07", ("security",), 1, 1, "crisis"), ("1996-01", ("monetary",), -1, 2, "deadline")]
    record = derived.Record(made_up(rows, model.tracks), real.indicators)
    obs = observation.observe(record, model, months.parse("2010-12"))
    at = lambda month: months.parse(month) - obs.first  # noqa: E731
    assert obs.steps[at("2010-03")].tolist() == [2, 3, 0, 0, 0]  # a track's largest magnitude of the month
    assert obs.setbacks[at("2010-03")].tolist() == [0, 1, 0, 0, 0]
    assert obs.kinds["sanctions"][at("2010-04")] and obs.kinds["sanctions"].sum() == 1
    assert obs.severity == {months.parse("2010-05"): 3}
    assert obs.steps[at("2010-07")].tolist() == [0, 0, 0, 0, 1]  # a crisis coded +1 is a step
    assert not obs.kinds["crisis"].any() and obs.steps[at("2010-06")].sum() == 0  # neutral rows are not events
    assert obs.setbacks[at("1996-01")].tolist() == [0, 0, 2, 0, 0]
    assert obs.coverage[at("1996-01")] == 0.4 and obs.coverage[at("2003-01")] == 0.7 and obs.coverage[at("2010-01")] == 1
    assert max(obs.indicators["brent"]) == 2010  # nothing after the month it was cut at


def test_the_package_likelihood_is_the_law_the_replicated_record_follows():
    """likelihood.add_packages gives, for every set of tracks, the frequency with which the replicated
    record's steps (a primary per track recorded with its probability, others joining) hit it."""
    k, q, n, share = 5, 0.3, 200_000, 0.7
    log_rate = np.log([[0.3], [0.1], [0.05], [0.2], [0.15]])
    rows = (np.full(k, kernel.KINDS.index("step")), np.arange(k))
    params = (np.zeros((3, 1)), np.array([[0.4], [0.8]]), np.array([[q]]), np.zeros((1, 1)), np.zeros((1, 1)),
              np.zeros((k, 1)))
    hits = replicate.recorded_hits(np.repeat(log_rate, n, axis=1), rows, "step", params, share,
                                   np.random.default_rng(0)) > 0
    frequency = np.bincount((hits * 2 ** np.arange(k)[:, None]).sum(axis=0), minlength=2**k) / n
    law = np.zeros(2**k)
    for code in range(2**k):
        out = np.zeros(1)
        likelihood.add_packages(out, log_rate, np.arange(k), (code >> np.arange(k)) & 1 == 1, share, q)
        law[code] = np.exp(out[0])
    assert law.sum() == pytest.approx(1.0)
    assert np.all(np.abs(law - frequency) < 4 * np.sqrt(law * (1 - law) / n) + 1e-4)


@pytest.mark.slow
def test_the_filter_recovers_the_state_of_records_drawn_from_the_model(model, real):
    """On records replicated from the model (the real record's layout, a judgement drawn from the truth),
    the true levels lie inside the filtered 90 % band at 85–95 % of the months, over tracks and records."""
    first, until = model.record.start, months.parse("2023-12")
    asymmetry = derived.asymmetry(real.indicators, model.record.territory_ratio)
    inside = []
    for seed in range(16):  # records differ widely (0.54–1.00): 16 give the mean a standard error of about 0.02
        replicas = replicate.replicate(model, 1, first, until - first + 1, asymmetry, seed=100 + seed)
        record = replicate.as_record(replicas, 0, model.tracks, real, model.record.contract_per_brent)
        mine = copy.deepcopy(model)
        judged = mine.record.judgement
        truth_then = replicas.levels[judged.date - first, :, 0]
        noise = judged.spread * np.random.default_rng(seed).standard_normal(truth_then.size)
        judged.levels = np.clip(truth_then + noise, 0.01, 0.99)[:, None]
        filtered = particle_filter.run(mine, record, until, 10_000, seed)
        truth, band = replicas.levels[:, :, 0], filtered.bands[:, :len(model.tracks)]
        inside.append((truth >= band[..., 0]) & (truth <= band[..., 2]))
    assert 0.85 <= np.mean(inside) <= 0.95, np.mean(inside, axis=(1, 2))


def test_on_the_real_record_the_filter_never_collapses(model, real):
    filtered = particle_filter.run(model, real, months.parse("2023-12"), 4000, 1)
    assert filtered.ess.min() >= 0.01 * 4000, months.text(filtered.first + int(filtered.ess.argmin()))
    assert np.all(np.isfinite(filtered.loglik)) and np.allclose(filtered.weights.sum(), 1)


def test_a_start_after_the_record_says_where_the_record_ended(model, real):
    """Months after the record's end are predicted, not filtered: the filter names the record's last month."""
    filtered = particle_filter.run(model, real, months.parse("2025-06"), 200, 1)
    assert filtered.until == months.parse("2025-06") and filtered.recorded == months.parse("2023-12")
    assert np.all(filtered.ess[-18:] == filtered.ess[-18])  # nothing weighs the particles after 2023-12


def test_a_forecast_reads_nothing_after_its_start(real):
    """The article's forecast (run.start=2021-11) with the real record and with one whose rows and
    values after 2021-11 are made up: the same bytes."""
    spec, seed, config_yaml = prepare(compose([*SMALL, "run.start=2021-11", "run.end=2026-12"]))
    before = real.events.between(real.events.month.min(), spec.run.start)
    invented = made_up([("2022-05", ("energy",), -1, 3, "dispute"), ("2023-01", ("security",), 1, 3, "basing")],
                       real.events.track_names)
    events = joined(before, invented)
    values = np.where(real.indicators.year >= 2022, 3 * real.indicators.value, real.indicators.value)
    other = derived.Record(events, dataclasses.replace(real.indicators, value=values))
    one = ensemble.simulate(spec, seed, config_yaml, record=real)
    two = ensemble.simulate(spec, seed, config_yaml, record=other)
    assert one.level.values.tobytes() == two.level.values.tobytes()
    assert one.attrs["record_until"] == "2021-11"


def joined(a: Events, b: Events) -> Events:
    """The rows of two event lists, a's first."""
    return Events(*(np.concatenate([getattr(a, f), getattr(b, f)]) if f != "track_names" else a.track_names
                    for f in Events.__dataclass_fields__))


def test_the_default_forecast_starts_where_the_record_ends(monkeypatch, real):
    extended = joined(real.events, made_up([("2024-03", ("security",), 1, 2, "exercise")], real.events.track_names))
    assert prepare(compose())[0].run.start == months.parse("2023-12")
    from sim.config import compose as composing

    monkeypatch.setattr(composing, "load_events", lambda: extended)
    cfg = window(compose())
    assert (cfg.run.start, cfg.run.end) == ("2024-03", "2044-03")


def test_the_median_has_no_calendar_sawtooth():
    """No month-of-year pattern in the monthly change of the median composite beyond its Monte Carlo
    noise (one-way ANOVA over calendar months); the reference model's yearly council shows one."""
    def pattern(ds) -> float:
        change = np.diff(np.median(ds.composite.values, axis=0))
        month = (np.arange(1, change.size + 1) + months.parse(ds.attrs["start"])) % 12
        return stats.f_oneway(*[change[month == m] for m in range(12)]).pvalue

    assert pattern(sim.simulate([*SMALL, "run.trajectories=6000"])) > 0.01
    assert pattern(sim.simulate(["model=reference", "run.trajectories=6000", "run.block_size=2000"])) < 1e-6


@pytest.mark.slow
def test_the_long_run_is_a_stationary_interior_distribution():
    """Run to 2101: the median composite settles (its last 20 years' median moves less than 0.02
    from the 20 years before), inside the scale, with the band neither collapsing nor spreading.
    The band is mostly the posterior's spread over parameter sets, so the run draws 50 of them: from
    10 its width at 2101 hangs on which ten (0.46–0.79 across two seeds)."""
    ds = sim.simulate([*SMALL, "run.particles=10000", "run.end=2101-12"])
    c = ds.composite.values
    yearly = np.median(c[:, ::12], axis=0)
    late, before = yearly[-20:], yearly[-40:-20]
    assert abs(np.median(late) - np.median(before)) < 0.02
    assert 0.2 < np.median(late) < 0.8
    low, high = np.quantile(c[:, -1], [0.05, 0.95])
    width_before = np.quantile(c[:, -241], 0.95) - np.quantile(c[:, -241], 0.05)
    assert 0.05 < low and high < 0.99                                   # inside the scale, off its edges
    assert high - low > 0.05 and abs((high - low) - width_before) < 0.1  # neither collapsing nor spreading
