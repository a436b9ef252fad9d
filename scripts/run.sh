#!/usr/bin/env bash
# Set up, then start the interview service (offline, builtin interviewer) with the web chat.
# HOST/PORT override the defaults; STARDRIVE_* variables configure the rest (see README).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/stardrive serve --host "${HOST:-127.0.0.1}" --port "${PORT:-8000}"
