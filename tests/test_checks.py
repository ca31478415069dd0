"""Predictive checks (sim/studies/checks.py): the randomised PIT of counts and the binomial reading of
how many points fall inside the 90 % band."""

import numpy as np
from scipy import stats

from sim.studies import checks


def test_the_randomised_pit_of_counts_is_uniform_when_the_record_comes_from_the_model():
    """Sparse counts (mostly 0 and 1) drawn from the replicas' own Poisson: PIT uniform, 90 % inside."""
    generator = np.random.default_rng(3)
    replicas = generator.poisson(0.4, size=(2000, 4000))
    observed = generator.poisson(0.4, size=2000)
    pit = checks.pit_counts(observed, replicas, generator)
    assert stats.kstest(pit, "uniform").pvalue > 0.01
    assert abs(((pit >= 0.05) & (pit <= 0.95)).mean() - 0.90) < 0.02


def test_a_check_says_what_share_inside_a_calibrated_model_would_give_and_the_binomial_p_value():
    """19 of 25 points inside: 76 %, at the edge of a calibrated model's 95 % range (19–25 of 25), p = 0.033."""
    pit = np.r_[np.full(19, 0.5), np.full(6, 0.99)]
    row = checks.check("x", "total", pit, 1.0, np.arange(10.0), np.zeros((25, 3)), np.zeros(25), range(25))
    assert row["inside_90"] == 0.76 and row["calibrated_inside"] == [0.76, 1.0]
    assert abs(row["inside_p"] - 0.0334) < 1e-3
