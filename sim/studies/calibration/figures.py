"""The calibration's figures: each parameter's posterior against its prior, and how the sampler went."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy import stats

from ...inference.prior import Prior
from ...inference.smc2 import Posterior
from ...report.style import STYLE, panel_grid, plt, save_png


def posterior_figure(prior: Prior, theta: np.ndarray, path: Path) -> Path:
    """A panel per parameter on its unconstrained scale: the prior's density, the posterior's histogram,
    and the parameter's own values at the ticks' quantiles in the title."""
    means, sds = prior.moments()
    with plt.rc_context(STYLE):
        fig, axes = panel_grid(len(prior.parameters), cols=6, width=2.6, height=2.0)
        for j, (ax, p) in enumerate(zip(axes, prior.parameters)):
            u = p.unconstrained(theta[:, j])
            grid = np.linspace(means[j] - 3.5 * sds[j], means[j] + 3.5 * sds[j], 200)
            ax.plot(grid, stats.norm.pdf(grid, means[j], sds[j]), color="grey", lw=1, label="prior")
            ax.hist(u, bins=30, density=True, color="#3182bd", alpha=0.7, label="posterior")
            low, mid, high = np.quantile(theta[:, j], [0.05, 0.5, 0.95])
            scale = {"normal": "", "lognormal": " (log)", "logitnormal": " (logit)"}[p.dist]
            ax.set_title(f"{p.name}{scale}\n{mid:.3g} [{low:.3g}, {high:.3g}]", fontsize=7)
            ax.tick_params(labelsize=6)
            ax.set_yticks([])
        axes[0].legend(fontsize=6)
        fig.suptitle("Posterior (bars) against prior (line): median and 90 % interval in each title", fontsize=9)
        fig.tight_layout()
        return save_png(fig, path)


def sampler_figure(posterior: Posterior, first: int, path: Path) -> Path:
    """The parameter sets' effective sample size month by month, each rejuvenation's acceptance and distinct sets,
    and the exchange steps that doubled the particles."""
    years = (first + np.arange(posterior.ess.size)) / 12
    with plt.rc_context(STYLE):
        fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 5), sharex=True)
        top.plot(years, posterior.ess, color="#1f4e79", lw=1)
        top.set_ylabel("effective sets")
        top.set_title("Effective sample size of the parameter sets (falls as the record teaches; restored at each move)")
        at = [m["month"] / 12 for m in posterior.moves]
        bottom.plot(at, [m["acceptance"] for m in posterior.moves], "o-", ms=3, color="#e6550d")
        bottom.set_ylabel("acceptance")
        exchanges = [m for m in posterior.moves if "particles_after" in m]
        middle = (years[0] + years[-1]) / 2
        for k, m in enumerate(exchanges):  # labels stacked in a band kept free above the data, inside the axes
            x, left = m["month"] / 12, m["month"] / 12 < middle
            bottom.axvline(x, color="#7f7f7f", ls=":", lw=1)
            bottom.annotate(f"{m['particles_after']} particles", (x, 1), xycoords=("data", "axes fraction"),
                            xytext=(3 if left else -3, -3 - 9 * (k % 3)), textcoords="offset points",
                            ha="left" if left else "right", va="top", fontsize=7)
        twin = bottom.twinx()
        distinct = [m["distinct"] for m in posterior.moves]
        twin.plot(at, distinct, "s", ms=3, color="#31a354")
        for axis, values, least in ((bottom, [m["acceptance"] for m in posterior.moves], 0.1), (twin, distinct, 2)):
            low, span = min(values), max(max(values) - min(values), least)
            axis.set_ylim(low - 0.1 * span, low + 1.45 * span)  # a band above the data for the labels
        twin.set_ylabel("distinct sets")
        bottom.set_xlabel("year")
        bottom.set_title("At each rejuvenation: acceptance (line, left) and distinct sets (squares, right); "
                         "dotted: particles doubled", fontsize=8)
        fig.tight_layout()
        return save_png(fig, path)


def sbc_figure(ranks: np.ndarray, names: list[str], draws: int, bins: int, p_values: np.ndarray, widths: np.ndarray,
               path: Path) -> Path:
    """A rank histogram per parameter with the 99 % range of a bin's count under uniform ranks, its uniformity
    p-value and the records' median posterior width against the prior's."""
    n = ranks.shape[0]
    low, high = stats.binom.ppf([0.005, 0.995], n, 1 / bins)
    with plt.rc_context(STYLE):
        fig, axes = panel_grid(len(names), cols=6, width=2.4, height=1.9)
        for j, (ax, name) in enumerate(zip(axes, names)):
            ax.axhspan(low, high, color="#dddddd", lw=0)
            ax.hist(ranks[:, j], bins=np.linspace(0, draws + 1, bins + 1), color="#3182bd", alpha=0.8)
            ax.set_title(f"{name}\np = {p_values[j]:.2f}, width {widths[j]:.2f}", fontsize=7)
            ax.tick_params(labelsize=6)
        fig.suptitle(f"Simulation-based calibration: ranks of {n} true values among {draws} posterior draws "
                     "(grey: 99 % range of a bin under uniform ranks;\nwidth: the records' median posterior / prior "
                     "90 % width)", fontsize=9)
        fig.tight_layout()
        return save_png(fig, path)


def slice_figure(found: dict[str, np.ndarray], names: list[str], offsets: np.ndarray, summary: dict,
                 path: Path) -> Path:
    """A panel per parameter: each record's log-likelihood slice (mean over repeats, less its value at the
    centre) against the offset in prior sds, the real record in blue and the replicated ones in grey, with
    the parabola of a record that narrows the parameter to half its prior width (dashed)."""
    with plt.rc_context(STYLE):
        fig, axes = panel_grid(len(names), cols=6, width=2.4, height=1.9)
        centre = int(np.argmin(np.abs(offsets)))
        for i, (ax, name) in enumerate(zip(axes, names)):
            for label, values in found.items():
                mean = values[i].mean(axis=-1)
                real = label == "record"
                ax.plot(offsets, mean - mean[centre], color="#1f4e79" if real else "#999999", lw=1.6 if real else 0.8,
                        zorder=3 if real else 2)
            ax.plot(offsets, -1.5 * offsets ** 2, color="#e6550d", ls="--", lw=0.8)
            ax.set_ylim(-12, 6)
            s = summary[name]
            record = s["records"].get("record", {}).get("narrowest_width")
            said = [f"record {record:.2f}" if record is not None else "",
                    f"replicas {s['median_replicated']:.2f}" if s["median_replicated"] is not None else ""]
            ax.set_title(f"{name}\n" + ", ".join(t for t in said if t), fontsize=7)
            ax.tick_params(labelsize=6)
        fig.suptitle("The record's log-likelihood along each parameter (prior sds from the centre), every other held; "
                     "blue: the record at the posterior medians, grey: replicated records at their truth;\n"
                     "dashed: a record that narrows it to half its prior width; titles: the narrowest width each "
                     "slice allows", fontsize=9)
        fig.tight_layout()
        return save_png(fig, path)
