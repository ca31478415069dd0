"""The model moved month by month on the record's calendar, from the record's start or from an
origin: the dynamics with the record's thinning (the events the record does not hold), the
calendar's elections with a severity recorded or drawn, and each year's means of the drivers its
indicators measure. The filter and the replicated records both walk through history this way."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from .. import rng
from ..model import calendar, kernel
from ..model.dynamics import Dynamics
from ..model.state import Origin, State, initial_state, logit
from ..record.derived import asymmetry_at
from . import observation


def prior_state(model: SimpleNamespace, n: int, months: int, generator: np.random.Generator) -> State:
    """Trajectories at the record's start: levels and commitments around the model's initial values
    (logit-normal, sd record.prior_spread), drivers at their initial values."""
    state = initial_state(model, n, months)
    y = logit(np.broadcast_to(model.initial, state.y.shape)) + model.record.prior_spread * generator.standard_normal(state.y.shape)
    state.y[:] = np.clip(y, -kernel.LOGIT_BOUND, kernel.LOGIT_BOUND)
    state.c[:] = state.y
    state.refresh_level()
    return state


def elections(model: SimpleNamespace, first: int, last: int) -> dict[int, list]:
    """month → the model's elections of that month in the window (each a SimpleNamespace)."""
    out: dict[int, list] = {}
    for name, election in vars(model.calendar).items():
        if name.endswith("_election"):
            for offset in calendar.election_months(election, first, last):
                out.setdefault(first + offset, []).append(election)
    return out


class Chronicle:
    """n trajectories from `first` for `count` months, from the prior (origin None) or an origin; the
    record's coverage month by month (observation.coverage; by default the model's periods throughout)."""

    def __init__(self, model: SimpleNamespace, n: int, first: int, count: int, asymmetry: dict[int, float],
                 seed: int, origin: Origin | None = None, coverage: np.ndarray | None = None):
        self.model, self.first, self.asymmetry = model, first, asymmetry
        self.generator = rng.stream(seed, 0, "chronicle")
        self.state = (prior_state(model, n, count, self.generator) if origin is None
                      else initial_state(model, n, count, origin))
        self.dynamics = Dynamics(model, self.state, rng.stream(seed, 0, "chronicle-dynamics"))
        if origin is not None:
            self.dynamics.clock = origin.years
        self.rates = self.dynamics.rates
        self.dynamics.recorded = np.empty((len(self.rates.rows[0]), n))
        self.coverage = observation.coverage(model, first, count) if coverage is None else coverage
        self.dated = elections(model, first, first + count - 1)
        self.sums = np.zeros((len(observation.INDICATORS), n))

    def advance(self, i: int) -> np.ndarray:
        """Month i: the dynamics and the events the record does not hold; the unthinned log(rate·dt) of every row."""
        self.dynamics.asymmetry = asymmetry_at(self.asymmetry, self.first + i)
        self.rates.thin = observation.thinning(self.rates.rows, self.coverage[i])
        self.dynamics.step(i + 1)
        return self.dynamics.recorded

    def close(self, i: int, severity=None) -> dict[str, np.ndarray] | None:
        """The month's elections (of the recorded severity, one or per trajectory, or drawn per trajectory), the levels
        refreshed; in December, the year's means of R, D and the subsidy (else None)."""
        state, month = self.state, self.first + i
        for election in self.dated.get(month, []):
            elect(state, election, severity, self.generator, i + 1)
        state.refresh_level()
        self.sums += (state.R, state.D, state.subsidy)
        if month % 12 != 11:
            return None
        means = dict(zip(observation.INDICATORS, self.sums / 12))
        self.sums[:] = 0.0
        return means

    def columns(self) -> list[np.ndarray]:
        """Every array with a column per trajectory (the particle axis last): the state and the year's sums."""
        s = self.state
        return [s.y, s.level, s.drivers, s.c, s.hits, s.track_events, s.counts, s.record.last, s.transitioned,
                s.months_since_crisis, self.sums]

    def keep(self, columns: np.ndarray, sources: np.ndarray) -> None:
        """Resample in place: the trajectories `columns` take the values of the trajectories `sources`."""
        every = np.array_equal(columns, np.arange(self.state.n))  # a slice writes faster than an index
        for values in self.columns():
            values[..., slice(None) if every else columns] = values[..., sources]

    def adopt(self, other: list[np.ndarray], columns: np.ndarray) -> None:
        """The trajectories `columns` take the values of the same trajectories of another chronicle's columns."""
        for mine, theirs in zip(self.columns(), other):
            mine[..., columns] = theirs[..., columns]

    def use(self, model: SimpleNamespace) -> None:
        """New per-trajectory parameters for the trajectories as they now stand."""
        self.model = model
        self.dynamics.use(model)
        self.rates = self.dynamics.rates


def elect(state: State, election: SimpleNamespace, severity, generator: np.random.Generator, month: int) -> None:
    """An election: instability jumps (by the severity given, one or per trajectory, or one drawn per
    trajectory where the model codes severity and none is given), and the crisis window opens."""
    jump = election.instability_jump
    if getattr(election, "severity", None) is not None:
        drawn = (np.broadcast_to(np.asarray(severity) - 1, (state.n,)) if severity is not None else
                 np.searchsorted(np.cumsum(election.severity)[:-1], generator.random(state.n), side="right"))
        jump = np.asarray(jump, dtype=float)[drawn]
    state.S += jump
    kernel.tick_each(state.arrays(), kernel.EVENT_TYPES.index("election"), month, np.arange(state.n))
    if election.crisis_window_months > 0:
        state.crisis_boost = election.crisis_multiplier
        state.crisis_boost_until = month + election.crisis_window_months
