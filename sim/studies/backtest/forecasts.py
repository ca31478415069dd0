"""The model's forecast at an origin: futures from the calibration's draws of (parameters, state) given
the record through December of the year before, with the records they would make year by year
(replicate.py): recorded steps and setbacks per track, and each indicator as it is measured."""

from __future__ import annotations

import numpy as np

from ... import months, rng
from ...inference import replicate, smc2
from ...inference.prior import Prior
from ..checks import yearly
from ..evaluation import Forecast


def origin_month(origin: int) -> int:
    """The last month a forecast for the year `origin` on may read: December of the year before."""
    return months.parse(f"{origin - 1}-12")


def forecast(config: dict, prior: Prior, snapshot: smc2.Snapshot, asymmetry: dict[int, float], origin: int,
             years: list[int], seed: int) -> Forecast:
    """The futures of a snapshot (every draw its own parameters and state) through `years`, as a Forecast.
    Asymmetry after the snapshot's year is held at its last value there: a forecast reads nothing later."""
    model = smc2.population_model(config, prior, prior.unconstrained(snapshot.theta), 1)
    known = {year: a for year, a in asymmetry.items() if year < origin}
    first = months.parse(f"{origin}-01")
    made = replicate.replicate(model, len(snapshot.theta), first, 12 * len(years), known,
                               rng.child_seed(seed, origin, "backtest-forecast"), snapshot.origin)
    counts = np.stack([yearly(made.steps, first, years), yearly(made.setbacks, first, years)], axis=1)
    return Forecast(origin, years, counts.astype(int), {name: values for name, values in made.indicators.items()})
