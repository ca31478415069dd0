"""`python -m sim.calibrate`: the posterior of the model's parameters given the record; `install` puts it in use."""

from __future__ import annotations

from pathlib import Path

from . import command
from .config.compose import MODEL_DIR
from .errors import UsageError
from .studies.calibration import sbc, sets, slices, study

COMMAND = command.Command.named("sim.calibrate")


def main(argv: list[str]) -> None:
    parser = COMMAND.parser(folder=True, overrides="calibration.sets=128; or: install DIR")
    parser.add_argument("--sbc", type=int, metavar="RECORDS",
                        help="instead: simulation-based calibration on RECORDS records drawn from the prior "
                             "(to calibration.until; one that reaches 2021-11 holds a judgement of its own levels)")
    parser.add_argument("--draws", type=int, default=19, help="posterior draws ranked per record (default 19)")
    parser.add_argument("--slices", type=int, metavar="RECORDS",
                        help="instead: the record's likelihood along each parameter (calibration.slices), on the "
                             "record and RECORDS records replicated from the prior")
    args = parser.parse_args(argv)
    installed = COMMAND.subcommand(args, "install", "CALIBRATION_DIR")
    if installed:
        for line in sets.install(Path(installed[0]), MODEL_DIR):
            print(line)
        return
    calibration = study.load(COMMAND.check_overrides(args.overrides))
    if args.sbc:
        out = COMMAND.folder(args, f"{calibration.name}-sbc")
        found = sbc.run(calibration, args.sbc, args.draws, out)
        print(f"Ranks of {args.sbc} records' true values among {args.draws} posterior draws: uniformity p-values "
              + ", ".join(f"{k} {v:.2f}" for k, v in found["p_values"].items())
              + f"; pooled {found['pooled_p_value']:.3f}. In {out}")
        return
    if args.slices is not None:
        if args.slices < 0:
            raise UsageError(f"--slices {args.slices}: must be a number of replicated records >= 0")
        slices.chosen(calibration, args.slices)  # an unknown parameter, or nothing to slice, refused before any folder is made
        out = COMMAND.folder(args, f"{calibration.name}-slices")
        print(slices.said(slices.run(calibration, args.slices, out)) + f" In {out}")
        return
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
