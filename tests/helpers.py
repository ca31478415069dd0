"""Commands as a user calls them, in this process (so failures can be injected)."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import pytest

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
