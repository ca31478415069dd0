"""`python -m sim.backtest`: rolling-origin forecasts of the record's observables, scored against baselines."""

from __future__ import annotations

from . import command
from .studies.backtest import study

COMMAND = command.Command.named("sim.backtest")


def main(argv: list[str]) -> None:
    args = COMMAND.parser(folder=True, overrides="backtest.samples=500 calibration.sets=256").parse_args(argv)
    calibration, settings = study.load(COMMAND.check_overrides(args.overrides))
    out = COMMAND.folder(args, settings.name)
    summary = study.run(calibration, settings, out)
    print((out / "evaluation.md").read_text(), end="")
    print(f"Backtest of origins {summary['origins'][0]}–{summary['origins'][1]} in {out} "
          f"({summary['seconds']:.0f} s; calibration from {summary['calibration']['trajectories']:,} trajectories)")


if __name__ == "__main__":
    command.guard("sim.backtest", main)
