"""Per-future measures against hand-computed paths; classes, milestones, verdict and its errors."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
import xarray as xr
from scipy import stats

from sim.analysis import outlook, posterior
from sim.analysis.ensemble import Distribution, view
from sim.results import measures
from tests.conftest import TRACKS, run

NS = SimpleNamespace


def analysis(**milestones) -> SimpleNamespace:
    return NS(delta=0.05, epsilon=0.03, window_months=12, p_progress=0.6, p_setback=0.5,
              milestones=NS(**{name: NS(track=t, threshold=x) for name, (t, x) in milestones.items()}))


def dataset(levels: np.ndarray) -> xr.Dataset:
    """A results-shaped Dataset from levels (trajectory, time, track); equal weights, monthly from 2021-11."""
    n, months, _ = levels.shape
    return xr.Dataset(
        {"level": (("trajectory", "time", "track"), levels.astype(np.float32)),
         "composite": (("trajectory", "time"), levels.mean(axis=2).astype(np.float32)),
         "events": (("trajectory", "event"), np.zeros((n, 1), np.int32))},
        coords={"trajectory": np.arange(n), "track": list(TRACKS), "event": ["dispute"],
                "time": (np.datetime64("2021-11") + np.arange(months)).astype("datetime64[ns]")},
        attrs={"scenario": "hand", "seed": "1", "start": "2021-11", "end": str(np.datetime64("2021-11") + months - 1)},
    )


def flat(months: int, value: float = 0.5) -> np.ndarray:
    return np.full(months, value)


def test_a_path_with_exactly_two_setback_episodes_counts_two():
    c = flat(48)
    c[5:8] = 0.46        # first dip: 0.04 below the year's maximum for three months, one episode
    c[30] = 0.45         # second dip, one month
    c[31:] = 0.5
    assert measures.setback_episodes(c[None], 0.03, 12).tolist() == [2]
    assert measures.along(c[None], [0.03], 12, 0.03).first_setback.tolist() == [[5]]


def test_slow_declines_and_small_dips_are_not_setbacks():
    slow = 0.5 - 0.002 * np.arange(60)         # 0.024 per 12 months < ε
    shallow = flat(60)
    shallow[10] = 0.48                          # 0.02 < ε
    assert measures.setback_episodes(np.stack([slow, shallow]), 0.03, 12).tolist() == [0, 0]


def test_a_long_fall_is_one_episode_and_a_fall_spread_over_more_than_the_window_is_none():
    fall = np.concatenate([flat(12), 0.5 - 0.01 * np.arange(1, 25)])
    assert measures.setback_episodes(fall[None], 0.03, 12).tolist() == [1]
    assert measures.setback_episodes(fall[None], 0.03, 2).tolist() == [0]  # 0.02 per 2 months


def test_max_drawdown_decline_months_and_reversals_by_hand():
    c = np.array([[0.30, 0.50, 0.40, 0.45, 0.20, 0.60]])
    paths = measures.along(c, [0.03], 12, 0.03, lag=1)
    assert paths.max_drawdown.tolist() == pytest.approx([0.30])
    assert paths.decline_months.tolist() == [2]   # months 2 and 4 fall
    zigzag = np.array([[0.00, 0.05, 0.02, 0.06, 0.01]])      # up, down, up, down by ≥ 0.03
    wiggle = np.array([[0.00, 0.01, 0.00, 0.01, 0.00]])

    def reversals(c):
        return measures.along(c, [0.03], 12, 0.03).reversals.tolist()

    assert reversals(zigzag) == [3]
    assert reversals(wiggle) == [0]
    assert reversals(np.linspace(0, 1, 30)[None]) == [0]
    assert reversals(np.vstack([zigzag, wiggle, zigzag[:, ::-1]])) == [3, 0, 3]


def test_the_compiled_pass_agrees_with_whole_array_definitions_on_random_paths():
    """along() against the measures written as whole-array numpy steps (scipy's running maximum)."""
    from scipy.ndimage import maximum_filter1d

    rng = np.random.default_rng(3)
    c = np.round(0.5 + np.cumsum(rng.normal(0, 0.012, (400, 120)), axis=1), 3)  # ties on purpose
    window, eps = 12, np.array([0.015, 0.03, 0.06])
    running = np.full(c.shape, -np.inf)
    running[:, 1:] = maximum_filter1d(c[:, :-1], size=window, axis=1, mode="constant", cval=-np.inf,
                                      origin=(window - 1) // 2)
    flags = c[:, :, None] <= running[:, :, None] - eps
    starts = flags[:, 0].astype(int) + (flags[:, 1:] & ~flags[:, :-1]).sum(axis=1)
    first = np.where(flags.any(axis=1), flags.argmax(axis=1), -1)
    peak = np.maximum.accumulate(c, axis=1)
    paths = measures.along(c, eps, window, 0.03)
    assert (paths.setbacks == starts).all() and (paths.first_setback == first).all()
    assert np.array_equal(paths.max_drawdown, (peak - c).max(axis=1))
    assert (paths.decline_months == (c[:, 12:] < c[:, :-12]).sum(axis=1)).all()
    above = c >= 0.6
    assert (measures.first_crossing(c, 0.6) == np.where(above.any(axis=1), above.argmax(axis=1), -1)).all()


def test_recorded_levels_and_composite_match_numpy_rounding():
    rng = np.random.default_rng(4)
    x = rng.uniform(-0.01, 1.01, (50, 30, 5)).astype(np.float32)
    x[0, 0, :3] = [0.5 / 4096, 2047.5 / 4096, 4095.7 / 4096]  # halves round to even; ends are a step inside
    expected = np.clip(np.rint(x * np.float32(4096)), 1, 4095) * np.float32(1 / 4096)
    assert np.array_equal(measures.recorded(x), expected)
    levels = measures.recorded(x)
    w = np.array([0.3, 0.2, 0.2, 0.2, 0.1])
    by_hand = measures.recorded((levels * w.astype(np.float32)).sum(axis=2, dtype=np.float64))
    assert np.abs(measures.composite(levels, w) - by_hand).max() <= 1 / 4096
    per_future = np.tile(w[:, None], (1, 50))
    assert np.array_equal(measures.composite(levels, per_future), measures.composite(levels, w))


def test_a_milestone_crossed_in_month_k_reports_month_k():
    months, k = 60, 17
    levels = np.full((2, months, len(TRACKS)), 0.5)
    levels[0, k:, TRACKS.index("energy")] = 0.8           # crosses 0.75 in month k
    ds = dataset(levels)
    a = analysis(gas=("energy", 0.75), never=("monetary", 0.9))
    ens = view(ds, a)
    assert ens.per_future("crossing:gas").tolist() == [k, -1]
    assert ens.per_future("crossing:never").tolist() == [-1, -1]
    s = outlook.summarize(ens)["milestones"]["gas"]
    assert s["p_by_end"] == 0.5
    assert s["median_date_if_reached"] == str(np.datetime64("2021-11") + k)   # 2023-04
    assert s["median_date"] == str(np.datetime64("2021-11") + k)              # lower median over both futures
    curve = ens.milestone_curves()[0]
    assert curve[k - 1] == 0 and curve[k] == 0.5 and curve[-1] == 0.5


def test_classes_follow_the_rules_and_shares_sum_to_one():
    months = 36
    up_smooth = np.linspace(0.4, 0.6, months)
    up_uneven = up_smooth.copy()
    up_uneven[20:24] -= 0.06
    still = flat(months)
    down = np.linspace(0.6, 0.4, months)
    paths = np.stack([up_uneven, up_smooth, still, down])
    ds = dataset(np.repeat(paths[:, :, None], len(TRACKS), axis=2))
    ens = view(ds, analysis())
    s = outlook.summarize(ens)
    assert ens.per_future("outlook").tolist() == [0, 1, 2, 3]
    assert list(s["classes"].values()) == [0.25] * 4
    assert sum(s["classes"].values()) == pytest.approx(1.0)
    for shares in s["classes_by_date"].values():
        assert sum(shares.values()) == pytest.approx(1.0)


def test_unequal_names_leader_laggard_and_the_spread():
    months = 24
    levels = np.full((3, months, len(TRACKS)), 0.5)
    levels[:, :, TRACKS.index("security")] = np.linspace(0.5, 0.8, months)
    levels[:, :, TRACKS.index("monetary")] = np.linspace(0.5, 0.4, months)
    u = outlook.summarize(view(dataset(levels), analysis()))["unequal"]
    assert (u["leader"], u["laggard"]) == ("security", "monetary")
    assert u["leads"]["security"] == 1.0 and u["lags"]["monetary"] == 1.0
    assert u["spread_median"] == pytest.approx(0.4, abs=1e-6)


def test_robustness_grid_holds_everywhere_or_nowhere_on_clear_cases():
    months = 48
    rising = np.linspace(0.3, 0.6, months)
    rising[24:28] -= 0.08                       # a setback deeper than the largest grid ε (0.06)
    clear = dataset(np.repeat(np.tile(rising, (10, 1))[:, :, None], len(TRACKS), axis=2))
    r = outlook.summarize(view(clear, analysis()))["verdict"]["robustness"]
    assert r["points"] == 81 and r["holds_share"] == 1.0
    none = outlook.summarize(view(dataset(np.full((10, months, len(TRACKS)), 0.5)), analysis()))["verdict"]
    assert not none["holds"] and none["robustness"]["holds_share"] == 0.0


def test_standard_errors_shrink_like_one_over_root_n():
    """Same seed, N and 4N trajectories: every standard error halves (within sampling noise of p itself)."""
    common = ["run.end=2031-12", "run.block_size=2000"]
    small = outlook.summarize(run(common + ["run.trajectories=300"]))
    large = outlook.summarize(run(common + ["run.trajectories=1200"]))
    pairs = [(small["verdict"]["p_progress_se"], large["verdict"]["p_progress_se"]),
             (small["uneven"]["setbacks"]["mean_se"], large["uneven"]["setbacks"]["mean_se"]),
             (small["uneven"]["max_drawdown"]["mean_se"], large["uneven"]["max_drawdown"]["mean_se"])]
    for name in ("uneven_progress", "stagnation"):
        pairs.append((small["classes_se"][name], large["classes_se"][name]))
    for se_n, se_4n in pairs:
        assert se_n / se_4n == pytest.approx(2.0, rel=0.15)


def test_share_and_mean_se_formulas():
    p, se = outlook.share_of(1, 4)
    assert (p, se) == (0.25, pytest.approx(np.sqrt(0.25 * 0.75 / 4)))
    m, se = Distribution(np.array([1.0, 2.0, 3.0, 4.0])).mean_se()
    assert (m, se) == (2.5, pytest.approx(np.std([1, 2, 3, 4], ddof=1) / 2))


def test_counted_and_binned_distributions_match_exact_values():
    """A summary-mode run's distributions (counts per value, histograms) give the exact run's numbers."""
    values = np.array([0, 1, 1, 2, 5, 5, 7])
    exact = Distribution(values)
    counted = Distribution(counts=np.bincount(values, minlength=9), sums=(values.sum(), (values**2).sum()))
    assert counted.mean_se() == pytest.approx(exact.mean_se())
    assert counted.quantiles([0.05, 0.5, 0.95]) == pytest.approx(exact.quantiles([0.05, 0.5, 0.95]))
    assert counted.per(12).mean_se()[0] == pytest.approx(values.mean() / 12)
    x = np.array([0.1004, 0.2507, 0.2509, 0.9001])
    binned = Distribution(counts=np.histogram(x, bins=1000, range=(0, 1))[0], edges=(0.0, 1.0))
    assert binned.quantiles([0.5]) == pytest.approx(np.quantile(x, [0.5]), abs=1e-3)


def test_quantiles_by_month_are_numpys_to_the_bit_on_and_off_the_recording_grid():
    rng = np.random.default_rng(5)
    qs = (0.0, 0.05, 0.25, 0.3333, 0.5, 0.95, 1.0)
    for n in (1, 2, 7, 1000):
        raw = rng.beta(2, 2, (n, 30))
        for x in (measures.recorded(raw), measures.recorded(raw).astype(np.float64),
                  np.asfortranarray(measures.recorded(raw)), raw):
            assert np.array_equal(measures.quantiles_by_month(x, qs), np.quantile(x, qs, axis=0))


class _Sets:
    """What `posterior.deciding` reads of a run: each future's parameter set, the sets' values, and the outlook's
    class per future."""

    def __init__(self, classes: np.ndarray, values: np.ndarray):
        sets = np.repeat(np.arange(values.shape[0]), classes.size // values.shape[0])
        self.ds = xr.Dataset({"parameter_set": ("future", sets), "set_value": (("set", "key"), values),
                              "parameter_key": ("key", [f"model.k{j}" for j in range(values.shape[1])])},
                             attrs={"parameter_sets": values.shape[0]})
        self.classes = classes

    def per_future(self, name: str) -> np.ndarray:
        return self.classes


def test_a_probability_equal_in_every_set_is_decided_by_no_parameter(recwarn):
    """No future progresses unevenly (class 0) in any set: P(setback | progress) is 0 everywhere, so its ρ is 0
    with p 1 — not NaN with a warning — while P(progress), which differs, gets its Spearman ρ."""
    g = np.random.default_rng(0)
    values = g.uniform(size=(8, 2))
    classes = np.where(g.uniform(size=(8, 50)) < values[:, :1], 1, 3).ravel()  # smooth progress or regression
    found = posterior.deciding(_Sets(classes, values))
    assert not [w for w in recwarn if "Constant" in type(w.message).__name__]
    assert all((row["p_setback_given_progress"]["rho"], row["p_setback_given_progress"]["p_value"]) == (0.0, 1.0)
               for row in found)
    first = next(row for row in found if row["key"] == "model.k0")
    assert first["p_progress"]["rho"] > 0.5


def test_the_interval_of_a_correlation_covers_the_truth_at_its_level():
    """Over 50 sets (a default run's), the 95 % interval of Spearman's ρ holds the true rank correlation of a
    normal pair at 0 and at 0.5 in 93–97 % of 2,000 samples; its half-width about 0 is the headline's ±0.28."""
    g = np.random.default_rng(1)
    for r in (0.0, 0.5):
        truth = 6 / np.pi * np.arcsin(r / 2)  # the rank correlation of a normal pair with correlation r
        x = g.standard_normal((2000, 50))
        y = r * x + np.sqrt(1 - r**2) * g.standard_normal((2000, 50))
        inside = [lo <= truth <= hi for lo, hi in
                  (posterior.rho_interval(float(stats.spearmanr(a, b)[0]), 50) for a, b in zip(x, y))]
        assert 0.93 <= np.mean(inside) <= 0.97
    assert posterior.rho_interval(0.0, 50)[1] == pytest.approx(0.278, abs=0.001)
