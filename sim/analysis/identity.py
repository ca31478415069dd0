"""What a run is — scenario, model, the overrides it was asked for — and how runs differ, for titles,
labels and the table of settings that differ."""

from __future__ import annotations

import json
import re

import xarray as xr
from omegaconf import OmegaConf

from ..config import compose

# Keys that say how a run was executed, not what it computed.
EXECUTION = ("run.workers", "run.executor", "run.scheduler", "run.resume", "run.parallel_above")


def overrides(ds: xr.Dataset) -> list[str]:
    """The overrides the run was asked for (recorded by the run), e.g. ['model=calibrated'], less those
    that say only how it was executed (its numbers do not depend on them)."""
    return [o for o in json.loads(ds.attrs.get("overrides") or "[]")
            if o.lstrip("+~").split("=", 1)[0] not in EXECUTION]


def model_name(ds: xr.Dataset) -> str:
    """The model config the run used: the last `model=NAME` override, else the one configs/config.yaml chooses."""
    chosen = [o.split("=", 1)[1] for o in overrides(ds) if o.lstrip("+").startswith("model=")]
    return chosen[-1] if chosen else compose.default_choice("model")


def start_state(ds: xr.Dataset) -> dict | None:
    """What the run starts from, for the report: the `start_state` the results record (JSON), and for a
    model tied to the record the last month of the record it was filtered on and the filter's figures
    (dataset.start_parts); None for a run from the model's judged initial state."""
    state = json.loads(ds.attrs.get("start_state") or "{}")
    state.update({key: ds.attrs[name] for key, name in (("last_record", "record_until"),
                                                         ("filter_particles", "filter_particles"),
                                                         ("parameter_sets", "parameter_sets"),
                                                         ("effective_sample_at_the_start", "filter_ess_end"),
                                                         ("least_effective_sample", "filter_ess_min"))
                  if name in ds.attrs})
    if "record_band" in ds:  # the filtered levels at the start: median (5–95 %)
        band = ds["record_band"].isel(record_time=-1)
        shown = [*(str(t) for t in ds["track"].values), "composite"]
        state["filtered_levels"] = {name: f"{band.sel(record_series=name).values[1]:.2f} "
                                          f"({band.sel(record_series=name).values[0]:.2f}–"
                                          f"{band.sel(record_series=name).values[2]:.2f})" for name in shown}
    return state or None


def title(ds: xr.Dataset) -> str:
    """e.g. 'scenario baseline, model calibrated'."""
    return f"scenario {ds.attrs['scenario']}, model {model_name(ds)}"


def settings(ds: xr.Dataset) -> dict[str, object]:
    """The run's resolved config as flat dotted keys (less how it was executed), with the model's name."""
    flat = {"model": model_name(ds)}
    _flatten(OmegaConf.to_container(OmegaConf.create(ds.attrs["config"]), resolve=True), "", flat)
    return {k: v for k, v in flat.items() if k not in EXECUTION}


def _flatten(value, prefix: str, out: dict) -> None:
    if isinstance(value, dict) and value:
        for key, sub in value.items():
            _flatten(sub, f"{prefix}{key}.", out)
    else:
        out[prefix.rstrip(".")] = value


def differences(datasets: list[xr.Dataset]) -> dict[str, list]:
    """{setting: its value in each run} for the settings that differ between runs. A scenario or model
    that differs is one row (`scenario.name`, `model`), not one row per key it sets."""
    flat = [settings(ds) for ds in datasets]
    keys = sorted({k for f in flat for k in f}, key=lambda k: (k != "model", k))
    grouped = [g for g in ("scenario", "model") if len({str(f.get(f"{g}.name" if g == "scenario" else g))
                                                        for f in flat}) > 1]
    out = {}
    for key in keys:
        values = [f.get(key) for f in flat]
        if len({json.dumps(v, sort_keys=True, default=str) for v in values}) > 1:
            group = key.split(".", 1)[0]
            if group in grouped and key not in ("scenario.name", "model"):
                continue
            out[key] = values
    return out


def labels(datasets: list[xr.Dataset], fallback: list[str]) -> list[str]:
    """A name per run from what differs, e.g. 'escalation' or 'dispute.rate=0.8'; `fallback` (e.g.
    folder names) where nothing differs."""
    diff = differences(datasets)
    if not diff:
        return list(fallback)
    names = []
    for i in range(len(datasets)):
        parts = [str(v[i]) if k in ("scenario.name", "model") else f"{'.'.join(k.split('.')[-2:])}={v[i]}"
                 for k, v in diff.items()]
        names.append(", ".join(parts[:3]) + (f" (+{len(parts) - 3})" if len(parts) > 3 else ""))
    return names if len(set(names)) == len(names) else [f"{n} ({f})" for n, f in zip(names, fallback)]


def folder_label(names: list[str]) -> str:
    """A folder name for a comparison: the runs' names joined by _vs_, in safe characters."""
    return "_vs_".join(re.sub(r"[^A-Za-z0-9.=+-]+", "-", n).strip("-") for n in names)[:120]
