"""`python -m sim.sweep SWEEP_DIR`: the table across a sweep's jobs and its figure."""

from __future__ import annotations

from pathlib import Path

from . import command
from .studies import sweep

COMMAND = command.Command.named("sim.sweep")


def main(argv: list[str]) -> None:
    parser = COMMAND.parser()
    parser.add_argument("sweep_dir", type=Path, metavar="SWEEP_DIR", help="the sweep's folder")
    args = parser.parse_args(argv)
    csv = sweep.summarize(args.sweep_dir)
    print(f"Sweep summary in {csv} and {csv.with_suffix('.png')}")


if __name__ == "__main__":
    command.guard("sim.sweep", main)
