"""`python -m sim`: one run of a scenario, or with --multirun a sweep of runs (Hydra's launchers).

The overrides are composed and validated before any work and before a folder is made: every job
of a sweep is validated before the first starts. A single run is called directly; a sweep goes
through Hydra's multirun (so its launchers, e.g. SLURM, apply) and ends with sweep.csv.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from omegaconf import OmegaConf

from . import app, command, lock
from .app import BLOCKS
from .config import design
from .analysis import outlook
from .config.compose import CONFIG_DIR, MODEL_DIR, compose, prepare
from .errors import UsageError
from .record import derived
from .model import engine
from .run import ensemble, estimate, store, tether
from .run.progress import note
from .studies import sweep

COMMAND = command.Command.named("sim")


def scenarios() -> list[tuple[str, str]]:
    """(name, description) of every scenario in configs/scenario/, as written (nothing resolved)."""
    out = []
    for path in sorted((CONFIG_DIR / "scenario").glob("*.yaml")):
        out.append((path.stem, str(OmegaConf.to_container(OmegaConf.load(path)).get("description", ""))))
    return out


def help_text() -> str:
    lines = ["usage: python -m sim [--out DIR] [--force] [--multirun] [KEY=VALUE ...]", "", COMMAND.summary, "",
             "Scenarios (scenario=NAME):"]
    lines += [f"  {name:<20}{text}" for name, text in scenarios()]
    lines += ["", "Options:",
              "  --out DIR     the run's folder (under --multirun: the sweep's folder)",
              "  --force       replace a finished run in --out DIR",
              "  --multirun    one job per combination of comma-separated values",
              "  --debug       show the traceback of an error",
              "  --warm-up     compile the engine for this machine ahead (what a run of the overrides uses; the first",
              "                run does it otherwise, about 100 s), run nothing else and write nothing but caches",
              "  KEY=VALUE     any key of configs/ (model.*, scenario, run.*, analysis.*), checked before any work;",
              "                e.g. run.trajectories, run.seed, run.start, run.end, run.workers, model=calibrated",
              "", "Writes: " + COMMAND.writes, "", "Examples:", *(f"  {e}" for e in COMMAND.examples),
              "", "Other commands: python -m sim.plot (figures, comparisons), sim.questions, sim.sweep, "
              "sim.sensitivity, sim.backtest, sim.calibrate, sim.bench; each has --help."]
    return "\n".join(lines)


def parse(argv: list[str]) -> tuple[list[str], Path | None, bool, bool]:
    """(overrides, --out, --force, --multirun) from the command line (--warm-up is main's)."""
    overrides, out, force, multirun = [], None, False, False
    args = iter(argv)
    for arg in args:
        if arg in ("--multirun", "-m"):
            multirun = True
        elif arg == "--force":
            force = True
        elif arg == "--out" or arg.startswith("--out="):
            value = arg.split("=", 1)[1] if "=" in arg else next(args, None)
            if not value:
                raise UsageError("--out needs a folder (see python -m sim --help)")
            out = Path(value)
        elif arg.startswith("-"):
            raise UsageError(f"{arg}: not an option of python -m sim; options are --out DIR, --force, "
                             "--multirun, --warm-up, --debug, --help")
        else:
            overrides.append(arg)
    return overrides, out, force, multirun


def _launcher(override: str) -> bool:
    key = override.lstrip("+~").split("=", 1)[0]
    return key == "hydra/launcher" or key.startswith("hydra.launcher.")


def validate(overrides: list[str]):
    """Compose and validate one job's config as it will run; the config and what `prepare` made of it (spec,
    seed, config YAML). Its parameter-set file and record are read and checked, and a run that cannot fit in
    memory refused, before any work."""
    cfg = compose(overrides)
    prepared = prepare(cfg)
    spec = prepared[0]
    design.sets_for(spec, MODEL_DIR)
    if ensemble.tied_to_record(spec):
        derived.check_cut(derived.load(), spec.run.start, "run.start")  # and so is the record the run starts from
    estimate.check(spec)
    return cfg, prepared


def single(overrides: list[str], out: Path | None, force: bool) -> None:
    """One run in its folder, held locked while it runs: a new folder, or --out DIR unless it holds a
    finished run (without --force) or an unfinished one that is not being resumed."""
    COMMAND.check_overrides(overrides)
    cfg, prepared = validate(overrides)
    spec = prepared[0]
    with command.claimed("run", spec.scenario.name, out, COMMAND.marker, force, unfinished=BLOCKS) as folder:
        if (folder / BLOCKS).exists() and not spec.run.resume and not force:
            raise UsageError(f"--out {folder}: holds an unfinished run; resume it with run.resume=true, "
                             "or add --force to start it afresh")
        resumed = seeded(overrides, spec, folder)
        if resumed is overrides:
            app.run(cfg, folder, overrides, prepared)
        else:
            app.run(compose(resumed), folder, overrides)


def seeded(overrides: list[str], spec, folder: Path) -> list[str]:
    """The overrides, with run.seed=null resumed on the seed the interrupted run drew (its blocks say)."""
    recorded = store.recorded_seed(folder / BLOCKS) if spec.run.seed is None and spec.run.resume else None
    if recorded is None:
        return overrides
    note(f"run.seed=null: resuming with the seed the interrupted run drew, run.seed={recorded}")
    return [o for o in overrides if o.lstrip("+~").split("=", 1)[0] != "run.seed"] + [f"run.seed={recorded}"]


def multirun(overrides: list[str], out: Path | None, force: bool) -> None:
    """Validate every job, then hand the sweep to Hydra; summarise its folder when all jobs are done."""
    from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
    from hydra.core.override_parser.overrides_parser import OverridesParser

    job_overrides = [o for o in overrides if not _launcher(o)]
    COMMAND.check_overrides(job_overrides)
    parsed = OverridesParser.create().parse_overrides(job_overrides)
    jobs = [job for batch in BasicSweeper.split_arguments(parsed, None) for job in batch]
    for job in jobs:
        validate(job)
    with command.claimed("sweep", "", out, sweep.MARKER, force) as folder:
        sys.argv = [sys.argv[0], "--multirun", *overrides, f"hydra.sweep.dir={folder}"]
        os.environ.setdefault("HYDRA_FULL_ERROR", "1")  # failures inside a job reach command.guard
        _hydra_main()
        csv = sweep.summarize(folder)
    print(f"Sweep summary in {csv} and {csv.with_suffix('.png')}")


def _hydra_main() -> None:
    """Hydra's multirun; each job runs in its folder, locked, and a job in a worker process of this one
    (a launcher's) dies with it."""
    import hydra
    from hydra.core.hydra_config import HydraConfig

    sweeper = os.getpid()

    @hydra.main(version_base=None, config_path=str(CONFIG_DIR), config_name="config")
    def job(cfg) -> None:
        if os.getppid() == sweeper:
            tether.tie(sweeper)
        with lock.held(HydraConfig.get().runtime.output_dir) as folder:
            app.run(cfg, folder)

    job()


def warm_up(overrides: list[str]) -> None:
    """Compile (or load from numba's cache) the compiled code a run of these overrides uses, by tiny runs of
    them in memory: the filter over the record, the engine with the run's calendar, the measures, and summary
    mode's reduction."""
    COMMAND.check_overrides(overrides)
    validate(overrides)
    began = time.perf_counter()
    fresh = not engine.compiled()
    tiny = [*overrides, "run.trajectories=20", "run.block_size=20", "run.particles=100", "run.workers=1",
            "run.executor=local"]
    for summary in ("false", "true"):  # every path kept, and summary mode's reduction (the filter runs once)
        spec, seed, config_yaml = prepare(compose([*tiny, f"run.summary={summary}"]))
        outlook.summarize(ensemble.simulate(spec, seed, config_yaml))
    print(f"The engine is {'compiled' if fresh else 'already compiled'} for this machine "
          f"({time.perf_counter() - began:.1f} s; cached next to the sources, so runs start at once)")


def main(argv: list[str]) -> None:
    if any(a in ("--help", "-h") for a in argv):
        print(help_text())
        return
    if "--warm-up" in argv:
        overrides, out, force, sweeping = parse([a for a in argv if a != "--warm-up"])
        if out or force or sweeping:
            raise UsageError("--warm-up runs nothing to keep: it takes only config overrides")
        warm_up(overrides)
        return
    overrides, out, force, sweeping = parse(argv)
    if sweeping:
        multirun(overrides, out, force)
    else:
        if any(_launcher(o) for o in overrides):
            raise UsageError("hydra/launcher: a launcher runs the jobs of a sweep; add --multirun")
        single(overrides, out, force)


def entry() -> None:
    command.guard("sim", main)
