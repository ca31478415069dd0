"""A run or sweep folder belongs to one command at a time.

Runs started together get folders of their own; a run or a sweep into a folder another command
holds is refused naming it (a killed holder's lock is taken over: test_resume.py); a folder that
cannot be written is one line.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import TINY_RUN, call, snapshot, start, until

from sim import lock
from sim.results.io import load

def _results_in(stdout: str, cwd: Path) -> Path:
    """The folder a run printed as its last line ("Results in FOLDER")."""
    return cwd / stdout.strip().splitlines()[-1].removeprefix("Results in ")


@pytest.mark.slow
def test_runs_started_together_without_a_folder_each_finish_in_their_own(tmp_path):
    seeds = (1, 2, 3)
    procs = [start("sim", [*TINY_RUN, f"run.seed={seed}"], tmp_path) for seed in seeds]
    outputs = [proc.communicate(timeout=600) for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0, 0], [err for _, err in outputs]
    folders = [_results_in(out, tmp_path) for out, _ in outputs]
    assert len(set(folders)) == 3 and set(folders) == set((tmp_path / "outputs" / "run" / "baseline").iterdir())
    for seed, folder in zip(seeds, folders):
        summary = json.loads((folder / "summary.json").read_text())
        assert str(summary["seed"]) == load(folder).attrs["seed"] == str(seed)
        assert f"run.seed={seed}" in (folder / ".hydra" / "overrides.yaml").read_text()
        assert not (folder / lock.NAME).exists() and not (folder / "blocks").exists()


@pytest.mark.slow
def test_a_run_into_a_folder_another_run_holds_is_refused_naming_it(tmp_path):
    run = tmp_path / "run"
    first = start("sim", [*TINY_RUN, "--out", run], tmp_path)
    assert until(lambda: (run / lock.NAME).exists() and (run / lock.NAME).read_text(), first)
    first.send_signal(signal.SIGSTOP)  # it holds the lock for as long as the second one takes
    try:
        second = subprocess.run([sys.executable, "-m", "sim", *TINY_RUN, "run.seed=5", "--out", str(run)],
                                cwd=tmp_path, capture_output=True, text=True, timeout=300)
    finally:
        first.send_signal(signal.SIGCONT)
    assert second.returncode == 2 and second.stderr.count("\n") == 1, second.stderr
    assert second.stderr.startswith(f"sim: error: {run}: in use by process {first.pid} on ")
    first.communicate(timeout=600)
    assert first.returncode == 0 and load(run).attrs["seed"] == "20211104"
    assert json.loads((run / "summary.json").read_text())["seed"] == 20211104

def test_a_sweep_into_a_folder_another_command_holds_is_refused_naming_it(capsys, monkeypatch, tmp_path):
    with lock.held(tmp_path / "sweep"):
        code, _, err = call("sim", ["--multirun", *TINY_RUN, "run.seed=1,2", "--out", "sweep"],
                            capsys, monkeypatch, tmp_path)
    assert code == 2 and err.count("\n") == 1
    assert err.startswith(f"sim: error: sweep: in use by process {os.getpid()} on "), err
    assert not any((tmp_path / "sweep").iterdir())

def test_a_folder_that_cannot_be_written_is_one_line_and_exit_2(capsys, monkeypatch, tmp_path):
    folder = tmp_path / "read-only"
    folder.mkdir()
    real = os.open

    def read_only(path, flags, *args, **kwargs):  # a read-only file system, whoever runs the test
        if Path(path).parent == folder and flags & os.O_CREAT:
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        return real(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", read_only)
    code, _, err = call("sim", [*TINY_RUN, "--out", folder], capsys, monkeypatch, tmp_path)
    assert (code, err) == (2, f"sim: error: {folder}: cannot write in this folder (Read-only file system)\n")
    assert snapshot(folder) == {}
