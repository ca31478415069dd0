"""The state of one block of trajectories, and the small operations events apply to it."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace

import numpy as np

# Every event type the engine and calendar count, in the order of the results' `event` axis.
EVENT_TYPES = (
    "dispute", "crisis", "rally", "hedge", "sanctions", "detente", "commodity",
    "transition", "consolidation", "pivot", "programme", "deadline_met", "deadline_missed",
    "election", "subsidy_cut", "multi_vector",
)
LOGGED = 20  # the first trajectories of the ensemble whose dated events are kept in the results

LOGIT_BOUND = 15.0  # numerical guard: levels stay within 3e-7 of 0 and 1, representable in float32


@dataclass
class EventRecord:
    """When events happen: per month, the trajectories with an event of each type (`tally`), and
    the dated events (month, type, trajectory) of the block's first `logged` trajectories (`log`)."""

    last: np.ndarray       # (event types, n) last month with an event of each type, −1 before any
    tally: dict[tuple[int, int], int] = field(default_factory=dict)  # (type, month) → trajectories
    log: list[tuple[int, int, int]] = field(default_factory=list)
    logged: int = 0

    def add(self, kind: int, month: int, idx: np.ndarray) -> None:
        if not idx.size:
            return
        last = self.last[kind]
        new = idx[last[idx] != month]
        if new.size:
            last[new] = month
            self.tally[kind, month] = self.tally.get((kind, month), 0) + new.size
        if self.logged:
            self.log += [(month, kind, int(i)) for i in idx[idx < self.logged]]

    def arrays(self, months: int, offset: int) -> tuple[np.ndarray, np.ndarray]:
        """(event types, months) trajectories with each event per month, and the dated events as
        rows (month, trajectory, type) with trajectories numbered from `offset`."""
        per_month = np.zeros((len(EVENT_TYPES), months), dtype=np.int64)
        for (kind, month), trajectories in self.tally.items():
            per_month[kind, month] += trajectories
        log = np.array([(month, offset + i, kind) for month, kind, i in self.log], dtype=np.int64)
        return per_month, log.reshape(-1, 3)


@dataclass
class State:
    """Arrays over the n trajectories of a block; `level` is expit(y), refreshed at each record."""

    y: np.ndarray          # (tracks, n) integration levels in logit space
    level: np.ndarray      # (tracks, n) levels in (0, 1)
    D: np.ndarray          # interdependence
    X: np.ndarray          # Western pressure
    S: np.ndarray          # instability
    R: np.ndarray          # Russia's fiscal stress
    subsidy: np.ndarray    # share of the world gas price waived
    transitioned: np.ndarray       # a leadership transition has happened
    months_since_crisis: np.ndarray
    counts: dict[str, np.ndarray]
    record: EventRecord
    month: int = 0                 # months since the run's start
    crisis_boost: float = 1.0      # crisis-rate multiplier of an election window
    crisis_boost_until: int = -1   # last month of that window

    @property
    def n(self) -> int:
        return self.y.shape[1]

    def refresh_level(self) -> np.ndarray:
        """level = 1 / (1 + exp(−y)) in place: a quarter of the cost of scipy's expit here."""
        np.clip(self.y, -LOGIT_BOUND, LOGIT_BOUND, out=self.y)
        np.exp(np.negative(self.y, out=self.level), out=self.level)
        self.level += 1.0
        return np.reciprocal(self.level, out=self.level)


def initial_state(model: SimpleNamespace, n: int) -> State:
    """The run's first month, from the model's initial values (scalars or per-trajectory arrays)."""
    full = lambda value: np.array(np.broadcast_to(value, (n,)), dtype=float)  # noqa: E731
    level = np.array(np.broadcast_to(model.initial, (len(model.tracks), n)), dtype=float)
    state = State(
        y=np.log(level / (1 - level)),
        level=level,
        D=full(model.interdependence.initial),
        X=full(model.pressure.initial),
        S=full(model.instability.initial),
        R=full(model.fiscal_stress.initial),
        subsidy=full(model.subsidy.initial),
        transitioned=np.zeros(n, dtype=bool),
        months_since_crisis=np.full(n, 10**6, dtype=np.int64),
        counts={name: np.zeros(n, dtype=np.int32) for name in EVENT_TYPES},
        record=EventRecord(last=np.full((len(EVENT_TYPES), n), -1, dtype=np.int32)),
    )
    state.refresh_level()
    return state


def history(model: SimpleNamespace, years: float):
    """H(t): historical–cultural affinity relaxing from its initial value toward its long-run value."""
    h = model.history
    return h.long_run + (h.initial - h.long_run) * np.exp(-years / h.timescale_years)


def pick(value, idx: np.ndarray):
    """A scalar parameter as is, a per-trajectory one at the given trajectories."""
    value = np.asarray(value)
    return value if value.ndim == 0 else value[..., idx]


def jump(state: State, idx: np.ndarray, effect: np.ndarray) -> None:
    """Add a per-track logit jump (tracks, 1) or (tracks, n) to the trajectories idx."""
    if idx.size:
        state.y[:, idx] += effect if effect.shape[1] == 1 else effect[:, idx]


KIND = {name: k for k, name in enumerate(EVENT_TYPES)}


def count(state: State, name: str, idx: np.ndarray) -> None:
    """Record an event of type `name` this month in the trajectories idx."""
    state.counts[name][idx] += 1
    state.record.add(KIND[name], state.month, idx)
