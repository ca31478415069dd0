"""The state of one block of trajectories, and the small operations events apply to it."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import NamedTuple

import numpy as np

from .coefficients import rows
from .kernel import DRIVERS, EVENT_TYPES, LOGIT_BOUND, shift_each, tick_each


@dataclass
class EventRecord:
    """When events happen: per month, the trajectories with an event of each type (`tally`), and
    every event as a row (month, trajectory, type), read from the event counts at the end of each
    month for the types the month's tally names (so a quiet type costs nothing)."""

    last: np.ndarray       # (event types, n) last month with an event of each type, −1 before any
    tally: np.ndarray      # (event types, months) trajectories with an event of each type
    counted: np.ndarray | None = None  # (event types, n) counts already turned into rows
    rows: list = field(default_factory=list)  # (month, type, trajectories with an event, once per event)

    def log_month(self, month: int, counts: np.ndarray) -> None:
        """Keep the month's events, one entry per event, once the month is over."""
        if self.counted is None:
            self.counted = np.zeros_like(counts)
        for kind in np.flatnonzero(self.tally[:, month]):
            now, before = counts[kind], self.counted[kind]
            who = np.flatnonzero(now != before)
            self.rows.append((month, kind, np.repeat(who, now[who] - before[who])))
            before[who] = now[who]

    def arrays(self, offset: int) -> tuple[np.ndarray, np.ndarray]:
        """(event types, months) trajectories with each event per month, and every event as a row
        (month, trajectory, type) with trajectories numbered from `offset`, in month order."""
        if not self.rows:
            return self.tally, np.empty((0, 3), dtype=np.int64)
        sizes = [who.size for _, _, who in self.rows]
        month, kind = (np.repeat([row[i] for row in self.rows], sizes) for i in (0, 1))
        who = np.concatenate([who for _, _, who in self.rows])
        return self.tally, np.stack([month, offset + who, kind], axis=1).astype(np.int64)


@dataclass
class State:
    """Arrays over the n trajectories of a block; `level` is expit(y), refreshed at each record.

    The drivers are rows of one (DRIVERS, n) array, which the compiled kernel reads as one;
    D, X, S, R, subsidy and Z are views of those rows.
    """

    y: np.ndarray          # (tracks, n) integration levels in logit space
    level: np.ndarray      # (tracks, n) levels in (0, 1), float32 as recorded
    drivers: np.ndarray    # (DRIVERS, n)
    transitioned: np.ndarray       # a leadership transition has happened
    months_since_crisis: np.ndarray
    counts: np.ndarray             # (event types, n) events of each type so far
    record: EventRecord
    c: np.ndarray                  # (tracks, n) commitments in logit space (what adopted steps set)
    hits: np.ndarray               # (2, tracks, n) magnitude of this month's step (0) and setback (1) per track
    track_events: np.ndarray       # (2, tracks, n) steps and setbacks per track so far
    month: int = 0                 # months since the run's start
    crisis_boost: float = 1.0      # crisis-rate multiplier of an election window
    crisis_boost_until: int = -1   # last month of that window
    depth: np.ndarray | float = 0.0  # (tracks, n) A·(expit(c)^η − I_ref^η) this month, where the model's steps resist depth
    D: np.ndarray = field(init=False)        # interdependence
    X: np.ndarray = field(init=False)        # Western pressure
    S: np.ndarray = field(init=False)        # instability
    R: np.ndarray = field(init=False)        # Russia's fiscal stress
    subsidy: np.ndarray = field(init=False)  # share of the world gas price waived
    Z: np.ndarray = field(init=False)        # the relations climate

    def __post_init__(self) -> None:
        self.D, self.X, self.S, self.R, self.subsidy, self.Z = self.drivers

    def arrays(self) -> tuple:
        """The arrays the compiled step and event effects work on (kernel.py)."""
        return (self.y, self.drivers, self.counts, self.record.last, self.record.tally, self.transitioned,
                self.months_since_crisis, self.c, self.hits, self.track_events)

    @property
    def n(self) -> int:
        return self.y.shape[1]

    def refresh_level(self) -> np.ndarray:
        """level = 1 / (1 + exp(−y)) in place, in float32 (the precision levels are recorded in):
        a sixth of the cost of scipy's expit here. y stays within ±LOGIT_BOUND (kernel.py, jump)."""
        np.copyto(self.level, self.y, casting="same_kind")  # a plain cast is faster than casting in a ufunc
        np.exp(np.negative(self.level, out=self.level), out=self.level)
        self.level += 1.0
        return np.reciprocal(self.level, out=self.level)


