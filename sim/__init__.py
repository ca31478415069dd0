"""Monte Carlo simulator of the Union State of Russia and Belarus: a quantified integration outlook."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("union-state-sim")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

from .outlook import summarize  # noqa: E402
from .results import load  # noqa: E402


def simulate(overrides: list[str] | tuple[str, ...] = ()):
    """Run an ensemble in memory through the CLI's config path, e.g. simulate(["scenario=baseline"])."""
    from .app import compose, prepare, simulate_spec

    spec, seed, config_yaml = prepare(compose(overrides))
    return simulate_spec(spec, seed, config_yaml)


__all__ = ["simulate", "load", "summarize", "__version__"]
