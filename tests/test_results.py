"""Saving and loading results: round trip, and one clear line for what is not a run."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import sim
from sim.errors import ResultsError
from sim.results import io, measures
from tests.conftest import run


def test_round_trip_keeps_every_variable_and_attribute_exactly(tmp_path, small):
    ds = run(small)
    io.save(ds, tmp_path / "results.nc")
    back = sim.load(tmp_path)
    for name in ds.variables:
        np.testing.assert_array_equal(back[name].values, ds[name].values)
        assert back[name].dtype == ds[name].dtype or ds[name].dtype.kind == "U", name
    assert back.attrs == ds.attrs
    assert sim.summarize(back) == sim.summarize(ds)
    assert not list(tmp_path.glob(".*partial"))


def test_levels_are_recorded_to_their_step_in_both_kinds_of_run(small):
    for ds in (run(small), run(small + ["run.summary=true"])):
        for name in ("level", "composite", "sample_level", "sample_composite"):
            if name in ds:
                steps = ds[name].values / measures.STEP
                assert ds[name].dtype == np.float32 and np.array_equal(steps, np.rint(steps)), name


def test_results_are_compressed_netcdf4_that_plain_xarray_reads(tmp_path, small):
    ds = run(small)
    io.save(ds, tmp_path / "results.nc")
    ds.to_netcdf(tmp_path / "plain.nc", engine="scipy", format="NETCDF3_64BIT")  # the uncompressed layout
    assert (tmp_path / "results.nc").read_bytes()[:8] == b"\x89HDF\r\n\x1a\n"
    assert (tmp_path / "results.nc").stat().st_size * 3 < (tmp_path / "plain.nc").stat().st_size
    with xr.open_dataset(tmp_path / "results.nc") as plain:
        assert plain.level.dtype == np.float32 and plain.level.dims == ds.level.dims
        assert plain.attrs["scenario"] == "baseline"


def test_a_file_of_this_format_without_a_run_layout_is_named_as_such(tmp_path, small):
    ds = run(small).drop_vars(["level", "composite"])
    io.save(ds, tmp_path / "results.nc")
    with pytest.raises(ResultsError, match="neither paths .level. nor a summary-mode layout"):
        sim.load(tmp_path)


def test_missing_folder_and_foreign_files_are_refused_in_one_line(tmp_path, small):
    with pytest.raises(ResultsError, match="not a run folder"):
        sim.load(tmp_path / "nowhere")
    (tmp_path / "results.nc").write_text("not netCDF")
    with pytest.raises(ResultsError, match="not a readable results file"):
        sim.load(tmp_path)
    old = run(small)
    old.attrs["format"] = 0
    io.save(old, tmp_path / "results.nc")
    with pytest.raises(ResultsError, match="format 0 is not the supported"):
        sim.load(tmp_path)
