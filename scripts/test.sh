#!/usr/bin/env bash
# Sets up the machine (Debian packages) and runs the whole test suite: unit
# tests and physics validation, in a release build (numerical Swift is slow in
# debug builds). With Open MPI installable (apt), the suite is built with MPI
# and runs the multi-rank tests (mpirun -np 2 and 3); without it they are
# skipped, and the rest runs as before.
set -euo pipefail
cd "$(dirname "$0")/.."
if bash scripts/setup.sh --mpi --no-build; then
    traits=(--traits MPI)
else
    echo "test: Open MPI could not be installed; the MPI tests are skipped" >&2
    bash scripts/setup.sh --no-build
    traits=()
fi
swift test -c release "${traits[@]}" "$@"
