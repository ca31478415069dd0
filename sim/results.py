"""The results Dataset: its layout, and saving and loading it without pickle.

Layout: level(trajectory, time, track) and composite(trajectory, time) as float32, monthly
`time` as dates, events(trajectory, event) as counts, event_month(event, time) as the number of
trajectories with an event of each type in each month, and the dated events of the first
trajectories as a table along `log` (log_trajectory, log_time, log_event); attributes hold the seed, scenario,
package version, format version and the resolved config (YAML). Files are netCDF-3 written by
scipy (no extra dependency) to a temporary name and renamed, so a file under the final name
is always complete.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import xarray as xr

from .engine import BlockResult
from .params import RunSpec, month_str
from .state import EVENT_TYPES, LOGGED

FORMAT = 2  # bump when the layout changes; load() refuses other formats


class ResultsError(Exception):
    """A run folder or results file that cannot be read; the message is one line."""


def month_dates(start: int, months: int) -> np.ndarray:
    """First days of `months` consecutive months from month index `start`."""
    first = np.datetime64(month_str(start), "M")
    return (first + np.arange(months)).astype("datetime64[ns]")


def assemble(spec: RunSpec, blocks: list[BlockResult], seed: int, config_yaml: str) -> xr.Dataset:
    """One Dataset from the blocks, in block order."""
    from . import __version__

    levels = np.concatenate([b.levels for b in blocks], axis=2).transpose(2, 0, 1)
    weights = np.asarray(spec.model.weights, dtype=np.float32)[:, 0]
    counts = np.stack([np.concatenate([b.counts[e] for b in blocks]) for e in EVENT_TYPES], axis=1)
    n = levels.shape[0]
    times = month_dates(spec.run.start, spec.months)
    per_month, log = event_records(blocks, spec.months)
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
        attrs={
            "title": "Union State of Russia and Belarus: integration ensemble",
            "seed": str(seed),
            "scenario": spec.scenario.name,
            "version": __version__,
            "format": FORMAT,
            "start": month_str(spec.run.start),
            "end": month_str(spec.run.end),
            "config": config_yaml,
        },
    )


def event_records(blocks: list[BlockResult], months: int) -> tuple[np.ndarray, np.ndarray]:
    """event_month (event types, months) summed over blocks, and the dated events of the logged
    trajectories as rows (month, trajectory, type) ordered by trajectory, then time."""
    per_month = np.zeros((len(EVENT_TYPES), months), dtype=np.int32)
    rows, offset = [], 0
    for b in blocks:
        for (kind, month), trajectories in b.record.tally.items():
            per_month[kind, month] += trajectories
        rows += [(month, offset + i, kind) for month, kind, i in b.record.log]
        offset += b.levels.shape[2]
    log = np.array(rows, dtype=np.int32).reshape(-1, 3)
    return per_month, log[np.lexsort((log[:, 0], log[:, 1]))]


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
    if found != FORMAT or "level" not in ds:
        found = "none" if found is None else int(found)
        raise ResultsError(f"{path}: results format {found} is not the supported {FORMAT}; "
                           "re-run the scenario with this version")
    return ds


def spec_of(ds: xr.Dataset) -> RunSpec:
    """The validated spec a Dataset was made with, from its recorded config."""
    from omegaconf import OmegaConf

    from .params import from_config

    return from_config(OmegaConf.to_container(OmegaConf.create(ds.attrs["config"]), resolve=True))
