#!/usr/bin/env python3
"""Plots of an nqft run directory, written as PNG files beside the data.

    python3 scripts/plot.py RUN_DIR [RUN_DIR ...]

energy.png       energy per optimisation step with its error band, and the exact
                 reference (summary.json) when known; below, on a log scale, the
                 local-energy variance and |E - reference|.
correlator_k.png G(k) with errors against khat^2, and the free propagator
                 1/(2 omega_k) when the theory is free.
dispersion.png   omega_gauss(k) = 1/(2 G_c(k)) against khat^2 with errors, and
                 sqrt(m2 + khat^2) for the free theory.
Columns are read by name (README, "Outputs"). Writes each PNG atomically.
"""
import csv
import json
import math
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def save(fig, path):
    tmp = path + ".tmp.png"
    fig.savefig(tmp, dpi=120, bbox_inches="tight")
    plt.close(fig)
    os.replace(tmp, path)


def plot_energy(run, summary):
    rows = read_csv(os.path.join(run, "energy.csv"))
    if not rows:
        return
    step = [int(r["step"]) for r in rows]
    e = [float(r["energy"]) for r in rows]
    err = [float(r["error"]) for r in rows]
    var = [float(r["variance"]) for r in rows]
    ref = (summary.get("reference") or {}).get("energy") if summary else None
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(7, 6), sharex=True)
    top.plot(step, e, lw=1, label="energy of the step's samples")
    top.fill_between(step, [a - b for a, b in zip(e, err)], [a + b for a, b in zip(e, err)], alpha=0.3, label="± error")
    if ref is not None:
        top.axhline(ref, color="k", ls="--", lw=1, label=f"reference {ref:.10g}")
    if summary:
        en = summary["energy"]
        top.set_title(f"{summary['name']}: E = {en['mean']:.10g} ± {en['error']:.2g} (evaluation)")
    top.set_ylabel("E")
    # Zoom past the first 10 % of the steps, where the start dominates the scale.
    tail = e[len(e) // 10:]
    lo, hi = min(tail + ([ref] if ref is not None else [])), max(tail + ([ref] if ref is not None else []))
    pad = 0.1 * (hi - lo) or 1e-12 * max(1.0, abs(hi))
    top.set_ylim(lo - pad, hi + pad)
    top.legend(fontsize=8)
    # Rounding floor: values below it (an exact zero included) are shown at it.
    floor = 1e-16 * max(1.0, abs(e[-1]))
    bottom.semilogy(step, [max(v, floor * floor) for v in var], lw=1, label="local-energy variance")
    if ref is not None:
        bottom.semilogy(step, [max(abs(a - ref), floor) for a in e], lw=1, label="|E - reference|")
    bottom.set_xlabel("optimisation step")
    bottom.legend(fontsize=8)
    save(fig, os.path.join(run, "energy.png"))


def plot_correlators(run, summary):
    path = os.path.join(run, "correlator_k.csv")
    if not os.path.exists(path):
        return
    rows = read_csv(path)
    khat2 = [float(r["khat2"]) for r in rows]
    g = [float(r["G"]) for r in rows]
    gerr = [float(r["G_err"]) for r in rows]
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.errorbar(khat2, g, yerr=gerr, fmt="o", ms=3, label="G(k) measured")
    m2 = summary["config"]["theory"]["m2"] if summary else None
    if "G_free" in rows[0] and m2 is not None:
        xs = [i * max(khat2) / 200 for i in range(201)]
        ax.plot(xs, [1 / (2 * math.sqrt(m2 + x)) for x in xs], "k-", lw=1, label="1/(2 sqrt(m2 + khat²))")
    ax.set_xlabel("khat²")
    ax.set_ylabel("G(k) = <|φ̃_k|²>/V")
    ax.legend(fontsize=8)
    save(fig, os.path.join(run, "correlator_k.png"))

    omega = [float(r["omega_gauss"]) for r in rows]
    oerr = [float(r["omega_gauss_err"]) for r in rows]
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.errorbar(khat2, omega, yerr=oerr, fmt="o", ms=3, label="ω_gauss = 1/(2 G_c)")
    if "G_free" in rows[0] and m2 is not None:
        xs = [i * max(khat2) / 200 for i in range(201)]
        ax.plot(xs, [math.sqrt(m2 + x) for x in xs], "k-", lw=1, label="sqrt(m2 + khat²)")
    ax.set_xlabel("khat²")
    ax.set_ylabel("ω(k)")
    ax.legend(fontsize=8)
    save(fig, os.path.join(run, "dispersion.png"))


def main(runs):
    if not runs:
        sys.exit(__doc__)
    for run in runs:
        summary_path = os.path.join(run, "summary.json")
        summary = json.load(open(summary_path)) if os.path.exists(summary_path) else None
        plot_energy(run, summary)
        plot_correlators(run, summary)
        print(f"plots written to {run}")


if __name__ == "__main__":
    main(sys.argv[1:])
