"""`python -m sim.backtest`: the model run over the record and scored against it and naive forecasts."""

from __future__ import annotations

from . import command
from .studies.backtest import run as backtest

COMMAND = command.Command.named("sim.backtest")


def main(argv: list[str]) -> None:
    args = COMMAND.parser(folder=True, overrides="model=calibrated run.trajectories=2000").parse_args(argv)
    overrides = COMMAND.check_overrides(args.overrides)
    model = next((o.split("=", 1)[1] for o in overrides if o.startswith("model=")), "default")
    out = COMMAND.folder(args, model)
    print(backtest.table(backtest.run(overrides, out)))
    print(f"Backtest in {out}")


if __name__ == "__main__":
    command.guard("sim.backtest", main)
