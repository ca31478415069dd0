"""Results files: a Dataset saved and loaded without pickle, complete under its final name or not at all.

Files are netCDF-3 written by scipy (no extra dependency) to a temporary name and renamed.
"""

from __future__ import annotations

import os
from pathlib import Path

import xarray as xr

from .. import files
from ..errors import ResultsError
from .dataset import FORMAT, is_summary


def save(ds: xr.Dataset, path: Path) -> None:
    """Write atomically: a temporary file in the same folder, then a rename."""
    with files.atomic(path) as tmp:
        ds.to_netcdf(tmp, engine="scipy", format="NETCDF3_64BIT")


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
    if found != FORMAT:
        found = "none" if found is None else int(found)
        raise ResultsError(f"{path}: results format {found} is not the supported {FORMAT}; "
                           "re-run the scenario with this version")
    if not ("level" in ds or is_summary(ds)):
        raise ResultsError(f"{path}: holds neither paths (level) nor a summary-mode layout; not a run's results")
    return ds
