"""The backtest and the calibration on small windows: outputs, scores, reproducibility, parameter sets."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from sim.config import design as parameter_sets
from sim.studies import calibration as calibrate
from sim.studies.backtest import run as backtest
from sim.config.compose import compose, prepare
from sim.errors import ConfigError

SHORT = ["run.end=2004-11", "run.trajectories=300", "run.block_size=150", "backtest.draws=40"]


def test_backtest_writes_scores_for_model_and_baselines(tmp_path):
    rows = backtest.run(SHORT, tmp_path)
    for name in ("results.nc", "index.npz", "scores.csv", "backtest.json", "figures/backtest.png"):
        assert (tmp_path / name).stat().st_size > 0, name
    table = list(csv.DictReader((tmp_path / "scores.csv").open()))
    composite = {r["metric"]: r for r in table if r["series"] == "composite"}
    assert set(composite) == {"crps", "coverage_50", "coverage_90"}
    for forecast in ("model", "no_change", "linear_trend", "random_walk"):
        assert float(composite["crps"][forecast]) >= 0
    assert 0 <= float(composite["coverage_90"]["model"]) <= 1
    assert {r["series"] for r in rows if r["metric"] == "brier"} == {"dispute", "programme"}


def test_naive_forecasts_start_at_the_anchor_and_know_only_the_past():
    spec, _, _ = prepare(compose(["experiment=backtest"] + SHORT))
    from sim.record import index as historical
    from sim.config.validate import section

    index = section(spec.config, "backtest", spec.tracks).index
    events = historical.load_events()
    naive = backtest.naive_forecasts(events, spec, index, 50, np.random.default_rng(0))
    for paths in naive.values():
        np.testing.assert_allclose(paths[:, 0], np.broadcast_to(np.ravel(index.initial), paths[:, 0].shape))
    later = historical.Events(*(np.append(getattr(events, f), v) for f, v in
                                zip(("month", "track", "direction", "magnitude", "title"),
                                    (2003 * 12, "monetary", 1, 3, "later"))))
    again = backtest.naive_forecasts(later, spec, index, 50, np.random.default_rng(0))
    np.testing.assert_array_equal(again["linear_trend"], naive["linear_trend"])


CAL = ["run.end=2002-11", "calibration.points=16", "calibration.replications=8", "calibration.accept=0.5",
       "calibration.tolerance=50"]


def test_calibration_is_reproducible_and_its_sets_feed_a_forecast(tmp_path):
    first = calibrate.calibrate(CAL, tmp_path / "a")
    second = calibrate.calibrate(CAL, tmp_path / "b")
    text = (tmp_path / "a" / "calibrated.yaml").read_text()
    assert first["accepted_sets"] == second["accepted_sets"] and text == (tmp_path / "b" / "calibrated.yaml").read_text()
    assert "calibrated: median of" in text and "defaults:" in text
    spec, seed, _ = prepare(compose(["model=reference", "run.trajectories=500"]))
    spec.model.parameter_sets = calibrate.SETS_FILE
    model_dir = tmp_path / "model"
    model_dir.mkdir()
    (model_dir / "calibrated.yaml").write_text("# old\n# header\n# an older calibration\n")
    said = calibrate.install(tmp_path / "a", model_dir)
    assert said[-1].endswith("(was: an older calibration)") and (model_dir / "calibrated.yaml").read_text() == text
    design = parameter_sets.from_sets(spec, seed, model_dir)
    assert set(design) == set(first["keys"])
    drawn = np.column_stack([design[k] for k in first["keys"]])
    accepted = np.array(first["accepted_sets"])
    assert all(np.isclose(accepted, row, rtol=1e-5).all(axis=1).any() for row in drawn)


@pytest.mark.parametrize("content,message", [
    ("model.drift.economic\n", "a header of model.* keys, then one row per set"),
    ("drift.economic\n0.1\n", "a header of model.* keys"),
    ("model.drift.economic,model.eta\n0.1\n", "every row needs 2 finite numbers"),
    ("model.drift.economic\nx\n", "every value must be a number"),
])
def test_a_malformed_parameter_set_file_is_one_line(tmp_path, content, message):
    (tmp_path / "sets.csv").write_text(content)
    with pytest.raises(ConfigError, match=message):
        parameter_sets.load(tmp_path / "sets.csv")


def test_bad_calibration_prior_is_refused_before_any_work(tmp_path):
    with pytest.raises(ConfigError, match="calibration.parameters.noise = \\[1.0, 0.0\\]: needs low < high"):
        calibrate.calibrate(CAL + ["calibration.parameters.noise.low=1.0", "calibration.parameters.noise.high=0.0"],
                            tmp_path / "cal")
    assert not (tmp_path / "cal").exists()
