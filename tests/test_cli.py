"""`python -m sim` end to end, in a real process (slow: spawns the interpreter)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

import sim


def _run(tmp_path, name: str, *overrides: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sim", "run.trajectories=600", "run.block_size=200",
         "--out", str(tmp_path / name), *overrides],
        cwd=tmp_path, capture_output=True, text=True, timeout=300, check=True)


@pytest.mark.slow
def test_run_folder_holds_results_summary_and_figure_and_workers_do_not_matter(tmp_path):
    one = _run(tmp_path, "one", "run.workers=1")
    _run(tmp_path, "two", "run.workers=2")
    lines = one.stdout.strip().splitlines()
    assert lines[0].startswith("Thesis 'uneven but progressive'") and "P(progress)" in lines[0]
    assert lines[1].startswith("Most likely:")

    summary = json.loads((tmp_path / "one" / "summary.json").read_text())
    assert set(summary) >= {"verdict", "classes", "milestones", "seed", "trajectories", "start", "end", "scenario"}
    assert set(summary["verdict"]) >= {"holds", "p_progress", "p_progress_se", "p_setback_given_progress",
                                       "p_setback_given_progress_se", "thresholds"}
    assert abs(sum(summary["classes"].values()) - 1) < 1e-9
    for milestone in summary["milestones"].values():
        assert set(milestone) >= {"track", "threshold", "p_by_end", "median_date"}
    assert (tmp_path / "one" / "figures" / "fan_chart.png").stat().st_size > 10_000

    ds_one, ds_two = sim.load(tmp_path / "one"), sim.load(tmp_path / "two")
    assert summary == json.loads((tmp_path / "two" / "summary.json").read_text())
    np.testing.assert_array_equal(ds_one.level.values, ds_two.level.values)
    assert (ds_one.sizes["trajectory"], ds_one.sizes["time"], ds_one.sizes["track"]) == (600, 241, 5)
    assert str(ds_one.time.values[0])[:7] == "2023-12" and str(ds_one.time.values[-1])[:7] == "2043-12"
    assert ds_one.attrs["record_until"] == "2023-12" and ds_one["record_band"].sizes["record_time"] == 360
    assert ds_one.attrs["seed"] == "20211104" and ds_one.attrs["scenario"] == "baseline"
    assert "trajectories: 600" in ds_one.attrs["config"]


@pytest.mark.slow
def test_another_seed_gives_other_numbers(tmp_path):
    first = _run(tmp_path, "a", "run.end=2025-12")
    _run(tmp_path, "b", "run.end=2025-12", "run.seed=1")
    a = json.loads((tmp_path / "a" / "summary.json").read_text())
    b = json.loads((tmp_path / "b" / "summary.json").read_text())
    assert "Warning" not in first.stderr
    assert all(np.isfinite(row[name]["rho"]) for row in a["deciding_parameters"]
               for name in ("p_progress", "p_setback_given_progress"))
    assert a["seed"] != b["seed"]
    assert (tmp_path / "a" / "outlook.csv").read_text() != (tmp_path / "b" / "outlook.csv").read_text()  # the bands' quantiles
