"""`python -m sim.plot RUN_DIR [RUN_DIR ...]`: a run's figures, report and summary.json rebuilt from its
results.nc, or several runs compared."""

from __future__ import annotations

from pathlib import Path

from . import app, command, lock
from .analysis import identity, outlook
from .errors import ResultsError, UsageError
from .report import document
from .results import io

COMMAND = command.Command.named("sim.plot")


def main(argv: list[str]) -> None:
    parser = COMMAND.parser(folder=True)
    parser.add_argument("runs", nargs="+", type=Path, metavar="RUN_DIR", help="run folders holding results.nc")
    parser.add_argument("--pdf", action="store_true", help="also write each figure as PDF, for print "
                        "(a run draws the formats of its run.figures: PNG by default)")
    args = parser.parse_args(argv)
    COMMAND.check_overrides([str(f) for f in args.runs if "=" in str(f) and not f.exists()])
    for folder in args.runs:
        if not folder.exists():
            raise ResultsError(f"{folder}: no such run folder")
    if len(args.runs) == 1:
        if args.out or args.force:
            raise UsageError("--out and --force apply to a comparison of several runs; one run is redrawn in its folder")
        with lock.held(args.runs[0]) as folder:  # never while a run writes into it
            app.finish(io.load(folder), folder, extra_formats=("pdf",) if args.pdf else ())
        print(f"Figures, report.md and summary.json rebuilt from results.nc in {folder}")
        return
    datasets = [io.load(folder) for folder in args.runs]
    labels = identity.labels(datasets, [folder.name for folder in args.runs])
    runs = [outlook.analyse(ds, label=label) for ds, label in zip(datasets, labels)]
    out = COMMAND.folder(args, identity.folder_label(labels))
    path = document.compare(runs, out, args.runs, ("png", "pdf") if args.pdf else ("png",))
    print(f"Comparison of {len(runs)} runs written to {out}: {path.name} and figures/")


if __name__ == "__main__":
    command.guard("sim.plot", main)
