"""The calendar: scheduled events at their exact dates, policies acting only where their
condition holds, and the event records (per-month tallies and dated logs) in the results."""

from __future__ import annotations

from collections import Counter
from types import SimpleNamespace

import numpy as np
import pytest
import simpy

from sim.model import calendar, policies
from sim.results import dataset as results, io
from sim.config.compose import compose, prepare
from sim.model.engine import Dynamics
from sim.config.validate import parse_month
from sim.months import text as month_str
from sim.model.state import EVENT_TYPES, initial_state
from tests.conftest import REFERENCE, run

SMALL = [*REFERENCE, "run.trajectories=300", "run.block_size=7", "run.end=2031-12"]


@pytest.fixture(scope="module")
def baseline():
    return run(SMALL)


def at(da, month: str):
    """The value of a (…, time) array in one month YYYY-MM."""
    return da.sel(time=month).squeeze("time").values


def months_with(ds, event: str) -> list[str]:
    tally = ds.event_month.sel(event=event)
    return [str(t)[:7] for t in tally.time.values[tally.values > 0]]


def test_elections_and_a_treaty_deadline_fire_at_their_dates_in_every_trajectory(baseline):
    n = baseline.trajectory.size
    # Belarus: 2025-01 and every 5 years; Russia: 2024-03 and every 6 years (configs/model).
    elections = ["2024-03", "2025-01", "2030-01", "2030-03"]
    assert months_with(baseline, "election") == elections
    assert all(at(baseline.event_month.sel(event="election"), m) == n for m in elections)
    deadline = baseline.event_month.sel(event=["deadline_met", "deadline_missed"]).sum("event")
    assert at(deadline, "2023-12") == n  # the single gas market's date, in every trajectory
    assert all(m.endswith("-09") for m in months_with(baseline, "programme"))  # councils sit in September


def test_election_months_follow_the_constitutional_cycle():
    start, end = parse_month("k", "2021-11"), parse_month("k", "2041-12")
    election = SimpleNamespace(dates=[parse_month("k", "2020-08"), parse_month("k", "2025-01")],
                                        cycle_years=5)
    got = [month_str(start + m) for m in calendar.election_months(election, start, end)]
    assert got == ["2025-01", "2030-01", "2035-01", "2040-01"]


def test_event_month_counts_trajectories_and_the_log_lists_every_event_of_every_future(baseline, tmp_path):
    # At most one event of a type per trajectory and month in the baseline, so the tallies add up to the counts.
    np.testing.assert_array_equal(baseline.event_month.sum("time").values, baseline.events.sum("trajectory").values)
    assert baseline.event_month.dtype == np.int32
    logged = np.unique(baseline.log_trajectory.values)
    assert list(logged) == [t for t in range(baseline.sizes["trajectory"]) if baseline.events[t].sum()]
    for t in logged:
        listed = Counter(event for _, event in results.event_log(baseline, int(t)))
        counts = dict(zip(EVENT_TYPES, baseline.events.isel(trajectory=t).values.tolist()))
        assert listed == Counter({e: c for e, c in counts.items() if c})
        dates = [d for d, _ in results.event_log(baseline, int(t))]
        assert dates == sorted(dates)
    io.save(baseline, tmp_path / "results.nc")
    back = io.load(tmp_path)
    np.testing.assert_array_equal(back.event_month.values, baseline.event_month.values)
    assert results.event_log(back, 3) == results.event_log(baseline, 3)


def block(overrides: list[str], n: int):
    """A calendar on one block of n trajectories, with nothing installed yet."""
    spec, seed, _ = prepare(compose([*REFERENCE, *overrides, f"run.trajectories={n}"]))
    state = initial_state(spec.model, n, spec.months)
    env = simpy.Environment()
    cal = calendar.Calendar(env, Dynamics(spec.model, state, None), spec, seed, 0)
    return env, cal, state


def test_subsidy_for_integration_cuts_only_where_the_track_lags_its_target():
    env, cal, s = block(["scenario=integration_push"], 6)
    k = cal.model.tracks.index("political")
    s.y[k] = np.log(np.array([0.3, 0.5, 0.54, 0.56, 0.6, 0.9]) / (1 - np.array([0.3, 0.5, 0.54, 0.56, 0.6, 0.9])))
    before = s.subsidy.copy()
    policies.install(cal)
    first = parse_month("k", "2022-12") - cal.start
    env.run(until=first + 1)
    lagging = np.array([True, True, True, False, False, False])
    np.testing.assert_allclose(s.subsidy, np.where(lagging, before - 0.15, before))
    np.testing.assert_array_equal(s.counts[EVENT_TYPES.index("subsidy_cut")], lagging.astype(int))
    env.run(until=first + 12)  # no review before the next year's
    np.testing.assert_array_equal(s.counts[EVENT_TYPES.index("subsidy_cut")], lagging.astype(int))


def test_multi_vector_hedges_only_where_pressure_is_low():
    env, cal, s = block(["scenario=sanctions_relief"], 4)
    s.X[:] = [0.2, 0.99, 1.0, 5.0]
    before = s.y.copy()
    policies.install(cal)
    env.run(until=parse_month("k", "2027-01") - cal.start + 1)
    low = np.array([True, True, False, False])
    effect = cal.scenario.policies.multi_vector.effect
    np.testing.assert_allclose(s.y, before + effect * low)
    np.testing.assert_array_equal(s.counts[EVENT_TYPES.index("multi_vector")], low.astype(int))


def test_a_policy_acts_in_the_ensemble_exactly_where_and_when_its_condition_holds():
    ds = run(["scenario=integration_push", "run.trajectories=600", "run.block_size=300", "run.end=2030-12"])
    cuts = ds.event_month.sel(event="subsidy_cut")
    reviews = [str(t)[:7] for t in ds.time.values if str(t)[5:7] == "12" and str(t)[:7] >= "2022-12"]
    assert set(months_with(ds, "subsidy_cut")) <= set(reviews)  # never outside a review
    for m in reviews:  # policies review after the month's events; the month's record is the state they saw
        political = at(ds.level.sel(track="political"), m)
        borderline = np.sum(np.abs(political - 0.55) < 1e-6)
        assert abs(at(cuts, m) - np.sum(political < 0.55)) <= borderline
    assert int(cuts.sum()) > 0
