"""The Python API's model: a config composed and validated once, then run many times in memory.

Composing (Hydra) and validating a config costs about a hundred times a small ensemble, so a loop
(a notebook, an optimiser, an exploratory-modelling tool) builds a Model once and calls run() with
parameter values; each call gives the Dataset sim.simulate gives for the same config. A model tied to
the record filters it once per seed, with the config's values, and every run from that seed starts
from those particles (as the sensitivity study does); values given to run() apply from the start on.
"""

from __future__ import annotations

import json
from typing import Mapping

import numpy as np
import xarray as xr
from omegaconf import OmegaConf

from .config.compose import compose, prepare
from .config.design import with_design
from .config.validate import RunSpec, from_config
from .errors import ConfigError
from .results import dataset
from .run import ensemble


class Model:
    """A config composed once from `overrides` (as the command line takes them), e.g.
    Model(["scenario=escalation"]); run() it with parameter values, sizes and seeds."""

    def __init__(self, overrides: list[str] | tuple[str, ...] = ()):
        self.config, self.overrides = compose(overrides), list(overrides)
        self.spec, self.seed, config_yaml = prepare(self.config)  # run.seed null: one seed drawn here
        attrs = dataset.attributes(self.spec, self.seed, config_yaml, ensemble.inputs(self.spec))
        self._sized = ((self.spec.run.trajectories, self.seed), (self.spec, attrs))  # the latest size and seed
        self._start: tuple[int, ensemble.Start] | None = None  # the latest seed's filtered record

    def run(self, values: Mapping[str, float | np.ndarray] | None = None, trajectories: int | None = None,
            seed: int | None = None) -> xr.Dataset:
        """The ensemble of `trajectories` futures (default run.trajectories) from `seed` (default run.seed, or
        the seed drawn when the model was built) with `values` at dotted model keys: a number for every
        future, or an array of one per future. Without values, the Dataset of sim.simulate for the config."""
        trajectories = self.spec.run.trajectories if trajectories is None else int(trajectories)
        seed = self.seed if seed is None else int(seed)
        spec, attrs = self._prepared(trajectories, seed)
        attrs = {**attrs, "overrides": json.dumps(self.overrides)}  # as the CLI records them: the run's model and title
        scalars, arrays = _split(values or {}, trajectories)
        if scalars:
            spec = from_config(with_design(spec.config, scalars, slice(None)))
            if spec.model.parameter_sets is not None:  # over the values of the sets, too (numbers: nothing per future)
                arrays = {**scalars, **arrays}
        if values:  # the config records the model's own values
            attrs = {**attrs, "values": json.dumps({k: scalars.get(k, "one per trajectory") for k in values})}
        begun = None
        ensemble.compiling()
        if ensemble.tied_to_record(spec):
            if self._start is None or self._start[0] != seed:
                self._start = seed, ensemble.start(self.spec, seed)
            begun = self._start[1]
        return ensemble.from_start(spec, seed, begun, attrs, values=arrays)

    def _prepared(self, trajectories: int, seed: int) -> tuple[RunSpec, dict]:
        """The spec and Dataset attributes of a run of this size and seed (those of the latest call kept)."""
        if self._sized[0] != (trajectories, seed):
            spec, _, config_yaml = prepare(OmegaConf.merge(self.config, {"run": {"trajectories": trajectories,
                                                                                 "seed": seed}}))
            self._sized = (trajectories, seed), (spec, dataset.attributes(spec, seed, config_yaml,
                                                                           ensemble.inputs(spec)))
        return self._sized[1]


def _split(values: Mapping[str, float | np.ndarray], trajectories: int) -> tuple[dict, dict]:
    """Values as numbers for every future (in the config) and arrays of one per future (a design)."""
    scalars, arrays = {}, {}
    for key, value in values.items():
        if not key.startswith("model."):
            raise ConfigError(key, None, "values are model keys (model.…); set other keys as overrides of the Model")
        if np.ndim(value) == 0:
            scalars[key] = float(value)
        elif np.shape(value) == (trajectories,):
            arrays[key] = np.asarray(value, dtype=float)
        else:
            raise ConfigError(key, f"an array of shape {np.shape(value)}",
                              f"must be a number or one value per trajectory ({trajectories})")
    return scalars, arrays
