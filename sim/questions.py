"""`python -m sim.questions FILE RUN_DIR`: a run's answers to any file of forecast questions, one
line per question; with --score, the questions whose answer the record knows, scored."""

from __future__ import annotations

from pathlib import Path

from . import command, months
from .analysis import identity
from .analysis.ensemble import share_of, view
from .errors import ResultsError
from .record.events import EVENTS_FILE, load_events
from .results import io, questions
from .studies import scoring

COMMAND = command.Command.named("sim.questions")


def main(argv: list[str]) -> None:
    parser = COMMAND.parser(folder=True)
    parser.add_argument("file", type=Path, metavar="FILE", help="a question file (configs/questions/*.yaml format)")
    parser.add_argument("run", type=Path, metavar="RUN_DIR", help="a finished run's folder (or its results.nc)")
    parser.add_argument("--score", action="store_true",
                        help="score the questions the record resolves (Brier, log score, skill, reliability)")
    parser.add_argument("--record", type=Path, default=EVENTS_FILE, metavar="EVENTS_CSV",
                        help="the record's events, a file like data/events_1992_2023.csv (default: that file)")
    args = parser.parse_args(argv)
    asked = questions.load(args.file) if args.file.is_file() else _missing(args.file)
    ds = io.load(args.run)
    ens = view(ds)
    if not args.score:
        if args.out or args.force:
            raise ResultsError("--out and --force apply with --score; answers are printed")
        for q in asked:
            print(_line(q, ens.answer(q), ens.n))
        return
    events = load_events(args.record)
    known_until = events.last_month // 12 * 12 + 11  # the record covers whole years
    rows, summary = scoring.score(ens, asked, events, known_until)
    out = COMMAND.folder(args, identity.folder_label([identity.title(ds).replace("scenario ", "")
                                                      .replace(", model ", "-")]))
    scoring.write(rows, summary, out, f"{identity.title(ds)}: {len(rows)} questions")
    if not rows:
        print(f"No question of {args.file} is answered by the run and resolved by {args.record.name} "
              f"(scores in {out})")
        return
    skill = summary["brier_skill"]
    print(f"Scored {len(rows)} questions against {args.record.name}: Brier {summary['brier']:.3f}, "
          f"log score {summary['log_score']:.3f}, Brier skill against climatology "
          + ("n/a" if skill is None else f"{skill:+.3f} ({summary['with_climatology']} questions)")
          + f"; {len(summary['not_scored'])} not scored. Written to {out}")


def _missing(path: Path):
    raise ResultsError(f"{path}: no such question file")


def _line(q: questions.Question, yes: int | str, n: int) -> str:
    if isinstance(yes, str):
        return f"{q.id}: not answered: {yes}"
    p, se = share_of(yes, n)
    return f"{q.id}: P(yes) = {p:.3f} ± {se:.3f} by {months.text(q.resolves)} — {q.text}"


if __name__ == "__main__":
    command.guard("sim.questions", main)
