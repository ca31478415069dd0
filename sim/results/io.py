"""Results files: a Dataset saved and loaded without pickle, complete under its final name or not at all.

Files are compressed netCDF-4 (HDF5) written through h5netcdf to a temporary name and renamed;
plain `xarray.open_dataset` reads them. Paths of levels (level, composite and the sample paths of a
summary-mode run), recorded to measures.STEP = 2^-12, are packed exactly into 16-bit integers with
that scale factor (CF packing, decoded to float32 on reading) and compressed by SZIP with
nearest-neighbour prediction along time, the one standard HDF5 filter that codes a path's
month-to-month changes; everything else is deflated. Nothing is lost in the file.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import xarray as xr

from .. import files
from ..errors import ResultsError, UsageError
from . import measures
from .dataset import FORMAT, is_summary, recorded_config

PATHS = ("level", "composite", "sample_level", "sample_composite")  # (futures, time[, track]) in [0, 1]
CHUNK = 1000                     # futures per chunk of a path variable


def encoding(ds: xr.Dataset) -> dict:
    """How each variable is written: paths packed and SZIP-coded along time, the rest deflated."""
    out = {}
    for name, var in ds.variables.items():
        if var.size == 0 or var.dtype.kind in "OU":
            out[name] = {}
        elif name in PATHS:
            chunks = (min(CHUNK, var.shape[0]), var.shape[1], *(1,) * (var.ndim - 2))
            out[name] = {"dtype": "uint16", "scale_factor": np.float32(measures.STEP), "add_offset": np.float32(0),
                         "_FillValue": np.uint16(65535), "chunksizes": chunks,
                         "compression": "szip", "compression_opts": ("nn", 32)}
        else:
            out[name] = {"zlib": True, "complevel": 4, "shuffle": True}
    return out


def save(ds: xr.Dataset, path: Path) -> None:
    """Write atomically: a temporary file in the same folder, then a rename."""
    with files.atomic(path) as tmp:
        ds.to_netcdf(tmp, engine="h5netcdf", encoding=encoding(ds))


def load(run_dir: str | os.PathLike) -> xr.Dataset:
    """The Dataset of a run folder (or a results file), refused with one line if it is not one."""
    path = Path(run_dir)
    if path.is_dir():
        path = path / "results.nc"
    if not path.exists():
        raise ResultsError(f"{run_dir}: not a run folder (no results.nc)")
    try:
        ds = xr.load_dataset(path)  # netCDF-4 (this format), or netCDF-3 of older versions, to name its format
    except Exception as exc:  # any unreadable file gets the same one-line answer
        raise ResultsError(f"{path}: not a readable results file ({type(exc).__name__})") from exc
    found = ds.attrs.get("format")
    if found != FORMAT:
        found = "none" if found is None else int(found)
        raise ResultsError(f"{path}: results format {found} is not the supported {FORMAT}; "
                           "re-run the scenario with this version")
    if not ("level" in ds or is_summary(ds)):
        raise ResultsError(f"{path}: holds neither paths (level) nor a summary-mode layout; not a run's results")
    try:
        recorded_config(ds)
    except UsageError as exc:  # e.g. an interpolation that would read the environment of whoever loads it
        raise ResultsError(f"{path}: {exc}") from None
    return ds
