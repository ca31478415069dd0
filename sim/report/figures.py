"""Every figure of a run, or of several runs overlaid, into a folder (PNG for the report; PDF or SVG for print
on request)."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from .. import forked
from ..analysis.outlook import Run
from .level_figures import events, fan_chart
from .outcome_figures import classes, milestones, setbacks, tracks
from .style import FORMATS


def draw(runs: list[Run], folder: Path, sample_paths: int = 6,
         progress: Callable[[int, int], None] | None = None, formats: tuple[str, ...] = FORMATS) -> dict[str, Path]:
    """Every figure for these runs into `folder`, in each of `formats`; name → PNG path (figures that do not
    apply are left out). The fan chart and the event raster, about half the drawing, are drawn by a forked
    copy of this process beside the others (forked.py).

    `progress(done, total)`, when given, is called after each figure.
    """
    folder = Path(folder)
    beside = {
        "fan_chart": lambda: fan_chart(runs, folder / "fan_chart", sample_paths, formats),
        "events": lambda: events(runs[0], folder / "events", formats) if len(runs) == 1 else None,
    }
    jobs = {
        "milestones": lambda: milestones(runs, folder / "milestones", formats),
        "classes": lambda: classes(runs, folder / "classes", formats),
        "tracks": lambda: tracks(runs, folder / "tracks", formats),
        "setbacks": lambda: setbacks(runs, folder / "setbacks", formats),
    }
    total = len(jobs) + len(beside)
    with forked.beside(lambda: {name: job() for name, job in beside.items()}) as there:
        drawn = {}
        for done, (name, job) in enumerate(jobs.items(), 1):
            drawn[name] = job()
            if progress:
                progress(done, total)
        drawn = {**there(), **drawn}
    if progress:
        progress(total, total)
    return {name: path for name, path in drawn.items() if path is not None}
