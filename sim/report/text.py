"""The outlook in words: the narrative paragraphs of a report, every number read from the run's summary."""

from __future__ import annotations

import numpy as np

from .style import label_name as name_of, percent

GRID_SYMBOLS = {"delta": "δ", "epsilon": "ε", "p_progress": "p1", "p_setback": "p2"}


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
        f"{direction} {plus_minus(p, v['p_progress_se'])} of {s['trajectories']:,} simulated futures the composite "
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


def plus_minus(p: float, se: float) -> str:
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
            _join([f"{name_of(c)} {plus_minus(p, s['classes_se'][c])}" for c, p in ranked]) + ".")


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
