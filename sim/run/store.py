"""The folder that keeps every finished block of a run, so that an interrupted run can resume.

Each finished block is written to `blocks/NNNNNN.npz` (no pickle) with its index, the run's seed and
the run's key: a digest of everything that determines its numbers (the resolved config less how it
is executed, the content of every file the run reads, the results format and the code that computes
blocks). With `run.resume=true` every block file is checked against the run before any is used, and
one of another run, a copy under another index or a damaged file is named with what to do.
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import zipfile
from pathlib import Path

import numpy as np
import yaml

from .. import files
from ..config.validate import RunSpec
from ..errors import ResultsError
from ..model import engine
from ..results import counts
from ..results.dataset import FORMAT

HEADER = ("_block", "_seed", "_key")  # what each block file says about itself, beside its arrays
EXECUTION = ("workers", "executor", "scheduler", "resume", "parallel_above", "figures")  # run.* keys that change no number
CODE = ("config", "model", "record", "inference", "results", "run")  # the packages that compute and keep blocks
AFRESH = "add --force to start the run afresh (its blocks are deleted)"


class Store:
    """Finished blocks of one run in `folder`, each an .npz written atomically. Summaries are
    compressed (their histograms are mostly zeros); paths are not (they would not shrink much)."""

    def __init__(self, folder: Path, key: str, seed: int, blocks: int, resume: bool, compress: bool):
        self.folder, self.key, self.seed, self.blocks, self.compress = Path(folder), key, seed, blocks, compress
        if resume:
            self.folder.mkdir(parents=True, exist_ok=True)
            self.check()
        else:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder.mkdir(parents=True)

    @classmethod
    def for_run(cls, folder: Path, spec: RunSpec, seed: int, config_yaml: str, inputs: str) -> "Store":
        """The store of a run, keyed by what determines its numbers (`inputs`: the files it reads, as
        ensemble.inputs lists them); resumed if run.resume is set."""
        key = run_key(config_yaml, inputs)
        blocks = len(engine.block_sizes(spec.run.trajectories, spec.run.block_size))
        return cls(folder, key, seed, blocks, spec.run.resume, compress=counts.chosen(spec.run))

    def path(self, block: int) -> Path:
        return self.folder / f"{block:06d}.npz"

    def check(self) -> None:
        """Every block file is one of this run's blocks under its own name, or a ResultsError names it."""
        for path in _files(self.folder):
            header = _read(path, ("_block", "_key"))
            block, key = int(header["_block"]), str(header["_key"])
            if key != self.key:
                raise ResultsError(f"{path}: a block of another run (its config, seed, input files, results format "
                                   f"or code differ); resume with the settings it was made with, or {AFRESH}")
            if path != self.path(block) or not 0 <= block < self.blocks:
                raise ResultsError(f"{path}: holds block {block} of this run's {self.blocks}, not the block its "
                                   "name says; delete the file to compute that block again")

    def done(self) -> list[int]:
        return [int(p.stem) for p in _files(self.folder)]

    def load(self, block: int) -> dict[str, np.ndarray]:
        arrays = _read(self.path(block))
        return {name: value for name, value in arrays.items() if name not in HEADER}

    def save(self, block: int, arrays: dict[str, np.ndarray]) -> None:
        """An .npz as numpy writes it, compressed at zlib's fastest level (a quarter of the time of
        np.savez_compressed for nearly the same size: the saving runs beside the workers)."""
        tmp = self.folder / f".{block:06d}.partial.npz"
        compression = zipfile.ZIP_DEFLATED if self.compress else zipfile.ZIP_STORED
        header = {"_block": np.int64(block), "_seed": np.int64(self.seed), "_key": np.str_(self.key)}
        with zipfile.ZipFile(tmp, "w", compression=compression, compresslevel=1) as archive:
            for key, value in {**header, **arrays}.items():
                with archive.open(f"{key}.npy", "w", force_zip64=True) as member:
                    np.lib.format.write_array(member, np.asanyarray(value), allow_pickle=False)
        os.replace(tmp, self.path(block))

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def recorded_seed(folder: Path) -> int | None:
    """The seed the blocks in `folder` were made with (a run with run.seed=null draws one), or None."""
    for path in _files(Path(folder)):
        return int(_read(path, ("_seed",))["_seed"])
    return None


def _files(folder: Path) -> list[Path]:
    """The block files in a folder (not those being written)."""
    return sorted(p for p in folder.glob("*.npz") if not p.name.startswith("."))


def _read(path: Path, names: tuple[str, ...] | None = None) -> dict[str, np.ndarray]:
    """Arrays of a block file (only `names` if given), or a ResultsError naming the file."""
    try:
        with np.load(path, allow_pickle=False) as data:
            return {name: data[name] for name in (data.files if names is None else names)}
    except Exception as exc:  # a damaged or foreign file: say which, whatever numpy or zipfile found
        reason = "no block header: another version's" if isinstance(exc, KeyError) else f"{type(exc).__name__}: {exc}"
        raise ResultsError(f"{path}: not a readable block ({reason}); delete it to compute that block again, "
                           f"or {AFRESH}") from None


def run_key(config_yaml: str, inputs: str) -> str:
    """What identifies a run's blocks: its resolved config (seed included) less how it is executed, the
    files it reads (`inputs`), the results format and the code that computes blocks."""
    config = yaml.safe_load(config_yaml)
    for key in EXECUTION:
        config.get("run", {}).pop(key, None)
    record = yaml.safe_dump(config, sort_keys=True) + inputs + f"\nformat {FORMAT}\ncode {code_digest()}"
    return hashlib.sha256(record.encode()).hexdigest()


@functools.cache
def code_digest() -> str:
    """The digest of the source of the packages that compute and keep blocks (and filter the record)."""
    root = Path(__file__).resolve().parents[1]
    return files.digest(*sorted(p for package in CODE for p in (root / package).rglob("*.py")),
                        root / "rng.py", root / "months.py")
