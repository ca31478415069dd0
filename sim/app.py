"""One run, end to end: config → validated spec → ensemble → files. Shared by the CLI and the API."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import xarray as xr
from omegaconf import DictConfig, OmegaConf

from . import engine, outlook, parameter_sets, progress, report, results, rng
from .params import RunSpec, from_config

CONFIG_DIR = Path(__file__).resolve().parent.parent / "configs"
log = logging.getLogger("sim")


def compose(overrides: list[str] | tuple[str, ...] = ()) -> DictConfig:
    """The config the CLI would see for these overrides, composed without running anything."""
    from hydra import compose as hydra_compose, initialize_config_dir

    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base=None):
        return hydra_compose(config_name="config", overrides=list(overrides))


def prepare(cfg: DictConfig) -> tuple[RunSpec, int, str]:
    """Validate the config; fix the seed (fresh entropy for `run.seed=null`) and record it."""
    spec = from_config(OmegaConf.to_container(cfg, resolve=True))
    seed = spec.run.seed if spec.run.seed is not None else rng.fresh_seed()
    if spec.run.seed is None:
        log.info("run.seed=null: drew fresh seed %d (recorded in results.nc and summary.json)", seed)
        cfg = OmegaConf.merge(cfg, {"run": {"seed": seed}})
    return spec, seed, OmegaConf.to_yaml(cfg, resolve=True)


def simulate_spec(spec: RunSpec, seed: int, config_yaml: str) -> xr.Dataset:
    """The ensemble as a Dataset, in memory."""
    design = parameter_sets.design(spec, seed, CONFIG_DIR)
    blocks = engine.run_blocks(spec, seed, design, progress=progress.Bar("simulating blocks"))
    return results.assemble(spec, blocks, seed, config_yaml)


def run(cfg: DictConfig, out_dir: Path) -> dict:
    """Run the configured ensemble and write results.nc, figures, report.md and summary.json (last) to out_dir."""
    spec, seed, config_yaml = prepare(cfg)
    ds = simulate_spec(spec, seed, config_yaml)
    summary = outlook.summarize(ds, spec.analysis)
    out_dir.mkdir(parents=True, exist_ok=True)
    results.save(ds, out_dir / "results.nc")
    report.publish(ds, out_dir, spec.analysis, spec.run.sample_paths)
    tmp = out_dir / ".summary.json.partial"
    tmp.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    os.replace(tmp, out_dir / "summary.json")
    print(outlook.headline(summary))
    print(f"Results in {out_dir}")
    return summary
