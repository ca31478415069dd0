"""The backtest: the model from the Union State treaty (1999-12) to 2021-11, scored
against the event-coded historical index and against naive forecasts that saw only 1995–1999.

Scores, per track and for the composite, at every twelfth month and the last: CRPS (lower is
better), coverage of the ensemble's 50 % and 90 % bands by the index, and Brier scores of
"at least one event of a kind in a five-year period" for disputes and programmes.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from ... import rng
from ...analysis import scores
from ...config.compose import compose, prepare
from ...config.validate import RunSpec, section
from ...errors import ConfigError
from ...record import index as historical
from ...results import io, measures
from ...run import ensemble
from .figure import backtest_figure

PERIOD_YEARS = 5
# The record's rows that correspond to the model's event counts: (track set, direction, least magnitude).
RECORD_EVENTS = {
    "dispute": ({"energy", "economic"}, -1, 2),
    "programme": ({"economic", "political"}, 1, 2),
}


def scoring_months(months: int) -> np.ndarray:
    """Every twelfth month after the start, and the last."""
    return np.unique(np.append(np.arange(12, months, 12), months - 1))


def with_composite(levels: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Append the composite as a last series to (..., tracks) levels."""
    return np.concatenate([levels, measures.composite(levels, weights)[..., None]], axis=-1)


def naive_forecasts(events: historical.Events, spec: RunSpec, index: SimpleNamespace, members: int,
                    generator: np.random.Generator) -> dict[str, np.ndarray]:
    """(members, months, tracks) paths of three forecasts that know only the record before the start.

    no_change: the start levels. linear_trend: the logit slope of the event-coded moves of
    1995 to the start (magnitude weights at their mid-range). random_walk: a driftless logit
    walk whose monthly variance is that of the same moves, pooled over tracks.
    """
    tracks, months, start = spec.tracks, spec.months, spec.run.start
    first = int(events.month.min())
    before = events.between(first, start - 1)
    mid = {i + 1: float(np.mean(getattr(index.weights, m))) for i, m in enumerate(historical.MAGNITUDES)}
    moves = np.zeros(len(tracks))
    squares = 0.0
    for track, direction, magnitude in zip(before.track, before.direction, before.magnitude):
        moves[tracks.index(track)] += direction * mid[magnitude]
        squares += (direction * mid[magnitude]) ** 2
    span = start - first
    y0 = np.log(np.ravel(index.initial) / (1 - np.ravel(index.initial)))
    t = np.arange(months)[:, None]
    sd = np.sqrt(squares / (span * len(tracks)))
    walk = y0 + np.cumsum(np.concatenate(
        [np.zeros((members, 1, len(tracks))), generator.normal(0, sd, (members, months - 1, len(tracks)))], axis=1), axis=1)
    expit = lambda y: 1 / (1 + np.exp(-y))  # noqa: E731
    return {
        "no_change": np.broadcast_to(expit(y0), (1, months, len(tracks))),
        "linear_trend": expit(y0 + moves / span * t)[None],
        "random_walk": expit(walk),
    }


def record_counts(events: historical.Events, kind: str, periods: list[tuple[int, int]]) -> np.ndarray:
    tracks, direction, least = RECORD_EVENTS[kind]
    hit = np.isin(events.track, list(tracks)) & (events.direction == direction) & (events.magnitude >= least)
    return np.array([np.sum(hit & (events.month >= a) & (events.month <= b)) for a, b in periods])


def event_scores(ds, events: historical.Events, spec: RunSpec) -> list[dict]:
    """Brier scores of P(≥ 1 event in a period), the model's from its expected count (Poisson)."""
    start, end = spec.run.start, spec.run.end
    periods = [(a, min(a + 12 * PERIOD_YEARS - 1, end)) for a in range(start + 1, end + 1, 12 * PERIOD_YEARS)]
    rows = []
    for kind in RECORD_EVENTS:
        observed = record_counts(events, kind, periods) > 0
        per_month = ds["event_month"].sel(event=kind).values / ds.sizes["trajectory"]
        expected = np.array([per_month[a - start:b - start + 1].sum() for a, b in periods])
        before = record_counts(events, kind, [(int(events.month.min()), start)])[0]
        rate = before / ((start - int(events.month.min())) / 12)  # per year, 1995 to the start
        climatology = 1 - np.exp(-rate * np.array([(b - a + 1) / 12 for a, b in periods]))
        rows.append({"series": kind, "metric": "brier", "model": scores.brier(1 - np.exp(-expected), observed),
                     "climatology": scores.brier(climatology, observed),
                     "expected_per_period": expected.round(2).tolist(),
                     "observed_per_period": record_counts(events, kind, periods).tolist()})
    return rows


