"""Composing the configs of configs/ (Hydra's compose API) and turning them into a validated spec."""

from __future__ import annotations

import logging
from pathlib import Path

from omegaconf import DictConfig, OmegaConf

from .. import months, rng
from ..record import derived
from ..record.events import load_events
from ..record.indicators import load_indicators
from ..errors import ConfigError
from . import design, sources
from .validate import RunSpec, from_config, parse_month

CONFIG_DIR = Path(__file__).resolve().parents[2] / "configs"
MODEL_DIR = CONFIG_DIR / "model"
HORIZON_YEARS = 20  # run.end null: the forecast's length
log = logging.getLogger("sim")


def compose(overrides: list[str] | tuple[str, ...] = ()) -> DictConfig:
    """The config the CLI would see for these overrides, composed without running anything; the files a
    user edits are checked to hold data only, and a group must be chosen by a file's name (sources.py)."""
    from hydra import compose as hydra_compose, initialize_config_dir

    sources.check_choices(overrides, CONFIG_DIR)
    sources.check_files(CONFIG_DIR)
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base=None):
        cfg = hydra_compose(config_name="config", overrides=list(overrides))
    check_not_drawn(cfg, overrides)
    return cfg


def default_choice(group: str) -> str:
    """The config a group takes when no override names one (configs/config.yaml's defaults list)."""
    for item in OmegaConf.load(CONFIG_DIR / "config.yaml").defaults:
        if isinstance(item, DictConfig) and group in item:
            return str(item[group])
    raise KeyError(group)


def check_not_drawn(cfg: DictConfig, overrides: list[str] | tuple[str, ...]) -> None:
    """Refuse an override of a key the model draws for every future from its parameter sets (model=calibrated):
    the drawn values would replace it without a word."""
    name = cfg.model.get("parameter_sets")
    if not name or not (MODEL_DIR / name).is_file():  # a missing file is named where the sets are read
        return
    keys = design.load(MODEL_DIR / name)[0]
    for override in overrides:
        key, _, value = override.lstrip("+~").partition("=")
        if key in keys:
            raise ConfigError(key, value, f"is drawn for every future from the posterior ({name}) under this model; "
                                          "to set it, use model=default (one value per parameter) or a scenario's changes")


def window(cfg: DictConfig) -> DictConfig:
    """The config with its window fixed: run.start null is the model's initial date, or where the
    record ends (so that an extended record moves the default forecast); run.end null is 20 years on."""
    start, end = cfg.run.start, cfg.run.end
    if start is None:
        initial = cfg.model.get("initial_date")
        start = initial if initial is not None else months.text(derived.end_month(load_events(), load_indicators()))
    if end is None:
        end = months.text(parse_month("run.start", str(start)) + 12 * HORIZON_YEARS)
    return OmegaConf.merge(cfg, {"run": {"start": str(start), "end": str(end)}})


def settled(cfg: DictConfig) -> dict:
    """The config as a plain mapping with its window fixed and interpolations resolved (what validation reads)."""
    return OmegaConf.to_container(window(cfg), resolve=True)


def prepare(cfg: DictConfig) -> tuple[RunSpec, int, str]:
    """Validate the config with its window fixed; fix the seed (fresh entropy for `run.seed=null`);
    the resolved config, as the run records it."""
    cfg = window(cfg)
    spec = from_config(settled(cfg))
    seed = spec.run.seed if spec.run.seed is not None else rng.fresh_seed()
    if spec.run.seed is None:
        log.info("run.seed=null: drew fresh seed %d (recorded in results.nc and summary.json)", seed)
        cfg = OmegaConf.merge(cfg, {"run": {"seed": seed}})
    return spec, seed, OmegaConf.to_yaml(cfg, resolve=True)
