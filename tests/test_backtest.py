"""The rolling-origin backtest: a forecast made at an origin reads nothing of the record from that origin
on, and the command writes its tables, figures and marker."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from sim import backtest, months
from sim.inference import observation, smc2
from sim.record import derived
from sim.record.derived import Record
from sim.studies.backtest.forecasts import forecast, origin_month
from sim.studies.calibration import study

QUICK = ["calibration.sets=12", "calibration.particles=16", "calibration.moves=1", "calibration.max_particles=0",
         "calibration.workers=1"]


def test_a_forecast_reads_nothing_from_its_origin_on():
    """Forecasts for 1998–1999 made on the record to 1997-12 and on a record whose later events are all
    dropped and whose later indicators are all changed are the same, draw for draw."""
    calibration = study.load([*QUICK, "calibration.until=1999-12"])
    origin, at = 1998, origin_month(1998)
    real = calibration.record
    kept = real.until(at)
    changed = dataclasses.replace(real.indicators, value=np.where(real.indicators.year >= origin,
                                                                  real.indicators.value * 1.3, real.indicators.value))
    altered = Record(kept.events, changed)  # nothing after the origin's December but changed indicators after it
    made = []
    for record in (real, altered):
        obs = observation.observe(record, calibration.spec.model, months.parse("1999-12"))
        posterior = smc2.Sampler(calibration.spec.config, calibration.prior, obs, calibration.settings,
                                 3).run([at])
        asymmetry = derived.asymmetry(record.indicators, calibration.spec.model.record.territory_ratio)
        made.append(forecast(calibration.spec.config, calibration.prior, posterior.snapshots[at], asymmetry,
                             origin, [1998, 1999], 3))
    assert np.array_equal(made[0].counts, made[1].counts)
    for name, values in made[0].indicators.items():
        assert np.array_equal(values, made[1].indicators[name])


@pytest.mark.slow
def test_the_backtest_writes_its_tables_and_figures_and_its_marker_last(tmp_path):
    out = tmp_path / "bt"
    backtest.main([*QUICK, "backtest.first_origin=2019", "backtest.last_origin=2022", "backtest.split=2021",
                   "backtest.samples=50", "--out", str(out)])
    summary = json.loads((out / "backtest.json").read_text())
    assert summary["origins"] == [2019, 2022]
    for name in ("skill.csv", "calibration.csv", "evaluation.md", "split_sample.csv", "figures/skill.png",
                 "figures/pit.png", "figures/coverage.png"):
        assert (out / name).stat().st_size > 0
    assert (out / "backtest.json").stat().st_mtime >= max(p.stat().st_mtime for p in out.rglob("*.csv"))
