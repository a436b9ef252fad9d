"""Start a local server process for a test and wait until it answers; always stop it afterwards."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running(
    cmd: list[str],
    health_url: str,
    log_path: Path,
    *,
    timeout: float = 20,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> Iterator[None]:
    """Run `cmd` until `health_url` answers 200 (the test fails, with the log, if it exits or times out)."""
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            cmd, env=env or dict(os.environ), cwd=cwd, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            deadline = time.monotonic() + timeout
            while True:
                if proc.poll() is not None:
                    pytest.fail(f"{cmd[0]} exited with {proc.returncode}:\n{log_path.read_text()[-4000:]}")
                try:
                    if httpx.get(health_url, timeout=1, trust_env=False).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    pytest.fail(f"{health_url} not up after {timeout:.0f} s:\n{log_path.read_text()[-4000:]}")
                time.sleep(0.2)
            yield
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
