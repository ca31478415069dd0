"""The evaluation of rolling-origin forecasts against the record and against baselines that see the same data.

forecast: the form of a forecast (samples of the yearly observables); observed: the record as those
observables; baselines: climatology, persistence, drift and AR(1) forecasts fitted to the record before an
origin; scores: every forecaster scored at every observed point; skill: skill against the best baseline by
family and horizon, with a moving-block bootstrap over origins, and the split-sample comparison; calibration:
PIT, band coverage and interval scores; evaluate: all of it as tables and Markdown; figures: their figures.
"""

from .forecast import Forecast
from .observed import DIRECTIONS, Observed, observed

__all__ = ["DIRECTIONS", "Forecast", "Observed", "observed"]
