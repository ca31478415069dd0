"""The calibration: fit the uncertain parameters to the record 1999-12 → 2021-11.

Approximate Bayesian computation with common random numbers. Candidates are a scrambled
Sobol sample of the prior box (`calibration.parameters`); every candidate runs the same
`replications` trajectories (one block with the same random streams), so two candidates
differ only by their parameters. A candidate is admissible when its yearly rates of disputes
and programmes lie within `tolerance` standard errors of the record's; the best `accept`
share of the admissible ones by CRPS against the event-coded index (every twelfth month; the
composite weighs as much as the five tracks together, since the verdict is about the
composite) are the accepted parameter sets. They are written to
calibrated.yaml (their medians) and calibrated_sets.csv (all of them) in the output folder;
installed into configs/model/ (`python -m sim.calibrate install DIR`), `model=calibrated` uses them: each trajectory of a forecast draws one accepted set. The number of
composite setback episodes is reported beside the index's, not fitted (see experiments/backtest).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from scipy.stats import qmc

from .. import files, rng
from ..analysis import scores
from ..config.compose import compose, prepare
from ..config.design import with_design
from ..config.validate import RunSpec, from_config, section
from ..errors import ConfigError, ResultsError
from ..model import engine
from ..record import index as historical
from ..results import measures
from ..run import executors
from .backtest.run import RECORD_EVENTS, record_counts, scoring_months, with_composite

SETS_FILE = "calibrated_sets.csv"
MODEL_FILE = "calibrated.yaml"


def candidates(settings, generator: np.random.Generator) -> tuple[list[str], np.ndarray]:
    """Parameter keys and a scrambled Sobol sample (points, keys) of their prior box."""
    names = list(vars(settings.parameters))
    spec = [getattr(settings.parameters, n) for n in names]
    for name, p in zip(names, spec):
        if not p.low < p.high:
            raise ConfigError(f"calibration.parameters.{name}", [p.low, p.high], "needs low < high")
    if settings.points & (settings.points - 1):
        raise ConfigError("calibration.points", settings.points, "must be a power of 2 (a balanced Sobol sample)")
    unit = qmc.Sobol(len(spec), scramble=True, seed=generator).random_base2(settings.points.bit_length() - 1)
    return [p.key for p in spec], qmc.scale(unit, [p.low for p in spec], [p.high for p in spec])


def point_spec(spec: RunSpec, keys: list[str], values: np.ndarray) -> RunSpec:
    """The backtest spec with one candidate's values."""
    return from_config(with_design(spec.config, dict(zip(keys, values)), slice(None)))


def evaluate(spec: RunSpec, seed: int, n: int, observed: np.ndarray, years: float) -> tuple:
    """CRPS against the index, yearly event rates and mean composite setbacks of one candidate."""
    result = engine.run_block(spec, seed, 0, n)  # block 0 for every candidate: common random numbers
    at = scoring_months(spec.months)
    levels = with_composite(result.levels[at].transpose(2, 0, 1).astype(float), np.ravel(spec.model.weights))
    per_series = scores.crps_ensemble(levels, observed).mean(axis=0)
    crps = float((per_series[:-1].mean() + per_series[-1]) / 2)  # the tracks together weigh as the composite
    rates = {kind: float(result.counts[kind].mean() / years) for kind in RECORD_EVENTS}
    return crps, rates, float(composite_setbacks(result.levels.transpose(2, 0, 1), spec).mean())


def composite_setbacks(levels: np.ndarray, spec: RunSpec) -> np.ndarray:
    """Setback episodes of the composite of (n, months, tracks) levels, by the run's analysis rule."""
    composite = measures.composite(levels.astype(float), spec.model.weights)
    return measures.setback_episodes(composite, spec.analysis.epsilon, spec.analysis.window_months)


