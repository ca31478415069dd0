"""Shared helpers: small runs composed through the same config path as the CLI.

Tests of the engine's mechanics, the results, the analysis and the commands run the reference
model (model=reference): it starts from its judged state, without a filter, so they are fast and
their expectations do not move with the record; tests of the model on the record run the default."""

from __future__ import annotations

import os
import shutil

import numpy as np
import pytest

from sim.config import compose as composing
from sim.config.compose import CONFIG_DIR, compose, prepare
from sim.run.ensemble import simulate as simulate_spec

TRACKS = ("economic", "energy", "monetary", "political", "security")
REFERENCE = ["model=reference"]
EVENTS = ("dispute", "crisis", "sanctions", "detente", "commodity", "transition")


def run(overrides: list[str]):
    """A small ensemble in memory, of the reference model unless the overrides name a model."""
    named = any(o.startswith("model=") for o in overrides)
    spec, seed, config_yaml = prepare(compose(overrides if named else [*REFERENCE, *overrides]))
    return simulate_spec(spec, seed, config_yaml)


def quiet_model() -> list[str]:
    """Overrides that switch off every event and every state-dependent pull: a plain drifted walk."""
    out = [f"model.events.{e}.rate=0" for e in EVENTS]
    for t in TRACKS:
        out += [f"model.{p}.{t}=0" for p in ("history_loading", "interdependence_loading", "pressure_loading",
                                               "resistance", "instability_drag")]
    out += ["model.noise_instability=0", "model.calendar.council.effect.economic=0",
            "model.calendar.council.effect.political=0",
            "model.calendar.deadlines.single_gas_market.success=0",
            "model.calendar.deadlines.single_gas_market.failure=0"]
    return out


def logit(x):
    x = np.asarray(x, dtype=np.float64)
    return np.log(x / (1 - x))


@pytest.fixture(autouse=True, scope="session")
def start_cache(tmp_path_factory):
    """The filtered starts the tests make are kept in a folder of their own, not the user's cache."""
    os.environ["SIM_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))


@pytest.fixture
def small() -> list[str]:
    return [*REFERENCE, "run.trajectories=400", "run.block_size=200", "run.end=2026-12"]


@pytest.fixture
def configs(tmp_path, monkeypatch):
    """A copy of configs/ the test may add files to, used by the commands in place of the real one."""
    copy = tmp_path / "configs"
    shutil.copytree(CONFIG_DIR, copy)
    monkeypatch.setattr(composing, "CONFIG_DIR", copy)
    return copy
