"""`python -m sim.calibrate`: the posterior of the model's parameters given the record; `install` puts it in use."""

from __future__ import annotations

from pathlib import Path

from . import command
from .config.compose import MODEL_DIR
from .studies.calibration import sets, study

COMMAND = command.Command.named("sim.calibrate")


def main(argv: list[str]) -> None:
    args = COMMAND.parser(folder=True, overrides="calibration.sets=256; or: install DIR").parse_args(argv)
    installed = COMMAND.subcommand(args, "install", "CALIBRATION_DIR")
    if installed:
        for line in sets.install(Path(installed[0]), MODEL_DIR):
            print(line)
        return
    calibration = study.load(COMMAND.check_overrides(args.overrides))
    out = COMMAND.folder(args, calibration.name)
    summary = study.run(calibration, out)
    narrowed = sum(p["width_ratio"] < 0.5 for p in summary["parameters"].values())
    print(f"Posterior given the record to {summary['record_until']}: {summary['trajectories']:,} trajectories "
          f"({summary['trajectory_months']:,} trajectory-months) in {summary['seconds']:.0f} s; "
          f"log evidence {summary['log_evidence']:.1f}; {narrowed} of {len(summary['parameters'])} parameters "
          "narrowed to less than half their prior width.")
    print(f"Calibration in {out}; put it in use with: python -m sim.calibrate install {out}")


if __name__ == "__main__":
    command.guard("sim.calibrate", main)
