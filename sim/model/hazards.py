"""Stochastic events, drawn every month for the whole block at once.

Each event kind is a rate and an effect (what it does to the trajectories where it happens; a
scenario forces the same effects at a date, scenario.py). A rate is log-linear in the drivers
(the rows of State.drivers) around the reference state, shifted by a modifier of the calendar
(an election window, the clock of a transition) or of the state (the depth of a track's
commitments), and, for some events, by a recent crisis:

    log rate = log base + Σ_j slope_j · (driver_j − reference_j) + modifier
               [+ log multiplier for some months after a crisis]

Steps and setbacks have one row per track (their primary track): its own base rate, slopes
shared by the tracks or given per track. All rates of a month are taken at the state after the
month's dynamics, before any event acts (competing hazards within the month: an event changes
the others' rates from the next month). The compiled monthly step (kernel.py) evaluates them
from the slopes and intercepts of Rates. A model has rows only for the kinds its config lists.

Each row consumes one uniform per trajectory and month, whether the event happens or not, so two
runs with the same seed stay aligned draw by draw (common random numbers). The branches of an
event (rally or hedge, the successor's course, a track event's magnitude and the other tracks
it takes along) reuse that uniform: given u < p, u/p is again uniform on [0, 1), so branches
cost no extra draws.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, Callable, NamedTuple

import numpy as np

from . import kernel
from .coefficients import matrix, rows
from .state import DRIVERS, State

MAGNITUDES = 3  # the record's coded magnitudes 1, 2, 3


class Rate(NamedTuple):
    """rate = base · exp(Σ slope · (driver − reference)), times `after_crisis` = (months, multiplier)
    in the months right after a crisis."""
    base: Any
    slopes: dict[str, tuple[Any, Any]]  # driver → (slope, reference value)
    after_crisis: tuple[Any, Any] = (0, 1.0)


def dispute_rate(d: SimpleNamespace, ref: SimpleNamespace) -> Rate:
    """Disputes come with Russia's fiscal stress and the subsidy gap 1 − subsidy, less with D."""
    return Rate(d.rate, {"R": (d.stress, ref.fiscal_stress), "subsidy": (-d.gap, 1 - ref.subsidy_gap),
                         "D": (-d.interdependence, ref.interdependence)})


def dispute_params(d: SimpleNamespace, model: SimpleNamespace, tracks: int) -> tuple:
    return rows(d.effect, d.subsidy_cut)


def crisis_rate(c: SimpleNamespace, ref: SimpleNamespace) -> Rate:
    return Rate(c.rate, {"S": (c.instability, ref.instability)})


def crisis_modifier(state: State, c: SimpleNamespace, years: float):
    """An election window multiplies the crisis rate (calendar.py)."""
    return np.log(state.crisis_boost) if state.month <= state.crisis_boost_until else 0.0


def crisis_params(c: SimpleNamespace, model: SimpleNamespace, tracks: int) -> tuple:
    return rows(c.instability_jump, c.rally_odds, c.rally_pressure, model.reference.pressure, c.rally, c.hedge,
                getattr(c, "rally_climate", 0.0), getattr(c, "hedge_climate", 0.0))


def sanctions_rate(s: SimpleNamespace, ref: SimpleNamespace) -> Rate:
    """Rounds come in waves (pressure raises the rate) and follow crises."""
    return Rate(s.rate, {"X": (s.pressure, ref.pressure)}, (s.after_crisis_months, s.after_crisis))


def sanctions_params(s: SimpleNamespace, model: SimpleNamespace, tracks: int) -> tuple:
    return rows(s.jump, s.interdependence)


def detente_rate(t: SimpleNamespace, ref: SimpleNamespace) -> Rate:
    return Rate(t.rate, {"X": (-t.pressure, ref.pressure)})


def detente_params(t: SimpleNamespace, model: SimpleNamespace, tracks: int) -> tuple:
    return rows(t.cut)


def commodity_rate(c: SimpleNamespace, ref: SimpleNamespace) -> Rate:
    return Rate(c.rate, {})


def commodity_params(c: SimpleNamespace, model: SimpleNamespace, tracks: int) -> tuple:
    """(R's jump, the share of it the subsidy passes on at once: subsidy.pass_through)."""
    return rows(c.jump, getattr(model.subsidy, "pass_through", 0.0))


def transition_rate(tr: SimpleNamespace, ref: SimpleNamespace) -> Rate:
    return Rate(tr.rate, {})


