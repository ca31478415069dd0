"""The results Dataset: its layout for a run that keeps every path and for one that keeps counts.

A run that keeps every path: level(trajectory, time, track) and composite(trajectory, time) as
float32 recorded to measures.STEP, monthly `time` as dates, events(trajectory, event) as counts, event_month(event, time) as
the number of trajectories with an event of each type in each month, and every dated event as a
table along `log` (log_trajectory, log_time, log_event: a position in `event`), so that any question about events between
two dates can be answered later. A summary-mode run (attribute layout = "summary") carries quantile
bands, the counts of counts.py (with its forecast questions' answers), sampled paths and the dated
events of the first counts.LOGGED futures instead. Attributes hold the seed, scenario, package
version, format version, the resolved config (YAML) and the question set it answers (YAML, the
format of results/questions.py), and may hold `overrides` (JSON list: what the run was asked for)
and `start_state` (JSON: the state the run starts from and the last record it used, for the report);
`inputs` holds the digests of the files the run read besides its config.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version as installed_version

import numpy as np
import xarray as xr
from scipy.special import logsumexp

from .. import months
from ..config import sources
from ..config.validate import RunSpec, from_config
from ..model.state import EVENT_TYPES
from . import counts, measures, questions

FORMAT = 3  # bump when the layout changes; io.load refuses other formats
# The event log's types as codes, the positions of the `event` coordinate (CF flags).
EVENT_CODES = {"long_name": "event type", "flag_values": np.arange(len(EVENT_TYPES), dtype=np.int8),
               "flag_meanings": " ".join(EVENT_TYPES)}


def version() -> str:
    """The package's version, or 0+unknown in a source tree that is not installed."""
    try:
        return installed_version("union-state-sim")
    except PackageNotFoundError:
        return "0+unknown"


Parts = tuple[dict, dict, dict]  # variables, coordinates and attributes added to a Dataset as it is made


def _made(variables: dict, coords: dict, attrs: dict, parts: tuple[Parts, ...]) -> xr.Dataset:
    """A Dataset of these variables, coordinates and attributes and those of `parts`, made at once (xarray
    aligns and copies on every assign)."""
    for more_variables, more_coords, more_attrs in parts:
        variables, coords, attrs = variables | more_variables, coords | more_coords, attrs | more_attrs
    return xr.Dataset(variables, coords=coords, attrs=attrs)


def assemble(spec: RunSpec, blocks: list[dict[str, np.ndarray]], attrs: dict,
             parts: tuple[Parts, ...] = ()) -> xr.Dataset:
    """One Dataset from the blocks' arrays (BlockResult.arrays), in block order, with attributes `attrs` and
    the `parts` (start_parts, set_parts)."""
    levels = measures.recorded(np.concatenate([b["levels"] for b in blocks], axis=2).transpose(2, 0, 1))
    event_counts = np.concatenate([b["counts"] for b in blocks])
    n = levels.shape[0]
    times = months.dates(spec.run.start, spec.months)
    per_month = np.sum([b["event_month"] for b in blocks], axis=0).astype(np.int32)
    log = np.concatenate([b["log"] for b in blocks]).astype(np.int32)
    log = log[np.argsort(log[:, 1], kind="stable")]  # by trajectory, each in month order
    return _made(
        {
            "level": (("trajectory", "time", "track"), levels, {"long_name": "integration level", "units": "1"}),
            "composite": (("trajectory", "time"), measures.composite(levels, spec.model.weights),
                          {"long_name": "composite index", "units": "1"}),
            "events": (("trajectory", "event"), event_counts.astype(np.int32), {"long_name": "event count"}),
            "event_month": (("event", "time"), per_month,
                            {"long_name": "trajectories with an event of this type in this month"}),
            "log_trajectory": ("log", log[:, 1], {"long_name": "trajectory"}),
            "log_time": ("log", times[log[:, 0]], {"long_name": "month of the event"}),
            "log_event": ("log", log[:, 2].astype(np.int8), EVENT_CODES),
        },
        {
            "trajectory": np.arange(n, dtype=np.int32),
            "time": times,
            "track": list(spec.tracks),
            "event": list(EVENT_TYPES),
        },
        attrs, parts)


