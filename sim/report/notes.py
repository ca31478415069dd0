"""The report's notes in words: what was run, the glossary of event types, the limitations."""

from __future__ import annotations

from ..model.state import EVENT_TYPES
from .style import label_name

# What each of the model's event types is (configs/model/default.yaml, MODEL.md).
GLOSSARY = {
    "dispute": "a gas, oil or trade 'war' between Moscow and Minsk: integration falls, mostly on the energy track, "
               "and Russia's gas subsidy is cut",
    "crisis": "a domestic political crisis in Belarus; Minsk then either rallies to Moscow or hedges toward the West",
    "rally": "after a crisis, Minsk turns to Moscow: political and security integration jump",
    "hedge": "after a crisis, Minsk hedges toward the West: political, economic and security integration fall",
    "sanctions": "a round of Western sanctions on Belarus: pressure rises and trade turns toward Russia",
    "detente": "a Western rapprochement with Minsk: pressure eases",
    "commodity": "an oil-price collapse: Russia's fiscal stress rises, so it can afford less support",
    "transition": "a change of leader in Belarus (at most once); it ends in continuity, consolidation or a pivot",
    "consolidation": "after a transition, a pro-Moscow successor accepts sensitive steps (monetary, political, security)",
    "pivot": "after a transition, a multi-vector successor reopens to the West: integration falls on most tracks",
    "programme": "a Supreme State Council or Council of Ministers session that adopts union programmes or road maps",
    "deadline_met": "a treaty deadline (e.g. the single gas market of 2023-12) met: its track takes a large step",
    "deadline_missed": "a treaty deadline missed: a setback on its track, and the deadline is postponed",
    "election": "a presidential election in Belarus or Russia: instability rises and crises are likelier for a while",
    "subsidy_cut": "a scenario policy: Russia cuts the gas subsidy while a track stays below its target",
    "multi_vector": "a scenario policy: Minsk turns multi-vector while Western pressure is low",
    "step": "an integration step (treaty, agreement, council decision, programme, loan, exercise, basing) on a "
            "track, with other tracks joining it: commitments rise and levels follow them",
    "setback": "a setback (dispute, supply cut, trade ban, failed council, missed deadline) on a track, with "
               "others joining it: levels fall, and part of the commitments with them",
}

LIMITATIONS = (
    "Levels are ordinal judgements on a 0–1 scale (MODEL.md's level table), not measurements: "
    "'0.8 on the monetary track' means a single currency, not a quantity.",
    "Every probability is conditional on the model and its assumptions (the Assumptions section); the Monte "
    "Carlo standard errors measure only the sampling of futures, not the uncertainty of the model itself.",
    "The record the model is calibrated and scored against is sparse before 2005 and dense from 2020 "
    "(data/README.md), so fitted rates and backtest scores weigh recent years more.",
    "Event questions are answered by the model's own event counts of a type; the record's narrower rows "
    "(a track, a direction, a least magnitude) apply only when questions are scored against the record.",
    "A track's level is latent: questions about levels can be answered by the model but not resolved against "
    "the record; only questions about recorded events can be scored.",
)


def glossary(events: list[str]) -> str:
    """The glossary of the event types named in a report, as a Markdown list."""
    return "\n".join(f"- **{label_name(e)}**: {GLOSSARY.get(e, 'an event type of the model')}." for e in events
                     if e in EVENT_TYPES)


def limitations(summary_mode: bool) -> str:
    """What the numbers cannot say, as a Markdown list."""
    items = list(LIMITATIONS)
    if summary_mode:
        items.append("This run kept counts, not every path: quantiles are read from histograms (to one bin) and "
                     "only the questions of its own set can be answered.")
    return "\n".join(f"- {item}" for item in items)


def what_was_run(s: dict) -> str:
    """The run's overrides and start, and its start state when the run records one (summary `start_state`)."""
    asked = ", ".join(f"`{o}`" for o in s.get("overrides", [])) or "none (the defaults of configs/)"
    state = s.get("start_state")
    origin = "the model's initial state"
    if state and "last_record" in state:
        origin = ("the state filtered on the record up to then" if state["last_record"] >= s["start"] else
                  f"the state filtered on the record to its end ({state['last_record']}) and predicted from there, "
                  "with no record to weigh it")
    lines = [f"- **Asked for**: {asked}.", f"- **Window**: {s['start']} to {s['end']}, starting from {origin}."]
    if state:
        lines.append("- **Start state**: " + "; ".join(f"{label_name(str(k))} {_show(v)}" for k, v in state.items())
                     + ".")
    return "\n".join(lines)


def _show(value) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k} {_show(v)}" for k, v in value.items())
    return f"{value:.3g}" if isinstance(value, float) else str(value)
