"""`python -m sim.bench`: how fast the engine is against the floor of its random numbers, how runs scale, and
where users wait (--waits)."""

from __future__ import annotations

import argparse
import json
import sys

import numpy as np

from . import command
from .config.compose import compose, prepare
from .files import write_text
from .studies.bench import measure, waits
from .studies.bench.figure import bench_figure

COMMAND = command.Command.named("sim.bench")


def main(argv: list[str]) -> None:
    parser = COMMAND.parser(folder=True, overrides="run.end=2031-12")
    parser.add_argument("--trajectories", type=int, help="trajectories in the measured block (default run.block_size)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--scale-to", type=float, default=1e6, help="largest run of the scaling in trajectories")
    parser.add_argument("--parallel-trajectories", type=int, default=2_000_000,
                        help="size of the run timed on 1 and on all cores (big enough that the workers' "
                             "start-up, about two seconds, does not count)")
    parser.add_argument("--engine-only", action="store_true", help="only the engine against the floor")
    parser.add_argument("--design", action="store_true",
                        help="instead: sensitivity design as one ensemble vs the engine once per point")
    parser.add_argument("--filter", type=int, metavar="PARTICLES",
                        help="instead: the particle filter over the whole record against the engine alone")
    parser.add_argument("--waits", action="store_true",
                        help="instead: where users wait, as ratios measured in the same call: the everyday run "
                             "against importing its libraries, the first run against a warm one and the compile, the "
                             "API's per-call overhead, automatic workers against one, summary mode's reduction "
                             "against simulation (also part of the whole benchmark)")
    parser.add_argument("--point", nargs=2, type=int, metavar=("TRAJECTORIES", "WORKERS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    overrides = COMMAND.check_overrides(args.overrides)
    if args.point:
        print(json.dumps(measure.point(*args.point, overrides)))
        return
    if args.filter:
        print(json.dumps(measure.filter_cost(args.filter, overrides), indent=2))
        return
    if args.waits:
        print(json.dumps(waits_all(overrides), indent=2))
        return
    if args.design:
        print(json.dumps(measure.design_throughput(overrides), indent=2))
        return
    n = args.trajectories or prepare(compose(overrides))[0].run.block_size
    result = {"engine": measure.measure(n, args.repeats, overrides)}
    if not args.engine_only:
        out = COMMAND.folder(args, "all")
        sizes = [int(10**e) for e in np.arange(4, np.log10(args.scale_to) + 0.01)]
        result["months"] = measure.months_scaling(n, max(args.repeats // 2, 1),
                                                  ["2026-12", "2031-12", "2041-12", "2061-12"], overrides)
        result["trajectories"] = measure.trajectories_scaling(sizes, 1, overrides)
        result["parallel"] = measure.parallel(args.parallel_trajectories, overrides)
        result["waits"] = waits_all(overrides)
        result["figure"] = str(bench_figure(result, out / "bench.png"))
        write_text(out / "bench.json", json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


def waits_all(overrides: list[str]) -> dict:
    """Where users wait (studies/bench/waits.py), each section printed on stderr as it is measured."""
    out = {}
    for name in ("api", "reduction", "everyday", "workers"):
        out[name] = getattr(waits, name)(overrides)
        print(json.dumps({name: out[name]}), file=sys.stderr)
    return out


if __name__ == "__main__":
    command.guard("sim.bench", main)
