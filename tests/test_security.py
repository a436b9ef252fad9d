"""The holes an attack found (issue 10), each held shut: models a user may name, Host names, headers,
files at rest, text a database cannot hold, the Markdown debrief. API tests run on every backend."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from service import engine as engine_module
from tests.test_auth import serve_app

# --- 1: a user names only a model the operator allowed ----------------------------------------


@asynccontextmanager
async def listener() -> AsyncIterator[tuple[str, list[bytes]]]:
    """A loopback port that records whatever connects to it: where a model call would go."""
    seen: list[bytes] = []

    async def record(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        seen.append(await reader.read(4096))
        writer.close()

    server = await asyncio.start_server(record, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}/v1", seen
    finally:
        server.close()
        await server.wait_closed()


@pytest.mark.parametrize(
    ("settings", "model", "status"),
    [
        ({}, "ollama_chat/x", 422),
        ({}, "openai/gpt-4o", 422),
        ({}, "anthropic/claude-3-opus-20240229", 422),
        ({}, "builtin", 201),
        ({}, None, 201),
        ({"model": "openai/op"}, "openai/op", 201),
        ({"model": "openai/op"}, "openai/other", 422),
        ({"grader_model": "openai/grader"}, "openai/grader", 201),
        ({"allowed_models": "openai/a, openai/b"}, "openai/b", 201),
        ({"allowed_models": "openai/a, openai/b"}, "builtin", 201),  # the operator's own default
        ({"allowed_models": "openai/a", "model": "openai/a"}, "builtin", 422),
        ({"allowed_models": "openai/a, openai/b"}, "ollama_chat/x", 422),
    ],
)
async def test_only_allowed_models_and_no_request_for_others(
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    settings: dict[str, Any],
    model: str | None,
    status: int,
) -> None:
    touched: list[str] = []
    real_validate, real_get = engine_module.validate_model, engine_module.get_model

    def validate(name: str, *args: Any, **kwargs: Any) -> None:
        touched.append(name)
        real_validate(name, *args, **kwargs)

    def get(name: str, *args: Any, **kwargs: Any) -> Any:
        touched.append(name)
        return real_get(name, *args, **kwargs)

    monkeypatch.setattr(engine_module, "validate_model", validate)
    monkeypatch.setattr(engine_module, "get_model", get)
    async with listener() as (api_base, seen):
        async with serve_app(database_url, api_base=api_base, **settings) as (_, client):
            body = {"archetypes": ["mentoring"], **({"model": model} if model else {})}
            res = await client.post("/api/interviews", json=body)
            assert res.status_code == status, res.text
            if status == 422:
                assert res.json()["error"]["code"] == "model_not_allowed"
                assert touched == []  # the model's name went nowhere: not to litellm, not to a gateway
            else:
                assert res.json()["model"] == (model or settings.get("model", "builtin"))
        await asyncio.sleep(0.05)
    assert seen == []  # nothing reached the model server, whatever was asked


# --- 8: security headers on every response ------------------------------------------------------


def inline_script_hashes(html: str) -> set[str]:
    """The CSP source expression of each inline <script> in a page."""
    scripts = re.findall(r"<script>(.*?)</script>", html, flags=re.S)
    return {
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'" for s in scripts
    }


def directives(policy: str) -> dict[str, list[str]]:
    parts = (d.strip().split() for d in policy.split(";") if d.strip())
    return {p[0]: p[1:] for p in parts}


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "api"),
    [
        ("GET", "/", None, 200, False),
        ("GET", "/healthz", None, 200, False),
        ("GET", "/openapi.json", None, 200, False),
        ("GET", "/api/stories", None, 200, True),
        ("GET", "/api/interviews/nope", None, 404, True),
        ("GET", "/api/interviews/{iid}", None, 200, True),
        ("GET", "/api/interviews/{iid}/debrief?format=html", None, 200, True),
        ("GET", "/api/interviews/{iid}/debrief?format=md", None, 200, True),
        ("POST", "/api/interviews/{iid}/answers", {"text": "I did it."}, 200, True),  # a stream
        ("POST", "/api/interviews", b"x", 415, True),  # refused before the app (BodyGuard)
        ("POST", "/api/interviews", {"count": 99}, 422, True),
    ],
)
async def test_security_headers_on_every_response(
    database_url: str, method: str, path: str, body: Any, status: int, api: bool
) -> None:
    async with serve_app(database_url) as (_, client):
        iid = (await client.post("/api/interviews", json={"archetypes": ["mentoring"]})).json()["id"]
        page = (await client.get("/")).text
        kwargs: dict[str, Any] = {"content": body} if isinstance(body, bytes) else {"json": body}
        res = await client.request(method, path.format(iid=iid), **kwargs)
    assert res.status_code == status, res.text
    assert res.headers["x-content-type-options"] == "nosniff"
    assert res.headers["referrer-policy"] == "no-referrer"
    assert res.headers["x-frame-options"] == "DENY"
    policy = directives(res.headers["content-security-policy"])
    assert policy["frame-ancestors"] == ["'none'"]
    assert all("'unsafe-eval'" not in sources for sources in policy.values())
    assert "'unsafe-inline'" not in policy["script-src"]  # an injected script runs nowhere
    assert policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'none'"]
    if path == "/":
        # The page's own script is allowed by its hash, and nothing else.
        hashes = inline_script_hashes(page)
        assert hashes and set(policy["script-src"]) == hashes
    if api:
        assert "no-store" in res.headers["cache-control"]


# --- 4: Host names (DNS rebinding) -----------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "allowed_hosts", "auth", "ok"),
    [
        ("evil.example", None, "none", False),
        ("evil.example:8000", None, "none", False),
        ("localhost.evil.example", None, "none", False),
        ("127.0.0.1.evil.example:8000", None, "none", False),
        ("evil.example", None, "tokens", False),
        ("evil.example", "stardrive.example", "none", False),
        ("localhost:8000", None, "none", True),
        ("LOCALHOST", None, "none", True),
        ("app.localhost:8000", None, "none", True),
        ("127.0.0.1:8000", None, "none", True),
        ("127.8.9.10", None, "none", True),
        ("[::1]:8000", None, "none", True),
        ("10.0.0.5:8000", None, "none", True),  # an address, not a name: nothing to rebind
        ("stardrive.example", "stardrive.example,other.example", "none", True),
        ("Stardrive.Example:443", "stardrive.example", "tokens", True),
    ],
)
@pytest.mark.parametrize("path", ["/", "/healthz", "/api/stories"])
async def test_only_loopback_and_configured_host_names(
    database_url: str, host: str, allowed_hosts: str | None, auth: str, ok: bool, path: str
) -> None:
    settings: dict[str, Any] = {"auth": auth, **({"allowed_hosts": allowed_hosts} if allowed_hosts else {})}
    async with serve_app(database_url, **settings) as (_, client):
        res = await client.get(path, headers={"Host": host})
    if ok:
        assert res.status_code in (200, 401), res.text
    else:
        assert res.status_code == 400
        assert res.json()["error"]["code"] == "host_not_allowed"
        assert "STARDRIVE_ALLOWED_HOSTS" in res.json()["error"]["message"]
        assert res.headers["x-content-type-options"] == "nosniff"
