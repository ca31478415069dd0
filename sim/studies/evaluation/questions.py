"""Yes/no questions asked at every origin of every year forecast, as a forecaster is scored: "is a step (a
setback) on track k recorded in year y?" and "does year y record more setbacks than steps (an uneven year, the
record's own measure)?". Each is answered from the count forecasts, so the model and the climatology of counts
answer the same questions; scored by Brier and log scores, with a reliability diagram over all of them."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...analysis.scores import brier, log_score, reliability
from ...report.tables import table
from .forecast import Forecast
from .observed import DIRECTIONS, Observed

BASELINE = "climatology"
BINS = 10


def answers(counts: np.ndarray) -> dict[tuple[str, int], np.ndarray]:
    """Yes/no of every question (its kind and track, −1 for all tracks), (..., samples), from counts
    (..., 2, tracks, samples): a step and a setback on each track, and an uneven year."""
    out = {(direction[:-1], k): counts[..., d, k, :] >= 1
           for d, direction in enumerate(DIRECTIONS) for k in range(counts.shape[-2])}
    total = counts.sum(axis=-2)
    out["uneven", -1] = total[..., 1, :] > total[..., 0, :]
    return out


def asked(forecasts: list[Forecast], baselines: list[dict[str, Forecast]], observed: Observed) -> pd.DataFrame:
    """One row per origin, forecast year on record and question: the model's and the climatology's P(yes) and
    the outcome."""
    rows = []
    for forecast, made in zip(forecasts, baselines):
        mine = [i for i, y in enumerate(forecast.years) if y in observed.years]
        if not mine:
            continue
        years = [forecast.years[i] for i in mine]
        truth = answers(observed.counts[[observed.years.index(y) for y in years], ..., None])
        model = answers(forecast.counts[mine])
        base = answers(made[BASELINE].counts[mine])
        for (question, track), outcome in truth.items():
            rows += [{"origin": forecast.origin, "year": y, "horizon": y - forecast.origin + 1,
                      "question": question, "track": track, "model": float(model[question, track][i].mean()),
                      BASELINE: float(base[question, track][i].mean()),
                      "outcome": bool(outcome[i, 0])} for i, y in enumerate(years)]
    return pd.DataFrame(rows)


def scored(questions: pd.DataFrame, samples: int) -> pd.DataFrame:
    """Brier and log scores of the model and the climatology per kind of question and over all, and the Brier
    skill score 1 − Brier(model) / Brier(climatology)."""
    rows = []
    for kind, chosen in [*questions.groupby("question", sort=False), ("all", questions)]:
        brier_model, brier_base = (brier(chosen[c], chosen["outcome"]) for c in ("model", BASELINE))
        rows.append({"question": kind, "points": len(chosen), "yes": float(chosen["outcome"].mean()),
                     "brier_model": brier_model, f"brier_{BASELINE}": brier_base,
                     "brier_skill": 1 - brier_model / brier_base,
                     "log_model": log_score(chosen["model"], chosen["outcome"], samples),
                     f"log_{BASELINE}": log_score(chosen[BASELINE], chosen["outcome"], samples)})
    return pd.DataFrame(rows)


def bins(questions: pd.DataFrame) -> list[tuple[float, float, int]]:
    """The reliability diagram's points: mean forecast, share resolved yes and count per tenth of probability."""
    return reliability(questions["model"].to_numpy(), questions["outcome"].to_numpy(), BINS)


def markdown(table_of_scores: pd.DataFrame) -> str:
    """The questions' scores in Markdown with what they mean."""
    rows = [[r.question, r.points, f"{r.yes:.0%}", f"{r.brier_model:.3f}", f"{getattr(r, f'brier_{BASELINE}'):.3f}",
             f"{r.brier_skill:+.2f}", f"{r.log_model:.3f}", f"{getattr(r, f'log_{BASELINE}'):.3f}"]
            for r in table_of_scores.itertuples()]
    return "\n".join([
        "## Forecast questions at every origin", "",
        "Every year forecast from every origin asks, of the record: is a step (setback) recorded on each track, and "
        "are more setbacks than steps recorded (an uneven year)? P(yes) is the share of the forecast's samples "
        f"answering yes; the {BASELINE} of counts answers from the same record before the origin. Brier score "
        "(lower is better), Brier skill 1 − model / climatology, and mean log probability of what happened "
        "(higher is better); the reliability diagram is figures/reliability.png.", "",
        table(["question", "points", "resolved yes", "Brier model", f"Brier {BASELINE}", "Brier skill",
               "log model", f"log {BASELINE}"], rows), ""])
