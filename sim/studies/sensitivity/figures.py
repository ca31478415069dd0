"""Figures of the sensitivity study: Sobol' bars with intervals, the Morris μ*–σ plane, PRIM's
coverage–density trade-off and boxes. Inputs are the study's tables (pandas), so a figure can be
redrawn from the CSV files alone."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ...report.style import panel_grid, plt, save_png


def _titled(fig, title: str, right: float = 1.0, **style) -> None:
    """The figure's title above its panels: half an inch kept free for it, whatever the figure's height."""
    fig.suptitle(title, **style)
    fig.tight_layout(rect=(0, 0, right, 1 - 0.5 / fig.get_figheight()))


def sobol_bars(table: pd.DataFrame, labels: dict[str, str], path: Path) -> Path:
    """Per output: first-order and total indices of every parameter, with their intervals."""
    outputs = list(dict.fromkeys(table["output"]))
    order = table.groupby("parameter")["ST"].mean().sort_values().index  # most influential on top
    fig, axes = panel_grid(len(outputs), height=0.34 * len(order) + 1.6)
    y = np.arange(len(order))
    for ax, output in zip(axes, outputs):
        t = table[table["output"] == output].set_index("parameter").loc[order]
        ax.barh(y + 0.2, t["S1"], 0.4, xerr=t["S1_conf"], color="tab:blue", label="first order S1", capsize=2)
        ax.barh(y - 0.2, t["ST"], 0.4, xerr=t["ST_conf"], color="tab:orange", label="total order ST", capsize=2)
        ax.set_yticks(y, order)
        ax.axvline(0, color="0.3", lw=0.8)
        ax.set_xlim(min(-0.05, float(t[["S1", "ST"]].min().min())), 1)
        ax.set_title(labels[output])
        ax.grid(axis="x", alpha=0.3)
    axes[0].legend(loc="lower right")
    _titled(fig, "Sobol' indices: share of each output's variance due to each parameter (95 % intervals)")
    return save_png(fig, path)


def morris_plot(table: pd.DataFrame, labels: dict[str, str], path: Path) -> Path:
    """Per output: μ* (mean absolute elementary effect) against σ; far right matters, high σ interacts."""
    outputs = list(dict.fromkeys(table["output"]))
    names = list(dict.fromkeys(table["parameter"]))
    styles = {n: (plt.get_cmap("tab10")(i % 10), "osD^v<>ph*X"[i % 11]) for i, n in enumerate(names)}
    fig, axes = panel_grid(len(outputs))
    for ax, output in zip(axes, outputs):
        t = table[table["output"] == output]
        for _, r in t.iterrows():
            color, marker = styles[r["parameter"]]
            ax.errorbar(r["mu_star"], r["sigma"], xerr=r["mu_star_conf"], fmt=marker, color=color, ms=6,
                        ecolor=color, elinewidth=0.8, capsize=2, label=r["parameter"])
        top = max(float((t["mu_star"] + t["mu_star_conf"]).max()), float(t["sigma"].max())) * 1.1 or 1.0
        ax.plot([0, top], [0, top], color="0.6", lw=0.8, ls="--")
        ax.set_xlim(0, top)
        ax.set_ylim(0, top)
        ax.set_xlabel("μ*: mean |effect| of moving the input across its range")
        ax.set_ylabel("σ of the effects")
        ax.set_title(labels[output])
        ax.grid(alpha=0.3)
    handles, legend_labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, legend_labels, loc="center right", frameon=False, title="parameter")
    _titled(fig, "Morris screening (bars: 95 % intervals on μ*; dashed: σ = μ*, above it effects are "
            "non-linear or interacting)", right=0.85, fontsize=11)
    return save_png(fig, path)


def prim_tradeoff(peeling: pd.DataFrame, boxes: pd.DataFrame, path: Path) -> Path:
    """PRIM's peeling trajectory per target: coverage against density, coloured by restricted inputs."""
    targets = list(dict.fromkeys(peeling["target"]))
    fig, axes = panel_grid(len(targets), width=5.5, height=4.5)
    for ax, target in zip(axes, targets):
        p = peeling[peeling["target"] == target]
        dots = ax.scatter(p["coverage"], p["density"], c=p["restricted"], cmap="viridis", s=16,
                          vmin=0, vmax=max(1, int(peeling["restricted"].max())))
        b = boxes[boxes["target"] == target].iloc[0]
        ax.scatter([b["coverage"]], [b["density"]], marker="*", s=220, color="tab:red", zorder=3,
                   label="chosen box (pasted, pruned)")
        ax.axhline(b["base_density"], color="0.5", ls=":", lw=1, label="share in the whole space")
        ax.set_xlim(0, 1.02)
        ax.set_ylim(0, 1.02)
        ax.set_xlabel("coverage: share of all such futures inside the box")
        ax.set_ylabel("density: share of futures in the box")
        ax.set_title(target.replace("_", " "))
        ax.grid(alpha=0.3)
        ax.legend(loc="upper right", fontsize=8)
    _titled(fig, "PRIM peeling trajectories: coverage against density", right=0.88)
    fig.colorbar(dots, cax=fig.add_axes((0.91, 0.12, 0.015, 0.72)), label="restricted parameters")
    return save_png(fig, path)


def prim_boxes(boxes: pd.DataFrame, path: Path) -> Path:
    """The chosen box per target: each restricted parameter's limits within its full range."""
    targets = list(dict.fromkeys(boxes["target"]))
    rows = boxes.dropna(subset=["parameter"])
    height = 0.7 * max(1, rows.groupby("target").size().max() if len(rows) else 1) + 1.8
    fig, axes = panel_grid(len(targets), width=5.5, height=height)
    for ax, target in zip(axes, targets):
        t = rows[rows["target"] == target].iloc[::-1]
        first = boxes[boxes["target"] == target].iloc[0]
        span = (t["range_high"] - t["range_low"]).to_numpy()
        lo = ((t["low"] - t["range_low"]).to_numpy() / span) if len(t) else np.array([])
        hi = ((t["high"] - t["range_low"]).to_numpy() / span) if len(t) else np.array([])
        y = np.arange(len(t))
        ax.barh(y, np.ones(len(t)), 0.45, color="0.9", edgecolor="0.7")
        ax.barh(y, hi - lo, 0.45, left=lo, color="tab:red", alpha=0.7)
        for i, (_, r) in enumerate(t.iterrows()):
            ax.text(lo[i], i + 0.28, f"{r['low']:.3g}", ha="center", va="bottom", fontsize=8)
            ax.text(hi[i], i + 0.28, f"{r['high']:.3g}", ha="center", va="bottom", fontsize=8)
        ax.set_yticks(y, list(t["parameter"]))
        ax.set_xlim(-0.08, 1.08)
        ax.set_ylim(-0.5, max(len(t), 1) - 0.2)
        ax.set_xlabel("position within the parameter's range")
        ax.set_title(f"{target.replace('_', ' ')}: density {first['density']:.0%} "
                     f"(overall {first['base_density']:.0%}), coverage {first['coverage']:.0%}", fontsize=10)
        if not len(t):
            ax.text(0.5, 0, "no box beats the whole space", ha="center")
    _titled(fig, "PRIM boxes: where the outcome concentrates")
    return save_png(fig, path)
