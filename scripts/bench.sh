#!/usr/bin/env bash
# Benchmarks the fixed workloads W1-W4 (see `nqft bench --help`) in a release build and,
# when a NetKet peer is given, the same workloads with NetKet, one after the other in
# the same run (these machines are noisy: compare ratios, not absolute times).
#
#   scripts/bench.sh [RESULTS_DIR]
#   NETKET_PYTHON=/path/to/venv/bin/python NETKET_SCRIPT=/path/to/phi4_vmc.py scripts/bench.sh
#
# Writes RESULTS_DIR/nqft.json and, with NetKet, RESULTS_DIR/netket_W*.json, then prints a
# markdown table of seconds per step and their ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-runs/bench}
mkdir -p "$out"
swift build -c release >/dev/null
.build/release/nqft bench --steps ${STEPS:-5} --warmup 2 --json "$out/nqft.json"
if [ -n "${NETKET_PYTHON:-}" ] && [ -n "${NETKET_SCRIPT:-}" ]; then
    # name d L hidden samples
    for w in "W1 1 32 64 4096" "W2 2 8 128 4096" "W3 1 8 16 4096" "W4 3 6 64 1024"; do
        set -- $w
        "$NETKET_PYTHON" "$NETKET_SCRIPT" --d "$2" --L "$3" --m2 1 --lam 24 --model gaussian_mlp \
            --hidden "$4" --samples "$5" --iters ${NETKET_ITERS:-25} --quiet --out "$out/netket_$1.json" >/dev/null 2>&1
    done
fi
python3 - "$out" <<'PY'
import json, os, sys
out = sys.argv[1]
ours = {r["workload"]["name"]: r for r in json.load(open(os.path.join(out, "nqft.json")))}
print("| workload | nqft s/step | sampling | E_loc | grad | SR | correlators | NetKet s/step | NetKet / nqft |")
print("|---|---|---|---|---|---|---|---|---|")
for name, r in ours.items():
    nk = os.path.join(out, f"netket_{name}.json")
    t = json.load(open(nk))["timing"]["sec_per_iter_median"] if os.path.exists(nk) else None
    ratio = f"{t / r['secondsPerStep']:.2f}" if t else "not run"
    print(f"| {name} | {r['secondsPerStep']:.4f} | {r['sampling']:.4f} | {r['localEnergy']:.4f} | "
          f"{r['parameterGradient']:.4f} | {r['update']:.4f} | {r['correlators']:.4f} | "
          f"{t if t is None else round(t, 4)} | {ratio} |")
print()
print(f"dgemm (1024^3): {next(iter(ours.values()))['dgemmGFLOPS']:.1f} GFLOP/s; network forward GFLOP/s: "
      + ", ".join(f"{n} {r['networkGFLOPS']:.1f}" for n, r in ours.items()))
PY
