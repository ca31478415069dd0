"""Config files are data: a scenario or model file cannot run code, write outside its group or read the
environment, a group is chosen by a file's name, and a results file's recorded config is never resolved."""

from __future__ import annotations

import re

import pytest
from helpers import TINY_RUN, call

import sim
from sim.results import io as results

SECRET = "s3cr3t-value-of-the-environment"


@pytest.fixture(autouse=True)
def secret(monkeypatch):
    """A value in the environment that no output may show."""
    monkeypatch.setenv("MY_SECRET_TOKEN", SECRET)


def _everything_written(root) -> str:
    return "".join(p.read_bytes().decode("utf-8", "replace") for p in root.rglob("*") if p.is_file())


CODE = "defaults: [baseline, _self_]\nname: evil\n"
BAD = {  # file text → the key the refusal names
    "# @package _global_\n" + CODE + "hydra:\n  callbacks:\n    x:\n      _target_: builtins.open\n"
    "      _args_: [PWNED, w]\n": "'# @package' is not allowed",
    CODE + "hydra:\n  callbacks:\n    x:\n      _target_: builtins.open\n": "hydra: Hydra settings are not allowed",
    CODE + "description:\n  _target_: builtins.open\n": "description._target_: instructions to Hydra",
    CODE + "description: ${oc.env:MY_SECRET_TOKEN,none}\n": "description: '${oc.env:MY_SECRET_TOKEN,none}': resolvers",
    "defaults:\n  - baseline\n  - /hydra/callbacks: x\n  - _self_\nname: evil\n": "defaults.1: a defaults entry may only",
}


@pytest.mark.parametrize("text", list(BAD), ids=range(len(BAD)))
@pytest.mark.parametrize("sweep", [[], ["--multirun", "run.seed=1,2"]], ids=["run", "sweep"])
def test_a_config_file_that_is_not_plain_data_is_refused_naming_file_and_key(
        text, sweep, configs, capsys, monkeypatch, tmp_path):
    (configs / "scenario" / "evil.yaml").write_text(text)
    code, _, err = call("sim", [*sweep, *TINY_RUN, "scenario=evil"], capsys, monkeypatch, tmp_path)
    assert code == 2 and err.count("\n") == 1, err
    assert err.startswith("sim: error: configs/scenario/evil.yaml: ") and BAD[text] in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["configs"], "nothing made, nothing opened"
    assert SECRET not in err


def test_a_bad_file_in_the_model_group_is_refused_whichever_scenario_runs(configs, capsys, monkeypatch, tmp_path):
    (configs / "model" / "mine.yaml").write_text("defaults: [default, _self_]\nasymmetry: ${oc.env:HOME}\n")
    code, _, err = call("sim", TINY_RUN, capsys, monkeypatch, tmp_path)
    assert (code, err) == (2, "sim: error: configs/model/mine.yaml: asymmetry: '${oc.env:HOME}': resolvers are "
                              "not allowed: a config file holds values\n")


@pytest.mark.parametrize("choice", ["scenario=../model/default", "scenario=[baseline,escalation]", "model=nope"])
def test_a_group_is_chosen_by_the_name_of_one_of_its_files(choice, capsys, monkeypatch, tmp_path):
    code, _, err = call("sim", [*TINY_RUN, choice], capsys, monkeypatch, tmp_path)
    group = choice.split("=")[0]
    assert code == 2 and err.startswith(f"sim: error: {choice}: no such {group}; available: "), err
    assert "default" in err if group == "model" else "baseline, belarus_transition" in err
    assert not any(tmp_path.iterdir())


def test_a_results_file_whose_config_reads_the_environment_is_refused_by_whoever_loads_it(
        configs, capsys, monkeypatch, tmp_path, small):
    crafted = sim.simulate(small)
    crafted.attrs["config"], found = re.subn(r"(?m)^(  description: ).*$", r"\1${oc.env:MY_SECRET_TOKEN,none}",
                                             crafted.attrs["config"])
    assert found == 1
    (tmp_path / "run").mkdir()
    results.save(crafted, tmp_path / "run" / "results.nc")
    code, out, err = call("sim.plot", ["run"], capsys, monkeypatch, tmp_path)
    assert code == 2 and err == ("sim.plot: error: run/results.nc: its recorded config holds an interpolation "
                                 "(${…}) at scenario.description; a recorded config holds resolved values only\n")
    assert SECRET not in out + err + _everything_written(tmp_path / "run")
    assert sorted(p.name for p in (tmp_path / "run").iterdir()) == ["results.nc"]
