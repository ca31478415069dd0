"""`python -m sim.calibrate`: fit the model's uncertain parameters to the record; `install` puts the result in use."""

from __future__ import annotations

from pathlib import Path

from . import command
from .config.compose import MODEL_DIR
from .studies import calibration

COMMAND = command.Command.named("sim.calibrate")


def main(argv: list[str]) -> None:
    args = COMMAND.parser(folder=True, overrides="calibration.points=64; or: install DIR").parse_args(argv)
    installed = COMMAND.subcommand(args, "install", "CALIBRATION_DIR")
    if installed:
        for line in calibration.install(Path(installed[0]), MODEL_DIR):
            print(line)
        return
    overrides = COMMAND.check_overrides(args.overrides)
    out = COMMAND.folder(args, "backtest")
    report = calibration.calibrate(overrides, out)
    print(f"{report['accepted']} of {report['admissible']} admissible candidates accepted "
          f"({report['points']} tried); best mean CRPS {report['best_crps']:.4f} "
          f"(median of all {report['median_crps_all']:.4f}).")
    print(f"Calibration in {out}; put it in use with: python -m sim.calibrate install {out}")


if __name__ == "__main__":
    command.guard("sim.calibrate", main)
