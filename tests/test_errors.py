"""Every way a user's run can go wrong ends in one line, the right exit code, and no finished-looking files.

Bad override values are covered in test_params.py and malformed scenarios in test_scenarios.py;
here: YAML files a user wrote, missing files, unwritable or full output folders, Ctrl-C, and
results of another format. Runs go through `sim.cli.main` in this process, so failures can be
injected with monkeypatch.
"""

from __future__ import annotations

import errno
import sys

import pytest
import xarray as xr

import sim
from sim import cli, command, plot
from sim.model import engine
from sim.results import io as results

SMALL = ["model=reference", "run.trajectories=200", "run.block_size=100", "run.end=2023-12"]


def _command(prog: str, main, argv: list[str], capsys, monkeypatch, cwd) -> tuple[int, str]:
    """Exit code and the stderr of `python -m PROG ARGV` run in this process from cwd."""
    monkeypatch.chdir(cwd)
    monkeypatch.setattr(sys, "argv", [prog, *argv])
    monkeypatch.delenv("HYDRA_FULL_ERROR", raising=False)
    with pytest.raises(SystemExit) as stop:
        command.guard(prog, main)
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return stop.value.code, err.strip()


def _main(argv: list[str], capsys, monkeypatch, cwd) -> tuple[int, str]:
    return _command("sim", cli.main, argv, capsys, monkeypatch, cwd)


def test_a_yaml_syntax_error_in_a_scenario_file_names_the_file_and_line(configs, capsys, monkeypatch, tmp_path):
    (configs / "scenario" / "mine.yaml").write_text(
        "defaults:\n  - baseline\n  - _self_\nname: mine\ndescription: [unclosed\n")
    code, err = _main(["scenario=mine"], capsys, monkeypatch, tmp_path)
    assert code == 2
    assert err.startswith("sim: error: configs/scenario/mine.yaml, line 5, column 14: not valid YAML:"), err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["configs"], "no run folder may be made"


def test_an_unknown_key_in_a_scenario_file_is_named_with_a_suggestion(configs, capsys, monkeypatch, tmp_path):
    (configs / "scenario" / "mine.yaml").write_text(
        "defaults:\n  - baseline\n  - _self_\nname: mine\ndescripton: a typo\n")
    code, err = _main(["scenario=mine"], capsys, monkeypatch, tmp_path)
    assert (code, err) == (2, "sim: error: configs/scenario/mine.yaml: scenario.descripton = 'a typo': "
                              "unknown key (did you mean scenario.description?)")


def test_a_missing_parameter_set_file_stops_before_the_run_folder_is_made(capsys, monkeypatch, tmp_path):
    code, err = _main([*SMALL, "model.parameter_sets=nope.csv", "--out", str(tmp_path / "run")],
                      capsys, monkeypatch, tmp_path)
    assert code == 2 and err.startswith("sim: error: model.parameter_sets = 'nope.csv': no such file in ")
    assert not (tmp_path / "run").exists()


def test_an_override_of_a_parameter_the_posterior_draws_is_refused_naming_what_to_do(capsys, monkeypatch, tmp_path):
    code, err = _main(["model=calibrated", "model.commitment.erosion=0.1", "--out", str(tmp_path / "run")],
                      capsys, monkeypatch, tmp_path)
    assert code == 2 and err.startswith("sim: error: model.commitment.erosion = '0.1': is drawn for every future")
    assert "model=default" in err and not (tmp_path / "run").exists()


def test_a_start_or_calibration_before_the_record_gives_the_asymmetry_is_refused_before_any_folder(
        capsys, monkeypatch, tmp_path):
    from sim import calibrate
    allowed = "must be at or after 1995-12: the record gives Russia's and Belarus's GDP and population ratios"
    code, err = _main(["model=default", "run.start=1995-11", "--out", str(tmp_path / "run")],
                      capsys, monkeypatch, tmp_path)
    assert code == 2 and err.startswith(f"sim: error: run.start = '1995-11': {allowed}"), err
    code, err = _command("sim.calibrate", calibrate.main, ["calibration.until=1994-03", "--out", str(tmp_path / "cal")],
                         capsys, monkeypatch, tmp_path)
    assert code == 2 and err.startswith(f"sim.calibrate: error: calibration.until = '1994-03': {allowed}"), err
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_a_missing_data_file_is_one_line(capsys, monkeypatch, tmp_path):
    from sim.record import derived, events

    real = events.load_events
    monkeypatch.setattr(derived, "load_events", lambda: real(tmp_path / "events_1992_2023.csv"))
    code, err = _main(["run.trajectories=100", "--out", str(tmp_path / "run")], capsys, monkeypatch, tmp_path)
    assert (code, err) == (2, f"sim: error: {tmp_path / 'events_1992_2023.csv'}: no such data file")
    assert not (tmp_path / "run").exists()


