"""The look of every figure (matplotlib on the Agg backend, no screen), and saving one.

Series differ by colour and by line style or hatching, so figures stay readable in greyscale.
Only the modules of report/ (and the studies' figure modules, through this one) draw.
"""

from __future__ import annotations

import logging
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.ticker import FixedLocator  # noqa: E402

logging.getLogger("fontTools").setLevel(logging.WARNING)  # PDF font subsetting logs every table at INFO

STYLE = {
    "font.size": 9, "axes.titlesize": 10, "axes.labelsize": 9, "legend.fontsize": 8,
    "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True, "grid.alpha": 0.3,
    "legend.frameon": False, "savefig.dpi": 150, "pdf.fonttype": 42,
}
# (colour, line style, marker) per series: dark-to-light colours that also differ in dashes.
SERIES = (("#1f4e79", "-", "o"), ("#d55e00", "--", "s"), ("#009e73", "-.", "^"),
          ("#6a3d9a", ":", "D"), ("#7f7f7f", (0, (6, 2)), "v"), ("#b8860b", (0, (3, 1, 1, 1, 1, 1)), "P"))
# (face colour, hatch) per outlook class: four grey levels plus hatching.
CLASS_STYLE = {"uneven_progress": ("#1f4e79", ""), "smooth_progress": ("#9ecae1", ""),
               "stagnation": ("#e0e0e0", "..."), "regression": ("#b2182b", "///")}
BANDS = ((0.05, 0.95, "5–95 %", 0.22), (0.25, 0.75, "25–75 %", 0.45))
MONTH = np.timedelta64(1, "M")


def series_style(i: int) -> dict:
    color, ls, marker = SERIES[i % len(SERIES)]
    return {"color": color, "ls": ls, "marker": marker}


def percent(p: float) -> str:
    """A probability as a whole percentage that does not round a rare event to 0 or a near-certain one to 100."""
    if 0 < p < 0.005:
        return "<1%"
    if 0.995 < p < 1:
        return ">99%"
    return f"{p:.0%}"


def label_name(name: str) -> str:
    return name.replace("_", " ")


FORMATS = ("png",)  # the report's figures: PNG, which report.md and report.html show; PDF or SVG on request (run.figures)


def save(fig, stem: Path, formats: tuple[str, ...] = FORMATS, **options) -> Path:
    """Write the figure, laid out by its maker (tight_layout), as stem.<format> for each format (the first is
    returned) and close it; not cropped to what is drawn, which would draw it twice per format."""
    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    for suffix in formats:
        fast = {"pil_kwargs": {"compress_level": 1}} if suffix == "png" else {}  # lossless: ~20 % larger, ~40 % faster
        fig.savefig(stem.with_suffix(f".{suffix}"), **fast, **options)
    plt.close(fig)
    return stem.with_suffix(f".{formats[0]}")


def save_png(fig, path: Path, dpi: int = 120) -> Path:
    """Write a study's figure as one PNG at `path`, cropped to what is drawn, and close it."""
    return save(fig, Path(path).with_suffix(""), ("png",), dpi=dpi, bbox_inches="tight")


def panel_grid(count: int, cols: int = 2, width: float = 6.0, height: float = 4.2):
    """A figure with `count` panels in rows of `cols` (unused cells hidden); the axes as a list."""
    rows = -(-count // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(width * cols, height * rows), squeeze=False)
    for ax in axes.flat[count:]:
        ax.set_visible(False)
    return fig, list(axes.flat)


def date_axis(ax, times: np.ndarray) -> None:
    """Year ticks spaced for the window (as matplotlib's YearLocator places them, but fixed once: its
    rules are recomputed at every draw); the axis spans the first to the last month."""
    first, last = (int(str(t)[:4]) for t in (times[0], times[-1]))
    years = (times[-1] - times[0]) / np.timedelta64(365, "D")
    step = 1 if years <= 6 else 2 if years <= 14 else 5
    januaries = lambda every: mdates.date2num(np.array(  # noqa: E731
        [f"{y}-01-01" for y in range(first, last + 2) if y % every == 0], dtype="datetime64[D]"))
    ax.xaxis.set_major_locator(FixedLocator(januaries(step)))
    ax.xaxis.set_minor_locator(FixedLocator(januaries(1)))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    ax.set_xlim(times[0], times[-1])


def span(runs) -> str:
    """'label: n trajectories, start to end' of one or several analysed runs (outlook.Run)."""
    ds = runs[0].ensemble.ds
    n = " / ".join(f"{r.ensemble.n:,}" for r in runs)
    what = runs[0].label if len(runs) == 1 else " vs ".join(r.label for r in runs)
    return f"{what}: {n} trajectories, {ds.attrs['start']} to {ds.attrs['end']}"
