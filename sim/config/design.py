"""Per-trajectory parameter values: designs (a value per trajectory at dotted keys) and parameter sets.

A design maps dotted config keys to one value per trajectory (a sensitivity design, a posterior).

A model config may name a CSV of sets (`parameter_sets`, next to the config; header = dotted
model keys, one row per set), as `python -m sim.calibrate` writes for model=calibrated. The
draw uses its own stream of the run's seed, so it is the same on any number of workers.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Mapping

import numpy as np

from .. import rng
from ..errors import ConfigError
from .validate import RunSpec


def load(path: Path) -> tuple[list[str], np.ndarray]:
    """Keys and values (sets, keys) of a parameter-set file, refused with one line if malformed."""
    if not path.exists():
        raise ConfigError("model.parameter_sets", path.name, f"no such file in {path.parent}")
    lines = [line for line in path.read_text().splitlines() if line.strip()]
    keys = lines[0].split(",") if lines else []
    if not keys or not all(k.startswith("model.") for k in keys) or len(lines) < 2:
        raise ConfigError("model.parameter_sets", path.name, "must be a CSV: a header of model.* keys, then one row per set")
    try:
        values = np.array([[float(v) for v in line.split(",")] for line in lines[1:]])
    except ValueError:
        raise ConfigError("model.parameter_sets", path.name, "every value must be a number") from None
    if values.shape[1] != len(keys) or not np.isfinite(values).all():
        raise ConfigError("model.parameter_sets", path.name, f"every row needs {len(keys)} finite numbers")
    return keys, values


def from_sets(spec: RunSpec, seed: int, model_dir: Path) -> dict[str, np.ndarray] | None:
    """Per-trajectory values drawn from the model's parameter sets, or None when it has none."""
    if spec.model.parameter_sets is None:
        return None
    keys, values = load(model_dir / spec.model.parameter_sets)
    pick = rng.stream(seed, 0, "parameter-sets").integers(0, len(values), spec.run.trajectories)
    return {key: values[pick, j] for j, key in enumerate(keys)}


def with_design(config: Mapping, design: Mapping[str, np.ndarray], rows: slice) -> dict:
    """A copy of a plain config with per-trajectory values (design[key][rows]) at dotted keys;
    a scalar in the design is one value for every trajectory."""
    out = copy.deepcopy(dict(config))
    for key, values in design.items():
        node, *path, leaf = key.split(".")
        target = out.setdefault(node, {})
        for part in path:
            if not isinstance(target.get(part), Mapping):
                raise ConfigError(key, None, "no such parameter in the config")
            target = target[part]
        if leaf not in target:
            raise ConfigError(key, None, "no such parameter in the config")
        target[leaf] = float(values) if np.ndim(values) == 0 else np.asarray(values, dtype=float)[rows]
    return out