def test_an_output_folder_that_cannot_be_made_is_one_line_and_exit_code_2(capsys, monkeypatch, tmp_path):
    (tmp_path / "file").write_text("")  # a read-only place: a folder cannot be made inside a file
    code, err = _main([*SMALL, "--out", str(tmp_path / "file" / "run")], capsys, monkeypatch, tmp_path)
    assert (code, err) == (2, f"sim: error: Not a directory: {tmp_path / 'file' / 'run'}")


def test_a_full_disk_leaves_no_results_or_summary_under_their_final_names(capsys, monkeypatch, tmp_path):
    def full(self, path, **kwargs):
        with open(path, "wb") as handle:
            handle.write(b"CDF\x02" + b"\0" * 100)  # the disk filled after a few bytes
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(xr.Dataset, "to_netcdf", full)
    run = tmp_path / "run"
    code, err = _main([*SMALL, "--out", str(run)], capsys, monkeypatch, tmp_path)
    assert code == 1 and err.startswith("sim: error: No space left on device: "), err
    assert not (run / "results.nc").exists() and not (run / "summary.json").exists()
    assert not list(run.rglob("*partial*"))


def test_ctrl_c_during_the_simulation_is_one_line_exit_130_and_no_summary(capsys, monkeypatch, tmp_path):
    real = engine.run_block

    def interrupted(spec, seed, block, n, **options):
        if block == 1:  # the second of two blocks
            raise KeyboardInterrupt
        return real(spec, seed, block, n, **options)

    monkeypatch.setattr(engine, "run_block", interrupted)
    run = tmp_path / "run"  # a finished run replaced on request (--force): its old summary must not survive
    run.mkdir()
    (run / "summary.json").write_text("{}")
    code, err = _main([*SMALL, "run.workers=1", "--out", str(run), "--force"], capsys, monkeypatch, tmp_path)
    assert code == 130 and err.startswith("sim: interrupted: the work is not finished"), err
    assert not (run / "summary.json").exists() and not (run / "results.nc").exists()


def test_sim_plot_refuses_a_missing_folder_an_old_results_file_and_an_unwritable_output(
        capsys, monkeypatch, tmp_path, small):
    def plot_cli(*argv):
        return _command("sim.plot", plot.main, [str(a) for a in argv], capsys, monkeypatch, tmp_path)

    assert plot_cli(tmp_path / "nowhere") == (2, f"sim.plot: error: {tmp_path / 'nowhere'}: no such run folder")
    (tmp_path / "empty").mkdir()
    assert plot_cli(tmp_path / "empty") == (2, f"sim.plot: error: {tmp_path / 'empty'}: not a run folder (no results.nc)")
    old = sim.simulate(small)
    old.attrs["format"] = 1
    (tmp_path / "old").mkdir()
    results.save(old, tmp_path / "old" / "results.nc")
    code, err = plot_cli(tmp_path / "old")
    assert code == 2
    assert err.startswith(f"sim.plot: error: {tmp_path / 'old' / 'results.nc'}: results format 1 is not the supported")
    results.save(sim.simulate(small), tmp_path / "old" / "results.nc")
    (tmp_path / "file").write_text("")
    assert plot_cli(tmp_path / "old", tmp_path / "old", "--out", tmp_path / "file" / "cmp") == (
        2, f"sim.plot: error: Not a directory: {tmp_path / 'file' / 'cmp' / 'figures'}")


def test_saved_results_are_never_unpickled(monkeypatch, tmp_path, small):
    import pickle

    def refuse(*args, **kwargs):
        raise AssertionError("results must not be loaded through pickle")

    results.save(sim.simulate(small), tmp_path / "results.nc")
    monkeypatch.setattr(pickle, "load", refuse)
    monkeypatch.setattr(pickle, "loads", refuse)
    assert sim.load(tmp_path).sizes["trajectory"] == 400
