"""A run's blocks are made where they run: no future's starting state or parameter values are built
before the first block, the jobs hold nothing per future, and the bytes are those of the blocks made
up front (every origin and every trajectory's values first, as runs were made before)."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import xarray as xr
from helpers import same_bytes

from sim import rng
from sim.config import design
from sim.config.compose import compose, prepare
from sim.inference import filter as particle_filter
from sim.model import engine
from sim.results import dataset
from sim.run import ensemble, executors

CALIBRATED = ["model=calibrated", "run.trajectories=300", "run.block_size=100", "run.particles=400",
              "run.end=2025-12"]  # on the record, with parameter sets


def up_front(spec, seed: int, begun: ensemble.Start) -> xr.Dataset:
    """The run with every block's origin and every trajectory's parameter values made before the first block."""
    sizes = engine.block_sizes(spec.run.trajectories, spec.run.block_size)
    picks = [begun.filtered.picks(n, rng.stream(seed, b, "origin")) for b, n in enumerate(sizes)]
    origins, every = [begun.filtered.origin(p) for p in picks], np.concatenate(picks)
    offsets = np.cumsum([0, *sizes])
    blocks = [engine.run_block(s, seed, b, n, origin=origins[b]).arrays(int(offsets[b]))
              for b, (s, n) in enumerate(engine.block_specs(spec, begun.values(every)))]
    parts = (dataset.start_parts(begun.filtered), dataset.set_parts(every // begun.per_set, begun.keys, begun.sets))
    return dataset.assemble(spec, blocks, {}, parts)


@pytest.mark.parametrize("executor", ["threads", "local"])
def test_blocks_made_where_they_run_give_the_bytes_of_blocks_made_up_front(executor):
    spec, seed, _ = prepare(compose([*CALIBRATED, "run.summary=false", f"run.executor={executor}", "run.workers=2"]))
    begun = ensemble.start(spec, seed)
    same_bytes(up_front(spec, seed, begun), ensemble.from_start(spec, seed, begun, {}))


def test_a_run_from_the_record_makes_no_origin_before_its_blocks_run(monkeypatch):
    spec, seed, _ = prepare(compose([*CALIBRATED, "run.summary=true", "run.block_size=50"]))
    begun = ensemble.start(spec, seed)
    made, origin, run = [], particle_filter.Filtered.origin, executors.run
    monkeypatch.setattr(particle_filter.Filtered, "origin", lambda self, picks: made.append(len(picks)) or
                        origin(self, picks))

    def checked(todo, *args):
        assert made == [] and all(job.values is None for job in todo)  # nothing per future before the blocks
        yield from run(todo, *args)

    monkeypatch.setattr(executors, "run", checked)
    ensemble.from_start(spec, seed, begun, {})
    assert made == [50] * 6  # one origin per block, made in its job


def test_the_jobs_hold_nothing_per_future_and_a_design_given_whole_once():
    spec, seed, _ = prepare(compose([*CALIBRATED, "run.summary=true"]))
    begun = ensemble.start(spec, seed)

    def pickled(trajectories: int, block_size: int = 10_000) -> int:
        sized, _, _ = prepare(compose([*CALIBRATED, "run.summary=true", f"run.trajectories={trajectories}",
                                       f"run.block_size={block_size}"]))
        blocks = -(-trajectories // block_size)
        return len(pickle.dumps(executors.jobs(sized, seed, [begun] * blocks)))

    grown = pickled(10**7) - pickled(10**4)  # 999 more blocks, 9,990,000 more futures
    assert grown < 100 * 999  # a few dozen bytes per block; before, about 130 per future (its starting state)
    rates = np.linspace(0.0, 2.0, 300)
    jobs = executors.jobs(spec, seed, [begun] * 3,
                          {"model.events.sanctions.rate": rates, "model.events.step.effect": 0.2})
    assert [np.shares_memory(job.values["model.events.sanctions.rate"], rates) for job in jobs] == [True] * 3
    assert np.array_equal(np.concatenate([job.values["model.events.sanctions.rate"] for job in jobs]), rates)
    assert all(job.values["model.events.step.effect"] == 0.2 for job in jobs)


def test_each_block_draws_its_part_of_the_one_stream_of_parameter_sets(tmp_path):
    """A model with sets, not on the record: the blocks' draws are the run's one draw, however the blocks fall."""
    (tmp_path / "sets.csv").write_text("model.events.dispute.rate\n" + "".join(f"{v}\n" for v in range(1, 8)))
    spec, seed, _ = prepare(compose(["model=reference", "model.parameter_sets=sets.csv"]))
    whole = rng.stream(seed, 0, "parameter-sets").integers(0, 7, 1000) + 1.0
    for sizes in ([1000], [300, 300, 300, 100], [1, 2, 997]):
        draws = design.set_draws(spec, seed, tmp_path, sizes)
        parts = [draw.block(seed, b, n) for b, (draw, n) in enumerate(zip(draws, sizes))]
        assert all(origin is None for origin, _ in parts)
        assert np.array_equal(np.concatenate([values["model.events.dispute.rate"] for _, values in parts]), whole)
