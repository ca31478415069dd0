"""Where the record's files live and how they are read: row by row, each fault one line naming file, row and field."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from sim.errors import RecordError

DATA_DIR = Path(__file__).resolve().parents[2] / "data"


def rows(path: Path, columns: tuple[str, ...]) -> Iterator[tuple[str, dict[str, str]]]:
    """(where, row) for each row of a CSV file whose header holds `columns`; values are stripped.

    `where` is 'NAME row N', the header being row 1; blank rows are skipped but counted.
    """
    path = Path(path)
    if not path.is_file():
        raise RecordError(f"{path}: no such data file")
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        header = [name.strip() for name in next(reader, [])]
        missing = [c for c in columns if c not in header]
        if missing:
            raise RecordError(f"{path.name} row 1: column {missing[0]!r} is missing; "
                              f"the header must name {', '.join(columns)}")
        for number, values in enumerate(reader, start=2):
            if not values:
                continue
            where = f"{path.name} row {number}"
            if len(values) != len(header):
                raise bad(where, "fields", len(values), f"must be {len(header)}, one per column "
                          "(quote a value that holds a comma)")
            yield where, dict(zip(header, (value.strip() for value in values)))


def bad(where: str, field: str, value, allowed: str) -> RecordError:
    """The error for a value not allowed: 'WHERE: FIELD = VALUE: ALLOWED'."""
    return RecordError(f"{where}: {field} = {value!r}: {allowed}")
