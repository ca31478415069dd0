"""Figures, report.md, the comparison report, `python -m sim.plot` and the progress line."""

from __future__ import annotations

import io
import re
import sys

import matplotlib.image as mpimg
import numpy as np
import pytest

from sim.analysis import comparison, outlook
from sim.report import level_figures as plots, text
from sim.results import io as results
from sim.run import progress
from sim.app import run as app_run
from sim.config.compose import compose
from sim.plot import main as plot_main
from tests.conftest import run

SMALL = ["model=reference", "run.trajectories=300", "run.block_size=150", "run.end=2027-12"]


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """A default run folder of a small run, as `python -m sim` writes it."""
    path = tmp_path_factory.mktemp("run")
    app_run(compose(SMALL), path)
    return path


@pytest.fixture(scope="module")
def ds(folder):
    return results.load(folder)


def assert_figure(path, pdf: bool = False):
    """A PNG that is a real, non-blank picture, with its PDF twin when asked for (run.figures) and none otherwise."""
    assert path.exists() and path.stat().st_size > 10_000
    assert path.with_suffix(".pdf").stat().st_size > 5_000 if pdf else not path.with_suffix(".pdf").exists()
    pixels = mpimg.imread(path)
    assert min(pixels.shape[:2]) > 300 and pixels[..., :3].std() > 0.05


def test_default_run_folder_gets_report_and_every_figure(folder):
    assert (folder / "report.md").stat().st_size > 2_000 and (folder / "summary.json").exists()
    for name in ("fan_chart", "milestones", "classes", "tracks", "setbacks", "events"):
        assert_figure(folder / "figures" / f"{name}.png")


def test_pdf_twins_on_request_linked_from_report_md_and_left_out_of_report_html(tmp_path):
    app_run(compose([*SMALL, "run.figures=[png,pdf]"]), tmp_path)
    for name in ("fan_chart", "milestones", "classes", "tracks", "setbacks", "events"):
        assert_figure(tmp_path / "figures" / f"{name}.png", pdf=True)
    assert "([PDF](figures/fan_chart.pdf))" in (tmp_path / "report.md").read_text()
    page = (tmp_path / "report.html").read_text()
    assert ".pdf" not in page and "PDF</a>" not in page


def test_event_raster_reads_event_month_and_is_skipped_without_it(ds, tmp_path):
    hand = ds.drop_vars([v for v in ds.data_vars if v.startswith("log_")])
    hand["event_month"] = hand["event_month"] * 0
    hand["event_month"][0, 3] = 150
    assert_figure(plots.events(outlook.analyse(hand), tmp_path / "hand"))
    assert plots.events(outlook.analyse(ds.drop_vars("event_month")), tmp_path / "none") is None
    assert not (tmp_path / "none.png").exists()


def test_report_has_the_narrative_tables_figures_and_assumptions(folder, ds):
    text = (folder / "report.md").read_text()
    s = outlook.summarize(ds)
    for heading in ("## Outlook", "## The thesis", "## Outlook classes", "## Milestones", "## Tracks",
                    "## An uneven path", "## Events", "## Assumptions"):
        assert heading in text
    assert f"{s['verdict']['p_progress']:.3f} ± {s['verdict']['p_progress_se']:.3f}" in text
    assert ("holds:" if s["verdict"]["holds"] else "does not hold:") in text
    assert f"seed {s['seed']}" in text and "scenario `baseline`" in text.replace("**Scenario** ", "scenario ")
    links = re.findall(r"\]\((figures/[^)]+)\)", text)
    assert {p.split("/")[1].split(".")[0] for p in links} >= {"fan_chart", "milestones", "classes", "setbacks"}
    for link in links:
        assert (folder / link).exists()
    assert not re.search(r"\bnan\b", text.lower())


def test_narrative_follows_the_numbers():
    s = {"verdict": {"holds": False, "p_progress": 0.3, "p_progress_se": 0.01, "p_setback_given_progress": 0.9,
                     "p_setback_given_progress_se": 0.02, "margin_se": {"p_progress": -30.0, "p_setback": 1.0},
                     "thresholds": {"p_progress": 0.6, "p_setback": 0.88, "delta": 0.05, "epsilon": 0.03,
                                    "window_months": 12},
                     "robustness": {"points": 81, "holds_share": 0.0, "holds_share_by_value": {}}},
         "scenario": "x", "start": "2021-11", "end": "2041-12", "trajectories": 1000,
         "composite": {"start": 0.46, "end_median": 0.4, "end_p05": 0.2, "end_p95": 0.6},
         "uneven": {k: {"median": 2.0, "p95": 0.3} for k in ("setbacks", "reversals", "max_drawdown", "decline_years")},
         "unequal": {"leader": "security", "laggard": "energy", "leads": {"security": 0.5}, "lags": {"energy": 0.4},
                     "net_change": {"security": {"median": -0.01}, "energy": {"median": -0.2}},
                     "spread_median": 0.2, "spread_p05": 0.1, "spread_p95": 0.3},
         "milestones": {"single_currency": {"track": "monetary", "threshold": 0.8, "p_by_end": 0.002,
                                            "median_date": None}},
         "classes": {"regression": 0.6, "stagnation": 0.1, "uneven_progress": 0.3, "smooth_progress": 0.0},
         "classes_se": {"regression": 0.01, "stagnation": 0.01, "uneven_progress": 0.01, "smooth_progress": 0.0}}
    words = text.narrative(s)
    assert "not clearly progressive: only in 30.0% ± 1.0%" in words
    assert "security falls least" in words and "energy falls most" in words
    assert "single currency (monetary ≥ 0.8) in <1%" in words
    assert "does not hold" in words and "fails at all 81 points" in words
    assert "within two standard errors" in words   # P(setback | progress) is 1 SE above its threshold


