"""`python -m sim.plot RUN_DIR [RUN_DIR ...]`: redraw a run's figures and report from its results.nc.

With one run folder the figures and report.md are rewritten in place. With several, their
outlooks are overlaid and a comparison report is written to a new folder (or --out), whose
name is printed. A folder that is missing or holds no results gets one line and exit code 2.
"""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path

from .results import ResultsError, load

COMPARISONS = Path("outputs") / "comparison"


def _load(folder: Path):
    if not folder.exists():
        raise ResultsError(f"{folder}: no such run folder")
    return load(folder)


def _labels(datasets, folders: list[Path]) -> list[str]:
    """Scenario names, made unique with the folder name where two runs share a scenario."""
    names = [ds.attrs["scenario"] for ds in datasets]
    return [f"{n} ({f.name})" if names.count(n) > 1 else n for n, f in zip(names, folders)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sim.plot", description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", type=Path, metavar="RUN_DIR", help="run folders holding results.nc")
    parser.add_argument("--out", type=Path, help="folder for a comparison (default: outputs/comparison/A_vs_B/TIME)")
    args = parser.parse_args(argv)
    from . import outlook, report

    datasets = [_load(folder) for folder in args.runs]
    if len(datasets) == 1:
        path = report.publish(datasets[0], args.runs[0])
        print(f"Figures and report redrawn: {path}")
        return 0
    runs = [outlook.analyse(ds, label=label) for ds, label in zip(datasets, _labels(datasets, args.runs))]
    out = args.out or COMPARISONS / "_vs_".join(ds.attrs["scenario"] for ds in datasets) / (
        datetime.now().strftime("%Y-%m-%d_%H-%M-%S"))
    path = report.compare(runs, out, args.runs)
    print(f"Comparison of {len(runs)} runs written to {out}: {path.name} and figures/")
    return 0


if __name__ == "__main__":
    from .cli import guard

    guard("sim.plot", main)
