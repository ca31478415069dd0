"""Forecast questions: the file format (configs/questions/*.yaml), read and checked, one line per fault.

A question set is a YAML mapping with an optional `description` and `questions`, a mapping of
question ids to questions. Each question has `text`, `resolves` (the month YYYY-MM at whose end
the answer is known) and a `rule`, one of:

- `kind: level`: `series` (a track or `composite`) is at or `above` (or at or `below`) a level in
  some month from `from` (default: the run's first month) to `resolves`;
- `kind: change`: the level of `series` in `resolves` minus its level in `from` is at or `above`
  (or at or `below`) a threshold;
- `kind: events`: at least `at_least` events of `type` (an event type, or a list of them)
  happened in the months `from` to `resolves`. `track`, `direction` and `min_magnitude` narrow
  the events to the record's rows that name the track, have the direction and at least the
  magnitude (data/README.md). The model counts its own events of the type (results' event log)
  and does not apply them yet; the record (sim.questions --score) does.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import yaml

from .. import months
from ..config.compose import CONFIG_DIR
from ..errors import UsageError
from ..model.state import EVENT_TYPES
from ..record.events import TRACKS, TYPES as RECORD_TYPES

QUESTIONS_DIR = CONFIG_DIR / "questions"
KINDS = ("level", "change", "events")
KEYS = {"level": {"series", "above", "below", "from"}, "change": {"series", "above", "below", "from"},
        "events": {"type", "at_least", "from", "track", "direction", "min_magnitude"}}
SERIES = (*TRACKS, "composite")
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser where PyYAML has it: ten times faster


class QuestionError(UsageError):
    """A question file that does not follow the format; the message names the file, question and key."""


@dataclass(frozen=True)
class Rule:
    """How a question resolves; fields a kind does not use are None."""

    kind: str
    series: str | None = None
    above: float | None = None          # at or above this (level, change); None: `below` applies
    below: float | None = None
    first: int | None = None            # month index of `from`; None for a level rule: the run's start
    types: tuple[str, ...] = ()
    at_least: int | None = None
    track: str | None = None            # record side only (until the model observes its events as the record does)
    direction: int | None = None
    min_magnitude: int | None = None


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    resolves: int   # month index: the answer is known at the end of this month
    rule: Rule

    def window(self, start: int) -> tuple[int, int]:
        """First and last month (indices) the rule looks at, for a run that starts in month `start`."""
        return (start if self.rule.first is None else self.rule.first), self.resolves

    def describe(self) -> str:
        """The rule in words, e.g. 'energy ≥ 0.75 in some month to 2025-12'."""
        r, end = self.rule, months.text(self.resolves)
        since = "" if r.first is None else f" from {months.text(r.first)}"
        if r.kind != "events":
            side = f"≥ {r.above:g}" if r.above is not None else f"≤ {r.below:g}"
        if r.kind == "level":
            return f"{r.series} {side} in some month{since} to {end}"
        if r.kind == "change":
            return f"change of {r.series}{since} to {end} {side}"
        narrow = ", ".join(f"{k} {v:+d}" if k == "direction" else f"{k.replace('_', ' ')} {v}"
                           for k, v in (("track", r.track), ("direction", r.direction),
                                        ("min_magnitude", r.min_magnitude)) if v is not None)
        return (f"at least {r.at_least} {' or '.join(r.types)} event{'s' * (r.at_least != 1)}{since} to {end}"
                + (f" (record rows: {narrow})" if narrow else ""))


def path_of(name: str) -> Path:
    """The file of question set `name`: a name in configs/questions/, or a path to a YAML file."""
    return Path(name) if (name.endswith((".yaml", ".yml")) or os.sep in name) else QUESTIONS_DIR / f"{name}.yaml"


def named(name: str | None) -> tuple[Question, ...]:
    """The question set `name` (path_of); none for None."""
    if name is None:
        return ()
    path = path_of(name)
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in QUESTIONS_DIR.glob("*.yaml")))
        raise QuestionError(f"{name}: no such question set (a name in configs/questions/: {known}; or a YAML file)")
    return load(path)


def load(path: str | os.PathLike) -> tuple[Question, ...]:
    """The questions of a file, every one checked."""
    path = Path(path)
    try:
        content = yaml.load(path.read_text(encoding="utf-8"), Loader=LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        raise QuestionError(f"{path}, line {mark.line + 1}: not valid YAML: {exc.problem}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise QuestionError(f"{path}: cannot be read ({exc})") from None
    return parse(content, str(path))


def parse(content: Any, where: str) -> tuple[Question, ...]:
    """Questions from a file's content: a mapping with `questions` (and an optional `description`)."""
    if not isinstance(content, Mapping) or not isinstance(content.get("questions"), Mapping):
        raise QuestionError(f"{where}: must be a mapping with `questions:`, a mapping of question ids to questions")
    extra = sorted(set(content) - {"questions", "description"})
    if extra:
        raise QuestionError(f"{where}: {extra[0]}: unknown key; a question file holds `description` and `questions`")
    return tuple(_question(str(qid), body, where) for qid, body in content["questions"].items())


