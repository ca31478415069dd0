"""One run, end to end: config → validated spec → ensemble → files. Shared by the CLI and the API."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import xarray as xr
from omegaconf import DictConfig, OmegaConf

from . import executors, outlook, parameter_sets, progress, report, results, rng, summary
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


def simulate_spec(spec: RunSpec, seed: int, config_yaml: str, store: executors.Store | None = None) -> xr.Dataset:
    """The ensemble as a Dataset: every path, or in summary mode the merged block summaries.

    With a store, each block is saved as it finishes and blocks already there are reused.
    """
    design = parameter_sets.design(spec, seed, CONFIG_DIR)
    jobs = executors.jobs(spec, seed, design)
    finished = executors.run(jobs, spec.run, store, progress.Bar("simulating blocks"))
    if summary.chosen(spec.run):
        return summary.to_dataset(spec, summary.collect(arrays for _, arrays in finished),
                                  results.attributes(spec, seed, config_yaml))
    blocks = dict(finished)
    return results.assemble(spec, [blocks[b] for b in range(len(jobs))], seed, config_yaml)


def run(cfg: DictConfig, out_dir: Path) -> dict:
    """Run the configured ensemble and write results.nc, figures, report.md and summary.json (last) to out_dir."""
    spec, seed, config_yaml = prepare(cfg)
    (out_dir / "summary.json").unlink(missing_ok=True)  # a reused folder is unfinished until the end
    store = executors.Store.for_run(out_dir / "blocks", spec, seed, config_yaml)
    ds = simulate_spec(spec, seed, config_yaml, store)
    summary = outlook.summarize(ds, spec.analysis)
    results.save(ds, out_dir / "results.nc")
    store.remove()  # the finished blocks are in results.nc now
    report.publish(ds, out_dir, spec.analysis, spec.run.sample_paths)
    tmp = out_dir / ".summary.json.partial"
    tmp.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    os.replace(tmp, out_dir / "summary.json")
    print(outlook.headline(summary))
    print(f"Results in {out_dir}")
    return summary
