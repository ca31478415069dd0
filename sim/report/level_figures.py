"""Figures of levels over time: the fan chart of every track and the composite, and the event raster.

One run is drawn in full (bands, median, single futures, milestone thresholds); several runs are
overlaid (25–75 % bands, 5–95 % lines and medians).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import LogNorm
from matplotlib.ticker import FuncFormatter, NullFormatter

from ..analysis.outlook import Run
from .style import BANDS, FORMATS, MONTH, STYLE, date_axis, label_name, save, series_style, span


FAN = (0.05, 0.25, 0.5, 0.75, 0.95)


def _panels(ens):
    """Per panel (each track, then the composite): its name, quantile → (time,) band edge over
    futures for the FAN quantiles, and the single futures to draw."""
    for name in ens.series:
        yield name, dict(zip(FAN, ens.band(name, FAN))), ens.samples(name)


def fan_chart(runs: list[Run], stem: Path, sample_paths: int = 6, formats: tuple[str, ...] = FORMATS) -> Path:
    """Quantile bands per track and composite with the median; sample paths and milestone
    thresholds for one run, 25–75 % bands, 5–95 % lines and medians per run for several."""
    with plt.rc_context(STYLE):
        names = runs[0].ensemble.series
        cols = 3
        rows = -(-len(names) // cols)
        fig, axes = plt.subplots(rows, cols, figsize=(11, 3.1 * rows), sharex=True, sharey=True, squeeze=False)
        single = len(runs) == 1
        for i, run in enumerate(runs):
            st = series_style(i)
            times = run.ensemble.times
            for ax, (name, q, paths) in zip(axes.flat, _panels(run.ensemble)):
                if single:
                    for lo, hi, label, alpha in BANDS:
                        ax.fill_between(times, q[lo], q[hi], color=st["color"], alpha=alpha, lw=0, label=label)
                    for path in paths[:sample_paths]:
                        ax.plot(times, path, color="0.35", lw=0.5, alpha=0.8, rasterized=True)
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
            date_axis(ax, runs[0].ensemble.times)
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
        fig.suptitle(f"Integration level by track, {span(runs)}")
        fig.tight_layout(rect=(0, 0.05, 1, 1))
        return save(fig, stem, formats)


def _thresholds(ax, run: Run, panel: str) -> None:
    """Dotted lines at the milestone thresholds of a panel's track, named at the left."""
    for name, ms in run.summary["milestones"].items():
        if ms["track"] == panel:
            ax.axhline(ms["threshold"], color="0.15", ls=":", lw=1.1)
            ax.annotate(label_name(name), (0.02, ms["threshold"]), xycoords=("axes fraction", "data"),
                        xytext=(0, 2), textcoords="offset points", fontsize=7, color="0.2",
                        bbox={"fc": "white", "ec": "none", "alpha": 0.7, "pad": 0.5})


def events(run: Run, stem: Path, formats: tuple[str, ...] = FORMATS) -> Path | None:
    """Raster of events by month: the share of futures in which each event type happens that month.

    Drawn from the Dataset's `event_month(event, time)` counts; None (no figure) when absent.
    """
    ds = run.ensemble.ds
    if "event_month" not in ds:
        return None
    counts = ds["event_month"].transpose("event", "time")
    n = run.ensemble.n
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
                                 cmap=cmap, norm=norm, rasterized=True)  # thousands of cells: an image in a PDF
            bar = fig.colorbar(mesh, ax=ax, orientation="horizontal", fraction=0.05, pad=0.09, aspect=60)
            bar.set_label("share of futures with the event in that month, % (log scale; white: none)")
            bar.ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))  # 0.01 … 100, not 10^k in TeX
            bar.ax.xaxis.set_minor_formatter(NullFormatter())
        per_future = counts.values.sum(axis=1) / n
        for yi, x in enumerate(per_future):
            ax.annotate(f"{x:.2f}", (1.005, yi + 0.5), xycoords=("axes fraction", "data"), va="center", fontsize=7)
        ax.annotate("mean per\nfuture", (1.005, -0.15), xycoords=("axes fraction", "data"), va="bottom", fontsize=7)
        ax.hlines(np.arange(1, len(names)), edges[0], edges[-1], color="white", lw=1)
        title = f"Events by month, {span([run])}"
        if "log_trajectory" in ds and (ds["log_trajectory"].values == 0).any():
            mine = ds["log_trajectory"].values == 0
            x = mdates.date2num(ds["log_time"].values[mine]) + 15  # mid-month
            y = ds["log_event"].values[mine] + 0.5  # a position in `event`, as the rows are
            ax.plot(x, y, "o", ms=3.5, mfc="white", mec="black", mew=0.8, ls="none")
            title += "\n(circles: the events of one sample future, trajectory 0)"
        ax.set_yticks(np.arange(len(names)) + 0.5, names)
        ax.set_ylim(len(names), 0)
        ax.grid(False)
        ax.xaxis.axis_date()
        date_axis(ax, times)
        ax.set_xlim(edges[0], edges[-1])
        ax.set_title(title)
        fig.tight_layout()
        return save(fig, stem, formats)
