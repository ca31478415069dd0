"""Predictive checks of the model against the record: records replicated from the state filtered up to
the check's start, compared with what the record holds. The state knows the record before the start
only; a model with parameter sets takes them from the posterior given the whole record, as a posterior
predictive check does (the backtest is the out-of-sample test).

Checked, year by year over the window: the recorded steps and setbacks on each track (counts of
track hits, as the record counts a row once per track it names), the years in which recorded
setbacks outnumber steps (the record's own measure of an uneven year), and each indicator the
model measures (log Brent, Russia's trade share, the gas subsidy) in the years the record has it.
For every observed point: whether it lies in the replicas' central 90 % band (a count at the band's edge
counts by the share of its probability inside: the non-randomised PIT of Czado, Gneiting and Held 2009,
which a right model holds at 90 % in expectation, without a randomised PIT's own noise), and for every
check a predictive p-value of a discrepancy (totals for counts, a standardised squared error for
indicators) against its distribution over the replicas. The share inside is itself uncertain (with 25
yearly points a right model puts about 19 to 25 inside), so it comes with the range and a two-sided
p-value of the shares of replicas each taken as the record.
"""

from __future__ import annotations

import copy
import dataclasses

import numpy as np

from .. import months, rng
from ..config.validate import RunSpec
from ..inference import observation, replicate
from ..record import derived
from ..run import ensemble

LEVEL = 0.90
DRAWS = 400  # replicas taken as the record, for the spread of the share inside when the model is right


