"""Forecast questions: the file format, answers per future (full and summary-mode runs agree), the
command, and scoring against a tiny made-up record checked by hand."""

from __future__ import annotations

import csv
import json
import math
import sys
import textwrap

import numpy as np
import pytest

from sim import command, months, questions as questions_cli
from sim.analysis import resolution, scores
from sim.analysis.ensemble import view
from sim.app import run as app_run
from sim.config.compose import compose
from sim.record.events import load_events
from sim.results import answers, questions
from sim.studies import scoring
from tests.conftest import run

SMALL = ["model=reference", "run.trajectories=300", "run.block_size=100", "run.end=2025-12"]
THEIRS = """\
description: written by someone else, in the documented format
questions:
  energy_high:
    text: Does energy reach 0.6 by 2024?
    resolves: 2024-12
    rule: {kind: level, series: energy, above: 0.6}
  composite_down:
    text: Is the composite lower in 2025-12 than in 2022-01?
    resolves: 2025-12
    rule: {kind: change, series: composite, from: 2022-01, below: 0.0}
  two_disputes:
    text: At least two disputes in 2022-2024?
    resolves: 2024-12
    rule: {kind: events, type: dispute, at_least: 2, from: 2022-01, track: energy, direction: -1, min_magnitude: 2}
  far_future:
    text: Single currency by 2040?
    resolves: 2040-12
    rule: {kind: level, series: monetary, above: 0.8}
"""


def call(argv: list[str], capsys, monkeypatch) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["sim.questions", *argv])
    with pytest.raises(SystemExit) as stop:
        command.guard("sim.questions", questions_cli.main)
    out, err = capsys.readouterr()
    return stop.value.code, out, err


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    path = tmp_path_factory.mktemp("run")
    app_run(compose(SMALL), path)
    return path


def test_a_question_file_written_by_someone_else_gets_one_line_per_question(folder, tmp_path, capsys, monkeypatch):
    theirs = tmp_path / "theirs.yaml"
    theirs.write_text(THEIRS)
    code, out, err = call([str(theirs), str(folder)], capsys, monkeypatch)
    lines = out.splitlines()
    assert code == 0 and not err and len(lines) == 4
    assert [line.split(":")[0] for line in lines] == ["energy_high", "composite_down", "two_disputes", "far_future"]
    assert all("P(yes) = " in line for line in lines[:3])
    assert "not answered: outside the run's window" in lines[3]


@pytest.mark.parametrize("change, named", [
    (("resolves: 2024-12", "resolves: 2024-13"), "question energy_high: resolves = '2024-13'"),
    (("series: energy", "series: energi"), "question energy_high: rule.series = 'energi'"),
    (("above: 0.6", "abov: 0.6"), "question energy_high: rule.abov"),
    (("kind: change", "kind: trend"), "question composite_down: rule.kind = 'trend'"),
    (("from: 2022-01, below", "below"), "question composite_down: rule.from"),
    (("type: dispute", "type: feud"), "question two_disputes: rule.type = 'feud'"),
    (("at_least: 2", "at_least: 0"), "question two_disputes: rule.at_least = 0"),
    (("direction: -1", "direction: 2"), "question two_disputes: rule.direction = 2"),
    (("    text: Single", "    txt: Single"), "question far_future: txt"),
])
def test_a_malformed_question_file_gets_one_line_naming_the_question_and_key(folder, tmp_path, capsys, monkeypatch,
                                                                            change, named):
    bad = tmp_path / "bad.yaml"
    assert change[0] in THEIRS
    bad.write_text(THEIRS.replace(change[0], change[1], 1))
    code, out, err = call([str(bad), str(folder)], capsys, monkeypatch)
    assert code == 2 and not out and err.count("\n") == 1, err
    assert err.startswith("sim.questions: error: ") and named in err, err


def test_rules_resolve_per_future_by_hand():
    start = months.parse("2022-01")
    levels = np.array([[[0.5], [0.7], [0.4]], [[0.5], [0.55], [0.6]]], dtype=np.float32)  # 2 futures, 3 months
    composite = levels[:, :, 0]
    log = np.array([[1, 0, 0], [2, 0, 0], [2, 1, 0], [1, 1, 4]])  # (month, future, type): disputes, a sanctions

    def ask(rule: str, resolves: str = "2022-03") -> np.ndarray:
        text = f"questions:\n  q:\n    text: t\n    resolves: {resolves}\n    rule: {{{rule}}}\n"
        (q,) = questions.parse(questions.yaml.safe_load(text), "test")
        return answers.resolve(q, start, ("economic",), levels, composite, log)

    assert ask("kind: level, series: economic, above: 0.6").tolist() == [True, True]
    assert ask("kind: level, series: economic, above: 0.6", "2022-02").tolist() == [True, False]
    assert ask("kind: level, series: composite, below: 0.45, from: 2022-03").tolist() == [True, False]
    assert ask("kind: change, series: economic, from: 2022-01, above: 0.1").tolist() == [False, True]
    assert ask("kind: events, type: dispute, at_least: 2, from: 2022-01").tolist() == [True, False]
    assert ask("kind: events, type: [dispute, sanctions], at_least: 2, from: 2022-02").tolist() == [True, True]


def test_full_and_summary_mode_runs_give_the_same_answers_and_record_them():
    full, counted = view(run(SMALL)), view(run(SMALL + ["run.summary=true"]))
    asked = questions.named("default")
    got = [(full.answer(q), counted.answer(q)) for q in asked]
    assert all(a == b for a, b in got) and any(isinstance(a, int) for a, _ in got)
    other = questions.parse(questions.yaml.safe_load(THEIRS), "theirs")
    assert isinstance(full.answer(other[0]), int)
    assert "summary-mode run answers only the questions of its own set" in counted.answer(other[0])


