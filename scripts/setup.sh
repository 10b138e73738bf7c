#!/usr/bin/env bash
# Installs the Debian packages NeuralQFT links against (when missing) and builds
# the release binary .build/release/nqft. Safe to run again: it does only what is
# missing, then an incremental build.
#
#   bash scripts/setup.sh            one process (threads)
#   bash scripts/setup.sh --mpi      also Open MPI: the binary runs under mpirun/srun
#   --no-build                       install only
set -euo pipefail
cd "$(dirname "$0")/.."

mpi=false
build=true
for argument in "$@"; do
    case "$argument" in
        --mpi) mpi=true ;;
        --no-build) build=false ;;
        *) echo "setup: unknown option $argument (expected --mpi, --no-build)" >&2; exit 2 ;;
    esac
done

packages=(libfftw3-dev libopenblas-dev liblapacke-dev pkg-config)
if $mpi; then packages+=(libopenmpi-dev openmpi-bin); fi
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    echo "setup: installing ${missing[*]}" >&2
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# matplotlib for scripts/plot.py; plots are optional, so a failure only warns.
if ! python3 -c "import matplotlib" 2>/dev/null; then
    echo "setup: installing matplotlib (for scripts/plot.py)" >&2
    python3 -m pip install --quiet matplotlib >/dev/null 2>&1 || echo "setup: could not install matplotlib; plots unavailable" >&2
fi

if ! command -v swift >/dev/null; then
    echo "setup: swift is not on PATH; NeuralQFT needs Swift 6 (swift.org)" >&2
    exit 1
fi

if $build; then
    if $mpi; then
        swift build -c release --traits MPI
    else
        swift build -c release
    fi
fi
