"""A small pinned run: its summary and paths are what they were when the numbers were last explained.

tests/golden/summary_2000.json holds the summaries (full and summary mode) and the hash of the
levels of a 2,000-trajectory run of the reference model (model=reference) to 2031-12. A change that moves them must
say why, and the file is then written anew (see the test's message).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

import sim

GOLDEN = Path(__file__).parent / "golden" / "summary_2000.json"
RUN = ["model=reference", "run.trajectories=2000", "run.block_size=500", "run.end=2031-12"]


@pytest.mark.parametrize("mode", ["full", "summary"])
def test_a_small_run_gives_the_pinned_summary(mode):
    pinned = json.loads(GOLDEN.read_text())
    ds = sim.simulate(RUN + (["run.summary=true"] if mode == "summary" else []))
    summary = json.loads(json.dumps(sim.summarize(ds)))  # as summary.json stores it
    assert summary == pinned[mode], f"the {mode} summary moved from {GOLDEN}; explain why, then re-pin it"
    if mode == "full":
        assert hashlib.sha256(ds.level.values.tobytes()).hexdigest() == pinned["full_level_sha"]
