"""The record as yearly observables, the form in which forecasts are scored: recorded track hits per year
by direction and track (as the predictive checks count them), and each indicator in the years it is measured."""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np

from ...inference import observation
from ...record import derived
from .. import checks

DIRECTIONS = ("steps", "setbacks")


@dataclass(frozen=True)
class Observed:
    """The record as yearly observables: recorded track hits per year by direction and track, and each indicator by year."""

    years: list[int]                      # calendar years covered (from the first year asked to the record's last full year)
    counts: np.ndarray                    # (years, 2, tracks) int: months with a recorded step (setback) on the track, per year
    indicators: dict[str, dict[int, float]]  # name → {year: value}, only the years the record measures

    def before(self, origin: int) -> Observed:
        """What was on record before the year `origin`: all a forecast made at `origin` may read."""
        keep = [i for i, year in enumerate(self.years) if year < origin]
        return Observed([self.years[i] for i in keep], self.counts[keep],
                        {name: {y: v for y, v in series.items() if y < origin}
                         for name, series in self.indicators.items()})


def last_full_year(record: derived.Record) -> int:
    """The last calendar year whose December the record reaches."""
    return (derived.end_month(record.events, record.indicators) + 1) // 12 - 1


def observed(record: derived.Record, model: SimpleNamespace, first_year: int, last_year: int) -> Observed:
    """The record's yearly observables from `first_year` to `last_year` (at most its last full year), read
    through the model's observation rule; indicators only in those years and only where measured."""
    if first_year * 12 < model.record.start:
        raise ValueError(f"first_year {first_year}: the observations start in {model.record.start // 12}")
    last = min(last_year, last_full_year(record))
    obs = observation.observe(record, model, last * 12 + 11)
    years = list(range(first_year, last + 1))
    offset = first_year * 12 - obs.first
    counts = np.stack([checks.yearly(getattr(obs, direction)[offset:, :, None], first_year * 12, years)[..., 0]
                       for direction in DIRECTIONS], axis=1)
    indicators = {name: {int(y): float(v) for y, v in sorted(series.items()) if first_year <= y <= last}
                  for name, series in obs.indicators.items()}
    return Observed(years, counts.astype(int), indicators)
