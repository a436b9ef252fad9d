"""schemathesis against the app's own OpenAPI schema: no 5xx and no response that breaks the schema.

Runs against a real `stardrive serve` on a loopback port (each request a real HTTP call), so the app's
lifespan, database and event loop are exactly those of production.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers import free_port, running

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import response_schema_conformance  # noqa: E402


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("schemathesis")
    port = free_port()
    env = {
        **os.environ,
        "STARDRIVE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp / 's.db'}",
        "STARDRIVE_MODEL": "builtin",
    }
    env.pop("STARDRIVE_AUTH", None)
    exe = Path(sys.executable).parent / "stardrive"
    base = f"http://127.0.0.1:{port}"
    cmd = [str(exe), "serve", "--host", "127.0.0.1", "--port", str(port)]
    with running(cmd, f"{base}/healthz", tmp / "server.log", timeout=30, env=env, cwd=tmp):
        yield base


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
