"""Scenarios: every file composes and validates; scripted events fire at their date in every
trajectory and change the paths only from then on (common random numbers); the baseline's
dispute rate matches the record; a malformed scenario gets one line naming file and key."""

from __future__ import annotations

import re
import sys

import numpy as np
import pytest

from sim import cli
from sim.model import hazards, policies
from sim.config.compose import CONFIG_DIR, compose, prepare
from sim.config.schema import SCHEMA
from sim.errors import ConfigError
from tests.conftest import run

SCENARIOS = sorted(p.stem for p in (CONFIG_DIR / "scenario").glob("*.yaml"))
SMALL = ["run.trajectories=300", "run.block_size=150", "run.end=2029-12"]


@pytest.mark.parametrize("name", SCENARIOS)
def test_every_scenario_composes_validates_and_says_how_to_run_it(name):
    spec, _, _ = prepare(compose([f"scenario={name}"]))
    assert spec.scenario.name == name  # error lines name configs/scenario/<name>.yaml
    text = (CONFIG_DIR / "scenario" / f"{name}.yaml").read_text()
    assert text.splitlines()[0] == f"# python -m sim scenario={name}"
    if name != "baseline":
        assert "defaults: [baseline, _self_]" in text
    for line in text.splitlines():  # every number carries its provenance
        body = line.split("#", 1)[0]
        if re.search(r":\s*-?\d", body) or re.search(r"\{[^}]*\d", body):
            assert re.search(r"#\s*(article §|data:|assumption)", line), line


def test_the_library_holds_the_named_scenarios_and_the_schema_knows_every_policy():
    assert {"baseline", "sanctions_relief", "escalation", "belarus_transition", "oil_collapse",
            "integration_push"} <= set(SCENARIOS)
    in_schema = {p.split(".")[2] for p, _ in SCHEMA if p.startswith("scenario.policies.")}
    assert in_schema == set(policies.POLICIES)


def test_a_scripted_transition_happens_at_its_date_in_every_trajectory_with_branches_drawn_per_trajectory():
    ds = run(["scenario=belarus_transition", *SMALL])
    tally = ds.event_month.sel(event="transition")
    n = ds.trajectory.size
    assert [str(t)[:7] for t in tally.time.values[tally.values > 0]] == ["2026-06"]
    assert tally.values.max() == n and (ds.events.sel(event="transition") == 1).all()
    consolidation, pivot = (int(ds.events.sel(event=e).sum()) for e in ("consolidation", "pivot"))
    assert 0 < consolidation < n and 0 < pivot < n  # 25 % each, drawn per trajectory


def test_a_scripted_shock_changes_the_paths_only_from_its_date_on():
    base = run(SMALL)
    shock = ["+scenario.events.shock.date=2024-03", "+scenario.events.shock.type=dispute"]
    shocked = run(SMALL + shock)
    i = int(np.flatnonzero(base.time.values == np.datetime64("2024-03-01"))[0])
    np.testing.assert_array_equal(shocked.level.values[:, :i], base.level.values[:, :i])
    energy = shocked.level.sel(track="energy").values[:, i] - base.level.sel(track="energy").values[:, i]
    assert (energy < 0).all()  # the dispute's setback on energy, in every trajectory, in its month
    assert (shocked.event_month.sel(event="dispute") - base.event_month.sel(event="dispute")).values[i] > 0


@pytest.mark.parametrize("name,date", [("oil_collapse", "2025-01"), ("sanctions_relief", "2027-01"),
                                       ("escalation", "2022-03")])
def test_a_scenario_equals_the_baseline_before_its_date_and_differs_after(name, date):
    base, other = run(SMALL), run([f"scenario={name}", *SMALL])
    i = int(np.flatnonzero(base.time.values == np.datetime64(f"{date}-01"))[0])
    np.testing.assert_array_equal(other.level.values[:, :i], base.level.values[:, :i])
    assert not np.array_equal(other.level.values[:, i:], base.level.values[:, i:])


