"""The dated events of the record (data/events_1992_2023.csv) as parallel arrays.

Every row is checked against the columns and coding rules of data/README.md, so that models
scored against the events count what the record says and nothing else.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, fields, replace
from pathlib import Path

import numpy as np

from sim import months
from sim.errors import RecordError
from sim.record.table import DATA_DIR, bad, rows

TRACKS = ("economic", "energy", "monetary", "political", "security")
TYPES = ("treaty", "council", "programme", "agreement", "dispute", "supply_cut", "trade_ban", "loan",
         "exercise", "basing", "election", "crisis", "sanctions", "detente", "transition", "deadline", "other")
NEUTRAL_TYPES = ("sanctions", "detente")  # exogenous to the bilateral relationship: always direction 0
EVENTS_FILE = DATA_DIR / "events_1992_2023.csv"
COLUMNS = ("date", "tracks", "direction", "magnitude", "type", "title", "source")
_DATE = re.compile(r"(\d{4}-\d{2})(?:-(\d{2}))?")


@dataclass(frozen=True, eq=False)
class Events:
    """The event list as parallel arrays, one entry per row, in date order."""

    month: np.ndarray             # month index (sim.months)
    day: np.ndarray               # day of the month, 0 where the source gives only the month
    tracks: np.ndarray            # bool (rows, tracks): the tracks each row names
    track_names: tuple[str, ...]  # the columns of `tracks`
    direction: np.ndarray         # +1 integration step, −1 setback, 0 neutral
    magnitude: np.ndarray         # 1–3 by the rule of data/README.md
    type: np.ndarray              # one of TYPES
    title: np.ndarray
    source: np.ndarray

    def __len__(self) -> int:
        return self.month.size

    def between(self, first_month: int, last_month: int) -> Events:
        """The rows dated in months first_month..last_month, both included."""
        return self._take((self.month >= first_month) & (self.month <= last_month))

    def on(self, track: str) -> np.ndarray:
        """Bool mask of the rows that name `track`."""
        if track not in self.track_names:
            raise RecordError(f"track {track!r}: must be one of {', '.join(self.track_names)}")
        return self.tracks[:, self.track_names.index(track)]

    @property
    def last_month(self) -> int:
        """The month of the latest row."""
        return int(self.month.max())

    def yearly_counts(self, first_year: int, last_year: int, direction: int | None = None,
                      types: tuple[str, ...] | None = None) -> np.ndarray:
        """(years, tracks) counts of the rows dated first_year..last_year, a row once per track it names.

        Only rows of the given direction and of the given types count when these are given.
        """
        types = (types,) if isinstance(types, str) else types
        unknown = sorted(set(types or ()) - set(TYPES))
        if unknown:
            raise RecordError(f"type {unknown[0]!r}: must be one of {', '.join(TYPES)}")
        year = self.month // 12
        keep = (year >= first_year) & (year <= last_year)
        if direction is not None:
            keep &= self.direction == direction
        if types is not None:
            keep &= np.isin(self.type, list(types))
        counts = np.zeros((last_year - first_year + 1, len(self.track_names)), dtype=int)
        np.add.at(counts, year[keep] - first_year, self.tracks[keep])
        return counts

    def _take(self, keep: np.ndarray) -> Events:
        """The rows where `keep` is true (or at the indices in `keep`)."""
        arrays = (f.name for f in fields(self) if f.name != "track_names")
        return replace(self, **{name: getattr(self, name)[keep] for name in arrays})


def load_events(path: Path = EVENTS_FILE, tracks: tuple[str, ...] = TRACKS) -> Events:
    """The event list of a file like data/events_1992_2023.csv, every row checked, sorted by date (stable)."""
    names = tuple(tracks)
    cols: dict[str, list] = {f.name: [] for f in fields(Events) if f.name != "track_names"}
    for where, row in rows(path, COLUMNS):
        month, day = _date(where, row["date"])
        named = _tracks(where, row["tracks"], names)
        direction = _integer(where, "direction", row["direction"], (-1, 0, 1))
        magnitude = _integer(where, "magnitude", row["magnitude"], (1, 2, 3))
        if row["type"] not in TYPES:
            raise bad(where, "type", row["type"], f"must be one of {', '.join(TYPES)}")
        for field in ("title", "source"):
            if not row[field]:
                raise bad(where, field, row[field], "must not be empty")
        if row["type"] in NEUTRAL_TYPES and direction != 0:
            raise bad(where, "direction", row["direction"], f"must be 0 for a {row['type']} row (data/README.md: "
                      "sanctions and détente are exogenous to the bilateral relationship)")
        values = (month, day, named, direction, magnitude, row["type"], row["title"], row["source"])
        for column, value in zip(cols.values(), values):
            column.append(value)
    events = Events(month=np.array(cols["month"], dtype=int), day=np.array(cols["day"], dtype=int),
                    tracks=np.array(cols["tracks"], dtype=bool).reshape(-1, len(names)), track_names=names,
                    direction=np.array(cols["direction"], dtype=int), magnitude=np.array(cols["magnitude"], dtype=int),
                    type=np.array(cols["type"], dtype=str), title=np.array(cols["title"], dtype=str),
                    source=np.array(cols["source"], dtype=str))
    return events._take(np.argsort(events.month * 32 + events.day, kind="stable"))


def _date(where: str, text: str) -> tuple[int, int]:
    """(month index, day) of 'YYYY-MM-DD', or (month index, 0) of 'YYYY-MM'."""
    match = _DATE.fullmatch(text)
    try:
        month = months.parse(match[1]) if match else None
        if match and match[2]:
            datetime.date(month // 12, month % 12 + 1, int(match[2]))
    except ValueError:
        month = None
    if month is None:
        raise bad(where, "date", text, "must be YYYY-MM or YYYY-MM-DD, a real month and day")
    return month, int(match[2] or 0)


def _tracks(where: str, text: str, names: tuple[str, ...]) -> list[bool]:
    """Which of `names` the ';'-separated text names; each must be known and named once."""
    named = [track.strip() for track in text.split(";")]
    for i, track in enumerate(named):
        if track not in names:
            raise bad(where, "tracks", text, f"{track!r} is not one of {', '.join(names)} "
                      "(name one or more, separated by ';')")
        if track in named[:i]:
            raise bad(where, "tracks", text, f"{track!r} is named twice")
    return [name in named for name in names]


def _integer(where: str, field: str, text: str, allowed: tuple[int, ...]) -> int:
    """The whole number in `text`, which must be one of `allowed`."""
    value = int(text) if re.fullmatch(r"[+-]?\d+", text) else None
    if value not in allowed:
        raise bad(where, field, text, f"must be {', '.join(map(str, allowed[:-1]))} or {allowed[-1]}")
    return value
