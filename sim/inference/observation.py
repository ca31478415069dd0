"""How the record arises from the model: its rows as observed events, its indicators as noisy
measurements of the drivers, and the likelihood of a month's record for every particle.

Rows become observations by one rule (docs/MODEL.md): a row of direction +1 is a step, −1 a
setback, on each track it names (a package: the model's step or setback with a primary track and
the others that joined it); direction 0 rows of type sanctions, détente and crisis are those
events; elections come from the model's calendar, their severity from the row's magnitude; other
direction 0 rows are neutral. Within a month, a track has at most one step and one setback (of
the largest magnitude recorded): the model's time step. The record holds a share of the model's
events that depends on the period (`record.coverage`); leadership transitions it would always hold,
commodity shocks never (they are read from the oil price).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np

from ..model import kernel
from ..record import derived
from ..record.derived import Record
from . import likelihood

RECORDED = ("crisis", "sanctions", "detente")  # one-row kinds the record codes as rows of their type
ALWAYS = ("transition",)                        # kinds the record would hold whenever they happen
HALF_LOG_2PI = 0.5 * np.log(2 * np.pi)
INDICATORS = ("brent", "trade_share", "subsidy")  # yearly observables: of R, D and the subsidy


@dataclass(frozen=True)
class Observations:
    """The record month by month from `first` (the filter's first month) for `months` months."""

    first: int
    months: int
    steps: np.ndarray          # (months, tracks) magnitude of the recorded step on each track, 0 for none
    setbacks: np.ndarray       # (months, tracks) the same for setbacks
    kinds: dict                # kind → (months,) bool: a recorded crisis, sanctions round, détente
    severity: dict             # month → magnitude of a recorded election
    coverage: np.ndarray       # (months,) share of the model's events the record holds (0 after its end)
    indicators: dict           # name → {year: value} (log Brent, trade share, subsidy)
    asymmetry: dict            # year → A
    last: int                  # the record's last month read (≤ `first + months − 1`): later months are predicted


def observe(record: Record, model: SimpleNamespace, until: int) -> Observations:
    """The observations of the record from model.record.start to `until` (inclusive), under the model's
    observation settings; nothing after `until` is read. Months after the record's end hold nothing,
    not even the events it would always hold: the filter predicts them."""
    r = model.record
    last = min(until, derived.end_month(record.events, record.indicators))
    record = record.until(until)
    events, tracks = record.events, model.tracks
    first, count = r.start, until - r.start + 1
    steps, setbacks = np.zeros((count, len(tracks)), np.int8), np.zeros((count, len(tracks)), np.int8)
    kinds = {kind: np.zeros(count, bool) for kind in RECORDED}
    severity = {}
    order = [events.track_names.index(t) for t in tracks]
    for month, named, direction, magnitude, kind in zip(events.month, events.tracks, events.direction,
                                                        events.magnitude, events.type):
        i = month - first
        if i < 0:
            continue
        if direction != 0:
            target = steps if direction > 0 else setbacks
            hit = named[order]
            target[i, hit] = np.maximum(target[i, hit], magnitude)
        elif kind == "election":
            severity[int(month)] = int(magnitude)
        elif kind in RECORDED:
            kinds[str(kind)][i] = True
    ind = record.indicators
    indicators = {"brent": {y: np.log(v) for y, v in derived.brent(ind).items()},
                  "trade_share": derived.trade_share(ind),
                  "subsidy": derived.subsidy(ind, r.contract_per_brent)}
    return Observations(first, count, steps, setbacks, kinds, severity, coverage(model, first, count, last),
                        indicators, derived.asymmetry(ind, r.territory_ratio), last)


def coverage(model: SimpleNamespace, first: int, count: int, last: int | None = None) -> np.ndarray:
    """(count,) the share of the model's events the record holds, month by month from `first`; 0 after
    the record's `last` month (None: the record runs through the window)."""
    out = np.ones(count)
    r = model.record
    for end, share in sorted(zip(r.coverage.until, r.coverage.share), reverse=True):
        out[: max(0, min(count, end - first + 1))] = share
    if last is not None:
        out[max(0, last - first + 1):] = 0.0
    return out


def always(coverage: float) -> float:
    """The share of the kinds the record would always hold (ALWAYS): all while it runs, none after its end."""
    return 1.0 if coverage > 0 else 0.0


def thinning(rows: tuple[np.ndarray, np.ndarray], coverage: float) -> np.ndarray:
    """log(1 − recorded share) per event row: the filter draws only the events the record does not hold."""
    kinds = [kernel.KINDS[k] for k in rows[0]]
    share = np.array([coverage if kind in RECORDED or kind in ("step", "setback") else always(coverage)
                      if kind in ALWAYS else 0.0 for kind in kinds])
    with np.errstate(divide="ignore"):
        return np.log1p(-share)


def event_loglik(log_rate: np.ndarray, rows: tuple[np.ndarray, np.ndarray], obs: Observations, i: int,
                 breadth: tuple[float, float]) -> np.ndarray:
    """(n,) log-likelihood of month i's recorded events given each particle's log(rate·dt) of every
    row (unthinned), the recorded share of the month and the breadth of steps and setbacks."""
    kinds, tracks = rows
    share = obs.coverage[i]
    out = np.zeros(log_rate.shape[1])
    names = [kernel.KINDS[k] for k in kinds]
    single = np.array([h for h, kind in enumerate(names) if kind in RECORDED or kind in ALWAYS], dtype=np.int64)
    likelihood.add_events(out, log_rate, single, np.array([share if names[h] in RECORDED else always(share)
                                                           for h in single]),
                          np.array([names[h] in RECORDED and bool(obs.kinds[names[h]][i]) for h in single]))
    for direction, (kind, seen) in enumerate((("step", obs.steps[i]), ("setback", obs.setbacks[i]))):
        mine = np.flatnonzero(kinds == kernel.KINDS.index(kind))
        if mine.size:
            likelihood.add_packages(out, log_rate, mine[np.argsort(tracks[mine])], seen > 0, share, breadth[direction])
    return out


def indicator_loglik(means: dict[str, np.ndarray], obs: Observations, year: int, model: SimpleNamespace) -> np.ndarray:
    """(n,) Gaussian log-density of a year's indicators given each particle's yearly means of R, D and the
    subsidy (`means`) and measurement errors (which a calibration may estimate, hence the whole density);
    log Brent is log(brent_reference) − R."""
    r = model.record
    predicted = {"brent": np.log(r.brent_reference) - means["brent"], "trade_share": means["trade_share"],
                 "subsidy": means["subsidy"]}
    out = 0.0
    for name in INDICATORS:
        value = obs.indicators[name].get(year)
        if value is not None:
            sd = getattr(r.noise, name)
            out = out - 0.5 * ((value - predicted[name]) / sd) ** 2 - np.log(sd) - HALF_LOG_2PI
    return np.asarray(out)


def judgement_loglik(levels: np.ndarray, model: SimpleNamespace) -> np.ndarray:
    """(n,) Gaussian log-likelihood of the judged levels (a weak observation) given each particle's levels."""
    j = model.record.judgement
    return -0.5 * (((levels - np.asarray(j.levels)) / j.spread) ** 2).sum(axis=0)
