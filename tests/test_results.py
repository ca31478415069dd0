"""Saving and loading results: round trip, and one clear line for what is not a run."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.errors import ResultsError
from sim.results import io
from tests.conftest import run


def test_round_trip_keeps_data_and_attributes(tmp_path, small):
    ds = run(small)
    io.save(ds, tmp_path / "results.nc")
    back = sim.load(tmp_path)
    np.testing.assert_array_equal(back.level.values, ds.level.values)
    np.testing.assert_array_equal(back.events.values, ds.events.values)
    assert list(back.track.values) == list(ds.track.values)
    assert back.attrs["config"] == ds.attrs["config"]
    assert sim.summarize(back) == sim.summarize(ds)
    assert not list(tmp_path.glob(".*partial"))


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
