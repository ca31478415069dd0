"""The sensitivity study end to end: Sobol, Morris and PRIM on one validated config; files and a report.

Writes to its output folder: sobol.csv, morris.csv, prim.csv (chosen boxes), prim_peeling.csv
(the trade-off), points.csv (A and B points with their outcome shares), summary.json (last) and
figures/. Everything is validated before the first trajectory runs.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd

from ... import files, rng
from ...errors import ResultsError
from . import config, ensemble, figures as plots, indices, prim

log = logging.getLogger("sim")

LABELS = {
    "p_progress": "P(progress)",
    "p_uneven": "P(uneven progress)",
    "setbacks": "setbacks per future",
    "delta_composite": "composite change",
    "p_milestone": "P({milestone} by the end)",
}


def output_labels(milestone: str) -> dict[str, str]:
    return {k: v.format(milestone=milestone.replace("_", " ")) for k, v in LABELS.items()}


def sobol(spec, settings, space, seed: int, start) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray, dict, float]:
    """Sobol indices of every output, the share of Monte Carlo noise, the design and its outcomes;
    every replication begins at its state in `start` (ensemble.starts)."""
    problem = space.problem()
    unit = indices.sobol_design(problem, settings.base_samples, seed)
    begun = time.perf_counter()
    sims = ensemble.evaluate(spec, space, unit, settings.replications, seed, settings.milestone,
                             settings.common_random_numbers, start)
    seconds = time.perf_counter() - begun
    rows, noise = [], []
    for output in ensemble.OUTPUTS:
        stats = ensemble.point_stats(sims[output])
        s = indices.sobol_indices(problem, stats.mean, settings.bootstrap, settings.confidence, seed)
        rows += [{"output": output, "parameter": name, **{k: float(v[i]) for k, v in s.items()}}
                 for i, name in enumerate(space.names)]
        ab = [0, -1]  # A and B: independent points (the AB_i rows repeat their columns)
        trajectories = sims[output][ab].astype(np.float64)
        noise.append({
            "output": output,
            "noise_share": indices.noise_share(stats.mean[ab], stats.noise_var[ab]),
            "parameter_share_single_future": 1 - float(trajectories.var(axis=-1, ddof=1).mean() / trajectories.var()),
        })
    return pd.DataFrame(rows), pd.DataFrame(noise), unit, sims, seconds


def morris(spec, settings, space, seed: int, start) -> pd.DataFrame:
    """Morris μ*, its interval and σ for every output (per unit of each input's probability range)."""
    problem = space.problem()
    unit = indices.morris_design(problem, settings.morris_trajectories, settings.morris_levels, seed)
    sims = ensemble.evaluate(spec, space, unit, settings.replications, seed, settings.milestone,
                             settings.common_random_numbers, start)
    rows = []
    for output in ensemble.OUTPUTS:
        mean = ensemble.point_stats(sims[output]).mean
        m = indices.morris_indices(problem, unit, mean, settings.morris_levels, settings.bootstrap,
                                   settings.confidence, seed)
        rows += [{"output": output, "parameter": name, **{k: float(v[i]) for k, v in m.items()}}
                 for i, name in enumerate(space.names)]
    return pd.DataFrame(rows)


def discovery(settings, space, unit: np.ndarray, sims: dict) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """PRIM boxes for each target class over the A and B points (y = the point's share of that class)."""
    x = space.values(unit[[0, -1]]).reshape(-1, len(space.names))
    bounds = space.values(np.array([0.0, 1.0])[:, None].repeat(len(space.names), 1)).T
    points = pd.DataFrame(x, columns=space.names)
    boxes, peeling = [], []
    for target in settings.prim_targets:
        y = sims[target][[0, -1]].mean(axis=-1).reshape(-1).astype(np.float64)
        points[target] = y
        trajectory, box = prim.discover(x, y, bounds, settings.prim_peel, settings.prim_min_mass,
                                        settings.prim_min_coverage)
        peeling += [{"target": target, "step": i, "coverage": b.coverage, "density": b.density, "mass": b.mass,
                     "restricted": len(b.restricted(bounds))} for i, b in enumerate(trajectory)]
        loss = prim.importance(x, y, box, bounds)
        base = float(y.mean())
        for d in sorted(loss, key=loss.get, reverse=True) or [None]:
            boxes.append({
                "target": target, "base_density": base, "density": box.density, "coverage": box.coverage,
                "mass": box.mass, "parameter": None if d is None else space.names[d],
                "low": None if d is None else float(box.low[d]), "high": None if d is None else float(box.high[d]),
                "range_low": None if d is None else float(bounds[d, 0]),
                "range_high": None if d is None else float(bounds[d, 1]),
                "density_loss_if_lifted": None if d is None else float(loss[d]),
            })
    return pd.DataFrame(boxes), pd.DataFrame(peeling), points


def describe_box(rows: pd.DataFrame) -> str:
    """'stagnation: 21 % of futures overall, 55 % in the box (coverage 52 %, 18 % of points) when …'."""
    first = rows.iloc[0]
    limits = []
    for _, r in rows.dropna(subset=["parameter"]).iterrows():
        if r["low"] > r["range_low"]:
            limits.append(f"{r['parameter']} ≥ {r['low']:.3g}")
        if r["high"] < r["range_high"]:
            limits.append(f"{r['parameter']} ≤ {r['high']:.3g}")
    where = " and ".join(limits) if limits else "anywhere (no box beats the whole space)"
    return (f"{first['target'].replace('_', ' ')}: {first['base_density']:.0%} of futures overall, "
            f"{first['density']:.0%} in the box (coverage {first['coverage']:.0%}, {first['mass']:.0%} of points) "
            f"when {where}")


def report(summary: dict) -> str:
    """The study's findings in a few lines: per output the leading parameters, noise, PRIM boxes."""
    lines = [f"Sensitivity study '{summary['name']}', seed {summary['seed']}: {summary['parameters']} parameters, "
             f"{summary['points']:,} parameter points × {summary['replications']} replications "
             f"= {summary['trajectories']:,} trajectories in {summary['seconds']:.0f} s "
             f"({summary['points_per_second']:.0f} points/s); with Morris, PRIM and figures "
             f"{summary['total_seconds']:.0f} s."]
    labels = output_labels(summary["milestone"])
    for output, entry in summary["sobol"].items():
        ranked = sorted(entry["indices"].items(), key=lambda kv: -kv[1]["ST"])[:3]
        top = ", ".join(f"{name} S1 {v['S1']:.2f}±{v['S1_conf']:.2f} ST {v['ST']:.2f}" for name, v in ranked)
        lines.append(f"  {labels[output]}: {top}; Monte Carlo noise {entry['noise_share']:.1%} of its variance; "
                     f"parameters explain {entry['parameter_share_single_future']:.0%} of a single future's")
    lines += [f"  {text}" for text in summary["prim"]]
    return "\n".join(lines)


def run(cfg: Mapping[str, Any], out: Path) -> dict:
    """Run the study on a composed plain config; write its files to `out`; return the summary."""
    spec, settings, space = config.load(cfg)
    seed = spec.run.seed if spec.run.seed is not None else rng.fresh_seed()
    if spec.run.seed is None:
        log.info("run.seed=null: drew fresh seed %d (recorded in summary.json)", seed)
    begun = time.perf_counter()
    start = ensemble.starts(spec, seed, settings.replications)  # the record filtered once, for both designs
    sobol_table, noise, unit, sims, seconds = sobol(spec, settings, space, seed, start)
    morris_table = morris(spec, settings, space, seed, start)
    boxes, peeling, points = discovery(settings, space, unit, sims)

    out.mkdir(parents=True, exist_ok=True)
    for name, table in (("sobol", sobol_table), ("morris", morris_table), ("noise", noise),
                        ("prim", boxes), ("prim_peeling", peeling), ("points", points)):
        table.to_csv(out / f"{name}.csv", index=False)
    labels = output_labels(settings.milestone)
    plots.sobol_bars(sobol_table, labels, out / "figures" / "sobol.png")
    plots.morris_plot(morris_table, labels, out / "figures" / "morris.png")
    plots.prim_tradeoff(peeling, boxes, out / "figures" / "prim_tradeoff.png")
    plots.prim_boxes(boxes, out / "figures" / "prim_boxes.png")

    n_points = unit.shape[0] * unit.shape[1]
    total = time.perf_counter() - begun
    summary = {
        "name": settings.name, "seed": seed, "parameters": len(space.names), "milestone": settings.milestone,
        "points": n_points, "replications": settings.replications,
        "trajectories": n_points * settings.replications, "seconds": seconds,
        "points_per_second": n_points / seconds, "total_seconds": total, "workers": spec.run.workers,
        "common_random_numbers": settings.common_random_numbers,
        "window": [cfg["run"]["start"], cfg["run"]["end"]],
        "space": {p.name: {"key": p.key, "dist": p.dist, "low": p.low, "high": p.high, "mode": p.mode,
                           "scale": p.scale} for p in space.parameters},
        "sobol": {
            output: {
                "noise_share": float(noise.set_index("output").loc[output, "noise_share"]),
                "parameter_share_single_future": float(
                    noise.set_index("output").loc[output, "parameter_share_single_future"]),
                "indices": {r["parameter"]: {k: r[k] for k in ("S1", "S1_conf", "ST", "ST_conf")}
                            for _, r in group.iterrows()},
            }
            for output, group in sobol_table.groupby("output", sort=False)
        },
        "prim": [describe_box(group) for _, group in boxes.groupby("target", sort=False)],
    }
    files.write_text(out / "summary.json", json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    print(report(summary))
    print(f"Results in {out}")
    return summary


def compare(dir_a: str, dir_b: str) -> dict[str, dict]:
    """Agreement of the first-order indices of two finished studies (e.g. two seeds), per output."""
    tables = []
    for folder in (dir_a, dir_b):
        path = Path(folder) / "sobol.csv"
        if not path.exists():
            raise ResultsError(f"{folder}: not a sensitivity study folder (no sobol.csv)")
        tables.append(pd.read_csv(path))
    a, b = tables
    if list(a["parameter"]) != list(b["parameter"]) or list(a["output"]) != list(b["output"]):
        raise ResultsError(f"{dir_a} and {dir_b}: the studies have different parameters or outputs")
    return {
        output: indices.agreement(
            {k: a.loc[a["output"] == output, k].to_numpy() for k in ("S1", "S1_conf")},
            {k: b.loc[b["output"] == output, k].to_numpy() for k in ("S1", "S1_conf")},
        )
        for output in dict.fromkeys(a["output"])
    }
