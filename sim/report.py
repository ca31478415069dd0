"""report.md for a run folder, or for a comparison of runs: the outlook in words, tables and figures.

Every number in a report is read from the run's summary (outlook.summarize) or its recorded
config; the narrative paragraph is assembled from them, the way the article's conclusion reads.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import xarray as xr
from omegaconf import OmegaConf

from . import outlook, plots, progress
from .outlook import CLASSES, Run
from .plots import label_name as name_of, percent
from .results import is_summary, trajectories

CAPTIONS = {
    "fan_chart": "Integration level by track and composite: median, 25–75 % and 5–95 % bands over futures; "
                 "thin lines are single futures; dotted lines mark milestone thresholds.",
    "milestones": "Probability that each milestone has been reached by each date, with ±2 Monte Carlo standard errors.",
    "classes": "Outlook classes judged over the path from the start to each date.",
    "tracks": "Net change of each track over the window: the unequal path.",
    "setbacks": "How uneven the path is: setback episodes, reversals, maximum drawdown and time in decline per future.",
    "events": "When events happen: the share of futures with each event type in each month.",
}
GRID_SYMBOLS = {"delta": "δ", "epsilon": "ε", "p_progress": "p1", "p_setback": "p2"}


def publish(ds: xr.Dataset, out_dir: Path, analysis: SimpleNamespace | None = None,
            sample_paths: int | None = None) -> Path:
    """Draw every figure of a run into out_dir/figures and write out_dir/report.md; returns its path.

    Settings not given are read from the config recorded in the Dataset.
    """
    out_dir = Path(out_dir)
    if analysis is None or sample_paths is None:
        from .results import spec_of

        spec = spec_of(ds)
        analysis = analysis or spec.analysis
        sample_paths = spec.run.sample_paths if sample_paths is None else sample_paths
    run = outlook.analyse(ds, analysis)
    figures = plots.draw([run], out_dir / "figures", sample_paths, progress.Bar("drawing figures"))
    return _write(out_dir / "report.md", single(run, figures, out_dir))


def compare(runs: list[Run], out_dir: Path, folders: list[Path]) -> Path:
    """Overlay figures of several analysed runs and write out_dir/report.md comparing them."""
    out_dir = Path(out_dir)
    figures = plots.draw(runs, out_dir / "figures", 0, progress.Bar("drawing figures"))
    return _write(out_dir / "report.md", comparison(runs, figures, out_dir, folders))


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.partial")
    tmp.write_text(text)
    os.replace(tmp, path)
    return path


# --- the narrative ---------------------------------------------------------------------------


def narrative(s: dict) -> str:
    """The outlook in two paragraphs, quantified: direction, unevenness, inequality, milestones; the verdict."""
    v, comp, u, q = s["verdict"], s["composite"], s["uneven"], s["unequal"]
    t = v["thresholds"]
    years = _years(s)
    lead, lag = q["net_change"][q["leader"]]["median"], q["net_change"][q["laggard"]]["median"]
    p = v["p_progress"]
    direction = "progressive: in" if p >= 0.5 else "not clearly progressive: only in"
    parts = [
        f"From {s['start']} to {s['end']}, under the {s['scenario']} scenario, the Union's main direction is "
        f"{direction} {_pm(p, v['p_progress_se'])} of {s['trajectories']:,} simulated futures the composite "
        f"integration index ends at least {t['delta']:g} above where it started; the median future takes it "
        f"from {comp['start']:.2f} to {comp['end_median']:.2f} (90 % of futures end between "
        f"{comp['end_p05']:.2f} and {comp['end_p95']:.2f}).",

        f"The path is uneven: {percent(v['p_setback_given_progress'])} of the progressing futures suffer at least "
        f"one setback (a fall of {t['epsilon']:g} or more within {t['window_months']} months); a typical future goes "
        f"through {u['setbacks']['median']:.0f} setback episodes and {u['reversals']['median']:.0f} reversals of "
        f"direction, loses up to {u['max_drawdown']['median']:.2f} from a peak (the worst 5 % lose "
        f"{u['max_drawdown']['p95']:.2f}) and spends {u['decline_years']['median']:.1f} of its "
        f"{years:.0f} years below its level of a year earlier.",

        f"It is also unequal: {q['leader']} {'leads' if lead >= 0 else 'falls least'} (median change {lead:+.2f}, "
        f"the fastest track in {percent(q['leads'][q['leader']])} of futures) while {q['laggard']} "
        f"{'lags' if lag >= 0 else 'falls most'} "
        f"({lag:+.2f}, the slowest in {percent(q['lags'][q['laggard']])}); "
        f"the gap between a future's fastest and slowest track is a median {q['spread_median']:.2f} "
        f"(90 % band {q['spread_p05']:.2f}–{q['spread_p95']:.2f}).",
    ]
    parts += _milestone_sentences(s)
    parts.append(_classes_sentence(s))
    return " ".join(parts) + "\n\n" + _verdict_sentence(s)


def _years(s: dict) -> float:
    return len(np.arange(np.datetime64(s["start"]), np.datetime64(s["end"]) + 1)) / 12


def _pm(p: float, se: float) -> str:
    return f"{p:.1%} ± {se:.1%}"


def _milestone_sentences(s: dict) -> list[str]:
    likely, unlikely = [], []
    for name, ms in s["milestones"].items():
        what = f"{name_of(name)} ({ms['track']} ≥ {ms['threshold']:g}"
        if ms["median_date"]:
            likely.append(f"{what}; {percent(ms['p_by_end'])} of futures, half of all futures by {ms['median_date']})")
        else:
            unlikely.append(f"{what}) in {percent(ms['p_by_end'])}")
    out = []
    if likely:
        out.append(f"By {s['end']} the Union more likely than not reaches " + _join(likely) + ".")
    if unlikely:
        out.append(f"{'Less likely' if likely else 'No named milestone is likely'}: " + _join(unlikely) + ".")
    room = 1 - s["composite"]["end_median"]
    out.append(f"The median composite ends {room:.2f} short of full merger, so "
               + ("large room for development remains." if room >= 0.25 else "little room for development remains."))
    return out


def _classes_sentence(s: dict) -> str:
    ranked = sorted(s["classes"].items(), key=lambda kv: -kv[1])
    return ("Over the whole window the outlook classes are " +
            _join([f"{name_of(c)} {_pm(p, s['classes_se'][c])}" for c, p in ranked]) + ".")


def _verdict_sentence(s: dict) -> str:
    v, t, r = s["verdict"], s["verdict"]["thresholds"], s["verdict"]["robustness"]
    text = (f"For these assumptions the article's thesis — uneven but progressive — "
            f"{'holds' if v['holds'] else 'does not hold'}: P(progress) = {v['p_progress']:.3f} ± "
            f"{v['p_progress_se']:.3f} against the required {t['p_progress']:g}, and P(setback | progress) = "
            f"{v['p_setback_given_progress']:.3f} ± {v['p_setback_given_progress_se']:.3f} against "
            f"{t['p_setback']:g}.")
    close = [k for k, m in v["margin_se"].items() if m is not None and abs(m) < 2]
    if close:
        text += (" The estimate of " + _join([f"P({'progress' if k == 'p_progress' else 'setback | progress'})"
                                              for k in close])
                 + " lies within two standard errors of its threshold, so more trajectories are needed to settle it.")
    held, points = round(r["holds_share"] * r["points"]), r["points"]
    text += " Over a grid of its own thresholds (δ and ε halved and doubled, p1 and p2 moved by ±0.1) it "
    if held in (0, points):
        return text + f"{'holds' if held else 'fails'} at all {points} points: the verdict does not depend on them."
    return text + f"holds at {held} of {points} points; " + _join(_deciders(r)) + "."


def _deciders(r: dict) -> list[str]:
    """The thresholds the verdict turns on, most decisive first, as 'with δ = 0.1 it holds at 33 %'."""
    spread = {k: max(vals.values()) - min(vals.values()) for k, vals in r["holds_share_by_value"].items()}
    out = []
    for key in sorted(spread, key=lambda k: -spread[k]):
        if spread[key] > 0:
            vals = r["holds_share_by_value"][key]
            out.append(f"with {GRID_SYMBOLS[key]} = " + " / ".join(vals) + " it holds at "
                       + " / ".join(f"{x:.0%}" for x in vals.values()) + " of the points")
    return out


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1] if items else ""


# --- tables ------------------------------------------------------------------------------------


def table(header: list[str], rows: list[list]) -> str:
    """A Markdown table; the first column is left-aligned, the others right-aligned."""

    def line(cells) -> str:
        return "| " + " | ".join(str(x).replace("|", "\\|") for x in cells) + " |"

    rule = "|" + "|".join([":---"] + ["---:"] * (len(header) - 1)) + "|"
    return "\n".join([line(header), rule, *(line(row) for row in rows)])


def thesis_table(s: dict) -> str:
    v, t = s["verdict"], s["verdict"]["thresholds"]
    rows = []
    for key, what, p, se, thr in (
        ("p_progress", f"P(progress): ΔC ≥ δ = {t['delta']:g}", v["p_progress"], v["p_progress_se"], t["p_progress"]),
        ("p_setback", f"P(setback | progress): a fall ≥ ε = {t['epsilon']:g} within {t['window_months']} months",
         v["p_setback_given_progress"], v["p_setback_given_progress_se"], t["p_setback"]),
    ):
        m = v["margin_se"][key]
        rows.append([what, f"{p:.3f} ± {se:.3f}", f"≥ {thr:g}", "—" if m is None else f"{m:+.1f}",
                     "yes" if p >= thr else "no"])
    return table(["condition", "estimate ± SE", "needed", "margin (SE)", "met"], rows)


def robustness_table(s: dict) -> str:
    r = s["verdict"]["robustness"]
    rows = [[f"{GRID_SYMBOLS[k]} ({name_of(k)})", " / ".join(vals), " / ".join(f"{x:.0%}" for x in vals.values())]
            for k, vals in r["holds_share_by_value"].items()]
    return table(["threshold", "grid values", "verdict holds at (share of points)"], rows)


def classes_table(s: dict) -> str:
    dates = list(s["classes_by_date"])
    rows = [[name_of(c), f"{s['classes'][c]:.1%} ± {s['classes_se'][c]:.1%}",
             *(f"{s['classes_by_date'][d][c]:.0%}" for d in dates)] for c in CLASSES]
    return table(["class", f"share by {s['end']} ± SE", *(f"to {d}" for d in dates)], rows)


def milestones_table(s: dict) -> str:
    dates = list(next(iter(s["milestones"].values()))["p_by"]) if s["milestones"] else []
    rows = []
    for name, ms in s["milestones"].items():
        when = (f"{ms['median_date_if_reached']} ({ms['p25_date_if_reached']} – {ms['p75_date_if_reached']})"
                if ms["median_date_if_reached"] else "—")
        rows.append([name_of(name), f"{ms['track']} ≥ {ms['threshold']:g}",
                     *(percent(ms["p_by"][d]) for d in dates[:-1]),
                     f"{ms['p_by_end']:.1%} ± {ms['p_by_end_se']:.1%}", ms["median_date"] or "not by the end", when])
    return table(["milestone", "rule", *(f"P by {d}" for d in dates[:-1]), f"P by {s['end']} ± SE",
                  "median date (all futures)", "if reached: median (25–75 %)"], rows)


def tracks_table(s: dict) -> str:
    u = s["unequal"]
    rows = [[t, f"{x['median']:+.2f}", f"{x['p05']:+.2f} … {x['p95']:+.2f}", percent(u["leads"][t]),
             percent(u["lags"][t])] for t, x in u["net_change"].items()]
    return table(["track", "median net change", "5–95 %", "fastest in", "slowest in"], rows)


def uneven_table(s: dict) -> str:
    what = {"setbacks": ("setback episodes", 2), "reversals": ("reversals of direction", 2),
            "max_drawdown": ("maximum drawdown (level)", 3),
            "decline_years": ("years below the level of a year earlier", 2)}
    rows = []
    for key, (label, d) in what.items():
        x = s["uneven"][key]
        rows.append([label, f"{x['mean']:.{d}f} ± {x['mean_se']:.{d}f}", f"{x['median']:.{d}f}",
                     f"{x['p05']:.{d}f} … {x['p95']:.{d}f}"])
    return table(["per future", "mean ± SE", "median", "5–95 %"], rows)


def events_table(s: dict) -> str:
    rows = [[name_of(e), f"{x['mean']:.2f}",
             *("—" if x["by_class"][c] is None else f"{x['by_class'][c]:.2f}" for c in CLASSES)]
            for e, x in s["events"].items()]
    return table(["event", "per future", *(f"in {name_of(c)}" for c in CLASSES)], rows)


def assumptions(ds: xr.Dataset) -> str:
    """The run's scenario, run settings and key model parameters, read from its recorded config."""
    cfg = OmegaConf.to_container(OmegaConf.create(ds.attrs["config"]), resolve=True)
    model, run, scenario = cfg["model"], cfg["run"], cfg["scenario"]
    tracks = list(model["tracks"])
    per_track = [[key.replace("_", " ")] + [f"{value.get(t, 0):g}" for t in tracks]
                 for key, value in model.items()
                 if isinstance(value, dict) and value and set(value) <= set(tracks)
                 and all(isinstance(x, (int, float)) for x in value.values())]
    scalars = [[k.replace("_", " "), f"{v:g}"] for k, v in model.items() if isinstance(v, (int, float))]
    rates = [[name_of(e), f"{x['rate']:g}"] for e, x in model.get("events", {}).items()
             if isinstance(x, dict) and "rate" in x]
    lines = [
        f"- **Scenario** `{scenario['name']}`: {scenario.get('description', '')}",
        f"- **Run**: {trajectories(ds):,} trajectories from {run['start']} to {run['end']} (monthly), "
        f"seed {ds.attrs['seed']}, blocks of {run['block_size']}; union-state-sim {ds.attrs.get('version', '?')}.",
        f"- **Analysis**: progress ΔC ≥ δ = {cfg['analysis']['delta']}, setback a fall ≥ ε = "
        f"{cfg['analysis']['epsilon']} within {cfg['analysis']['window_months']} months; the thesis needs "
        f"P(progress) ≥ p1 = {cfg['analysis']['p_progress']} and P(setback | progress) ≥ p2 = "
        f"{cfg['analysis']['p_setback']}.",
        "",
        "Per-track parameters (logit units per year unless stated; see configs/model for provenance):",
        "",
        table(["parameter", *tracks], per_track),
        "",
        table(["model constant", "value"], scalars),
        "",
        table(["event", "base rate per year"], rates),
        "",
        "The full resolved config is stored in `results.nc` (attribute `config`).",
    ]
    return "\n".join(lines)


