"""Figures of one run or of several overlaid; the only module that imports matplotlib (Agg, no screen).

Every figure is written as PNG (screen, report) and PDF (print). Series differ by colour and by
line style or hatching, so the figures stay readable in greyscale. Each function takes a list of
analysed runs (outlook.Run): one run is drawn in full, several are overlaid for comparison.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Callable

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.colors import LogNorm  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from .outlook import CLASSES, Run, milestone_curves  # noqa: E402
from .results import is_summary, trajectories  # noqa: E402
from .summary import quantiles  # noqa: E402

logging.getLogger("fontTools").setLevel(logging.WARNING)  # PDF font subsetting logs every table at INFO

STYLE = {
    "font.size": 9, "axes.titlesize": 10, "axes.labelsize": 9, "legend.fontsize": 8,
    "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True, "grid.alpha": 0.3,
    "legend.frameon": False, "savefig.dpi": 150, "savefig.bbox": "tight", "pdf.fonttype": 42,
}
# (colour, line style, marker) per series: dark-to-light colours that also differ in dashes.
SERIES = (("#1f4e79", "-", "o"), ("#d55e00", "--", "s"), ("#009e73", "-.", "^"),
          ("#6a3d9a", ":", "D"), ("#7f7f7f", (0, (6, 2)), "v"), ("#b8860b", (0, (3, 1, 1, 1, 1, 1)), "P"))
# (face colour, hatch) per outlook class: four grey levels plus hatching.
CLASS_STYLE = {"uneven_progress": ("#1f4e79", ""), "smooth_progress": ("#9ecae1", ""),
               "stagnation": ("#e0e0e0", "..."), "regression": ("#b2182b", "///")}
BANDS = ((0.05, 0.95, "5–95 %", 0.22), (0.25, 0.75, "25–75 %", 0.45))
MONTH = np.timedelta64(1, "M")


def series_style(i: int) -> dict:
    color, ls, marker = SERIES[i % len(SERIES)]
    return {"color": color, "ls": ls, "marker": marker}


def percent(p: float) -> str:
    """A probability as a whole percentage that does not round a rare event to 0 or a near-certain one to 100."""
    if 0 < p < 0.005:
        return "<1%"
    if 0.995 < p < 1:
        return ">99%"
    return f"{p:.0%}"


def label_name(name: str) -> str:
    return name.replace("_", " ")


def _save(fig, stem: Path) -> Path:
    stem.parent.mkdir(parents=True, exist_ok=True)
    for suffix in (".png", ".pdf"):
        fig.savefig(stem.with_suffix(suffix))
    plt.close(fig)
    return stem.with_suffix(".png")


def _date_axis(ax, times: np.ndarray) -> None:
    """Year ticks spaced for the window; the axis spans the first to the last month."""
    years = (times[-1] - times[0]) / np.timedelta64(365, "D")
    step = 1 if years <= 6 else 2 if years <= 14 else 5
    ax.xaxis.set_major_locator(mdates.YearLocator(step))
    ax.xaxis.set_minor_locator(mdates.YearLocator(1))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    ax.set_xlim(times[0], times[-1])


def _span(runs: list[Run]) -> str:
    ds = runs[0].ds
    n = " / ".join(f"{trajectories(r.ds):,}" for r in runs)
    what = runs[0].label if len(runs) == 1 else " vs ".join(r.label for r in runs)
    return f"{what}: {n} trajectories, {ds.attrs['start']} to {ds.attrs['end']}"


FAN = (0.05, 0.25, 0.5, 0.75, 0.95)


def _panels(ds):
    """Per panel (each track, then the composite): its name, quantile → (time,) band edge over
    futures for the FAN quantiles, and the paths to draw (the sample kept by a summary-mode run)."""
    summary_mode = is_summary(ds)
    for name in [*(str(t) for t in ds["track"].values), "composite"]:
        if summary_mode:
            bands = ds["band"].sel(series=name, quantile=list(FAN)).values
            paths = (ds["sample_composite"] if name == "composite" else ds["sample_level"].sel(track=name)).values
        else:
            paths = (ds["composite"] if name == "composite" else ds["level"].sel(track=name)).values
            bands = np.quantile(paths, FAN, axis=0)
        yield name, dict(zip(FAN, bands)), paths


def fan_chart(runs: list[Run], stem: Path, sample_paths: int = 6) -> Path:
    """Quantile bands per track and composite with the median; sample paths and milestone
    thresholds for one run, 25–75 % bands, 5–95 % lines and medians per run for several."""
    with plt.rc_context(STYLE):
        names = [name for name, _, _ in _panels(runs[0].ds)]
        cols = 3
        rows = -(-len(names) // cols)
        fig, axes = plt.subplots(rows, cols, figsize=(11, 3.1 * rows), sharex=True, sharey=True, squeeze=False)
        single = len(runs) == 1
        for i, run in enumerate(runs):
            st = series_style(i)
            times = run.ds["time"].values
            for ax, (name, q, paths) in zip(axes.flat, _panels(run.ds)):
                if single:
                    for lo, hi, label, alpha in BANDS:
                        ax.fill_between(times, q[lo], q[hi], color=st["color"], alpha=alpha, lw=0, label=label)
                    for path in paths[:sample_paths]:
                        ax.plot(times, path, color="0.35", lw=0.5, alpha=0.8)
                    ax.plot(times, q[0.5], color="black", lw=1.8, label="median")
                else:
                    ax.fill_between(times, q[0.25], q[0.75], color=st["color"], alpha=0.22, lw=0)
                    for k in (0.05, 0.95):
                        ax.plot(times, q[k], color=st["color"], ls=st["ls"], lw=0.7)
                    ax.plot(times, q[0.5], color=st["color"], ls=st["ls"], lw=1.8, label=run.label)
                ax.set_title(label_name(name).capitalize())
        for ax, name in zip(axes.flat, names):
            _thresholds(ax, runs[0], name)
            ax.set_ylim(0, 1)
            _date_axis(ax, runs[0].ds["time"].values)
        for ax in axes.flat[len(names):]:
            ax.set_visible(False)
        fig.supylabel("integration level (0 = two separate states, 1 = full merger)", fontsize=9)
        handles, labels = axes.flat[0].get_legend_handles_labels()
        if single:
            handles.append(plt.Line2D([], [], color="0.35", lw=0.5))
            labels.append(f"{min(sample_paths, len(paths))} sample paths")
        else:
            handles += [plt.Rectangle((0, 0), 1, 1, color="0.6", alpha=0.3), plt.Line2D([], [], color="0.3", lw=0.7)]
            labels += ["25–75 % band", "5 % and 95 % lines"]
        handles.append(plt.Line2D([], [], color="0.15", ls=":", lw=1.1))
        labels.append("milestone threshold")
        fig.legend(handles, labels, loc="lower center", ncols=len(labels), bbox_to_anchor=(0.5, 0))
        fig.suptitle(f"Integration level by track, {_span(runs)}")
        fig.tight_layout(rect=(0, 0.05, 1, 1))
        return _save(fig, stem)


def _thresholds(ax, run: Run, panel: str) -> None:
    """Dotted lines at the milestone thresholds of a panel's track, named at the left."""
    for name, ms in run.summary["milestones"].items():
        if ms["track"] == panel:
            ax.axhline(ms["threshold"], color="0.15", ls=":", lw=1.1)
            ax.annotate(label_name(name), (0.02, ms["threshold"]), xycoords=("axes fraction", "data"),
                        xytext=(0, 2), textcoords="offset points", fontsize=7, color="0.2",
                        bbox={"fc": "white", "ec": "none", "alpha": 0.7, "pad": 0.5})


