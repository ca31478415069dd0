"""Validated parameters built from the composed config: the only place ranges are checked.

Every key of the config is matched against SCHEMA (dotted patterns, first match wins). The
entry says what the value is, what range is allowed and its unit, so the same table checks the
config and documents it. A key no entry matches is an error, so a misspelt key in a YAML file
cannot be silently ignored. Numbers may be per-trajectory arrays (a sensitivity design): the
checks apply to every element and per-track vectors become (tracks, trajectories) arrays.
"""

from __future__ import annotations

import difflib
import fnmatch
import math
import re
import copy
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, Mapping

import numpy as np


class ConfigError(ValueError):
    """A config value that is not allowed; its message is one line naming key, value and rule."""

    def __init__(self, key: str, value: Any, allowed: str):
        super().__init__(f"{key} = {_show(value)}: {allowed}")


def _show(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"array of {value.size}"
    return repr(value) if isinstance(value, str) else str(value)


@dataclass(frozen=True)
class Rule:
    """What a config value must be: its kind, bounds (inclusive unless open) and unit."""

    kind: str  # real | int | month | months | track | tracks | text | vector | effect | seed
    lo: float = -math.inf
    hi: float = math.inf
    lo_open: bool = False
    hi_open: bool = False
    unit: str = ""

    def describe(self) -> str:
        if self.kind in ("vector", "effect", "real", "int"):
            left = "(" if self.lo_open else "["
            right = ")" if self.hi_open else "]"
            lo = "-inf" if self.lo == -math.inf else f"{self.lo:g}"
            hi = "inf" if self.hi == math.inf else f"{self.hi:g}"
            what = "an integer" if self.kind == "int" else "a number"
            return f"must be {what} in {left}{lo}, {hi}{right}"
        return {
            "month": "must be a month YYYY-MM",
            "months": "must be a list of months YYYY-MM",
            "track": "must be one of the model's tracks",
            "tracks": "must be a list of track names",
            "text": "must be text",
            "seed": "must be an integer >= 0, or null for fresh entropy",
        }[self.kind]


def real(lo=-math.inf, hi=math.inf, unit="", lo_open=False, hi_open=False, kind="real") -> Rule:
    return Rule(kind, lo, hi, lo_open, hi_open, unit)


PROB = real(0, 1, "probability")
UNIT_OPEN = real(0, 1, "level", lo_open=True, hi_open=True)
RATE = real(0, 1e3, "per year")
LOGIT = real(-50, 50, "logit")
SLOPE = real(-50, 50, "log-odds per unit")
NONNEG = real(0, 1e3)

# First match wins: specific patterns precede general ones.
SCHEMA: list[tuple[str, Rule]] = [
    # model: tracks and their dynamics
    ("model.tracks", Rule("tracks")),
    ("model.weights", real(0, 1, "weight", kind="vector")),
    ("model.initial", real(0, 1, "level", True, True, kind="vector")),
    ("model.drift", real(-50, 50, "logit/year", kind="vector")),
    ("model.*_loading", real(-50, 50, "logit/year per unit", kind="vector")),
    ("model.resistance", real(0, 50, "logit/year", kind="vector")),
    ("model.instability_drag", real(0, 50, "logit/year per unit", kind="vector")),
    ("model.volatility", real(0, 10, "logit/√year", kind="vector")),
    ("model.eta", real(0, 10, "exponent", lo_open=True)),
    ("model.asymmetry", real(0, 1, "index")),
    ("model.noise_instability", real(0, 10, "per unit of S")),
    ("model.correlation", real(-0.25, 1, "correlation", hi_open=True)),
    # drivers
    ("model.history.timescale_years", real(0, 1e4, "years", lo_open=True)),
    ("model.history.{initial,long_run}", real(0, 1, "index")),
    ("model.interdependence.initial", real(0, 1, "index")),
    ("model.interdependence.feedback", real(-10, 10, "index per unit level", kind="effect")),
    ("model.interdependence.reversion", real(0, 100, "per year")),
    ("model.interdependence.volatility", real(0, 10, "per √year")),
    ("model.interdependence.{base,pressure,subsidy,stress}", real(-10, 10, "index per unit")),
    ("model.pressure.initial", real(0, 1e3, "rounds")),
    ("model.pressure.half_life_years", real(0, 1e4, "years", lo_open=True)),
    ("model.{instability,fiscal_stress}.reversion", real(0, 100, "per year")),
    ("model.{instability,fiscal_stress}.volatility", real(0, 10, "per √year")),
    ("model.{instability,fiscal_stress}.{initial,mean}", real(0, 1e3, "index")),
    ("model.subsidy.adjustment", PROB),
    ("model.reference.pressure", real(0, 1e3, "rounds")),
    ("model.reference.{interdependence,instability,fiscal_stress,subsidy_gap,history,level}", real(0, 1, "index")),
    ("model.subsidy.{initial,reference,stress}", real(0, 1, "share")),
    # stochastic events
    ("model.events.*.rate", RATE),
    ("model.events.transition.growth", real(-10, 10, "per year")),
    ("model.events.transition.continuity", PROB),
    ("model.events.transition.pro_moscow", PROB),
    ("model.events.transition.multi_vector", PROB),
    ("model.events.{crisis,transition}.instability_jump", real(0, 1e3, "index")),
    ("model.events.sanctions.jump", real(0, 1e3, "rounds")),
    ("model.events.commodity.jump", real(0, 1e3, "index")),
    ("model.events.dispute.subsidy_cut", PROB),
    ("model.events.detente.cut", PROB),
    ("model.events.sanctions.after_crisis", real(0, 1e3, "rate multiplier")),
    ("model.events.sanctions.after_crisis_months", real(0, 600, "months", kind="int")),
    ("model.events.sanctions.interdependence", real(-1, 1, "index")),
    ("model.events.crisis.rally_odds", real(-50, 50, "log-odds")),
    ("model.events.dispute.effect", real(-50, 50, "logit", kind="effect")),
    ("model.events.crisis.rally", real(-50, 50, "logit", kind="effect")),
    ("model.events.crisis.hedge", real(-50, 50, "logit", kind="effect")),
    ("model.events.transition.consolidation", real(-50, 50, "logit", kind="effect")),
    ("model.events.transition.pivot", real(-50, 50, "logit", kind="effect")),
    ("model.events.dispute.{stress,gap,interdependence}", SLOPE),
    ("model.events.crisis.{instability,rally_pressure}", SLOPE),
    ("model.events.{sanctions,detente}.pressure", SLOPE),
    # scheduled calendar
    ("model.calendar.*_election.dates", Rule("months")),
    ("model.calendar.*_election.cycle_years", real(1, 100, "years", kind="int")),
    ("model.calendar.*_election.instability_jump", real(0, 1e3, "index")),
    ("model.calendar.*_election.crisis_window_months", real(0, 600, "months", kind="int")),
    ("model.calendar.*_election.crisis_multiplier", real(0, 1e3, "rate multiplier")),
    ("model.calendar.{council,gas_deal}.month", real(1, 12, "month of year", kind="int")),
    ("model.calendar.council.effect", real(-50, 50, "logit", kind="effect")),
    ("model.calendar.council.odds", real(-50, 50, "log-odds")),
    ("model.calendar.council.{history,interdependence,pressure,instability}", SLOPE),
    ("model.calendar.deadlines.*.date", Rule("month")),
    ("model.calendar.deadlines.*.track", Rule("track")),
    ("model.calendar.deadlines.*.postpone_months", real(1, 600, "months", kind="int")),
    ("model.calendar.deadlines.*.success", LOGIT),
    ("model.calendar.deadlines.*.failure", LOGIT),
    ("model.calendar.deadlines.*.odds", real(-50, 50, "log-odds")),
    ("model.calendar.deadlines.*.{level,interdependence,instability}", SLOPE),
    # scenario
    ("scenario.name", Rule("text")),
    ("scenario.description", Rule("text")),
    # run
    ("run.trajectories", real(1, 1e9, "trajectories", kind="int")),
    ("run.seed", Rule("seed")),
    ("run.start", Rule("month")),
    ("run.end", Rule("month")),
    ("run.workers", real(1, 1024, "processes", kind="int")),
    ("run.block_size", real(1, 1e7, "trajectories", kind="int")),
    ("run.sample_paths", real(0, 1000, "paths", kind="int")),
    # analysis
    ("analysis.delta", real(0, 1, "composite level", lo_open=True)),
    ("analysis.epsilon", real(0, 1, "composite level", lo_open=True)),
    ("analysis.window_months", real(1, 600, "months", kind="int")),
    ("analysis.p_progress", PROB),
    ("analysis.p_setback", PROB),
    ("analysis.milestones.*.track", Rule("text")),
    ("analysis.milestones.*.threshold", UNIT_OPEN),
]



def _expand(pattern: str) -> list[str]:
    """'a.{b,c}.d' → ['a.b.d', 'a.c.d'] (fnmatch has no alternation)."""
    match = re.search(r"\{([^}]*)\}", pattern)
    if not match:
        return [pattern]
    return [p for option in match[1].split(",")
            for p in _expand(pattern[:match.start()] + option + pattern[match.end():])]


_RULES = [(p, rule) for pattern, rule in SCHEMA for p in _expand(pattern)]
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def rule_for(key: str) -> Rule | None:
    """The schema entry for a dotted key, or None when the key is unknown."""
    for pattern, rule in _RULES:
        if fnmatch.fnmatchcase(key, pattern) and pattern.count(".") == key.count("."):
            return rule
    return None


def parse_month(key: str, value: Any) -> int:
    """'YYYY-MM' → months since year 0 (an integer that orders and subtracts)."""
    match = _MONTH.match(str(value)) if isinstance(value, str) else None
    if not match or not 1 <= int(match[2]) <= 12:
        raise ConfigError(key, value, "must be a month YYYY-MM")
    return int(match[1]) * 12 + int(match[2]) - 1


def month_str(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _number(key: str, value: Any, rule: Rule):
    if isinstance(value, np.ndarray):
        values = value.astype(float)
    elif isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(key, value, rule.describe())
    else:
        values = np.asarray(float(value))
    bad = ~np.isfinite(values)
    bad |= (values <= rule.lo) if rule.lo_open else (values < rule.lo)
    bad |= (values >= rule.hi) if rule.hi_open else (values > rule.hi)
    if rule.kind == "int":
        bad |= values != np.round(values)
    if bad.any():
        shown = value if values.ndim == 0 else float(values[bad][0])
        raise ConfigError(key, shown, rule.describe())
    if isinstance(value, np.ndarray):
        return values
    return int(value) if rule.kind == "int" else float(value)


def _vector(key: str, value: Any, rule: Rule, tracks: tuple[str, ...]) -> np.ndarray:
    """A per-track mapping → array (tracks, 1) or (tracks, n); effects may omit tracks (0)."""
    if not isinstance(value, Mapping):
        raise ConfigError(key, value, f"must be a mapping of tracks {list(tracks)} to numbers")
    unknown = [t for t in value if t not in tracks]
    if unknown:
        raise ConfigError(f"{key}.{unknown[0]}", value[unknown[0]], f"no such key: not a track; tracks are {list(tracks)}")
    missing = [t for t in tracks if t not in value]
    if rule.kind == "vector" and missing:
        raise ConfigError(f"{key}.{missing[0]}", None, f"missing; {rule.describe()}")
    rows = [np.atleast_1d(_number(f"{key}.{t}", value[t], rule)) if t in value else np.zeros(1) for t in tracks]
    width = max(r.size for r in rows)
    return np.stack([np.broadcast_to(r, (width,)) for r in rows])


def _convert(key: str, value: Any, tracks: tuple[str, ...]) -> Any:
    rule = rule_for(key)
    if rule is None:
        if isinstance(value, Mapping):
            return SimpleNamespace(**{k: _convert(f"{key}.{k}", v, tracks) for k, v in value.items()})
        known = [p for p, _ in _RULES if "*" not in p]
        hint = difflib.get_close_matches(key, known, n=1)
        raise ConfigError(key, value, "unknown key" + (f" (did you mean {hint[0]}?)" if hint else ""))
    if rule.kind in ("vector", "effect"):
        return _vector(key, value, rule, tracks)
    if rule.kind in ("real", "int"):
        return _number(key, value, rule)
    if rule.kind == "month":
        return parse_month(key, value)
    if rule.kind == "months":
        if not isinstance(value, (list, tuple)):
            raise ConfigError(key, value, rule.describe())
        return sorted(parse_month(key, v) for v in value)
    if rule.kind == "seed":
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ConfigError(key, value, rule.describe())
        return value
    if rule.kind == "track":
        if value not in tracks:
            raise ConfigError(key, value, f"must be one of the tracks {list(tracks)}")
        return value
    if rule.kind == "tracks":
        if not isinstance(value, (list, tuple)) or len(value) < 1 or len(set(value)) != len(value):
            raise ConfigError(key, value, rule.describe() + " without repeats")
        return tuple(str(v) for v in value)
    if not isinstance(value, str):
        raise ConfigError(key, value, rule.describe())
    return value


@dataclass(frozen=True)
class RunSpec:
    """Everything a run needs, validated: model, scenario, run settings, analysis settings."""

    model: SimpleNamespace
    scenario: SimpleNamespace
    run: SimpleNamespace
    analysis: SimpleNamespace
    config: Mapping[str, Any] = field(repr=False, compare=False, default_factory=dict)

    @property
    def months(self) -> int:
        """Number of recorded months, start and end included."""
        return self.run.end - self.run.start + 1

    @property
    def tracks(self) -> tuple[str, ...]:
        return self.model.tracks


def from_config(cfg: Mapping[str, Any]) -> RunSpec:
    """Validate a plain config mapping (model, scenario, run, analysis) into a RunSpec."""
    for section in ("model", "scenario", "run", "analysis"):
        if not isinstance(cfg.get(section), Mapping):
            raise ConfigError(section, cfg.get(section), "missing section; compose configs/config.yaml")
    tracks = _convert("model.tracks", cfg["model"].get("tracks"), ())
    sections = {s: _convert(s, cfg[s], tracks) for s in ("model", "scenario", "run", "analysis")}
    spec = RunSpec(**sections, config=cfg)
    _check_relations(spec)
    return spec


def _check_relations(spec: RunSpec) -> None:
    """Rules that tie several keys together."""
    m, run = spec.model, spec.run
    total = np.asarray(m.weights).sum(axis=0)
    if not np.allclose(total, 1.0, atol=1e-6):
        raise ConfigError("model.weights", round(float(np.max(total)), 6), "must sum to 1 over the tracks")
    t = m.events.transition
    branches = np.asarray(t.continuity + t.pro_moscow + t.multi_vector)
    if not np.allclose(branches, 1.0, atol=1e-6):
        raise ConfigError("model.events.transition", float(np.max(branches)),
                          "continuity + pro_moscow + multi_vector must sum to 1")
    k = len(spec.tracks)
    if k > 1 and m.correlation <= -1 / (k - 1):
        raise ConfigError("model.correlation", m.correlation, f"must exceed {-1 / (k - 1):g} for {k} tracks")
    if run.end <= run.start:
        raise ConfigError("run.end", month_str(run.end), f"must be after run.start ({month_str(run.start)})")
    allowed = set(spec.tracks) | {"composite"}
    for name, milestone in vars(spec.analysis.milestones).items():
        if milestone.track not in allowed:
            raise ConfigError(f"analysis.milestones.{name}.track", milestone.track,
                              f"must be one of {sorted(allowed)}")


def with_design(config: Mapping[str, Any], design: Mapping[str, np.ndarray], rows: slice) -> dict:
    """A copy of a plain config with per-trajectory values (design[key][rows]) at dotted keys."""
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
        target[leaf] = np.asarray(values, dtype=float)[rows]
    return out
