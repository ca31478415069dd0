"""A stopped run resumes to the result of an uninterrupted run, and only from its own blocks.

Every block file carries its index, the run's seed and the run's key (config, the content of the
files it reads, results format, code); resuming with another seed or a changed parameter-set file,
or over a block copied to another index or damaged, is refused with one line naming the block file,
and changes nothing. A drawn seed resumes; a run killed while it writes its report keeps its blocks
and resumes without computing any, or is finished by `sim.plot` from its results.nc.
"""

from __future__ import annotations

import json
import shutil
import signal
from pathlib import Path

import pytest
from helpers import TINY_RUN, call, same_bytes, snapshot, start, until

import sim
from sim import lock
from sim.app import run as run_app
from sim.config.compose import CONFIG_DIR, compose, prepare
from sim.files import digest
from sim.model import engine
from sim.record.events import EVENTS_FILE
from sim.record.indicators import INDICATORS_FILE
from sim.results.io import load
from sim.run import ensemble, executors, store

BLOCKS = 24


def _blocks(folder: Path) -> list[Path]:
    return sorted((folder / "blocks").glob("[0-9]*.npz"))


def _refused(folder: Path, overrides: list[str], capsys, monkeypatch, cwd: Path) -> str:
    """The one line of a resume that is refused; the folder is left as it was (its stale lock aside)."""
    before = {k: v for k, v in snapshot(folder).items() if k != lock.NAME}
    code, _, err = call("sim", [*overrides, "run.resume=true", "--out", folder], capsys, monkeypatch, cwd)
    assert code == 2 and err.count("\n") == 1, err
    assert {k: v for k, v in snapshot(folder).items() if k != lock.NAME} == before
    return err.strip()


