"""The engine against analytic cases, hazards, bounds and the comparative statics of the model."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats

from sim.results import measures
from tests.conftest import REFERENCE, TRACKS, logit, quiet_model, run


def test_events_off_constant_drift_gives_known_mean_and_variance():
    """y_T = y_0 + μT + σ√T·Z exactly when every event and pull is off."""
    mu, sigma, years = 0.3, 0.4, 5
    overrides = quiet_model() + [f"model.drift.{t}={mu}" for t in TRACKS] + [
        f"model.volatility.{t}={sigma}" for t in TRACKS] + [
        "run.trajectories=20000", "run.block_size=5000", "run.start=2021-11", "run.end=2026-11"]
    ds = run(overrides)
    y0 = logit(ds.level.isel(time=0).values)
    y = logit(ds.level.isel(time=-1).values) - y0  # (trajectory, track)
    n = y.shape[0]
    mean_se = sigma * np.sqrt(years / n)
    var_se = sigma**2 * years * np.sqrt(2 / (n - 1))
    assert np.all(np.abs(y.mean(axis=0) - mu * years) < 4 * mean_se)
    assert np.all(np.abs(y.var(axis=0, ddof=1) - sigma**2 * years) < 4 * var_se)
    corr = np.corrcoef(y.T)[np.triu_indices(len(TRACKS), 1)]
    assert np.all(np.abs(corr - 0.3) < 0.05)  # equicorrelation from the default config


@pytest.mark.parametrize("rate", [0.6, 30.0])  # rate·dt below 1, and above it (no thinning)
def test_constant_hazard_counts_are_binomial_with_the_monthly_probability(rate):
    months = 120
    ds = run(quiet_model() + [f"model.events.commodity.rate={rate}", "run.trajectories=20000",
                              "run.block_size=5000", "run.start=2021-11", "run.end=2031-11"])
    counts = ds.events.sel(event="commodity").values
    p = -np.expm1(-rate / 12)
    expected, var = months * p, months * p * (1 - p)
    assert abs(counts.mean() - expected) < 4 * np.sqrt(var / counts.size)
    # the whole distribution, not only the mean: chi-square against Binomial(months, p)
    k = np.arange(max(0, int(expected - 5 * np.sqrt(var))), min(months, int(expected + 5 * np.sqrt(var)) + 2) + 1)
    observed = np.array([np.sum(counts <= k[0])] + [np.sum(counts == i) for i in k[1:-1]] + [np.sum(counts >= k[-1])])
    probs = np.concatenate([[stats.binom.cdf(k[0], months, p)], stats.binom.pmf(k[1:-1], months, p),
                            [stats.binom.sf(k[-2], months, p)]])
    assert stats.chisquare(observed, probs * counts.size).pvalue > 1e-3


def test_state_dependent_hazard_follows_its_log_rate():
    """Disputes: doubling the log-rate slope on stress changes counts as exp(slope·(R − R_ref)) says."""
    base = quiet_model() + ["model.events.dispute.rate=0.5", "model.events.dispute.gap=0",
                            "model.events.dispute.interdependence=0", "model.events.dispute.stress=1.0",
                            "model.fiscal_stress.initial=1.4", "model.fiscal_stress.mean=1.4",
                            "model.fiscal_stress.volatility=0", "model.reference.fiscal_stress=0.4",
                            "run.trajectories=20000", "run.block_size=5000", "run.end=2031-11"]
    counts = run(base).events.sel(event="dispute").values
    p = -np.expm1(-0.5 * np.e / 12)  # R stays at 1.4: rate 0.5·exp(1.0)
    assert abs(counts.mean() - 120 * p) < 4 * np.sqrt(120 * p * (1 - p) / counts.size)


def test_transition_happens_at_most_once():
    ds = run(["model.events.transition.rate=5", "run.trajectories=300", "run.block_size=100", "run.end=2026-12"])
    counts = ds.events.sel(event="transition").values
    assert counts.max() == 1 and counts.mean() > 0.9
    branches = ds.events.sel(event=["consolidation", "pivot"]).sum("event").values
    assert np.all(branches <= counts)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    drift=st.floats(-50, 50), volatility=st.floats(0, 10), loading=st.floats(-50, 50),
    resistance=st.floats(0, 50), rate=st.floats(0, 1000), jump=st.floats(-50, 50),
    eta=st.floats(0.01, 10), initial=st.floats(1e-6, 1 - 1e-6),
)
def test_levels_stay_inside_the_unit_interval_for_any_valid_parameters(
        drift, volatility, loading, resistance, rate, jump, eta, initial):
    overrides = [
        f"model.drift.energy={drift}", f"model.volatility.monetary={volatility}",
        f"model.pressure_loading.security={loading}", f"model.resistance.political={resistance}",
        f"model.events.dispute.rate={rate}", f"model.events.dispute.effect.economic={jump}",
        f"model.events.crisis.rate={rate}", f"model.eta={eta}", f"model.initial.monetary={initial}",
        "run.trajectories=40", "run.block_size=40", "run.end=2023-12",
    ]
    level = run(overrides).level.values
    assert np.isfinite(level).all()
    assert (level > 0).all() and (level < 1).all()


def _end_mean(ds, track: str) -> float:
    return float(ds.level.sel(track=track).isel(time=-1).mean())


COMMON = ["run.trajectories=3000", "run.block_size=1000", "run.end=2031-12"]


def test_more_pressure_means_more_security_integration():
    low = run(COMMON + ["model.pressure.initial=1", "model.events.sanctions.rate=0.2"])
    high = run(COMMON + ["model.pressure.initial=8", "model.events.sanctions.rate=1.0"])
    assert _end_mean(high, "security") > _end_mean(low, "security") + 0.03
    gains = {t: _end_mean(high, t) - _end_mean(low, t) for t in TRACKS}
    assert max(gains, key=gains.get) == "security"


def test_more_asymmetry_slows_monetary_and_political_more_than_security():
    low = run(COMMON + ["model.asymmetry=0.5"])
    high = run(COMMON + ["model.asymmetry=0.99"])
    for track in ("monetary", "political"):
        assert _end_mean(high, track) < _end_mean(low, track) - 0.02
    loss = {t: _end_mean(low, t) - _end_mean(high, t) for t in TRACKS}
    assert loss["security"] < min(loss["monetary"], loss["political"])


def test_more_instability_means_more_setbacks():
    def setbacks(ds):
        return measures.setback_episodes(ds.composite.values.astype(float), 0.03, 12).mean()

    calm = run(COMMON + ["model.instability.mean=0.1", "model.instability.initial=0.1"])
    rough = run(COMMON + ["model.instability.mean=1.5", "model.instability.initial=1.5"])
    assert setbacks(rough) > setbacks(calm) * 1.1


def test_results_do_not_depend_on_the_number_of_workers_but_on_the_seed(small):
    one = run(small + ["run.workers=1"])
    two = run(small + ["run.workers=2"])
    other = run(small + ["run.seed=7"])
    np.testing.assert_array_equal(one.level.values, two.level.values)
    np.testing.assert_array_equal(one.events.values, two.events.values)
    assert not np.array_equal(one.level.values, other.level.values)


def test_the_kernel_applies_the_events_in_the_order_of_their_uniforms():
    """Rows follow the kinds' order (and the tracks' for steps and setbacks); a model has rows only
    for the kinds it lists, so the reference model keeps its six rows in their old order."""
    from sim.config.compose import compose, prepare
    from sim.model import hazards, kernel
    from sim.model.dynamics import DT

    assert tuple(hazards.HAZARDS) == kernel.KINDS
    reference = hazards.Rates(prepare(compose(REFERENCE))[0].model, DT)
    assert [kernel.KINDS[k] for k in reference.rows[0]] == list(kernel.KINDS[:6])
    model = prepare(compose())[0].model
    kinds, tracks = hazards.Rates(model, DT).rows
    assert [kernel.KINDS[k] for k in kinds] == ["crisis", "sanctions", "detente", "commodity", "transition",
                                               *["step"] * 5, *["setback"] * 5]
    assert tracks.tolist() == [-1] * 5 + [0, 1, 2, 3, 4] * 2


def test_the_monthly_probability_is_exact_where_the_thinning_lets_a_trajectory_through():
    """kernel.branch: u/p when u < p = 1 − exp(−rate·dt), else −1, for rates·dt below and above 1."""
    from sim.model import kernel

    for log_rate in (-30.0, -6.0, -2.5, -0.3, 0.0, 1.5):
        p = -np.expm1(-np.exp(log_rate))
        for u in (0.0, 0.5 * p, np.nextafter(p, 0), p, np.nextafter(p, 1), 0.999):
            expected = u / p if u < p else -1.0
            assert kernel.branch(u, log_rate) == pytest.approx(expected, rel=1e-12)
    assert kernel.branch(0.3, -np.inf) == -1.0


def test_the_thinning_screen_never_rules_out_an_event():
    """kernel.log_rates marks a trajectory −inf (no event) only where u ≥ rate·dt ≥ p, and lets
    through every u below rate·dt, for log(rate·dt) from −30 to 2; the trajectories it lists as
    candidates of each row are those where its event is not ruled out."""
    from sim.model import kernel

    n, events = 4000, len(kernel.KINDS)
    log_rate = np.linspace(-30, 2, n)
    rng = np.random.default_rng(5)
    u = np.exp(log_rate) * rng.uniform(0, 3, (events, n))  # around the bound, where the screen decides
    u = np.minimum(u, np.nextafter(1, 0))
    def screen(u, log_rate):
        rates = (np.zeros((events, len(kernel.DRIVERS), 1)), np.zeros((events, len(kernel.DRIVERS)), dtype=np.int64),
                 np.tile(log_rate, (events, 1)), np.zeros((events, 2, 1)), np.zeros(events))
        out, found, candidates = np.empty((events, n)), np.empty(events, np.int64), np.empty((events, n), np.int64)
        kernel.log_rates(u, np.zeros((len(kernel.DRIVERS), n)), np.zeros(n, dtype=np.int64), rates, out, found,
                         candidates, np.empty((events, 0)), 0, n)
        for h in range(events):
            assert np.array_equal(candidates[h, :found[h]], np.flatnonzero(out[h] > -np.inf))
        return out

    out, bound = screen(u, log_rate), np.broadcast_to(np.exp(log_rate), u.shape)
    assert np.all(u[out == -np.inf] >= bound[out == -np.inf])
    assert np.all(out[u < bound] == np.broadcast_to(log_rate, u.shape)[u < bound])
    # and it is worth having: at monthly rates of typical events, most uniforms are ruled out
    typical = np.linspace(np.log(0.002), np.log(0.05), n)
    assert (screen(rng.random((events, n)), typical) == -np.inf).mean() > 0.8


def test_each_trajectory_reads_its_own_value_of_a_per_trajectory_parameter():
    """Every kind of coefficient the kernel reads per trajectory (drift, resistance, loadings, noise,
    drivers, event rates, slopes, after-crisis window, effects, η): with values alternating between
    a and b, each trajectory follows, bit for bit, the same trajectory of a run with a or b shared
    (trajectories draw by position and do not interact)."""
    from sim.model import engine
    from sim.config.compose import compose, prepare

    base = [*REFERENCE, "run.trajectories=1200", "run.block_size=1200", "run.end=2024-12"]
    keys = ["model.drift.energy", "model.resistance.monetary", "model.interdependence_loading.economic",
            "model.volatility.political", "model.noise_instability", "model.interdependence.base",
            "model.events.dispute.rate", "model.events.dispute.stress", "model.events.sanctions.after_crisis",
            "model.events.crisis.rally_odds", "model.events.dispute.effect.energy", "model.eta"]
    spec, seed, _ = prepare(compose(base))
    a = {key: float(np.ravel(config_value(spec.config, key))[0]) for key in keys}
    b = {key: 1.5 * value + 0.1 for key, value in a.items()}
    odd = np.arange(1200) % 2 == 1
    mixed = engine.run_blocks(spec, seed, {key: np.where(odd, b[key], a[key]) for key in keys})[0]
    shared_a = engine.run_blocks(spec, seed)[0]
    spec_b, _, _ = prepare(compose(base + [f"{key}={value}" for key, value in b.items()]))
    shared_b = engine.run_blocks(spec_b, seed)[0]
    assert not np.array_equal(shared_a.levels, shared_b.levels)
    np.testing.assert_array_equal(mixed.levels[:, :, ~odd], shared_a.levels[:, :, ~odd])
    np.testing.assert_array_equal(mixed.levels[:, :, odd], shared_b.levels[:, :, odd])


def config_value(config, key: str):
    node = config
    for part in key.split("."):
        node = node[part]
    return node


def test_per_trajectory_parameters_act_per_trajectory():
    from sim.model import engine
    from sim.config.compose import compose, prepare

    spec, seed, _ = prepare(compose([*REFERENCE, "run.trajectories=2000", "run.block_size=500", "run.end=2024-12"]))
    rates = np.repeat([0.0, 3.0], 1000)
    blocks = engine.run_blocks(spec, seed, {"model.events.commodity.rate": rates})
    counts = np.concatenate([b.counts["commodity"] for b in blocks])
    assert counts[:1000].sum() == 0 and counts[1000:].mean() > 3


@pytest.mark.parametrize("key", ["model.nothing", "model.events.dispute.rat"])
def test_a_design_key_the_model_does_not_have_is_refused(key):
    from sim.model import engine
    from sim.config.compose import compose, prepare
    from sim.errors import ConfigError

    spec, seed, _ = prepare(compose([*REFERENCE, "run.trajectories=10", "run.end=2022-12"]))
    with pytest.raises(ConfigError, match="no such parameter"):
        engine.run_blocks(spec, seed, {key: np.zeros(10)})


def test_the_price_paid_is_held_in_dollars_while_oil_moves_and_renegotiated_toward_its_target():
    """Without renegotiation the share paid, 1 − subsidy, moves as exp(R) (a price fixed in dollars
    against an oil-indexed reference), through R's own noise (move_drivers) and its jumps (commodity);
    with renegotiation and no pass-through, log(1 − subsidy) closes its share of the gap to the target
    every month."""
    from sim.model import kernel

    n, k, rng = 400, 5, np.random.default_rng(3)
    p = np.zeros((kernel.SUB_PASS + 1, 1))
    p[[kernel.R_REVERSION, kernel.R_MEAN, kernel.R_VOLATILITY, kernel.R_FLOOR], 0] = 0.02, 0.1, 0.03, -10.0
    p[[kernel.SUB_ADJUST, kernel.SUB_BASE, kernel.SUB_PASS], 0] = 1e-12, 0.5, 1.0
    drivers = np.zeros((len(kernel.DRIVERS), n))
    drivers[kernel.R], drivers[kernel.SUBSIDY] = rng.normal(0.0, 0.3, n), rng.uniform(0.55, 0.75, n)
    held, start = (1 - drivers[kernel.SUBSIDY]) * np.exp(-drivers[kernel.R]), drivers[kernel.R].copy()
    level, feedback, gap = np.full((k, n), 0.5), np.zeros((k, 1)), np.empty(n)
    for _ in range(24):
        kernel.move_drivers(level, drivers, rng.normal(size=(k + 3, n)), feedback, p, gap, 0, n)
    states = (np.zeros((k, n)), drivers, np.zeros((len(kernel.EVENT_TYPES), n), np.int64),
              np.full((len(kernel.EVENT_TYPES), n), -1, np.int64), np.zeros((len(kernel.EVENT_TYPES), 30), np.int64))
    for i in range(n):
        kernel.commodity(states, (np.array([[0.3]]), np.array([[1.0]])), i, 0.0, 25, -1)
    inside = (drivers[kernel.SUBSIDY] > 0) & (drivers[kernel.SUBSIDY] < 1)
    assert inside.mean() > 0.9 and np.std(drivers[kernel.R] - start) > 0.1
    np.testing.assert_allclose(((1 - drivers[kernel.SUBSIDY]) * np.exp(-drivers[kernel.R]))[inside], held[inside], rtol=1e-9)

    p[[kernel.SUB_ADJUST, kernel.SUB_PASS], 0] = 0.1, 0.0
    before = np.log(1 - drivers[kernel.SUBSIDY][inside])
    kernel.move_drivers(level, drivers, np.zeros((k + 3, n)), feedback, p, gap, 0, n)
    after = np.log(1 - drivers[kernel.SUBSIDY][inside])
    np.testing.assert_allclose(after - np.log(0.5), 0.9 * (before - np.log(0.5)), rtol=1e-9)
