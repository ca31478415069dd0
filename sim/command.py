"""The one convention every command follows, and every failure reduced to one line.

Each command (`python -m sim`, `sim.plot`, `sim.sweep`, `sim.sensitivity`, `sim.backtest`,
`sim.calibrate`, `sim.bench`) has a `--help` that says what it does, what it writes where and how
to call it; names its output folder with `--out DIR` (by default a new folder
`outputs/<kind>/<label>/<date_time>-<id>` that no other command can take); never replaces a
finished folder unless asked with `--force`; and refuses options and config overrides it does not
use. Exit codes: 2 for what the user can fix, 1 for a failing machine, 130 for Ctrl-C.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import errno
import gc
import re
import secrets
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterator

import yaml
from omegaconf import OmegaConf

from . import lock
from .config.compose import compose
from .errors import MachineFault, UsageError

USAGE = 2
OUTPUTS = Path("outputs")
DESCRIPTIONS = Path(__file__).with_name("commands.yaml")
# OS errors that come from where the user pointed the command (exit 2); others, such as a full disk, exit 1.
USAGE_ERRNOS = {errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOTDIR, errno.EISDIR, errno.ENOENT, errno.EEXIST}


@dataclass(frozen=True)
class Command:
    """What a command is, for its --help and its argument checks (described in commands.yaml)."""

    prog: str                   # e.g. "sim.backtest"
    summary: str                # one line: what it does
    writes: str                 # what it writes where
    examples: tuple[str, ...]   # command lines
    sections: tuple[str, ...] = ()  # config sections its overrides may set (none: it takes no overrides)
    marker: str = ""            # the file whose presence marks a finished output folder
    kind: str = ""              # its output folders: outputs/<kind>/<label>/<stamp>

    @classmethod
    def named(cls, prog: str) -> "Command":
        """The command `python -m PROG` as commands.yaml describes it."""
        entry = yaml.safe_load(DESCRIPTIONS.read_text(encoding="utf-8"))[prog]
        return cls(prog=prog, summary=entry["summary"], writes=entry["writes"], examples=tuple(entry["examples"]),
                   sections=tuple(entry.get("sections", ())), marker=entry.get("marker", ""), kind=entry.get("kind", ""))

    def parser(self, folder: bool = False, overrides: str = "") -> argparse.ArgumentParser:
        """An argument parser with this command's help, whose errors are one line (UsageError); with
        `folder`, the options --out and --force; with `overrides` (an example), config overrides."""
        epilog = "writes: " + self.writes + "\n\nexamples:\n" + "\n".join(f"  {e}" for e in self.examples)
        parser = _Parser(prog=f"python -m {self.prog}", description=self.summary, epilog=epilog,
                         formatter_class=argparse.RawDescriptionHelpFormatter)
        if folder:
            parser.add_argument("--out", type=Path, metavar="DIR",
                                help=f"the output folder (default: a new folder under {OUTPUTS / self.kind}/)")
            parser.add_argument("--force", action="store_true", help=f"replace a finished {self.kind} in --out DIR")
        if overrides:
            parser.add_argument("overrides", nargs="*", metavar="KEY=VALUE",
                                help=f"config overrides of {', '.join(s + '.*' for s in self.sections)}, e.g. {overrides}")
        return parser

    def subcommand(self, args: argparse.Namespace, verb: str, operands: str) -> list[str] | None:
        """The operands of `python -m PROG VERB OPERANDS…` (named by `operands`, e.g. "DIR_A DIR_B"),
        or None when the command line is not that subcommand."""
        if args.overrides[:1] != [verb]:
            return None
        if len(args.overrides) != len(operands.split()) + 1 or args.out or args.force:
            raise UsageError(f"usage: python -m {self.prog} {verb} {operands}")
        return args.overrides[1:]

    def folder(self, args: argparse.Namespace, label: str) -> Path:
        """The output folder of a parsed command line (output_folder with --out and --force)."""
        return output_folder(self.kind, label, args.out, self.marker, args.force)

    def check_overrides(self, overrides: list[str]) -> list[str]:
        """The overrides, each refused with one line unless it sets a config section this command reads."""
        for override in overrides:
            key = override.lstrip("+~").split("=", 1)[0]
            if "=" not in override and not override.startswith("~"):
                raise UsageError(f"{override!r}: not an option of python -m {self.prog} and not an override "
                                 f"KEY=VALUE or ~KEY (see python -m {self.prog} --help)")
            top = key.split(".", 1)[0].split("/", 1)[0]
            if not self.sections:
                raise UsageError(f"{override}: python -m {self.prog} takes no config overrides")
            if top == "hydra":
                raise UsageError(f"{key}: python -m {self.prog} names its output folder with --out DIR; "
                                 "hydra settings are not overridden")
            if top not in self.sections:
                raise UsageError(f"{key}: not used by python -m {self.prog}; it reads "
                                 + ", ".join(f"{s}.*" for s in self.sections))
        return overrides


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):
        usage = " ".join(self.format_usage().split()).removeprefix("usage: ")
        raise UsageError(f"{message}; usage: {usage} (see --help)")


def stamp() -> str:
    """A folder name no other command started at the same second can take: date, time and a random id."""
    return f"{datetime.now():%Y-%m-%d_%H-%M-%S}-{secrets.token_hex(3)}"


def output_folder(kind: str, label: str, out: Path | None, marker: str, force: bool = False,
                  unfinished: str = "") -> Path:
    """The folder a command writes to: `out`, or a new outputs/<kind>/<label>/<stamp>.

    A folder holding a finished output (its `marker` file) is refused unless `force`; so is a folder
    with other content, which the command would mix its files into, unless it holds the command's
    own unfinished work (the file or folder `unfinished`), which the caller may resume.
    """
    if out is None:
        return OUTPUTS / kind / label / stamp()
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out}: exists and is not a folder")
    if force or not out.is_dir() or not any(p.name != lock.NAME for p in out.iterdir()):
        return out
    if (out / marker).exists():
        raise UsageError(f"--out {out}: holds a finished {kind} ({marker}); choose a new folder, "
                         "or add --force to replace it")
    if unfinished and (out / unfinished).exists():
        return out
    raise UsageError(f"--out {out}: is not empty and holds no {kind}; choose an empty or new folder, "
                     "or add --force to write into it")


@contextlib.contextmanager
def claimed(kind: str, label: str, out: Path | None, marker: str, force: bool = False,
            unfinished: str = "") -> Iterator[Path]:
    """The output folder (output_folder), made and locked (lock.held) while the command writes into it;
    it is checked under the lock, so that two commands can never both take it."""
    with lock.held(OUTPUTS / kind / label / stamp() if out is None else out) as folder:
        yield output_folder(kind, label, folder, marker, force, unfinished)


def explain(exc: Exception) -> str:
    """One line for a usage error, a machine fault, a config error raised by Hydra, a YAML syntax error or
    an OS error."""
    from hydra.errors import MissingConfigException

    if isinstance(exc, (UsageError, MachineFault)):
        return str(exc)
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.strerror}: {exc.filename}" if exc.filename else exc.strerror
    cause = exc if isinstance(exc, yaml.MarkedYAMLError) else exc.__cause__ or exc.__context__
    if isinstance(cause, yaml.MarkedYAMLError):
        mark = cause.context_mark or cause.problem_mark
        what = "; ".join(filter(None, (cause.context, cause.problem)))
        return f"{_relative(mark.name)}, line {mark.line + 1}, column {mark.column + 1}: not valid YAML: {what}"
    if isinstance(exc, MissingConfigException) and exc.missing_cfg_file:
        group, _, name = exc.missing_cfg_file.rpartition("/")
        options = ", ".join(exc.options or []) or "none"
        return f"{group}={name}: no such {group or 'config'}; available: {options}"
    text = str(exc)
    key = re.search(r"Could not override '([^']+)'", text) or re.search(r"Key '([^']+)' is not in struct", text)
    if key:
        known = _flat_keys(OmegaConf.to_container(compose()))
        hint = difflib.get_close_matches(key[1], known, n=1)
        return f"{key[1]}: no such key" + (f" (did you mean {hint[0]}?)" if hint else "")
    first = next((line.strip() for line in text.splitlines() if line.strip()), type(exc).__name__)
    return f"{first} (see --help)"


def _flat_keys(cfg, prefix: str = "") -> list[str]:
    keys = []
    for key, value in cfg.items():
        path = f"{prefix}{key}"
        keys += _flat_keys(value, path + ".") if isinstance(value, dict) else [path]
    return keys


def _relative(path: str) -> str:
    """A file name relative to the working folder when it lies below it (configs/scenario/x.yaml)."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return path


def exit_code(exc: Exception) -> int:
    """2 for what the user can fix in the command or the configs, 1 for a failing machine."""
    failing = isinstance(exc, OSError) and exc.errno is not None and exc.errno not in USAGE_ERRNOS
    return 1 if failing or isinstance(exc, MachineFault) else USAGE


def guard(prog: str, command: Callable[[list[str]], int | None]) -> None:
    """Run a command on the command line's arguments; every failure ends in one line on stderr.
    `--debug` (removed from the arguments) shows the traceback instead."""
    argv = sys.argv[1:]
    debug = "--debug" in argv
    argv = [a for a in argv if a != "--debug"]
    try:
        code = command(argv)
    except KeyboardInterrupt:
        if debug:
            raise
        print(f"{prog}: interrupted: the work is not finished", file=sys.stderr)
        sys.exit(130)
    except SystemExit:
        raise
    except Exception as exc:  # every failure ends in one line
        if debug:
            raise
        print(f"{prog}: error: {explain(exc)}", file=sys.stderr)
        sys.exit(exit_code(exc))
    # The work is done and its files closed: the collector's last passes over every object the libraries
    # made (about 0.3 s at exit) are skipped; the standard streams are still flushed at exit.
    gc.freeze()
    sys.exit(code or 0)
