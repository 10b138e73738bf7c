#!/usr/bin/env python3
"""Predicted parallel efficiency of a VMC step over MPI ranks (BENCHMARKS.md, Run 12).

Weak scaling: every node (one rank, its cores as threads) keeps the samples and
chains of the one-node workload, so its compute per step stays what was
measured here; what grows with the node count R is communication and the work
every rank repeats on gathered data. Collective costs follow Thakur,
Rabenseifner and Gropp, Int. J. High Perform. Comput. Appl. 19 (2005) 49:

  all-reduce of m bytes (Rabenseifner):  2 log2(R) a + 2 (R-1)/R m / b
  small all-reduce (recursive doubling):   log2(R) a
  all-gather, m_r bytes from each rank:    log2(R) a + (R-1) m_r / b

with a the latency of one message stage and b the link bandwidth. The counts
per step are nqft's own (Communicator.traffic, `mpirun -np 2 nqft bench`), split
by kind below from the code (ExactSum: one 3-word max all-reduce, then 3 L
int64; a step's chain states are gathered after its discard sweeps and after
its recorded sweeps).

    python3 scripts/scaling_model.py [--latency 2e-6] [--bandwidth 10e9] [--copy 2e9]
"""
import argparse
import math

WORKLOADS = {
    # W2: 2D 8x8, H = 128, 4096 samples, 64 chains; 1 rank x 1 thread here:
    # 0.70 s/step (nqft bench --workload W2 --threads 1, Run 12 table).
    # SR by conjugate gradients, 50 iterations (the cap) + the first residual,
    # <O>, F: 53 sums of P = 8482; the K-FAC statistics: 38 340 numbers.
    "W2": dict(compute=0.70, parameters=8482, psums=53, gram=38340, chains=64, words_per_chain=70),
    # L16s: 3D 16^3, H = 32, 1024 samples, 64 chains, single-site proposals:
    # 60.0 s/step (nqft bench --workload L16s --threads 1). P = 133 188; the
    # K-FAC right factor alone is (V+1)^2 = 16 785 409 numbers.
    "L16s": dict(compute=60.0, parameters=133188, psums=53, gram=16785409 + 1024 + 1089 + 2049, chains=64,
                 words_per_chain=4096 + 6),
}


def step_time(w, ranks, a, b, copy):
    """Seconds of one step on `ranks` nodes, split into parts."""
    if ranks == 1:
        return dict(compute=w["compute"], reduce=0.0, gather=0.0, repeat=0.0)
    log = math.log2(ranks)
    sums = w["psums"] + 1 + 3  # P-vector sums, the K-FAC sum, <E> and the Gamma method's
    small = sums  # the exponent agreed before each sum
    reduce_bytes = w["psums"] * 24 * w["parameters"] + 24 * w["gram"] + 3 * 24 * 8
    reduce = small * log * a + sums * 2 * log * a + 2 * (ranks - 1) / ranks * reduce_bytes / b
    gathered = 2 * 8 * w["chains"] * w["words_per_chain"]  # two chain-state gathers, bytes per rank
    gather = 2 * 2 * log * a + (ranks - 1) * gathered / b  # each gather: counts, then the words
    repeat = ranks * gathered / copy  # every rank unpacks and joins every chain's state
    return dict(compute=w["compute"], reduce=reduce, gather=gather, repeat=repeat)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--latency", type=float, default=2e-6, help="seconds per message stage (InfiniBand HDR: 1-2 us)")
    parser.add_argument("--bandwidth", type=float, default=10e9, help="bytes/s per link (HDR100: 12.5e9)")
    parser.add_argument("--copy", type=float, default=2e9, help="bytes/s at which a rank unpacks gathered states")
    args = parser.parse_args()
    for name, w in WORKLOADS.items():
        reduce_mb = (w["psums"] * 24 * w["parameters"] + 24 * w["gram"]) / 1e6
        print(f"\n{name}: {w['compute']} s compute/step; all-reduced {reduce_mb:.1f} MB/step in "
              f"{2 * (w['psums'] + 4)} all-reduces; gathered {2 * 8 * w['chains'] * w['words_per_chain'] / 1e6:.3f} MB/rank/step")
        print("| nodes | compute s | all-reduce s | gather s | repeated s | efficiency |")
        print("|---|---|---|---|---|---|")
        for ranks in [1, 2, 8, 64, 256, 1024]:
            t = step_time(w, ranks, args.latency, args.bandwidth, args.copy)
            total = sum(t.values())
            print(f"| {ranks} | {t['compute']:.3g} | {t['reduce']:.3g} | {t['gather']:.3g} | {t['repeat']:.3g} | "
                  f"{100 * w['compute'] / total:.1f}% |")


if __name__ == "__main__":
    main()