def transition_modifier(state: State, tr: SimpleNamespace, years: float):
    """The hazard grows with time (the incumbent ages)."""
    return tr.growth * years


def transition_params(tr: SimpleNamespace, model: SimpleNamespace, tracks: int) -> tuple:
    return rows(tr.instability_jump, tr.continuity, tr.pro_moscow, tr.consolidation, tr.pivot,
                getattr(tr, "consolidation_climate", 0.0), getattr(tr, "pivot_climate", 0.0))


def step_rate(s: SimpleNamespace, ref: SimpleNamespace) -> Rate:
    """Integration steps come in a good relations climate, with interdependence and Western
    pressure, less in instability; the rate of each track (its base) is a per-track vector."""
    return Rate(s.rate, {"Z": (s.climate, 0.0), "D": (s.interdependence, ref.interdependence),
                         "X": (s.pressure, ref.pressure), "S": (-s.instability, ref.instability)})


def setback_rate(s: SimpleNamespace, ref: SimpleNamespace) -> Rate:
    """Setbacks (disputes, supply cuts, bans, failed councils) come in a bad climate, with Russia's
    fiscal stress and the subsidy gap, less with interdependence, more in instability."""
    return Rate(s.rate, {"Z": (-s.climate, 0.0), "R": (s.stress, ref.fiscal_stress),
                         "subsidy": (-s.gap, 1 - ref.subsidy_gap), "D": (-s.interdependence, ref.interdependence),
                         "S": (s.instability, ref.instability)})


def track_event_params(e: SimpleNamespace, model: SimpleNamespace, tracks: int) -> tuple:
    """(weights by magnitude: effect × by_magnitude, cumulative magnitude probabilities, breadth, climate,
    permanent share, subsidy cut by track): the layout kernel.hit reads for steps and setbacks alike."""
    cumulative = np.cumsum(np.asarray(e.magnitude, dtype=float))[:MAGNITUDES - 1]
    weights = np.asarray(e.by_magnitude, dtype=float)[:, None] * np.atleast_1d(np.asarray(e.effect, dtype=float))[None, :]
    return rows(weights, cumulative[:, None], e.breadth, e.climate_effect,
                getattr(e, "permanent", 0.0), getattr(e, "subsidy_cut", np.zeros((tracks, 1))))


def resistance_modifier(state: State, e: SimpleNamespace, years: float):
    """The deeper a track's commitments, the rarer its steps: −resistance_k · A·(expit(c_k)^η − I_ref^η)."""
    return -e.resistance * state.depth


class Hazard(NamedTuple):
    rate: Callable       # (params, reference) → Rate
    modifier: Callable | None  # (state, params, years) → log-rate shift of the month, scalar, per trajectory or per track
    params: Callable     # (params, model, tracks) → the effect's parameters as kernel.py takes them
    per_track: bool = False  # one row per track (its primary track); what each kind does is in kernel.py


# kind → Hazard, in the order of kernel.KINDS.
HAZARDS = {
    "dispute": Hazard(dispute_rate, None, dispute_params),
    "crisis": Hazard(crisis_rate, crisis_modifier, crisis_params),
    "sanctions": Hazard(sanctions_rate, None, sanctions_params),
    "detente": Hazard(detente_rate, None, detente_params),
    "commodity": Hazard(commodity_rate, None, commodity_params),
    "transition": Hazard(transition_rate, transition_modifier, transition_params),
    "step": Hazard(step_rate, resistance_modifier, track_event_params, per_track=True),
    "setback": Hazard(setback_rate, None, track_event_params, per_track=True),
}
assert tuple(HAZARDS) == kernel.KINDS


def _row(value, k: int):
    """Track k's value of a per-track coefficient (tracks, 1 or n); a scalar as it is."""
    value = np.asarray(value, dtype=float)
    return value[k] if value.ndim == 2 else value


def spread(value) -> int:
    """How the kernel reads a slope: not at all where it is 0 for every trajectory (kernel.NONE), once
    where one value serves all (SHARED, though the matrix holds a column per trajectory when any slope
    does), per trajectory otherwise (OWN)."""
    value = np.asarray(value)
    return kernel.NONE if not np.any(value != 0) else kernel.SHARED if value.size == 1 else kernel.OWN


