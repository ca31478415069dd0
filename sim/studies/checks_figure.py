"""The predictive checks' figure: each checked series year by year, the replicas' 90 % band and
median against the record's points, and the share of points inside the band in each title."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.ticker import MaxNLocator

from ..report.style import STYLE, panel_grid, plt, save_png


def checks_figure(rows: list[dict], first_year: int, path: Path) -> Path:
    """A panel per check with more than one point (counts by track and direction, indicators)."""
    shown = [r for r in rows if r["points"] > 1]
    with plt.rc_context(STYLE):
        fig, axes = panel_grid(len(shown), cols=4, width=3.6, height=2.7)
        for ax, row in zip(axes, shown):
            band, observed, years = np.asarray(row["band"]), np.asarray(row["observed"], dtype=float), row["years"]
            ax.fill_between(years, band[:, 0], band[:, 2], color="#9ecae1", alpha=0.7, lw=0, label="replicas 5–95 %")
            ax.plot(years, band[:, 1], color="#1f4e79", lw=1, label="replicas' median")
            ax.plot(years, observed, "o", ms=3, color="black", label="record")
            ax.set_title(f"{row['check']}\ninside: {row['inside_90']:.0%}, P(replica ≥ record) = {row['p_value']:.2f}",
                         fontsize=7.5)
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes[0].legend(fontsize=6.5, loc="upper left")
        fig.suptitle(f"Predictive checks: records replicated from the state filtered up to {first_year - 1} against "
                     f"the record {first_year} on", fontsize=10)
        fig.tight_layout()
        return save_png(fig, path)
