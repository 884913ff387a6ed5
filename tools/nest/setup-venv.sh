#!/usr/bin/env bash
# Creates tools/nest/.venv with NEST 3 and NumPy from PyPI (pinned), for run_nest.py scripts that
# `volley export --nest` writes and for tools/nest/check-export.sh. Never needed by swift build/test.
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
  .venv/bin/pip install -q --upgrade pip
fi
.venv/bin/pip install -q nest-simulator==3.10.0 numpy==2.2.6
.venv/bin/python -c 'import nest, numpy; print("NEST", nest.__version__, "and NumPy", numpy.__version__, "ready in tools/nest/.venv")'
