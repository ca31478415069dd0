"""The record filtered up to a run's start, kept on disk so that a run like an earlier one does not filter again.

An entry is named by the SHA-256 of everything the filtered state depends on (the record's content, the
model's config, the parameter sets used, the seed, the start month, the filter's size and the source of the
packages that compute it), so a changed input is a different entry and never a stale one. Entries are .npz
files (no pickle) written under a temporary name and renamed; the least recently used beyond KEEP are
removed. The folder is $SIM_CACHE_DIR, or the user's cache folder (e.g. ~/.cache/sim/starts).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tempfile
from pathlib import Path

import numpy as np
import platformdirs

from .store import code_digest

KEEP = 16  # entries kept: a seed drawn afresh per run (run.seed=null) makes a new one each time


def folder() -> Path:
    """Where the entries are."""
    return Path(os.environ.get("SIM_CACHE_DIR") or platformdirs.user_cache_dir("sim")) / "starts"


def content_digest(value) -> str:
    """The SHA-256 of a value's content: arrays by dtype, shape and data (str and object arrays by their
    items), dataclasses and tuples by their fields, anything else by its repr."""
    sha = hashlib.sha256()

    def feed(v) -> None:
        if dataclasses.is_dataclass(v):
            for f in dataclasses.fields(v):
                sha.update(f.name.encode())
                feed(getattr(v, f.name))
        elif isinstance(v, (tuple, list)):
            sha.update(f"[{len(v)}".encode())
            for item in v:
                feed(item)
        elif isinstance(v, np.ndarray) and v.dtype.kind not in "OU":
            sha.update(f"{v.dtype.str}{v.shape}".encode() + np.ascontiguousarray(v).tobytes())
        else:
            sha.update(repr(v.tolist() if isinstance(v, np.ndarray) else v).encode())

    feed(value)
    return sha.hexdigest()


def key(**parts) -> str:
    """The entry's name for these inputs (JSON-able values or digests) and the code (store.code_digest)."""
    text = json.dumps({**parts, "code": code_digest()}, sort_keys=True, default=repr)
    return hashlib.sha256(text.encode()).hexdigest()


def read(name: str) -> dict[str, np.ndarray] | None:
    """The arrays of an entry, or None when there is none (or it cannot be read: it is made again)."""
    path = folder() / f"{name}.npz"
    try:
        with np.load(path, allow_pickle=False) as stored:
            arrays = {k: stored[k] for k in stored.files}
        os.utime(path)  # recently used
        return arrays
    except (OSError, ValueError, EOFError):
        return None


def write(name: str, arrays: dict[str, np.ndarray]) -> None:
    """Store an entry atomically (a unique temporary file, then a rename), then drop the least recently used
    beyond KEEP; a cache that cannot be written is skipped."""
    where = folder()
    try:
        where.mkdir(parents=True, exist_ok=True)
        handle, tmp = tempfile.mkstemp(dir=where, prefix=f".{name}.", suffix=".partial")
        try:
            with os.fdopen(handle, "wb") as out:
                np.savez(out, **arrays)
            os.replace(tmp, where / f"{name}.npz")
        finally:
            Path(tmp).unlink(missing_ok=True)
        entries = sorted(where.glob("*.npz"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[KEEP:]:
            old.unlink(missing_ok=True)
    except OSError:
        pass
