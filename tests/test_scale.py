"""Scale: executors and worker counts give the same bytes, block summaries merge exactly in any
order and agree with the run that keeps every path (resuming an interrupted run: test_resume.py)."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr
from helpers import same_bytes

from sim.analysis import outlook
from sim.results import counts as summary
from sim.run import executors
from sim.config.compose import compose, prepare
from sim.run.ensemble import simulate as simulate_spec
from sim.errors import ConfigError

SMALL = ["model=reference", "run.trajectories=600", "run.block_size=100", "run.end=2026-12"]


def simulate(overrides: list[str]) -> xr.Dataset:
    spec, seed, config_yaml = prepare(compose(overrides))
    return simulate_spec(spec, seed, config_yaml)


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["run.summary=false", "run.summary=true"])
def test_one_worker_two_threads_two_processes_and_a_dask_cluster_give_identical_results(mode):
    one = simulate([*SMALL, mode, "run.workers=1"])
    same_bytes(one, simulate([*SMALL, mode, "run.workers=2"]))  # threads, the default executor
    same_bytes(one, simulate([*SMALL, mode, "run.executor=local", "run.workers=2"]))
    same_bytes(one, simulate([*SMALL, mode, "run.executor=dask", "run.workers=2"]))


def test_block_summaries_merge_in_any_order_to_identical_bytes():
    spec, seed, _ = prepare(compose([*SMALL, "run.summary=true", "run.block_size=50"]))
    parts = [executors.work(job) for job in executors.jobs(spec, seed, None)]
    reference = summary.collect(parts)
    rng = np.random.default_rng(7)
    for _ in range(3):
        shuffled = [parts[i] for i in rng.permutation(len(parts))]
        halves = summary.merge([summary.collect(shuffled[::2]), summary.collect(shuffled[1::2])])
        for merged in (summary.collect(shuffled), halves):
            assert merged.keys() == reference.keys()
            for key in reference:
                assert merged[key].tobytes() == reference[key].tobytes(), key
    assert reference["trajectories"] == 600 and reference["hist"][0, 0].sum() == 600


def test_a_summary_run_agrees_with_the_run_that_keeps_every_path():
    """Counts are exact; quantiles from the histograms lie within a bin of the paths' own."""
    full = simulate(["model=reference", "run.trajectories=1000", "run.block_size=250", "run.end=2031-12"])
    counts = simulate(["model=reference", "run.trajectories=1000", "run.block_size=250", "run.end=2031-12", "run.summary=true"])
    a, b = outlook.summarize(full), outlook.summarize(counts)
    assert a["classes"] == b["classes"] and a["milestones"] == b["milestones"]
    assert a["verdict"]["robustness"] == b["verdict"]["robustness"]
    assert a["classes_by_date"] == b["classes_by_date"] and a["unequal"]["leads"] == b["unequal"]["leads"]
    for key in ("setbacks", "reversals", "decline_years"):
        assert a["uneven"][key] == pytest.approx(b["uneven"][key], rel=1e-9)
    for event, x in a["events"].items():
        assert x["mean"] == pytest.approx(b["events"][event]["mean"])
        assert x["by_class"] == pytest.approx(b["events"][event]["by_class"])
    median = np.quantile(full["composite"].values, 0.5, axis=0)
    assert np.abs(counts["band"].sel(quantile=0.5, series="composite").values - median).max() < 2 / summary.BINS
    assert np.abs(counts["mean"].sel(series="composite").values - full["composite"].values.astype(float).mean(axis=0)).max() < 1e-6
    sampled = counts["sample"].values
    assert np.array_equal(counts["sample_level"].values, full["level"].values[sampled])


def test_summary_mode_is_chosen_above_its_threshold_and_bad_executors_are_refused():
    spec, _, _ = prepare(compose(["run.trajectories=600", "run.summary_above=500"]))
    assert summary.chosen(spec.run)
    assert not summary.chosen(prepare(compose(["run.trajectories=600", "run.summary=false",
                                               "run.summary_above=500"]))[0].run)
    with pytest.raises(ConfigError, match="run.executor = 'spark': must be threads, local or dask"):
        prepare(compose(["run.executor=spark"]))


def test_modules_imported_beside_the_blocks_are_loaded_when_the_body_ends_and_a_failure_is_silent(
        tmp_path, monkeypatch):
    import sys

    from sim.run.ensemble import importing_beside

    (tmp_path / "slow_module_for_test.py").write_text("import time\ntime.sleep(0.3)\nVALUE = 1\n")
    (tmp_path / "broken_module_for_test.py").write_text("raise RuntimeError('broken')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with importing_beside("broken_module_for_test", "slow_module_for_test"):
        pass  # the body ends before the import does: leaving waits for it
    assert sys.modules["slow_module_for_test"].VALUE == 1
    assert "broken_module_for_test" not in sys.modules
