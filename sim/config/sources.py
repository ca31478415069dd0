"""Config files are data: the groups a user edits hold values only, and a group is chosen by a file's name.

Hydra would otherwise run code named in a config (`_target_`, callbacks under `hydra:`), let a file
write outside its group (`# @package`), read the environment into the results (`${oc.env:…}`) or
take a file from another group (`scenario=../model/default`). Each is refused with one line naming the
file and the key. The primary configs/config.yaml and the groups run/, analysis/, experiment/ and
hydra/ are the project's own. A recorded config (a results file's) is read as plain values, never
resolved.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterator

import yaml
from omegaconf import OmegaConf

from ..errors import UsageError

DATA_GROUPS = ("scenario", "model", "questions")
RESOLVER = re.compile(r"\$\{\s*[\w.\-]+\s*:")  # ${name:…}: a function call, not a value
PACKAGE = re.compile(r"^\s*#\s*@package", re.MULTILINE)
PLAIN_NAME = re.compile(r"\w+")


def check_choices(overrides: list[str] | tuple[str, ...], config_dir: Path) -> None:
    """Each override that chooses a config group (scenario=NAME) names one file of that group, or null."""
    for override in overrides:
        key, equals, value = override.lstrip("+~").partition("=")
        if key and equals and (config_dir / key).is_dir():
            names = sorted(p.stem for p in (config_dir / key).glob("*.yaml"))
            if value != "null" and value not in names:
                raise UsageError(f"{key}={value}: no such {key}; available: {', '.join(names)}")


def check_files(config_dir: Path) -> None:
    """Every file of the groups a user edits holds data only (check_file)."""
    for group in DATA_GROUPS:
        for path in sorted((config_dir / group).glob("*.yaml")):
            check_file(path, f"{config_dir.name}/{group}/{path.name}")


def check_file(path: Path, name: str) -> None:
    """Refuse, naming the file and the key, a Hydra setting or instruction, a resolver, a package
    directive, or a defaults entry other than a file of the same group; a file that is not valid YAML is
    left to Hydra, which names its line when the file is used."""
    text = path.read_text(encoding="utf-8")
    if PACKAGE.search(text):
        raise UsageError(f"{name}: '# @package' is not allowed: the file's values belong to its group")
    try:
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # libyaml's where built
    except yaml.YAMLError:
        return
    for key, value in _items(data):
        leaf = key.rsplit(".", 1)[-1]
        if key.split(".", 1)[0] == "hydra":
            why = "Hydra settings are not allowed in a config file"
        elif leaf.startswith("_") and leaf.endswith("_"):
            why = "instructions to Hydra (_target_ and the like) are not allowed: a config file holds values"
        elif isinstance(value, str) and RESOLVER.search(value):
            why = f"{value!r}: resolvers are not allowed: a config file holds values"
        elif key.startswith("defaults.") and key.count(".") == 1 and not (
                isinstance(value, str) and PLAIN_NAME.fullmatch(value)):
            why = "a defaults entry may only name a file of the same group, or _self_"
        else:
            continue
        raise UsageError(f"{name}: {key}: {why}")


def plain(text: str) -> dict:
    """A recorded config (YAML) as plain values, never resolved: an interpolation in it is refused."""
    data = OmegaConf.to_container(OmegaConf.create(text), resolve=False)
    for key, value in _items(data):
        if isinstance(value, str) and "${" in value:
            raise UsageError(f"its recorded config holds an interpolation (${{…}}) at {key}; "
                             "a recorded config holds resolved values only")
    return data


def _items(node: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """(dotted key, value) of every entry of a parsed YAML tree, parents before children."""
    entries = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in entries:
        here = f"{path}.{key}" if path else str(key)
        yield here, value
        yield from _items(value, here)
