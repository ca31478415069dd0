"""Per-trajectory parameter values: designs (a value per trajectory at dotted keys) and parameter sets.

A design maps dotted config keys to one value per trajectory (a sensitivity design, a posterior).

A model config may name a CSV of sets (`parameter_sets`, next to the config; header = dotted
model keys, one row per set, after a column `record_until` where the sets are posteriors given the
record to that month), as `python -m sim.calibrate install` writes for model=calibrated. Draws use
their own stream of the run's seed, so they are the same on any number of workers; each block draws
its part of it where it runs (SetDraw).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import numpy as np

from .. import months, rng
from ..errors import ConfigError
from .validate import RunSpec


def load(path: Path) -> tuple[list[str], np.ndarray, np.ndarray | None]:
    """Keys, values (sets, keys) and, where the file has a first column `record_until`, the month each
    set was calibrated to (sets,); refused with one line if malformed."""
    if not path.exists():
        raise ConfigError("model.parameter_sets", path.name, f"no such file in {path.parent}")
    lines = [line.split(",") for line in path.read_text().splitlines() if line.strip()]
    dated = bool(lines) and lines[0][0] == "record_until"
    keys = lines[0][dated:] if lines else []
    if not keys or not all(k.startswith("model.") for k in keys) or len(lines) < 2:
        raise ConfigError("model.parameter_sets", path.name,
                          "must be a CSV: a header of model.* keys (after record_until, if dated), then one row per set")
    try:
        until = np.array([months.parse(row[0]) for row in lines[1:]]) if dated else None
        values = np.array([[float(v) for v in row[dated:]] for row in lines[1:]])
    except ValueError:
        raise ConfigError("model.parameter_sets", path.name, "every value must be a number (record_until a month YYYY-MM)") from None
    if values.ndim != 2 or values.shape[1] != len(keys) or not np.isfinite(values).all():
        raise ConfigError("model.parameter_sets", path.name, f"every row needs {len(keys)} finite numbers")
    return keys, values, until


def sets_for(spec: RunSpec, model_dir: Path, known_by: int | None = None) -> tuple[list[str], np.ndarray] | None:
    """The model's parameter sets for the run: in a dated file, those calibrated to the latest month not
    after `known_by` (by default run.start: a forecast knows nothing later); None for a model without sets."""
    if spec.model.parameter_sets is None:
        return None
    keys, values, until = load(model_dir / spec.model.parameter_sets)
    if until is None:
        return keys, values
    known_by = spec.run.start if known_by is None else known_by
    known = until[until <= known_by]
    if not known.size:
        raise ConfigError("run.start", months.text(known_by),
                          f"comes before every calibration in {spec.model.parameter_sets} (the first is "
                          f"{months.text(until.min())}); calibrate to an earlier month: python -m sim.calibrate calibration.until=YYYY-MM")
    return keys, values[until == known.max()]


def read_files(spec: RunSpec, model_dir: Path) -> dict[str, Path]:
    """The files a run of this spec reads besides its config, by the config key that names each."""
    return {} if spec.model.parameter_sets is None else {"model.parameter_sets": model_dir / spec.model.parameter_sets}


@dataclass(frozen=True)
class SetDraw:
    """Where one block of a model with parameter sets, not tied to the record, takes its trajectories' values:
    the sets and the state of the run's "parameter-sets" stream at the block's first trajectory. The run draws
    a set per trajectory from that one stream; each block draws its own part where it runs, so no value per
    trajectory is held for the run (the same numbers: the stream's 32-bit buffer is part of its state)."""

    keys: list[str]
    values: np.ndarray  # (sets, keys)
    state: dict

    def block(self, seed: int, block: int, n: int) -> tuple[None, dict[str, np.ndarray]]:
        """The block's origin (none: the model starts from its initial values) and its n trajectories' values."""
        pick = rng.resumed(self.state).integers(0, len(self.values), n)
        return None, {key: self.values[pick, j] for j, key in enumerate(self.keys)}


def set_draws(spec: RunSpec, seed: int, model_dir: Path, sizes: list[int]) -> list[SetDraw] | None:
    """Each block's SetDraw, for blocks of `sizes` trajectories; None for a model without sets. The stream is
    drawn through once here (a few nanoseconds per trajectory), keeping only where each block's part begins."""
    chosen = sets_for(spec, model_dir)
    if chosen is None:
        return None
    keys, values = chosen
    generator, draws = rng.stream(seed, 0, "parameter-sets"), []
    for n in sizes:
        draws.append(SetDraw(keys, values, generator.bit_generator.state))
        generator.integers(0, len(values), n)
    return draws


def lookup(config: Mapping, key: str):
    """The value at a dotted key of a plain config, or None where there is none."""
    node = config
    for part in key.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def entries(config: Mapping, key: str, column: np.ndarray, scale: bool) -> dict[str, np.ndarray]:
    """Design entries that put per-trajectory values at `key`: the values themselves, or with `scale`
    a factor on the key's value in `config` (on every track of a per-track key)."""
    value = lookup(config, key)
    if not scale:
        return {key: column}
    if isinstance(value, Mapping):
        return {f"{key}.{track}": float(v) * column for track, v in value.items()}
    return {key: float(value) * column}


def with_design(config: Mapping, design: Mapping[str, np.ndarray], rows: slice) -> dict:
    """A copy of a plain config with per-trajectory values (design[key][rows]) at dotted keys;
    a scalar in the design is one value for every trajectory. Only the mappings on the way to a key are
    copied (the rest is shared with `config`: configs are never changed in place)."""
    out = dict(config)
    for key, values in design.items():
        node, *path, leaf = key.split(".")
        target = out[node] = dict(out.get(node, {}))
        for part in path:
            if not isinstance(target.get(part), Mapping):
                raise ConfigError(key, None, "no such parameter in the config")
            target[part] = dict(target[part])
            target = target[part]
        if leaf not in target:
            raise ConfigError(key, None, "no such parameter in the config")
        target[leaf] = float(values) if np.ndim(values) == 0 else np.asarray(values, dtype=float)[rows]
    return out
