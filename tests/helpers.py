"""Commands as a user calls them: in this process (so failures can be injected), or as real processes
for what only a process shows (signals, locks held by another process, workers that outlive it)."""

from __future__ import annotations

import contextlib
import hashlib
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

import psutil
import pytest
import xarray as xr

from sim import backtest, bench, calibrate, check, cli, command, docs, plot, questions, sensitivity, sweep

MAINS = {"sim": cli.main, "sim.plot": plot.main, "sim.sweep": sweep.main, "sim.sensitivity": sensitivity.main,
         "sim.backtest": backtest.main, "sim.calibrate": calibrate.main, "sim.bench": bench.main, "sim.docs": docs.main,
         "sim.check": check.main, "sim.questions": questions.main}
TINY_RUN = ["model=reference", "run.trajectories=200", "run.block_size=100", "run.end=2023-12"]


def call(prog: str, argv: list[str], capsys, monkeypatch, cwd: Path) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of `python -m PROG ARGV`, run in this process from cwd."""
    monkeypatch.chdir(cwd)
    monkeypatch.setattr(sys, "argv", [prog, *[str(a) for a in argv]])
    with pytest.raises(SystemExit) as stop:
        command.guard(prog, MAINS[prog])
    out, err = capsys.readouterr()
    return stop.value.code, out, err


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under a folder with the hash of its content."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def same_bytes(a: xr.Dataset, b: xr.Dataset) -> None:
    """Two results hold the same variables with the same bytes."""
    assert sorted(a.data_vars) == sorted(b.data_vars)
    for name in a.data_vars:
        x, y = a[name].values, b[name].values
        if x.dtype.kind in "OUS":  # text: compare the strings, not the object pointers
            assert x.tolist() == y.tolist(), name
        else:
            assert x.dtype == y.dtype and x.tobytes() == y.tobytes(), name


def start(prog: str, argv: list[str], cwd: Path) -> subprocess.Popen:
    """`python -m PROG ARGV` as a process of its own, its output in pipes."""
    return subprocess.Popen([sys.executable, "-m", prog, *[str(a) for a in argv]], cwd=cwd, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def until(condition: Callable[[], bool], proc: subprocess.Popen | None = None, seconds: float = 300) -> bool:
    """Whether `condition` came true (polled) before `proc` ended or the deadline passed."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and (proc is None or proc.poll() is None):
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def workers(proc: subprocess.Popen) -> list[psutil.Process]:
    """The local worker processes of a run: the children of its fork server."""
    try:
        servers = [p for p in psutil.Process(proc.pid).children() if "forkserver" in " ".join(p.cmdline())]
        return [w for s in servers for w in s.children()]
    except psutil.NoSuchProcess:  # one of them ended meanwhile
        return []


def outlived(processes: list[psutil.Process], seconds: float = 60) -> list[psutil.Process]:
    """Those of `processes` still alive after waiting up to `seconds` for them to end; they are killed,
    so that a failing test leaves none behind."""
    alive = psutil.wait_procs(processes, timeout=seconds)[1]
    for process in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.kill()
    return alive
