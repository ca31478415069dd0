"""What a run hands on: a self-contained report.html (checked in a real headless Chromium), outlook.csv
readable without xarray, a report that says what was run, and comparisons named by what differs."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
from pathlib import Path

import pytest
import xarray as xr

from sim.analysis import identity
from sim.app import run as app_run
from sim.config.compose import compose
from tests.conftest import run

SMALL = ["model=reference", "run.trajectories=300", "run.block_size=150", "run.end=2026-12"]
CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
# As root on a closed network: no sandbox, no GPU, no background connections (README of the CI machine).
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync")


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    path = tmp_path_factory.mktemp("run")
    (path / ".hydra").mkdir()
    (path / ".hydra" / "overrides.yaml").write_text("- model=reference\n- model.events.dispute.rate=0.5\n")
    app_run(compose(SMALL + ["model.events.dispute.rate=0.5"]), path)
    return path


def test_report_says_what_was_run_and_drops_events_that_never_happen(folder):
    text = (folder / "report.md").read_text()
    summary = json.loads((folder / "summary.json").read_text())
    assert text.startswith("# Integration outlook of the Union State: scenario baseline, model reference")
    assert "`model.events.dispute.rate=0.5`" in text
    assert summary["overrides"] == ["model=reference", "model.events.dispute.rate=0.5"]
    events = text.split("## Events")[1].split("##")[0]
    for name, x in summary["events"].items():
        assert (f"| {name.replace('_', ' ')} |" in events) == (x["mean"] > 0)
    for heading in ("## Forecast questions", "## Limitations", "What the event types are"):
        assert heading in text
    for qid, q in summary["questions"].items():
        assert f"`{qid}`" in text and f"{q['p']:.1%} ± {q['p_se']:.1%}" in text


def test_start_state_is_rendered_when_the_summary_has_one():
    from sim.report import notes

    s = {"start": "2021-11", "end": "2041-12", "overrides": []}
    assert "Start state" not in notes.what_was_run(s)
    s["start_state"] = {"last_record": "2023-12", "levels": {"energy": 0.52}}
    assert "last record 2023-12; levels energy 0.52" in notes.what_was_run(s)
    assert "starting from the state filtered on the record up to then" in notes.what_was_run(s)
    s["start"] = "2030-01"  # after the record's end: filtered to 2023-12, then predicted
    assert "filtered on the record to its end (2023-12) and predicted from there" in notes.what_was_run(s)


def test_a_run_that_names_no_model_is_titled_by_the_one_configs_choose():
    ds = xr.Dataset(attrs={"overrides": json.dumps(["run.seed=3"]), "scenario": "baseline"})
    assert identity.title(ds) == "scenario baseline, model calibrated"
    ds.attrs["overrides"] = json.dumps(["model=reference", "run.workers=2"])
    assert identity.title(ds) == "scenario baseline, model reference"


def test_outlook_csv_reads_without_xarray(folder):
    with (folder / "outlook.csv").open(newline="") as handle:
        table = list(csv.DictReader(handle))
    summary = json.loads((folder / "summary.json").read_text())
    sections = {row["section"] for row in table}
    assert sections == {"band", "milestone", "class", "question", "verdict"}
    bands = [r for r in table if r["section"] == "band" and r["name"] == "composite" and r["statistic"] == "p50"]
    assert len(bands) == len({r["date"] for r in table if r["section"] == "band"}) > 12
    for qid, q in summary["questions"].items():
        (row,) = [r for r in table if r["section"] == "question" and r["name"] == qid]
        assert float(row["value"]) == pytest.approx(q["p"], abs=1e-5) and row["date"] == q["resolves"]


def test_comparisons_are_named_by_what_differs():
    a = run(["run.trajectories=60", "run.block_size=60", "run.end=2023-12"])
    b = run(["run.trajectories=60", "run.block_size=60", "run.end=2023-12", "model.events.dispute.rate=0.8"])
    assert identity.labels([a, b], ["x", "y"]) == ["dispute.rate=0.4", "dispute.rate=0.8"]
    assert identity.differences([a, b]) == {"model.events.dispute.rate": [0.4, 0.8]}
    assert identity.labels([a, a], ["x", "y"]) == ["x", "y"]
    assert identity.folder_label(["dispute.rate=0.4", "a b/c"]) == "dispute.rate=0.4_vs_a-b-c"


def test_html_report_is_self_contained(folder):
    page = (folder / "report.html").read_text()
    assert page.count("<img ") == len(list((folder / "figures").glob("*.png"))) >= 6
    assert not re.search(r'src="(?!data:image/png;base64,)', page) and "figures/" not in page
    assert (folder / "report.html").stat().st_size < 5_000_000 and "<table>" in page


@pytest.mark.slow
def test_html_report_renders_in_headless_chromium(folder, tmp_path):
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        if os.environ.get("CI"):
            pytest.fail("Chromium and chromedriver must be installed in CI (.ci/run installs them)")
        pytest.skip("Debian's chromium and chromium-driver are not installed here (apt-get install chromium "
                    "chromium-driver)")
    webdriver = pytest.importorskip("selenium.webdriver")
    alone = tmp_path / "handed_on"  # the page alone, without the run folder beside it
    alone.mkdir()
    shutil.copy(folder / "report.html", alone / "report.html")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=str(CHROMEDRIVER)))
    try:
        driver.get((alone / "report.html").as_uri())
        assert "scenario baseline, model reference" in driver.title
        images = driver.execute_script(
            "return Array.from(document.images).map(i => [i.complete, i.naturalWidth, i.naturalHeight]);")
        assert len(images) >= 6 and all(done and w > 300 and h > 100 for done, w, h in images), images
        assert driver.execute_script("return document.querySelectorAll('table').length") >= 8
        errors = [entry for entry in driver.get_log("browser") if entry["level"] in ("SEVERE", "ERROR")]
        assert not errors, errors
    finally:
        driver.quit()
