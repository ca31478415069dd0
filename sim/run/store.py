"""The folder that keeps every finished block of a run, so that an interrupted run can resume.

Each finished block is written to `blocks/NNNNNN.npz` (no pickle) next to the results; with
`run.resume=true` a run loads the blocks it finds and computes only the others.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import zipfile
from pathlib import Path

import numpy as np

from ..config.validate import RunSpec
from ..errors import ResultsError
from ..results import counts


class Store:
    """Finished blocks of one run in `folder`, each an .npz written atomically; `key` identifies
    the run (its config and seed) so blocks of another run are never mixed in. Summaries are
    compressed (their histograms are mostly zeros); paths are not (they would not shrink much)."""

    def __init__(self, folder: Path, key: str, resume: bool, compress: bool):
        self.folder, self.compress = Path(folder), compress
        stamp = self.folder / "run.key"
        if not (resume and stamp.exists() and stamp.read_text() == key):
            if resume and stamp.exists():
                raise ResultsError(f"{self.folder}: run.resume=true, but its blocks belong to another "
                                   "config or seed; resume with the same settings or set run.resume=false")
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder.mkdir(parents=True)
            stamp.write_text(key)

    @classmethod
    def for_run(cls, folder: Path, spec: RunSpec, seed: int, config_yaml: str) -> "Store":
        """The store of a run: keyed by its config and seed, resumed if run.resume is set."""
        return cls(folder, run_key(config_yaml, seed), spec.run.resume, compress=counts.chosen(spec.run))

    def path(self, block: int) -> Path:
        return self.folder / f"{block:06d}.npz"

    def done(self) -> list[int]:
        return sorted(int(p.stem) for p in self.folder.glob("[0-9]*.npz"))

    def load(self, block: int) -> dict[str, np.ndarray]:
        with np.load(self.path(block), allow_pickle=False) as data:
            return {key: data[key] for key in data.files}

    def save(self, block: int, arrays: dict[str, np.ndarray]) -> None:
        """An .npz as numpy writes it, compressed at zlib's fastest level (a quarter of the time of
        np.savez_compressed for nearly the same size: the saving runs beside the workers)."""
        tmp = self.folder / f".{block:06d}.partial.npz"
        compression = zipfile.ZIP_DEFLATED if self.compress else zipfile.ZIP_STORED
        with zipfile.ZipFile(tmp, "w", compression=compression, compresslevel=1) as archive:
            for key, value in arrays.items():
                with archive.open(f"{key}.npy", "w", force_zip64=True) as member:
                    np.lib.format.write_array(member, np.asanyarray(value), allow_pickle=False)
        os.replace(tmp, self.path(block))

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def run_key(config_yaml: str, seed: int) -> str:
    """What identifies a run's blocks: its resolved config (less how it is executed) and seed."""
    kept = [line for line in config_yaml.splitlines()
            if not line.strip().startswith(("workers:", "executor:", "scheduler:", "resume:"))]
    return hashlib.sha256(("\n".join(kept) + f"\nseed {seed}").encode()).hexdigest()
