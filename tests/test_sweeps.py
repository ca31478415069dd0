"""Sweeps: every job is validated before any starts, and an interrupted sweep leaves no process behind and
names the jobs that did not finish without looking finished (a sweep folder held by another: test_run_folder.py)."""

from __future__ import annotations

import pickle

import psutil
import pytest
from helpers import TINY_RUN, call, outlived, start, until

from sim.errors import ConfigError



def test_every_job_of_a_sweep_is_validated_before_any_starts(capsys, monkeypatch, tmp_path):
    code, _, err = call("sim", ["--multirun", *TINY_RUN, "model.events.dispute.rate=0.2,-1,0.4"],
                        capsys, monkeypatch, tmp_path)
    assert (code, err) == (2, "sim: error: model.events.dispute.rate = -1: must be a number in [0, 1000]\n")
    assert not any(tmp_path.iterdir())

def test_a_config_error_in_a_job_reaches_the_sweep_with_its_own_message():
    error = ConfigError("model.events.dispute.rate", -1, "must be a number in [0, 1000]", "configs/scenario/x.yaml")
    crossed = pickle.loads(pickle.dumps(error))  # as a launcher returns a job's failure
    assert type(crossed) is ConfigError and str(crossed) == str(error) and crossed.key == error.key


@pytest.mark.slow
def test_an_interrupted_sweep_leaves_no_process_and_names_the_jobs_that_did_not_finish(
        capsys, monkeypatch, tmp_path):
    sweep = tmp_path / "sweep"
    proc = start("sim", ["--multirun", *TINY_RUN, "run.seed=1,2,3,4", "--out", sweep], tmp_path)
    assert until(lambda: any(sweep.glob("*/summary.json")), proc), proc.communicate()[1]
    family = psutil.Process(proc.pid).children(recursive=True)  # the launcher's job processes among them
    proc.kill()
    try:
        proc.communicate(timeout=120)
    finally:
        assert outlived(family) == []
    finished = {int(path.parent.name.split("_")[0]) for path in sweep.glob("*/summary.json")}
    missing = [num for num in range(4) if num not in finished]
    assert finished and missing

    code, _, err = call("sim.sweep", [sweep], capsys, monkeypatch, tmp_path)
    assert code == 2 and err.count("\n") == 1
    assert f"{len(missing)} of 4 jobs did not finish (job {', '.join(map(str, missing))}: no summary.json)" in err
    assert not (sweep / "sweep.csv").exists() and not (sweep / "sweep.png").exists()
