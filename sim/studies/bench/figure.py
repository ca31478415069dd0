"""The benchmark figure: cost per trajectory-month against the floor, in months and trajectories,
peak memory, and the parallel speed-up (the numbers of `python -m sim.bench`)."""

from __future__ import annotations

from pathlib import Path

from ...report.style import STYLE, plt, save


def bench_figure(result: dict, path: Path) -> Path:
    e, months, runs, par = result["engine"], result["months"], result["trajectories"], result["parallel"]
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(1, 3, figsize=(13, 4.2))
        ax = axes[0]
        steps = [r["months"] for r in months]
        for key, label, style in (("engine", "engine with calendar", "o-"),
                                  ("engine_without_calendar", "engine without calendar", "s--"),
                                  ("floor", "floor: its random numbers only", "^:"),
                                  ("numpy_floor", "the same numbers from numpy's bulk calls", "v:")):
            ax.plot(steps, [r[f"{key}_ns_per_step"] for r in months], style, label=label)
        ax.set_ylim(bottom=0)
        ax.set_xlabel("months in the window")
        ax.set_ylabel("ns per trajectory-month")
        ax.set_title(f"Engine vs floor, blocks of {e['trajectories']:,} ({e['months']} months):\n"
                     f"{e['engine_over_floor']:.2f}× with calendar, {e['engine_without_calendar_over_floor']:.2f}× without")
        ax.legend()

        ax = axes[1]
        n = [r["trajectories"] for r in runs]
        for key, label, style in (("ns_per_trajectory_month", "wall time", "o-"),
                                  ("cpu_ns_per_trajectory_month", "CPU time", "D:")):
            ax.plot(n, [r[key] for r in runs], style, color="#1f4e79", label=f"{label} (hollow: summary mode)")
            for r in runs:
                if r["summary_mode"]:
                    ax.plot(r["trajectories"], r[key], style[0], mfc="white", color="#1f4e79")
        marginal = [r for r in runs if "marginal_ns_per_trajectory_month" in r]
        ax.plot([r["trajectories"] for r in marginal], [r["marginal_ns_per_trajectory_month"] for r in marginal],
                "x--", color="#7f7f7f", label="wall time added over the previous size")
        ax.set_xscale("log")
        ax.set_ylim(bottom=0)
        ax.set_xlabel("trajectories")
        ax.set_ylabel("ns per trajectory-month")
        twin = ax.twinx()
        twin.plot(n, [r["peak_mib"] for r in runs], "s--", color="#d55e00", label="peak memory")
        twin.set_ylabel("peak memory, MiB", color="#d55e00")
        twin.set_ylim(bottom=0)
        twin.spines["right"].set_visible(True)
        ax.set_title(f"Whole runs on 1 worker, {runs[0]['months']} months:\ncost and peak memory by size")
        lines = ax.get_legend_handles_labels()[0] + twin.get_legend_handles_labels()[0]
        ax.legend(lines, [h.get_label() for h in lines], loc="lower right")

        ax = axes[2]
        workers = [1, par["cores"]]
        throughput = [par["trajectories"] / par["seconds_one"], par["trajectories"] / par["seconds_all"]]
        ax.bar([str(w) for w in workers], [t / 1e3 for t in throughput], color=["#9ecae1", "#1f4e79"])
        ax.set_xlabel("local worker processes")
        ax.set_ylabel("thousand trajectories per second")
        ax.set_title(f"Parallel blocks, {par['trajectories']:,} trajectories:\n"
                     f"{par['speedup']:.2f}× the throughput on {par['cores']} cores")
        fig.tight_layout()
        return save(fig, Path(path).with_suffix(""))