def from_counts(spec: RunSpec, merged: dict[str, np.ndarray], attrs: dict,
                parts: tuple[Parts, ...] = ()) -> xr.Dataset:
    """The results Dataset of a summary-mode run: quantile bands, mean and spread, the histograms
    and counts the analysis reads, the sampled paths and the event records; and the `parts`."""
    n = int(merged["trajectories"])
    count = spec.months
    times = months.dates(spec.run.start, count)
    series = [*spec.tracks, "composite"]
    hist = merged["hist"]
    s1, s2 = merged["moments"] / counts.FIXED_POINT
    mean = s1 / n
    sd = np.sqrt(np.maximum(s2 - n * mean**2, 0) / max(n - 1, 1))
    log = merged["log"]
    return _made(
        {
            "band": (("quantile", "time", "series"), counts.quantiles(hist, counts.QUANTILES).astype(np.float32),
                     {"long_name": "quantile of the level over futures", "resolution": 1 / counts.BINS}),
            "mean": (("time", "series"), mean, {"long_name": "mean level over futures"}),
            "sd": (("time", "series"), sd, {"long_name": "standard deviation of the level over futures"}),
            "histogram": (("time", "series", "bin"), hist.astype(np.int32),
                          {"long_name": f"futures per level bin of width 1/{counts.BINS}"}),
            "classes": ("outlook", merged["classes"].astype(np.int32)),
            "horizon_classes": (("horizon", "outlook"), merged["horizon_classes"].astype(np.int32)),
            "verdict_grid": (("grid_delta", "grid_epsilon", "count"), merged["verdict_grid"].astype(np.int32),
                             {"long_name": "futures progressing, and of those with a setback, per δ and ε"}),
            "crossing": (("milestone", "crossing_month"), merged["crossing"].astype(np.int32),
                         {"long_name": "futures first crossing in each month (the last: never)"}),
            "metric_counts": (("integer_metric", "value"), merged["metric_counts"].astype(np.int32)),
            "metric_sums": (("integer_metric", "power"), merged["metric_sums"].astype(np.float64)),
            "drawdown_sums": ("power", merged["drawdown_sums"] / counts.FIXED_POINT),
            "drawdown_histogram": ("level_bin", merged["drawdown_hist"].astype(np.int32)),
            "spread_histogram": ("level_bin", merged["spread_hist"].astype(np.int32)),
            "net_change_histogram": (("series", "change_bin"), merged["net_hist"].astype(np.int32),
                                     {"long_name": f"futures per bin of width 1/{counts.BINS} on [-1, 1)"}),
            "leads": ("track", merged["leads"].astype(np.int32)),
            "lags": ("track", merged["lags"].astype(np.int32)),
            "events_by_class": (("outlook", "event"), merged["events_by_class"].astype(np.float64)),
            "event_month": (("event", "time"), merged["event_month"].astype(np.int32),
                            {"long_name": "trajectories with an event of this type in this month"}),
            "question_yes": ("question", merged["question_yes"],
                             {"long_name": "futures answering yes to each question of the run's set"}),
            "sample_level": (("sample", "time", "track"), merged["sample_level"]),
            "sample_composite": (("sample", "time"),
                                 measures.composite(merged["sample_level"], spec.model.weights)),
            "log_trajectory": ("log", log[:, 1].astype(np.int32),
                               {"long_name": f"trajectory (one of the first {counts.LOGGED})"}),
            "log_time": ("log", times[log[:, 0]]),
            "log_event": ("log", log[:, 2].astype(np.int8), EVENT_CODES),
        },
        {"quantile": list(counts.QUANTILES), "time": times, "series": series, "track": list(spec.tracks),
         "event": list(EVENT_TYPES), "outlook": list(measures.CLASSES),
         "horizon": times[measures.horizons(count)], "milestone": list(vars(spec.analysis.milestones)),
         "integer_metric": list(counts.INTEGER_METRICS), "sample": merged["sample_index"].astype(np.int32),
         "question": [q.id for q in questions.named(spec.analysis.questions)]},
        {**attrs, "layout": "summary", "trajectories": n}, parts)


