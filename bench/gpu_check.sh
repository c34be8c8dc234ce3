#!/usr/bin/env bash
# GPU check: train a model-zoo network on CIFAR-10 with KERAS_BACKEND=jax and print
# time-to-accuracy and images/s. For a GPU machine that has JAX but no TensorFlow
# and no network: Keras and the other pure-python / manylinux wheels AID needs come
# from a folder of wheels.
#
# Usage:  bash bench/gpu_check.sh CIFAR_ZIP [WHEELS_DIR] [gpu_check.py options]
#   CIFAR_ZIP   cifar10-train-jpg.zip copied into an ignored folder of the repo
#               (shared/data does not travel to the device machine), e.g.
#               mkdir -p build && cp ../shared/data/cifar10-train-jpg.zip build/
#   WHEELS_DIR  folder of wheels (default: .whl/ in the repo, git-ignored); every
#               wheel whose distribution is not installed yet is installed with
#               pip install --no-index --no-deps (installed ones, jax and numpy
#               included, are left alone).
#
# Prepare the wheels on a machine with network access, for the device machine's
# Python (check `python3 --version` there; 3.12 below):
#   pip download --only-binary=:all: --python-version 3.12 \
#       --platform manylinux2014_x86_64 --platform manylinux_2_28_x86_64 \
#       -d .whl keras h5py hdf5plugin opencv-python-headless pillow \
#       openpyxl platformdirs scikit-learn matplotlib
# (the whole dependency closure lands there; what is already installed is skipped).
#
# With --augment instead of CIFAR_ZIP it measures issue 4's GPU case instead:
# bench/augment.py (images/s with one thread and with all the host's cores, and
# the training loader's with threads and with worker processes) and
# bench/augment_overlap.py (augmentation's share of a LeNet5 epoch trained on the
# accelerator, loader threads and worker processes); further options go to
# augment_overlap.py:
#   bash bench/gpu_check.sh --augment .whl --images 65536 --repeats 3
#
# Examples (options after the two folders go to bench/gpu_check.py):
#   bash bench/gpu_check.sh build/cifar10-train-jpg.zip .whl --epochs 12
#   bash bench/gpu_check.sh build/cifar10-train-jpg.zip .whl \
#       --max-train 2000 --epochs 1 --batch-size 64      # CPU smoke test
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(dirname "$HERE")"
ZIP="${1:?usage: gpu_check.sh CIFAR_ZIP|--augment [WHEELS_DIR] [options]}"
shift
WHEELS="$REPO/.whl"
if [[ $# -gt 0 && "$1" != --* ]]; then
    WHEELS="$1"
    shift
fi
PYTHON="${PYTHON:-python3}"

if [[ -d "$WHEELS" ]]; then
    missing="$("$PYTHON" - "$WHEELS" <<'EOF'
import sys
from importlib import metadata
from pathlib import Path

for wheel in sorted(Path(sys.argv[1]).glob("*.whl")):
    name = wheel.name.split("-")[0]
    try:
        metadata.version(name)
    except metadata.PackageNotFoundError:
        print(wheel)
EOF
)"
    if [[ -n "$missing" ]]; then
        # shellcheck disable=SC2086  # one wheel path per word
        "$PYTHON" -m pip install --no-index --no-deps $missing
    fi
fi

export KERAS_BACKEND="${KERAS_BACKEND:-jax}"
export PYTHONPATH="$REPO${PYTHONPATH:+:$PYTHONPATH}"
if [[ "$ZIP" == --augment ]]; then
    "$PYTHON" "$HERE/augment.py" --json --no-models
    # the loader's worker processes too, as many as the trainer would start
    procs="$("$PYTHON" -c 'from aid.train.epoch_augment import loader_threads as t; print(t())')"
    exec "$PYTHON" "$HERE/augment_overlap.py" --json --processes "$procs" "$@"
fi
exec "$PYTHON" "$HERE/gpu_check.py" "$ZIP" "$@"
