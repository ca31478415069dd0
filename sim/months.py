"""Months as integers (year·12 + month − 1), so they order and subtract; and back to text and dates."""

from __future__ import annotations

import re

import numpy as np

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse(text: str) -> int:
    """'YYYY-MM' → month index; ValueError when it is not a month."""
    match = _MONTH.match(text) if isinstance(text, str) else None
    if not match or not 1 <= int(match[2]) <= 12:
        raise ValueError(f"{text!r} is not a month YYYY-MM")
    return int(match[1]) * 12 + int(match[2]) - 1


def text(index: int) -> str:
    """Month index → 'YYYY-MM'."""
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def dates(start: int, count: int) -> np.ndarray:
    """First days of `count` consecutive months from month index `start`, as datetime64[ns]."""
    return (np.datetime64(text(start), "M") + np.arange(count)).astype("datetime64[ns]")


def of_date(date) -> str:
    """'YYYY-MM' of a datetime64 (or anything numpy reads as a date)."""
    return str(np.datetime64(date, "M"))


def index_of_date(date) -> int:
    """Month index of a datetime64."""
    return parse(of_date(date))
