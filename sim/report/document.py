"""report.md and report.html for a run folder, or for a comparison of runs: the outlook in words,
tables and figures; and a run's outlook.csv.

Every number in a report is read from the run's summary (analysis/outlook.py) or its recorded
config; the narrative paragraph is assembled from them, the way the article's conclusion reads.
"""

from __future__ import annotations

from pathlib import Path

from omegaconf import OmegaConf

from .. import files
from ..analysis import comparison, identity
from ..analysis.ensemble import Ensemble
from ..analysis.outlook import Run
from ..run import progress
from . import export, figures, html, notes
from .tables import (assumptions, classes_table, events_table, happened, horizon_table, milestones_table,
                     questions_table, record_unevenness, robustness_table, table, thesis_table, tracks_table,
                     uneven_table)
from .style import FORMATS, label_name as name_of
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


def publish(run: Run, out_dir: Path, sample_paths: int, formats: tuple[str, ...] = FORMATS) -> Path:
    """Draw every figure of an analysed run into out_dir/figures (in each of `formats`), write
    out_dir/report.md, the same as one self-contained report.html, and outlook.csv; returns the path of
    report.md."""
    out_dir = Path(out_dir)
    drawn = figures.draw([run], out_dir / "figures", sample_paths, progress.Bar("drawing figures"), formats)
    export.write_csv(run, out_dir / "outlook.csv")
    return _write(single(run, drawn, out_dir, formats), out_dir)


def compare(runs: list[Run], out_dir: Path, folders: list[Path], formats: tuple[str, ...] = FORMATS) -> Path:
    """Overlay figures of several analysed runs and write out_dir/report.md (and report.html) comparing them."""
    out_dir = Path(out_dir)
    drawn = figures.draw(runs, out_dir / "figures", 0, progress.Bar("drawing figures"), formats)
    return _write(comparison_text(runs, drawn, out_dir, folders, formats), out_dir)


def _write(markdown: str, out_dir: Path) -> Path:
    files.write_text(out_dir / "report.html", html.page(markdown, out_dir))
    return files.write_text(out_dir / "report.md", markdown)


def _figure(drawn: dict[str, Path], name: str, out_dir: Path, formats: tuple[str, ...]) -> str:
    """A figure's PNG with its caption, and links to its other formats."""
    if name not in drawn:
        return ""
    rel = drawn[name].relative_to(out_dir)
    twins = ", ".join(f"[{f.upper()}]({rel.with_suffix('.' + f).as_posix()})" for f in formats[1:])
    return f"![{CAPTIONS[name]}]({rel.as_posix()})\n\n*{CAPTIONS[name]}*" + (f" ({twins})" if twins else "") + "\n"


def _kept(ens: Ensemble) -> str:
    """A note on what a summary-mode run kept, for the report's first lines."""
    if ens.binned is None:
        return ""
    bins, samples = ens.binned
    return (" *Summary mode: probabilities and counts cover every future; quantiles come from histograms "
            f"of {bins:,} bins (to {1 / bins:g}); sample paths are {samples} futures drawn at random.*")


def single(run: Run, drawn: dict[str, Path], out_dir: Path, formats: tuple[str, ...] = FORMATS) -> str:
    """The report of one run."""
    s = run.summary
    fig = lambda name: _figure(drawn, name, out_dir, formats)  # noqa: E731
    events_note = ("" if "events" in drawn else
                   "\n(No monthly event record in this run's results, so no event raster.)\n")
    never = [name_of(e) for e in s["events"] if e not in happened(s)]
    return "\n".join([
        f"# Integration outlook of the Union State: scenario {s['scenario']}, model {s['model']}",
        "",
        f"*{s['trajectories']:,} simulated futures, {s['start']} to {s['end']}, seed {s['seed']}.*"
        + _kept(run.ensemble),
        "",
        notes.what_was_run(s),
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
        "The verdict's probabilities judged over the years up to each horizon"
        + (" (and, for futures that drew their parameters from the posterior, the 90 % interval of each "
           "probability across the parameter sets, net of each set's Monte Carlo noise)" if "verdict_across_sets" in s
           else "") + ":",
        "",
        horizon_table(s),
        "",
        record_unevenness(s),
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
        "## Forecast questions",
        "",
        _questions(s),
        "",
        "## Events",
        "",
        "Mean number of events per future, overall and by outlook class"
        + (f" (no future had {', '.join(never)})" if never else "") + ":",
        "",
        events_table(s),
        "",
        fig("events") or events_note,
        "What the event types are:",
        "",
        notes.glossary(happened(s)),
        "",
        "## Assumptions",
        "",
        assumptions(run.ensemble.ds, run.ensemble.n),
        "",
        "## Limitations",
        "",
        notes.limitations(run.ensemble.binned is not None),
        "",
    ])


def _setting(value) -> str:
    return "—" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def _questions(s: dict) -> str:
    """The questions section: the answered questions' table, and which the run could not answer."""
    skipped = s.get("questions_not_answered", {})
    text = ("The probability that each question of the run's set resolves yes (share of futures ± Monte Carlo "
            "standard error); `python -m sim.questions FILE RUN_DIR` answers any question file.\n\n"
            + questions_table(s)) if s.get("questions") else "The run answers no forecast question."
    for why in dict.fromkeys(skipped.values()):
        text += f"\n\nNot answered, {why}: " + ", ".join(f"`{q}`" for q, w in skipped.items() if w == why) + "."
    return text


def comparison_text(runs: list[Run], drawn: dict[str, Path], out_dir: Path, folders: list[Path],
                    formats: tuple[str, ...] = FORMATS) -> str:
    """The report comparing runs: each run's verdict, differences from the first run, overlaid figures."""
    base = runs[0]
    fig = lambda name: _figure(drawn, name, out_dir, formats)  # noqa: E731
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
        scenario = OmegaConf.create(r.ensemble.ds.attrs["config"]).scenario
        stories += [f"### {r.label}", "", f"*Scenario {scenario.name}: {scenario.get('description', '')}*", "",
                    narrative(r.summary), ""]
    differ = identity.differences([r.ensemble.ds for r in runs])
    return "\n".join([
        "# Comparison of integration outlooks: " + " vs ".join(r.label for r in runs),
        "",
        overview,
        "",
        "## Settings that differ",
        "",
        table(["setting", *(r.label for r in runs)], [[f"`{k}`", *map(_setting, v)] for k, v in differ.items()])
        if differ else "The runs' settings are the same.",
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
