"""The parameter documentation is generated from the configs and cannot drift from them."""

from __future__ import annotations

import re

from omegaconf import OmegaConf

from sim.config import docs as parameter_docs
from sim.config.compose import CONFIG_DIR
from sim.config.schema import rule_for

ROOT = CONFIG_DIR.parent


PROVENANCE = re.compile(r"^(article §|data:|assumption|calibrated)")


def _sections() -> dict[str, dict[str, list[str]]]:
    """The committed docs/PARAMETERS.md as {config file: {key: cells}}, by its `## ` headings."""
    sections, rows = {}, {}
    for line in (ROOT / "docs" / "PARAMETERS.md").read_text().splitlines():
        if line.startswith("## "):
            rows = sections.setdefault(re.search(r"`configs/([^`]+)`", line)[1], {})
        cells = [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        if cells and cells[0].startswith("`"):
            rows[cells[0].strip("`")] = cells
    return sections


def test_committed_parameter_docs_equal_what_the_generator_writes():
    assert (ROOT / "docs" / "PARAMETERS.md").read_text() == parameter_docs.render(), "run python -m sim.docs"


def test_every_model_parameter_is_documented_with_its_provenance():
    sections = _sections()
    for path in sorted((CONFIG_DIR / "model").glob("*.yaml")):
        rows, notes = sections[f"model/{path.name}"], parameter_docs.comments(path)
        values = {k: v for k, v in OmegaConf.to_container(OmegaConf.load(path)).items() if k != "defaults"}
        for key, value in parameter_docs.leaves(values):
            row = rows.get(f"model.{key}")
            assert row is not None, f"{path.name}: model.{key} is not in docs/PARAMETERS.md"
            assert row[1] == parameter_docs.show(value), f"{path.name}: model.{key}"
            if key != "tracks":
                assert PROVENANCE.match(row[-1]) and row[-1] == notes[key], f"{path.name}: model.{key} {row[-1]!r}"


def test_reference_parameters_show_the_schemas_range_and_unit():
    rows = _sections()["model/default.yaml"]
    default = OmegaConf.to_container(OmegaConf.load(CONFIG_DIR / "model" / "default.yaml"))
    for key, _ in parameter_docs.leaves(default):
        rule = rule_for(f"model.{key}") or rule_for(f"model.{key.rsplit('.', 1)[0]}")
        assert rule is not None and rows[f"model.{key}"][2:4] == [parameter_docs.allowed(rule), rule.unit], key
    assert rows["model.events.crisis.rate"][2:4] == ["[0, 1000]", "per year"]
    assert rows["model.events.step.rate.energy"][2:4] == ["[0, 1000]", "per year"]
    assert rows["model.initial.energy"][2] == "(0, 1)"


def test_the_comment_reader_follows_nesting():
    notes = parameter_docs.comments(CONFIG_DIR / "model" / "default.yaml")
    assert notes["events.setback.subsidy_cut.energy"].startswith("data: disputes ended in price rises")
    assert notes["record.judgement.levels.monetary"].startswith("article §status")
    assert notes["eta"].startswith("assumption:")
    reference = parameter_docs.comments(CONFIG_DIR / "model" / "reference.yaml")
    assert reference["events.dispute.effect.energy"].startswith("data: supply cuts")
    assert reference["calendar.deadlines.single_gas_market.date"].startswith("article §status")


def test_the_readmes_example_scenario_is_valid(tmp_path, monkeypatch):
    import shutil

    from sim.config import compose

    readme = (ROOT / "README.md").read_text()
    example = re.search(r"`configs/scenario/(\w+)\.yaml`:\n\n```yaml\n(.*?)```", readme, re.S)
    assert example, "README shows how to add a scenario"
    shutil.copytree(CONFIG_DIR, tmp_path / "configs")
    (tmp_path / "configs" / "scenario" / f"{example[1]}.yaml").write_text(example[2])
    monkeypatch.setattr(compose, "CONFIG_DIR", tmp_path / "configs")
    spec = compose.prepare(compose.compose([f"scenario={example[1]}"]))[0]
    assert spec.scenario.name == example[1] and vars(spec.scenario.events) and vars(spec.scenario.changes)
