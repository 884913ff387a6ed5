#!/usr/bin/env bash
# Creates tools/nir/.venv with the NIR package (and h5py, which it reads and writes .nir files
# with) from PyPI, pinned, for nir_volley.py and test_bridge.py. Never needed by swift build/test.
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
  .venv/bin/pip install -q --upgrade pip
fi
.venv/bin/pip install -q nir==1.0.8 h5py==3.16.0 numpy==2.2.6
.venv/bin/python -c 'import nir, h5py, numpy; print("nir", nir.__version__, "ready in tools/nir/.venv")'
