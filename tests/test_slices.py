"""Likelihood slices (`python -m sim.calibrate --slices`): the curvature they read and the width that
allows, one parameter moved at a time, the real record's centre from the posterior in use, and on a
replicated record a slice curved where the record measures the parameter and flat where it cannot."""

from __future__ import annotations

import dataclasses
import json
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from sim import months
from sim.errors import UsageError
from sim.inference.prior import Prior
from sim.studies.calibration import slices, study
from tests.helpers import call

SMALL = ["calibration.until=2008-12", "calibration.workers=1", "calibration.slices.particles=1000",
         "calibration.slices.repeats=4", "calibration.slices.points=5",
         "calibration.slices.parameters=[subsidy_reference,implementation]"]


@pytest.fixture(scope="module")
def small():
    return study.load(SMALL)


def test_the_curvature_of_a_known_parabola_and_the_narrowest_width_it_allows():
    offsets = np.linspace(-2, 2, 9)
    noise = np.random.default_rng(0).normal(0, 0.05, (9, 4))
    values = (3 + 0.5 * offsets - 1.5 * offsets ** 2)[:, None] + noise
    c = slices.curvature(offsets, values)
    assert c.shape == (4,) and np.allclose(c, -1.5, atol=0.05)
    values[-3:] = np.nan  # outside the values the model accepts: left out of the fit
    assert np.allclose(slices.curvature(offsets, values), -1.5, atol=0.1)
    values[:6] = np.nan
    assert np.isnan(slices.curvature(offsets, values)).all()  # too few points left
    assert slices.narrowest(np.array(-1.5)) == pytest.approx(0.5)
    assert slices.narrowest(np.array(0.7)) == 1.0  # a slice bent the wrong way teaches nothing


def test_the_grid_moves_one_parameter_at_a_time_by_its_prior_sd():
    centre, sds, offsets = np.arange(4.0), np.array([1.0, 2.0, 3.0, 4.0]), np.array([-1.0, 0.0, 1.0])
    u = slices.grid(centre, sds, [1, 3], offsets)
    assert u.shape == (6, 4)
    assert np.allclose(u[:3, 1], 1 + 2 * offsets) and np.allclose(u[3:, 3], 3 + 4 * offsets)
    assert np.allclose(np.delete(u[:3], 1, axis=1), np.delete(centre, 1)[None])
    assert np.allclose(np.delete(u[3:], 3, axis=1), np.delete(centre, 3)[None])


def test_points_outside_the_values_the_model_accepts_are_not_filtered_and_have_no_likelihood(small):
    """A replicated record's truth can lie near the truncated prior's edge (climate volatility ≤ 10)."""
    prior = small.prior
    j = prior.names.index("climate_volatility")
    centre = prior.moments()[0].copy()
    centre[j] = np.log(9.0)
    asked = []

    def mapper(function, jobs):
        asked.extend(len(job[2]) for job in jobs)
        return [np.zeros(len(job[2])) for job in jobs]

    found = slices.along(small, small.spec.config, centre, [j], None, 0, mapper)
    offsets = slices.offsets_of(small.slices)
    beyond = np.exp(np.log(9.0) + offsets * prior.parameters[j].sd) > 10
    assert beyond.any() and not beyond.all() and asked == [int((~beyond).sum())] * small.slices.repeats
    assert np.isnan(found[0][beyond]).all() and (found[0][~beyond] == 0).all()


def test_the_real_record_s_centre_is_the_posterior_medians_of_the_sets_in_use(small):
    """The sets' table holds the model keys (a factor spread over the tracks); the centre inverts that."""
    prior = small.prior
    draws = prior.sample(101, np.random.default_rng(2))
    table = pd.DataFrame(prior.design(small.spec.config, prior.natural(draws)))
    assert np.allclose(slices.posterior_centre(prior, small.spec.config, table), np.median(draws, axis=0))


def test_a_slice_is_curved_where_the_record_measures_and_flat_where_it_cannot(small, tmp_path):
    """The subsidy's yearly values 2006–2008 (± 0.15) measure the share of the contract price waived at the
    reference state (prior sd 1 of its logit); to 2008 nothing measures how fast steps are implemented. The real record
    is sliced too when the sets in use hold draws given it. The prior is narrowed to the two sliced parameters, every
    other held at the model's value, so that the replicated records' truths stay where they are when the calibration's
    prior grows."""
    prior = Prior(tuple(p for p in small.prior.parameters if p.name in ("subsidy_reference", "implementation")))
    small = dataclasses.replace(small, prior=prior)
    sets_file = tmp_path / "sets.csv"
    table = pd.DataFrame(prior.design(small.spec.config, prior.natural(prior.sample(50, np.random.default_rng(3)))))
    table.insert(0, "record_until", months.text(small.until))
    table.to_csv(sets_file, index=False)
    found = slices.run(small, 2, tmp_path / "out", sets_file)
    assert found["records"] == 3 and set(found["parameters"]["subsidy_reference"]["records"]) == {"record", "replicate 1", "replicate 2"}
    for label in ("replicate 1", "replicate 2"):  # at their truth (the real record's centre here is arbitrary)
        measured, unmeasured = (found["parameters"][name]["records"][label] for name in ("subsidy_reference", "implementation"))
        assert measured["curvature"] + 3 * measured["se"] < 0 and measured["narrowest_width"] < 0.75
        assert unmeasured["curvature"] + 3 * unmeasured["se"] > 0 and unmeasured["narrowest_width"] > 0.8
    written = pd.read_csv(tmp_path / "out" / "slices.csv")
    assert len(written) == 3 * 2 * 5 * 4 and set(written.record) == {"record", "replicate 1", "replicate 2"}
    assert json.loads((tmp_path / "out" / slices.MARKER).read_text())["settings"]["parameters"] == \
        ["subsidy_reference", "implementation"]
    assert (tmp_path / "out" / "figures" / "slices.png").stat().st_size > 0


def test_slices_of_no_record_are_refused_and_a_record_without_a_posterior_in_use_is_said(small, tmp_path):
    with pytest.raises(UsageError, match="holds no draws given the record to 2008-12"):
        slices.chosen(small, 0, tmp_path / "absent.csv")
    one = dataclasses.replace(small, slices=SimpleNamespace(**{**vars(small.slices), "parameters": ("subsidy_reference",)}))
    found = slices.run(one, 1, tmp_path / "out", tmp_path / "absent.csv")
    assert found["records"] == 1 and "not the real record" in slices.said(found)


@pytest.mark.parametrize("argv, says", [
    (["calibration.slices.parameters=[implementaton]"], "must name parameters of calibration.prior"),
    (["calibration.slices.parameters=implementation"], "must be a list of names"),
    (["calibration.slices.repeats=1"], "calibration.slices.repeats"),
    (["calibration.slices.points=4"], "calibration.slices.points"),
])
def test_a_bad_slices_setting_is_refused_with_one_line_and_nothing_that_looks_finished(argv, says, capsys, monkeypatch, tmp_path):
    code, _, err = call("sim.calibrate", ["--slices", "1", *argv, "--out", "p"], capsys, monkeypatch, tmp_path)
    assert code == 2 and says in err and err.count("\n") == 1 and not (tmp_path / "p" / slices.MARKER).exists()
