"""`python -m sim.sensitivity [sensitivity=NAME] [OVERRIDES…]` runs a study from configs/sensitivity/;
`python -m sim.sensitivity compare DIR_A DIR_B` checks two studies' first-order indices agree.

Usage errors end in one line and exit code 2, before any work; `--debug` shows tracebacks.
"""

from __future__ import annotations

import sys

from omegaconf import OmegaConf

from ..cli import USAGE, guard


def main(argv: list[str]) -> None:
    from ..app import compose
    from . import study

    if argv[:1] == ["compare"]:
        if len(argv) != 3:
            print("usage: python -m sim.sensitivity compare DIR_A DIR_B", file=sys.stderr)
            sys.exit(USAGE)
        for output, a in study.compare(argv[1], argv[2]).items():
            print(f"{output}: {a['overlap']}/{a['indices']} first-order intervals overlap, "
                  f"{a['difference']}/{a['indices']} differences within their interval "
                  f"(~5 % may fail by chance), largest gap {a['max_gap']:.3f}")
        return
    name = next((a.split("=", 1)[1] for a in argv if a.startswith("sensitivity=")), "default")
    overrides = [a for a in argv if not a.startswith("sensitivity=")]
    cfg = compose([f"+sensitivity={name}", *overrides])
    study.run(OmegaConf.to_container(cfg, resolve=True))


if __name__ == "__main__":
    guard("sim.sensitivity", main)
