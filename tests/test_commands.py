"""One convention for every command: a --help that says what it does and where it writes, one line
and exit 2 for what it does not take, and nothing a user made is replaced without being asked."""

from __future__ import annotations

import hashlib
import json

import pytest
from helpers import MAINS, TINY_RUN, call, snapshot

from sim import calibrate
from sim.config.compose import CONFIG_DIR

TINY_STUDY = ["sensitivity.base_samples=8", "sensitivity.replications=2", "sensitivity.morris.trajectories=2",
              "sensitivity.bootstrap=10", "run.workers=1", "run.block_size=256", "run.particles=500"]


@pytest.mark.parametrize("prog", list(MAINS))
def test_every_command_has_a_help_that_says_what_it_does_and_writes(prog, capsys, monkeypatch, tmp_path):
    code, out, err = call(prog, ["--help"], capsys, monkeypatch, tmp_path)
    assert code == 0 and not err
    assert "python -m " + prog.replace("sim.", "sim.") in out
    assert "writes" in out.lower() and "example" in out.lower()
    if prog not in ("sim.sweep", "sim.docs"):
        assert "--out" in out
    assert not any(tmp_path.iterdir())


def test_the_main_help_leads_with_the_tool_and_its_scenarios(capsys, monkeypatch, tmp_path):
    out = call("sim", ["--help"], capsys, monkeypatch, tmp_path)[1]
    head = out.split("Options:")[0]
    assert "uneven but progressive" in head
    for path in (CONFIG_DIR / "scenario").glob("*.yaml"):
        assert f"  {path.stem} " in head
    assert len(out.splitlines()) < 60


UNUSED = {
    "sim": ["sensitivity.base_samples=8"],
    "sim.plot": ["RUN", "run.seed=1"],
    "sim.sweep": ["SWEEP", "run.seed=1"],
    "sim.sensitivity": ["calibration.points=4"],
    "sim.backtest": ["sensitivity.base_samples=8"],
    "sim.calibrate": ["sensitivity.base_samples=8"],
    "sim.bench": ["calibration.points=4"],
    "sim.docs": ["run.seed=1"],
    "sim.check": ["sensitivity.base_samples=8"],
    "sim.questions": ["FILE", "RUN", "run.seed=1"],
}


@pytest.mark.parametrize("prog", list(MAINS))
def test_every_command_refuses_what_it_does_not_use_in_one_line(prog, capsys, monkeypatch, tmp_path):
    (tmp_path / "RUN").mkdir()
    (tmp_path / "SWEEP").mkdir()
    code, out, err = call(prog, UNUSED[prog], capsys, monkeypatch, tmp_path)
    assert code == 2 and err.count("\n") == 1 and err.startswith(f"{prog}: error: "), err
    assert "run.seed=1" in err or "not used by" in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["RUN", "SWEEP"]


def test_hydra_settings_and_a_launcher_without_a_sweep_are_refused(capsys, monkeypatch, tmp_path):
    code, _, err = call("sim", [*TINY_RUN, f"hydra.run.dir={tmp_path / 'x'}"], capsys, monkeypatch, tmp_path)
    assert code == 2 and "names its output folder with --out DIR" in err
    code, _, err = call("sim", [*TINY_RUN, "hydra/launcher=slurm"], capsys, monkeypatch, tmp_path)
    assert code == 2 and "add --multirun" in err
    assert not any(tmp_path.iterdir())


def test_a_second_run_into_a_finished_runs_folder_changes_nothing(capsys, monkeypatch, tmp_path):
    assert call("sim", [*TINY_RUN, "--out", "run"], capsys, monkeypatch, tmp_path)[0] == 0
    before = snapshot(tmp_path / "run")
    for again in (["run.seed=5"], ["run.resume=true"]):  # another run, or the same one resumed
        code, _, err = call("sim", [*TINY_RUN, *again, "--out", "run"], capsys, monkeypatch, tmp_path)
        assert code == 2 and "holds a finished run (summary.json)" in err and "--force" in err
        assert snapshot(tmp_path / "run") == before
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("a user's file")
    code, _, err = call("sim", [*TINY_RUN, "--out", "mine"], capsys, monkeypatch, tmp_path)
    assert code == 2 and "is not empty and holds no run" in err
    assert snapshot(tmp_path / "mine") == {"notes.txt": hashlib.sha256(b"a user's file").hexdigest()}


