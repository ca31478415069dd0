"""Validated parameters built from the composed config: the only place ranges are checked.

Every key of the config is matched against SCHEMA (dotted patterns, first match wins). The
entry says what the value is, what range is allowed and its unit, so the same table checks the
config and documents it. A key no entry matches is an error, so a misspelt key in a YAML file
cannot be silently ignored. Numbers may be per-trajectory arrays (a sensitivity design): the
checks apply to every element and per-track vectors become (tracks, trajectories) arrays.
"""

from __future__ import annotations

import copy
import difflib
import math
from dataclasses import dataclass, field, replace
from types import SimpleNamespace
from typing import Any, Iterable, Mapping

import numpy as np

from .. import months
from ..errors import ConfigError
from . import scenario_rules
from .schema import RULES, Rule, rule_for


def parse_month(key: str, value: Any) -> int:
    """'YYYY-MM' → month index (months.parse), or a ConfigError naming the key."""
    try:
        return months.parse(value)
    except ValueError:
        raise ConfigError(key, value, "must be a month YYYY-MM") from None


def _number(key: str, value: Any, rule: Rule):
    """A number, or an array of one per trajectory, in the rule's range (a number is checked as a Python
    float: a config holds hundreds, and numpy's per-call cost would be most of validating them)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.ndarray)):
        raise ConfigError(key, value, rule.describe())
    array = isinstance(value, np.ndarray)
    values = value.astype(float) if array else float(value)
    bad = ~np.isfinite(values) if array else not math.isfinite(values)
    bad |= (values <= rule.lo) if rule.lo_open else (values < rule.lo)
    bad |= (values >= rule.hi) if rule.hi_open else (values > rule.hi)
    if rule.kind == "int":
        bad |= values != (np.round(values) if array else round(values))
    if bad.any() if array else bad:
        raise ConfigError(key, float(values[bad][0]) if array else value, rule.describe())
    if array:
        return values
    return int(value) if rule.kind == "int" else values


def real_rule(rule: Rule) -> Rule:
    """The number rule of a kind that also allows something else (asymmetry: a number or "record")."""
    return replace(rule, kind="real", lo=0.0, hi=1.0) if rule.kind == "asymmetry" else replace(rule, kind="real")


def _numbers(key: str, value: Any, rule: Rule):
    """A list of numbers: 3 in the rule's range (triple), or a number (triple_or_real), 3
    probabilities summing to 1, or probabilities of any count (shares)."""
    if rule.kind == "triple_or_real" and not isinstance(value, (list, tuple)):
        return _number(key, value, replace(rule, kind="real"))
    size = None if rule.kind == "shares" else 3
    if not isinstance(value, (list, tuple)) or (size and len(value) != size) or not value:
        raise ConfigError(key, value, rule.describe())
    bounds = replace(rule, kind="real", lo=0.0, hi=1.0) if rule.kind in ("probabilities", "shares") else replace(rule, kind="real")
    numbers = [_number(key, v, bounds) for v in value]
    if rule.kind == "probabilities" and not np.isclose(sum(numbers), 1.0, atol=1e-6):
        raise ConfigError(key, list(value), rule.describe())
    return numbers


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
    numbers = [_number(f"{key}.{t}", value[t], rule) if t in value else 0.0 for t in tracks]
    if not any(isinstance(n, np.ndarray) for n in numbers):  # a number per track: numpy once, not per track
        return np.array(numbers, dtype=float)[:, None]
    rows = [np.atleast_1d(n) for n in numbers]
    width = max(r.size for r in rows)
    return np.stack([np.broadcast_to(r, (width,)) for r in rows])


def _convert(key: str, value: Any, tracks: tuple[str, ...]) -> Any:
    rule = rule_for(key)
    if rule is None:
        if isinstance(value, Mapping):
            return SimpleNamespace(**{k: _convert(f"{key}.{k}", v, tracks) for k, v in value.items()})
        known = [p for p, _ in RULES if "*" not in p]
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
    if rule.kind == "optional_month":
        return None if value is None else parse_month(key, value)
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
    if rule.kind == "asymmetry":
        return value if isinstance(value, str) and value == "record" else _number(key, value, real_rule(rule))
    if rule.kind in ("triple", "triple_or_real", "probabilities", "shares"):
        return _numbers(key, value, rule)
    if rule.kind == "optional_int":
        return None if value is None else _number(key, value, replace(rule, kind="int"))
    if rule.kind == "workers":
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 1024:
            raise ConfigError(key, value, rule.describe())
        return value
    if rule.kind == "formats":
        if (not isinstance(value, (list, tuple)) or not value or value[0] != "png" or len(set(value)) != len(value)
                or not set(value) <= {"png", "pdf", "svg"}):
            raise ConfigError(key, value, rule.describe())
        return tuple(value)
    if rule.kind == "executor" and value not in ("threads", "local", "dask"):
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
    if rule.kind in ("tracks", "names"):  # a list of names without repeats; the model's tracks at least one
        if (not isinstance(value, (list, tuple)) or len(set(value)) != len(value)
                or (rule.kind == "tracks" and not value) or (rule.kind == "names" and not all(isinstance(v, str) for v in value))):
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
        scenario_rules.check(spec)
    except ConfigError as exc:
        if exc.key.startswith("scenario."):  # name the file the scenario comes from
            raise ConfigError(exc.key, exc.value, exc.allowed,
                              f"configs/scenario/{cfg['scenario'].get('name')}.yaml") from None
        raise
    return spec


def with_changed(spec: RunSpec, cfg: Mapping[str, Any], keys: Iterable[str]) -> RunSpec:
    """The spec of `cfg`, a config that differs from spec.config only at the dotted `keys` (a design's):
    those are validated again as from_config would, and so are the rules that tie keys together; the rest
    is spec's, validated when spec was made."""
    sections = {name: copy.copy(getattr(spec, name)) for name in ("model", "scenario", "run", "analysis")}
    for parts in dict.fromkeys(_converted_whole(key) for key in keys):
        node, value = sections[parts[0]], cfg[parts[0]]
        for part in parts[1:-1]:  # the namespaces on the way are copied, never changed in place
            setattr(node, part, copy.copy(getattr(node, part)))
            node, value = getattr(node, part), value[part]
        setattr(node, parts[-1], _convert(".".join(parts), value[parts[-1]], spec.tracks))
    changed = RunSpec(**sections, config=cfg)
    _check_relations(changed)
    scenario_rules.check(changed)
    return changed


def _converted_whole(key: str) -> tuple[str, ...]:
    """The parts of a dotted key up to the part of the config one rule converts whole (a per-track vector)."""
    parts = key.split(".")
    return tuple(parts[:next((d for d in range(2, len(parts)) if rule_for(".".join(parts[:d]))), len(parts))])


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
    if run.start is None:
        raise ConfigError("run.start", None, "must be a month YYYY-MM (compose.prepare sets where the record ends)")
    if run.end <= run.start:
        raise ConfigError("run.end", months.text(run.end), f"must be after run.start ({months.text(run.start)})")
    initial = getattr(m, "initial_date", None)
    if initial is not None and run.start != initial:
        raise ConfigError("run.start", months.text(run.start), f"this model starts from its judged state of "
                          f"{months.text(initial)} (model.initial_date), not from the record: run.start must be that month")
    record = getattr(m, "record", None)
    if initial is None and (record is None or run.start < record.start):
        raise ConfigError("run.start", months.text(run.start), "must be at or after the record's start "
                          f"(model.record.start{'' if record is None else ' = ' + months.text(record.start)})")
    allowed = set(spec.tracks) | {"composite"}
    for name, milestone in vars(spec.analysis.milestones).items():
        if milestone.track not in allowed:
            raise ConfigError(f"analysis.milestones.{name}.track", milestone.track,
                              f"must be one of {sorted(allowed)}")