def _absent(kind: str, tracks: int) -> tuple:
    """Zero parameters in the layout of a kind the model has no row for: compiled, never read."""
    one, vector = np.zeros((1, 1)), np.zeros((tracks, 1))
    layouts = {"dispute": (vector, one), "crisis": (one, one, one, one, vector, vector, one, one),
               "sanctions": (one, one), "detente": (one,), "commodity": (one, one),
               "transition": (one, one, one, vector, vector, one, one)}
    if HAZARDS[kind].per_track:
        return (np.zeros((MAGNITUDES, 1)), np.zeros((MAGNITUDES - 1, 1)), one, one, one, vector)
    return layouts[kind]


class Rates:
    """The events' log-rates of a block, as the kernel takes them: slopes (rows, DRIVERS, 1 or n), how
    the kernel reads each (sloped: kernel.NONE, SHARED or OWN) and intercepts (rows, 1 or n) of
    log(rate·dt) over the drivers, the after-crisis windows and log multipliers (rows, 2, 1 or n), the
    rows' kinds and tracks, and every kind's effect parameters; built from a model once (and again
    when a scenario changes it)."""

    def __init__(self, model: SimpleNamespace, dt: float):
        ev, ref = model.events, model.reference
        k = len(model.tracks)
        self.kinds = [name for name in HAZARDS if hasattr(ev, name)]
        self.packed = tuple(HAZARDS[name].params(getattr(ev, name), model, k) if hasattr(ev, name)
                            else _absent(name, k) for name in HAZARDS)
        kinds, tracks, rates = [], [], []
        for name in self.kinds:
            hazard, params = HAZARDS[name], getattr(ev, name)
            rate = hazard.rate(params, ref)
            for track in range(k) if hazard.per_track else [-1]:
                kinds.append(kernel.KINDS.index(name))
                tracks.append(track)
                if hazard.per_track:
                    rate = rate._replace(base=_row(params.rate, track),
                                         slopes={d: (_row(s, track), r) for d, (s, r) in hazard.rate(params, ref).slopes.items()})
                rates.append(rate)
        self.rows = (np.array(kinds, dtype=np.int64), np.array(tracks, dtype=np.int64))
        zero = (0.0, 0.0)
        self.slopes = matrix([[rate.slopes.get(d, zero)[0] for d in DRIVERS] for rate in rates])
        self.sloped = np.array([[spread(rate.slopes.get(d, zero)[0]) for d in DRIVERS] for rate in rates])
        with np.errstate(divide="ignore"):  # a zero rate or multiplier: log = −inf, the event cannot happen
            self.intercepts = matrix([[np.log(rate.base * dt) - sum(slope * reference for slope, reference in rate.slopes.values())]
                                      for rate in rates])[:, 0]
            self.after_crisis = matrix([[rate.after_crisis[0], np.log(rate.after_crisis[1])] for rate in rates])
        self.thin = np.zeros(len(rates))
        self.buffer = np.empty((0, 0))  # this month's intercepts, reused from month to month
        self.modified = []  # (first row, hazard's modifier, its params, per track)
        for name in self.kinds:
            hazard = HAZARDS[name]
            if hazard.modifier:
                first = int(np.flatnonzero(self.rows[0] == kernel.KINDS.index(name))[0])
                self.modified.append((first, hazard.modifier, getattr(ev, name), hazard.per_track))

    def row_of(self, kind: str, track: int = -1) -> int:
        """The row of an event kind (and its primary track, for track events)."""
        kinds, tracks = self.rows
        return int(np.flatnonzero((kinds == kernel.KINDS.index(kind)) & (tracks == track))[0])

    def intercepts_for(self, state: State, years: float) -> np.ndarray:
        """This month's intercepts (rows, 1 or n): the model's, shifted by the modifiers."""
        with np.errstate(divide="ignore"):  # a multiplier of zero: the event cannot happen then
            shifts = [(row, modifier(state, params, years), per_track)
                      for row, modifier, params, per_track in self.modified]
        width = max([self.intercepts.shape[1], *(np.shape(s)[-1] if np.ndim(s) else 1 for _, s, _ in shifts)])
        if self.buffer.shape != (len(self.intercepts), width):
            self.buffer = np.empty((len(self.intercepts), width))
        out = self.buffer
        out[:] = self.intercepts
        for row, shift, per_track in shifts:
            if per_track:
                out[row:row + np.shape(shift)[0]] += shift
            else:
                out[row] += shift
        return out
