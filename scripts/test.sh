#!/usr/bin/env bash
# Set up, then run every check: lint, types, the test suite (SQLite and PostgreSQL, headless Chromium),
# a real local model (llama.cpp + SmolLM2), and the eval suite with its thresholds.
# Needs root on Debian for PostgreSQL and Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
eval "$(bash scripts/postgres.sh)"
bash scripts/browser.sh
bash scripts/model.sh
export STARDRIVE_REQUIRE_REAL_MODEL=1 LITELLM_LOCAL_MODEL_COST_MAP=True
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/pytest "$@"
.venv/bin/stardrive eval --report build/eval
