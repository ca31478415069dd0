"""One view of a run's results for the analysis, whichever kind of run made them.

A run that keeps every path (`Paths`) and a summary-mode run that keeps counts (`Counts`) answer
the same questions, so the outlook, the figures and the report never ask which they hold.
Counts (classes, verdict, milestone crossings, integer measures, events) are exact in both, as
both are tallied by results/counts.py; quantiles of continuous quantities are exact for `Paths`
and read from histograms (to one bin) for `Counts`. Only `Paths` has per-future values, which
paired comparisons use.
"""

from __future__ import annotations

from functools import cached_property
from types import SimpleNamespace

import numpy as np
import xarray as xr
import yaml

from .. import months
from ..results import answers, counts, measures, questions
from ..results.dataset import is_summary, spec_of


def share_of(k: int, n: int) -> tuple[float, float]:
    """k of n as a proportion and its Monte Carlo standard error."""
    p = k / n if n else float("nan")
    return p, float(np.sqrt(p * (1 - p) / n)) if n else float("nan")


class Distribution:
    """A per-future quantity over the futures of a run: its mean, quantiles and histogram."""

    def __init__(self, values: np.ndarray | None = None, *, counts: np.ndarray | None = None,
                 sums: tuple[float, float] | None = None, edges: tuple[float, float] | None = None,
                 unit: float = 1.0):
        """Exact `values`; or `counts` per integer value 0, 1, … (edges None) or per equal bin of
        `edges` (lo, hi), with `sums` (Σx, Σx²) for the mean; the quantity is divided by `unit`."""
        self.values, self.counts, self.sums, self.edges, self.unit = values, counts, sums, edges, unit

    def per(self, unit: float) -> "Distribution":
        """The same quantity in other units: divided by `unit` (e.g. months per year)."""
        return Distribution(self.values, counts=self.counts, sums=self.sums, edges=self.edges, unit=self.unit * unit)

    def _exact(self) -> np.ndarray:
        x = self.values.astype(np.float64)
        return x / self.unit if self.unit != 1 else x

    def mean_se(self) -> tuple[float, float]:
        """The mean over futures and its Monte Carlo standard error."""
        if self.values is not None:
            x = self._exact()
            se = float(x.std(ddof=1) / np.sqrt(x.size)) if x.size > 1 else float("nan")
            return float(x.mean()), se
        n = int(self.counts.sum())
        total, squares = self.sums
        mean = total / n
        se = float(np.sqrt(max(squares - n * mean**2, 0) / (n - 1) / n)) if n > 1 else float("nan")
        return float(mean) / self.unit, se / self.unit

    def quantiles(self, qs) -> np.ndarray:
        if self.values is not None:
            return np.quantile(self._exact(), qs)
        if self.edges is None:
            return np.array([counts.int_quantile(self.counts, q) for q in qs]) / self.unit
        return counts.quantiles(self.counts, qs, *self.edges) / self.unit

    def shares(self) -> tuple[np.ndarray, np.ndarray]:
        """Values and the share of futures (%) at each, for a histogram: one value per future, or
        the values of the counted integers or bin centres."""
        if self.values is not None:
            return self._exact(), np.full(self.values.size, 100 / self.values.size)
        if self.edges is None:
            values = np.arange(self.counts.size, dtype=np.float64)
        else:
            lo, hi = self.edges
            values = lo + (np.arange(self.counts.size) + 0.5) * (hi - lo) / self.counts.size
        return values / self.unit, 100 * self.counts / self.counts.sum()