def _figure(figures: dict[str, Path], name: str, out_dir: Path) -> str:
    if name not in figures:
        return ""
    rel = figures[name].relative_to(out_dir)
    return f"![{CAPTIONS[name]}]({rel.as_posix()})\n\n*{CAPTIONS[name]}* ([PDF]({rel.with_suffix('.pdf').as_posix()}))\n"


def single(run: Run, figures: dict[str, Path], out_dir: Path) -> str:
    """The report of one run."""
    s = run.summary
    fig = lambda name: _figure(figures, name, out_dir)  # noqa: E731
    events_note = ("" if "events" in figures else
                   "\n(No monthly event record in this run's results, so no event raster.)\n")
    return "\n".join([
        f"# Integration outlook of the Union State: scenario {s['scenario']}",
        "",
        f"*{s['trajectories']:,} simulated futures, {s['start']} to {s['end']}, seed {s['seed']}.*"
        + (" *Summary mode: probabilities and counts cover every future; quantiles come from histograms "
           f"of {run.ds.sizes['bin']:,} bins (to {1 / run.ds.sizes['bin']:g}); sample paths are "
           f"{run.ds.sizes['sample']} futures drawn at random.*" if is_summary(run.ds) else ""),
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
        assumptions(run.ds),
        "",
    ])


