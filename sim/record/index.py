"""The historical record in data/: validated loaders and the event-coded integration index.

The index follows event-data practice (a conflict–cooperation scale summed over dated
events): each event moves its track's logit by its direction times a weight for its coded
magnitude. Integration steps persist; a setback (direction −1) is partly permanent and
partly recovered with a half-life, as gas and trade wars ended in new deals. Between dated
events integration also moves gradually (agreements implemented, not announced): a linear
trend per track carries the path from its anchor at the start to its anchor at the end, so
events give the timing of ups and downs and the anchors give the levels. Magnitudes are a
coder's ordinal judgement, so the weights, the permanent share, the half-life and the end
anchors are drawn from ranges: the index is an ensemble of paths whose spread is the
history's own uncertainty.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from ..errors import RecordError

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
MAGNITUDES = ("small", "medium", "major")  # the coded magnitudes 1, 2, 3
_DATE = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")


@dataclass(frozen=True)
class Events:
    """The dated event list as parallel arrays (one entry per row)."""

    month: np.ndarray      # month index (months.parse)
    track: np.ndarray      # track names
    direction: np.ndarray  # +1 step, −1 setback, 0 neutral
    magnitude: np.ndarray  # 1 small, 2 medium, 3 major
    title: np.ndarray

    def __len__(self) -> int:
        return self.month.size

    def between(self, start: int, end: int) -> "Events":
        keep = (self.month >= start) & (self.month <= end)
        return Events(*(getattr(self, f)[keep] for f in ("month", "track", "direction", "magnitude", "title")))


def _month_of(text: str, where: str) -> int:
    match = _DATE.match(text.strip())
    if not match or not 1 <= int(match[2]) <= 12 or (match[3] and not 1 <= int(match[3]) <= 31):
        raise RecordError(f"{where}: date {text!r} must be YYYY-MM or YYYY-MM-DD")
    return int(match[1]) * 12 + int(match[2]) - 1


def _rows(path: Path, columns: tuple[str, ...]):
    if not path.exists():
        raise RecordError(f"{path}: no such data file")
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in columns if c not in (reader.fieldnames or [])]
        if missing:
            raise RecordError(f"{path}: missing column {missing[0]!r}; expected {', '.join(columns)}")
        for line, row in enumerate(reader, start=2):
            yield f"{path.name} row {line}", row


def load_events(path: Path = DATA_DIR / "events_1995_2021.csv",
                tracks: tuple[str, ...] = ("economic", "energy", "monetary", "political", "security")) -> Events:
    """The event list, every row checked: date, known track, direction −1/0/1, magnitude 1–3, title, source."""
    cols = {k: [] for k in ("month", "track", "direction", "magnitude", "title")}
    for where, row in _rows(Path(path), ("date", "track", "direction", "magnitude", "title", "source")):
        if row["track"] not in tracks:
            raise RecordError(f"{where}: track {row['track']!r} must be one of {', '.join(tracks)}")
        if row["direction"] not in ("-1", "0", "1"):
            raise RecordError(f"{where}: direction {row['direction']!r} must be -1, 0 or 1")
        if row["magnitude"] not in ("1", "2", "3"):
            raise RecordError(f"{where}: magnitude {row['magnitude']!r} must be 1, 2 or 3")
        for field in ("title", "source"):
            if not (row[field] or "").strip():
                raise RecordError(f"{where}: {field} is empty; every event needs one")
        cols["month"].append(_month_of(row["date"], where))
        cols["track"].append(row["track"])
        cols["direction"].append(int(row["direction"]))
        cols["magnitude"].append(int(row["magnitude"]))
        cols["title"].append(row["title"].strip())
    order = np.argsort(cols["month"], kind="stable")
    return Events(*(np.asarray(cols[k])[order] for k in ("month", "track", "direction", "magnitude", "title")))


def load_indicators(path: Path = DATA_DIR / "indicators_1992_2021.csv") -> dict[str, dict[int, float]]:
    """Yearly indicators as {indicator: {year: value}}, every row checked."""
    out: dict[str, dict[int, float]] = {}
    for where, row in _rows(Path(path), ("year", "indicator", "value", "unit", "source")):
        try:
            year, value = int(row["year"]), float(row["value"])
        except ValueError:
            raise RecordError(f"{where}: year {row['year']!r} and value {row['value']!r} must be numbers") from None
        if not 1900 <= year <= 2100 or not np.isfinite(value):
            raise RecordError(f"{where}: year {year} or value {value} out of range")
        if not row["indicator"].strip() or not row["source"].strip():
            raise RecordError(f"{where}: indicator and source must not be empty")
        out.setdefault(row["indicator"].strip(), {})[year] = value
    return out


def index_paths(events: Events, rule: SimpleNamespace, tracks: tuple[str, ...], start: int, months: int,
                draws: int, rng: np.random.Generator) -> np.ndarray:
    """(draws, months, tracks) levels of the event-coded index from month `start` on.

    rule (the validated `backtest.index` config): initial and final levels per track (arrays
    in track order), final_spread (± level around `final`), weights.small/medium/major (low, high) logit,
    permanent [low, high] share of a setback that stays, half_life_years [low, high] of the
    rest. Events dated at or before `start` are part of the initial levels.
    """
    t = np.arange(months)
    initial = np.ravel(rule.initial)
    y0 = np.log(initial / (1 - initial))
    weights = np.stack([rng.uniform(*getattr(rule.weights, m), size=draws) for m in MAGNITUDES], axis=1)
    permanent = rng.uniform(*rule.permanent, size=draws)
    half_life = rng.uniform(*rule.half_life_years, size=draws) * 12
    y = np.broadcast_to(y0, (draws, months, len(tracks))).copy()
    for month, track, direction, magnitude in zip(events.month, events.track, events.direction, events.magnitude):
        lag = t - (month - start)
        if direction == 0 or month <= start or track not in tracks or lag[-1] < 0:
            continue
        after = lag >= 0
        shape = np.ones((draws, months))
        if direction < 0:
            fade = 2.0 ** (-np.maximum(lag, 0)[None, :] / half_life[:, None])
            shape = permanent[:, None] + (1 - permanent[:, None]) * fade
        y[:, :, tracks.index(track)] += direction * weights[:, magnitude - 1, None] * shape * after
    spread = rng.uniform(-rule.final_spread, rule.final_spread, size=(draws, len(tracks)))
    final = np.clip(np.ravel(rule.final) + spread, 0.01, 0.99)
    gap = np.log(final / (1 - final)) - y[:, -1, :]
    y += gap[:, None, :] * (t / max(months - 1, 1))[None, :, None]
    return 1 / (1 + np.exp(-y))


def _nearest(series: dict[int, float], year: int, within: int = 1) -> float:
    """The value of a sparse yearly series at `year`, or at the nearest year within `within`."""
    for lag in sorted(range(-within, within + 1), key=abs):
        if year + lag in series:
            return series[year + lag]
    raise RecordError(f"no value within {within} year(s) of {year}; the series has {sorted(series)}")


def anchors(indicators: dict[str, dict[int, float]], year: int, territory_ratio: float,
            paid_price: float | None = None) -> dict[str, float]:
    """The model's driver anchors in a year, from the indicators.

    asymmetry: mean of (r − 1)/(r + 1) over the Russia/Belarus ratios of GDP, population and
    territory; subsidy: 1 − price Belarus pays / European reference price (per 1000 m³; `paid_price`
    where the series has no value); interdependence: mean of Russia's share of Belarus trade and
    the subsidy (and of Russia's share of investment inflows where the data have it within two years).
    """
    ratios = [_nearest(indicators["gdp_ratio_russia_to_belarus"], year, 0),
              _nearest(indicators["population_ratio_russia_to_belarus"], year, 0), territory_ratio]
    paid = indicators["gas_price_russia_to_belarus"].get(year, paid_price)
    if paid is None:
        raise RecordError(f"no gas price for Belarus in {year}; pass the price paid")
    subsidy = 1 - paid / _nearest(indicators["gas_price_europe_reference_imf_per_1000m3"], year, 0)
    parts = [_nearest(indicators["russia_share_belarus_total_trade"], year) / 100, subsidy]
    investment = indicators.get("russia_share_foreign_investment_inflows_belarus", {})
    if any(abs(y - year) <= 2 for y in investment):
        parts.append(_nearest(investment, year, 2) / 100)
    return {"asymmetry": float(np.mean([(r - 1) / (r + 1) for r in ratios])),
            "subsidy": float(subsidy), "trade_share": parts[0], "interdependence": float(np.mean(parts))}
