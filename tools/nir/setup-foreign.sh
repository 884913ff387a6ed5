#!/usr/bin/env bash
# Adds snnTorch (with PyTorch and nirtorch) to tools/nir/.venv, for the foreign-model demonstration
# (tools/nir/foreign/run.sh, docs/nir.md). Large: PyTorch from PyPI is several GB with its CUDA
# libraries. Never needed by swift build/test or by CI.
set -euo pipefail
cd "$(dirname "$0")"
./setup-venv.sh
.venv/bin/pip install -q torch==2.15.0 snntorch==1.0.0 nirtorch==2.6
.venv/bin/python -c 'import torch, snntorch; print("snnTorch", snntorch.__version__, "with PyTorch", torch.__version__, "ready in tools/nir/.venv")'