# --- comparison ------------------------------------------------------------------------------


def paired(a: Run, b: Run) -> bool:
    """Common random numbers: same seed, size and block layout, so trajectory i shares its streams."""
    from .results import spec_of

    if is_summary(a.ds) or is_summary(b.ds):
        return False  # counts only: no per-trajectory pairs
    return (a.ds.attrs["seed"] == b.ds.attrs["seed"] and a.ds.sizes["trajectory"] == b.ds.sizes["trajectory"]
            and spec_of(a.ds).run.block_size == spec_of(b.ds).run.block_size)


def difference(x, y, is_paired: bool) -> tuple[float, float]:
    """Mean of y minus mean of x and its standard error (paired per trajectory when runs share streams);
    x and y are per-trajectory values, or (mean, standard error) of a summary-mode run."""
    if is_paired:
        return outlook.mean_se(y.astype(np.float64) - x.astype(np.float64))
    (mx, sx), (my, sy) = _estimate(x), _estimate(y)
    return my - mx, float(np.hypot(sx, sy))


def _estimate(x) -> tuple[float, float]:
    return x if isinstance(x, tuple) else outlook.mean_se(x.astype(np.float64))


def _quantities(run: Run) -> dict:
    """Per-trajectory values whose means are the compared quantities; for a summary-mode run
    their (mean, standard error) from its summary."""
    if is_summary(run.ds):
        s = run.summary
        out = {"P(progress)": (s["verdict"]["p_progress"], s["verdict"]["p_progress_se"])}
        out.update({f"P({name_of(c)})": (s["classes"][c], s["classes_se"][c]) for c in CLASSES})
        out.update({f"P({name_of(ms)} by the end)": (x["p_by_end"], x["p_by_end_se"])
                    for ms, x in s["milestones"].items()})
        out.update({"setback episodes": (s["uneven"]["setbacks"]["mean"], s["uneven"]["setbacks"]["mean_se"]),
                    "maximum drawdown": (s["uneven"]["max_drawdown"]["mean"], s["uneven"]["max_drawdown"]["mean_se"])})
        return out
    m = run.metrics
    out = {"P(progress)": m["outlook"].values <= 1}
    out.update({f"P({name_of(c)})": m["outlook"].values == i for i, c in enumerate(CLASSES)})
    out.update({f"P({name_of(str(ms))} by the end)": m["crossing"].sel(milestone=ms).values >= 0
                for ms in m["milestone"].values})
    out.update({"composite net change": m["net_change"].sel(series="composite").values,
                "setback episodes": m["setbacks"].values, "maximum drawdown": m["max_drawdown"].values})
    return out


