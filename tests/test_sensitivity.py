"""Sensitivity study: Sobol' on known indices, the filtered start, an inert parameter, bad ranges, PRIM, sweeps."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.config.compose import CONFIG_DIR, compose, settled
from sim.errors import ConfigError
from sim.errors import ResultsError
from sim.studies.sensitivity import config, ensemble, indices, prim
from sim.sensitivity import main as sensitivity_main
from sim.studies.sweep import summarize

STUDIES = sorted(p.stem for p in (CONFIG_DIR / "sensitivity").glob("*.yaml"))


def study_config(overrides: list[str], study: str = "default") -> dict:
    return settled(compose([f"+sensitivity={study}", *overrides]))


@pytest.mark.parametrize("study", STUDIES)
def test_every_study_config_composes_and_validates(study):
    _, settings, space = config.load(study_config([], study))
    assert len(space.names) >= 2 and settings.replications >= 2


def test_default_study_has_the_promised_size():
    _, settings, space = config.load(study_config([]))
    assert len(space.names) >= 12 and settings.base_samples >= 512 and settings.replications >= 64


def test_default_study_varies_the_model_on_the_record_from_the_filtered_start():
    spec, _, space = config.load(study_config(["run.particles=500"]))
    assert spec.config["model"]["record"] and "model.events.step.effect" in [p.key for p in space.parameters]
    start = ensemble.starts(spec, 3, 4)
    assert start is not None and start.transitioned.size == 4
    first = ensemble.origin_of(start, 6, 5)  # trajectories 6 … 10: replications 2, 3, 0, 1, 2
    np.testing.assert_array_equal(first.y, start.y[:, [2, 3, 0, 1, 2]])


def test_sobol_pipeline_recovers_the_ishigami_indices():
    """Ishigami (a=7, b=0.1) on [−π, π]³: S1 = (0.3139, 0.4424, 0), ST = (0.5576, 0.4424, 0.2437)."""
    space = config.Space(tuple(config.Parameter(f"x{i}", f"model.x{i}", "uniform", -np.pi, np.pi) for i in range(3)))
    unit = indices.sobol_design(space.problem(), 4096, seed=7)
    x = space.values(unit)
    y = np.sin(x[..., 0]) + 7 * np.sin(x[..., 1]) ** 2 + 0.1 * x[..., 2] ** 4 * np.sin(x[..., 0])
    s = indices.sobol_indices(space.problem(), y, bootstrap=200, confidence=0.95, seed=7)
    np.testing.assert_array_less(np.abs(s["S1"] - [0.3139, 0.4424, 0.0]), s["S1_conf"] + 0.01)
    np.testing.assert_array_less(np.abs(s["ST"] - [0.5576, 0.4424, 0.2437]), s["ST_conf"] + 0.01)
    assert np.all(s["S1_conf"] < 0.1)


def inert_study(crn: bool) -> dict:
    """A model variant where H never moves (H0 = H∞), so its timescale is inert; a short window from
    the filtered start."""
    cfg = study_config(["run.end=2026-12", "run.workers=1", "run.particles=1000", "model.history.long_run=0.85",
                        "sensitivity.milestone=unified_command"])  # within reach in three years
    cfg["sensitivity"]["parameters"] = {
        "steps": {"key": "model.events.step.rate", "scale": True, "low": 0.5, "high": 2.0},
        "setback_effect": {"key": "model.events.setback.effect", "low": 0.05, "high": 0.3},
        "timescale": {"key": "model.history.timescale_years", "low": 10.0, "high": 80.0},
    }
    spec, settings, space = config.load(cfg)
    unit = indices.sobol_design(space.problem(), 64, seed=3)
    sims = ensemble.evaluate(spec, space, unit, 8, 3, settings.milestone, common_random_numbers=crn,
                             start=ensemble.starts(spec, 3, 8))
    return {out: indices.sobol_indices(space.problem(), ensemble.point_stats(sims[out]).mean, 100, 0.95, 3)
            for out in ensemble.OUTPUTS}


def test_inert_parameter_has_total_index_zero_within_its_interval():
    study = inert_study(crn=True)
    for out, s in study.items():
        assert abs(s["ST"][2]) <= s["ST_conf"][2] + 1e-12, out
        assert s["ST"][2] == 0.0, out  # common random numbers and starts: AB_3 repeats A's futures exactly
    s = study["delta_composite"]
    assert np.all(s["ST"][:2] > s["ST_conf"][:2])  # the active parameters are found


@pytest.mark.slow
def test_a_design_gives_identical_outcomes_on_one_worker_two_workers_and_a_dask_cluster():
    """The study's blocks run on the run's executor (executors.map_in_order), back in design order."""
    outcomes = []
    for executor in (["run.workers=1"], ["run.workers=2"], ["run.executor=dask", "run.workers=2"]):
        spec, settings, space = config.load(study_config(["run.end=2024-12", "run.block_size=64", "run.particles=500",
                                                          *executor]))
        unit = indices.sobol_design(space.problem(), 16, seed=3)
        outcomes.append(ensemble.evaluate(spec, space, unit, 8, 3, settings.milestone,
                                          start=ensemble.starts(spec, 3, 8)))
    for other in outcomes[1:]:
        assert other.keys() == outcomes[0].keys()
        for name, values in outcomes[0].items():
            assert values.tobytes() == other[name].tobytes(), name


def test_without_common_random_numbers_noise_leaks_into_the_inert_index():
    s = inert_study(crn=False)["p_progress"]
    assert s["ST"][2] > 0.0


@pytest.mark.parametrize("override, message", [
    ("sensitivity.parameters.instability.low=0.9", "sensitivity.parameters.instability.low = 0.9: must be below high"),
    ("sensitivity.parameters.climate_pressure.dist=gaussian", "unknown distribution; allowed: uniform, loguniform"),
    ("sensitivity.parameters.instability.key=model.instability.average", "no such parameter in the model"),
    ("sensitivity.parameters.erosion.low=-0.01", "outside the model's range: model.commitment.erosion"),
    ("sensitivity.parameters.instability.low=0", "must be > 0 for a loguniform distribution"),
    ("sensitivity.base_samples=4", "sensitivity.base_samples = 4: must be an integer >= 8"),
    ("model=calibrated", "the study draws its own values: use a model with one value per parameter"),
])
def test_bad_ranges_get_one_line_before_any_work(override, message, tmp_path):
    out = tmp_path / "study"
    with pytest.raises(ConfigError) as err:
        sensitivity_main([override, "--out", str(out)])
    assert message in str(err.value) and "\n" not in str(err.value)
    assert not out.exists()


def test_agreement_counts_intervals():
    a = {"S1": np.array([0.5, 0.2]), "S1_conf": np.array([0.05, 0.05])}
    b = {"S1": np.array([0.56, 0.35]), "S1_conf": np.array([0.05, 0.05])}
    assert indices.agreement(a, b) == {"indices": 2, "overlap": 1, "difference": 1, "max_gap": pytest.approx(0.15)}


def test_prim_finds_a_known_box():
    g = np.random.default_rng(11)
    x = g.random((4000, 3))
    inside = (x[:, 0] > 0.6) & (x[:, 1] < 0.3)
    y = np.where(inside, g.random(4000) < 0.9, g.random(4000) < 0.05).astype(float)
    bounds = np.array([[0.0, 1.0]] * 3)
    trajectory, box = prim.discover(x, y, bounds, alpha=0.05, min_mass=0.05, min_coverage=0.5)
    assert box.restricted(bounds) == [0, 1]
    assert 0.55 <= box.low[0] <= 0.7 and box.high[0] == 1.0
    assert box.low[1] == 0.0 and 0.24 <= box.high[1] <= 0.34
    assert box.density > 0.85 and box.coverage > 0.5
    assert trajectory[0].coverage == 1.0 and trajectory[-1].mass >= 0.05


SWEPT = ["model.asymmetry=0.8,0.9", "model.instability.mean=0.3,0.6", "run.seed=1"]


def fake_sweep(folder: Path, finished: list[int]) -> None:
    """A sweep folder as python -m sim --multirun leaves it: multirun.yaml, and per job its Hydra
    record and, when finished, summary.json."""
    folder.mkdir(exist_ok=True)
    (folder / "multirun.yaml").write_text("hydra:\n  overrides:\n    task:\n" + "".join(f"    - {o}\n" for o in SWEPT))
    for num, (a, s) in enumerate([(0.8, 0.3), (0.8, 0.6), (0.9, 0.3), (0.9, 0.6)]):
        job = folder / f"{num}_job"
        (job / ".hydra").mkdir(parents=True)
        (job / ".hydra" / "overrides.yaml").write_text(
            "".join(f"- {o}\n" for o in [f"model.asymmetry={a}", f"model.instability.mean={s}", "run.seed=1"]))
        (job / ".hydra" / "hydra.yaml").write_text(f"hydra:\n  sweep:\n    dir: {folder}\n  job:\n    num: {num}\n")
        if num in finished:
            p = 0.7 - a / 2 + s / 4
            summary = {"verdict": {"holds": p >= 0.6, "p_progress": p, "p_progress_se": 0.01,
                                   "p_setback_given_progress": 0.9, "thresholds": {"p_progress": 0.6}},
                       "classes": {"stagnation": 1 - p}, "milestones": {"deep_union": {"p_by_end": 0.1}}}
            (job / "summary.json").write_text(json.dumps(summary))


def test_sweep_summary_tables_jobs_and_draws_the_verdict_over_two_parameters(tmp_path):
    fake_sweep(tmp_path, finished=[0, 1, 2, 3])
    stranger = tmp_path / "0_an_unrelated_run"  # a run folder that is not one of this sweep's jobs
    (stranger / ".hydra").mkdir(parents=True)
    (stranger / ".hydra" / "overrides.yaml").write_text("- run.seed=9\n")
    (stranger / "summary.json").write_text("{}")
    grid = pd.read_csv(summarize(tmp_path))
    assert len(grid) == 4 and set(grid["model.asymmetry"]) == {0.8, 0.9}
    assert grid["p_progress"].tolist() == pytest.approx([0.375, 0.45, 0.325, 0.4])
    assert (tmp_path / "sweep.png").stat().st_size > 10_000


def test_an_incomplete_sweep_names_its_missing_jobs_fails_and_does_not_look_finished(tmp_path):
    fake_sweep(tmp_path, finished=[0, 2])
    with pytest.raises(ResultsError, match=r"2 of 4 jobs did not finish \(job 1, 3: no summary.json\)"):
        summarize(tmp_path)
    assert not (tmp_path / "sweep.csv").exists() and not (tmp_path / "sweep.png").exists()


def test_sweep_summary_refuses_a_folder_that_is_not_a_sweep_and_writes_nothing(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    (tmp_path / "3_someone_elses" / ".hydra").mkdir(parents=True)
    with pytest.raises(ResultsError, match="not a sweep folder"):
        summarize(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["3_someone_elses", "notes.txt"]


def _multirun(tmp_path: Path, seeds: str, *extra: str) -> Path:
    sweep = tmp_path / "sweep"
    cmd = [sys.executable, "-m", "sim", "--multirun", "model=reference", f"run.seed={seeds}", "run.trajectories=200", "run.end=2023-12",
           "--out", str(sweep), *extra]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return sweep


@pytest.mark.slow
def test_multirun_on_joblib_writes_jobs_and_a_summary(tmp_path):
    sweep = _multirun(tmp_path, "1,2")
    assert "joblib" in (sweep / "multirun.yaml").read_text()
    grid = pd.read_csv(sweep / "sweep.csv")
    assert sorted(grid["run.seed"]) == [1, 2] and grid["p_progress"].between(0, 1).all()
    assert len(list(sweep.glob("*/summary.json"))) == 2 and (sweep / "sweep.png").exists()


@pytest.mark.slow
def test_multirun_on_submitit_local_executor(tmp_path):
    sweep = _multirun(tmp_path, "1", "hydra/launcher=submitit_local")
    assert (sweep / ".submitit").is_dir()
    assert pd.read_csv(sweep / "sweep.csv")["run.seed"].tolist() == [1]


def test_slurm_launcher_config_composes_for_the_cluster():
    from hydra import compose as hydra_compose, initialize_config_dir

    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base=None):
        cfg = hydra_compose(config_name="config", overrides=["hydra/launcher=slurm", "run.workers=4"],
                            return_hydra_config=True)
    assert cfg.hydra.launcher._target_.endswith("SlurmLauncher") and cfg.hydra.launcher.cpus_per_task == 4
