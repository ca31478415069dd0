"""The study's validated settings and parameter space, from the `sensitivity` section of the config.

Every uncertain parameter names a model key and a distribution over its range; `scale: true`
makes it a factor on the key's reference value (on every track of a per-track key). All of it
is checked here, once, before any work: each problem is one ConfigError line naming the key.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np
from scipy import stats

from ...config.design import entries, lookup, with_design
from ...config.validate import RunSpec, from_config
from ...errors import ConfigError
from ...results.measures import CLASSES

DISTRIBUTIONS = ("uniform", "loguniform", "triangular")
FIELDS = {"key", "dist", "low", "high", "mode", "scale"}


@dataclass(frozen=True)
class Parameter:
    """One uncertain input: a distribution on [low, high] for a model key (or a factor on it)."""

    name: str
    key: str
    dist: str
    low: float
    high: float
    mode: float | None = None
    scale: bool = False

    def values(self, u: np.ndarray) -> np.ndarray:
        """Quantiles of the distribution at unit-interval points u."""
        if self.dist == "uniform":
            return self.low + u * (self.high - self.low)
        if self.dist == "loguniform":
            return np.exp(np.log(self.low) + u * (np.log(self.high) - np.log(self.low)))
        c = (self.mode - self.low) / (self.high - self.low)
        return stats.triang.ppf(u, c, loc=self.low, scale=self.high - self.low)


@dataclass(frozen=True)
class Space:
    """The parameters of a study, in order; points live on the unit cube until `design`."""

    parameters: tuple[Parameter, ...]

    @property
    def names(self) -> list[str]:
        return [p.name for p in self.parameters]

    def problem(self) -> dict:
        """SALib's problem: the unit cube, mapped to parameter values by `values`."""
        return {"num_vars": len(self.parameters), "names": self.names, "bounds": [[0.0, 1.0]] * len(self.parameters)}

    def values(self, unit: np.ndarray) -> np.ndarray:
        """(..., D) unit-cube points → parameter values."""
        return np.stack([p.values(unit[..., i]) for i, p in enumerate(self.parameters)], axis=-1)

    def design(self, config: Mapping[str, Any], values: np.ndarray) -> dict[str, np.ndarray]:
        """(n, D) parameter values → the engine's design: dotted model key → one value per trajectory."""
        design: dict[str, np.ndarray] = {}
        for p, column in zip(self.parameters, np.asarray(values, dtype=float).T):
            design.update(entries(config, p.key, column, p.scale))
        return design


