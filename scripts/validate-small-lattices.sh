#!/usr/bin/env bash
# Runs the neural ansatz on small interacting lattices (V <= 4) and compares each
# energy with exact diagonalization (summary.json's reference), printing
#   extent m2 lambda  E +- sigma  E_exact  (E - E_exact)/sigma  relative  variance  seconds
# Usage: scripts/validate-small-lattices.sh [OUTPUT_DIR]   (release build; minutes per case)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-runs/validate-small-lattices}
mkdir -p "$out"
swift build -c release >/dev/null
# extent|m2|lambda
cases=("[2]|1.0|24.0" "[3]|0.5|2.0" "[4]|1.0|24.0" "[2, 2]|-0.3|18.0" "[4]|-0.5|12.0")
for c in "${cases[@]}"; do
    IFS='|' read -r extent m2 lambda <<<"$c"
    name="L$(echo "$extent" | tr -d '[] ' | tr ',' 'x')-m2_${m2}-lambda_${lambda}"
    cat >"$out/$name.yaml" <<YAML
name: $name
lattice: {extent: $extent}
theory: {m2: $m2, lambda: $lambda}
ansatz: {kind: symmetric, hidden: [32], kernel: 3}
sampler: {kind: metropolis, chains: 32, thermalization: 200, sweep: 8}
optimizer: {kind: sr, steps: 600, samples: 2048, learning_rate: 0.1, learning_rate_final: 0.03, diag_shift: 1.0e-3, diag_shift_final: 1.0e-6}
evaluation: {samples: 262144}
YAML
    .build/release/nqft run "$out/$name.yaml" --output "$out/$name" >/dev/null 2>&1
    python3 - "$out/$name/summary.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
e, r = s["energy"], s["reference"]
dev = (e["mean"] - r["energy"]) / e["error"]
print(f'{str(s["lattice"]["extent"]):10} m2={s["config"]["theory"]["m2"]:5} lambda={s["config"]["theory"]["lambda"]:5}  '
      f'E={e["mean"]:.9f} +- {e["error"]:.2e}  exact={r["energy"]:.9f}  dev={dev:+.2f} sigma  '
      f'rel={r["relative_error"]:+.2e}  var={e["variance"]:.2e}  {s["timing"]["total_seconds"]:.0f}s')
PY
done