class Ensemble:
    """What the analysis reads of a run; made by `view(ds)`."""

    def __init__(self, ds: xr.Dataset, analysis: SimpleNamespace | None = None):
        self.ds = ds
        self.analysis = analysis if analysis is not None else spec_of(ds).analysis
        self.times = ds["time"].values
        self.tracks = [str(t) for t in ds["track"].values]
        self.series = [*self.tracks, "composite"]
        self.milestones = list(vars(self.analysis.milestones))

    @property
    def months(self) -> int:
        return self.times.size

    @property
    def binned(self) -> tuple[int, int] | None:
        """(histogram bins, sample paths) of a run that kept counts; None for one that kept every path."""
        return None

    def tallied(self, name: str) -> np.ndarray:
        """A count of results/counts.py's tally: classes, horizon_classes, verdict_grid, crossing,
        leads, lags, events_by_class."""
        raise NotImplementedError

    def metric(self, name: str) -> Distribution:
        """setbacks, reversals, decline_months, max_drawdown or spread (fastest minus slowest track)."""
        raise NotImplementedError

    def net_change(self, series: str) -> Distribution:
        raise NotImplementedError

    def band(self, series: str, qs) -> np.ndarray:
        """(len(qs), months) quantiles of a track's or the composite's level over futures, month by month."""
        raise NotImplementedError

    def samples(self, series: str) -> np.ndarray:
        """(paths, months) single futures to draw: every path of a full run, the sample of a summary-mode one."""
        raise NotImplementedError

    def per_year(self, event: str) -> np.ndarray | None:
        """(futures, years) events of a type in each year from the start (None where the run kept no event log)."""
        return None

    def per_future(self, name: str) -> np.ndarray | None:
        """Per-future values for paired comparisons (None when the run kept only counts):
        'outlook', 'setbacks', 'max_drawdown', 'net_change:<series>', 'crossing:<milestone>',
        'horizon_outlook:<month index>' (the class judged over the months up to it; the outlook at the end)."""
        return None

    def answer(self, q: questions.Question) -> int | str:
        """The number of futures answering yes to a question, or why the run cannot answer it."""
        start, end = (months.parse(self.ds.attrs[k]) for k in ("start", "end"))
        why = answers.answerable(q, start, end)
        return why if why is not None else self._yes(q, start)

    def _yes(self, q: questions.Question, start: int) -> int | str:
        raise NotImplementedError

    def milestone_curves(self) -> np.ndarray:
        """(milestone, month) probability that each milestone has been reached by each month."""
        crossing = self.tallied("crossing")  # futures first crossing per month, the last column: never
        return np.cumsum(crossing[:, :self.months], axis=1) / np.maximum(crossing.sum(axis=1, keepdims=True), 1)


