"""The calibration's posterior as a model: sets.csv (draws of the parameters, at each month kept, as
the model keys they set), calibrated.yaml (the model on the record with its parameters drawn from
those sets, and the medians of the last as its point values), and `install` into configs/model/."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd

from ... import files, months
from ...errors import ResultsError
from ...inference.prior import Prior
from ...inference.smc2 import Posterior

SETS_FILE = "calibrated_sets.csv"
MODEL_FILE = "calibrated.yaml"
MARKER = "calibration.json"


def write(path: Path, prior: Prior, config: Mapping[str, Any], posterior: Posterior) -> None:
    """The posterior draws of every month kept, one row per draw: record_until, then the model keys."""
    frames = []
    for month, snapshot in sorted(posterior.snapshots.items()):
        frame = pd.DataFrame(prior.design(config, snapshot.theta))
        frame.insert(0, "record_until", months.text(month))
        frames.append(frame)
    with files.atomic(path) as tmp:
        pd.concat(frames).to_csv(tmp, index=False, float_format="%.6g")


def model_text(sets_csv: Path, summary: Mapping[str, Any]) -> str:
    """calibrated.yaml: the default model, parameter_sets naming the sets, the last month's medians as point values."""
    table = pd.read_csv(sets_csv)
    last = table[table.record_until == table.record_until.max()].drop(columns="record_until")
    tree: dict = {}
    for key, column in last.items():
        node = tree
        *parents, leaf = key.split(".")[1:]
        for part in parents:
            node = node.setdefault(part, {})
        low, high = np.quantile(column, [0.05, 0.95])
        node[leaf] = (float(np.median(column)), f"calibrated: posterior median given the record to {summary['record_until']}; "
                                                f"90 % in [{low:.3g}, {high:.3g}]")

    def lines(node: dict, indent: int) -> list[str]:
        out = []
        for name, value in node.items():
            if isinstance(value, dict):
                out += [" " * indent + f"{name}:"] + lines(value, indent + 2)
            else:
                out.append(f"{' ' * indent + f'{name}: {value[0]:.4g}':<30} # {value[1]}")
        return out

    header = [
        "# The model on the record with its uncertain parameters drawn from their posterior (docs/MODEL.md).",
        "# Written by: python -m sim.calibrate install — do not edit by hand; calibrate again instead.",
        f"# SMC² with {summary['settings']['sets']} parameter sets × {summary['settings']['particles']} particles, "
        f"seed {summary['seed']}, record to {summary['record_until']}; log evidence {summary['log_evidence']:.1f}.",
        "defaults:",
        "  - default",
        "  - _self_",
        "",
        f"parameter_sets: {SETS_FILE}  # calibrated: each forecast draws its parameters from the posterior given the record to its start",
    ]
    return "\n".join(header + lines(tree, 0)) + "\n"


def install(calibration_dir: Path, model_dir: Path) -> list[str]:
    """Put a finished calibration in use as model=calibrated; lines saying what it replaced."""
    calibration_dir = Path(calibration_dir)
    if not (calibration_dir / MARKER).exists():
        raise ResultsError(f"{calibration_dir}: not a finished calibration (no {MARKER})")
    summary = json.loads((calibration_dir / MARKER).read_text())
    said = []
    for name, text in ((SETS_FILE, (calibration_dir / SETS_FILE).read_text()),
                       (MODEL_FILE, model_text(calibration_dir / SETS_FILE, summary))):  # the sets first: the model names them
        target = model_dir / name
        old = target.read_text().splitlines()[2] if name == MODEL_FILE and target.exists() else ""
        files.write_text(target, text)
        said.append(f"replaced {target}" + (f" (was: {old.lstrip('# ')})" if old else ""))
    return said
