#!/usr/bin/env python3
"""Locates the Ising transition of 1+1D phi^4 from ground-state Binder cumulants.

For each chain length L and bare mass m2 (at fixed lambda) it runs `nqft run` on a
copy of a base config with only `lattice`, `theory` and the output directory
changed, and reads summary.json's `order_parameter.binder` (U4 = 1 - <M^4>/(3 <M^2>^2)
of the ground state's |psi|^2, with its Gamma-method error). U4 tends to 2/3 in the
ordered phase and to 0 in the disordered one; at the critical point it approaches
a universal value, so the curves of two sizes cross near m2_c (Binder, Z. Phys. B
43 (1981) 119), the crossing moving as L^-(1/nu + omega) (nu = 1 for 2D Ising).

For every pair of sizes the crossing is found by fitting a straight line (weighted
least squares) to each size's U4 over the grid points nearest the sign change of
the difference and intersecting the lines; its error is the spread of the
crossing over 2000 redraws of every U4 within its error (parametric bootstrap).
The estimate of m2_c is the crossing of the two largest sizes; the table shows
the drift with size. Runs already in the output directory are reused.

    python3 scripts/binder_scan.py --lambda 24 --sizes 8 16 32 \\
        --m2 -1.4 -1.3 -1.2 -1.1 -1.0 [--base configs/phi4-1d-critical.yaml] [--out runs/binder-scan]
"""
import argparse
import json
import os
import random
import subprocess
import sys

from config_text import replacing_sections

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def config_text(base, L, m2, lam, directory):
    """The base config with lattice, theory and output replaced."""
    return replacing_sections(base, {
        "lattice": f"lattice:\n  extent: [{L}]\n",
        "theory": f"theory:\n  m2: {m2}\n  lambda: {lam}\n",
        "output": f"output:\n  directory: {directory}\n",
    })


def run(args, L, m2):
    name = f"L{L}_m2_{m2:+.4f}"
    directory = os.path.join(args.out, name)
    summary = os.path.join(directory, "summary.json")
    if not os.path.exists(summary):
        os.makedirs(args.out, exist_ok=True)
        path = os.path.join(args.out, name + ".yaml")
        with open(path, "w") as f:
            f.write(config_text(args.base, L, m2, args.coupling, directory))
        command = [args.nqft, "run", path, "--quiet", "--force"]
        if args.threads:
            command += ["--threads", str(args.threads)]
        subprocess.run(command, check=True)
    s = json.load(open(summary))
    b = s["order_parameter"]["binder"]
    return b["mean"], b["error"], s["energy"]["variance"] / L, s["warnings"]


def line_fit(points):
    """Weighted least squares a + b x through (x, y, sigma)."""
    w = [1 / (e * e) for _, _, e in points]
    sw = sum(w)
    sx = sum(wi * x for wi, (x, _, _) in zip(w, points))
    sy = sum(wi * y for wi, (_, y, _) in zip(w, points))
    sxx = sum(wi * x * x for wi, (x, _, _) in zip(w, points))
    sxy = sum(wi * x * y for wi, (x, y, _) in zip(w, points))
    d = sw * sxx - sx * sx
    return (sxx * sy - sx * sxy) / d, (sw * sxy - sx * sy) / d


def crossing(grid, small, large, window):
    """m2 where the two sizes' U4 lines cross, from the `window` grid points
    nearest the sign change of U4(large) - U4(small); None without one."""
    diff = [large[i][0] - small[i][0] for i in range(len(grid))]
    changes = [i for i in range(len(grid) - 1) if diff[i] * diff[i + 1] <= 0]
    if not changes:
        return None
    i = changes[0]
    lo = max(0, min(i + 1 - window // 2, len(grid) - window))
    idx = range(lo, lo + window)
    a1, b1 = line_fit([(grid[j], small[j][0], small[j][1]) for j in idx])
    a2, b2 = line_fit([(grid[j], large[j][0], large[j][1]) for j in idx])
    return None if b1 == b2 else (a2 - a1) / (b1 - b2)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--lambda", dest="coupling", type=float, default=24.0)
    p.add_argument("--sizes", type=int, nargs="+", default=[8, 16, 32])
    p.add_argument("--m2", type=float, nargs="+", required=True, help="the grid of bare masses squared")
    p.add_argument("--base", default=os.path.join(ROOT, "configs", "phi4-1d-critical.yaml"))
    p.add_argument("--out", default=os.path.join(ROOT, "runs", "binder-scan"))
    p.add_argument("--nqft", default=os.path.join(ROOT, ".build", "release", "nqft"))
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--window", type=int, default=3, help="grid points per line fit (>= 2)")
    p.add_argument("--seed", type=int, default=1, help="bootstrap seed")
    args = p.parse_args()
    grid = sorted(args.m2)
    if len(grid) < max(2, args.window):
        sys.exit("need at least --window grid points")

    values = {L: [run(args, L, m2) for m2 in grid] for L in args.sizes}
    print(f"lambda = {args.coupling}; Binder cumulant U4 (+- error), variance per site")
    print("m2        " + "".join(f"{'L = ' + str(L):>30}" for L in args.sizes))
    for i, m2 in enumerate(grid):
        cells = "".join(f"{values[L][i][0]:>14.5f} +- {values[L][i][1]:<8.5f}{values[L][i][2]:>6.0e}" for L in args.sizes)
        print(f"{m2:<10.4f}" + cells)
    warned = [(L, grid[i], w) for L in args.sizes for i, (_, _, _, ws) in enumerate(values[L]) for w in ws]
    for L, m2, w in warned:
        print(f"warning (L = {L}, m2 = {m2}): {w}")

    rng = random.Random(args.seed)
    estimate = None
    sizes = sorted(args.sizes)
    for small, large in zip(sizes, sizes[1:]):
        central = crossing(grid, values[small], values[large], args.window)
        if central is None:
            print(f"L = {small}, {large}: the curves do not cross on this grid")
            continue
        draws = []
        for _ in range(2000):
            redraw = {L: [(rng.gauss(m, e), e, 0, []) for m, e, _, _ in values[L]] for L in (small, large)}
            c = crossing(grid, redraw[small], redraw[large], args.window)
            if c is not None:
                draws.append(c)
        mean = sum(draws) / len(draws)
        error = (sum((d - mean) ** 2 for d in draws) / (len(draws) - 1)) ** 0.5
        print(f"crossing L = {small}, {large}: m2_c = {central:.4f} +- {error:.4f}  "
              f"({len(draws)} of 2000 redraws cross)")
        estimate = (central, error, small, large)
    if estimate:
        print(f"estimate: m2_c(lambda = {args.coupling}) = {estimate[0]:.4f} +- {estimate[1]:.4f} "
              f"(crossing of L = {estimate[2]} and {estimate[3]})")


if __name__ == "__main__":
    main()
