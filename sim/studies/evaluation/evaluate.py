"""The whole evaluation of the model's rolling-origin forecasts: baselines made at each origin, every point
scored, skill by family and horizon, calibration, yes/no questions, and the results as tables (CSV) and Markdown."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ...files import write_text
from ...report.tables import table
from . import baselines, questions, scores
from .calibration import calibration
from .forecast import Forecast
from .observed import Observed
from .skill import BLOCK, REPLICATES, compare


@dataclass(frozen=True)
class Evaluation:
    """The scored points (points.csv), the skill table (skill.csv), the calibration table (calibration.csv), the
    length of the bootstrap's blocks of origins, and the questions asked at every origin (questions.csv) with
    their scores (question_scores.csv)."""

    points: pd.DataFrame
    skill: pd.DataFrame
    calibration: pd.DataFrame
    block: int
    questions: pd.DataFrame
    question_scores: pd.DataFrame

    def markdown(self) -> str:
        """Both tables in Markdown, with what their columns mean."""
        skill = [[r.family, r.score, r.horizon, r.points, f"{r.model:.3f}", f"{r.best_baseline} {r.baseline:.3f}",
                  f"{r.skill:+.2f}", f"{r.low:+.2f} to {r.high:+.2f}"] for r in self.skill.itertuples()]
        calibrated = [[r.family, r.horizon, r.points, f"{r.pit_p:.3f}", f"{r.pit_robust_p:.3f}",
                       *(f"{getattr(r, c):.0%} ({getattr(r, c + '_low'):.0%}–{getattr(r, c + '_high'):.0%})"
                         for c in ("cover50", "cover90")),
                       f"{r.interval90_model:.3f}", f"{r.interval90_baseline} {r.interval90_best:.3f}"]
                      for r in self.calibration.itertuples()]
        return "\n".join([
            "## Skill against the best baseline", "",
            f"Mean scores over origins (lower is better); skill = 1 − model / best baseline, the best chosen per "
            f"family, score and horizon; 95 % interval from a circular block bootstrap over origins (blocks of "
            f"{self.block}).",
            "", table(["family", "score", "horizon", "points", "model", "best baseline", "skill", "95 % interval"],
                      skill), "",
            "## Calibration", "",
            "PIT uniformity: the Kolmogorov–Smirnov p-value (it counts dependent points as independent, so it runs "
            "too small) and the p-value of the PIT's mean and spread robust to that dependence (calibration.py); "
            "coverage of the central 50 % and 90 % bands with 95 % binomial bounds; the 90 % band's interval "
            "score.", "",
            table(["family", "horizon", "points", "PIT p (KS)", "PIT p (robust)", "50 % band", "90 % band",
                   "interval score",
                   "best baseline's"], calibrated), "", questions.markdown(self.question_scores)])

    def write(self, folder: Path) -> None:
        """points.csv, skill.csv, calibration.csv, questions.csv, question_scores.csv and evaluation.md in
        `folder`."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        write_text(folder / "points.csv", self.points.to_csv(index=False, float_format="%.6g"))
        write_text(folder / "skill.csv", self.skill.to_csv(index=False))
        write_text(folder / "calibration.csv", self.calibration.to_csv(index=False))
        write_text(folder / "questions.csv", self.questions.to_csv(index=False))
        write_text(folder / "question_scores.csv", self.question_scores.to_csv(index=False))
        write_text(folder / "evaluation.md", self.markdown())


def evaluate(forecasts: list[Forecast], observed: Observed, baselines_samples: int, generator: np.random.Generator,
             block: int = BLOCK, replicates: int = REPLICATES) -> Evaluation:
    """The model's forecasts (one per origin) scored against the record and against the baselines made at the
    same origins for the same years with `baselines_samples` samples each; `generator` draws the baselines, the
    randomised PIT and the bootstrap."""
    made = [baselines.forecasts(observed, f.origin, f.years, baselines_samples, generator) for f in forecasts]
    scored = scores.points(forecasts, made, observed, generator)
    asked = questions.asked(forecasts, made, observed)
    return Evaluation(scored, compare(scored, "horizon", generator, block, replicates), calibration(scored), block,
                      asked, questions.scored(asked, forecasts[0].counts.shape[-1]))
