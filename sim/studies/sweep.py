"""A sweep's table across its jobs (sweep.csv) and its figure (sweep.png).

A sweep folder is what `python -m sim --multirun` makes: Hydra's multirun.yaml and one folder per
job with .hydra/overrides.yaml and, once finished, summary.json. A row is a job's overrides (one
column per key) and its outlook (verdict, class shares, milestones, composite). Keys that take
several values are the swept parameters; run.seed is a replication, pooled in the figure. Two
swept parameters give a heatmap of the verdict, otherwise P(progress) against each one. Folders
that are not this sweep's jobs are left out; jobs that did not finish are named, and the table is
written only when every job has finished.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from omegaconf import OmegaConf

from .. import files
from ..errors import ResultsError
from .sweep_figures import sweep_heatmap, sweep_lines

MARKER = "sweep.csv"  # a finished sweep's table
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


def jobs(sweep_dir: Path) -> tuple[dict[int, Path], int]:
    """This sweep's job folders by job number, and how many jobs it has."""
    from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
    from hydra.core.override_parser.overrides_parser import OverridesParser

    sweep_dir = Path(sweep_dir)
    spec = sweep_dir / "multirun.yaml"
    if not spec.exists():
        raise ResultsError(f"{sweep_dir}: not a sweep folder (no multirun.yaml; python -m sim --multirun makes one)")
    task = list(OmegaConf.load(spec).hydra.overrides.task)
    parsed = OverridesParser.create().parse_overrides(task)
    count = sum(len(batch) for batch in BasicSweeper.split_arguments(parsed, None))
    found = {}
    for record in sweep_dir.glob("*/.hydra/hydra.yaml"):
        hydra = OmegaConf.load(record).hydra
        if Path(hydra.sweep.dir).resolve() == sweep_dir.resolve() and 0 <= int(hydra.job.num) < count:
            found[int(hydra.job.num)] = record.parent.parent
    return found, count


def table(sweep_dir: Path) -> tuple[pd.DataFrame, list[str], float, list[int]]:
    """Rows per finished job, the override keys (in order), the thesis' P(progress) threshold and
    the numbers of the jobs that did not finish."""
    found, count = jobs(sweep_dir)
    rows, keys, threshold, missing = [], {}, float("nan"), []
    for num in range(count):
        job = found.get(num)
        if job is None or not (job / "summary.json").exists():
            missing.append(num)
            continue
        overrides = OmegaConf.to_container(OmegaConf.load(job / ".hydra" / "overrides.yaml")) or []
        pairs = dict(o.lstrip("+~").split("=", 1) for o in overrides if "=" in o)
        summary = json.loads((job / "summary.json").read_text())
        threshold = summary.get("verdict", {}).get("thresholds", {}).get("p_progress", threshold)
        keys |= dict.fromkeys(pairs)
        rows.append({"job": job.name, **{k: _value(v) for k, v in pairs.items()}, **_flatten(summary)})
    if not rows:
        raise ResultsError(f"{sweep_dir}: none of its {count} jobs has finished (no summary.json)")
    return pd.DataFrame(rows), list(keys), threshold, missing


def summarize(sweep_dir: str | Path) -> Path:
    """Write SWEEP_DIR/sweep.csv and SWEEP_DIR/sweep.png; return the CSV's path. A sweep with jobs that
    did not finish gets neither (sweep.csv marks a finished sweep): a ResultsError names those jobs."""
    sweep_dir = Path(sweep_dir)
    grid, keys, threshold, missing = table(sweep_dir)
    if missing:
        raise ResultsError(f"{sweep_dir}: {len(missing)} of {len(missing) + len(grid)} jobs did not finish "
                           f"(job {', '.join(map(str, missing))}: no summary.json); run the sweep again with "
                           "--out and --force to complete it")
    csv = sweep_dir / MARKER
    varied = [k for k in keys if grid[k].astype(str).nunique() > 1]
    swept = [k for k in varied if k != SEED] or varied or keys[:1] or ["job"]
    if len(swept) == 2:
        sweep_heatmap(grid, swept[0], swept[1], threshold, sweep_dir / "sweep.png")
    else:
        sweep_lines(grid, swept, threshold, sweep_dir / "sweep.png")
    files.write_text(csv, grid.to_csv(index=False))  # last: the table marks the sweep finished
    return csv
