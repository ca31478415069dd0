"""outlook.csv: a run's key numbers in one long table that any spreadsheet reads (no xarray needed).

One row per number: `section` (band, milestone, class, question, verdict), `name` (a series,
milestone, class, question or verdict measure), `date` (YYYY-MM), `statistic` and `value`, with its
Monte Carlo standard error `se` where it is a probability.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from .. import files, months
from ..analysis.ensemble import share_of
from ..analysis.outlook import Run
from ..results.measures import CLASSES

COLUMNS = ("section", "name", "date", "statistic", "value", "se")
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def rows(run: Run) -> list[tuple]:
    """The table's rows: monthly bands and milestone curves, class shares by date, question and verdict probabilities."""
    ens, s = run.ensemble, run.summary
    dates = [months.of_date(t) for t in ens.times]
    out = []
    for series in ens.series:
        band = ens.band(series, QUANTILES)
        out += [("band", series, d, f"p{round(q * 100):02d}", float(band[i, t]), "")
                for t, d in enumerate(dates) for i, q in enumerate(QUANTILES)]
    for name, curve in zip(s["milestones"], ens.milestone_curves()):
        out += [("milestone", name, d, "p_reached_by", float(p), share_of(round(p * ens.n), ens.n)[1])
                for d, p in zip(dates, curve)]
    for date, shares in s["classes_by_date"].items():
        out += [("class", c, date, "share", shares[c], share_of(round(shares[c] * ens.n), ens.n)[1]) for c in CLASSES]
    out += [("question", qid, q["resolves"], "p_yes", q["p"], q["p_se"]) for qid, q in s.get("questions", {}).items()]
    v = s["verdict"]
    out += [("verdict", "p_progress", s["end"], "probability", v["p_progress"], v["p_progress_se"]),
            ("verdict", "p_setback_given_progress", s["end"], "probability", v["p_setback_given_progress"],
             v["p_setback_given_progress_se"])]
    return out


def write_csv(run: Run, path: Path) -> Path:
    """Write the run's outlook.csv atomically."""
    with files.atomic(path) as tmp, tmp.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        writer.writerows((*row[:4], _number(row[4]), _number(row[5])) for row in rows(run))
    return Path(path)


def _number(x) -> str:
    return "" if x == "" or x is None or not np.isfinite(x) else f"{x:.6g}"
