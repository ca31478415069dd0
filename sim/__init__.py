"""Monte Carlo simulator of the Union State of Russia and Belarus: a quantified integration outlook."""

from __future__ import annotations

from .analysis.outlook import summarize
from .config.compose import compose, prepare
from .results.dataset import version
from .results.io import load
from .run import ensemble

__version__ = version()


def simulate(overrides: list[str] | tuple[str, ...] = ()):
    """Run an ensemble in memory through the CLI's config path, e.g. simulate(["scenario=baseline"])."""
    spec, seed, config_yaml = prepare(compose(overrides))
    return ensemble.simulate(spec, seed, config_yaml)


__all__ = ["simulate", "load", "summarize", "__version__"]
