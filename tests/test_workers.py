"""Worker processes: they die with their run however it is killed, a killed worker is replaced once and a
second death is a machine fault (exit 1), and they are capped at the cores available."""

from __future__ import annotations

import contextlib
import errno
import os
import re
import signal
import time

import psutil
import pytest
from helpers import outlived, same_bytes, start, until, workers

import sim
from sim.errors import MachineFault
from sim.config.compose import compose, prepare
from sim.results.io import load
from sim.run import executors

# 40 blocks in summary mode: long enough to kill something while it works
WORKING = ["model=reference", "run.trajectories=40000", "run.block_size=1000", "run.summary=true", "run.workers=2",
           "run.executor=local"]


def _started(proc, folder) -> bool:
    """Whether the run has both its workers and a finished block (it is in the middle of its work)."""
    return until(lambda: len(workers(proc)) == 2 and any((folder / "blocks").glob("0*.npz")), proc)


@pytest.mark.slow
@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_workers_die_with_their_run_however_it_is_killed(how, tmp_path):
    proc = start("sim", [*WORKING, "--out", tmp_path / "run"], tmp_path)
    assert _started(proc, tmp_path / "run"), proc.communicate()[1]
    family = psutil.Process(proc.pid).children(recursive=True)  # fork server, workers, resource tracker
    assert len(family) >= 4
    proc.send_signal(how)
    try:
        proc.communicate(timeout=120)  # ends only when no process holds the run's output open
    finally:
        assert outlived(family) == []
    assert proc.returncode == -how


@pytest.mark.slow
def test_a_killed_worker_is_replaced_once_and_a_second_death_is_a_machine_fault(tmp_path):
    once = start("sim", [*WORKING, "--out", tmp_path / "once"], tmp_path)
    assert _started(once, tmp_path / "once")
    workers(once)[0].kill()
    _, err = once.communicate(timeout=600)
    assert once.returncode == 0, err
    assert "note: a worker process died: the " in err and " unfinished jobs run again on new workers" in err
    same_bytes(load(tmp_path / "once"), sim.simulate([*WORKING, "run.workers=1"]))

    always = start("sim", [*WORKING, "--out", tmp_path / "always"], tmp_path)
    while always.poll() is None:  # every worker is killed as soon as it is seen
        for worker in workers(always):
            with contextlib.suppress(psutil.NoSuchProcess):
                worker.kill()
        time.sleep(0.02)
    _, err = always.communicate(timeout=60)
    assert always.returncode == 1 and err.splitlines()[-1] == (
        "sim: error: a worker process died twice (killed, or out of memory?); a run keeps its finished blocks: "
        "resume it with run.resume=true"), err
    notes = [line for line in err.split("sim: error:")[0].splitlines() if line.startswith(("note:", "sim:"))]
    assert len(notes) == 1 and re.fullmatch(r"note: a worker process died: the \d+ unfinished jobs run again on new "
                                            r"workers", notes[0]), err  # beside it only multiprocessing's own traces
    assert not (tmp_path / "always" / "summary.json").exists()

def test_more_workers_than_cores_are_capped_with_a_line_saying_so(capsys):
    settings = prepare(compose(["run.workers=1024"]))[0].run
    cores = executors.cores()
    assert executors.worker_count(settings, None) == cores
    assert list(executors.completed(abs, [(-1,)], settings)) == [(0, 1)]
    assert capsys.readouterr().err == (f"note: run.workers=1024 is more than the {cores} cores this process may use: "
                                       f"using {cores} (the results do not depend on it)\n")


@pytest.mark.parametrize("code", [errno.EBADF, errno.ENOSPC], ids=["EBADF", "ENOSPC"])
def test_a_pool_closed_under_a_starting_worker_is_a_death_and_other_os_errors_are_themselves(code, monkeypatch):
    @contextlib.contextmanager
    def closed(workers):
        class Pool:
            def submit(self, *job):
                raise OSError(code, os.strerror(code))
        yield Pool(), "unused"
    monkeypatch.setattr(executors, "_processes", closed)
    expected = MachineFault if code == errno.EBADF else OSError   # a full disk is not a worker's death
    with pytest.raises(expected) as raised:
        list(executors._local(print, [(1,), (2,)], 2))
    assert type(raised.value) is expected
