"""The rolling-origin backtest: one calibration walks the record to its end, keeping its posterior of
parameters and state at the end of each year before an origin; each origin's forecast runs from there
and is scored on the years that followed, against baselines fitted to the record before the origin
(sim/studies/evaluation). A split-sample check scores one forecast made at `split` on every later year."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any


from ... import files, months, rng
from ...config.validate import section
from ...errors import ConfigError
from ...inference import observation, smc2
from ...record import derived
from ...run.progress import Bar
from .. import evaluation
from ..calibration.study import Study, load as load_calibration
from ..evaluation import figures
from ..evaluation.observed import last_full_year
from .forecasts import forecast, origin_month

MARKER = "backtest.json"


def load(overrides: list[str]) -> tuple[Study, Any]:
    """The calibration the backtest runs (to the record's end) and the backtest's settings, checked before any work."""
    study = load_calibration([*overrides, "calibration.until=null"], ("backtest",))
    settings = section(study.spec.config, "backtest", study.spec.tracks)
    last = last_full_year(study.record)
    if not study.spec.model.record.start // 12 + 3 <= settings.first_origin <= settings.last_origin <= last:
        raise ConfigError("backtest.first_origin", settings.first_origin,
                          f"origins must run from at least three years after the record's start to its last year ({last})")
    if not settings.first_origin <= settings.split <= last:
        raise ConfigError("backtest.split", settings.split, f"must lie between the first origin and {last}")
    return study, settings


def run(study: Study, settings, out: Path) -> dict[str, Any]:
    """Calibrate once, forecast from every origin, score; write the tables, figures and backtest.json (last)."""
    out.mkdir(parents=True, exist_ok=True)
    (out / MARKER).unlink(missing_ok=True)
    began = time.perf_counter()
    model, end, last = study.spec.model, study.until, last_full_year(study.record)
    origins = list(range(settings.first_origin, settings.last_origin + 1))
    kept = sorted({origin_month(y) for y in [*origins, settings.split]})
    obs = observation.observe(study.record, model, end)
    sampler = smc2.Sampler(study.spec.config, study.prior, obs,
                           smc2.Settings(**{**vars(study.settings), "samples": settings.samples}), study.seed,
                           Bar("calibrating along the record"))
    with study.pool() as mapper:
        posterior = sampler.run(kept, mapper)
    asymmetry = derived.asymmetry(study.record.indicators, model.record.territory_ratio)
    made = {}
    for y in sorted({*origins, settings.split}):
        years = list(range(y, last + 1 if y == settings.split else min(y + settings.horizon, last + 1)))
        made[y] = forecast(study.spec.config, study.prior, posterior.snapshots[origin_month(y)], asymmetry, y, years,
                           study.seed)
    observed = evaluation.observed(study.record, model, model.record.start // 12, last)
    generator = rng.stream(study.seed, 0, "backtest-evaluation")
    rolling = [made[y] if y != settings.split else _cut(made[y], settings.horizon) for y in origins]
    result = evaluation.evaluate(rolling, observed, settings.samples, generator)
    result.write(out)
    split = evaluation.split_sample(made[settings.split], observed, settings.samples, generator)
    files.write_text(out / "split_sample.csv", split.to_csv(index=False))
    figures.draw(result, out / "figures")
    summary = {
        "seed": study.seed, "origins": [origins[0], origins[-1]], "horizon": settings.horizon,
        "split": settings.split, "samples": settings.samples, "record_until": months.text(end),
        "calibration": {"sets": study.settings.sets, "particles": study.settings.particles,
                        "trajectories": sampler.trajectories, "trajectory_months": sampler.trajectory_months,
                        "log_evidence": posterior.snapshots[kept[-1]].evidence},
        "seconds": round(time.perf_counter() - began, 1),
        "skill": result.skill.to_dict(orient="records"), "calibration_checks": result.calibration.to_dict(orient="records"),
    }
    files.write_text(out / MARKER, json.dumps(summary, indent=1, default=float) + "\n")
    return summary


def _cut(made: evaluation.Forecast, horizon: int) -> evaluation.Forecast:
    """A forecast cut to its first `horizon` years."""
    return evaluation.Forecast(made.origin, made.years[:horizon], made.counts[:horizon],
                               {name: values[:horizon] for name, values in made.indicators.items()})
