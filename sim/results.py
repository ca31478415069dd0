"""The results Dataset: its layout, and saving and loading it without pickle.

Layout of a run that keeps every path: level(trajectory, time, track) and composite(trajectory,
time) as float32, monthly `time` as dates, events(trajectory, event) as counts,
event_month(event, time) as the number of trajectories with an event of each type in each
month, and the dated events of the first trajectories as a table along `log` (log_trajectory,
log_time, log_event). A summary-mode run (attribute layout = "summary") carries quantile bands,
counts and sampled paths instead of `level` (summary.py). Attributes hold the seed, scenario,
package version, format version and the resolved config (YAML). Files are netCDF-3 written by
scipy (no extra dependency) to a temporary name and renamed, so a file under the final name
is always complete."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import xarray as xr

from .params import RunSpec, month_str
from .state import EVENT_TYPES, LOGGED

FORMAT = 2  # bump when the layout changes; load() refuses other formats


class ResultsError(Exception):
    """A run folder or results file that cannot be read; the message is one line."""


def month_dates(start: int, months: int) -> np.ndarray:
    """First days of `months` consecutive months from month index `start`."""
    first = np.datetime64(month_str(start), "M")
    return (first + np.arange(months)).astype("datetime64[ns]")


def assemble(spec: RunSpec, blocks: list[dict[str, np.ndarray]], seed: int, config_yaml: str) -> xr.Dataset:
    """One Dataset from the blocks' arrays (BlockResult.arrays), in block order."""
    levels = np.concatenate([b["levels"] for b in blocks], axis=2).transpose(2, 0, 1)
    weights = np.asarray(spec.model.weights, dtype=np.float32)[:, 0]
    counts = np.concatenate([b["counts"] for b in blocks])
    n = levels.shape[0]
    times = month_dates(spec.run.start, spec.months)
    per_month = np.sum([b["event_month"] for b in blocks], axis=0).astype(np.int32)
    log = np.concatenate([b["log"] for b in blocks]).astype(np.int32)
    log = log[np.lexsort((log[:, 0], log[:, 1]))]
    return xr.Dataset(
        {
            "level": (("trajectory", "time", "track"), levels, {"long_name": "integration level", "units": "1"}),
            "composite": (("trajectory", "time"), levels @ weights, {"long_name": "composite index", "units": "1"}),
            "events": (("trajectory", "event"), counts.astype(np.int32), {"long_name": "event count"}),
            "event_month": (("event", "time"), per_month,
                            {"long_name": "trajectories with an event of this type in this month"}),
            "log_trajectory": ("log", log[:, 1], {"long_name": f"trajectory (one of the first {LOGGED})"}),
            "log_time": ("log", times[log[:, 0]], {"long_name": "month of the event"}),
            "log_event": ("log", np.array(EVENT_TYPES)[log[:, 2]], {"long_name": "event type"}),
        },
        coords={
            "trajectory": np.arange(n, dtype=np.int32),
            "time": times,
            "track": list(spec.tracks),
            "event": list(EVENT_TYPES),
        },
        attrs=attributes(spec, seed, config_yaml),
    )


def attributes(spec: RunSpec, seed: int, config_yaml: str) -> dict:
    """The attributes every results Dataset carries: what made it."""
    from . import __version__

    return {
        "title": "Union State of Russia and Belarus: integration ensemble",
        "seed": str(seed),
        "scenario": spec.scenario.name,
        "version": __version__,
        "format": FORMAT,
        "start": month_str(spec.run.start),
        "end": month_str(spec.run.end),
        "config": config_yaml,
    }


def is_summary(ds: xr.Dataset) -> bool:
    """A summary-mode run: quantile bands and counts instead of every path (summary.py)."""
    return ds.attrs.get("layout") == "summary"


def trajectories(ds: xr.Dataset) -> int:
    """The ensemble size of a run of either layout."""
    return int(ds.attrs["trajectories"]) if is_summary(ds) else ds.sizes["trajectory"]


def event_log(ds: xr.Dataset, trajectory: int) -> list[tuple[str, str]]:
    """The dated events (YYYY-MM, type) of one logged trajectory, in time order."""
    mine = ds.log_trajectory.values == trajectory
    return [(str(t)[:7], str(e)) for t, e in zip(ds.log_time.values[mine], ds.log_event.values[mine])]


def save(ds: xr.Dataset, path: Path) -> None:
    """Write atomically: a temporary file in the same folder, then a rename."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.partial")
    try:
        ds.to_netcdf(tmp, engine="scipy", format="NETCDF3_64BIT")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def load(run_dir: str | os.PathLike) -> xr.Dataset:
    """The Dataset of a run folder (or a results file), refused with one line if it is not one."""
    path = Path(run_dir)
    if path.is_dir():
        path = path / "results.nc"
    if not path.exists():
        raise ResultsError(f"{run_dir}: not a run folder (no results.nc)")
    try:
        ds = xr.load_dataset(path, engine="scipy")
    except Exception as exc:  # any unreadable file gets the same one-line answer
        raise ResultsError(f"{path}: not a readable results file ({type(exc).__name__})") from exc
    found = ds.attrs.get("format")
    if found != FORMAT or not ("level" in ds or is_summary(ds)):
        found = "none" if found is None else int(found)
        raise ResultsError(f"{path}: results format {found} is not the supported {FORMAT}; "
                           "re-run the scenario with this version")
    return ds


def spec_of(ds: xr.Dataset) -> RunSpec:
    """The validated spec a Dataset was made with, from its recorded config."""
    from omegaconf import OmegaConf

    from .params import from_config

    return from_config(OmegaConf.to_container(OmegaConf.create(ds.attrs["config"]), resolve=True))