def pit(observed: np.ndarray, replicas: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The PIT of each observation (points,) under its replicas (points, n) as an interval [P(Y < y), P(Y ≤ y)]:
    a point for continuous values, for counts the range over which a randomised PIT would be uniform."""
    below = (replicas < observed[:, None]).mean(axis=1)
    return below, below + (replicas == observed[:, None]).mean(axis=1)


def pit_counts(observed: np.ndarray, replicas: np.ndarray, generator: np.random.Generator) -> np.ndarray:
    """Randomised PIT of integer observations (points,) under their replicas (points, n): uniform for a right
    model, for a uniformity test of many points (the backtest's PIT histograms)."""
    low, high = pit(observed, replicas)
    return low + generator.random(observed.size) * (high - low)


def pit_values(observed: np.ndarray, replicas: np.ndarray) -> np.ndarray:
    """PIT of continuous observations (points,) under their replicas (points, n)."""
    return pit(observed, replicas)[0]


def inside(low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Each point's share inside the central band: for a PIT interval, the chance that a randomised PIT falls
    inside, without the randomisation's own noise (the non-randomised PIT of Czado, Gneiting and Held 2009);
    for a point, whether it is inside."""
    lo, hi = (1 - LEVEL) / 2, (1 + LEVEL) / 2
    width = high - low
    overlap = np.clip(np.minimum(high, hi) - np.maximum(low, lo), 0, None)
    return np.where(width > 0, overlap / np.where(width > 0, width, 1), (low >= lo) & (low <= hi))


def calibrated(replicas: np.ndarray, draws: int = DRAWS) -> np.ndarray:
    """The share inside of `draws` replicas, each taken as the record and set against the others: how the
    share is spread when the model is right (for counts not binomial, each point counting a fraction)."""
    return np.array([inside(*pit(replicas[:, j], np.delete(replicas, j, axis=1))).mean()
                     for j in range(min(draws, replicas.shape[1]))])


def p_value(statistic: float, replicated: np.ndarray) -> float:
    """Posterior predictive p-value (Gelman, Meng and Stern 1996): P(replicated ≥ observed), ties counted
    half; near 0 the record holds more than the model makes, near 1 less."""
    return float((replicated > statistic).mean() + 0.5 * (replicated == statistic).mean())


def check(name: str, measure: str, replicas: np.ndarray, statistic: float, replicated: np.ndarray, band: np.ndarray,
          observed: np.ndarray, years) -> dict:
    """One check's row: how many points, the share of the observed points (points,) inside the 90 % band of
    their replicas (points, n) with the range and two-sided p-value of that share when the model is right,
    the discrepancy (`measure`), its p-value, and the figures' data (the replicas' 5/50/95 % band)."""
    share, null = float(inside(*pit(observed, replicas)).mean()), calibrated(replicas)
    return {"check": name, "points": int(observed.size), "inside_90": share,
            "calibrated_inside": [float(q) for q in np.quantile(null, [0.025, 0.975])],
            "inside_p": float(min(1.0, 2 * min((null <= share + 1e-12).mean(), (null >= share - 1e-12).mean()))),
            "measure": measure, "statistic": float(statistic), "replicated_median": float(np.median(replicated)),
            "replicated_90": [float(q) for q in np.quantile(replicated, [0.05, 0.95])],
            "p_value": p_value(statistic, replicated), "band": band, "observed": observed, "years": list(years)}


def mean_squared_z(values: np.ndarray, replicated: np.ndarray) -> np.ndarray:
    """(m,) the mean over points of the squared standardised errors of values (points, m) against the replicas
    (points, n), standardised by the replicas' median and standard deviation."""
    centre, spread = np.median(replicated, axis=1)[:, None], replicated.std(axis=1)[:, None]
    return (((values - centre) / spread) ** 2).mean(axis=0)


def yearly(hits: np.ndarray, first: int, years: list[int]) -> np.ndarray:
    """(years, tracks, n) track hits per calendar year from monthly hits (months, tracks, n) from month `first`."""
    year = (first + np.arange(hits.shape[0])) // 12
    return np.stack([(hits[year == y] > 0).sum(axis=0) for y in years])


def mean_correlation(net: np.ndarray) -> np.ndarray:
    """(n,) the mean correlation over pairs of tracks of their yearly net counts (years, tracks, n)."""
    z = (net - net.mean(axis=0)) / np.maximum(net.std(axis=0), 1e-12)
    pairs = np.einsum("yan,ybn->abn", z, z) / net.shape[0]
    k = net.shape[1]
    return (pairs.sum(axis=(0, 1)) - np.trace(pairs)) / (k * (k - 1))


def comovement(obs, reps, first: int, years: list[int], offset: int) -> dict:
    """Do the tracks move together as in the record: the mean correlation between tracks of their yearly
    steps minus setbacks (one number per record, the relations climate and packages make it positive)."""
    observed = (yearly(obs.steps[offset:, :, None], first, years) - yearly(obs.setbacks[offset:, :, None], first, years))
    replicated = yearly(reps.steps, first, years) - yearly(reps.setbacks, first, years)
    value, values = float(mean_correlation(observed.astype(float))[0]), mean_correlation(replicated.astype(float))
    return check("co-movement of tracks (mean correlation of yearly steps − setbacks)", "correlation",
                 values[None], value, values,
                 np.quantile(values, [0.05, 0.5, 0.95])[None], np.array([value]), [years[-1]])


def run(spec: RunSpec, record: derived.Record, last: int, replicas: int, seed: int) -> list[dict]:
    """The checks of the months after run.start to `last`: replicas from the state filtered on the record up
    to run.start. For a model with parameter sets, each replica takes the values of the set it filtered with,
    from the posterior given the record to `last`: a posterior predictive check is in-sample by design (the
    backtest is the out-of-sample test)."""
    first = spec.run.start + 1
    begun = ensemble.start(spec, seed, record, sets_known_by=last)
    picks = begun.filtered.picks(replicas, rng.stream(seed, 0, "checks-origin"))
    origin, model = begun.filtered.origin(picks), begun.model(spec, picks)
    asymmetry = derived.asymmetry(record.indicators, model.record.territory_ratio)
    reps = replicate.replicate(model, replicas, first, last - first + 1, asymmetry, seed, origin)
    obs = observation.observe(record, model, last)
    offset = first - obs.first
    years = list(range(first // 12, last // 12 + 1))
    rows = []
    for direction, name in (("steps", "step"), ("setbacks", "setback")):
        observed = yearly(getattr(obs, direction)[offset:, :, None], first, years)[..., 0]  # (years, tracks)
        replicated = yearly(getattr(reps, direction), first, years)                        # (years, tracks, n)
        for k, track in enumerate(model.tracks):
            band = np.quantile(replicated[:, k], [(1 - LEVEL) / 2, 0.5, (1 + LEVEL) / 2], axis=1).T
            rows.append(check(f"{name}s on {track} per year", "total", replicated[:, k], observed[:, k].sum(),
                              replicated[:, k].sum(axis=0), band, observed[:, k], years))
        rows.append(check(f"{name}s on all tracks per year", "variance over years",
                          replicated.sum(1), observed.sum(1).var(),
                          replicated.sum(1).var(axis=0), np.quantile(replicated.sum(1), [0.05, 0.5, 0.95], axis=1).T,
                          observed.sum(1), years))
    uneven_obs = (yearly(obs.setbacks[offset:, :, None], first, years).sum(1) >
                  yearly(obs.steps[offset:, :, None], first, years).sum(1))[:, 0]
    uneven_rep = yearly(reps.setbacks, first, years).sum(1) > yearly(reps.steps, first, years).sum(1)
    per_decade = 10 / len(years)
    rows.append(check("years with more setbacks than steps, per decade", "count per decade",
        uneven_rep.sum(0)[None] * per_decade, uneven_obs.sum() * per_decade,
        uneven_rep.sum(0) * per_decade, np.quantile(uneven_rep.sum(0) * per_decade, [0.05, 0.5, 0.95])[None],
        np.array([uneven_obs.sum() * per_decade]), [years[-1]]))
    rows.append(comovement(obs, reps, first, years, offset))
    rows += year_ahead(spec, record, last, replicas, seed, asymmetry)
    for name in observation.INDICATORS:
        known = [(i, y) for i, y in enumerate(reps.years) if y in obs.indicators[name]]
        observed = np.array([obs.indicators[name][y] for _, y in known])
        replicated = reps.indicators[name][[i for i, _ in known]]
        rows.append(check(f"{name} by year, {len(known)} years {known[0][1]}–{known[-1][1]}", "mean squared z",
                          replicated, float(mean_squared_z(observed[:, None], replicated)[0]),
                          mean_squared_z(replicated, replicated),
                          np.quantile(replicated, [0.05, 0.5, 0.95], axis=1).T, observed, [y for _, y in known]))
    for row in rows:
        row["window"] = f"{months.text(first)} to {months.text(last)}"
    return rows


def year_ahead(spec: RunSpec, record: derived.Record, last: int, replicas: int, seed: int,
               asymmetry: dict[int, float]) -> list[dict]:
    """Each indicator a year ahead: every year's value against replicas of that year from the state filtered
    on the record to the December before (the parameters, as above, from the posterior given the record to
    `last`). Unlike a path replicated over the whole window, whose years move together, these points are
    nearly independent when the model is right, so their share inside the band tests the model's bands."""
    found: dict[str, list] = {name: [] for name in observation.INDICATORS}
    measured = observation.observe(record, spec.model, last).indicators
    for year in range(spec.run.start // 12 + 1, last // 12 + 1):
        before = dataclasses.replace(spec, run=copy.copy(spec.run))
        before.run.start = 12 * year - 1
        begun = ensemble.start(before, seed, record, sets_known_by=last)
        picks = begun.filtered.picks(replicas, rng.stream(seed, year, "checks-year-ahead-origin"))
        model = begun.model(before, picks)
        reps = replicate.replicate(model, replicas, 12 * year, 12, asymmetry,
                                   rng.child_seed(seed, year, "checks-year-ahead"), begun.filtered.origin(picks))
        for name in found:
            if year in measured[name] and year in reps.years:
                found[name].append((year, measured[name][year], reps.indicators[name][reps.years.index(year)]))
    rows = []
    for name, points in ((name, points) for name, points in found.items() if points):
        years = [p[0] for p in points]
        observed, replicated = np.array([p[1] for p in points]), np.stack([p[2] for p in points])
        rows.append(check(f"{name} a year ahead, {len(years)} years {years[0]}–{years[-1]}", "mean squared z",
                          replicated, float(mean_squared_z(observed[:, None], replicated)[0]),
                          mean_squared_z(replicated, replicated), np.quantile(replicated, [0.05, 0.5, 0.95], axis=1).T,
                          observed, years))
    return rows
