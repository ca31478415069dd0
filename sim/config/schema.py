"""What every config key may hold: its kind, allowed range and unit, as one table (SCHEMA).

Keys are dotted patterns (fnmatch, with {a,b} alternation); the first match wins. The same table
checks configs (validate.py) and documents them (docs.py, docs/PARAMETERS.md).
"""

from __future__ import annotations

import fnmatch
import math
import re
from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True)
class Rule:
    """What a config value must be: its kind, bounds (inclusive unless open) and unit."""

    kind: str  # real | int | range | month | months | track | tracks | names | text | file | vector | effect | seed | model
    #            | flag | executor | address | workers | asymmetry | triple | probabilities | shares | optional_int
    #            | formats
    lo: float = -math.inf
    hi: float = math.inf
    lo_open: bool = False
    hi_open: bool = False
    unit: str = ""

    def describe(self) -> str:
        if self.kind == "triple":
            return f"must be a list of 3 numbers in [{self.lo:g}, {self.hi:g}] (magnitudes 1, 2, 3)"
        if self.kind == "triple_or_real":
            return f"must be a number in [{self.lo:g}, {self.hi:g}], or a list of 3 (one per severity 1, 2, 3)"
        if self.kind == "optional_int":
            return f"must be an integer in [{self.lo:g}, {self.hi:g}], or null"
        if self.kind in ("vector", "effect", "real", "int", "range"):
            left = "(" if self.lo_open else "["
            right = ")" if self.hi_open else "]"
            lo = "-inf" if self.lo == -math.inf else f"{self.lo:g}"
            hi = "inf" if self.hi == math.inf else f"{self.hi:g}"
            what = {"int": "an integer", "range": "a pair [low, high]"}.get(self.kind, "a number")
            return f"must be {what} in {left}{lo}, {hi}{right}"
        return {
            "month": "must be a month YYYY-MM",
            "optional_month": "must be a month YYYY-MM, or null (start: where the record ends; end: 20 years on)",
            "months": "must be a list of months YYYY-MM",
            "track": "must be one of the model's tracks",
            "tracks": "must be a list of track names",
            "names": "must be a list of names (empty: all)",
            "text": "must be text",
            "seed": "must be an integer >= 0, or null for fresh entropy",
            "file": "must be a file name, or null",
            "model": "must be a mapping of model keys, nested as under model",
            "flag": "must be true or false (or null where the default is automatic)",
            "executor": "must be threads, local or dask",
            "workers": "must be an integer in [1, 1024], or null for automatic",
            "asymmetry": "must be a number in [0, 1], or record (from the record's GDP, population and territory ratios)",
            "probabilities": "must be a list of 3 probabilities (magnitudes 1, 2, 3) summing to 1",
            "shares": "must be a list of probabilities",
            "address": "must be a scheduler address such as tcp://host:8786, or null",
            "formats": "must be a list of figure formats among png, pdf, svg, with png first (the report shows it)",
        }[self.kind]


def real(lo=-math.inf, hi=math.inf, unit="", lo_open=False, hi_open=False, kind="real") -> Rule:
    return Rule(kind, lo, hi, lo_open, hi_open, unit)


PROB = real(0, 1, "probability")
UNIT_OPEN = real(0, 1, "level", lo_open=True, hi_open=True)
RATE = real(0, 1e3, "per year")
LOGIT = real(-50, 50, "logit")
SLOPE = real(-50, 50, "log-odds per unit")
NONNEG = real(0, 1e3)

