#!/usr/bin/env bash
# Sets up the machine (Debian packages) and runs the whole test suite: unit
# tests and physics validation, in a release build (numerical Swift is slow in
# debug builds).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --no-build
swift test -c release "$@"