def test_runs_without_a_folder_get_new_folders_that_do_not_collide(capsys, monkeypatch, tmp_path):
    for _ in range(2):
        assert call("sim", TINY_RUN, capsys, monkeypatch, tmp_path)[0] == 0
    folders = sorted((tmp_path / "outputs" / "run" / "baseline").iterdir())
    assert len(folders) == 2 and all((f / "summary.json").exists() for f in folders)


def test_a_second_sensitivity_study_with_the_same_name_and_seed_changes_nothing(capsys, monkeypatch, tmp_path):
    assert call("sim.sensitivity", TINY_STUDY, capsys, monkeypatch, tmp_path)[0] == 0
    (first,) = (tmp_path / "outputs" / "sensitivity" / "default").iterdir()
    before = snapshot(first)
    assert call("sim.sensitivity", TINY_STUDY, capsys, monkeypatch, tmp_path)[0] == 0
    assert len(list((tmp_path / "outputs" / "sensitivity" / "default").iterdir())) == 2
    assert snapshot(first) == before
    code, _, err = call("sim.sensitivity", [*TINY_STUDY, "--out", str(first)], capsys, monkeypatch, tmp_path)
    assert code == 2 and "holds a finished sensitivity" in err and snapshot(first) == before


def test_a_sweep_pointed_at_a_folder_with_other_content_changes_nothing(capsys, monkeypatch, tmp_path):
    shared = tmp_path / "scratch"
    (shared / "someone" / ".hydra").mkdir(parents=True)
    (shared / "someone" / ".hydra" / "overrides.yaml").write_text("- run.seed=3\n")
    (shared / "someone" / "summary.json").write_text(json.dumps({"verdict": {"p_progress": 0.5}}))
    before = snapshot(shared)
    code, _, err = call("sim.sweep", [str(shared)], capsys, monkeypatch, tmp_path)
    assert code == 2 and "not a sweep folder" in err
    code, _, err = call("sim", ["--multirun", *TINY_RUN, "run.seed=1,2", "--out", str(shared)],
                        capsys, monkeypatch, tmp_path)
    assert code == 2 and "is not empty and holds no sweep" in err
    assert snapshot(shared) == before


def test_calibration_writes_only_its_folder_and_install_is_a_separate_step(capsys, monkeypatch, tmp_path):
    model_dir = tmp_path / "model"
    model_dir.mkdir()
    for name in ("calibrated.yaml", "calibrated_sets.csv"):
        (model_dir / name).write_text((CONFIG_DIR / "model" / name).read_text())
    monkeypatch.setattr(calibrate, "MODEL_DIR", model_dir)
    shipped = snapshot(CONFIG_DIR)
    before = snapshot(model_dir)
    quick = ["calibration.until=1996-12", "calibration.sets=8", "calibration.particles=8", "calibration.keep=[]",
             "calibration.samples=16", "calibration.workers=1", "~calibration.prior.subsidy_error", "--out", "cal"]
    code, out, _ = call("sim.calibrate", quick, capsys, monkeypatch, tmp_path)
    assert code == 0 and "python -m sim.calibrate install" in out
    held = (tmp_path / "cal" / "posterior.csv").read_text()   # a parameter deleted from the prior is held
    assert "subsidy_reversion" in held and "subsidy_error" not in held
    assert snapshot(model_dir) == before and snapshot(CONFIG_DIR) == shipped
    assert {"calibration.json", "calibrated_sets.csv"} <= set(snapshot(tmp_path / "cal"))
    code, out, _ = call("sim.calibrate", ["install", "cal"], capsys, monkeypatch, tmp_path)
    assert code == 0 and out.count("replaced ") == 2
    assert (model_dir / "calibrated_sets.csv").read_text() == (tmp_path / "cal" / "calibrated_sets.csv").read_text()
    assert "record to 1996-12" in (model_dir / "calibrated.yaml").read_text()
    assert snapshot(CONFIG_DIR) == shipped
