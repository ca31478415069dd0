"""The calibration's prior: one independent normal per uncertain parameter on an unconstrained scale.

A parameter names a model key and a distribution: `normal` (mean, sd) on the key's own scale,
`lognormal` (median, sd of the log) for a positive key, `logitnormal` (median, sd of the logit)
for a key in (0, 1). `scale: true` makes the parameter a factor on the key's value in the model
config (on every track of a per-track key), its distribution then that of the factor. Working on
the unconstrained scale (identity, log, logit) makes every prior a normal there, and a random-walk
proposal needs no bounds of its own; the prior is truncated to the values the model accepts (the
config schema's range of the key, for a factor the range divided over the key's values), so a draw
or a proposal outside it has density zero and is never simulated. The prior reads nothing of the
record: its centres are the article's or generic values, so that a calibration at any date is
conditioned on the record before it only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np
from scipy.special import expit, logit

from ..config.design import entries, lookup
from ..config.schema import rule_for
from ..errors import ConfigError

TRANSFORMS = {"normal": (lambda x: x, lambda u: u), "lognormal": (np.log, np.exp), "logitnormal": (logit, expit)}
FIELDS = {"key", "dist", "centre", "sd", "scale"}


@dataclass(frozen=True)
class Parameter:
    """One uncertain parameter: a normal of mean transform(centre) and sd `sd` on its unconstrained scale."""

    name: str
    key: str
    dist: str
    centre: float
    sd: float
    scale: bool = False
    low: float = -np.inf     # the values the model accepts (the schema's range), inclusive
    high: float = np.inf

    @property
    def mean(self) -> float:
        return float(TRANSFORMS[self.dist][0](self.centre))

    def natural(self, u: np.ndarray) -> np.ndarray:
        """Values on the parameter's own scale from unconstrained values."""
        return TRANSFORMS[self.dist][1](u)

    def unconstrained(self, x: np.ndarray) -> np.ndarray:
        return TRANSFORMS[self.dist][0](x)


@dataclass(frozen=True)
class Prior:
    """The parameters of a calibration, in order; points are rows (n, D) on the unconstrained scale."""

    parameters: tuple[Parameter, ...]

    @property
    def names(self) -> list[str]:
        return [p.name for p in self.parameters]

    def sample(self, n: int, generator: np.random.Generator) -> np.ndarray:
        """(n, D) draws from the (truncated) prior, unconstrained: rows outside are drawn again."""
        means, sds = self.moments()
        u = means + sds * generator.standard_normal((n, len(self.parameters)))
        while not (inside := self.inside(u)).all():
            u[~inside] = means + sds * generator.standard_normal((int((~inside).sum()), len(self.parameters)))
        return u

    def inside(self, u: np.ndarray) -> np.ndarray:
        """(n,) whether each unconstrained point's values are all ones the model accepts."""
        x = self.natural(u)
        low, high = np.array([p.low for p in self.parameters]), np.array([p.high for p in self.parameters])
        return ((x >= low) & (x <= high)).all(axis=-1)

    def moments(self) -> tuple[np.ndarray, np.ndarray]:
        """The unconstrained means and standard deviations (D,)."""
        return np.array([p.mean for p in self.parameters]), np.array([p.sd for p in self.parameters])

    def log_density(self, u: np.ndarray) -> np.ndarray:
        """(n,) log prior density of unconstrained points (n, D), up to a constant; −inf outside the model's range."""
        means, sds = self.moments()
        return np.where(self.inside(u), -0.5 * (((u - means) / sds) ** 2).sum(axis=-1), -np.inf)

    def natural(self, u: np.ndarray) -> np.ndarray:
        """(n, D) the parameters' own values of unconstrained points."""
        return np.stack([p.natural(u[:, j]) for j, p in enumerate(self.parameters)], axis=1)

    def unconstrained(self, x: np.ndarray) -> np.ndarray:
        """(n, D) the unconstrained points of parameter values (n, D)."""
        return np.stack([p.unconstrained(x[:, j]) for j, p in enumerate(self.parameters)], axis=1)

    def design(self, config: Mapping[str, Any], natural: np.ndarray, repeat: int = 1) -> dict[str, np.ndarray]:
        """The engine's design of points (n, D) in their own values: dotted model key → a value per
        trajectory, each point repeated `repeat` times (a block of particles per parameter set)."""
        design: dict[str, np.ndarray] = {}
        for p, column in zip(self.parameters, np.repeat(np.asarray(natural, dtype=float), repeat, axis=0).T):
            design.update(entries(config, p.key, column, p.scale))
        return design


def load(section: Mapping[str, Any], config: Mapping[str, Any]) -> Prior:
    """The prior of a `calibration.prior` section (name → {key, dist, centre, sd, scale}), checked
    against the model config: each problem is one ConfigError naming the entry."""
    if not isinstance(section, Mapping) or not section:
        raise ConfigError("calibration.prior", section, "must name at least one parameter: name → {key, dist, centre, sd}")
    parameters = []
    for name, entry in section.items():
        where = f"calibration.prior.{name}"
        if not isinstance(entry, Mapping) or set(entry) - FIELDS or not {"key", "dist", "centre", "sd"} <= set(entry):
            raise ConfigError(where, entry, "must be {key, dist, centre, sd} and optionally scale: true")
        if entry["dist"] not in TRANSFORMS:
            raise ConfigError(f"{where}.dist", entry["dist"], "must be one of " + ", ".join(TRANSFORMS))
        try:
            centre, sd = float(entry["centre"]), float(entry["sd"])
        except (TypeError, ValueError):
            raise ConfigError(where, entry, "centre and sd must be numbers") from None
        if not sd > 0 or (entry["dist"] == "lognormal" and not centre > 0) or \
                (entry["dist"] == "logitnormal" and not 0 < centre < 1):
            raise ConfigError(where, entry, "needs sd > 0, and a centre inside the distribution's support")
        if not str(entry["key"]).startswith("model."):
            raise ConfigError(f"{where}.key", entry["key"], "must be a model key (model.…)")
        value = lookup(config, str(entry["key"]))
        if value is None:
            raise ConfigError(f"{where}.key", entry["key"], "no such parameter in the model config")
        numeric = all(isinstance(v, (int, float)) for v in (value.values() if isinstance(value, Mapping) else [value]))
        if not numeric or (isinstance(value, Mapping) and not entry.get("scale", False)):
            raise ConfigError(f"{where}.key", entry["key"], "must name a number (or, with scale: true, numbers by track)")
        scale = bool(entry.get("scale", False))
        parameters.append(Parameter(name, str(entry["key"]), entry["dist"], centre, sd, scale,
                                    *accepted(str(entry["key"]), value, scale)))
    return Prior(tuple(parameters))


def accepted(key: str, value, scale: bool) -> tuple[float, float]:
    """The parameter's range the model accepts: the schema's for the key, or for a factor (scale: true) the
    factors that keep every one of the key's positive values inside it (bounds taken as inclusive: an open
    bound's edge is a zero-probability draw)."""
    rule = rule_for(key) or rule_for(key.rsplit(".", 1)[0])
    if rule is None or rule.kind not in ("real", "int", "vector", "effect"):
        return -np.inf, np.inf
    if not scale:
        return rule.lo, rule.hi
    values = np.array(list(value.values()) if isinstance(value, Mapping) else [value], dtype=float)
    if not (values > 0).all():
        return -np.inf, np.inf
    return max(rule.lo, 0.0) / values.min(), rule.hi / values.max()
