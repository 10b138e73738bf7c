#!/usr/bin/env python3
"""Time to solution, nqft against NetKet at its best, on phi^4 (m2 = 1, lambda = 24).

For each chain length L: nqft runs configs/phi4-1d.yaml with only the lattice changed;
NetKet (../shared/peers/netket/phi4_vmc.py, its Gaussian x MLP, Z2-symmetrised like
ours) runs every combination of --lr, --samples and --width. For every run two wall
times are read off its optimisation:

  t_var  until the local energy's variance per site first drops below 1e-4;
  t_E    until a step's energy is first within 1e-4 (relative) of the run's final
         energy (nqft: the evaluation's; NetKet: its closing measurement) with two
         of its own errors to spare, |E_k - E_final| + 2 sigma_k <= 1e-4 |E_final|:
         a step whose error is larger than the band can fall into it by chance.

Both count everything before the optimisation's first step too (nqft: the Gaussian
warm start and thermalisation, from summary.json; NetKet: its JIT warm-up iterations,
which its own step times include). NetKet's best is the smallest time over its
settings; a setting that never gets there counts as not reached. Runs already in the
output directory are reused (so the analysis can be repeated). Prints markdown.

    python3 scripts/time_to_solution.py --netket-python PY --netket-script phi4_vmc.py \\
        [--sizes 16 32] [--lr 0.05 0.1] [--samples 1024 4096] [--width 32 64] [--iters 600]
"""
import argparse
import csv
import itertools
import json
import os
import subprocess

from config_text import replacing_sections

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
VARIANCE, RELATIVE = 1e-4, 1e-4


def first_times(rows, sites, final, start):
    """rows: (energy, error, variance, seconds of the step). Wall times (from `start`)
    of the first step below the variance target and the first within RELATIVE of
    final with two errors to spare."""
    t, t_var, t_e = start, None, None
    for energy, error, variance, seconds in rows:
        t += seconds
        if t_var is None and variance / sites < VARIANCE:
            t_var = t
        if t_e is None and abs(energy - final) + 2 * error <= RELATIVE * abs(final):
            t_e = t
    return t_var, t_e


def nqft(args, L):
    directory = os.path.join(args.out, f"nqft-L{L}")
    path = directory + ".yaml"
    os.makedirs(args.out, exist_ok=True)
    open(path, "w").write(replacing_sections(os.path.join(ROOT, "configs", "phi4-1d.yaml"), {
        "lattice": f"lattice:\n  extent: [{L}]\n",
        "output": f"output:\n  directory: {directory}\n",
    }))
    if not os.path.exists(os.path.join(directory, "summary.json")):
        subprocess.run([args.nqft, "run", path, "--quiet", "--force"], check=True, stdout=subprocess.DEVNULL)
    summary = json.load(open(os.path.join(directory, "summary.json")))
    rows = [(float(r["energy"]), float(r["error"]), float(r["variance"]), float(r["seconds"]))
            for r in csv.DictReader(open(os.path.join(directory, "energy.csv")))]
    # Time before the first step: the warm start, thermalisation, setup.
    start = summary["timing"]["optimization_seconds"] - sum(r[3] for r in rows)
    return first_times(rows, L, summary["energy"]["mean"], start)


def netket(args, L, lr, samples, width):
    out = os.path.join(args.out, f"netket-L{L}-lr{lr}-n{samples}-w{width}.json")
    command = [args.netket_python, args.netket_script, "--d", "1", "--L", str(L), "--m2", "1", "--lam", "24",
               "--model", "gaussian_mlp", "--z2", "--hidden", str(width), "--samples", str(samples),
               "--lr", str(lr), "--iters", str(args.iters), "--quiet", "--out", out]
    if not os.path.exists(out):
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    j = json.load(open(out))
    rows = [(h[1], h[2], h[3], s) for h, s in zip(j["history"], j["timing"]["iter_s"])]
    return first_times(rows, L, j["energy"]["mean"], 0.0)


def cell(t):
    return "not reached" if t is None else f"{t:.1f}"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", type=int, nargs="+", default=[16, 32])
    p.add_argument("--lr", type=float, nargs="+", default=[0.05, 0.1])
    p.add_argument("--samples", type=int, nargs="+", default=[1024, 4096])
    p.add_argument("--width", type=int, nargs="+", default=[32, 64])
    p.add_argument("--iters", type=int, default=600)
    p.add_argument("--out", default=os.path.join(ROOT, "runs", "time-to-solution"))
    p.add_argument("--nqft", default=os.path.join(ROOT, ".build", "release", "nqft"))
    p.add_argument("--netket-python", required=True)
    p.add_argument("--netket-script", required=True)
    args = p.parse_args()

    print("| L | run | t_var (s) | t_E (s) |")
    print("|---|---|---|---|")
    for L in args.sizes:
        ours = nqft(args, L)
        print(f"| {L} | nqft (configs/phi4-1d.yaml) | {cell(ours[0])} | {cell(ours[1])} |", flush=True)
        best = [None, None]
        for lr, samples, width in itertools.product(args.lr, args.samples, args.width):
            theirs = netket(args, L, lr, samples, width)
            print(f"| {L} | NetKet lr {lr}, {samples} samples, width {width} | {cell(theirs[0])} | {cell(theirs[1])} |",
                  flush=True)
            best = [b if t is None else t if b is None else min(b, t) for b, t in zip(best, theirs)]
        ratios = [f"{b / o:.1f}x" if b is not None and o else "n/a" for b, o in zip(best, ours)]
        print(f"| {L} | NetKet's best / nqft | {ratios[0]} | {ratios[1]} |", flush=True)


if __name__ == "__main__":
    main()