def score(ds, index_paths: np.ndarray, naive: dict[str, np.ndarray], spec: RunSpec) -> list[dict]:
    """CRPS and coverage per series (tracks, composite) of the model and the naive forecasts."""
    weights = np.ravel(spec.model.weights)
    at = scoring_months(spec.months)
    observed = np.median(with_composite(index_paths, weights), axis=0)[at]            # (points, series)
    model = with_composite(ds["level"].values.astype(float), weights)[:, at]          # (members, points, series)
    forecasts = {"model": model} | {name: with_composite(p, weights)[:, at] for name, p in naive.items()}
    rows = []
    for s, name in enumerate([*spec.tracks, "composite"]):
        rows.append({"series": name, "metric": "crps",
                     **{f: float(scores.crps_ensemble(e[:, :, s], observed[:, s]).mean()) for f, e in forecasts.items()}})
        for level in (0.5, 0.9):
            rows.append({"series": name, "metric": f"coverage_{int(level * 100)}",
                         **{f: scores.coverage(e[:, :, s], observed[:, s], level) for f, e in forecasts.items()}})
    for level in (0.5, 0.9):
        rows.append({"series": "all", "metric": f"coverage_{int(level * 100)}",
                     "model": scores.coverage(model, observed, level)})
    return rows


def run(overrides: list[str], out_dir: Path) -> list[dict]:
    """Run the backtest and write results.nc, index.npz, scores.csv, backtest.json and the figure."""
    cfg = compose(["experiment=backtest", *overrides])
    spec, seed, config_yaml = prepare(cfg)
    settings = section(spec.config, "backtest", spec.tracks)
    if settings.seed is None:
        raise ConfigError("backtest.seed", None, "must be an integer >= 0 so the index is reproducible")
    events = historical.load_events(tracks=spec.tracks)
    index_stream = rng.stream(settings.seed, 0, "historical-index")
    paths = historical.index_paths(events, settings.index, spec.tracks, spec.run.start, spec.months,
                                   settings.draws, index_stream)
    naive = naive_forecasts(events, spec, settings.index, 1000, rng.stream(settings.seed, 0, "random-walk"))
    ds = ensemble.simulate(spec, seed, config_yaml)
    rows = score(ds, paths, naive, spec) + event_scores(ds, events, spec)

    out_dir.mkdir(parents=True, exist_ok=True)
    io.save(ds, out_dir / "results.nc")
    np.savez_compressed(out_dir / "index.npz", levels=paths.astype(np.float32), tracks=np.array(spec.tracks))
    with (out_dir / "scores.csv").open("w", newline="") as handle:
        fields = ["series", "metric", "model", "no_change", "linear_trend", "random_walk", "climatology"]
        writer = csv.DictWriter(handle, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    backtest_figure(ds, paths, events, spec, out_dir / "figures" / "backtest.png")
    (out_dir / "backtest.json").write_text(json.dumps({"seed": seed, "scores": rows}, indent=2) + "\n")
    return rows


def table(rows: list[dict]) -> str:
    """The scores as aligned text (the numbers of scores.csv)."""
    cols = ["model", "no_change", "linear_trend", "random_walk", "climatology"]
    lines = [f"{'series':<11}{'metric':<13}" + "".join(f"{c:>14}" for c in cols)]
    for r in rows:
        cells = "".join(f"{r[c]:>14.4f}" if isinstance(r.get(c), float) else f"{'':>14}" for c in cols)
        lines.append(f"{r['series']:<11}{r['metric']:<13}{cells}")
    return "\n".join(lines)
