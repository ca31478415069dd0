"""The record as the model reads it: both files together, cut at a month (what was known then),
where it ends, the asymmetry by year, and the yearly observables of the indicators (oil price,
trade share, gas subsidy)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .. import months
from ..errors import ConfigError
from .events import Events, load_events
from .indicators import Indicators, load_indicators


class Record(NamedTuple):
    """The events and the yearly indicators."""

    events: Events
    indicators: Indicators

    def until(self, month: int) -> "Record":
        """What was on record at the end of `month`: its events and the years whose December is not after it."""
        keep = self.indicators.year * 12 + 11 <= month
        indicators = Indicators(*(getattr(self.indicators, f)[keep] for f in self.indicators.__dataclass_fields__))
        return Record(self.events.between(self.events.month.min(), month), indicators)


def load() -> Record:
    """The record in data/."""
    return Record(load_events(), load_indicators())


def end_month(events: Events, indicators: Indicators) -> int:
    """The last month the record covers: its latest event, or the December of its latest indicator year."""
    return max(events.last_month, indicators.last_year * 12 + 11)


def ratio_index(ratio: float) -> float:
    """(r − 1)/(r + 1): 0 for equal partners, toward 1 for a partner r times the other's size."""
    return (ratio - 1) / (ratio + 1)


def ratios(indicators: Indicators) -> dict[int, tuple[float, float]]:
    """Russia's GDP and population ratios to Belarus's, by year where the record gives both."""
    gdp, people = (indicators.series(f"{name}_ratio_russia_to_belarus") for name in ("gdp", "population"))
    return {year: (gdp[year], people[year]) for year in sorted(set(gdp) & set(people))}


def asymmetry(indicators: Indicators, territory_ratio: float) -> dict[int, float]:
    """A by year: the mean index of Russia's GDP, population and territory ratios to Belarus's."""
    return {year: float(np.mean([ratio_index(gdp), ratio_index(people), ratio_index(territory_ratio)]))
            for year, (gdp, people) in ratios(indicators).items()}


def earliest_start(record: Record) -> int:
    """The first month the record can be cut at for a start or a calibration: the December of the first
    year that gives the asymmetry (both ratios), the first value a record cut there holds."""
    return min(ratios(record.indicators)) * 12 + 11


def check_cut(record: Record, month: int, key: str) -> None:
    """One line naming `key` when the record cut at `month` would not yet give the asymmetry."""
    first = earliest_start(record)
    if month < first:
        raise ConfigError(key, months.text(month), f"must be at or after {months.text(first)}: the record gives "
                          "Russia's and Belarus's GDP and population ratios (the asymmetry) from that year on")


def asymmetry_at(series: dict[int, float], month: int) -> float:
    """A at a month: its year's value, the nearest earlier year's before the first, the last year's after it."""
    year = month // 12
    known = [y for y in series if y <= year]
    return series[max(known)] if known else series[min(series)]


def held(indicators: Indicators, name: str) -> dict[int, float]:
    """An indicator's values by year; none where the record (cut at a month) does not have it yet."""
    return indicators.series(name) if name in indicators.names() else {}


def brent(indicators: Indicators) -> dict[int, float]:
    """Brent's annual mean price (USD per barrel) by year."""
    return held(indicators, "brent_price_annual_mean")


def trade_share(indicators: Indicators) -> dict[int, float]:
    """Russia's share of Belarus's foreign trade (0–1) by year."""
    return {year: value / 100 for year, value in held(indicators, "russia_share_belarus_total_trade").items()}


def subsidy(indicators: Indicators, contract_per_brent: float) -> dict[int, float]:
    """The share of an oil-indexed contract price Belarus did not pay, by year: 1 − paid / reference,
    the reference being `contract_per_brent` × Brent lagged by about nine months (¾ of the year's
    mean and ¼ of the year before), as long-term gas contracts followed oil."""
    paid, oil = held(indicators, "gas_price_russia_to_belarus"), brent(indicators)
    return {year: 1 - price / (contract_per_brent * (0.75 * oil[year] + 0.25 * oil[year - 1]))
            for year, price in paid.items() if year in oil and year - 1 in oil}


def known_by(series: dict[int, float], month: int) -> dict[int, float]:
    """The yearly values known at the end of a month: years whose December is not after it."""
    return {year: value for year, value in series.items() if year * 12 + 11 <= month}

