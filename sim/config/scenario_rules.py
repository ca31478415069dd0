"""The rules of a scenario: scripted events, changes and policies complete, of known kinds, dated inside
the run, and leaving the successor's courses summing to 1 after each change."""

from __future__ import annotations

import fnmatch
from types import SimpleNamespace
from typing import Any

import numpy as np

from .. import months
from ..errors import ConfigError
from .schema import SCHEMA, rule_for

# Model keys a scenario may not change during a run: they fix the run's layout or its start.
UNCHANGEABLE = ("tracks", "weights.*", "initial.*", "*.initial", "correlation", "pressure.half_life_years", "calendar.*")
BRANCHES = ("continuity", "pro_moscow", "multi_vector")


def check(spec) -> None:
    """Scripted events, changes and policies: complete, of known types and keys, dated inside the run."""
    sc, m = spec.scenario, spec.model
    for part in ("events", "changes", "policies"):
        setattr(sc, part, getattr(sc, part, SimpleNamespace()))
    window = f"must be a month within the run window {months.text(spec.run.start)} to {months.text(spec.run.end)}"
    by_end = f"must be a month up to the run's end {months.text(spec.run.end)} (one before the start {months.text(spec.run.start)} holds from the start)"
    dated = []  # (date, key, overrides) of changes and events, checked below in date order
    for kind, required in (("changes", ("date", "model")), ("events", ("date", "type")), ("policies", None)):
        for name, entry in vars(getattr(sc, kind)).items():
            key = f"scenario.{kind}.{name}"
            for leaf in required or _required(key):
                if not hasattr(entry, leaf):
                    raise ConfigError(f"{key}.{leaf}", None, "missing; " + rule_for(f"{key}.{leaf}").describe())
            date, leaf = (entry.start, "start") if kind == "policies" else (entry.date, "date")
            if kind == "events" and not spec.run.start <= date <= spec.run.end:
                raise ConfigError(f"{key}.{leaf}", months.text(date), window)
            if kind != "events" and date > spec.run.end:
                raise ConfigError(f"{key}.{leaf}", months.text(date), by_end)
            scriptable = [t for t, e in vars(m.events).items() if np.ndim(e.rate) < 2]  # not per-track events
            if kind == "events" and entry.type not in scriptable:
                raise ConfigError(f"{key}.type", entry.type, f"must be one of the event types {scriptable} "
                                  "(steps and setbacks come by track: change their rates under `changes`)")
            if kind != "policies":
                allowed = f"events.{entry.type}.*" if kind == "events" else "*"
                for path, value in getattr(entry, "model", {}).items():
                    _model_value(m, path, f"{key}.model.{path}")
                    if kind == "changes" and any(fnmatch.fnmatchcase(path, f) for f in UNCHANGEABLE):
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

