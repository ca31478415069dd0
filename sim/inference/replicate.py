"""Records replicated from the model: what the record would hold if the model were true, made by the
observation model's own rules (the recorded share of events, packages of tracks, magnitudes,
measurement error of the indicators). Posterior predictive checks compare them with the record;
a replicate turned into a record is what the filter is tested on, with the truth known."""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np

from ..model import kernel
from ..model.state import Origin
from ..record.derived import Record
from ..record.events import Events
from ..record.indicators import Indicators
from . import observation
from .chronicle import Chronicle

TYPE = {("steps", 1): "agreement", ("setbacks", -1): "dispute"}


@dataclass
class Replicas:
    """n replicated records from `first` for `months` months, with the latent paths that made them."""

    first: int
    months: int
    steps: np.ndarray       # (months, tracks, n) magnitude of the recorded step on each track, 0 for none
    setbacks: np.ndarray    # (months, tracks, n)
    kinds: dict             # kind → (months, n) bool: a recorded crisis, sanctions round, détente
    severity: dict          # month → (n,) severity of the month's election
    indicators: dict        # name → (years, n) measured values (log Brent, trade share, subsidy)
    years: list[int]        # the years of `indicators`
    levels: np.ndarray      # (months, tracks, n) latent levels at the end of each month (the truth)
    drivers: np.ndarray     # (months, DRIVERS, n) latent drivers


def recorded_hits(log_rate: np.ndarray, rows: tuple, kind: str, params: tuple, share: float,
                  generator: np.random.Generator) -> np.ndarray:
    """(tracks, n) magnitudes of the recorded steps (or setbacks) of a month: a primary on each track with
    its recorded probability, a magnitude per package, the other tracks joining with the breadth."""
    kinds, tracks = rows
    mine = np.flatnonzero(kinds == kernel.KINDS.index(kind))
    k, n = mine.size, log_rate.shape[1]
    primary = generator.random((k, n)) < -np.expm1(-np.exp(log_rate[mine]) * share)
    cumulative, breadth = params[1][:, 0], params[2][0, 0]
    magnitude = 1 + (generator.random((k, n))[None] >= cumulative[:, None, None]).sum(axis=0)
    joins = generator.random((k, k, n)) < breadth  # [primary track, other track, trajectory]
    joins[np.arange(k), np.arange(k)] = True
    hit = primary[:, None, :] & joins
    return np.where(hit, magnitude[:, None, :], 0).max(axis=0).astype(np.int8)