@dataclass(frozen=True)
class Settings:
    """How the study is run and analysed."""

    name: str
    base_samples: int
    replications: int
    common_random_numbers: bool
    morris_trajectories: int
    morris_levels: int
    bootstrap: int
    confidence: float
    milestone: str
    prim_targets: tuple[str, ...]
    prim_peel: float
    prim_min_mass: float
    prim_min_coverage: float


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _integer(where: str, value: Any, low: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < low:
        raise ConfigError(where, value, f"must be an integer >= {low}")
    return value


def _fraction(where: str, value: Any) -> float:
    if not _is_number(value) or not 0 < value < 1:
        raise ConfigError(where, value, "must be a number in (0, 1)")
    return float(value)


def parameter(name: str, entry: Any, config: Mapping[str, Any]) -> Parameter:
    """One validated parameter; `config` is the composed model config it refers to."""
    where = f"sensitivity.parameters.{name}"
    if not isinstance(entry, Mapping):
        raise ConfigError(where, entry, "must be a mapping with key, low, high (and dist, mode, scale)")
    unknown = sorted(set(entry) - FIELDS)
    if unknown:
        raise ConfigError(f"{where}.{unknown[0]}", entry[unknown[0]], f"unknown field; allowed: {sorted(FIELDS)}")
    key = entry.get("key")
    if not isinstance(key, str) or not key.startswith("model."):
        raise ConfigError(f"{where}.key", key, "must be a dotted model key, e.g. model.asymmetry")
    reference = lookup(config, key)
    scale = entry.get("scale", False)
    if not isinstance(scale, bool):
        raise ConfigError(f"{where}.scale", scale, "must be true or false")
    numeric = _is_number(reference) or (
        scale and isinstance(reference, Mapping) and reference and all(_is_number(v) for v in reference.values()))
    if not numeric:
        what = "a number or a per-track mapping of numbers" if scale else "a number"
        problem = "no such parameter in the model" if reference is None else f"is not {what}"
        raise ConfigError(f"{where}.key", key, problem)
    dist = entry.get("dist", "uniform")
    if dist not in DISTRIBUTIONS:
        raise ConfigError(f"{where}.dist", dist, f"unknown distribution; allowed: {', '.join(DISTRIBUTIONS)}")
    low, high, mode = entry.get("low"), entry.get("high"), entry.get("mode")
    for field_name, value in (("low", low), ("high", high)):
        if not _is_number(value):
            raise ConfigError(f"{where}.{field_name}", value, "must be a number")
    if low >= high:
        raise ConfigError(f"{where}.low", low, f"must be below high ({high})")
    if dist == "loguniform" and low <= 0:
        raise ConfigError(f"{where}.low", low, "must be > 0 for a loguniform distribution")
    if dist == "triangular" and not (_is_number(mode) and low <= mode <= high):
        raise ConfigError(f"{where}.mode", mode, f"a triangular distribution needs a mode in [{low}, {high}]")
    if dist != "triangular" and mode is not None:
        raise ConfigError(f"{where}.mode", mode, "only a triangular distribution has a mode")
    return Parameter(name, key, dist, float(low), float(high), None if mode is None else float(mode), scale)


def space(section: Mapping[str, Any], config: Mapping[str, Any]) -> Space:
    """The validated parameter space; each parameter's range must also be valid for the model."""
    entries = section.get("parameters")
    if not isinstance(entries, Mapping) or len(entries) < 2:
        raise ConfigError("sensitivity.parameters", entries, "must map at least two names to parameters")
    result = Space(tuple(parameter(name, entry, config) for name, entry in entries.items()))
    keys = [p.key for p in result.parameters]
    twice = next((k for k in keys if keys.count(k) > 1), None)
    if twice:
        raise ConfigError("sensitivity.parameters", twice, "each model key may be uncertain only once")
    ends = np.array([[p.low for p in result.parameters], [p.high for p in result.parameters]])
    probe = dict(config, run={**config["run"], "trajectories": 2})
    try:
        from_config(with_design(probe, result.design(config, ends), slice(None)))
    except ConfigError as exc:
        raise ConfigError("sensitivity.parameters", "[low, high]", f"outside the model's range: {exc}") from None
    return result


def settings(section: Mapping[str, Any], spec: RunSpec) -> Settings:
    """The validated study settings (sizes, intervals, outputs and scenario-discovery options)."""
    morris, prim = section.get("morris") or {}, section.get("prim") or {}
    milestone = section.get("milestone")
    if milestone not in vars(spec.analysis.milestones):
        raise ConfigError("sensitivity.milestone", milestone,
                          f"must be one of analysis.milestones: {sorted(vars(spec.analysis.milestones))}")
    targets = prim.get("targets")
    if not isinstance(targets, (list, tuple)) or not targets or any(t not in CLASSES for t in targets):
        raise ConfigError("sensitivity.prim.targets", targets, f"must be a list of outlook classes {list(CLASSES)}")
    crn = section.get("common_random_numbers")
    if not isinstance(crn, bool):
        raise ConfigError("sensitivity.common_random_numbers", crn, "must be true or false")
    levels = _integer("sensitivity.morris.levels", morris.get("levels"), 2)
    if levels % 2:
        raise ConfigError("sensitivity.morris.levels", levels, "must be an even integer >= 2")
    name = section.get("name")
    if not isinstance(name, str) or not name:
        raise ConfigError("sensitivity.name", name, "must be text")
    return Settings(
        name=name,
        base_samples=_integer("sensitivity.base_samples", section.get("base_samples"), 8),
        replications=_integer("sensitivity.replications", section.get("replications"), 2),
        common_random_numbers=crn,
        morris_trajectories=_integer("sensitivity.morris.trajectories", morris.get("trajectories"), 2),
        morris_levels=levels,
        bootstrap=_integer("sensitivity.bootstrap", section.get("bootstrap"), 10),
        confidence=_fraction("sensitivity.confidence", section.get("confidence")),
        milestone=milestone,
        prim_targets=tuple(targets),
        prim_peel=_fraction("sensitivity.prim.peel", prim.get("peel")),
        prim_min_mass=_fraction("sensitivity.prim.min_mass", prim.get("min_mass")),
        prim_min_coverage=_fraction("sensitivity.prim.min_coverage", prim.get("min_coverage")),
    )


def load(config: Mapping[str, Any]) -> tuple[RunSpec, Settings, Space]:
    """Validate a composed plain config with a `sensitivity` section: run spec, settings, space."""
    section = config.get("sensitivity")
    if not isinstance(section, Mapping):
        raise ConfigError("sensitivity", section, "missing section; compose with +sensitivity=NAME")
    spec = from_config(config)
    if spec.model.parameter_sets is not None:
        raise ConfigError("model.parameter_sets", spec.model.parameter_sets,
                          "the study draws its own values: use a model with one value per parameter (model=default)")
    return spec, settings(section, spec), space(section, config)
