"""A run's forecast questions scored against the record once their answer is known.

Brier score, log score and the Brier skill score against climatology (analysis/resolution.py: the
base rate of each question's event in the record before the run's start), over the questions
the run answers and the record resolves; and the reliability of the forecasts by probability bin.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np

from .. import files, months
from ..analysis import resolution, scores
from ..analysis.ensemble import Ensemble
from ..record.events import Events
from ..report.reliability import reliability_figure
from ..results.questions import Question

FIELDS = ("id", "resolves", "p", "outcome", "climatology", "brier", "brier_climatology", "log_score")


def score(ens: Ensemble, asked: tuple[Question, ...], events: Events, known_until: int) -> tuple[list[dict], dict]:
    """(a row per scored question, the totals and the questions left out with why)."""
    rows, left_out = [], {}
    start = months.parse(ens.ds.attrs["start"])
    for q in asked:
        yes = ens.answer(q)
        why = yes if isinstance(yes, str) else resolution.resolvable(q, events, known_until)
        if why is not None:
            left_out[q.id] = why
            continue
        p, hit = yes / ens.n, resolution.outcome(q, events)
        clim = resolution.climatology(q, events, start)
        rows.append({"id": q.id, "resolves": months.text(q.resolves), "p": p, "outcome": int(hit),
                     "climatology": clim, "brier": (p - hit) ** 2,
                     "brier_climatology": None if clim is None else (clim - hit) ** 2,
                     "log_score": scores.log_score([p], [hit], ens.n)})
    return rows, {**totals(rows, ens.n), "not_scored": left_out}


def totals(rows: list[dict], futures: int) -> dict:
    """Mean Brier and log scores, and the Brier skill score over the questions with a climatology."""
    if not rows:
        return {"questions": 0}
    p, y = np.array([r["p"] for r in rows]), np.array([r["outcome"] for r in rows])
    with_clim = [r for r in rows if r["climatology"] is not None]
    model = np.mean([r["brier"] for r in with_clim]) if with_clim else None
    clim = np.mean([r["brier_climatology"] for r in with_clim]) if with_clim else None
    return {"questions": len(rows), "brier": scores.brier(p, y), "log_score": scores.log_score(p, y, futures),
            "brier_climatology": None if clim is None else float(clim),
            "brier_skill": None if not clim else float(1 - model / clim),
            "with_climatology": len(with_clim), "reliability": scores.reliability(p, y)}


def write(rows: list[dict], summary: dict, out_dir: Path, title: str) -> None:
    """scores.csv, reliability.png and scores.json (last: it marks a finished scoring)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with files.atomic(out_dir / "scores.csv") as tmp, tmp.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    if rows:
        reliability_figure(summary["reliability"], title, out_dir / "reliability.png")
    files.write_text(out_dir / "scores.json", json.dumps({"scores": rows, **summary}, indent=2) + "\n")
