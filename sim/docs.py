"""`python -m sim.docs`: write docs/PARAMETERS.md (every parameter with its default, range, unit and source)."""

from __future__ import annotations

import sys

from . import command
from .config.docs import OUT, render
from .files import write_text

COMMAND = command.Command.named("sim.docs")


def main(argv: list[str]) -> int:
    parser = COMMAND.parser()
    parser.add_argument("--check", action="store_true", help="only check that the file is up to date")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        if not OUT.exists() or OUT.read_text() != text:
            print(f"{OUT} is out of date: run python -m sim.docs", file=sys.stderr)
            return 1
        print(f"{OUT} is up to date")
        return 0
    write_text(OUT, text)
    print(f"Wrote {OUT}")
    return 0


if __name__ == "__main__":
    command.guard("sim.docs", main)