def test_plot_cli_redraws_one_run_and_compares_two(folder, tmp_path, capsys):
    redrawn = tmp_path / "redrawn"
    redrawn.mkdir()
    (redrawn / "results.nc").symlink_to(folder / "results.nc")
    plot_main([str(redrawn)])
    assert (redrawn / "report.md").read_text() == (folder / "report.md").read_text()
    assert_figure(redrawn / "figures" / "fan_chart.png")
    other = tmp_path / "other"
    results.save(run(SMALL + ["model.events.sanctions.rate=0"]), (other.mkdir() or other) / "results.nc")
    out = tmp_path / "cmp"
    plot_main([str(redrawn), str(other), "--out", str(out)])
    assert str(out) in capsys.readouterr().out
    text = (out / "report.md").read_text()
    assert "paired per trajectory" in text and "difference ± SE" in text
    for name in ("fan_chart", "milestones", "classes", "tracks", "setbacks"):
        assert_figure(out / "figures" / f"{name}.png")


@pytest.mark.parametrize("make", ["missing", "empty"])
def test_plot_cli_refuses_a_folder_that_is_not_a_run_with_one_line(tmp_path, capsys, monkeypatch, make):
    from sim.command import guard

    target = tmp_path / "nothing"
    if make == "empty":
        target.mkdir()
    monkeypatch.setattr(sys, "argv", ["sim.plot", str(target)])
    with pytest.raises(SystemExit) as stop:
        guard("sim.plot", plot_main)
    assert stop.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("sim.plot: error:") and str(target) in err[0]


def test_paired_differences_use_per_trajectory_errors():
    x = np.array([0.0, 1.0, 0.0, 1.0])
    a, b = comparison.estimate(x), comparison.estimate(x + 0.5)
    d, se = comparison.difference(a, b, is_paired=True)
    assert (d, se) == (0.5, 0.0)
    d, se = comparison.difference(a, b, is_paired=False)
    assert d == 0.5 and se == pytest.approx(np.hypot(a.se, b.se))


class Tty(io.StringIO):
    def __init__(self, tty: bool):
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


def test_progress_line_on_a_terminal_and_a_line_a_minute_in_a_log(monkeypatch):
    clock = [0.0]
    monkeypatch.setattr(progress.time, "monotonic", lambda: clock[0])
    quiet = Tty(False)
    bar = progress.Bar("blocks", quiet)
    bar(1, 4)
    bar(4, 4)
    assert quiet.getvalue() == ""   # a short command's log holds no progress
    log = Tty(False)
    bar = progress.Bar("blocks", log)
    for done, t in ((1, 30.0), (2, 61.0), (3, 90.0), (4, 95.0)):
        clock[0] = t
        bar(done, 4)
    lines = log.getvalue().splitlines()
    assert len(lines) == 2 and "2/4" in lines[0] and "left" in lines[0] and "4/4" in lines[1]
    assert "\r" not in log.getvalue()
    loud = Tty(True)
    bar = progress.Bar("blocks", loud)
    bar(1, 4)
    assert "1/4" in loud.getvalue() and "left" in loud.getvalue() and not loud.getvalue().endswith("\n")
    bar(4, 4)
    assert loud.getvalue().endswith("\n") and "4/4" in loud.getvalue()


def test_progress_time_left_follows_the_recent_pace(monkeypatch):
    clock = [0.0]
    monkeypatch.setattr(progress.time, "monotonic", lambda: clock[0])
    bar = progress.Bar("months", Tty(False))
    for done in range(1, 81):  # units that grow dearer: the k-th takes k seconds
        clock[0] += done
        bar(done, 100)
    assert "~" + progress._clock(20 * (61 + 80) / 2) + " left" in bar.line(80, 100)  # 20 units at the pace of the last quarter (60 to 80)
    steady = progress.Bar("blocks", Tty(False))
    for done in range(1, 5):
        clock[0] += 10.0
        steady(done, 8)
    assert "~40 s left" in steady.line(4, 8)


def test_progress_names_a_long_stage_and_keeps_a_log_alive_through_it(monkeypatch):
    clock = [0.0]
    monkeypatch.setattr(progress.time, "monotonic", lambda: clock[0])
    log = Tty(False)
    bar = progress.Bar("calibrating", log)
    bar.doing("before any total")   # nothing to show yet
    bar(0, 10)
    bar(3, 10)
    for move in range(1, 4):        # one unit's stage, minutes long: the log hears of it every minute
        clock[0] += 70.0
        bar.doing(f"2021-12: moving the sets, {move} of at most 12")
    lines = log.getvalue().splitlines()
    assert len(lines) == 3 and all("3/10 (2021-12: moving the sets" in line for line in lines)
    assert "3 of at most 12" in lines[-1]
    clock[0] += 70.0
    bar(4, 10)                      # the work advances: the stage ends with the unit
    assert "4/10, " in log.getvalue().splitlines()[-1]
    loud = Tty(True)
    bar = progress.Bar("calibrating", loud)
    bar(3, 10)
    bar.doing("2021-12: refiltering with 800 particles a set")
    bar(4, 10)                      # a shorter line blanks what the longer one left on the terminal
    last = loud.getvalue().split("\r")[-1]
    assert last.startswith("calibrating") and "refiltering" not in last
    assert len(last) == len(loud.getvalue().split("\r")[-2])
