"""The Python API's model: composed once, run many times, with the numbers of sim.simulate."""

from __future__ import annotations

import json

import numpy as np
import pytest

import sim
from sim import cli
from sim.errors import ConfigError, UsageError

SMALL = ["model=reference", "run.trajectories=40", "run.block_size=20", "run.end=2025-12"]
RATE = "model.events.sanctions.rate"


@pytest.fixture(scope="module")
def model():
    return sim.Model(SMALL)


def same(a, b) -> None:
    np.testing.assert_array_equal(a.level.values, b.level.values)
    np.testing.assert_array_equal(a.events.values, b.events.values)


def test_a_run_without_values_is_the_dataset_of_simulate(model):
    ds = model.run()
    same(ds, sim.simulate(SMALL))
    assert ds.attrs["config"] == sim.simulate(SMALL).attrs["config"] and "values" not in ds.attrs


def test_size_and_seed_of_a_call_are_those_of_the_same_overrides(model):
    ds = model.run(trajectories=30, seed=5)
    same(ds, sim.simulate([*SMALL, "run.trajectories=30", "run.seed=5"]))
    assert "trajectories: 30" in ds.attrs["config"] and ds.attrs["seed"] == "5"
    same(model.run(), sim.simulate(SMALL))  # and the next call is back to the model's own


def test_a_number_is_the_override_and_an_array_one_value_per_future(model):
    same(model.run({RATE: 1.5}), sim.simulate([*SMALL, f"{RATE}=1.5"]))
    assert json.loads(model.run({RATE: 1.5}).attrs["values"]) == {RATE: 1.5}
    mixed = model.run({RATE: np.r_[np.zeros(20), np.full(20, 20.0)]})
    calm, stormy = mixed.events.sel(event="sanctions").values.reshape(2, 20).sum(axis=1)
    assert calm == 0 < stormy
    assert json.loads(mixed.attrs["values"]) == {RATE: "one per trajectory"}


@pytest.mark.parametrize("values,message", [
    ({RATE: -1.0}, "must be a number in [0, 1000]"),
    ({RATE: np.ones(3)}, "one value per trajectory (40)"),
    ({"run.seed": 3}, "values are model keys"),
    ({"model.events.no_such_event.rate": 1.0}, "no such parameter"),
])
def test_a_bad_value_is_a_config_error(model, values, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")):
        model.run(values)


def test_a_model_on_the_record_filters_it_once_per_seed():
    small = ["run.trajectories=30", "run.particles=100", "run.end=2025-12"]
    model = sim.Model(small)
    same(model.run(), sim.simulate(small))
    start = model._start
    model.run({"model.events.step.effect": 0.2})
    assert model._start is start  # the same seed: the same filtered start
    assert "record_band" in model.run(seed=3) and model._start[0] == 3


def test_warm_up_compiles_what_a_run_uses_and_keeps_nothing(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cli.main(["--warm-up", "model=reference"])
    assert "compiled for this machine" in capsys.readouterr().out
    assert not any(tmp_path.iterdir())
    with pytest.raises(UsageError, match="--warm-up"):
        cli.main(["--warm-up", "--out", str(tmp_path / "x")])
