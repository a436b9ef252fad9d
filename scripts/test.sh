#!/usr/bin/env bash
# Set up, then run every check: lint, types, the test suite, and the eval suite with its thresholds.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/pytest "$@"
.venv/bin/stardrive eval --report build/eval