def milestones(runs: list[Run], stem: Path) -> Path | None:
    """Probability that each milestone has been reached by each month, with ±2 SE bands:
    all milestones in one panel for one run, one panel per milestone for several runs."""
    names = list(runs[0].summary["milestones"])
    if not names:
        return None
    with plt.rc_context(STYLE):
        if len(runs) == 1:
            fig, ax = plt.subplots(figsize=(9, 5.6))
            run = runs[0]
            times = run.ds["time"].values
            for j, (name, p) in enumerate(zip(names, milestone_curves(run.metrics, times.size))):
                ms = run.summary["milestones"][name]
                label = (f"{label_name(name)}: {ms['track']} ≥ {ms['threshold']:g} "
                         f"({percent(ms['p_by_end'])} by {run.summary['end']})")
                _curve(ax, times, p, trajectories(run.ds), series_style(j), label)
            ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncols=2)
            axes = [ax]
        else:
            cols = min(3, len(names))
            rows = -(-len(names) // cols)
            fig, grid = plt.subplots(rows, cols, figsize=(11, 3 * rows), sharex=True, sharey=True, squeeze=False)
            for i, run in enumerate(runs):
                times = run.ds["time"].values
                curves = dict(zip(run.summary["milestones"], milestone_curves(run.metrics, times.size)))
                for ax, name in zip(grid.flat, names):
                    if name in curves:
                        _curve(ax, times, curves[name], trajectories(run.ds), series_style(i), run.label)
            for ax, name in zip(grid.flat, names):
                ms = runs[0].summary["milestones"][name]
                ax.set_title(f"{label_name(name)} ({ms['track']} ≥ {ms['threshold']:g})")
            for ax in grid.flat[len(names):]:
                ax.set_visible(False)
            handles, labels = grid.flat[0].get_legend_handles_labels()
            fig.legend(handles, labels, loc="lower center", ncols=len(runs), bbox_to_anchor=(0.5, 0))
            axes = list(grid.flat[:len(names)])
        for ax in axes:
            ax.set_ylim(0, 100)
            ax.set_ylabel("P(reached by date), %")
            _date_axis(ax, runs[0].ds["time"].values)
        fig.suptitle(f"Milestones reached by date (shaded: ±2 standard errors)\n{_span(runs)}")
        fig.tight_layout(rect=(0, 0.05 if len(runs) > 1 else 0, 1, 1))
        return _save(fig, stem)


def _curve(ax, times, p, n, st, label) -> None:
    se = np.sqrt(p * (1 - p) / n)
    ax.fill_between(times, 100 * (p - 2 * se), 100 * (p + 2 * se), color=st["color"], alpha=0.2, lw=0)
    ax.plot(times, 100 * p, color=st["color"], ls=st["ls"], marker=st["marker"], markersize=3.5,
            markevery=max(times.size // 10, 1), lw=1.4, label=label)


def classes(runs: list[Run], stem: Path) -> Path:
    """Shares of the outlook classes judged at 5-year horizons and at the end, one bar each."""
    rows = [(f"{date}" + ("" if len(runs) == 1 else f"  {run.label}"), shares)
            for date in runs[0].summary["classes_by_date"]
            for run in runs if date in run.summary["classes_by_date"]
            for shares in [run.summary["classes_by_date"][date]]]
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(9, 0.45 * len(rows) + 1.6))
        y = np.arange(len(rows))[::-1]
        left = np.zeros(len(rows))
        for name in CLASSES:
            width = np.array([100 * shares[name] for _, shares in rows])
            color, hatch = CLASS_STYLE[name]
            ax.barh(y, width, left=left, color=color, hatch=hatch, edgecolor="0.25", lw=0.4, label=label_name(name))
            for yi, li, wi in zip(y, left, width):
                if wi >= 6:
                    dark = color in ("#1f4e79", "#b2182b")
                    ax.text(li + wi / 2, yi, f"{wi:.0f}%", ha="center", va="center", fontsize=8,
                            color="white" if dark else "black",
                            bbox={"fc": color if dark else "white", "ec": "none", "alpha": 0.9, "pad": 0.6})
            left += width
        ax.set_yticks(y, [label for label, _ in rows])
        ax.set_xlim(0, 100)
        ax.set_xlabel("share of futures, % (each bar judges the path from the start to its date)")
        ax.grid(axis="y", visible=False)
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=len(CLASSES))
        ax.set_title(f"Outlook classes, {_span(runs)}", pad=24)
        fig.tight_layout()
        return _save(fig, stem)


# metric, axis label, scale, integer-valued, decimals of the median
DISTRIBUTIONS = (
    ("setbacks", "setback episodes per future", 1.0, True, 0),
    ("reversals", "reversals of direction per future", 1.0, True, 0),
    ("max_drawdown", "maximum drawdown of the composite (level)", 1.0, False, 2),
    ("decline_months", "years below the level of a year earlier", 1 / 12, False, 1),
)


UNEVEN_KEY = {"decline_months": "decline_years"}  # the summary's name of a metric, where it differs


def _distribution(run: Run, key: str, scale: float) -> tuple[np.ndarray, np.ndarray]:
    """A per-future metric as values and the share of futures (%) at each: one value per future,
    or for a summary-mode run the values of its histogram's bins with their counts."""
    ds = run.ds
    if not is_summary(ds):
        values = run.metrics[key].values * scale
        return values, np.full(values.size, 100 / values.size)
    if key == "max_drawdown":
        counts = ds["drawdown_histogram"].values
        values = (np.arange(counts.size) + 0.5) / counts.size
    else:
        counts = ds["metric_counts"].sel(integer_metric=key).values
        values = np.arange(counts.size) * scale
    return values, 100 * counts / counts.sum()


def _upper(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The smallest value with at least a share q of the weight at or below it."""
    order = np.argsort(values)
    cum = np.cumsum(weights[order])
    return float(values[order][min(np.searchsorted(cum, q * cum[-1]), values.size - 1)])


def setbacks(runs: list[Run], stem: Path) -> Path:
    """Distributions over futures of setbacks, reversals, maximum drawdown and time in decline."""
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(2, 2, figsize=(10, 6.4))
        for ax, (key, xlabel, scale, integer, decimals) in zip(axes.flat, DISTRIBUTIONS):
            shares = [_distribution(run, key, scale) for run in runs]
            top = max(_upper(v, w, 0.995) for v, w in shares)
            bins = np.arange(-0.5, top + 1.5) if integer else np.linspace(0, top, 40)
            for i, (run, (v, weights)) in enumerate(zip(runs, shares)):
                st = series_style(i)
                ax.hist(v, bins, weights=weights, histtype="stepfilled", color=st["color"], alpha=0.25)
                ax.hist(v, bins, weights=weights, histtype="step", color=st["color"], ls=st["ls"], lw=1.3)
                med = run.summary["uneven"][UNEVEN_KEY.get(key, key)]["median"]
                label = f"median {med:.{decimals}f}"
                ax.axvline(med, color=st["color"], ls=st["ls"], lw=1.2,
                           label=label if len(runs) == 1 else f"{run.label}: {label}")
            if integer:
                ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.set_xlabel(xlabel)
            ax.set_ylabel("share of futures, %")
            ax.set_ylim(top=ax.get_ylim()[1] * (1.12 + 0.12 * len(runs)))  # headroom for the legend
            ax.legend(loc="upper right", frameon=True, framealpha=0.9, edgecolor="none")
        eps = runs[0].summary["verdict"]["thresholds"]["epsilon"]
        window = runs[0].summary["verdict"]["thresholds"]["window_months"]
        fig.suptitle(f"How uneven the path is (setback: composite falls ≥ {eps:g} within {window} months; "
                     f"reversal: a turn of ≥ {eps:g}),\n{_span(runs)}")
        fig.tight_layout()
        return _save(fig, stem)


def _net_change(run: Run, series: list[str]) -> np.ndarray:
    """FAN quantiles (5, series) of the net change over futures (from histograms in summary mode)."""
    if is_summary(run.ds):
        return quantiles(run.ds["net_change_histogram"].sel(series=series).values, FAN, -1.0, 1.0)
    return np.quantile(run.metrics["net_change"].sel(series=series).values, FAN, axis=0)


def tracks(runs: list[Run], stem: Path) -> Path:
    """Net change of each track and the composite over the window: median, 25–75 % box, 5–95 % whiskers."""
    series = [str(s) for s in runs[0].metrics["series"].values]
    k = len(runs)
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(9, (0.55 if k == 1 else 0.35) * len(series) * k + 1.8))
        height = 0.7 / k
        for i, run in enumerate(runs):
            st = series_style(i)
            lo, q1, med, q3, hi = _net_change(run, series)
            pos = np.arange(len(series))[::-1] + (k - 1 - 2 * i) * height / 2
            box = height * 0.85
            ax.hlines(pos, lo, hi, color=st["color"], ls=st["ls"], lw=1)
            ends = np.r_[pos, pos]
            ax.vlines(np.r_[lo, hi], ends - box / 4, ends + box / 4, color=st["color"])
            ax.barh(pos, q3 - q1, left=q1, height=box, color=st["color"], alpha=0.45, edgecolor="0.3",
                    ls=st["ls"], label=run.label)
            ax.vlines(med, pos - box / 2, pos + box / 2, color="black", lw=1.6)
        if k == 1:
            u = runs[0].summary["unequal"]
            for yi, s in zip(np.arange(len(series))[::-1], series):
                if s in u["leads"]:
                    ax.annotate(f"fastest in {u['leads'][s]:.0%}, slowest in {u['lags'][s]:.0%}", (1.01, yi),
                                xycoords=("axes fraction", "data"), va="center", fontsize=8, color="0.2")
        ax.axvline(0, color="0.2", lw=0.8)
        ax.axhline(0.5, color="0.6", lw=0.6)  # tracks above, composite below
        ax.set_yticks(np.arange(len(series))[::-1], [label_name(s) for s in series])
        ax.set_xlabel(f"net change of level, {runs[0].ds.attrs['start']} to {runs[0].ds.attrs['end']}")
        ax.grid(axis="y", visible=False)
        if k > 1:
            ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=k)
        ax.set_title(f"Unequal tracks: net change by track (box 25–75 %, whiskers 5–95 %),\n{_span(runs)}",
                     pad=22 if k > 1 else 6)
        fig.tight_layout()
        return _save(fig, stem)


def events(run: Run, stem: Path) -> Path | None:
    """Raster of events by month: the share of futures in which each event type happens that month.

    Drawn from the Dataset's `event_month(event, time)` counts; None (no figure) when absent.
    """
    ds = run.ds
    if "event_month" not in ds:
        return None
    counts = ds["event_month"].transpose("event", "time")
    n = trajectories(ds)
    share = 100 * counts.values.astype(np.float64) / n
    times = ds["time"].values
    edges = mdates.date2num(np.append(times, times[-1].astype("datetime64[M]") + MONTH).astype("datetime64[ns]"))
    names = [label_name(str(e)) for e in counts["event"].values]
    positive = share[share > 0]
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(11, 0.32 * len(names) + 2.2))
        if positive.size:
            norm = LogNorm(vmin=max(positive.min(), 1e-2), vmax=max(positive.max(), 1e-1))
            cmap = plt.get_cmap("cividis_r").with_extremes(bad="white", under="white")
            mesh = ax.pcolormesh(edges, np.arange(len(names) + 1), np.ma.masked_equal(share, 0),
                                 cmap=cmap, norm=norm)
            bar = fig.colorbar(mesh, ax=ax, orientation="horizontal", fraction=0.05, pad=0.09, aspect=60)
            bar.set_label("share of futures with the event in that month, % (log scale; white: none)")
        per_future = counts.values.sum(axis=1) / n
        for yi, x in enumerate(per_future):
            ax.annotate(f"{x:.2f}", (1.005, yi + 0.5), xycoords=("axes fraction", "data"), va="center", fontsize=7)
        ax.annotate("mean per\nfuture", (1.005, -0.15), xycoords=("axes fraction", "data"), va="bottom", fontsize=7)
        ax.hlines(np.arange(1, len(names)), edges[0], edges[-1], color="white", lw=1)
        title = f"Events by month, {_span([run])}"
        if "log_trajectory" in ds and (ds["log_trajectory"].values == 0).any():
            mine = ds["log_trajectory"].values == 0
            row = {str(e): i for i, e in enumerate(counts["event"].values)}
            x = mdates.date2num(ds["log_time"].values[mine]) + 15  # mid-month
            y = [row[str(e)] + 0.5 for e in ds["log_event"].values[mine]]
            ax.plot(x, y, "o", ms=3.5, mfc="white", mec="black", mew=0.8, ls="none")
            title += "\n(circles: the events of one sample future, trajectory 0)"
        ax.set_yticks(np.arange(len(names)) + 0.5, names)
        ax.set_ylim(len(names), 0)
        ax.grid(False)
        ax.xaxis.axis_date()
        _date_axis(ax, times)
        ax.set_xlim(edges[0], edges[-1])
        ax.set_title(title)
        fig.tight_layout()
        return _save(fig, stem)


def draw(runs: list[Run], folder: Path, sample_paths: int = 6,
         progress: Callable[[int, int], None] | None = None) -> dict[str, Path]:
    """Every figure for these runs into `folder`; name → PNG path (figures that do not apply are left out).

    `progress(done, total)`, when given, is called after each figure.
    """
    folder = Path(folder)
    jobs = {
        "fan_chart": lambda: fan_chart(runs, folder / "fan_chart", sample_paths),
        "milestones": lambda: milestones(runs, folder / "milestones"),
        "classes": lambda: classes(runs, folder / "classes"),
        "tracks": lambda: tracks(runs, folder / "tracks"),
        "setbacks": lambda: setbacks(runs, folder / "setbacks"),
        "events": lambda: events(runs[0], folder / "events") if len(runs) == 1 else None,
    }
    out = {}
    for done, (name, job) in enumerate(jobs.items(), 1):
        path = job()
        if path is not None:
            out[name] = path
        if progress:
            progress(done, len(jobs))
    return out