def replicate(model: SimpleNamespace, n: int, first: int, count: int, asymmetry: dict[int, float], seed: int,
              origin: Origin | None = None) -> Replicas:
    """n records of `count` months from `first`, from the model's prior at the record's start (or from
    an origin), with the events the record would hold and its indicators, year by year."""
    walk = Chronicle(model, n, first, count, asymmetry, seed, origin)
    state, rates, generator = walk.state, walk.rates, walk.generator
    k = len(model.tracks)
    steps, setbacks = np.zeros((count, k, n), np.int8), np.zeros((count, k, n), np.int8)
    kinds = {kind: np.zeros((count, n), bool) for kind in observation.RECORDED}
    levels, drivers = np.empty((count, k, n), np.float32), np.empty((count, state.drivers.shape[0], n), np.float32)
    severity, years, measured = {}, [], {name: [] for name in observation.INDICATORS}
    noise = model.record.noise
    for i in range(count):
        log_rate, share = walk.advance(i), walk.coverage[i]
        for out, kind in ((steps, "step"), (setbacks, "setback")):
            params = rates.packed[kernel.KINDS.index(kind)]
            out[i] = recorded_hits(log_rate, rates.rows, kind, params, share, generator)
            kernel.force_hits(state.arrays(), params, out[i], 0 if kind == "step" else 1)
        for h, (kind_index, _) in enumerate(zip(*rates.rows)):
            kind = kernel.KINDS[kind_index]
            if kind in observation.RECORDED or kind in observation.ALWAYS:
                recorded = share if kind in observation.RECORDED else 1.0
                happened = np.flatnonzero(generator.random(n) < -np.expm1(-np.exp(log_rate[h]) * recorded))
                kernel.force(kind_index, state.arrays(), rates.packed, happened, generator.random(happened.size), i + 1)
                if kind in kinds:
                    kinds[kind][i, happened] = True
        month = first + i
        coded = [e for e in walk.dated.get(month, []) if getattr(e, "severity", None) is not None]
        if coded:  # the election's severity, drawn here so that the record can hold it
            severity[month] = 1 + np.searchsorted(np.cumsum(coded[0].severity)[:-1], generator.random(n), side="right")
        year = walk.close(i, severity.get(month))
        levels[i], drivers[i] = state.level, state.drivers
        if year is not None:
            years.append(month // 12)
            measured["brent"].append(np.log(model.record.brent_reference) - year["brent"] + noise.brent * generator.standard_normal(n))
            for name in ("trade_share", "subsidy"):
                measured[name].append(year[name] + getattr(noise, name) * generator.standard_normal(n))
    return Replicas(first, count, steps, setbacks, kinds, severity, {k_: np.array(v) for k_, v in measured.items()},
                    years, levels, drivers)


def as_record(replicas: Replicas, j: int, tracks: tuple[str, ...], real: Record, contract_per_brent: float) -> Record:
    """Replicate j as a record of the real record's layout: a row per recorded step and setback (one
    track each), crisis, sanctions round, détente and election; its indicators in the years the real
    record measures them (the gas price that gives its subsidy against its own oil price), and the
    real ratios of size."""
    rows = []  # (month, tracks mask, direction, magnitude, type)
    k = len(tracks)
    for name, direction in (("steps", 1), ("setbacks", -1)):
        hits = getattr(replicas, name)[:, :, j]
        for i, t in zip(*np.nonzero(hits)):
            rows.append((replicas.first + i, np.arange(k) == t, direction, int(hits[i, t]), TYPE[name, direction]))
    for kind, happened in replicas.kinds.items():
        for i in np.flatnonzero(happened[:, j]):
            rows.append((replicas.first + i, np.arange(k) == 0, 0, 1, kind))  # the track of a neutral row is not read
    for month, drawn in replicas.severity.items():
        rows.append((month, np.arange(k) == 0, 0, int(drawn[j]), "election"))
    rows.sort(key=lambda r: r[0])
    events = Events(month=np.array([r[0] for r in rows], int), day=np.zeros(len(rows), int),
                    tracks=np.array([r[1] for r in rows], bool).reshape(-1, k), track_names=tuple(tracks),
                    direction=np.array([r[2] for r in rows], int), magnitude=np.array([r[3] for r in rows], int),
                    type=np.array([r[4] for r in rows], str), title=np.full(len(rows), "replicated"),
                    source=np.full(len(rows), "replicated"))
    brent = dict(zip(replicas.years, np.exp(replicas.indicators["brent"][:, j])))
    table = [(y, "brent_price_annual_mean", v) for y, v in brent.items()]
    table += [(y, "russia_share_belarus_total_trade", 100 * v)
              for y, v in zip(replicas.years, replicas.indicators["trade_share"][:, j])]
    table += [(y, "gas_price_russia_to_belarus", (1 - s) * contract_per_brent * (0.75 * brent[y] + 0.25 * brent[y - 1]))
              for y, s in zip(replicas.years, replicas.indicators["subsidy"][:, j]) if y - 1 in brent]
    held = {(int(y), str(n)) for y, n in zip(real.indicators.year, real.indicators.name)}
    table = [row for row in table if row[:2] in held]  # the years in which the record measures each indicator
    ratios = np.isin(real.indicators.name, ["gdp_ratio_russia_to_belarus", "population_ratio_russia_to_belarus"])
    year = np.concatenate([[r[0] for r in table], real.indicators.year[ratios]]).astype(int)
    names = np.concatenate([[r[1] for r in table], real.indicators.name[ratios]])
    values = np.concatenate([[r[2] for r in table], real.indicators.value[ratios]])
    indicators = Indicators(year=year, name=names, value=values.astype(float), unit=np.full(year.size, "replicated"),
                            source=np.full(year.size, "replicated"), kind=np.full(year.size, "observed"))
    return Record(events, indicators)
