"""Figures of a sweep: the verdict over one or two swept parameters (from sweep.csv's table)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.colors import TwoSlopeNorm

from ..report.style import panel_grid, plt, save_png


def sweep_heatmap(grid: pd.DataFrame, x: str, y: str, threshold: float, path: Path) -> Path:
    """P(progress) over two swept parameters; each cell says whether the thesis holds there."""
    table = grid.pivot_table(index=y, columns=x, values="p_progress", aggfunc="mean")
    holds = grid.pivot_table(index=y, columns=x, values="holds", aggfunc="mean")
    setback = grid.pivot_table(index=y, columns=x, values="p_setback_given_progress", aggfunc="mean")
    fig, ax = plt.subplots(figsize=(1.3 * len(table.columns) + 3.5, 0.9 * len(table.index) + 2.2))
    norm = TwoSlopeNorm(vcenter=threshold, vmin=0, vmax=1) if 0 < threshold < 1 else None
    image = ax.imshow(table.to_numpy(), cmap="RdBu", norm=norm, origin="lower", aspect="auto")
    for i in range(len(table.index)):
        for j in range(len(table.columns)):
            verdict = "holds" if holds.iat[i, j] == 1 else ("fails" if holds.iat[i, j] == 0 else "mixed")
            shade = float(image.norm(table.iat[i, j]))
            ax.text(j, i, f"progress {table.iat[i, j]:.2f}\nsetback {setback.iat[i, j]:.2f}\n{verdict}",
                    ha="center", va="center", fontsize=8, color="white" if abs(shade - 0.5) > 0.3 else "black")
    ax.set_xticks(range(len(table.columns)), [f"{v:g}" if isinstance(v, float) else v for v in table.columns])
    ax.set_yticks(range(len(table.index)), [f"{v:g}" if isinstance(v, float) else v for v in table.index])
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    bar = fig.colorbar(image, ax=ax, label="P(progress)")
    bar.ax.axhline(threshold, color="black", lw=1.5)
    ax.set_title(f"Verdict over the sweep (mean over jobs per cell): P(progress), P(setback | progress);\n"
                 f"the thesis needs P(progress) ≥ {threshold:g} (black line, white on the scale)", fontsize=10)
    fig.tight_layout()
    return save_png(fig, path)


def sweep_lines(grid: pd.DataFrame, swept: list[str], threshold: float, path: Path) -> Path:
    """P(progress) with 95 % intervals against each swept parameter (jobs of other values as points)."""
    fig, axes = panel_grid(len(swept), cols=min(3, len(swept)), width=4.8, height=3.8)
    for ax, key in zip(axes, swept):
        values = list(dict.fromkeys(grid[key]))
        numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
        ordered = sorted(values) if numeric else values
        where = {v: i for i, v in enumerate(ordered)}
        xs = np.array([float(v) if numeric else where[v] for v in grid[key]])
        ax.errorbar(xs, grid["p_progress"], yerr=1.96 * grid["p_progress_se"], fmt="o", color="tab:blue",
                    ms=4, capsize=2, alpha=0.7, label="jobs")
        means = grid.groupby(key, sort=False)["p_progress"].mean().reindex(ordered)
        ax.plot([float(v) if numeric else where[v] for v in ordered], means.to_numpy(), color="black",
                lw=1.5, label="mean over jobs")
        ax.axhline(threshold, color="tab:red", ls="--", lw=1, label="thesis threshold")
        if not numeric:
            ax.set_xticks(range(len(ordered)), [str(v) for v in ordered])
        elif len(ordered) <= 12:
            ax.set_xticks([float(v) for v in ordered], [f"{v:g}" for v in ordered])
        ax.set_xlabel(key)
        ax.set_ylabel("P(progress)")
        ax.set_ylim(0, 1)
        ax.grid(alpha=0.3)
    axes[0].legend(loc="lower left", fontsize=8)
    fig.suptitle("Sweep: P(progress) by swept parameter\n(bars: 95 % intervals)", fontsize=11)
    fig.tight_layout()
    return save_png(fig, path)
