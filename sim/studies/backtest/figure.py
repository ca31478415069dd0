"""The backtest figure: the ensemble against the event-coded historical index, events marked."""

from __future__ import annotations

from pathlib import Path

import matplotlib.dates as mdates
import numpy as np

from ... import months
from ...config.validate import RunSpec
from ...record.index import Events
from ...report.style import plt, save


def _dates(indices: np.ndarray) -> np.ndarray:
    return np.array([np.datetime64(months.text(int(m)), "D") for m in indices])


def backtest_figure(ds, index_paths: np.ndarray, events: Events, spec: RunSpec, path: Path) -> Path:
    """Per track and composite: model bands (blue), index median and 5–95 % band (black, hatched),
    the record's events as ▲ (step) and ▽ (setback), major ones labelled on the composite."""
    weights = np.ravel(spec.model.weights)
    times = ds["time"].values
    model = np.concatenate([ds["level"].values, ds["composite"].values[..., None]], axis=-1)
    index = np.concatenate([index_paths, index_paths @ weights[:, None]], axis=-1)
    window = events.between(spec.run.start + 1, spec.run.end)
    names = [*spec.tracks, "composite"]
    fig, axes = plt.subplots(2, 3, figsize=(13, 7.5), sharex=True, sharey=True)
    for s, (ax, name) in enumerate(zip(axes.flat, names)):
        for lo, hi, alpha in ((0.05, 0.95, 0.2), (0.25, 0.75, 0.4)):
            q = np.quantile(model[:, :, s], [lo, hi], axis=0)
            ax.fill_between(times, q[0], q[1], color="tab:blue", alpha=alpha, lw=0,
                            label=f"model {int(lo * 100)}–{int(hi * 100)} %")
        ax.plot(times, np.median(model[:, :, s], axis=0), color="tab:blue", lw=1.5, label="model median")
        band = np.quantile(index[:, :, s], [0.05, 0.95], axis=0)
        ax.fill_between(times, band[0], band[1], facecolor="none", edgecolor="0.3", hatch="////", lw=0,
                        label="record 5–95 %")
        ax.plot(times, np.median(index[:, :, s], axis=0), color="black", lw=2, label="record (event-coded index)")
        mine = np.ones(len(window), bool) if name == "composite" else window.track == name
        for marker, direction in (("^", 1), ("v", -1)):
            hit = mine & (window.direction == direction)
            ax.scatter(_dates(window.month[hit]), np.full(hit.sum(), 0.04 if direction > 0 else 0.10),
                       marker=marker, s=18 + 10 * window.magnitude[hit], facecolor="black" if direction > 0 else "white",
                       edgecolor="black", lw=0.8, zorder=3,
                       label="record: step" if direction > 0 else "record: setback")
        ax.set_title(name.capitalize())
        ax.set_ylim(0, 1)
        ax.grid(alpha=0.3)
        ax.xaxis.set_major_locator(mdates.YearLocator(4))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    composite = axes.flat[len(names) - 1]
    major = window.magnitude == 3
    for month, title in zip(window.month[major], window.title[major]):
        date = _dates(np.array([month]))[0]
        composite.axvline(date, color="0.5", lw=0.6, ls=":")
        composite.text(date, 0.98, " " + " ".join(title.split()[:3]), rotation=90, va="top", ha="right", fontsize=6.5)
    for ax in axes[:, 0]:
        ax.set_ylabel("integration level (0–1)")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncols=4, frameon=False, fontsize=9)
    fig.suptitle(f"Backtest {months.text(spec.run.start)} to {months.text(spec.run.end)}: "
                 f"{ds.sizes['trajectory']:,} model trajectories against the historical record")
    fig.tight_layout(rect=(0, 0.07, 1, 0.97))
    return save(fig, Path(path).with_suffix(""), dpi=120)
