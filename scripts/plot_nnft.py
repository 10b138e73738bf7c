#!/usr/bin/env python3
"""Plots of an nqft network-field-theory run (`mode: nnft`), beside its data.

    python3 scripts/plot_nnft.py RUN_DIR [RUN_DIR ...]

four_point.png  N x G4c against N for every measured four-point function, with
                errors and the exact N x G4c (constant: G4c falls like 1/N), from
                four_point.csv.
phi4.png        (phi^4 networks) chi2 and <phi^2> of the deformed ensemble against
                1/N with errors, the HMC reference as a band at 1/N = 0, and the
                fitted 1/N expansion a/N + b/N^2 (summary.json deviation_fit).
Columns are read by name (README, "Network field theories"). Writes each PNG atomically.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from plot import plt, read_csv, save  # noqa: E402  (the run plots' CSV reader and atomic writer)


def plot_four_point(run):
    rows = read_csv(os.path.join(run, "four_point.csv"))
    sets = {}
    for r in rows:
        key = ",".join(r[c] for c in ("i", "j", "k", "l"))
        sets.setdefault(key, []).append(r)
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    for key, entries in sets.items():
        n = [float(r["width"]) for r in entries]
        y = [float(r["width"]) * float(r["value"]) for r in entries]
        e = [float(r["width"]) * float(r["error"]) for r in entries]
        exact = [float(r["width"]) * float(r["exact"]) for r in entries]
        line = ax.errorbar(n, y, yerr=e, fmt="o", capsize=3, label=f"G4c({key})")
        ax.plot(n, exact, "--", color=line[0].get_color(), lw=1)
    ax.set_xscale("log")
    ax.set_xlabel("width N")
    ax.set_ylabel("N x G4c (dashed: exact)")
    ax.legend(fontsize=8)
    save(fig, os.path.join(run, "four_point.png"))


def plot_phi4(run, summary):
    ensembles = summary.get("ensembles", [])
    reference = (summary.get("reference") or {}).get("observables", {})
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for ax, name in zip(axes, ("chi2", "phi2")):
        n = [e["width"] for e in ensembles if name in e.get("observables", {})]
        y = [e["observables"][name]["mean"] for e in ensembles if name in e.get("observables", {})]
        err = [e["observables"][name]["error"] for e in ensembles if name in e.get("observables", {})]
        ax.errorbar([1 / w for w in n], y, yerr=err, fmt="o", capsize=3, label="deformed networks")
        if name in reference:
            r = reference[name]
            ax.axhspan(r["mean"] - r["error"], r["mean"] + r["error"], color="gray", alpha=0.3, label="HMC")
            fit = (summary.get("deviation_fit", {}).get(name) or {}).get("inverse_width_expansion")
            if fit:
                xs = [max(1 / w for w in n) * k / 200 for k in range(0, 201)]
                ax.plot(xs, [r["mean"] + fit["leading"] * x + fit["next"] * x * x for x in xs], "--", lw=1,
                        label="HMC + a/N + b/N^2")
        ax.set_xlabel("1/N")
        ax.set_ylabel(name)
        ax.legend(fontsize=8)
    save(fig, os.path.join(run, "phi4.png"))


def main(runs):
    for run in runs:
        with open(os.path.join(run, "summary.json")) as f:
            summary = json.load(f)
        if os.path.exists(os.path.join(run, "four_point.csv")):
            plot_four_point(run)
        if summary.get("prior") == "phi4":
            plot_phi4(run, summary)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
