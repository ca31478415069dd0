"""Monte Carlo simulator of the Union State of Russia and Belarus: a quantified integration outlook."""

from __future__ import annotations

from .analysis.outlook import summarize
from .api import Model
from .results.dataset import version
from .results.io import load

__version__ = version()


def simulate(overrides: list[str] | tuple[str, ...] = ()):
    """Run an ensemble in memory through the CLI's config path, e.g. simulate(["scenario=baseline"]); a loop
    builds a Model once and runs it instead."""
    return Model(overrides).run()


__all__ = ["simulate", "Model", "load", "summarize", "__version__"]
