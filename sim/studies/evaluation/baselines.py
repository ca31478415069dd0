"""Baselines that see exactly what the model sees at an origin: the record's yearly observables before the
origin year, and nothing at or after it (`forecasts` cuts the record first, and the fits read only the cut).

Counts: a climatology and a persistence forecast. Indicators: persistence (a random walk without drift), a
random walk with drift and an AR(1), all three one AR(1) law x(t+1) = a + b·x(t) + s·ε with parameters fitted
to the known values. Every fit is a plug-in (its parameters taken as known); samples come from the generator
passed in, so a baseline is reproducible from its seed.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .forecast import Forecast
from .observed import Observed

HOMOGENEOUS = 2005  # from this year the record holds all the model's events (0.4 of them to 1999, 0.7 to 2004)
RECENT = 3          # years of counts the persistence forecast averages


class Law(NamedTuple):
    """x(t+1) = a + b·x(t) + s·ε from the value `value` known in `year`."""

    year: int
    value: float
    a: float
    b: float
    s: float


def forecasts(observed: Observed, origin: int, years: list[int], samples: int,
              generator: np.random.Generator) -> dict[str, Forecast]:
    """Each baseline's forecast made at `origin` for `years` (from `origin` on), fitted to the record before
    `origin` only: climatology and persistence of the counts, persistence, drift and AR(1) of the indicators."""
    if years[0] < origin:
        raise ValueError(f"a forecast made at {origin} starts there, not in {years[0]}")
    past = observed.before(origin)
    none = np.zeros((len(years), *past.counts.shape[1:], 0), int)
    climatology = count_climatology(past, len(years), samples, generator)
    recent = count_persistence(past, len(years), samples, generator)
    walks = {name: {kind: simulate(fit(series), years, samples, generator) for kind, fit in INDICATOR_FITS.items()}
             for name, series in past.indicators.items()}
    return {"climatology": Forecast(origin, years, climatology, {}),
            "persistence": Forecast(origin, years, recent, {n: w["persistence"] for n, w in walks.items()}),
            "drift": Forecast(origin, years, none, {n: w["drift"] for n, w in walks.items()}),
            "ar1": Forecast(origin, years, none, {n: w["ar1"] for n, w in walks.items()})}


def count_climatology(past: Observed, years: int, samples: int, generator: np.random.Generator) -> np.ndarray:
    """(years, 2, tracks, samples) counts from a negative binomial fitted by moments to each direction's and
    track's yearly counts (a Poisson where they are not overdispersed), the same law every year.

    Only the years from 2005 count when there are at least three of them: the record is complete from then, and
    earlier years, which hold 0.4–0.7 of the events, would pull a complete year's forecast down. At origins
    2003–2007 all years count, so there the climatology runs low.
    """
    if len(past.years) < 2:
        raise ValueError("a count climatology needs two years of record")
    recent = np.asarray(past.years) >= HOMOGENEOUS
    counts = past.counts[recent] if recent.sum() >= 3 else past.counts
    mean, var = counts.mean(axis=0), counts.var(axis=0, ddof=1)
    over = var > mean
    shape = np.where(over, mean**2 / np.where(over, var - mean, 1.0), 1.0)  # the negative binomial's size
    size = (years, *mean.shape, samples)
    gamma = generator.gamma(shape[None, ..., None], 1 / shape[None, ..., None], size)
    return generator.poisson(mean[None, ..., None] * np.where(over[None, ..., None], gamma, 1.0))


def count_persistence(past: Observed, years: int, samples: int, generator: np.random.Generator) -> np.ndarray:
    """(years, 2, tracks, samples) Poisson counts at each direction's and track's mean count over the last three
    years, the same law every year: three rather than one, as a sparse track's single year is too often 0."""
    if not past.years:
        raise ValueError("a count persistence forecast needs a year of record")
    mean = past.counts[-RECENT:].mean(axis=0)
    return generator.poisson(mean[None, ..., None], (years, *mean.shape, samples))


def known(series: dict[int, float]) -> tuple[np.ndarray, np.ndarray]:
    """The years an indicator is known, in order, and its values."""
    years = np.array(sorted(series), dtype=int)
    return years, np.array([series[y] for y in years], dtype=float)


def persistence(series: dict[int, float]) -> Law | None:
    """A random walk without drift from the last known value: its yearly variance from the changes between
    known values, a change over a gap of g years having variance g·s². None with fewer than two values."""
    years, values = known(series)
    if years.size < 2:
        return None
    gaps, changes = np.diff(years), np.diff(values)
    return Law(int(years[-1]), float(values[-1]), 0.0, 1.0, float(np.sqrt(np.mean(changes**2 / gaps))))


def drift(series: dict[int, float]) -> Law | None:
    """A random walk with drift: a change over g years has mean g·a and variance g·s². With fewer than three
    values (one change leaves no spread once its drift is fitted) a random walk without drift."""
    years, values = known(series)
    if years.size < 3:
        return persistence(series)
    gaps, changes = np.diff(years), np.diff(values)
    a = changes.sum() / gaps.sum()
    s = np.sqrt(np.sum((changes - a * gaps) ** 2 / gaps) / (gaps.size - 1))
    return Law(int(years[-1]), float(values[-1]), float(a), 1.0, float(s))


def ar1(series: dict[int, float]) -> Law | None:
    """An AR(1) fitted by least squares to the pairs of consecutive known years. With fewer than three such
    pairs (two are fitted exactly and leave no spread) a random walk without drift."""
    years, values = known(series)
    pairs = np.flatnonzero(np.diff(years) == 1)
    if pairs.size < 3:
        return persistence(series)
    x, y = values[pairs], values[pairs + 1]
    a, b = np.linalg.lstsq(np.column_stack([np.ones_like(x), x]), y, rcond=None)[0]
    s = np.sqrt(np.sum((y - a - b * x) ** 2) / (pairs.size - 2))
    return Law(int(years[-1]), float(values[-1]), float(a), float(b), float(s))


INDICATOR_FITS = {"persistence": persistence, "drift": drift, "ar1": ar1}


def simulate(law: Law | None, years: list[int], samples: int, generator: np.random.Generator) -> np.ndarray:
    """(years, samples) paths of the law from its last known value, taken at `years`; NaN where there was too
    little record to fit a law."""
    if law is None:
        return np.full((len(years), samples), np.nan)
    noise = generator.standard_normal((years[-1] - law.year, samples))
    path = np.empty_like(noise)
    x = np.full(samples, law.value)
    for t, e in enumerate(noise):
        x = path[t] = law.a + law.b * x + law.s * e
    return path[np.asarray(years) - law.year - 1]
