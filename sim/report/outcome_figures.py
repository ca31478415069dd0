"""Figures of per-future outcomes: milestones by date, outlook classes, net change by track, unevenness.

Each function takes a list of analysed runs (outlook.Run): one run is drawn in full, several
are overlaid for comparison.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

from ..analysis.outlook import Run
from ..results.measures import CLASSES
from .level_figures import FAN
from .style import CLASS_STYLE, FORMATS, STYLE, date_axis, label_name, percent, save, series_style, span


def milestones(runs: list[Run], stem: Path, formats: tuple[str, ...] = FORMATS) -> Path | None:
    """Probability that each milestone has been reached by each month, with ±2 SE bands:
    all milestones in one panel for one run, one panel per milestone for several runs."""
    names = list(runs[0].summary["milestones"])
    if not names:
        return None
    with plt.rc_context(STYLE):
        if len(runs) == 1:
            fig, ax = plt.subplots(figsize=(9, 5.6))
            run = runs[0]
            times = run.ensemble.times
            for j, (name, p) in enumerate(zip(names, run.ensemble.milestone_curves())):
                ms = run.summary["milestones"][name]
                label = (f"{label_name(name)}: {ms['track']} ≥ {ms['threshold']:g} "
                         f"({percent(ms['p_by_end'])} by {run.summary['end']})")
                _curve(ax, times, p, run.ensemble.n, series_style(j), label)
            ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncols=2)
            axes = [ax]
        else:
            cols = min(3, len(names))
            rows = -(-len(names) // cols)
            fig, grid = plt.subplots(rows, cols, figsize=(11, 3 * rows), sharex=True, sharey=True, squeeze=False)
            for i, run in enumerate(runs):
                times = run.ensemble.times
                curves = dict(zip(run.summary["milestones"], run.ensemble.milestone_curves()))
                for ax, name in zip(grid.flat, names):
                    if name in curves:
                        _curve(ax, times, curves[name], run.ensemble.n, series_style(i), run.label)
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
            date_axis(ax, runs[0].ensemble.times)
        fig.suptitle(f"Milestones reached by date (shaded: ±2 standard errors)\n{span(runs)}")
        fig.tight_layout(rect=(0, 0.05 if len(runs) > 1 else 0, 1, 1))
        return save(fig, stem, formats)


def _curve(ax, times, p, n, st, label) -> None:
    se = np.sqrt(p * (1 - p) / n)
    ax.fill_between(times, 100 * (p - 2 * se), 100 * (p + 2 * se), color=st["color"], alpha=0.2, lw=0)
    ax.plot(times, 100 * p, color=st["color"], ls=st["ls"], marker=st["marker"], markersize=3.5,
            markevery=max(times.size // 10, 1), lw=1.4, label=label)


def classes(runs: list[Run], stem: Path, formats: tuple[str, ...] = FORMATS) -> Path:
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
        ax.set_title(f"Outlook classes, {span(runs)}", pad=24)
        fig.tight_layout()
        return save(fig, stem, formats)


# metric, axis label, its value per unit shown, integer-valued, decimals of the median
DISTRIBUTIONS = (
    ("setbacks", "setback episodes per future", 1, True, 0),
    ("reversals", "reversals of direction per future", 1, True, 0),
    ("max_drawdown", "maximum drawdown of the composite (level)", 1, False, 2),
    ("decline_months", "years below the level of a year earlier", 12, False, 1),
)


UNEVEN_KEY = {"decline_months": "decline_years"}  # the summary's name of a metric, where it differs


def _upper(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The smallest value with at least a share q of the weight at or below it."""
    order = np.argsort(values)
    cum = np.cumsum(weights[order])
    return float(values[order][min(np.searchsorted(cum, q * cum[-1]), values.size - 1)])


def setbacks(runs: list[Run], stem: Path, formats: tuple[str, ...] = FORMATS) -> Path:
    """Distributions over futures of setbacks, reversals, maximum drawdown and time in decline."""
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(2, 2, figsize=(10, 6.4))
        for ax, (key, xlabel, unit, integer, decimals) in zip(axes.flat, DISTRIBUTIONS):
            shares = [run.ensemble.metric(key).per(unit).shares() for run in runs]
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
                     f"reversal: a turn of ≥ {eps:g}),\n{span(runs)}")
        fig.tight_layout()
        return save(fig, stem, formats)


def _net_change(run: Run, series: list[str]) -> np.ndarray:
    """FAN quantiles (5, series) of the net change over futures."""
    return np.stack([run.ensemble.net_change(s).quantiles(FAN) for s in series], axis=1)


def tracks(runs: list[Run], stem: Path, formats: tuple[str, ...] = FORMATS) -> Path:
    """Net change of each track and the composite over the window: median, 25–75 % box, 5–95 % whiskers."""
    series = runs[0].ensemble.series
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
        ax.set_xlabel(f"net change of level, {runs[0].summary['start']} to {runs[0].summary['end']}")
        ax.grid(axis="y", visible=False)
        if k > 1:
            ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=k)
        ax.set_title(f"Unequal tracks: net change by track (box 25–75 %, whiskers 5–95 %),\n{span(runs)}",
                     pad=22 if k > 1 else 6)
        fig.tight_layout()
        return save(fig, stem, formats)
