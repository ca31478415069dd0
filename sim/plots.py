"""Figures; the only module that imports matplotlib (Agg backend, no screen needed)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import xarray as xr  # noqa: E402

BANDS = ((0.05, 0.95, "5–95 %", 0.25), (0.25, 0.75, "25–75 %", 0.5))


def _panels(ds: xr.Dataset):
    for track in ds["track"].values:
        yield str(track), ds["level"].sel(track=track).values
    yield "composite", ds["composite"].values


def fan_chart(ds: xr.Dataset, path: Path, sample_paths: int = 6) -> Path:
    """Quantile bands per track and composite, the median, and a few sample paths."""
    times = ds["time"].values
    panels = list(_panels(ds))
    cols = 3
    rows = -(-len(panels) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(12, 3.4 * rows), sharex=True, sharey=True, squeeze=False)
    for ax, (name, values) in zip(axes.flat, panels):
        for lo, hi, label, alpha in BANDS:
            q_lo, q_hi = np.quantile(values, [lo, hi], axis=0)
            ax.fill_between(times, q_lo, q_hi, color="tab:blue", alpha=alpha, lw=0, label=label)
        for path_values in values[:sample_paths]:
            ax.plot(times, path_values, color="0.25", lw=0.6, alpha=0.7)
        ax.plot(times, np.median(values, axis=0), color="black", lw=2, label="median")
        ax.set_title(name.capitalize())
        ax.set_ylim(0, 1)
        ax.grid(alpha=0.3)
        ax.xaxis.set_major_locator(mdates.YearLocator(5))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    for ax in axes.flat[len(panels):]:
        ax.set_visible(False)
    for ax in axes[:, 0]:
        ax.set_ylabel("integration level (0–1)")
    sample = plt.Line2D([], [], color="0.25", lw=0.6, label=f"{sample_paths} sample paths")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles + [sample], labels + [sample.get_label()], loc="lower right", ncols=4, frameon=False)
    fig.suptitle(f"Integration outlook, scenario {ds.attrs['scenario']}: "
                 f"{ds.sizes['trajectory']:,} trajectories, {ds.attrs['start']} to {ds.attrs['end']}")
    fig.tight_layout(rect=(0, 0.04, 1, 0.97))
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
