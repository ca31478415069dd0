"""The reliability diagram of scored forecast questions: forecast probability against observed frequency."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt

from .style import STYLE, save_png


def reliability_figure(bins: list[tuple[float, float, int]], title: str, path: Path) -> Path:
    """Points per probability bin (area ∝ questions in it, the fullest bin a fixed size) against the diagonal of
    perfect reliability."""
    fullest = max((count for _, _, count in bins), default=1)
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(5.2, 5.2))
        ax.plot([0, 1], [0, 1], color="#7f7f7f", ls="--", lw=1, label="perfectly reliable")
        for forecast, observed, count in bins:
            ax.scatter(forecast, observed, s=20 + 300 * count / fullest, color="#1f4e79", alpha=0.8, zorder=3)
            ax.annotate(str(count), (forecast, observed), xytext=(6, -10), textcoords="offset points", fontsize=8)
        ax.set_xlim(0, 1)
        ax.set_ylim(-0.03, 1.03)
        ax.set_xlabel("forecast probability (mean in bin)")
        ax.set_ylabel("share that resolved yes")
        ax.set_title(title)
        ax.legend(loc="upper left")
        return save_png(fig, path)
