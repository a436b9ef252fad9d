"""schemathesis against the app's own OpenAPI schema: no 5xx and no response that breaks the schema.

Runs against a real `stardrive serve` on a loopback port (each request a real HTTP call), so the app's
lifespan, database and event loop are exactly those of production.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import response_schema_conformance  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("schemathesis")
    port = _free_port()
    env = {
        **os.environ,
        "STARDRIVE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp / 's.db'}",
        "STARDRIVE_MODEL": "builtin",
    }
    env.pop("STARDRIVE_AUTH", None)
    exe = Path(sys.executable).parent / "stardrive"
    log = (tmp / "server.log").open("wb")
    proc = subprocess.Popen(
        [str(exe), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=log,
        cwd=tmp,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/healthz", timeout=1, trust_env=False).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            pytest.fail("server did not start")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


def test_api_never_errors_and_keeps_its_schema(server: str) -> None:
    # schemathesis' own pytest plugin does not load under this pytest; drive its strategies directly.
    from hypothesis import given

    api = schemathesis.openapi.from_url(f"{server}/openapi.json")
    checked = 0
    for result in api.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def run(case: object) -> None:
            case.call_and_validate(checks=[not_a_server_error, response_schema_conformance])  # type: ignore[attr-defined]

        run()
        checked += 1
    assert checked >= 10  # every route of Contract 3 was exercised
