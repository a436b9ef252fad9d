#!/usr/bin/env bash
# Set up, then start the interview service (offline, builtin interviewer) with the web chat.
# HOST/PORT override the defaults (127.0.0.1:8000); STARDRIVE_* variables configure the rest (see README).
set -euo pipefail
cd "$(dirname "$0")/.."
log() { echo "run.sh: $*" >&2; }
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
if [ -x .venv/bin/stardrive ]; then
  log "checking the dependencies in .venv (seconds when nothing changed)…"
else
  log "first run: creating .venv and installing stardrive with its dependencies (a few minutes)…"
fi
start=$SECONDS
bash scripts/setup.sh
log "ready after $((SECONDS - start)) s; starting stardrive $(.venv/bin/stardrive --version | cut -d' ' -f2) on http://$HOST:$PORT/ (Ctrl+C to stop)"
exec .venv/bin/stardrive serve --host "$HOST" --port "$PORT"
