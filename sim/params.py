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
from dataclasses import dataclass, field, replace
from types import SimpleNamespace
from typing import Any, Mapping

import numpy as np


class ConfigError(ValueError):
    """A config value that is not allowed; its message is one line naming key, value and rule."""

    def __init__(self, key: str, value: Any, allowed: str, where: str = ""):
        self.key, self.value, self.allowed = key, value, allowed
        super().__init__(f"{where}: " * bool(where) + f"{key} = {_show(value)}: {allowed}")


def _show(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"array of {value.size}"
    return repr(value) if isinstance(value, str) else str(value)


@dataclass(frozen=True)
class Rule:
    """What a config value must be: its kind, bounds (inclusive unless open) and unit."""

    kind: str  # real | int | range | month | months | track | tracks | text | file | vector | effect | seed | model
    #            | flag | executor | address
    lo: float = -math.inf
    hi: float = math.inf
    lo_open: bool = False
    hi_open: bool = False
    unit: str = ""

    def describe(self) -> str:
        if self.kind in ("vector", "effect", "real", "int", "range"):
            left = "(" if self.lo_open else "["
            right = ")" if self.hi_open else "]"
            lo = "-inf" if self.lo == -math.inf else f"{self.lo:g}"
            hi = "inf" if self.hi == math.inf else f"{self.hi:g}"
            what = {"int": "an integer", "range": "a pair [low, high]"}.get(self.kind, "a number")
            return f"must be {what} in {left}{lo}, {hi}{right}"
        return {
            "month": "must be a month YYYY-MM",
            "months": "must be a list of months YYYY-MM",
            "track": "must be one of the model's tracks",
            "tracks": "must be a list of track names",
            "text": "must be text",
            "seed": "must be an integer >= 0, or null for fresh entropy",
            "file": "must be a file name, or null",
            "model": "must be a mapping of model keys, nested as under model",
            "flag": "must be true or false (or null where the default is automatic)",
            "executor": "must be local or dask",
            "address": "must be a scheduler address such as tcp://host:8786, or null",
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
    ("scenario.events.*.date", Rule("month")),          # a stochastic event type forced in every trajectory
    ("scenario.events.*.type", Rule("text")),
    ("scenario.events.*.model", Rule("model")),         # model.events.<type> values for this event only
    ("scenario.changes.*.date", Rule("month")),         # model values from this month on
    ("scenario.changes.*.model", Rule("model")),
    ("scenario.policies.subsidy_for_integration.start", Rule("month")),  # first review
    ("scenario.policies.subsidy_for_integration.every_months", real(1, 600, "months", kind="int")),
    ("scenario.policies.subsidy_for_integration.track", Rule("track")),
    ("scenario.policies.subsidy_for_integration.target", UNIT_OPEN),
    ("scenario.policies.subsidy_for_integration.cut", real(0, 1, "share of the world price")),
    ("scenario.policies.multi_vector.start", Rule("month")),
    ("scenario.policies.multi_vector.every_months", real(1, 600, "months", kind="int")),
    ("scenario.policies.multi_vector.pressure_below", real(0, 1e3, "rounds")),
    ("scenario.policies.multi_vector.effect", real(-50, 50, "logit", kind="effect")),
    # run
    ("run.trajectories", real(1, 1e9, "trajectories", kind="int")),
    ("run.seed", Rule("seed")),
    ("run.start", Rule("month")),
    ("run.end", Rule("month")),
    ("run.workers", real(1, 1024, "processes", kind="int")),
    ("run.block_size", real(1, 1e7, "trajectories", kind="int")),
    ("run.sample_paths", real(0, 1000, "paths", kind="int")),
    ("run.summary", Rule("flag")),
    ("run.summary_above", real(1, 1e12, "trajectories", kind="int")),
    ("run.executor", Rule("executor")),
    ("run.scheduler", Rule("address")),
    ("run.resume", Rule("flag")),
    # analysis
    ("analysis.delta", real(0, 1, "composite level", lo_open=True)),
    ("analysis.epsilon", real(0, 1, "composite level", lo_open=True)),
    ("analysis.window_months", real(1, 600, "months", kind="int")),
    ("analysis.p_progress", PROB),
    ("analysis.p_setback", PROB),
    ("analysis.milestones.*.track", Rule("text")),
    ("analysis.milestones.*.threshold", UNIT_OPEN),
    ("model.parameter_sets", Rule("file")),
    # calibration (configs/experiment/backtest.yaml)
    ("calibration.{points,replications}", real(1, 1e7, "count", kind="int")),
    ("calibration.accept", real(0, 1, "share", lo_open=True)),
    ("calibration.tolerance", real(0, 100, "standard errors", lo_open=True)),
    ("calibration.seed", Rule("seed")),
    ("calibration.parameters.*.key", Rule("text")),
    ("calibration.parameters.*.{low,high}", real(-1e3, 1e3)),
    # backtest (configs/experiment/backtest.yaml)
    ("backtest.draws", real(1, 1e6, "index paths", kind="int")),
    ("backtest.anchors.territory_ratio", real(1, 1e4, "ratio")),
    ("backtest.anchors.gas_price_1999", real(0, 1e4, "USD per 1000 m³", lo_open=True)),
    ("backtest.seed", Rule("seed")),
    ("backtest.index.{initial,final}", real(0, 1, "level", True, True, kind="vector")),
    ("backtest.index.final_spread", real(0, 0.5, "level")),
    ("backtest.index.weights.{small,medium,major}", real(0, 10, "logit", kind="range")),
    ("backtest.index.permanent", real(0, 1, "share", kind="range")),
    ("backtest.index.half_life_years", real(0, 100, "years", lo_open=True, kind="range")),
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
    if rule.kind == "range":
        if not isinstance(value, (list, tuple)) or len(value) != 2:
            raise ConfigError(key, value, "must be a pair [low, high]")
        low, high = (_number(key, v, replace(rule, kind="real")) for v in value)
        if low > high:
            raise ConfigError(key, list(value), "must be a pair [low, high] with low <= high")
        return (low, high)
    if rule.kind == "month":
        return parse_month(key, value)
    if rule.kind == "months":
        if not isinstance(value, (list, tuple)):
            raise ConfigError(key, value, rule.describe())
        return sorted(parse_month(key, v) for v in value)
    if rule.kind == "model":
        return _model_keys(key, value, tracks)
    if rule.kind == "flag":
        if value is not None and not isinstance(value, bool):
            raise ConfigError(key, value, rule.describe())
        return value
    if rule.kind == "executor" and value not in ("local", "dask"):
        raise ConfigError(key, value, rule.describe())
    if rule.kind in ("file", "address"):
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise ConfigError(key, value, rule.describe())
        return value
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


def _model_keys(key: str, value: Any, tracks: tuple[str, ...], path: str = "") -> dict[str, Any]:
    """A subtree of model keys (a scenario's values) → {dotted model key: value}, each checked by its
    rule; per-track values are kept per track ("drift.energy"), so a scenario may change one track."""
    if not isinstance(value, Mapping) or not value:
        raise ConfigError(f"{key}.{path}".rstrip("."), value, Rule("model").describe())
    out = {}
    for name, sub in value.items():
        here = f"{path}{name}"
        rule = rule_for(f"model.{here}")
        if rule is None and isinstance(sub, Mapping):
            out.update(_model_keys(key, sub, tracks, here + "."))
            continue
        try:
            if rule is not None and rule.kind in ("vector", "effect") and isinstance(sub, Mapping):
                rows = _vector(f"model.{here}", sub, replace(rule, kind="effect"), tracks)
                out.update({f"{here}.{t}": row if row.size > 1 else float(row[0])
                            for t, row in zip(tracks, rows) if t in sub})
                continue
            out[here] = _convert(f"model.{here}", sub, tracks)
        except ConfigError as exc:
            raise ConfigError(f"{key}.{exc.key.removeprefix('model.')}", exc.value, exc.allowed) from None
    return out


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


def section(cfg: Mapping[str, Any], name: str, tracks: tuple[str, ...]) -> SimpleNamespace:
    """Validate one further top-level section of a config (e.g. "backtest") by the same SCHEMA."""
    return _convert(name, cfg.get(name), tracks)


def from_config(cfg: Mapping[str, Any]) -> RunSpec:
    """Validate a plain config mapping (model, scenario, run, analysis) into a RunSpec."""
    for section in ("model", "scenario", "run", "analysis"):
        if not isinstance(cfg.get(section), Mapping):
            raise ConfigError(section, cfg.get(section), "missing section; compose configs/config.yaml")
    tracks = _convert("model.tracks", cfg["model"].get("tracks"), ())
    try:
        sections = {s: _convert(s, cfg[s], tracks) for s in ("model", "scenario", "run", "analysis")}
        spec = RunSpec(**sections, config=cfg)
        _check_relations(spec)
        _check_scenario(spec)
    except ConfigError as exc:
        if exc.key.startswith("scenario."):  # name the file the scenario comes from
            raise ConfigError(exc.key, exc.value, exc.allowed,
                              f"configs/scenario/{cfg['scenario'].get('name')}.yaml") from None
        raise
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
    if np.ndim(m.correlation):
        raise ConfigError("model.correlation", m.correlation, "must be one number for all trajectories "
                          "(the tracks' noise shares one correlation matrix)")
    if k > 1 and m.correlation <= -1 / (k - 1):
        raise ConfigError("model.correlation", m.correlation, f"must exceed {-1 / (k - 1):g} for {k} tracks")
    if run.end <= run.start:
        raise ConfigError("run.end", month_str(run.end), f"must be after run.start ({month_str(run.start)})")
    allowed = set(spec.tracks) | {"composite"}
    for name, milestone in vars(spec.analysis.milestones).items():
        if milestone.track not in allowed:
            raise ConfigError(f"analysis.milestones.{name}.track", milestone.track,
                              f"must be one of {sorted(allowed)}")


# Model keys a scenario may not change during a run: they fix the run's layout or its start.
FIXED = ("tracks", "weights.*", "initial.*", "*.initial", "correlation", "pressure.half_life_years", "calendar.*")
BRANCHES = ("continuity", "pro_moscow", "multi_vector")


def _check_scenario(spec: RunSpec) -> None:
    """Scripted events, changes and policies: complete, of known types and keys, dated inside the run."""
    from .hazards import HAZARDS

    sc, m = spec.scenario, spec.model
    for part in ("events", "changes", "policies"):
        setattr(sc, part, getattr(sc, part, SimpleNamespace()))
    window = f"must be a month within the run window {month_str(spec.run.start)} to {month_str(spec.run.end)}"
    dated = []  # (date, key, overrides) of changes and events, checked below in date order
    for kind, required in (("changes", ("date", "model")), ("events", ("date", "type")), ("policies", None)):
        for name, entry in vars(getattr(sc, kind)).items():
            key = f"scenario.{kind}.{name}"
            for leaf in required or _required(key):
                if not hasattr(entry, leaf):
                    raise ConfigError(f"{key}.{leaf}", None, "missing; " + rule_for(f"{key}.{leaf}").describe())
            date, leaf = (entry.start, "start") if kind == "policies" else (entry.date, "date")
            if not spec.run.start <= date <= spec.run.end:
                raise ConfigError(f"{key}.{leaf}", month_str(date), window)
            if kind == "events" and entry.type not in HAZARDS:
                raise ConfigError(f"{key}.type", entry.type, f"must be one of the event types {list(HAZARDS)}")
            if kind != "policies":
                allowed = f"events.{entry.type}.*" if kind == "events" else "*"
                for path, value in getattr(entry, "model", {}).items():
                    _model_value(m, path, f"{key}.model.{path}")
                    if kind == "changes" and any(fnmatch.fnmatchcase(path, f) for f in FIXED):
                        raise ConfigError(f"{key}.model.{path}", value, "cannot change during a run")
                    if not fnmatch.fnmatchcase(path, allowed):
                        raise ConfigError(f"{key}.model.{path}", value, f"an event's own values must be under {allowed}")
                dated.append((date, kind == "events", key, getattr(entry, "model", {})))
    _check_branches(m, sorted(dated, key=lambda d: d[:2]))


def _check_branches(model: SimpleNamespace, dated: list) -> None:
    """The successor's courses still sum to 1 after each change, and for each scripted event."""
    current = {b: getattr(model.events.transition, b) for b in BRANCHES}
    for _, is_event, key, overrides in dated:
        values = {**current, **{b: overrides[f"events.transition.{b}"] for b in BRANCHES
                                if f"events.transition.{b}" in overrides}}
        if not np.allclose(sum(values.values()), 1.0, atol=1e-6):
            raise ConfigError(f"{key}.model.events.transition", float(np.max(sum(values.values()))),
                              "continuity + pro_moscow + multi_vector must sum to 1")
        if not is_event:
            current = values


def _required(key: str) -> list[str]:
    """The parameters the schema lists for a policy (scenario.policies.<name>)."""
    return [pattern.rsplit(".", 1)[1] for pattern, _ in SCHEMA if pattern.startswith(key + ".")]


def _model_value(model: SimpleNamespace, path: str, key: str) -> Any:
    """The model's value at a dotted path, or a ConfigError naming `key` when it has none."""
    node = model
    for part in path.split("."):
        if isinstance(node, np.ndarray) and part in model.tracks:
            return node[model.tracks.index(part)]
        if not hasattr(node, part):
            raise ConfigError(key, None, "no such model key")
        node = getattr(node, part)
    return node


def with_design(config: Mapping[str, Any], design: Mapping[str, np.ndarray], rows: slice) -> dict:
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
