#!/usr/bin/env bash
# Install what tests/test_web.py needs (run as root on Debian; safe to run repeatedly):
# the distribution's Chromium at /usr/bin/chromium, and Playwright for Python in .venv.
# Never runs `playwright install`: the test drives the system Chromium, not a downloaded one.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { echo "browser.sh: $*" >&2; }

if [ -x /usr/bin/chromium ]; then
  log "chromium already installed: $(/usr/bin/chromium --version 2>/dev/null || echo unknown version)"
else
  log "installing chromium"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium
fi

if [ ! -x .venv/bin/python ]; then
  log ".venv missing; run scripts/setup.sh first"
  exit 1
fi
if .venv/bin/python -c "import playwright.sync_api" >/dev/null 2>&1; then
  log "playwright already installed in .venv"
else
  log "installing playwright into .venv"
  .venv/bin/pip install --quiet --disable-pip-version-check playwright
fi
log "ready"
