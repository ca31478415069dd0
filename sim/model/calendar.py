"""Dated events as SimPy processes that act on a whole block through array masks.

Time is in months since the run's start. Within month i: a scenario's parameter changes from
month i take effect at i − 0.1, before the month's dynamics, which run at i (integer times, see
engine.py); dated events (the model's calendar and the scenario's scripted events, scenario.py)
fire at i + 0.5; policies review at i + 0.75 (policies.py); the state is recorded at i + 1.
Each event draws from its own stream (rng.stream with the event's name), so adding or moving
one event leaves every other draw unchanged.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Callable, Iterator

import numpy as np
import simpy
from scipy.special import expit

from .. import rng
from ..config.validate import RunSpec
from . import policies, scenario
from .state import count, history, jump, jump_track, pick

MID_MONTH = 0.5


def election_months(election: SimpleNamespace, start: int, end: int) -> list[int]:
    """Dated elections plus the constitutional cycle after the last one, within [start, end]."""
    months = list(election.dates)
    step = 12 * election.cycle_years
    while months and months[-1] + step <= end:
        months.append(months[-1] + step)
    return [m - start for m in months if start <= m <= end]


def yearly_months(month_of_year: int, start: int, end: int) -> list[int]:
    """Every month of the window that falls in the given month of the year (1–12)."""
    first = start + (month_of_year - 1 - start % 12) % 12
    return [m - start for m in range(first, end + 1, 12)]


class Calendar:
    """Registers the dated processes of one block on a SimPy environment.

    The scenario's changes edit the block's own copy of the model (engine.run_block makes it).
    """

    def __init__(self, env: simpy.Environment, dynamics, spec: RunSpec, seed: int, block: int):
        self.env, self.dynamics, self.state, self.scenario = env, dynamics, dynamics.s, spec.scenario
        self.model = dynamics.m
        self.start, self.end, self.seed, self.block = spec.run.start, spec.run.end, seed, block

    def install(self) -> None:
        cal = self.model.calendar
        for name, election in vars(cal).items():
            if name.endswith("_election"):
                self.at(election_months(election, self.start, self.end), self.election(name, election))
        if hasattr(cal, "council"):
            self.at(yearly_months(cal.council.month, self.start, self.end), self.council)
        if hasattr(cal, "gas_deal"):
            self.at(yearly_months(cal.gas_deal.month, self.start, self.end), self.gas_deal)
        for name, deadline in vars(getattr(cal, "deadlines", SimpleNamespace())).items():
            self.env.process(self.deadline(name, deadline))
        scenario.install(self)
        policies.install(self)

    def at(self, months: list[int], action: Callable[[int], None], offset: float = MID_MONTH) -> None:
        """Run action(month) at each of the given months, at `offset` into the month (never before 0)."""
        def process() -> Iterator[simpy.Event]:
            for month in months:
                yield self.env.timeout(max(month + offset, 0.0) - self.env.now)
                action(month)
        self.env.process(process())

    def stream(self, purpose: str) -> np.random.Generator:
        return rng.stream(self.seed, self.block, purpose)

    def election(self, name: str, election: SimpleNamespace) -> Callable[[int], None]:
        """Instability rises by the election's jump, or where the model codes elections by severity
        (the record's magnitude 1–3), by the jump of a severity drawn per trajectory."""
        def act(month: int) -> None:
            s = self.state
            severity = getattr(election, "severity", None)
            if severity is None:
                s.S += election.instability_jump
            else:
                u = self.stream(f"election:{name}:{self.start + month}").random(s.n)
                drawn = np.searchsorted(np.cumsum(severity)[:-1], u, side="right")
                s.S += np.asarray(election.instability_jump, dtype=float)[drawn]
            count(s, "election", np.arange(s.n))
            if election.crisis_window_months > 0:
                s.crisis_boost = election.crisis_multiplier
                s.crisis_boost_until = month + election.crisis_window_months
        return act

    def council(self, month: int) -> None:
        """The yearly Union State council: adopts a programme with state-dependent odds."""
        s, c, ref = self.state, self.model.calendar.council, self.model.reference
        odds = (c.odds + c.history * (history(self.model, month / 12) - ref.history)
                + c.interdependence * (s.D - ref.interdependence)
                + c.pressure * (s.X - ref.pressure) - c.instability * (s.S - ref.instability))
        u = self.stream(f"council:{self.start + month}").random(s.n)
        idx = np.flatnonzero(u < expit(odds))
        jump(s, idx, c.effect)
        count(s, "programme", idx)

    def gas_deal(self, month: int) -> None:
        """The yearly gas-price agreement: the subsidy moves toward what Russia can afford."""
        s, sub, ref = self.state, self.model.subsidy, self.model.reference
        target = sub.reference - sub.stress * (s.R - ref.fiscal_stress)
        s.subsidy += sub.adjustment * (target - s.subsidy)
        np.clip(s.subsidy, 0.0, 1.0, out=s.subsidy)

    def deadline(self, name: str, d: SimpleNamespace) -> Iterator[simpy.Event]:
        """A treaty deadline: met with state-dependent odds, otherwise a setback and a new date."""
        s, ref = self.state, self.model.reference
        k = self.model.tracks.index(d.track)
        pending = np.arange(s.n)
        month = d.date - self.start
        if month < 0:
            return  # dated before the run: its outcome is part of the initial state
        while pending.size and month <= self.end - self.start:
            yield self.env.timeout(month + MID_MONTH - self.env.now)
            odds = (pick(d.odds, pending) + pick(d.level, pending) * (expit(s.y[k, pending]) - ref.level)
                    + pick(d.interdependence, pending) * (s.D[pending] - ref.interdependence)
                    - pick(d.instability, pending) * (s.S[pending] - ref.instability))
            u = self.stream(f"deadline:{name}:{self.start + month}").random(s.n)[pending]
            met = u < expit(odds)
            jump_track(s, k, pending[met], pick(d.success, pending[met]))
            jump_track(s, k, pending[~met], pick(d.failure, pending[~met]))
            count(s, "deadline_met", pending[met])
            count(s, "deadline_missed", pending[~met])
            pending = pending[~met]
            if getattr(d, "postpone_months", None) is None:
                return  # a missed deadline stays missed; later steps come as ordinary events
            month += d.postpone_months
