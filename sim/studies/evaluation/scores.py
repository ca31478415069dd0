"""Every forecast scored at every observed point: the ranked probability score (RPS) and the log score of the
counts, the CRPS of the indicators, the interval score of the 90 % band for both, and the model's PIT.

The table has one row per point (origin, year, observable), the model's PIT, and a column per score and
forecaster ("rps:model", "rps:climatology", …). A point enters only where the record measures it and every
forecaster of its family could forecast it (a baseline needs a little record to be fitted), so all scores of
a family are over the same points. Lower scores are better.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scoringrules as sr

from .. import checks
from .forecast import Forecast
from .observed import DIRECTIONS, Observed

LEVEL = 0.90  # the band whose interval score is reported
SCORES = {"counts": ("rps", "log"), "indicator": ("crps",)}  # the scores of skill; all get "interval90" too


def crps(observed: np.ndarray, samples: np.ndarray) -> np.ndarray:
    """(points,) CRPS of the samples (points, n) against the observations, with the empirical law of the samples
    (a point mass at the observation scores 0). For integer samples it is the RPS over all count categories, as
    both distribution functions are steps on the integers."""
    return sr.crps_ensemble(observed.astype(float), samples.astype(float), estimator="qd", backend="numpy")


def log_score(observed: np.ndarray, samples: np.ndarray) -> np.ndarray:
    """(points,) −log of the share of samples (points, n) equal to the observed count, floored at 0.5/n so that a
    count no sample reached scores finitely. Written here: scoringrules' ensemble log score is a kernel density."""
    share = (samples == observed[:, None]).mean(axis=1)
    return -np.log(np.maximum(share, 0.5 / samples.shape[1]))


def interval_score(observed: np.ndarray, samples: np.ndarray, level: float = LEVEL) -> np.ndarray:
    """(points,) interval score of the samples' central `level` band (Gneiting & Raftery 2007): its width plus
    2/(1 − level) times the distance by which the observation falls outside it."""
    low, high = np.quantile(samples, [(1 - level) / 2, (1 + level) / 2], axis=1)
    return sr.interval_score(observed.astype(float), low, high, 1 - level, backend="numpy")


SCORE_OF = {"rps": crps, "crps": crps, "log": log_score, "interval90": interval_score}


def points(forecasts: list[Forecast], baselines: list[dict[str, Forecast]], observed: Observed,
           generator: np.random.Generator) -> pd.DataFrame:
    """The scores of the model's forecasts and of the baselines made at the same origins, point by point;
    `generator` randomises the PIT of the counts."""
    frames = []
    for forecast, made in zip(forecasts, baselines):
        frames.append(count_points(forecast, made, observed, generator))
        frames += [indicator_points(name, forecast, made, observed) for name in forecast.indicators]
    return pd.concat([f for f in frames if len(f)], ignore_index=True)


def count_points(forecast: Forecast, baselines: dict[str, Forecast], observed: Observed,
                 generator: np.random.Generator) -> pd.DataFrame:
    """One row per forecast year on record, direction and track."""
    mine = [i for i, y in enumerate(forecast.years) if y in observed.years]
    theirs = [observed.years.index(forecast.years[i]) for i in mine]
    year, direction, track = (a.ravel() for a in np.meshgrid(np.asarray(forecast.years, int)[mine], range(2),
                                                             range(observed.counts.shape[2]), indexing="ij"))
    frame = pd.DataFrame({"family": "counts", "direction": np.asarray(DIRECTIONS)[direction], "track": track,
                          "year": year})
    truth = observed.counts[theirs].reshape(-1)
    samples = {"model": forecast.counts[mine]} | {n: b.counts[mine] for n, b in baselines.items() if b.counts.shape[-1]}
    samples = {n: s.reshape(truth.size, s.shape[-1]) for n, s in samples.items()}
    return scored(frame, forecast.origin, truth, checks.pit_counts(truth, samples["model"], generator), samples,
                  SCORES["counts"])


def indicator_points(name: str, forecast: Forecast, baselines: dict[str, Forecast], observed: Observed) -> pd.DataFrame:
    """One row per forecast year in which the record measures the indicator."""
    series = observed.indicators.get(name, {})
    mine = [i for i, y in enumerate(forecast.years) if y in series]
    frame = pd.DataFrame({"family": name, "direction": None, "track": -1, "year": [forecast.years[i] for i in mine]})
    truth = np.array([series[forecast.years[i]] for i in mine], dtype=float)
    samples = {"model": forecast.indicators[name][mine]} | {
        n: b.indicators[name][mine] for n, b in baselines.items() if name in b.indicators}
    return scored(frame, forecast.origin, truth, checks.pit_values(truth, samples["model"]), samples,
                  SCORES["indicator"])


def scored(frame: pd.DataFrame, origin: int, truth: np.ndarray, pit: np.ndarray, samples: dict[str, np.ndarray],
           names: tuple[str, ...]) -> pd.DataFrame:
    """The points' table: where, when, the observation, the model's PIT and every forecaster's scores; points
    some forecaster could not forecast (NaN samples) are left out."""
    frame = frame.assign(origin=origin, horizon=frame["year"] - origin + 1, observed=truth, pit=pit)
    for forecaster, s in samples.items():
        for name in (*names, "interval90"):
            frame[f"{name}:{forecaster}"] = SCORE_OF[name](truth, s)
    complete = np.all([np.isfinite(s).all(axis=1) for s in samples.values()], axis=0)
    return frame[complete].reset_index(drop=True)


def families(points: pd.DataFrame):
    """(family, its points, the scores of its skill): all counts, the counts of each direction, each indicator."""
    counts = points[points["family"] == "counts"]
    for family, chosen in [("counts", counts), *((d, counts[counts["direction"] == d]) for d in DIRECTIONS)]:
        if len(chosen):
            yield family, chosen, SCORES["counts"]
    for name in points["family"].unique():
        if name != "counts":
            yield name, points[points["family"] == name], SCORES["indicator"]


def baselines_of(points: pd.DataFrame, score: str) -> list[str]:
    """The baselines with this score on every one of the points."""
    return [c.split(":")[1] for c in points.columns
            if c.startswith(f"{score}:") and c != f"{score}:model" and points[c].notna().all()]
