"""One run, end to end: config → validated spec → ensemble → results.nc, figures, report.md, report.html,
outlook.csv and summary.json.

A run folder is finished when summary.json is in it, written last; until then the finished blocks stay
in blocks/, so a run stopped at any point resumes (run.resume=true) without computing them again.
"""

from __future__ import annotations

import json
from contextlib import nullcontext
from pathlib import Path

from omegaconf import DictConfig, OmegaConf

from . import files, forked
from .analysis import outlook
from .config.compose import prepare
from .report import document
from .report.style import FORMATS
from .results import io, questions
from .results.dataset import spec_of
from .run import ensemble, estimate
from .run.store import Store

BLOCKS = "blocks"  # the folder of a run's finished blocks while it runs (run/store.py)
MARKER = "summary.json"  # written last: a folder without it is not a finished run


def asked(out_dir: Path) -> list[str]:
    """The overrides a run was asked for, as its folder records them (.hydra/overrides.yaml)."""
    path = out_dir / ".hydra" / "overrides.yaml"
    return [str(o) for o in OmegaConf.load(path)] if path.exists() else []


def run(cfg: DictConfig, out_dir: Path, overrides: list[str] | None = None, prepared: tuple | None = None) -> dict:
    """Run the configured ensemble into out_dir: what finish() writes (results.nc, figures, the reports,
    outlook.csv and summary.json); the blocks are removed once all of it is in place. A run
    that takes over a minute or 1 GiB says so first, and one that cannot fit in memory is refused
    (estimate.py). `overrides` are recorded in .hydra/overrides.yaml (as Hydra records a sweep's jobs)
    once the folder's blocks are checked; `prepared` is what `prepare(cfg)` gave, when the caller has it.
    The caller holds the folder's lock."""
    spec, seed, config_yaml = prepared or prepare(cfg)
    questions.named(spec.analysis.questions)  # a question set that cannot be read stops the run before any work
    estimate.announce(spec)
    store = Store.for_run(out_dir / BLOCKS, spec, seed, config_yaml, ensemble.inputs(spec))  # checked first
    for old in (MARKER, "results.nc"):  # a folder being (re)computed holds no finished-looking results
        (out_dir / old).unlink(missing_ok=True)
    if overrides is not None:
        (out_dir / ".hydra").mkdir(exist_ok=True)
        OmegaConf.save(OmegaConf.create(list(overrides)), out_dir / ".hydra" / "overrides.yaml")
    ds = ensemble.simulate(spec, seed, config_yaml, store)
    ds.attrs["overrides"] = json.dumps(asked(out_dir))
    summary = finish(ds, out_dir, spec, new=True)
    store.remove()
    print(f"Results in {out_dir}")
    return summary


def finish(ds, out_dir: Path, spec=None, extra_formats: tuple[str, ...] = (), new: bool = False) -> dict:
    """Figures (in the formats of run.figures, and `extra_formats`), the reports and outlook.csv, then
    summary.json, of a run's results (spec: as recorded in them) in its folder. For a `new` run, results.nc
    too, written by a forked copy of this process while the results are analysed and drawn (forked.py), and
    the headline printed as soon as its numbers exist, before the files that show them. Each file is
    complete under its name, and summary.json says that all are."""
    spec = spec or spec_of(ds)
    formats = getattr(spec.run, "figures", FORMATS)  # results recorded before run.figures: the default
    with forked.beside(lambda: io.save(ds, out_dir / "results.nc")) if new else nullcontext():
        view = outlook.analyse(ds, spec.analysis)
        if new:
            print(outlook.headline(view.summary), flush=True)
        document.publish(view, out_dir, spec.run.sample_paths, tuple(dict.fromkeys(formats + extra_formats)))
    files.write_text(out_dir / MARKER, json.dumps(view.summary, indent=2, ensure_ascii=False) + "\n")
    return view.summary