def start_parts(filtered) -> Parts:
    """The record a run started from: the filtered path of every track, the composite and the drivers month
    by month up to the start (quantiles and means), the effective sample size, and attributes naming the
    last month of the record used and the filter's figures."""
    variables = {
        "record_band": (("record_time", "record_series", "record_quantile"), filtered.bands.astype(np.float32),
                        {"long_name": "filtered quantile of the state given the record up to each month"}),
        "record_mean": (("record_time", "record_series"), filtered.means.astype(np.float32),
                        {"long_name": "filtered mean of the state given the record up to each month"}),
        "record_ess": ("record_time", filtered.ess.astype(np.float32),
                       {"long_name": "effective sample size of the filter's particles"}),
    }
    coords = {"record_time": months.dates(filtered.first, filtered.ess.size), "record_series": list(filtered.series),
              "record_quantile": [0.05, 0.5, 0.95]}
    attrs = {"record_until": months.text(filtered.recorded), "filter_particles": int(filtered.weights.size),
             "filter_loglik": float(logsumexp(filtered.loglik) - np.log(filtered.loglik.size)),
             "filter_ess_min": float(filtered.ess.min()), "filter_ess_end": float(filtered.ess[-1])}
    return variables, coords, attrs


def set_parts(parameter_set: np.ndarray, keys: list[str], values: np.ndarray) -> Parts:
    """The parameter sets a run's futures drew (posterior draws: values (sets, keys) at the model keys) and
    the set of each future."""
    variables = {"parameter_set": ("trajectory", parameter_set.astype(np.int16),
                                   {"long_name": "the parameter set (a posterior draw) the future ran with"}),
                 "set_value": (("parameter_set_index", "parameter_key"), values.astype(np.float64),
                               {"long_name": "each parameter set's value at each model key"})}
    return variables, {"parameter_key": list(keys)}, {"parameter_sets": int(len(values))}


def attributes(spec: RunSpec, seed: int, config_yaml: str, inputs: str) -> dict:
    """The attributes every results Dataset carries: what made it (`inputs`: the files it read besides its
    config, with their digests: run/ensemble.inputs)."""
    return {
        "title": "Union State of Russia and Belarus: integration ensemble",
        "seed": str(seed),
        "scenario": spec.scenario.name,
        "version": version(),
        "format": FORMAT,
        "start": months.text(spec.run.start),
        "end": months.text(spec.run.end),
        "config": config_yaml,
        "questions": questions.dump(questions.named(spec.analysis.questions)),
        "inputs": inputs or "none",
    }


def is_summary(ds: xr.Dataset) -> bool:
    """A summary-mode run: quantile bands and counts instead of every path."""
    return ds.attrs.get("layout") == "summary"


def event_log(ds: xr.Dataset, trajectory: int) -> list[tuple[str, str]]:
    """The dated events (YYYY-MM, type) of one logged trajectory, in time order."""
    mine = ds.log_trajectory.values == trajectory
    return [(str(t)[:7], str(ds.event.values[e])) for t, e in zip(ds.log_time.values[mine], ds.log_event.values[mine])]


def recorded_config(ds: xr.Dataset) -> dict:
    """The config a Dataset was made with, as plain values (never resolved: sources.plain)."""
    return sources.plain(ds.attrs["config"])


def spec_of(ds: xr.Dataset) -> RunSpec:
    """The validated spec a Dataset was made with, from its recorded config."""
    return from_config(recorded_config(ds))
