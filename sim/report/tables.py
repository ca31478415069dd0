"""The report's tables (Markdown): thesis, robustness, classes, milestones, tracks, unevenness, events, assumptions."""

from __future__ import annotations

from ..results.dataset import recorded_config
from ..results.measures import CLASSES
from .style import label_name as name_of, percent
from .text import GRID_SYMBOLS


def table(header: list[str], rows: list[list], left: int = 1) -> str:
    """A Markdown table; the first `left` columns (words) are left-aligned, the others (numbers) right-aligned."""

    def line(cells) -> str:
        return "| " + " | ".join(str(x).replace("|", "\\|") for x in cells) + " |"

    rule = "|" + "|".join([":---"] * left + ["---:"] * (len(header) - left)) + "|"
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


def horizon_table(s: dict) -> str:
    """The verdict's two probabilities judged over the years up to each horizon; for a run whose futures
    drew their parameters from the posterior, also their 90 % interval across the parameter sets."""
    across = s.get("verdict_across_sets", {})
    rows = []
    for date, v in s["verdict_by_date"].items():
        row = [date, f"{v['p_progress']:.3f} ± {v['p_progress_se']:.3f}",
               f"{v['p_setback_given_progress']:.3f} ± {v['p_setback_given_progress_se']:.3f}"]
        if across:
            a = across[date]
            row += [f"{a[k]['p05']:.2f} – {a[k]['p95']:.2f}" for k in ("p_progress", "p_setback_given_progress")]
        rows.append(row)
    extra = ["P(progress): 90 % across parameter sets", "P(setback | progress): 90 % across sets"] if across else []
    return table(["up to", "P(progress) ± SE", "P(setback | progress) ± SE", *extra], rows)


def record_unevenness(s: dict) -> str:
    """A sentence on unevenness by the record's own measure, for runs that keep their events."""
    u = s.get("uneven_by_record")
    if not u:
        return ""
    first, last = u["record_years"]
    return (f"By the record's own measure of an uneven year — more setbacks than steps — the futures have "
            f"{u['per_decade']:.1f} such years per decade (the record {first}–{last}: {u['record_per_decade']:.1f}), and "
            f"{u['p_given_progress']:.1%} ± {u['p_given_progress_se']:.1%} of the progressing futures have at least one: "
            "by that measure the path is uneven.")


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


def happened(s: dict) -> list[str]:
    """The event types that happened in some future (the others' rows would be zeros throughout)."""
    return [e for e, x in s["events"].items() if x["mean"] > 0]


def events_table(s: dict) -> str:
    rows = [[name_of(e), f"{s['events'][e]['mean']:.2f}",
             *("—" if s["events"][e]["by_class"][c] is None else f"{s['events'][e]['by_class'][c]:.2f}"
               for c in CLASSES)] for e in happened(s)]
    return table(["event", "per future", *(f"in {name_of(c)}" for c in CLASSES)], rows)


def questions_table(s: dict) -> str:
    """The forecast questions the run answers: probability ± SE, resolution date and rule."""
    rows = [[f"`{qid}`", q["text"], q["rule"], q["resolves"], f"{q['p']:.1%} ± {q['p_se']:.1%}"]
            for qid, q in sorted(s.get("questions", {}).items(), key=lambda kv: (kv[1]["resolves"], kv[0]))]
    return table(["question", "text", "resolution rule", "resolves", "P(yes) ± SE"], rows, left=3)


def _rate(rate) -> str:
    """A base rate, or per-track rates as 'economic 0.82, energy 0.36, …'."""
    return ", ".join(f"{t} {r:g}" for t, r in rate.items()) if isinstance(rate, dict) else f"{rate:g}"


def assumptions(ds, trajectories: int) -> str:
    """The run's scenario, run settings and key model parameters, read from its recorded config."""
    cfg = recorded_config(ds)
    model, run, scenario = cfg["model"], cfg["run"], cfg["scenario"]
    tracks = list(model["tracks"])
    per_track = [[key.replace("_", " ")] + [f"{value.get(t, 0):g}" for t in tracks]
                 for key, value in model.items()
                 if isinstance(value, dict) and value and set(value) <= set(tracks)
                 and all(isinstance(x, (int, float)) for x in value.values())]
    scalars = [[k.replace("_", " "), f"{v:g}"] for k, v in model.items() if isinstance(v, (int, float))]
    rates = [[name_of(e), _rate(x["rate"])] for e, x in model.get("events", {}).items()
             if isinstance(x, dict) and "rate" in x]
    lines = [
        f"- **Scenario** `{scenario['name']}`: {scenario.get('description', '')}",
        f"- **Run**: {trajectories:,} trajectories from {run['start']} to {run['end']} (monthly), "
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
