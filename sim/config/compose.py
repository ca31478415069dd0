"""Composing the configs of configs/ (Hydra's compose API) and turning them into a validated spec."""

from __future__ import annotations

import logging
from pathlib import Path

from omegaconf import DictConfig, OmegaConf

from .. import rng
from .validate import RunSpec, from_config

CONFIG_DIR = Path(__file__).resolve().parents[2] / "configs"
MODEL_DIR = CONFIG_DIR / "model"
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
