"""The evaluation of rolling-origin forecasts against the record and against baselines that see the same data.

forecast: the form of a forecast (samples of the yearly observables by year); observed: the record as those
observables; baselines: climatology and persistence of the counts, persistence, drift and AR(1) of the
indicators, fitted to the record before an origin; scores: every forecaster scored at every observed point;
skill: skill against the best baseline by family and horizon with a circular block bootstrap over origins, and
the split-sample comparison; calibration: PIT, band coverage and interval scores; questions: yes/no questions
asked at every origin, Brier-scored; evaluate: all of it as tables and Markdown; figures: their figures.
"""

from __future__ import annotations

from .evaluate import Evaluation, evaluate
from .forecast import Forecast
from .observed import DIRECTIONS, Observed, observed
from .skill import split_sample

__all__ = ["DIRECTIONS", "Evaluation", "Forecast", "Observed", "evaluate", "observed", "split_sample"]
