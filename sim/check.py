"""`python -m sim.check`: predictive checks of the model against the record."""

from __future__ import annotations

import json

import pandas as pd

from . import command, months
from .config.compose import compose, prepare
from .files import write_text
from .record import derived
from .studies import checks
from .studies.checks_figure import checks_figure

COMMAND = command.Command.named("sim.check")
COLUMNS = ["check", "points", "inside_90", "calibrated_inside", "inside_p", "measure", "statistic", "replicated_median", "replicated_90", "p_value"]


def table(rows: list[dict]) -> str:
    """The checks as a Markdown table."""
    lines = ["| check | points | inside the 90 % band | a right model's 95 % range | p (share inside) | discrepancy "
             "| observed | replicas' median | replicas' 90 % | P(replica ≥ observed) |",
             "|:---|---:|---:|---:|---:|:---|---:|---:|---:|---:|"]
    for r in rows:
        low, high = r["replicated_90"]
        least, most = r["calibrated_inside"]
        lines.append(f"| {r['check']} | {r['points']} | {r['inside_90']:.0%} | {least:.0%} – {most:.0%} "
                     f"| {r['inside_p']:.2f} | {r['measure']} | {r['statistic']:.2f} "
                     f"| {r['replicated_median']:.2f} | {low:.2f} – {high:.2f} | {r['p_value']:.3f} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> None:
    parser = COMMAND.parser(folder=True, overrides="model.events.setback.breadth=0.1")
    parser.add_argument("--first", default="1999-01", help="the first month checked (YYYY-MM; default 1999-01)")
    parser.add_argument("--replicas", type=int, default=1000, help="records replicated (default 1000)")
    args = parser.parse_args(argv)
    first = months.parse(args.first)
    spec, seed, _ = prepare(compose([*COMMAND.check_overrides(args.overrides), f"run.start={months.text(first - 1)}"]))
    record = derived.load()
    last = derived.end_month(*record)
    out = COMMAND.folder(args, f"{args.first}_{months.text(last)}")
    rows = checks.run(spec, record, last, args.replicas, seed)
    pd.DataFrame([{k: r[k] for k in COLUMNS} for r in rows]).to_csv((out.mkdir(parents=True, exist_ok=True) or out)
                                                                     / "checks.csv", index=False)
    checks_figure(rows, first // 12, out / "figures" / "checks.png")
    write_text(out / "checks.md", table(rows))
    write_text(out / "checks.json", json.dumps([{k: r[k] for k in COLUMNS} for r in rows], indent=1) + "\n")
    print(table(rows), end="")
    print(f"Checks in {out}")


if __name__ == "__main__":
    command.guard("sim.check", main)
