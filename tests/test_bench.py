"""The benchmark's figures are measured, printed and drawn; no test asserts a time."""

from __future__ import annotations

import numpy as np
import pytest

from sim import rng
from sim.model import kernel
from sim.model.dynamics import Dynamics
from sim.studies.bench import measure as bench
from sim.config.compose import compose, prepare
from sim.studies.bench.figure import bench_figure
from sim.model.state import initial_state


def test_the_engine_is_measured_against_both_floors():
    result = bench.measure(300, 1, ["model=reference", "run.end=2022-12"])
    for key in ("engine", "engine_without_calendar", "floor", "numpy_floor"):
        assert result[f"{key}_ns_per_step"] > 0
    assert result["engine_over_floor"] == pytest.approx(result["engine_ns_per_step"] / result["floor_ns_per_step"])
    assert result["months"] == 13


def test_the_floor_draws_the_same_numbers_as_a_month_of_the_engine():
    """draw_only leaves the block's generator where one monthly step of the engine leaves it."""
    spec, _, _ = prepare(compose(["model=reference", "run.end=2022-12"]))
    stepped, drawn = rng.stream(3, 0, "dynamics"), rng.stream(3, 0, "dynamics")
    dynamics = Dynamics(spec.model, initial_state(spec.model, 1000, spec.months), stepped)
    dynamics.step(1)
    kernel.draw_only(drawn, dynamics.noises, len(dynamics.rates.rows[0]), 1000)
    assert drawn.bit_generator.state == stepped.bit_generator.state


def test_the_figure_is_drawn_from_the_printed_numbers(tmp_path):
    engine = bench.measure(200, 1, ["model=reference", "run.end=2022-06"])
    runs = [{"trajectories": n, "months": 240, "summary_mode": n > 10**4, "ns_per_trajectory_month": 100.0 + i,
             "cpu_ns_per_trajectory_month": 90.0, "peak_mib": 300.0 + i} for i, n in enumerate((10**4, 10**5))]
    runs[1]["marginal_ns_per_trajectory_month"] = 95.0
    result = {"engine": engine, "months": [dict(engine, end="2022-06")], "trajectories": runs,
              "parallel": {"trajectories": 10**5, "cores": 2, "seconds_one": 2.0, "seconds_all": 1.1, "speedup": 1.8}}
    path = bench_figure(result, tmp_path / "bench.png")
    assert path.stat().st_size > 0 and np.isfinite(engine["engine_over_numpy_floor"])


def test_where_users_wait_is_printed_as_ratios():
    from sim.studies.bench import waits

    small = ["run.particles=100", "run.end=2025-12", "run.block_size=200"]
    api = waits.api(small, repeats=1)
    assert api["call_ms"] > 0 and api["overhead_ms"] == pytest.approx(api["call_ms"] - api["engine_ms"])
    reduction = waits.reduction(small, repeats=1)
    assert reduction["trajectories"] == 200 and reduction["reduce_over_simulate"] > 0
