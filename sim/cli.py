"""`python -m sim`: the Hydra app, with every usage error reduced to one line and exit code 2.

The overrides are composed and validated before Hydra starts the job, so a bad value stops
before any work and before a run folder is made. A failure to read or write files (a full disk)
is one line with exit code 1, Ctrl-C one line with 130. `--debug` shows full tracebacks instead.
"""

from __future__ import annotations

import difflib
import errno
import os
import re
import sys
from pathlib import Path
from typing import Callable

from omegaconf import OmegaConf

from .historical import HistoryError
from .params import ConfigError
from .results import ResultsError

USAGE = 2
# OS errors that come from where the user pointed the run (exit 2); others, such as a full disk, exit 1.
USAGE_ERRNOS = {errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOTDIR, errno.EISDIR, errno.ENOENT, errno.EEXIST}


def _flat_keys(cfg, prefix: str = "") -> list[str]:
    keys = []
    for key, value in cfg.items():
        path = f"{prefix}{key}"
        keys += _flat_keys(value, path + ".") if isinstance(value, dict) else [path]
    return keys


def explain(exc: Exception) -> str:
    """One line for a config error raised by Hydra or by validation, a YAML syntax error or an OS error."""
    import yaml
    from hydra.errors import MissingConfigException

    if isinstance(exc, (ConfigError, ResultsError, HistoryError)):
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
        from .app import compose

        known = _flat_keys(OmegaConf.to_container(compose()))
        hint = difflib.get_close_matches(key[1], known, n=1)
        return f"{key[1]}: no such key" + (f" (did you mean {hint[0]}?)" if hint else "")
    first = next((line.strip() for line in text.splitlines() if line.strip()), type(exc).__name__)
    return f"{first} (see python -m sim --help)"


def _relative(path: str) -> str:
    """A file name relative to the working folder when it lies below it (configs/scenario/x.yaml)."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return path


def exit_code(exc: Exception) -> int:
    """2 for what the user can fix in the command or the configs, 1 for a failing machine."""
    failing = isinstance(exc, OSError) and exc.errno is not None and exc.errno not in USAGE_ERRNOS
    return 1 if failing else USAGE


def _check(overrides: list[str]) -> None:
    """Compose and validate the job's config as Hydra will, raising on the first problem."""
    from . import parameter_sets
    from .app import CONFIG_DIR, compose, prepare

    job = [o for o in overrides if not o.lstrip("+~").startswith(("hydra.", "hydra/"))]
    spec = prepare(compose(job))[0]
    if spec.model.parameter_sets is not None:
        parameter_sets.load(CONFIG_DIR / "model" / spec.model.parameter_sets)


def guard(prog: str, command: Callable[[list[str]], int | None]) -> None:
    """Run a command on the command line's arguments; every failure ends in one line on stderr:
    exit code 2 for what the user can fix, 1 for a failing machine, 130 for Ctrl-C.
    `--debug` (removed from the arguments) shows the traceback instead."""
    argv = sys.argv[1:]
    debug = "--debug" in argv
    argv = [a for a in argv if a != "--debug"]
    try:
        code = command(argv)
    except KeyboardInterrupt:
        if debug:
            raise
        print(f"{prog}: interrupted: the run is not finished (no summary was written)", file=sys.stderr)
        sys.exit(130)
    except Exception as exc:  # every failure ends in one line
        if debug:
            raise
        print(f"{prog}: error: {explain(exc)}", file=sys.stderr)
        sys.exit(exit_code(exc))
    sys.exit(code or 0)


def study_arguments(prog: str, description: str, argv: list[str], example: str) -> tuple[list[str], Path]:
    """A study command's arguments: config overrides and --out (default outputs/STUDY/DATE_TIME)."""
    import argparse
    from datetime import datetime

    study = prog.rsplit(".", 1)[-1]
    parser = argparse.ArgumentParser(prog=f"python -m {prog}", description=description)
    parser.add_argument("--out", type=Path, help=f"output folder (default outputs/{study}/DATE_TIME)")
    parser.add_argument("overrides", nargs="*", help=f"config overrides, e.g. {example}")
    args = parser.parse_args(argv)
    return args.overrides, args.out or Path("outputs") / study / datetime.now().strftime("%Y-%m-%d_%H-%M-%S")


def run_app(argv: list[str]) -> None:
    """The Hydra app, after composing and validating a single run's config."""
    sys.argv = [sys.argv[0], *argv]
    os.environ.setdefault("HYDRA_FULL_ERROR", "1")  # failures inside the job reach guard()
    if not any(a.startswith("-") for a in argv):
        _check(argv)
    _hydra_main()


def main() -> None:
    guard("sim", run_app)


def _hydra_main() -> None:
    import hydra
    from hydra.core.hydra_config import HydraConfig
    from hydra.types import RunMode

    from .app import CONFIG_DIR, run

    failed = []  # a single run's failure, raised past Hydra so that it is reported in one line

    @hydra.main(version_base=None, config_path=str(CONFIG_DIR), config_name="config")
    def job(cfg) -> None:
        try:
            run(cfg, Path(HydraConfig.get().runtime.output_dir))
        except Exception as exc:
            if HydraConfig.get().mode != RunMode.RUN:
                raise  # in a multirun Hydra names the failed job's overrides first
            failed.append(exc)

    job()
    if failed:
        raise failed[0]
