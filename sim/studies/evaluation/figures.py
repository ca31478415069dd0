"""The evaluation's figures: skill against the best baseline by horizon, the model's PIT histograms, and the
coverage of its central bands against their nominal level, one panel per family of observables."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ...report.reliability import reliability_figure
from ...report.style import STYLE, label_name, panel_grid, plt, save_png, series_style
from . import questions
from .calibration import LEVELS
from .evaluate import Evaluation
from .scores import families

BINS = 10


def skill_figure(skill: pd.DataFrame, path: Path) -> Path:
    """Skill by horizon with its bootstrap interval, a series per score and the best baseline named at each point."""
    shown = list(dict.fromkeys(skill["family"]))
    with plt.rc_context(STYLE):
        fig, axes = panel_grid(len(shown), cols=3, width=4.0, height=3.0)
        for ax, family in zip(axes, shown):
            rows = skill[skill["family"] == family]
            ax.axhline(0, color="black", lw=0.8)
            for i, (score, by_score) in enumerate(rows.groupby("score", sort=False)):
                style = series_style(i)
                x = by_score["horizon"].to_numpy() + 0.1 * i
                spread = np.clip([by_score["skill"] - by_score["low"], by_score["high"] - by_score["skill"]], 0, None)
                ax.errorbar(x, by_score["skill"], yerr=spread,
                            color=style["color"], ls=style["ls"], marker=style["marker"], ms=4, capsize=2, label=score)
                for xi, r in zip(x, by_score.itertuples()):
                    ax.annotate(r.best_baseline, (xi, r.high), textcoords="offset points", xytext=(0, 2), rotation=90,
                                ha="center", va="bottom", fontsize=5.5, color=style["color"])
            ax.margins(y=0.3)
            horizons = sorted(rows["horizon"].unique())
            ax.set_xticks(horizons)
            ax.set(xlim=(horizons[0] - 0.5, horizons[-1] + 0.5), title=label_name(family), xlabel="horizon (years)",
                   ylabel="skill vs best baseline")
            ax.legend(loc="best")
        fig.suptitle("Skill = 1 − model score / best baseline's (named above each interval), 95 % block-bootstrap "
                     "intervals over origins", fontsize=9)
        fig.tight_layout()
        return save_png(fig, path)


def pit_figure(points: pd.DataFrame, calibration: pd.DataFrame, path: Path) -> Path:
    """The model's PIT over all horizons as a histogram per family, against the uniform a calibrated model gives."""
    shown = list(families(points))
    overall = calibration[calibration["horizon"] == "all"].set_index("family")
    with plt.rc_context(STYLE):
        fig, axes = panel_grid(len(shown), cols=3, width=3.6, height=2.6)
        for ax, (family, chosen, _) in zip(axes, shown):
            ax.hist(chosen["pit"], bins=np.linspace(0, 1, BINS + 1), density=True, color="#9ecae1",
                    edgecolor="#1f4e79", lw=0.6)
            ax.axhline(1, color="black", ls="--", lw=1, label="uniform")
            ax.set(xlim=(0, 1), xlabel="PIT", ylabel="density",
                   title=f"{label_name(family)}: {len(chosen)} points\nKS p = {overall.loc[family, 'pit_p']:.3f}, "
                         f"robust p = {overall.loc[family, 'pit_robust_p']:.2f}")
        axes[0].legend(loc="upper center")
        fig.suptitle("PIT of the model's forecasts, all horizons (counts randomised); points are dependent, "
                     "so KS p-values run small", fontsize=9)
        fig.tight_layout()
        return save_png(fig, path)


def coverage_figure(calibration: pd.DataFrame, path: Path) -> Path:
    """Coverage of the central 50 % and 90 % bands by horizon and over all, with the 95 % binomial bounds a
    calibrated model's coverage stays within, around each nominal level."""
    shown = list(dict.fromkeys(calibration["family"]))
    with plt.rc_context(STYLE):
        fig, axes = panel_grid(len(shown), cols=3, width=3.6, height=2.6)
        for ax, family in zip(axes, shown):
            rows = calibration[calibration["family"] == family]
            x = np.arange(len(rows)) + (np.arange(len(rows)) == len(rows) - 1) * 0.5  # "all" set apart
            for i, level in enumerate(LEVELS):
                name, style = f"cover{round(100 * level)}", series_style(i)
                ax.vlines(x, rows[f"{name}_low"], rows[f"{name}_high"], color=style["color"], lw=7, alpha=0.2)
                ax.axhline(level, color=style["color"], lw=0.8, ls=":")
                ax.plot(x[:-1], rows[name][:-1], color=style["color"], ls=style["ls"], marker=style["marker"], ms=4,
                        label=f"{level:.0%} band")
                ax.plot(x[-1:], rows[name][-1:], color=style["color"], marker=style["marker"], ms=5)
            ax.set_xticks(x, [str(h) for h in rows["horizon"]])
            ax.set(ylim=(0, 1.02), title=label_name(family), xlabel="horizon (years)", ylabel="coverage")
        axes[0].legend(loc="lower left")
        fig.suptitle("Coverage of the model's central bands against nominal (dotted) with 95 % binomial bounds "
                     "(bars)", fontsize=9)
        fig.tight_layout()
        return save_png(fig, path)


def draw(result: Evaluation, folder: Path) -> list[Path]:
    """The four figures of an evaluation as skill.png, pit.png, coverage.png and reliability.png in `folder`."""
    folder = Path(folder)
    overall = result.question_scores.iloc[-1]
    return [skill_figure(result.skill, folder / "skill.png"),
            pit_figure(result.points, result.calibration, folder / "pit.png"),
            coverage_figure(result.calibration, folder / "coverage.png"),
            reliability_figure(questions.bins(result.questions),
                               f"{len(result.questions):,} yes/no questions at {result.questions['origin'].nunique()} "
                               f"origins\nBrier {overall.brier_model:.3f} (climatology {overall.brier_climatology:.3f})",
                               folder / "reliability.png")]