# First match wins: specific patterns precede general ones.
SCHEMA: list[tuple[str, Rule]] = [
    # model: tracks and their dynamics
    ("model.tracks", Rule("tracks")),
    ("model.weights", real(0, 1, "weight", kind="vector")),
    ("model.initial", real(0, 1, "level", True, True, kind="vector")),
    ("model.drift", real(-50, 50, "logit/year", kind="vector")),
    ("model.*_loading", real(-50, 50, "logit/year per unit", kind="vector")),
    ("model.resistance", real(0, 50, "logit/year", kind="vector")),
    ("model.instability_drag", real(0, 50, "logit/year per unit", kind="vector")),
    ("model.volatility", real(0, 10, "logit/√year", kind="vector")),
    ("model.eta", real(0, 10, "exponent", lo_open=True)),
    ("model.asymmetry", Rule("asymmetry", unit="index")),
    ("model.centred", Rule("flag")),
    ("model.initial_date", Rule("month")),                # the month the initial values describe (a model not tied to the record)                      # loadings act on drivers around the reference state
    ("model.implementation", real(0, 100, "per year", kind="vector")),
    ("model.commitment.erosion", real(0, 100, "per year")),
    ("model.commitment.floor", real(0, 1, "level", True, True, kind="vector")),
    ("model.commitment.volatility", real(0, 10, "logit/√year")),
    ("model.climate.reversion", real(0, 100, "per year")),
    ("model.climate.pressure", real(-10, 10, "climate per round")),
    ("model.climate.volatility", real(0, 10, "per √year")),
    ("model.climate.initial", real(-50, 50, "climate")),
    ("model.noise_instability", real(0, 10, "per unit of S")),
    ("model.correlation", real(-0.25, 1, "correlation", hi_open=True)),
    # drivers
    ("model.history.timescale_years", real(0, 1e4, "years", lo_open=True)),
    ("model.history.{initial,long_run}", real(0, 1, "index")),
    ("model.interdependence.initial", real(0, 1, "index")),
    ("model.interdependence.feedback", real(-10, 10, "index per unit level", kind="effect")),
    ("model.interdependence.reversion", real(0, 100, "per year")),
    ("model.interdependence.volatility", real(0, 10, "per √year")),
    ("model.interdependence.{base,pressure,subsidy,stress}", real(-10, 10, "index per unit")),
    ("model.pressure.initial", real(0, 1e3, "rounds")),
    ("model.pressure.half_life_years", real(0, 1e4, "years", lo_open=True)),
    ("model.{instability,fiscal_stress}.reversion", real(0, 100, "per year")),
    ("model.{instability,fiscal_stress}.volatility", real(0, 10, "per √year")),
    ("model.instability.{initial,mean}", real(0, 1e3, "index")),
    ("model.fiscal_stress.{initial,mean,floor}", real(-1e3, 1e3, "index")),  # a log price ratio in the model on the record
    ("model.subsidy.adjustment", PROB),
    ("model.subsidy.reversion", real(0, 100, "per year")),
    ("model.reference.pressure", real(0, 1e3, "rounds")),
    ("model.reference.{interdependence,instability,fiscal_stress,subsidy_gap,history,level}", real(0, 1, "index")),
    ("model.subsidy.{initial,reference}", real(0, 1, "share")),
    ("model.subsidy.stress", real(0, 10, "share per unit of R")),
    ("model.subsidy.pass_through", real(0, 1, "share of R's move")),
    # stochastic events
    ("model.events.{step,setback}.rate", real(0, 1e3, "per year", kind="vector")),
    ("model.events.{step,setback}.{climate,interdependence,pressure,instability,stress}", SLOPE),
    ("model.events.setback.gap", real(-50, 50, "log-odds per unit", kind="effect")),
    ("model.events.step.resistance", real(0, 50, "log-rate per unit of depth", kind="vector")),
    ("model.events.{step,setback}.breadth", PROB),
    ("model.events.{step,setback}.magnitude", Rule("probabilities")),
    ("model.events.{step,setback}.effect", real(0, 10, "logit")),
    ("model.events.{step,setback}.by_magnitude", real(0, 10, "factor", kind="triple")),
    ("model.events.{step,setback}.climate_effect", real(0, 50, "climate")),
    ("model.events.setback.permanent", PROB),
    ("model.events.setback.subsidy_cut", real(0, 1, "share", kind="effect")),
    ("model.events.crisis.{rally_climate,hedge_climate}", real(0, 50, "climate")),
    ("model.events.transition.{consolidation_climate,pivot_climate}", real(0, 50, "climate")),
    ("model.events.*.rate", RATE),
    ("model.events.transition.growth", real(-10, 10, "per year")),
    ("model.events.transition.continuity", PROB),
    ("model.events.transition.pro_moscow", PROB),
    ("model.events.transition.multi_vector", PROB),
    ("model.events.{crisis,transition}.instability_jump", real(0, 1e3, "index")),
    ("model.events.sanctions.jump", real(0, 1e3, "rounds")),
    ("model.events.commodity.jump", real(0, 1e3, "index")),
    ("model.events.dispute.subsidy_cut", PROB),
    ("model.events.detente.cut", PROB),
    ("model.events.sanctions.after_crisis", real(0, 1e3, "rate multiplier")),
    ("model.events.sanctions.after_crisis_months", real(0, 600, "months", kind="int")),
    ("model.events.sanctions.interdependence", real(-1, 1, "index")),
    ("model.events.crisis.rally_odds", real(-50, 50, "log-odds")),
    ("model.events.dispute.effect", real(-50, 50, "logit", kind="effect")),
    ("model.events.crisis.rally", real(-50, 50, "logit", kind="effect")),
    ("model.events.crisis.hedge", real(-50, 50, "logit", kind="effect")),
    ("model.events.transition.consolidation", real(-50, 50, "logit", kind="effect")),
    ("model.events.transition.pivot", real(-50, 50, "logit", kind="effect")),
    ("model.events.dispute.{stress,gap,interdependence}", SLOPE),
    ("model.events.crisis.{instability,rally_pressure}", SLOPE),
    ("model.events.{sanctions,detente}.pressure", SLOPE),
    # scheduled calendar
    ("model.calendar.*_election.dates", Rule("months")),
    ("model.calendar.*_election.cycle_years", real(1, 100, "years", kind="int")),
    ("model.calendar.*_election.instability_jump", real(0, 1e3, "index", kind="triple_or_real")),
    ("model.calendar.*_election.severity", Rule("probabilities")),
    ("model.calendar.*_election.crisis_window_months", real(0, 600, "months", kind="int")),
    ("model.calendar.*_election.crisis_multiplier", real(0, 1e3, "rate multiplier")),
    ("model.calendar.{council,gas_deal}.month", real(1, 12, "month of year", kind="int")),
    ("model.calendar.council.effect", real(-50, 50, "logit", kind="effect")),
    ("model.calendar.council.odds", real(-50, 50, "log-odds")),
    ("model.calendar.council.{history,interdependence,pressure,instability}", SLOPE),
    ("model.calendar.deadlines.*.date", Rule("month")),
    ("model.calendar.deadlines.*.track", Rule("track")),
    ("model.calendar.deadlines.*.postpone_months", real(1, 600, "months", kind="optional_int")),
    ("model.calendar.deadlines.*.success", LOGIT),
    ("model.calendar.deadlines.*.failure", LOGIT),
    ("model.calendar.deadlines.*.odds", real(-50, 50, "log-odds")),
    ("model.calendar.deadlines.*.{level,interdependence,instability}", SLOPE),
    # scenario
    ("scenario.name", Rule("text")),
    ("scenario.description", Rule("text")),
    ("scenario.events.*.date", Rule("month")),          # a stochastic event type forced in every trajectory
    ("scenario.events.*.type", Rule("text")),
    ("scenario.events.*.model", Rule("model")),         # model.events.<type> values for this event only
    ("scenario.changes.*.date", Rule("month")),         # model values from this month on
    ("scenario.changes.*.model", Rule("model")),
    ("scenario.policies.subsidy_for_integration.start", Rule("month")),  # first review
    ("scenario.policies.subsidy_for_integration.every_months", real(1, 600, "months", kind="int")),
    ("scenario.policies.subsidy_for_integration.track", Rule("track")),
    ("scenario.policies.subsidy_for_integration.target", UNIT_OPEN),
    ("scenario.policies.subsidy_for_integration.cut", real(0, 1, "share of the world price")),
    ("scenario.policies.multi_vector.start", Rule("month")),
    ("scenario.policies.multi_vector.every_months", real(1, 600, "months", kind="int")),
    ("scenario.policies.multi_vector.pressure_below", real(0, 1e3, "rounds")),
    ("scenario.policies.multi_vector.effect", real(-50, 50, "logit", kind="effect")),
    # run
    ("run.trajectories", real(1, 1e9, "trajectories", kind="int")),
    ("run.seed", Rule("seed")),
    ("run.start", Rule("optional_month")),
    ("run.end", Rule("optional_month")),
    # the record and how the model is tied to it (record/observation.py, record/filter.py)
    ("model.record.start", Rule("month")),
    ("model.record.coverage.until", Rule("months")),
    ("model.record.coverage.share", Rule("shares")),
    ("model.record.brent_reference", real(1, 1e4, "USD per barrel")),
    ("model.record.contract_per_brent", real(0, 100, "USD per 1000 m³ per USD/bbl", lo_open=True)),
    ("model.record.territory_ratio", real(1, 1e4, "ratio")),
    ("model.record.noise.brent", real(0, 10, "log price", lo_open=True)),
    ("model.record.noise.{trade_share,subsidy}", real(0, 10, "share", lo_open=True)),
    ("model.record.prior_spread", real(0, 10, "logit")),
    ("model.record.judgement.date", Rule("month")),
    ("model.record.judgement.levels", real(0, 1, "level", True, True, kind="vector")),
    ("model.record.judgement.spread", real(0, 1, "level", lo_open=True)),
    ("run.workers", Rule("workers")),
    ("run.particles", real(100, 1e7, "particles", kind="int")),
    ("run.parallel_above", real(0, 1e18, "trajectory-months")),
    ("run.block_size", real(1, 1e7, "trajectories", kind="int")),
    ("run.sample_paths", real(0, 1000, "paths", kind="int")),
    ("run.figures", Rule("formats")),
    ("run.summary", Rule("flag")),
    ("run.summary_above", real(1, 1e12, "trajectories", kind="int")),
    ("run.executor", Rule("executor")),
    ("run.scheduler", Rule("address")),
    ("run.resume", Rule("flag")),
    # analysis
    ("analysis.delta", real(0, 1, "composite level", lo_open=True)),
    ("analysis.epsilon", real(0, 1, "composite level", lo_open=True)),
    ("analysis.window_months", real(1, 600, "months", kind="int")),
    ("analysis.p_progress", PROB),
    ("analysis.p_setback", PROB),
    ("analysis.milestones.*.track", Rule("text")),
    ("analysis.milestones.*.threshold", UNIT_OPEN),
    ("analysis.questions", Rule("file")),  # the forecast questions every run answers: configs/questions/NAME.yaml
    ("model.parameter_sets", Rule("file")),
    # calibration (configs/calibration/*.yaml; the prior is checked by inference/prior.py)
    ("calibration.name", Rule("text")),
    ("calibration.until", Rule("optional_month")),
    ("calibration.keep", Rule("months")),
    ("calibration.{sets,particles}", real(2, 1e7, "count", kind="int")),
    ("calibration.moves", real(1, 100, "moves", kind="int")),
    ("calibration.{threshold,renewal}", real(0, 1, "share")),
    ("calibration.noise", real(0.1, 100, "nats")),
    ("calibration.max_particles", real(0, 1e7, "particles", kind="int")),
    ("calibration.samples", real(1, 1e7, "draws", kind="int")),
    ("calibration.workers", real(1, 256, "processes", kind="int")),
    ("calibration.prior.*.{key,dist}", Rule("text")),
    ("calibration.prior.*.{centre,sd}", real(-1e3, 1e3)),
    ("calibration.prior.*.scale", Rule("flag")),
    ("calibration.slices.parameters", Rule("names")),
    ("calibration.slices.particles", real(2, 1e7, "particles", kind="int")),
    ("calibration.slices.points", real(5, 1001, "points", kind="int")),  # a parabola through four at least (points outside the model's range are left out)
    ("calibration.slices.repeats", real(2, 1000, "repeats", kind="int")),
    ("calibration.slices.span", real(0, 10, "prior sd", lo_open=True)),
    # backtest (configs/backtest/*.yaml): rolling-origin evaluation
    ("backtest.name", Rule("text")),
    ("backtest.{first_origin,last_origin,split}", real(1990, 2100, "year", kind="int")),
    ("backtest.horizon", real(1, 30, "years", kind="int")),
    ("backtest.samples", real(10, 1e6, "futures per origin", kind="int")),
]


def _expand(pattern: str) -> list[str]:
    """'a.{b,c}.d' → ['a.b.d', 'a.c.d'] (fnmatch has no alternation)."""
    match = re.search(r"\{([^}]*)\}", pattern)
    if not match:
        return [pattern]
    return [p for option in match[1].split(",")
            for p in _expand(pattern[:match.start()] + option + pattern[match.end():])]


RULES = [(p, rule) for pattern, rule in SCHEMA for p in _expand(pattern)]  # patterns with {a,b} expanded


@cache  # a config has hundreds of keys and RULES hundreds of patterns: validating a run matches each key once
def rule_for(key: str) -> Rule | None:
    """The schema entry for a dotted key, or None when the key is unknown."""
    for pattern, rule in RULES:
        if fnmatch.fnmatchcase(key, pattern) and pattern.count(".") == key.count("."):
            return rule
    return None

