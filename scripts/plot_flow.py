#!/usr/bin/env python3
"""Plots of a flow run's training (`sampler.kind: flow`), beside its data.

    python3 scripts/plot_flow.py RUN_DIR [RUN_DIR ...]

training.png  per training step: the reverse KL divergence per site (the batch's
              estimate, loss + log Z / V) on a log scale, and the batch ESS with the
              pooled ESS of the fixed validation batch (every flow.validation_every
              steps), against the step; the lattices of a schedule marked where
              they change. With several run directories, one line per run.
Columns are read by name (README, "Flows that scale"). Writes the PNG atomically
into each run directory, or into the first one for several runs.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from plot import plt, read_csv, save  # noqa: E402  (the run plots' CSV reader and atomic writer)


def plot_training(runs):
    fig, (kl, ess) = plt.subplots(2, 1, figsize=(7, 6.5), sharex=True)
    for run in runs:
        rows = read_csv(os.path.join(run, "training.csv"))
        step = [int(r["step"]) for r in rows]
        label = os.path.basename(os.path.normpath(run))
        # The batch's KL estimate is biased low by Jensen's inequality and can dip below 0: clip for the log axis.
        kl.plot(step, [max(float(r["kl_per_site"]), 1e-6) for r in rows], lw=0.6, label=label)
        line, = ess.plot(step, [float(r["batch_ess"]) for r in rows], lw=0.4, alpha=0.4)
        validated = [(int(r["step"]), float(r["validation_ess"])) for r in rows if r["validation_ess"]]
        ess.plot([s for s, _ in validated], [e for _, e in validated], "o-", ms=3, color=line.get_color(), label=label + " (validation)")
        for a, b in zip(rows, rows[1:]):
            if a["lattice"] != b["lattice"]:
                for ax in (kl, ess):
                    ax.axvline(int(b["step"]), color="grey", lw=0.5, ls=":")
                ess.text(int(b["step"]), 1.02, b["lattice"], fontsize=7, ha="left", va="bottom", transform=ess.get_xaxis_transform())
    kl.set_yscale("log")
    kl.set_ylabel("reverse KL per site (batch)")
    kl.legend(fontsize=7)
    ess.set_ylim(0, 1)
    ess.set_xlabel("training step")
    ess.set_ylabel("ESS: batch (faint), validation (dots)")
    ess.legend(fontsize=7)
    fig.tight_layout()
    save(fig, os.path.join(runs[0], "training.png"))


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    plot_training(sys.argv[1:])
