"""What a run costs, said before it starts: the estimate scales with trajectories, months and workers,
is said for a big run even off a terminal, and a run that keeps every path and cannot fit is refused."""

from __future__ import annotations

import re

import pytest
from helpers import call, start

from sim.config.compose import compose, prepare
from sim.run import estimate, executors


REFERENCE = "model=reference"  # starts from its judged state: no filter before the run


@pytest.mark.slow
def test_a_huge_run_says_what_it_will_cost_before_it_starts_even_off_a_terminal(tmp_path):
    proc = start("sim", [REFERENCE, "run.trajectories=1000000000", "--out", tmp_path / "huge"], tmp_path)
    first = proc.stderr.readline()
    proc.kill()
    proc.communicate(timeout=120)
    assert re.fullmatch(r"note: this run will take about \d+ (minutes|hours|days) on \d+ workers? and need about "
                        r"[\d.]+ GB of memory \(1,000,000,000 futures × \d+ months, summary mode\)\n", first), first


def test_a_run_that_keeps_every_path_and_cannot_fit_in_memory_is_refused_before_anything(
        capsys, monkeypatch, tmp_path):
    code, _, err = call("sim", [REFERENCE, "run.trajectories=100000000", "run.summary=false"],
                        capsys, monkeypatch, tmp_path)
    assert code == 2 and err.count("\n") == 1
    assert re.match(r"sim: error: keeping every path of 100,000,000 futures × \d+ months needs about ", err), err
    assert "add run.summary=true" in err and not any(tmp_path.iterdir())


def _cost(*overrides: str) -> estimate.Cost:
    return estimate.cost(prepare(compose(list(overrides)))[0])


def test_the_estimate_scales_with_trajectories_months_workers_and_particles():
    window = [REFERENCE, "run.start=2021-11", "run.end=2041-11", "run.workers=1"]  # 240 steps
    one = _cost(*window, "run.trajectories=1000000")
    assert _cost(*window, "run.trajectories=2000000").seconds == pytest.approx(2 * one.seconds)
    assert _cost(*window, "run.trajectories=1000000", "run.end=2031-11").seconds == pytest.approx(one.seconds / 2)
    kept = _cost(*window, "run.trajectories=40000", "run.summary=false")
    assert kept.bytes > _cost(*window, "run.trajectories=40000", "run.summary=true").bytes
    if executors.cores() > 1:
        two = _cost(*window, "run.trajectories=1000000", "run.workers=2")
        assert two.seconds == pytest.approx(one.seconds / 2) and two.bytes > one.bytes
    filtered = [_cost(f"run.particles={p}000000").seconds for p in (1, 2, 3)]  # the default model: tied to the record
    assert filtered[1] - filtered[0] == pytest.approx(filtered[2] - filtered[1]) and filtered[1] > filtered[0]


def test_the_estimate_is_said_only_for_a_big_run(capsys):
    estimate.announce(prepare(compose([REFERENCE]))[0])  # a few seconds
    assert capsys.readouterr().err == ""
    estimate.announce(prepare(compose([REFERENCE, "run.trajectories=100000000"]))[0])
    assert capsys.readouterr().err.startswith("note: this run will take about ")


def test_a_summary_run_from_the_record_needs_the_same_memory_whatever_its_futures():
    """Each block makes its trajectories' starting state and parameter values where it runs: nothing per future."""
    huge = estimate.check(prepare(compose(["run.trajectories=1000000000", "run.summary=true"]))[0])
    assert huge.bytes == _cost("run.trajectories=1000000", "run.summary=true").bytes
