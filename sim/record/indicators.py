"""The yearly indicators of the record (data/indicators_1992_2023.csv), long format, as arrays.

Every row is checked, and each value carries its kind (observed, or derived, estimated or
inferred as its row says), so that a model can weigh a computed value less than a reported one.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sim.errors import RecordError
from sim.record.table import DATA_DIR, bad, rows

INDICATORS_FILE = DATA_DIR / "indicators_1992_2023.csv"
COLUMNS = ("year", "indicator", "value", "unit", "source")
KINDS = ("observed", "derived", "estimate", "inference")  # from the most to the least direct
_MARK = re.compile(r"\b(DERIVED|ESTIMATE|INFERENCE)\b")


@dataclass(frozen=True, eq=False)
class Indicators:
    """The long table as parallel arrays, one entry per row, in file order."""

    year: np.ndarray
    name: np.ndarray    # the indicator
    value: np.ndarray
    unit: np.ndarray
    source: np.ndarray
    kind: np.ndarray    # one of KINDS

    def names(self) -> tuple[str, ...]:
        """The indicators, sorted."""
        return tuple(sorted(set(self.name.tolist())))

    def series(self, name: str) -> dict[int, float]:
        """{year: value} of one indicator, by year; an indicator with several values in a year has no series."""
        mine = self.name == name
        if not mine.any():
            raise RecordError(f"indicator {name!r} is not in the record; known: {', '.join(self.names())}")
        years, counts = np.unique(self.year[mine], return_counts=True)
        if (counts > 1).any():
            raise RecordError(f"indicator {name!r} has several values in {', '.join(map(str, years[counts > 1]))}; "
                              "read its rows from the arrays")
        return {int(y): float(v) for y, v in sorted(zip(self.year[mine], self.value[mine]))}

    @property
    def last_year(self) -> int:
        """The latest year of any value."""
        return int(self.year.max())


def load_indicators(path: Path = INDICATORS_FILE) -> Indicators:
    """The table of a file like data/indicators_1992_2023.csv, every row checked.

    One value per year and indicator is not required: sub-period prices share a year.
    """
    cols: dict[str, list] = {name: [] for name in ("year", "name", "value", "unit", "source", "kind")}
    for where, row in rows(path, COLUMNS):
        if not re.fullmatch(r"\d{4}", row["year"]) or not 1900 <= int(row["year"]) <= 2100:
            raise bad(where, "year", row["year"], "must be a whole year 1900–2100")
        try:
            value = float(row["value"])
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            raise bad(where, "value", row["value"], "must be a finite number")
        for field in ("indicator", "unit", "source"):
            if not row[field]:
                raise bad(where, field, row[field], "must not be empty")
        kind = _kind(row["unit"], row["source"])
        values = (int(row["year"]), row["indicator"], value, row["unit"], row["source"], kind)
        for column, item in zip(cols.values(), values):
            column.append(item)
    return Indicators(year=np.array(cols["year"], dtype=int), name=np.array(cols["name"], dtype=str),
                      value=np.array(cols["value"], dtype=float), unit=np.array(cols["unit"], dtype=str),
                      source=np.array(cols["source"], dtype=str), kind=np.array(cols["kind"], dtype=str))


def _kind(unit: str, source: str) -> str:
    """The weakest of the marks DERIVED, ESTIMATE, INFERENCE in unit or source, in lower case; else 'observed'."""
    return max((mark.lower() for mark in _MARK.findall(f"{unit} {source}")), key=KINDS.index, default="observed")
