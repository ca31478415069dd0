"""report.md for a run folder, or for a comparison of runs: the outlook in words, tables and figures.

Every number in a report is read from the run's summary (analysis/outlook.py) or its recorded
config; the narrative paragraph is assembled from them, the way the article's conclusion reads.
"""

from __future__ import annotations

from pathlib import Path

from .. import files
from ..analysis import comparison
from ..analysis.ensemble import Ensemble
from ..analysis.outlook import Run
from ..run import progress
from . import figures
from .tables import (assumptions, classes_table, events_table, milestones_table, robustness_table, table,
                     thesis_table, tracks_table, uneven_table)
from .text import narrative, plus_minus

CAPTIONS = {
    "fan_chart": "Integration level by track and composite: median, 25–75 % and 5–95 % bands over futures; "
                 "thin lines are single futures; dotted lines mark milestone thresholds.",
    "milestones": "Probability that each milestone has been reached by each date, with ±2 Monte Carlo standard errors.",
    "classes": "Outlook classes judged over the path from the start to each date.",
    "tracks": "Net change of each track over the window: the unequal path.",
    "setbacks": "How uneven the path is: setback episodes, reversals, maximum drawdown and time in decline per future.",
    "events": "When events happen: the share of futures with each event type in each month.",
}


def publish(run: Run, out_dir: Path, sample_paths: int) -> Path:
    """Draw every figure of an analysed run into out_dir/figures and write out_dir/report.md; returns its path."""
    out_dir = Path(out_dir)
    drawn = figures.draw([run], out_dir / "figures", sample_paths, progress.Bar("drawing figures"))
    return files.write_text(out_dir / "report.md", single(run, drawn, out_dir))


def compare(runs: list[Run], out_dir: Path, folders: list[Path]) -> Path:
    """Overlay figures of several analysed runs and write out_dir/report.md comparing them."""
    out_dir = Path(out_dir)
    drawn = figures.draw(runs, out_dir / "figures", 0, progress.Bar("drawing figures"))
    return files.write_text(out_dir / "report.md", comparison_text(runs, drawn, out_dir, folders))


def _figure(drawn: dict[str, Path], name: str, out_dir: Path) -> str:
    if name not in drawn:
        return ""
    rel = drawn[name].relative_to(out_dir)
    return f"![{CAPTIONS[name]}]({rel.as_posix()})\n\n*{CAPTIONS[name]}* ([PDF]({rel.with_suffix('.pdf').as_posix()}))\n"


def _kept(ens: Ensemble) -> str:
    """A note on what a summary-mode run kept, for the report's first lines."""
    if ens.binned is None:
        return ""
    bins, samples = ens.binned
    return (" *Summary mode: probabilities and counts cover every future; quantiles come from histograms "
            f"of {bins:,} bins (to {1 / bins:g}); sample paths are {samples} futures drawn at random.*")


def single(run: Run, drawn: dict[str, Path], out_dir: Path) -> str:
    """The report of one run."""
    s = run.summary
    fig = lambda name: _figure(drawn, name, out_dir)  # noqa: E731
    events_note = ("" if "events" in drawn else
                   "\n(No monthly event record in this run's results, so no event raster.)\n")
    return "\n".join([
        f"# Integration outlook of the Union State: scenario {s['scenario']}",
        "",
        f"*{s['trajectories']:,} simulated futures, {s['start']} to {s['end']}, seed {s['seed']}.*"
        + _kept(run.ensemble),
        "",
        "## Outlook",
        "",
        narrative(s),
        "",
        "## The thesis: uneven but progressive",
        "",
        thesis_table(s),
        "",
        "Robustness of the verdict to its own thresholds "
        f"(holds at {round(s['verdict']['robustness']['holds_share'] * s['verdict']['robustness']['points'])} "
        f"of {s['verdict']['robustness']['points']} grid points):",
        "",
        robustness_table(s),
        "",
        "## Outlook classes",
        "",
        classes_table(s),
        "",
        fig("classes"),
        "## Milestones",
        "",
        milestones_table(s),
        "",
        fig("milestones"),
        "## Tracks: an unequal path",
        "",
        tracks_table(s),
        "",
        fig("tracks"),
        fig("fan_chart"),
        "## An uneven path: setbacks, drawdowns, time in decline",
        "",
        uneven_table(s),
        "",
        fig("setbacks"),
        "## Events",
        "",
        "Mean number of events per future, overall and by outlook class:",
        "",
        events_table(s),
        "",
        fig("events") or events_note,
        "## Assumptions",
        "",
        assumptions(run.ensemble.ds, run.ensemble.n),
        "",
    ])


def comparison_text(runs: list[Run], drawn: dict[str, Path], out_dir: Path, folders: list[Path]) -> str:
    """The report comparing runs: each run's verdict, differences from the first run, overlaid figures."""
    base = runs[0]
    fig = lambda name: _figure(drawn, name, out_dir)  # noqa: E731
    overview = table(
        ["run", "folder", "trajectories", "seed", "window", "thesis", "P(progress) ± SE", "P(setback | progress) ± SE"],
        [[r.label, f"`{f}`", f"{r.summary['trajectories']:,}", r.summary["seed"],
          f"{r.summary['start']} – {r.summary['end']}", "holds" if r.summary["verdict"]["holds"] else "does not hold",
          plus_minus(r.summary["verdict"]["p_progress"], r.summary["verdict"]["p_progress_se"]),
          plus_minus(r.summary["verdict"]["p_setback_given_progress"], r.summary["verdict"]["p_setback_given_progress_se"])]
         for r, f in zip(runs, folders)])
    sections = []
    for other in runs[1:]:
        is_paired = comparison.paired(base, other)
        qa, qb = comparison.quantities(base), comparison.quantities(other)
        rows = []
        for key in qa:
            if key in qb:
                d, se = comparison.difference(qa[key], qb[key], is_paired)
                rows.append([key, f"{qa[key].mean:.3f}", f"{qb[key].mean:.3f}", f"{d:+.3f} ± {se:.3f}",
                             "yes" if abs(d) > 2 * se else "no"])
        kept = qa["P(progress)"].values is not None and qb["P(progress)"].values is not None
        how = ("paired per trajectory: both runs share seed, size and blocks, so each future meets the same "
               "random draws (common random numbers)" if is_paired else
               "as for independent runs, so the errors add: "
               + ("different seeds or sizes" if kept else "a summary-mode run keeps no per-future values to pair"))
        sections += [f"### {other.label} minus {base.label}", "", f"Standard errors are {how}.", "",
                     table(["quantity", base.label, other.label, "difference ± SE", "beyond 2 SE"], rows), ""]
    stories = []
    for r in runs:
        stories += [f"### {r.label}", "", narrative(r.summary), ""]
    return "\n".join([
        "# Comparison of integration outlooks: " + " vs ".join(r.label for r in runs),
        "",
        overview,
        "",
        "## Differences",
        "",
        *sections,
        "## Outlook of each run",
        "",
        *stories,
        "## Figures",
        "",
        *(fig(name) for name in ("fan_chart", "milestones", "classes", "tracks", "setbacks")),
    ])
