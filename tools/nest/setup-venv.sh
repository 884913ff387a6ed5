#!/usr/bin/env bash
# Creates tools/nest/.venv with NEST 3, NumPy and PyNN from PyPI (pinned), for the run_nest.py and run_pynn.py scripts that
# `volley export --nest` writes and for tools/nest/check-export.sh. Never needed by swift build/test.
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
  .venv/bin/pip install -q --upgrade pip
fi
.venv/bin/pip install -q nest-simulator==3.10.0 numpy==2.2.6 PyNN==0.13.0
.venv/bin/python -c 'import nest, numpy, pyNN; print("NEST", nest.__version__, "NumPy", numpy.__version__, "and PyNN", pyNN.__version__, "ready in tools/nest/.venv")'