def logit(level) -> np.ndarray:
    """Levels in (0, 1) as logits, within ±LOGIT_BOUND."""
    level = np.asarray(level, dtype=float)
    return np.clip(np.log(level / (1 - level)), -LOGIT_BOUND, LOGIT_BOUND)


class Origin(NamedTuple):
    """Where a block's trajectories begin when not at the model's initial values: the state of each
    (a filter's particles at the run's start) and the asymmetry A at that month."""

    y: np.ndarray             # (tracks, n)
    c: np.ndarray             # (tracks, n)
    drivers: np.ndarray       # (DRIVERS, n)
    transitioned: np.ndarray  # (n,)
    asymmetry: float          # A at the origin's month
    years: float              # the model's clock there: years since the epoch of H and the transition hazard


def initial_state(model: SimpleNamespace, n: int, months: int, origin: Origin | None = None) -> State:
    """The run's first month, from the model's initial values (scalars or per-trajectory arrays;
    commitments start where the levels are), or from an origin's states; events are counted from it."""
    k = len(model.tracks)
    if origin is None:
        y = logit(np.broadcast_to(model.initial, (k, n)))
        climate = getattr(model, "climate", None)
        initial = {"D": model.interdependence.initial, "X": model.pressure.initial, "S": model.instability.initial,
                   "R": model.fiscal_stress.initial, "subsidy": model.subsidy.initial,
                   "Z": climate.initial if climate else 0.0}
        drivers = np.array([np.broadcast_to(initial[name], (n,)) for name in DRIVERS], dtype=float)
        origin = Origin(y, y.copy(), drivers, np.zeros(n, dtype=bool), np.nan, 0.0)
    y = np.array(origin.y, dtype=float)
    state = State(
        y=y,
        level=np.empty(y.shape, dtype=np.float32),
        drivers=np.array(origin.drivers, dtype=float),
        transitioned=np.array(origin.transitioned, dtype=bool),
        months_since_crisis=np.full(n, 10**6, dtype=np.int64),
        counts=np.zeros((len(EVENT_TYPES), n), dtype=np.int32),
        record=EventRecord(last=np.full((len(EVENT_TYPES), n), -1, dtype=np.int32),
                           tally=np.zeros((len(EVENT_TYPES), months), dtype=np.int64)),
        c=np.array(origin.c, dtype=float),
        hits=np.zeros((2, k, n), dtype=np.int8),
        track_events=np.zeros((2, k, n), dtype=np.int32),
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


def count(state: State, name: str, idx: np.ndarray) -> None:
    """Record an event of type `name` this month in the trajectories idx."""
    tick_each(state.arrays(), EVENT_TYPES.index(name), state.month, idx)


def jump(state: State, idx: np.ndarray, effect: np.ndarray) -> None:
    """Add a per-track logit jump (tracks, 1) or (tracks, n) to the trajectories idx."""
    shift_each(state.y, *rows(effect), idx)


def jump_track(state: State, track: int, idx: np.ndarray, amount) -> None:
    """Add `amount` (a scalar, or one value per trajectory of idx) to one track of the trajectories idx."""
    state.y[track, idx] = np.clip(state.y[track, idx] + amount, -LOGIT_BOUND, LOGIT_BOUND)
