#!/usr/bin/env bash
# Set up, then run every check: lint, types, the test suite (SQLite and PostgreSQL, headless Chromium),
# and the eval suite with its thresholds. Needs root on Debian for PostgreSQL and Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
eval "$(bash scripts/postgres.sh)"
if [ -f scripts/browser.sh ]; then bash scripts/browser.sh; fi
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/pytest "$@"
.venv/bin/stardrive eval --report build/eval
