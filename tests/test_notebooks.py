"""The notebooks run from top to bottom (slow: each starts a kernel and runs small ensembles)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def _execute(name: str, tmp_path: Path, monkeypatch, replace: dict[str, str] | None = None):
    """Run a notebook in a kernel (working folder: notebooks/, temporary files under tmp_path)."""
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # the kernel inherits it
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    for cell in notebook.cells:
        for old, new in (replace or {}).items():
            cell.source = cell.source.replace(old, new)
    client = nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(NOTEBOOKS)}})
    client.execute()
    return notebook


def _text(notebook) -> str:
    return "\n".join(out.get("text", "") + "".join(out.get("data", {}).get(k, "") for k in ("text/plain", "text/html"))
                     for cell in notebook.cells if cell.cell_type == "code" for out in cell.outputs)


def _images(notebook) -> int:
    return sum("image/png" in out.get("data", {}) for cell in notebook.cells if cell.cell_type == "code"
               for out in cell.outputs)


def test_notebooks_are_committed_without_outputs():
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        nbformat.validate(notebook)
        for cell in notebook.cells:
            if cell.cell_type == "code":
                assert not cell.outputs and cell.execution_count is None, f"{path.name} has outputs"


@pytest.mark.slow
def test_outlook_notebook_runs_two_scenarios_and_shows_their_figures(tmp_path, monkeypatch):
    notebook = _execute("01_outlook.ipynb", tmp_path, monkeypatch)
    text = _text(notebook)
    assert "Thesis 'uneven but progressive'" in text and "sanctions_relief" in text
    assert _images(notebook) == 2  # fan chart and milestones


@pytest.mark.slow
def test_sensitivity_notebook_runs_a_tiny_study_when_none_is_saved(tmp_path, monkeypatch):
    notebook = _execute("02_sensitivity.ipynb", tmp_path, monkeypatch,
                        {'"experiments" / "sensitivity" / "results"': '"experiments" / "no-such-study"'})
    text = _text(notebook)
    study = re.search(r"Sensitivity study 'default', seed \d+: (\d+) parameters, ([\d,]+) parameter points", text)
    assert study and int(study[2].replace(",", "")) == 16 * (int(study[1]) + 2)  # the notebook's tiny design, N = 16
    assert _images(notebook) == 3  # Sobol', Morris, PRIM boxes


@pytest.mark.slow
def test_backtest_notebook_scores_the_model_against_the_record(tmp_path, monkeypatch):
    notebook = _execute("03_backtest.ipynb", tmp_path, monkeypatch)
    text = _text(notebook)
    assert "Backtest of origins 2016–2022" in text and "climatology" in text
    assert _images(notebook) == 2  # skill and coverage
