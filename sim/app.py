"""One run, end to end: config → validated spec → ensemble → results.nc, figures, report.md, report.html,
outlook.csv and summary.json."""

from __future__ import annotations

import json
from pathlib import Path

from omegaconf import DictConfig, OmegaConf

from . import files
from .analysis import outlook
from .config.compose import prepare
from .report import document
from .results import io, questions
from .run import ensemble
from .run.store import Store

BLOCKS = "blocks"  # the folder of a run's finished blocks while it runs (run/store.py)


def asked(out_dir: Path) -> list[str]:
    """The overrides a run was asked for, as its folder records them (.hydra/overrides.yaml)."""
    path = out_dir / ".hydra" / "overrides.yaml"
    return [str(o) for o in OmegaConf.load(path)] if path.exists() else []


def run(cfg: DictConfig, out_dir: Path, overrides: list[str] | None = None) -> dict:
    """Run the configured ensemble and write results.nc, figures, the reports, outlook.csv and
    summary.json (last) to out_dir. `overrides` are recorded in .hydra/overrides.yaml (as Hydra records a
    sweep's jobs) once the folder's blocks are checked. The caller holds the folder's lock."""
    spec, seed, config_yaml = prepare(cfg)
    questions.named(spec.analysis.questions)  # a question set that cannot be read stops the run before any work
    store = Store.for_run(out_dir / BLOCKS, spec, seed, config_yaml, ensemble.inputs(spec))  # checked first
    (out_dir / "summary.json").unlink(missing_ok=True)  # a reused folder is unfinished until the end
    if overrides is not None:
        (out_dir / ".hydra").mkdir(exist_ok=True)
        OmegaConf.save(OmegaConf.create(list(overrides)), out_dir / ".hydra" / "overrides.yaml")
    ds = ensemble.simulate(spec, seed, config_yaml, store)
    ds.attrs["overrides"] = json.dumps(asked(out_dir))
    view = outlook.analyse(ds, spec.analysis)
    io.save(ds, out_dir / "results.nc")
    document.publish(view, out_dir, spec.run.sample_paths)
    files.write_text(out_dir / "summary.json", json.dumps(view.summary, indent=2, ensure_ascii=False) + "\n")
    store.remove()  # the run is finished: its blocks are in results.nc
    print(outlook.headline(view.summary))
    print(f"Results in {out_dir}")
    return view.summary