def comparison(runs: list[Run], figures: dict[str, Path], out_dir: Path, folders: list[Path]) -> str:
    """The report comparing runs: each run's verdict, differences from the first run, overlaid figures."""
    base = runs[0]
    fig = lambda name: _figure(figures, name, out_dir)  # noqa: E731
    overview = table(
        ["run", "folder", "trajectories", "seed", "window", "thesis", "P(progress) ± SE", "P(setback | progress) ± SE"],
        [[r.label, f"`{f}`", f"{r.summary['trajectories']:,}", r.summary["seed"],
          f"{r.summary['start']} – {r.summary['end']}", "holds" if r.summary["verdict"]["holds"] else "does not hold",
          _pm(r.summary["verdict"]["p_progress"], r.summary["verdict"]["p_progress_se"]),
          _pm(r.summary["verdict"]["p_setback_given_progress"], r.summary["verdict"]["p_setback_given_progress_se"])]
         for r, f in zip(runs, folders)])
    sections = []
    for other in runs[1:]:
        is_paired = paired(base, other)
        qa, qb = _quantities(base), _quantities(other)
        rows = []
        for key in qa:
            if key in qb:
                d, se = difference(qa[key], qb[key], is_paired)
                rows.append([key, f"{_estimate(qa[key])[0]:.3f}", f"{_estimate(qb[key])[0]:.3f}", f"{d:+.3f} ± {se:.3f}",
                             "yes" if abs(d) > 2 * se else "no"])
        how = ("paired per trajectory: both runs share seed, size and blocks, so each future meets the same "
               "random draws (common random numbers)" if is_paired else
               "as for independent runs, so the errors add: "
               + ("a summary-mode run keeps no per-future values to pair"
                  if is_summary(base.ds) or is_summary(other.ds) else "different seeds or sizes"))
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
