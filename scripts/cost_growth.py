#!/usr/bin/env python3
"""Seconds per optimisation step against the lattice volume V, for nqft and NetKet.

Fixed work per step: 1024 samples from 32 chains, networks of width 32, SR, phi^4 at
m2 = 1, lambda = 24. nqft runs the translation-invariant network (kernel 3) with
`sampler.kind: auto` (single-site proposals, a sweep of V of them per sample: O(K H) each)
and its default sweep; NetKet (../shared/peers/netket/phi4_vmc.py) runs its Gaussian x
MLP with its defaults (all-site Gaussian proposals, a sweep of V, the kinetic energy from
the Hessian's diagonal). Each tool's time per step is the median over the steps after
the first two (NetKet: after its JIT warm-up). A NetKet size whose step exceeds
--netket-limit seconds, or that fails (memory), ends NetKet's series for that dimension.

With --repeat N each size runs N times, the two tools alternating, and each
tool's time is its fastest run: on a shared machine a slow spell lengthens a run
(by up to 50% on the 2-vCPU VM of BENCHMARKS.md) but never shortens one. Each
run starts --settle seconds after the last one ended: right after NetKet exits
(gigabytes of JAX memory returned) nqft's steps ran 30-50% slower for about
five seconds on that VM.

nqft's exponent is the least-squares slope of log(seconds) against log(V) per
dimension. Prints a markdown table.

    python3 scripts/cost_growth.py [--netket-python PY --netket-script phi4_vmc.py]
        [--d1 16 32 64 128 256] [--d2 4 8 12 16] [--repeat 1] [--settle 10] [--out runs/cost-growth]
"""
import argparse
import csv
import json
import math
import os
import statistics
import subprocess
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

CONFIG = """name: cost-{name}
seed: 3
lattice: {{extent: {extent}}}
theory: {{m2: 1.0, lambda: 24.0}}
ansatz: {{kind: symmetric, hidden: [32], kernel: 3, symmetrize: false}}
sampler: {{kind: auto, chains: 32, thermalization: 20}}
optimizer: {{kind: sr, steps: {steps}, samples: 1024, learning_rate: 0.05, gaussian_steps: 0}}
evaluation: {{samples: 32}}
output: {{directory: {directory}}}
"""


def nqft_step(args, extent):
    name = "x".join(map(str, extent))
    directory = os.path.join(args.out, f"nqft-{name}")
    path = directory + ".yaml"
    os.makedirs(args.out, exist_ok=True)
    with open(path, "w") as f:
        f.write(CONFIG.format(name=name, extent=list(extent), steps=args.steps, directory=directory))
    command = [args.nqft, "run", path, "--quiet", "--force", "--threads", str(args.threads)]
    # The one-sample-per-chain evaluation warns that its error is a lower bound: only the steps count here.
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    rows = list(csv.DictReader(open(os.path.join(directory, "energy.csv"))))
    return statistics.median(float(r["seconds"]) for r in rows[2:])


def netket_step(args, d, L):
    out = os.path.join(args.out, f"netket-{d}d-{L}.json")
    command = [args.netket_python, args.netket_script, "--d", str(d), "--L", str(L), "--m2", "1", "--lam", "24",
               "--model", "gaussian_mlp", "--hidden", "32", "--samples", "1024", "--chains", "32",
               "--iters", str(args.steps), "--warmup", "2", "--eval-samples", "32", "--quiet", "--out", out]
    start = time.time()
    try:
        subprocess.run(command, check=True, timeout=args.netket_limit * (args.steps + 4),
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
        return None, f"stopped ({type(error).__name__} after {time.time() - start:.0f} s)"
    return json.load(open(out))["timing"]["sec_per_iter_median"], None


def slope(points):
    xs = [math.log(v) for v, _ in points]
    ys = [math.log(t) for _, t in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--d1", type=int, nargs="*", default=[16, 32, 64, 128, 256])
    p.add_argument("--d2", type=int, nargs="*", default=[4, 8, 12, 16])
    p.add_argument("--steps", type=int, default=6)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--repeat", type=int, default=1, help="runs per size and tool, alternating; the fastest counts")
    p.add_argument("--settle", type=float, default=10, help="seconds to wait before each run")
    p.add_argument("--out", default=os.path.join(ROOT, "runs", "cost-growth"))
    p.add_argument("--nqft", default=os.path.join(ROOT, ".build", "release", "nqft"))
    p.add_argument("--netket-python")
    p.add_argument("--netket-script")
    p.add_argument("--netket-limit", type=float, default=600, help="seconds per step beyond which NetKet stops")
    args = p.parse_args()

    print("| lattice | V | nqft s/step | NetKet s/step | NetKet / nqft |")
    print("|---|---|---|---|---|")
    for d, sizes in ((1, args.d1), (2, args.d2)):
        ours, netket_on = [], bool(args.netket_python and args.netket_script)
        for L in sizes:
            extent = [L] * d
            v = L ** d
            times, theirs, why = [], None, "not run"
            for _ in range(args.repeat):
                time.sleep(args.settle)
                times.append(nqft_step(args, extent))
                if netket_on:
                    time.sleep(args.settle)
                    run, why = netket_step(args, d, L)
                    if run is None:
                        break
                    theirs = run if theirs is None else min(theirs, run)
            t = min(times)
            ours.append((v, t))
            if netket_on and (theirs is None or theirs > args.netket_limit):
                netket_on = False
            cell = f"{theirs:.4g}" if theirs else why
            ratio = f"{theirs / t:.1f}" if theirs else ""
            print(f"| {'x'.join(map(str, extent))} | {v} | {t:.4g} | {cell} | {ratio} |", flush=True)
        if len(ours) >= 2:
            print(f"| {d}D fit | | exponent {slope(ours):.3f} in V | | |", flush=True)


if __name__ == "__main__":
    main()
