"""The filtered start kept on disk: read back exactly, named by everything it depends on, written whole."""

from __future__ import annotations

import numpy as np
import pytest

from sim.config.compose import compose, prepare
from sim.record import derived
from sim.run import ensemble, start_cache

SMALL = ["run.trajectories=50", "run.block_size=50", "run.particles=400", "run.end=2025-12"]


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("SIM_CACHE_DIR", str(tmp_path))
    return tmp_path / "starts"


def _same(a: ensemble.Start, b: ensemble.Start) -> None:
    left, right = a.arrays(), b.arrays()
    assert left.keys() == right.keys()
    for key in left:
        assert left[key].dtype == right[key].dtype and np.array_equal(left[key], right[key]), key


def test_a_start_read_from_the_cache_is_the_one_filtered_and_so_is_the_run(cache):
    spec, seed, config_yaml = prepare(compose(SMALL))
    filtered = ensemble.start(spec, seed)
    assert len(list(cache.glob("*.npz"))) == 1 and not list(cache.glob("*.partial"))
    read = ensemble.start(spec, seed)
    _same(filtered, read)
    assert read.keys == filtered.keys and read.per_set == filtered.per_set
    assert type(read.filtered.particles.asymmetry) is float and read.filtered.series == filtered.filtered.series
    first = ensemble.simulate(spec, seed, config_yaml)
    again = ensemble.simulate(spec, seed, config_yaml)
    assert first.identical(again)


def test_the_entry_name_changes_with_every_input():
    base = {"record": "r", "sets": "s", "seed": 1, "start": 400, "particles": 400, "config": {"model": {"a": 1.0}}}
    names = {start_cache.key(**base)}
    for part, other in (("record", "r2"), ("sets", "s2"), ("seed", 2), ("start", 401), ("particles", 800),
                        ("config", {"model": {"a": 1.5}})):
        names.add(start_cache.key(**{**base, part: other}))
    assert len(names) == 7


def test_the_record_and_the_sets_are_named_by_their_content():
    record = derived.load()
    changed = record._replace(indicators=record.indicators.__class__(
        **{**vars(record.indicators), "value": record.indicators.value + 1e-9}))
    assert start_cache.content_digest(record) == start_cache.content_digest(derived.load())
    assert start_cache.content_digest(record) != start_cache.content_digest(changed)
    sets = (["model.x"], np.array([[0.1], [0.2]]))
    assert start_cache.content_digest(sets) != start_cache.content_digest((["model.x"], np.array([[0.1], [0.3]])))


def test_a_changed_model_or_seed_filters_again(cache):
    spec, seed, _ = prepare(compose(SMALL))
    ensemble.start(spec, seed)
    ensemble.start(spec, seed + 1)
    other, _, _ = prepare(compose(["model=default", *SMALL]))
    ensemble.start(other, seed)
    assert len(list(cache.glob("*.npz"))) == 3


def test_an_unreadable_entry_is_made_again_and_old_entries_are_dropped(cache, monkeypatch):
    spec, seed, _ = prepare(compose(SMALL))
    made = ensemble.start(spec, seed)
    (entry,) = cache.glob("*.npz")
    entry.write_bytes(b"not an archive")
    _same(made, ensemble.start(spec, seed))
    monkeypatch.setattr(start_cache, "KEEP", 1)
    start_cache.write("other", {"x": np.zeros(1)})
    assert [p.name for p in cache.glob("*.npz")] == ["other.npz"]
