"""`python -m sim.sweep SWEEP_DIR`: one table across the jobs of a multirun folder, and a figure.

Each job folder holds .hydra/overrides.yaml and summary.json; a row is the job's overrides
(one column per key) and its outlook (verdict, class shares, milestones, composite). Keys that
take several values are the swept parameters; run.seed is a replication, pooled in the figure.
Two swept parameters give a heatmap of the verdict, otherwise P(progress) against each one.
Multiruns of `python -m sim` write this summary themselves (SweepSummary, a Hydra callback).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd
from hydra.experimental.callback import Callback
from omegaconf import OmegaConf

from .cli import USAGE
from .results import ResultsError

SEED = "run.seed"


def _value(text: str) -> int | float | str:
    """An override's value as a number when it is one (so numeric sweeps sort and plot as numbers)."""
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def _flatten(summary: dict) -> dict:
    verdict = summary.get("verdict", {})
    row = {k: v for k, v in verdict.items() if isinstance(v, (int, float, bool))}
    row |= {f"share_{k}": v for k, v in summary.get("classes", {}).items() if isinstance(v, (int, float))}
    row |= {f"p_{k}": m["p_by_end"] for k, m in summary.get("milestones", {}).items()
            if isinstance(m, dict) and "p_by_end" in m}
    row |= {f"composite_{k}": v for k, v in summary.get("composite", {}).items() if isinstance(v, (int, float))}
    return row


def table(sweep_dir: Path) -> tuple[pd.DataFrame, list[str], float]:
    """Rows per finished job, the override keys (in order) and the thesis' P(progress) threshold."""
    rows, keys, threshold = [], {}, float("nan")
    for job in sorted(p.parent.parent for p in Path(sweep_dir).glob("*/.hydra/overrides.yaml")):
        if not (job / "summary.json").exists():
            continue
        overrides = OmegaConf.to_container(OmegaConf.load(job / ".hydra" / "overrides.yaml")) or []
        pairs = dict(o.lstrip("+~").split("=", 1) for o in overrides if "=" in o)
        summary = json.loads((job / "summary.json").read_text())
        threshold = summary.get("verdict", {}).get("thresholds", {}).get("p_progress", threshold)
        keys |= dict.fromkeys(pairs)
        rows.append({"job": job.name, **{k: _value(v) for k, v in pairs.items()}, **_flatten(summary)})
    if not rows:
        raise ResultsError(f"{sweep_dir}: no finished sweep jobs (job folders with .hydra/overrides.yaml "
                           "and summary.json)")
    return pd.DataFrame(rows), list(keys), threshold


def summarize(sweep_dir: str | Path) -> Path:
    """Write SWEEP_DIR/sweep.csv and SWEEP_DIR/sweep.png; return the CSV's path."""
    from .sensitivity_plots import sweep_heatmap, sweep_lines

    sweep_dir = Path(sweep_dir)
    grid, keys, threshold = table(sweep_dir)
    csv = sweep_dir / "sweep.csv"
    grid.to_csv(csv, index=False)
    varied = [k for k in keys if grid[k].astype(str).nunique() > 1]
    swept = [k for k in varied if k != SEED] or varied or keys[:1] or ["job"]
    if len(swept) == 2:
        sweep_heatmap(grid, swept[0], swept[1], threshold, sweep_dir / "sweep.png")
    else:
        sweep_lines(grid, swept, threshold, sweep_dir / "sweep.png")
    return csv


class SweepSummary(Callback):
    """Hydra callback: at the end of a multirun, summarise its folder (sweep.csv, sweep.png)."""

    def on_multirun_end(self, config, **kwargs) -> None:
        csv = summarize(config.hydra.sweep.dir)
        print(f"Sweep summary in {csv} and {csv.with_suffix('.png')}")


def main(argv: list[str]) -> int | None:
    if len(argv) != 1:
        print("usage: python -m sim.sweep SWEEP_DIR", file=sys.stderr)
        return USAGE
    csv = summarize(argv[0])
    print(f"Sweep summary in {csv} and {csv.with_suffix('.png')}")


if __name__ == "__main__":
    from .cli import guard

    guard("sim.sweep", main)