class Paths(Ensemble):
    """A run that kept every path: exact measures per future."""

    def __init__(self, ds: xr.Dataset, analysis: SimpleNamespace | None = None):
        super().__init__(ds, analysis)
        self.n = ds.sizes["trajectory"]
        self._bands: dict[tuple, np.ndarray] = {}  # the fan chart and outlook.csv ask for the same bands

    @cached_property
    def composite(self) -> np.ndarray:
        return np.asarray(self.ds["composite"].values, dtype=np.float64)

    @cached_property
    def measures(self) -> measures.Measures:
        return measures.measure(self.ds["level"].values, self.composite, tuple(self.tracks), self.analysis)

    @cached_property
    def tally(self) -> dict[str, np.ndarray]:
        return counts.tally(self.measures, self.ds["events"].values, self.months)

    def tallied(self, name: str) -> np.ndarray:
        return self.tally[name]

    def metric(self, name: str) -> Distribution:
        if name == "spread":
            net = self.measures.net_change[:, :-1]
            return Distribution(net.max(axis=1) - net.min(axis=1))
        return Distribution(getattr(self.measures, name))

    def net_change(self, series: str) -> Distribution:
        return Distribution(self.measures.net_change[:, self.series.index(series)])

    def band(self, series: str, qs) -> np.ndarray:
        key = (series, tuple(qs))
        if key not in self._bands:
            self._bands[key] = measures.quantiles_by_month(self.samples(series), qs)
        return self._bands[key]

    def samples(self, series: str) -> np.ndarray:
        return self.composite if series == "composite" else self.ds["level"].sel(track=series).values

    def _yes(self, q: questions.Question, start: int) -> int | str:
        ds = self.ds
        if q.rule.kind != "events":
            log = np.empty((0, 3), dtype=np.int64)
        elif "log_event" in ds:
            log = self._log
        else:
            return "the run's results hold no event log"
        return int(answers.resolve(q, start, tuple(self.tracks), ds["level"].values, ds["composite"].values, log).sum())

    @cached_property
    def _log(self) -> np.ndarray:
        """Every event as a row (month from the start, trajectory, position in `event`)."""
        ds = self.ds
        month = (ds["log_time"].values.astype("datetime64[M]") - self.times[0].astype("datetime64[M]")).astype(int)
        return np.stack([month, ds["log_trajectory"].values, ds["log_event"].values], axis=1).astype(np.int64)

    def per_year(self, event: str) -> np.ndarray | None:
        if "log_event" not in self.ds:
            return None
        log = self._log
        kept = log[:, 2] == list(self.ds["event"].values).index(event)
        years = -(-(self.months - 1) // 12)
        out = np.zeros((self.n, years), dtype=np.int32)
        np.add.at(out, (log[kept, 1], np.minimum((log[kept, 0] - 1) // 12, years - 1)), 1)
        return out

    def per_future(self, name: str) -> np.ndarray | None:
        kind, _, which = name.partition(":")
        m = self.measures
        if kind == "net_change":
            return m.net_change[:, self.series.index(which)]
        if kind == "crossing":
            return m.crossing[:, self.milestones.index(which)]
        if kind == "horizon_outlook":
            return m.horizon_outlook[int(which)]
        return getattr(m, kind)


class Counts(Ensemble):
    """A summary-mode run: counts and histograms, and the paths of a random sample of futures."""

    def __init__(self, ds: xr.Dataset, analysis: SimpleNamespace | None = None):
        super().__init__(ds, analysis)
        self.n = int(ds.attrs["trajectories"])

    @property
    def binned(self) -> tuple[int, int] | None:
        return self.ds.sizes["bin"], self.ds.sizes["sample"]

    def tallied(self, name: str) -> np.ndarray:
        return self.ds[name].values

    def metric(self, name: str) -> Distribution:
        ds = self.ds
        if name == "max_drawdown":
            return Distribution(counts=ds["drawdown_histogram"].values, sums=tuple(ds["drawdown_sums"].values),
                                edges=(0.0, 1.0))
        if name == "spread":
            return Distribution(counts=ds["spread_histogram"].values, edges=(0.0, 1.0))
        return Distribution(counts=ds["metric_counts"].sel(integer_metric=name).values,
                            sums=tuple(ds["metric_sums"].sel(integer_metric=name).values))

    def net_change(self, series: str) -> Distribution:
        return Distribution(counts=self.ds["net_change_histogram"].sel(series=series).values, edges=(-1.0, 1.0))

    def band(self, series: str, qs) -> np.ndarray:
        return counts.quantiles(self.ds["histogram"].sel(series=series).values, qs)

    def _yes(self, q: questions.Question, start: int) -> int | str:
        counted = {c.id: c for c in questions.parse(yaml.safe_load(self.ds.attrs["questions"]), "the run's questions")}
        if counted.get(q.id) != q:
            return "a summary-mode run answers only the questions of its own set (it keeps no per-future paths)"
        return int(self.ds["question_yes"].sel(question=q.id))

    def samples(self, series: str) -> np.ndarray:
        ds = self.ds
        return (ds["sample_composite"] if series == "composite" else ds["sample_level"].sel(track=series)).values


def view(ds: xr.Dataset, analysis: SimpleNamespace | None = None) -> Ensemble:
    """The analysis's view of a run's Dataset (`analysis` defaults to the settings it was run with)."""
    return (Counts if is_summary(ds) else Paths)(ds, analysis)
