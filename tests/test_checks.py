"""Predictive checks (sim/studies/checks.py): the share of observed points inside the replicas' 90 % band,
for counts without a randomised PIT's own noise, and how that share is spread when the model is right."""

import numpy as np
from scipy import stats

from sim.config.compose import compose, prepare
from sim.inference import observation
from sim.record import derived
from sim.studies import checks


def test_counts_drawn_from_the_model_put_90_percent_inside_and_a_wrong_model_does_not():
    """Sparse counts (mostly 0 and 1) from the replicas' own Poisson: 90 % inside, the share spread around
    0.9 when each replica is taken as the record; counts from a Poisson three times as large: far fewer."""
    generator = np.random.default_rng(3)
    replicas = generator.poisson(0.4, size=(2000, 1000))
    right = checks.inside(*checks.pit(generator.poisson(0.4, size=2000), replicas))
    assert abs(right.mean() - 0.90) < 0.02 and ((right > 0) & (right < 1)).any()  # a count at the band's edge counts in part
    assert abs(np.median(checks.calibrated(replicas, 50)) - 0.90) < 0.01
    assert checks.inside(*checks.pit(generator.poisson(1.2, size=2000), replicas)).mean() < 0.75


def test_a_check_says_what_share_inside_a_right_model_would_give_and_its_p_value():
    """19 of 25 continuous points inside: 76 %, at the edge of a right model's 95 % range (about 19–25 of 25),
    p near twice the binomial's 0.033; 23 of 25 inside: not rejected."""
    generator = np.random.default_rng(5)
    replicas = generator.normal(size=(25, 1000))
    edge = checks.check("x", "total", replicas, 1.0, np.arange(10.0), np.zeros((25, 3)),
                        np.r_[np.zeros(19), np.full(6, 5.0)], range(25))
    assert edge["inside_90"] == 0.76 and 0.72 <= edge["calibrated_inside"][0] <= 0.8
    assert edge["calibrated_inside"][1] == 1.0 and 0.02 < edge["inside_p"] < 0.15
    fine = checks.check("x", "total", replicas, 1.0, np.arange(10.0), np.zeros((25, 3)),
                        np.r_[np.zeros(23), np.full(2, 5.0)], range(25))
    assert fine["inside_90"] == 0.92 and fine["inside_p"] > 0.5


def test_the_randomised_pit_of_counts_is_uniform_when_the_record_comes_from_the_model():
    """The backtest's PIT histograms: sparse counts from the replicas' own Poisson give a uniform randomised PIT."""
    generator = np.random.default_rng(3)
    replicas = generator.poisson(0.4, size=(2000, 4000))
    pit = checks.pit_counts(generator.poisson(0.4, size=2000), replicas, generator)
    assert stats.kstest(pit, "uniform").pvalue > 0.01 and abs(((pit >= 0.05) & (pit <= 0.95)).mean() - 0.90) < 0.02


def test_each_indicator_is_checked_a_year_ahead_from_the_december_before():
    """Every year after the start with the indicator on record is one point, its observed value the record's,
    its replicas made from the state filtered to the December before."""
    spec, seed, _ = prepare(compose(["run.start=2019-12", "run.particles=400"]))
    record = derived.load()
    last = derived.end_month(*record)
    model = spec.model
    rows = {row["check"].split(" a year ahead")[0]: row for row in checks.year_ahead(
        spec, record, last, 40, seed, derived.asymmetry(record.indicators, model.record.territory_ratio))}
    assert set(rows) == {"brent", "trade_share", "subsidy"}
    measured = observation.observe(record, model, last).indicators
    for name, row in rows.items():
        assert row["years"] == [y for y in range(2020, last // 12 + 1) if y in measured[name]]
        assert np.array_equal(row["observed"], [measured[name][y] for y in row["years"]])
        assert row["band"].shape == (len(row["years"]), 3) and 0 <= row["inside_90"] <= 1