@pytest.mark.slow
def test_a_killed_run_resumes_only_from_its_own_blocks_to_the_result_of_an_uninterrupted_run(
        tmp_path, capsys, monkeypatch):
    sets = tmp_path / "sets.csv"  # parameter sets, one drawn per future
    sets.write_text("model.drift.economic,model.events.dispute.rate\n0.1,0.3\n0.2,0.4\n0.3,0.5\n")
    overrides = ["model=reference", f"model.parameter_sets={sets}", f"run.trajectories={100 * BLOCKS}",
                 "run.block_size=100", "run.end=2031-12", "run.summary=true"]
    killed = tmp_path / "killed"
    proc = start("sim", [*overrides, "--out", killed], tmp_path)
    assert until(lambda: len(_blocks(killed)) >= 3, proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    kept = len(_blocks(killed))
    assert 3 <= kept < BLOCKS and not (killed / "results.nc").exists()
    assert sorted(p for p in (killed / "blocks").iterdir() if not p.name.startswith(".")) == _blocks(killed), \
        "no file but the blocks themselves says which run they belong to"

    def copy(name: str) -> Path:
        return shutil.copytree(killed, tmp_path / name)

    err = _refused(killed, [*overrides, "run.seed=7"], capsys, monkeypatch, tmp_path)
    assert err.startswith(f"sim: error: {_blocks(killed)[0]}: a block of another run (its config, seed, ")
    original = sets.read_text()
    lines = original.splitlines()
    sets.write_text("\n".join([lines[0], *reversed(lines[1:])]) + "\n")  # the same sets, in another order
    assert _refused(killed, overrides, capsys, monkeypatch, tmp_path).startswith(
        f"sim: error: {_blocks(killed)[0]}: a block of another run")
    sets.write_text(original)

    first = _blocks(killed)[0].name  # blocks finish in any order on two workers
    number, other = int(first[:6]), f"{(int(first[:6]) + 1) % BLOCKS:06d}.npz"
    moved = copy("moved")
    shutil.copy(moved / "blocks" / first, moved / "blocks" / f"{BLOCKS + 5:06d}.npz")  # past the run's end
    assert _refused(moved, overrides, capsys, monkeypatch, tmp_path) == (
        f"sim: error: {moved / 'blocks' / f'{BLOCKS + 5:06d}.npz'}: holds block {number} of this run's {BLOCKS}, "
        "not the block its name says; delete the file to compute that block again")
    over = copy("over")
    shutil.copy(over / "blocks" / first, over / "blocks" / other)  # over a block the run uses
    assert _refused(over, overrides, capsys, monkeypatch, tmp_path).startswith(
        f"sim: error: {over / 'blocks' / other}: holds block {number} of this run's {BLOCKS}")
    damaged = copy("damaged")
    block = _blocks(damaged)[2]
    block.write_bytes(block.read_bytes()[:200])
    assert _refused(damaged, overrides, capsys, monkeypatch, tmp_path).startswith(
        f"sim: error: {block}: not a readable block (BadZipFile: ")

    calls = []
    monkeypatch.setattr(executors, "work", lambda job, work=executors.work: calls.append(job.block) or work(job))
    code, _, err = call("sim", [*overrides, "run.resume=true", "--out", killed], capsys, monkeypatch, tmp_path)
    assert code == 0, err
    assert len(calls) == BLOCKS - kept  # only the blocks the killed run had not finished
    run_app(compose(overrides), tmp_path / "whole")
    resumed = load(killed)
    same_bytes(resumed, load(tmp_path / "whole"))
    assert f"model.parameter_sets: sets.csv sha256:{digest(sets)}" in resumed.attrs["inputs"].splitlines()
    assert int(resumed.attrs["trajectories"]) == 100 * BLOCKS


def test_the_files_a_run_reads_are_listed_for_its_key_and_its_results():
    def read(*overrides: str) -> dict:
        return ensemble.read_files(prepare(compose(list(overrides)))[0])

    unasked = "analysis.questions=null"
    assert read(unasked, "model=default") == {"record.events": EVENTS_FILE, "record.indicators": INDICATORS_FILE}
    assert read(unasked, "model=calibrated") == {"model.parameter_sets": CONFIG_DIR / "model" / "calibrated_sets.csv",
                                                "record.events": EVENTS_FILE, "record.indicators": INDICATORS_FILE}
    assert read(unasked, "model=reference") == {}
    assert read("model=reference", "analysis.questions=default") == {
        "analysis.questions": CONFIG_DIR / "questions" / "default.yaml"}


def test_a_run_with_a_drawn_seed_resumes_on_that_seed(capsys, monkeypatch, tmp_path):
    real = engine.run_block

    def interrupted(spec, seed, block, n, **options):
        if block == 1:
            raise KeyboardInterrupt
        return real(spec, seed, block, n, **options)

    drawn = [*TINY_RUN, "run.seed=null", "run.workers=1", "--out", "run"]
    monkeypatch.setattr(engine, "run_block", interrupted)
    assert call("sim", drawn, capsys, monkeypatch, tmp_path)[0] == 130
    monkeypatch.setattr(engine, "run_block", real)
    seed = store.recorded_seed(tmp_path / "run" / "blocks")
    assert seed is not None

    code, _, err = call("sim", [*drawn, "run.resume=true"], capsys, monkeypatch, tmp_path)
    assert code == 0 and f"resuming with the seed the interrupted run drew, run.seed={seed}" in err
    resumed = load(tmp_path / "run")
    assert resumed.attrs["seed"] == str(seed)
    assert resumed.level.values.tobytes() == sim.simulate([*TINY_RUN, f"run.seed={seed}"]).level.values.tobytes()

@pytest.mark.slow
def test_a_run_killed_while_it_writes_its_report_resumes_without_computing_a_block(
        tmp_path, capsys, monkeypatch):
    overrides = ["model=reference", "run.trajectories=2000", "run.block_size=500", "run.end=2031-12"]
    killed = tmp_path / "killed"
    proc = start("sim", [*overrides, "--out", killed], tmp_path)
    assert until(lambda: (killed / "results.nc").exists(), proc), proc.communicate()[1]
    proc.kill()
    proc.wait()
    assert not (killed / "summary.json").exists(), "killed before it finished its report"
    assert len(list((killed / "blocks").glob("*.npz"))) == 4
    assert f"process {proc.pid} " in (killed / lock.NAME).read_text()  # the dead run's lock, left behind

    rebuilt = shutil.copytree(killed, tmp_path / "rebuilt")
    code, out, err = call("sim.plot", [rebuilt], capsys, monkeypatch, tmp_path)
    assert code == 0 and "summary.json" in out, err
    assert (rebuilt / "report.md").exists() and not list(rebuilt.glob(".*partial"))

    calls = []
    monkeypatch.setattr(executors, "work", lambda job, work=executors.work: calls.append(job.block) or work(job))
    code, _, err = call("sim", [*overrides, "run.resume=true", "--out", killed], capsys, monkeypatch, tmp_path)
    assert code == 0, err
    assert calls == [] and not (killed / "blocks").exists() and not (killed / lock.NAME).exists()

    assert call("sim", [*overrides, "--out", tmp_path / "whole"], capsys, monkeypatch, tmp_path)[0] == 0

    def outcome(folder: Path) -> dict:  # summary.json, less the overrides it was asked for (run.resume=true)
        return {k: v for k, v in json.loads((folder / "summary.json").read_text()).items() if k != "overrides"}

    assert outcome(killed) == outcome(rebuilt) == outcome(tmp_path / "whole")
    assert load(killed).level.values.tobytes() == load(tmp_path / "whole").level.values.tobytes()