RECORD = """\
date,tracks,direction,magnitude,type,title,source
2010-03-01,energy,-1,2,dispute,a,s
2012-06-01,economic,-1,1,trade_ban,b,s
2014-01-01,energy,-1,3,dispute,c,s
2022-05-01,energy,-1,2,dispute,d,s
2023-12-01,energy,-1,1,deadline,e,s
"""
HAND = """\
questions:
  energy_dispute:
    text: A medium or major energy dispute in 2022-2023?
    resolves: 2023-12
    rule: {kind: events, type: dispute, from: 2022-01, track: energy, min_magnitude: 2}
  deal:
    text: The deadline met?
    resolves: 2023-12
    rule: {kind: events, type: [deadline_met, deadline], from: 2023-12, direction: 1}
  two_setbacks:
    text: Two disputes or bans in 2012-2014?
    resolves: 2014-12
    rule: {kind: events, type: [dispute, trade_ban], at_least: 2, from: 2012-01, direction: -1}
  level:
    text: Energy above 0.6?
    resolves: 2023-12
    rule: {kind: level, series: energy, above: 0.6}
"""


def test_questions_resolve_against_a_tiny_record_with_its_climatology(tmp_path):
    (tmp_path / "events.csv").write_text(RECORD)
    events = load_events(tmp_path / "events.csv")
    energy, deal, setbacks, level = questions.parse(questions.yaml.safe_load(HAND), "hand")
    assert resolution.outcome(energy, events) and not resolution.outcome(deal, events)
    assert resolution.outcome(setbacks, events)
    assert "latent" in resolution.resolvable(level, events, months.parse("2023-12"))
    # 24-month windows from 2010-01 to the last that ends before 2021-11 (origins 2010-01 … 2019-11: 119);
    # the 2010-03 row is in 3 of them (origins 2010-01 … 2010-03), the 2014-01 row in 24 (2012-02 … 2014-01).
    assert resolution.climatology(energy, events, months.parse("2021-11")) == pytest.approx(27 / 119)
    assert resolution.climatology(energy, events, months.parse("2011-12")) is None  # no window fits


def test_scores_by_hand():
    rows = [{"p": 0.8, "outcome": 1, "climatology": 0.25, "brier": 0.04, "brier_climatology": 0.5625},
            {"p": 0.1, "outcome": 0, "climatology": 0.5, "brier": 0.01, "brier_climatology": 0.25}]
    got = scoring.totals(rows, futures=1000)
    assert got["brier"] == pytest.approx((0.04 + 0.01) / 2)
    assert got["log_score"] == pytest.approx((math.log(0.8) + math.log(0.9)) / 2)
    assert got["brier_skill"] == pytest.approx(1 - 0.025 / ((0.5625 + 0.25) / 2))
    assert got["reliability"] == [(0.1, 0.0, 1), (0.8, 1.0, 1)]
    assert scores.log_score([0.0], [1], futures=100) == pytest.approx(math.log(0.005))  # half a future


def test_score_command_resolves_what_the_record_knows_and_writes_its_files(folder, tmp_path, capsys, monkeypatch):
    (tmp_path / "events.csv").write_text(RECORD)
    (tmp_path / "hand.yaml").write_text(HAND)
    out = tmp_path / "scores"
    code, printed, err = call(["--score", str(tmp_path / "hand.yaml"), str(folder), "--record",
                               str(tmp_path / "events.csv"), "--out", str(out)], capsys, monkeypatch)
    assert code == 0 and not err and str(out) in printed
    saved = json.loads((out / "scores.json").read_text())
    with (out / "scores.csv").open() as handle:
        table = list(csv.DictReader(handle))
    assert [r["id"] for r in table] == ["energy_dispute", "deal"] and (out / "reliability.png").exists()
    assert set(saved["not_scored"]) == {"two_setbacks", "level"}  # before the run's start; a latent level
    answered = {line.split(":")[0]: float(line.split("= ")[1].split(" ")[0])
                for line in call([str(tmp_path / "hand.yaml"), str(folder)], capsys, monkeypatch)[1].splitlines()
                if "P(yes)" in line}
    for row in table:
        p, hit = float(row["p"]), int(row["outcome"])
        assert p == pytest.approx(answered[row["id"]], abs=5e-4) and float(row["brier"]) == pytest.approx((p - hit) ** 2)
    assert [int(r["outcome"]) for r in table] == [1, 0]
    code, _, err = call(["--score", str(tmp_path / "hand.yaml"), str(folder), "--record",
                         str(tmp_path / "events.csv"), "--out", str(out)], capsys, monkeypatch)
    assert code == 2 and "holds a finished score" in err


def test_the_shipped_question_set_reads_and_names_record_types_where_it_is_scored():
    asked = questions.named("default")
    assert len(asked) >= 10 and len({q.id for q in asked}) == len(asked)
    assert {q.rule.kind for q in asked} == {"level", "change", "events"}
    with pytest.raises(questions.QuestionError, match="no such question set"):
        questions.named("nothing_here")


def test_dump_and_parse_round_trip():
    asked = questions.named("default")
    assert questions.parse(questions.yaml.safe_load(questions.dump(asked)), "dump") == asked
    assert textwrap.dedent(questions.dump(asked)).startswith("questions:")
