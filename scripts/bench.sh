#!/usr/bin/env bash
# Benchmarks the fixed workloads W1-W4 (see `nqft bench --help`) in a release build on
# 1 and 2 threads and, when a NetKet peer is given, the same workloads with NetKet, one
# after the other in the same run (these machines are noisy: compare ratios, not absolute
# times). With TTS=1 it also measures the time to solution: optimisation wall time until a
# step's local-energy variance per site falls below 1e-4 on phi^4, L = 16, m2 = 1,
# lambda = 24 (configs/phi4-1d.yaml; NetKet: its Gaussian x MLP, symmetrised, defaults).
#
#   scripts/bench.sh [RESULTS_DIR]
#   NETKET_PYTHON=/path/to/venv/bin/python NETKET_SCRIPT=/path/to/phi4_vmc.py TTS=1 scripts/bench.sh
#
# Writes RESULTS_DIR/nqft-1.json, nqft-2.json and, with NetKet, netket_W*.json, then prints
# markdown tables.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-runs/bench}
mkdir -p "$out"
swift build -c release >/dev/null
for t in 1 2; do
    .build/release/nqft bench --steps ${STEPS:-5} --warmup 2 --threads $t --json "$out/nqft-$t.json"
done
netket() { [ -n "${NETKET_PYTHON:-}" ] && [ -n "${NETKET_SCRIPT:-}" ]; }
if netket; then
    # name d L hidden samples
    for w in "W1 1 32 64 4096" "W2 2 8 128 4096" "W3 1 8 16 4096" "W4 3 6 64 1024"; do
        set -- $w
        "$NETKET_PYTHON" "$NETKET_SCRIPT" --d "$2" --L "$3" --m2 1 --lam 24 --model gaussian_mlp \
            --hidden "$4" --samples "$5" --iters ${NETKET_ITERS:-25} --quiet --out "$out/netket_$1.json" >/dev/null 2>&1
    done
fi
if [ -n "${TTS:-}" ]; then
    .build/release/nqft run configs/phi4-1d.yaml --output "$out/tts-nqft" --force --quiet
    if netket; then
        "$NETKET_PYTHON" "$NETKET_SCRIPT" --d 1 --L 16 --m2 1 --lam 24 --model gaussian_mlp --z2 \
            --iters 300 --quiet --out "$out/tts-netket.json" >/dev/null 2>&1
    fi
fi
python3 - "$out" <<'PY'
import csv, json, os, sys
out = sys.argv[1]
load = lambda name: {r["workload"]["name"]: r for r in json.load(open(os.path.join(out, name)))}
one, two = load("nqft-1.json"), load("nqft-2.json")
print("| workload | nqft s/step (2 threads) | sampling | E_loc | grad | SR | correlators | nqft 1 thread | 1 -> 2 threads | NetKet s/step | NetKet / nqft |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for name, r in two.items():
    nk = os.path.join(out, f"netket_{name}.json")
    t = json.load(open(nk))["timing"]["sec_per_iter_median"] if os.path.exists(nk) else None
    ratio = f"{t / r['secondsPerStep']:.2f}" if t else "not run"
    s1 = one[name]["secondsPerStep"]
    print(f"| {name} | {r['secondsPerStep']:.4f} | {r['sampling']:.4f} | {r['localEnergy']:.4f} | "
          f"{r['parameterGradient']:.4f} | {r['update']:.4f} | {r['correlators']:.4f} | {s1:.4f} | "
          f"{s1 / r['secondsPerStep']:.2f}x | {'not run' if t is None else round(t, 4)} | {ratio} |")
print()
print("dgemm (1024^3, one core): " + ", ".join(f"{n} {r['dgemmGFLOPS']:.1f}" for n, r in one.items())
      + " GFLOP/s; network forward (one core): "
      + ", ".join(f"{n} {r['networkGFLOPS']:.1f} ({100 * r['networkGFLOPS'] / r['dgemmGFLOPS']:.0f}%)" for n, r in one.items())
      + "; peak MiB (2 threads, cumulative): " + ", ".join(f"{n} {r['peakMemoryMiB']:.0f}" for n, r in two.items()))
threshold, sites = 1e-4, 16
def first_below(rows):  # rows: (variance, seconds of the step)
    total = 0.0
    for k, (var, sec) in enumerate(rows):
        total += sec
        if var / sites < threshold:
            return k, total
    return None, total
ours = os.path.join(out, "tts-nqft", "energy.csv")
if os.path.exists(ours):
    rows = [(float(r["variance"]), float(r["seconds"])) for r in csv.DictReader(open(ours))]
    k, t = first_below(rows)
    print(f"\ntime to solution (variance/site < 1e-4, optimisation steps only): nqft step {k}, {t:.1f} s")
    nk = os.path.join(out, "tts-netket.json")
    if os.path.exists(nk):
        j = json.load(open(nk))
        rows = [(h[3], s) for h, s in zip(j["history"], j["timing"]["iter_s"])]
        k, t = first_below(rows)
        last = j["history"][-1][3] / sites
        print(f"NetKet: step {k}, {t:.1f} s (last step variance/site {last:.2e}, total wall {j['timing']['total_wall_s']:.1f} s)")
PY
