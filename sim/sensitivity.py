"""`python -m sim.sensitivity`: which assumptions decide the outlook (Sobol', Morris, PRIM)."""

from __future__ import annotations

from . import command
from .config.compose import compose, settled
from .studies.sensitivity import study
from .studies.sensitivity.config import load as load_study

COMMAND = command.Command.named("sim.sensitivity")


def main(argv: list[str]) -> None:
    args = COMMAND.parser(folder=True, overrides="sensitivity.base_samples=64; or: compare DIR_A DIR_B").parse_args(argv)
    compared = COMMAND.subcommand(args, "compare", "DIR_A DIR_B")
    if compared:
        for output, a in study.compare(*compared).items():
            print(f"{output}: {a['overlap']}/{a['indices']} first-order intervals overlap, "
                  f"{a['difference']}/{a['indices']} differences within their interval "
                  f"(~5 % may fail by chance), largest gap {a['max_gap']:.3f}")
        return
    overrides = COMMAND.check_overrides(args.overrides)
    name = next((a.split("=", 1)[1] for a in overrides if a.startswith("sensitivity=")), "default")
    cfg = settled(compose([f"+sensitivity={name}", *(a for a in overrides if not a.startswith("sensitivity="))]))
    load_study(cfg)  # every problem of the study's config before a folder is made
    out = COMMAND.folder(args, name)
    study.run(cfg, out)


if __name__ == "__main__":
    command.guard("sim.sensitivity", main)
