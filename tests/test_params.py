"""Bad values stop before any work with one line naming the key, the value and what is allowed."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from sim import cli
from sim.config.compose import CONFIG_DIR, compose, prepare
from sim.config.schema import SCHEMA, rule_for
from sim.errors import ConfigError

BAD = [
    ("model.events.transition.rate=-1", "model.events.transition.rate = -1: must be a number in [0, 1000]"),
    ("model.subsidy.adjustment=1.5", "model.subsidy.adjustment = 1.5: must be a number in [0, 1]"),
    ("run.end=2020-01", "run.end = '2020-01': must be after run.start (2023-12)"),
    ("run.start=2021-13", "run.start = '2021-13': must be a month YYYY-MM"),
    ("run.trajectories=abc", "run.trajectories = 'abc': must be an integer in [1, 1e+09]"),
    ("run.trajectories=0", "run.trajectories = 0: must be an integer in [1, 1e+09]"),
    ("run.seed=-3", "run.seed = -3: must be an integer >= 0, or null for fresh entropy"),
    ("model.weights.energy=0.5", "model.weights = 1.3: must sum to 1 over the tracks"),
    ("model.initial.energy=1", "model.initial.energy = 1: must be a number in (0, 1)"),
    ("scenario=nope", "scenario=nope: no such scenario; available:"),
    ("run.trajectorie=5", "run.trajectorie: no such key (did you mean run.trajectories?)"),
    ("model.events.crisis.rally.agriculture=1", "model.events.crisis.rally.agriculture: no such key"),
    ("analysis.milestones.single_currency.track=currency", "analysis.milestones.single_currency.track = 'currency'"),
    ("run.figures=[pdf]", "run.figures = ['pdf']: must be a list of figure formats among png, pdf, svg, with png first"),
    ("run.figures=[png,tiff]", "run.figures = ['png', 'tiff']: must be a list of figure formats"),
]


def _error_line(argv: list[str], capsys, monkeypatch, tmp_path) -> str:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", ["sim", *argv])
    with pytest.raises(SystemExit) as stop:
        cli.entry()
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err  # exactly one line
    assert not any(tmp_path.iterdir()), "no run folder may be made"
    return err.removeprefix("sim: error: ").strip()


@pytest.mark.parametrize("override,message", BAD)
def test_bad_value_gives_one_line_and_exit_code_2(override, message, capsys, monkeypatch, tmp_path):
    assert _error_line([override], capsys, monkeypatch, tmp_path).startswith(message)


def test_default_config_is_valid():
    spec, seed, _ = prepare(compose())
    assert spec.run.trajectories == 10_000 and seed == 20211104
    assert spec.months == 20 * 12 + 1  # from where the record ends (2023-12), 20 years on


def test_unknown_key_in_a_yaml_file_is_an_error():
    from omegaconf import OmegaConf

    cfg = compose()
    OmegaConf.set_struct(cfg, False)
    cfg.model.events.sanctions["rat"] = 0.4
    with pytest.raises(ConfigError, match=r"model.events.sanctions.rat = 0.4: unknown key"):
        prepare(cfg)


def test_every_config_key_has_a_rule():
    """The schema covers the whole default config, so nothing reaches the engine unchecked."""
    from omegaconf import OmegaConf

    def leaves(node, prefix):
        for key, value in node.items():
            path = f"{prefix}.{key}"
            if isinstance(value, dict) and rule_for(path) is None:
                yield from leaves(value, path)
            else:
                yield path

    cfg = OmegaConf.to_container(compose())
    for section in ("model", "run", "analysis", "scenario"):
        for key in leaves(cfg[section], section):
            assert rule_for(key) is not None, key
    assert len(SCHEMA) == len({p for p, _ in SCHEMA}), "duplicate schema patterns"


PROVENANCE = re.compile(r"#\s*(article §|data:|assumption|calibrated)")


def test_every_model_parameter_states_its_provenance():
    for path in sorted((CONFIG_DIR / "model").glob("*.yaml")):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            body = line.split("#", 1)[0]
            if re.match(r"^\s*[\w-]+:\s*\S", body) and not body.strip().startswith("tracks:"):
                assert PROVENANCE.search(line), f"{path.name}:{number} has no provenance: {line.strip()}"


@pytest.mark.slow
def test_cli_bad_value_from_a_real_process(tmp_path):
    out = subprocess.run([sys.executable, "-m", "sim", "model.events.sanctions.after_crisis=-0.1"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 2
    assert out.stderr.strip().splitlines() == [
        "sim: error: model.events.sanctions.after_crisis = -0.1: must be a number in [0, 1000]"]
    assert "Traceback" not in out.stderr and not list(Path(tmp_path).iterdir())