def calibrate(overrides: list[str], out_dir: Path) -> dict:
    """Run the calibration; write calibration.json and the calibrated model (calibrated.yaml and its
    sets) to out_dir. `install` copies the model into configs/model/."""
    cfg = compose(["experiment=backtest", *overrides])
    spec, seed, _ = prepare(cfg)
    settings = section(spec.config, "calibration", spec.tracks)
    backtest = section(spec.config, "backtest", spec.tracks)
    events = historical.load_events(tracks=spec.tracks)
    paths = historical.index_paths(events, backtest.index, spec.tracks, spec.run.start, spec.months,
                                   backtest.draws, rng.stream(backtest.seed, 0, "historical-index"))
    observed = np.median(with_composite(paths, np.ravel(spec.model.weights)), axis=0)[scoring_months(spec.months)]
    years = (spec.months - 1) / 12
    window = [(spec.run.start + 1, spec.run.end)]
    record = {kind: float(record_counts(events, kind, window)[0] / years) for kind in RECORD_EVENTS}
    setback_range = np.quantile(composite_setbacks(paths, spec), [0.05, 0.95])

    keys, points = candidates(settings, rng.stream(settings.seed, 0, "calibration-design"))
    jobs = [(point_spec(spec, keys, p), settings.seed, settings.replications, observed, years)
            for p in points]  # every candidate validated before any runs
    outcomes = executors.map_in_order(evaluate, jobs, spec.run, len(jobs) * settings.replications * (spec.months - 1))
    crps = np.array([o[0] for o in outcomes])
    rates = {kind: np.array([o[1][kind] for o in outcomes]) for kind in RECORD_EVENTS}
    setbacks = np.array([o[2] for o in outcomes])
    z = {kind: (rates[kind] - record[kind]) / np.sqrt(record[kind] / years + rates[kind] / years / settings.replications)
         for kind in RECORD_EVENTS}
    admissible = np.all([np.abs(v) <= settings.tolerance for v in z.values()], axis=0)
    if not admissible.any():
        raise ConfigError("calibration.tolerance", settings.tolerance,
                          "no candidate matches the record's event rates; widen the priors or the tolerance")
    keep = max(1, int(round(settings.accept * admissible.sum())))
    order = np.flatnonzero(admissible)[np.argsort(crps[admissible], kind="stable")][:keep]
    accepted = points[order]

    out_dir.mkdir(parents=True, exist_ok=True)
    write_model(keys, accepted, crps[order], settings, out_dir)
    report = {
        "seed": settings.seed, "points": len(points), "replications": settings.replications,
        "admissible": int(admissible.sum()), "accepted": len(order), "record_rates": record,
        "record_setbacks_90": setback_range.tolist(), "accepted_setbacks": setbacks[order].tolist(),
        "keys": keys, "accepted_sets": accepted.tolist(), "accepted_crps": crps[order].tolist(),
        "best_crps": float(crps[order[0]]), "median_crps_all": float(np.median(crps)),
        "candidates": {"values": points.tolist(), "crps": crps.tolist(),
                       "rates": {k: v.tolist() for k, v in rates.items()}, "setbacks": setbacks.tolist()},
    }
    files.write_text(out_dir / "calibration.json", json.dumps(report, indent=1) + "\n")
    return report


def write_model(keys: list[str], accepted: np.ndarray, crps: np.ndarray, settings, folder: Path) -> None:
    """calibrated.yaml (medians, with their spread as provenance) and the sets' CSV, in folder."""
    tree: dict = {}
    for key, column in zip(keys, accepted.T):
        node = tree
        *parents, leaf = key.split(".")[1:]
        for part in parents:
            node = node.setdefault(part, {})
        low, high = np.quantile(column, [0.05, 0.95])
        node[leaf] = (float(np.median(column)), f"calibrated: median of {len(column)} accepted sets, "
                                                f"90 % of them in [{low:.3g}, {high:.3g}]")

    def lines(node: dict, indent: int) -> list[str]:
        out = []
        for name, value in node.items():
            if isinstance(value, dict):
                out += [" " * indent + f"{name}:"] + lines(value, indent + 2)
            else:
                text = " " * indent + f"{name}: {value[0]:.4g}"
                out.append(f"{text:<28} # {value[1]}")
        return out

    header = [
        "# The reference model fitted to the record 1999-12 → 2021-11 (docs/MODEL.md, experiments/backtest).",
        "# Written by: python -m sim.calibrate  — do not edit by hand; re-run it instead.",
        f"# {settings.points} candidates × {settings.replications} replications, seed {settings.seed}; "
        f"best mean CRPS {crps.min():.4f}.",
        "defaults:",
        "  - reference",
        "  - _self_",
        "",
        f"parameter_sets: {SETS_FILE}  # calibrated: each trajectory draws one accepted set (parameter uncertainty)",
    ]
    files.write_text(folder / MODEL_FILE, "\n".join(header + lines(tree, 0)) + "\n")
    table = np.vstack([keys, *[[f"{v:.6g}" for v in row] for row in accepted]])
    with files.atomic(folder / SETS_FILE) as tmp:
        np.savetxt(tmp, table, fmt="%s", delimiter=",")


def install(calibration_dir: Path, model_dir: Path) -> list[str]:
    """Copy a finished calibration's model into model_dir (configs/model/); lines saying what it replaced."""
    calibration_dir = Path(calibration_dir)
    if not (calibration_dir / "calibration.json").exists():
        raise ResultsError(f"{calibration_dir}: not a finished calibration (no calibration.json)")
    said = []
    for name in (SETS_FILE, MODEL_FILE):  # the sets first: the model file names them
        target = model_dir / name
        old = target.read_text().splitlines()[2] if name == MODEL_FILE and target.exists() else ""
        files.write_text(target, (calibration_dir / name).read_text())
        said.append(f"replaced {target}" + (f" (was: {old.lstrip('# ')})" if old else ""))
    return said