FILE = "configs/scenario/{}.yaml: "
BAD = [
    (["scenario=belarus_transition", "scenario.events.transition.date=2050-01"],
     FILE.format("belarus_transition") + "scenario.events.transition.date = '2050-01': "
     "must be a month within the run window 2021-11 to 2041-11"),
    (["scenario=belarus_transition", "scenario.events.transition.type=coup"],
     FILE.format("belarus_transition") + "scenario.events.transition.type = 'coup': must be one of the event types "
     f"{list(hazards.HAZARDS)[:6]}"),
    (["scenario=integration_push", "scenario.policies.subsidy_for_integration.track=currency"],
     FILE.format("integration_push") + "scenario.policies.subsidy_for_integration.track = 'currency': "
     "must be one of the tracks"),
    (["scenario=sanctions_relief", "+scenario.policies.multi_vector.effect.agriculture=-0.1"],
     FILE.format("sanctions_relief") + "scenario.policies.multi_vector.effect.agriculture = -0.1: no such key: not a track"),
    (["scenario=integration_push", "~scenario.policies.subsidy_for_integration.cut"],
     FILE.format("integration_push") + "scenario.policies.subsidy_for_integration.cut = None: "
     "missing; must be a number in [0, 1]"),
    (["scenario=integration_push", "+scenario.policies.tariffs.start=2025-01"],
     FILE.format("integration_push") + "scenario.policies.tariffs.start = '2025-01': unknown key"),
    (["+scenario.changes.x.date=2030-01", "+scenario.changes.x.model.correlation=0.5"],
     FILE.format("baseline") + "scenario.changes.x.model.correlation = 0.5: cannot change during a run"),
    (["+scenario.changes.x.date=2030-01", "+scenario.changes.x.model.events.riot.rate=1"],
     FILE.format("baseline") + "scenario.changes.x.model.events.riot.rate = None: no such model key"),
    (["+scenario.changes.x.date=2030-01", "+scenario.changes.x.model.events.sanctions.rate=-1"],
     FILE.format("baseline") + "scenario.changes.x.model.events.sanctions.rate = -1: must be a number in [0, 1000]"),
    (["+scenario.changes.x.model.events.sanctions.rate=1"],
     FILE.format("baseline") + "scenario.changes.x.date = None: missing; must be a month YYYY-MM"),
    (["scenario=oil_collapse", "+scenario.events.collapse.model.drift.energy=1"],
     FILE.format("oil_collapse") + "scenario.events.collapse.model.drift.energy = 1.0: "
     "an event's own values must be under events.commodity.*"),
    (["+scenario.changes.x.date=2030-01", "+scenario.changes.x.model.weights.energy=0.5"],
     FILE.format("baseline") + "scenario.changes.x.model.weights.energy = 0.5: cannot change during a run"),
    (["scenario=belarus_transition", "+scenario.events.transition.model.events.transition.pivot.army=1"],
     FILE.format("belarus_transition") + "scenario.events.transition.model.events.transition.pivot.army = 1: "
     "no such key: not a track"),
    (["scenario=belarus_transition", "+scenario.events.transition.model.events.transition.continuity=0.9"],
     FILE.format("belarus_transition") + "scenario.events.transition.model.events.transition = 1.4: "
     "continuity + pro_moscow + multi_vector must sum to 1"),
]


@pytest.mark.parametrize("overrides,message", BAD)
def test_a_malformed_scenario_is_refused_with_one_line_naming_file_and_key(overrides, message):
    with pytest.raises(ConfigError) as error:
        prepare(compose(["model=reference", *overrides]))
    assert str(error.value).startswith(message)
    assert "\n" not in str(error.value)


def test_the_cli_refuses_a_malformed_scenario_in_one_line_and_exit_code_2(capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", ["sim", "model=reference", "scenario=oil_collapse", "scenario.events.collapse.date=2019-01"])
    with pytest.raises(SystemExit) as stop:
        cli.entry()
    assert stop.value.code == 2
    assert capsys.readouterr().err == ("sim: error: configs/scenario/oil_collapse.yaml: scenario.events.collapse.date"
                                       " = '2019-01': must be a month within the run window 2021-11 to 2041-11\n")
    assert not any(tmp_path.iterdir())


def test_a_change_of_one_track_from_a_date_moves_that_track_only_from_that_month():
    quiet = ["model.volatility.energy=0", "model.volatility.monetary=0"]
    base = run(SMALL + quiet)
    changed = run(SMALL + quiet + ["+scenario.changes.x.date=2025-06", "+scenario.changes.x.model.drift.monetary=2.0"])
    i = int(np.flatnonzero(base.time.values == np.datetime64("2025-06-01"))[0])
    np.testing.assert_array_equal(changed.level.values[:, :i], base.level.values[:, :i])
    gain = changed.level.sel(track="monetary").values[:, i] - base.level.sel(track="monetary").values[:, i]
    assert (gain > 0).all()  # the new drift acts in the month of the change itself
