"""A run's answers to forecast questions: the probability that each question resolves yes, with
its Monte Carlo standard error, for the questions the run can answer (results/answers.py)."""

from __future__ import annotations

import xarray as xr
import yaml

from .. import months
from ..results import questions
from ..results.questions import Question
from .ensemble import Ensemble, share_of


def of_run(ds: xr.Dataset) -> tuple[Question, ...]:
    """The question set a run answers (recorded in its results)."""
    return questions.parse(yaml.load(ds.attrs.get("questions") or "questions: {}", Loader=questions.LOADER),
                           "the run's question set")


def answer(ens: Ensemble, asked: tuple[Question, ...]) -> tuple[dict, dict]:
    """({id: text, resolves, rule, p, p_se} of the questions the run answers, {id: why not} of the others)."""
    answered, not_answered = {}, {}
    for q in asked:
        yes = ens.answer(q)
        if isinstance(yes, str):
            not_answered[q.id] = yes
            continue
        p, se = share_of(yes, ens.n)
        answered[q.id] = {"text": q.text, "resolves": months.text(q.resolves), "rule": q.describe(),
                          "p": p, "p_se": se}
    return answered, not_answered