def _question(qid: str, body: Any, where: str) -> Question:
    def fail(key: str, value: Any, allowed: str) -> QuestionError:
        return QuestionError(f"{where}: question {qid}: {key} = {value!r}: {allowed}")

    if not qid.replace("_", "").replace("-", "").isalnum():
        raise fail("id", qid, "must be letters, digits, '_' or '-'")
    if not isinstance(body, Mapping):
        raise fail("question", body, "must be a mapping with text, resolves and rule")
    for key in sorted(set(body) - {"text", "resolves", "rule"}):
        raise fail(key, body[key], "unknown key; a question has text, resolves and rule")
    for key in ("text", "resolves", "rule"):
        if key not in body:
            raise fail(key, None, "missing; a question has text, resolves and rule")
    if not isinstance(body["text"], str) or not body["text"].strip():
        raise fail("text", body["text"], "must be the question in words")
    resolves = _month(fail, "resolves", body["resolves"])
    spec = body["rule"]
    if not isinstance(spec, Mapping) or spec.get("kind") not in KINDS:
        shown = spec.get("kind") if isinstance(spec, Mapping) else spec
        raise fail("rule.kind", shown, f"must be one of {', '.join(KINDS)}")
    kind = spec["kind"]
    for key in sorted(set(spec) - KEYS[kind] - {"kind"}):
        raise fail(f"rule.{key}", spec[key], f"unknown key for a {kind} rule; it takes {', '.join(sorted(KEYS[kind]))}")
    first = _month(fail, "rule.from", spec["from"]) if "from" in spec else None
    if first is None and kind != "level":
        raise fail("rule.from", None, f"missing; a {kind} rule runs from a month YYYY-MM")
    if first is not None and first > resolves:
        raise fail("rule.from", months.text(first), f"must not be after resolves ({months.text(resolves)})")
    if kind == "events":
        return Question(qid, body["text"].strip(), resolves, _events(fail, spec, first))
    if spec.get("series") not in SERIES:
        raise fail("rule.series", spec.get("series"), f"must be one of {', '.join(SERIES)}")
    if ("above" in spec) == ("below" in spec):
        raise fail("rule.above", spec.get("above"), "give exactly one of above and below")
    side = "above" if "above" in spec else "below"
    value = spec[side]
    low = -1 if kind == "change" else 0
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= 1:
        raise fail(f"rule.{side}", value, f"must be a number in [{low}, 1]")
    return Question(qid, body["text"].strip(), resolves,
                    Rule(kind, series=spec["series"], first=first, **{side: float(value)}))


def _events(fail, spec: Mapping, first: int) -> Rule:
    types = spec.get("type")
    types = (types,) if isinstance(types, str) else tuple(types) if isinstance(types, list) else ()
    known = sorted(set(EVENT_TYPES) | set(RECORD_TYPES))
    if not types or any(t not in known for t in types):
        raise fail("rule.type", spec.get("type"), f"must be an event type or a list of them: {', '.join(known)}")
    at_least = spec.get("at_least", 1)
    if isinstance(at_least, bool) or not isinstance(at_least, int) or at_least < 1:
        raise fail("rule.at_least", at_least, "must be a whole number ≥ 1")
    if spec.get("track") not in (None, *TRACKS):
        raise fail("rule.track", spec["track"], f"must be one of {', '.join(TRACKS)}")
    if spec.get("direction") not in (None, -1, 0, 1) or isinstance(spec.get("direction"), bool):
        raise fail("rule.direction", spec["direction"], "must be -1, 0 or 1 (data/README.md)")
    if spec.get("min_magnitude") not in (None, 1, 2, 3) or isinstance(spec.get("min_magnitude"), bool):
        raise fail("rule.min_magnitude", spec["min_magnitude"], "must be 1, 2 or 3 (data/README.md)")
    return Rule("events", first=first, types=types, at_least=at_least, track=spec.get("track"),
                direction=spec.get("direction"), min_magnitude=spec.get("min_magnitude"))


def _month(fail, key: str, value: Any) -> int:
    try:
        return months.parse(str(value))
    except ValueError:
        raise fail(key, value, "must be a month YYYY-MM") from None


def dump(questions: tuple[Question, ...]) -> str:
    """The questions in the file format (YAML), e.g. to record the set a run answered."""
    out = {}
    for q in questions:
        r = q.rule
        rule = {"kind": r.kind, "series": r.series, "above": r.above, "below": r.below,
                "from": None if r.first is None else months.text(r.first),
                "type": list(r.types) or None, "at_least": r.at_least, "track": r.track,
                "direction": r.direction, "min_magnitude": r.min_magnitude}
        out[q.id] = {"text": q.text, "resolves": months.text(q.resolves),
                     "rule": {k: v for k, v in rule.items() if v is not None}}
    return yaml.safe_dump({"questions": out}, sort_keys=False, allow_unicode=True)
