"""`python -m sim`: the Hydra app, with every usage error reduced to one line and exit code 2.

The overrides are composed and validated before Hydra starts the job, so a bad value stops
before any work and before a run folder is made. `--debug` shows full tracebacks instead.
"""

from __future__ import annotations

import difflib
import re
import sys
from pathlib import Path

from omegaconf import OmegaConf

from .historical import HistoryError
from .params import ConfigError
from .results import ResultsError

USAGE = 2


def _flat_keys(cfg, prefix: str = "") -> list[str]:
    keys = []
    for key, value in cfg.items():
        path = f"{prefix}{key}"
        keys += _flat_keys(value, path + ".") if isinstance(value, dict) else [path]
    return keys


def explain(exc: Exception) -> str:
    """One line for a config error raised by Hydra or by validation."""
    from hydra.errors import MissingConfigException

    if isinstance(exc, (ConfigError, ResultsError, HistoryError)):
        return str(exc)
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


def _check(overrides: list[str]) -> None:
    """Compose and validate the job's config as Hydra will, raising on the first problem."""
    from .app import compose, prepare

    job = [o for o in overrides if not o.lstrip("+~").startswith(("hydra.", "hydra/"))]
    prepare(compose(job))


def main() -> None:
    argv = sys.argv[1:]
    debug = "--debug" in argv
    argv = [a for a in argv if a != "--debug"]
    sys.argv = [sys.argv[0], *argv]
    try:
        if not any(a.startswith("-") for a in argv):
            _check(argv)
        _hydra_main()
    except KeyboardInterrupt:
        print("sim: interrupted; files of a finished run are only written at its end", file=sys.stderr)
        sys.exit(130)
    except Exception as exc:  # every failure of a usage kind ends in one line
        if debug:
            raise
        print(f"sim: error: {explain(exc)}", file=sys.stderr)
        sys.exit(USAGE)


def _hydra_main() -> None:
    import hydra
    from hydra.core.hydra_config import HydraConfig

    from .app import CONFIG_DIR, run

    @hydra.main(version_base=None, config_path=str(CONFIG_DIR), config_name="config")
    def job(cfg) -> None:
        run(cfg, Path(HydraConfig.get().runtime.output_dir))

    job()
