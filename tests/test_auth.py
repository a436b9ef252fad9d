"""Accounts (STARDRIVE_AUTH=tokens): bearer tokens, per-user isolation as 404, `stardrive users`, and
`stardrive serve` refusing to expose a no-auth server. API tests run on every database backend."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from typer.testing import CliRunner

from service.api.app import create_app
from service.api.tokens import hash_token, new_token
from service.cli import app as cli
from service.cli import is_loopback
from service.config import Settings, get_settings
from service.store import crud
from service.store.models import Interview, User
from tests.test_api import WEAK, answer_json

runner = CliRunner()

STORY: dict[str, Any] = {
    "title": "Atlas ranker migration",
    "archetype": "contested_decision",
    "project": "Atlas",
    "year": 2024,
    "text": "I led the Atlas ranker migration to the Helios feature store; I proposed dual writes and "
    "CTR went up 3%. The Atlas cutover pattern became our org's default for store migrations.",
}


@asynccontextmanager
async def serve_app(database_url: str, **settings: Any) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """The app over `database_url` with these settings, and an in-process client for it."""
    app = create_app(Settings(database_url=database_url, **settings))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield app, client


async def add_user(app: FastAPI, name: str) -> tuple[str, dict[str, str]]:
    """A new account: its id and the headers that carry its token."""
    token = new_token()
    async with app.state.sessions() as session:
        user = await crud.create_user(session, name=name, token_hash=hash_token(token))
    return user.id, {"Authorization": f"Bearer {token}"}


@pytest.fixture
async def tokens(database_url: str) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    async with serve_app(database_url, auth="tokens") as pair:
        yield pair


# --- 401 --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("authorization", "challenge"),
    [
        (None, 'Bearer realm="stardrive"'),
        ("Bearer sd_" + "x" * 43, 'Bearer realm="stardrive", error="invalid_token"'),
        ("Bearer not-a-token-at-all", 'Bearer realm="stardrive", error="invalid_token"'),
        ("Basic YWxpY2U6c2VjcmV0", 'Bearer realm="stardrive", error="invalid_request"'),
        ("Bearer ", 'Bearer realm="stardrive", error="invalid_request"'),
        ("Bearer " + "y" * 500, 'Bearer realm="stardrive", error="invalid_request"'),
    ],
    ids=["missing", "unknown-token", "garbage-token", "basic-scheme", "empty", "overlong"],
)
async def test_missing_or_wrong_token_is_401(
    tokens: tuple[FastAPI, httpx.AsyncClient], authorization: str | None, challenge: str
) -> None:
    app, client = tokens
    await add_user(app, "alice")
    headers = {"Authorization": authorization} if authorization else {}
    res = await client.get("/api/stories", headers=headers)
    assert res.status_code == 401
    assert res.headers["WWW-Authenticate"] == challenge
    assert res.json()["error"]["code"] == "unauthorized"
    sent = (authorization or "").partition(" ")[2].strip()
    assert not sent or sent not in res.text


def _requests(app: FastAPI) -> list[tuple[str, str]]:
    """Every (method, path) of every /api route (from the OpenAPI schema), path parameters filled in."""
    return [
        (method.upper(), re.sub(r"\{[^}]+\}", "x", path))
        for path, operations in app.openapi()["paths"].items()
        if path.startswith("/api")
        for method in operations
    ]


async def test_every_api_route_needs_a_token_and_the_rest_is_open(
    tokens: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    app, client = tokens
    requests = _requests(app)
    assert len(requests) >= 11
    for method, path in requests:
        body: dict[str, Any] | None = {} if method in ("POST", "PUT") else None
        res = await client.request(method, path, json=body)
        assert res.status_code == 401, (method, path, res.status_code)
        assert res.headers["WWW-Authenticate"].startswith("Bearer")
    assert (await client.get("/healthz")).status_code == 200
    assert (await client.get("/")).status_code == 200


async def test_none_mode_needs_no_token_and_ignores_one(database_url: str) -> None:
    async with serve_app(database_url) as (_, client):
        assert (await client.get("/api/stories")).status_code == 200
        res = await client.get("/api/stories", headers={"Authorization": "Bearer whatever"})
        assert res.status_code == 200


# --- isolation --------------------------------------------------------------------------------


async def _alices_things(client: httpx.AsyncClient, alice: dict[str, str]) -> tuple[str, str]:
    res = await client.post("/api/interviews", json={"archetypes": ["mentoring"]}, headers=alice)
    assert res.status_code == 201, res.text
    iid = res.json()["id"]
    assert (await answer_json(client, iid, WEAK, **alice)).status_code == 200
    res = await client.post("/api/stories", json=STORY, headers=alice)
    assert res.status_code == 201
    return iid, res.json()["id"]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/interviews/{iid}", None),
        ("POST", "/api/interviews/{iid}/answers", {"text": WEAK}),
        ("POST", "/api/interviews/{iid}/finish", None),
        ("GET", "/api/interviews/{iid}/debrief", None),
        ("GET", "/api/interviews/{iid}/debrief?format=html", None),
        ("GET", "/api/stories/{sid}", None),
        ("PUT", "/api/stories/{sid}", {**STORY, "title": "mine now"}),
        ("DELETE", "/api/stories/{sid}", None),
    ],
)
async def test_another_users_ids_are_404_like_unknown_ones(
    tokens: tuple[FastAPI, httpx.AsyncClient], method: str, path: str, body: dict[str, Any] | None
) -> None:
    app, client = tokens
    _, alice = await add_user(app, "alice")
    _, bob = await add_user(app, "bob")
    iid, sid = await _alices_things(client, alice)
    headers = {**bob, "Accept": "application/json"}
    theirs = await client.request(method, path.format(iid=iid, sid=sid), json=body, headers=headers)
    unknown = await client.request(
        method, path.format(iid="0" * 32, sid="0" * 32), json=body, headers=headers
    )
    assert theirs.status_code == unknown.status_code == 404
    assert theirs.json()["error"]["code"] == "not_found"
    # Alice's interview and story are untouched by Bob's attempts.
    interview = (await client.get(f"/api/interviews/{iid}", headers=alice)).json()
    assert interview["status"] == "active" and len(interview["turns"]) == 3
    assert (await client.get(f"/api/stories/{sid}", headers=alice)).json()["title"] == STORY["title"]


async def test_lists_audit_and_story_bank_are_per_user(tokens: tuple[FastAPI, httpx.AsyncClient]) -> None:
    app, client = tokens
    alice_id, alice = await add_user(app, "alice")
    _, bob = await add_user(app, "bob")
    iid, sid = await _alices_things(client, alice)
    assert [s["id"] for s in (await client.get("/api/stories", headers=alice)).json()] == [sid]
    assert (await client.get("/api/stories", headers=bob)).json() == []
    alice_audit = (await client.get("/api/stories/audit", headers=alice)).json()
    bob_audit = (await client.get("/api/stories/audit", headers=bob)).json()
    assert "contested_decision" not in alice_audit["missing_archetypes"]
    assert "contested_decision" in bob_audit["missing_archetypes"]
    # The same project told again: only its owner's bank counts against it.
    retold = "On Atlas I mentored Priya through the Helios feature store cutover for the ranker migration."
    for headers, reused in ((alice, True), (bob, False)):
        res = await client.post("/api/interviews", json={"archetypes": ["mentoring"]}, headers=headers)
        turn = (await answer_json(client, res.json()["id"], retold, **headers)).json()
        assert (turn["code"] == "ask_different_story") is reused
    async with app.state.sessions() as session:
        owner = await session.scalar(select(Interview.user_id).where(Interview.id == iid))
        story = await crud.get_story(session, story_id=sid)
    assert owner == alice_id and story is not None and story.user_id == alice_id


# --- `stardrive users` ------------------------------------------------------------------------


def _invoke(args: list[str]) -> Any:
    return runner.invoke(cli, args)


async def test_users_add_prints_a_working_token_and_stores_only_its_hash(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STARDRIVE_DATABASE_URL", database_url)
    # The command runs its own event loop: give it a thread.
    added = await asyncio.to_thread(_invoke, ["users", "add", "alice"])
    assert added.exit_code == 0, added.output
    token = added.stdout.strip()
    assert token.startswith("sd_") and len(token) == len("sd_") + 43
    assert "shown only now" in added.stderr and token not in added.stderr
    assert (await asyncio.to_thread(_invoke, ["users", "add", "bob"])).exit_code == 0
    again = await asyncio.to_thread(_invoke, ["users", "add", "alice"])
    assert again.exit_code == 2 and "already exists" in again.stderr
    listed = await asyncio.to_thread(_invoke, ["users", "list"])
    assert listed.exit_code == 0 and listed.stdout.splitlines() == ["alice", "bob"]

    async with serve_app(database_url, auth="tokens") as (app, client):
        async with app.state.sessions() as session:
            rows = list(await session.scalars(select(User)))
        assert [u.name for u in rows if u.token_hash == hash_token(token)] == ["alice"]
        stored = " ".join(f"{u.id} {u.name} {u.token_hash} {u.created_at}" for u in rows)
        assert token not in stored and token[3:] not in stored
        headers = {"Authorization": f"Bearer {token}"}
        assert (await client.get("/api/stories", headers=headers)).status_code == 200

        removed = await asyncio.to_thread(_invoke, ["users", "remove", "alice"])
        assert removed.exit_code == 0, removed.output
        assert (await client.get("/api/stories", headers=headers)).status_code == 401
    if database_url.startswith("sqlite"):
        path = Path(database_url.split(":///", 1)[1])
        files = [f for f in (path, path.with_name(path.name + "-wal")) if f.exists()]
        assert files and all(token.encode() not in f.read_bytes() for f in files)


@pytest.mark.parametrize("name", ["", "-alice", "a b", "x" * 101, "alice;drop"])
def test_users_add_rejects_bad_names(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STARDRIVE_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'u.db'}")
    result = runner.invoke(cli, ["users", "add", "--", name])
    assert result.exit_code == 2 and "a name is" in result.stderr


# --- `stardrive serve` ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("LOCALHOST", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.20", False),
        ("10.0.0.1", False),
        ("example.com", False),
        ("localhost.example.com", False),
    ],
)
def test_loopback_hosts(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


@pytest.fixture
def fake_server(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[list[dict[str, Any]]]:
    """`serve` without a server: uvicorn.run records its arguments; the database is a temp file."""
    import uvicorn

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: calls.append(kwargs))
    monkeypatch.setenv("STARDRIVE_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 's.db'}")
    monkeypatch.setenv("STARDRIVE_MIGRATE_ON_START", "true")
    monkeypatch.delenv("STARDRIVE_AUTH", raising=False)
    yield calls
    get_settings.cache_clear()  # serve cached settings read from this test's environment


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "example.com"])
def test_serve_refuses_a_public_host_without_auth(host: str, fake_server: list[dict[str, Any]]) -> None:
    result = runner.invoke(cli, ["serve", "--host", host])
    assert result.exit_code == 2
    assert "refusing to serve" in result.stderr and "STARDRIVE_AUTH=tokens" in result.stderr
    assert fake_server == []


@pytest.mark.parametrize(
    ("host", "env", "flags", "note"),
    [
        ("127.0.0.1", {}, [], None),
        ("localhost", {}, [], None),
        ("0.0.0.0", {}, ["--insecure-no-auth"], "TLS"),
        ("0.0.0.0", {"STARDRIVE_AUTH": "tokens"}, [], "no users yet"),
    ],
)
def test_serve_starts_on_loopback_with_auth_or_when_told(
    host: str,
    env: dict[str, str],
    flags: list[str],
    note: str | None,
    fake_server: list[dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    result = runner.invoke(cli, ["serve", "--host", host, *flags])
    assert result.exit_code == 0, result.output
    assert [call["host"] for call in fake_server] == [host]
    if note:
        assert note in result.stderr


# --- secrets never in logs, errors or responses -----------------------------------------------

SECRET_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access", "uvicorn.asgi", "LiteLLM", "httpx", "service")


async def test_token_and_api_key_never_reach_logs_or_responses(
    database_url: str, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    """A real uvicorn server (trace logging) over a model that cannot be reached, litellm at DEBUG."""
    import logging

    import litellm
    import uvicorn
    from pydantic import SecretStr

    api_key = "sk-live-" + new_token()[3:]
    settings = Settings(
        database_url=database_url,
        auth="tokens",
        model="openai/x",
        api_base="http://127.0.0.1:9/v1",
        api_key=SecretStr(api_key),
        model_retries=0,
        model_timeout_seconds=1.0,
        grading_wait_seconds=0.2,
    )
    app = create_app(settings)
    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, log_config=None, log_level="trace", access_log=True
    )
    server = uvicorn.Server(config)
    loggers = [logging.getLogger(name) for name in SECRET_LOGGERS]
    levels = [lg.level for lg in loggers]
    caplog.set_level(1)
    for lg in loggers:
        lg.addHandler(caplog.handler)
    task = asyncio.create_task(server.serve())
    bodies: list[str] = []
    try:
        while not server.started:
            assert not task.done(), "uvicorn did not start"
            await asyncio.sleep(0.05)
        litellm._turn_on_debug()
        for lg in loggers:
            lg.setLevel(1)
        port = server.servers[0].sockets[0].getsockname()[1]
        _, alice = await add_user(app, "alice")
        token = alice["Authorization"].split()[1]
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30, trust_env=False) as c:

            async def call(method: str, path: str, **kwargs: Any) -> httpx.Response:
                res = await c.request(method, path, **kwargs)
                bodies.append(f"{res.status_code} {res.headers} {res.text}")
                return res

            res = await call("POST", "/api/interviews", json={"archetypes": ["mentoring"]}, headers=alice)
            assert res.status_code == 201, res.text
            iid = res.json()["id"]
            streamed = await call(
                "POST", f"/api/interviews/{iid}/answers", json={"text": WEAK}, headers=alice
            )
            assert streamed.status_code == 200 and "event: turn" in streamed.text
            assert '"degraded": true' in streamed.text  # the model was unreachable: the builtin stood in
            json_headers = {**alice, "Accept": "application/json"}
            await call("POST", f"/api/interviews/{iid}/answers", json={"text": WEAK}, headers=json_headers)
            await call("POST", f"/api/interviews/{iid}/finish", headers=alice)
            for fmt in ("json", "md", "html"):
                await call("GET", f"/api/interviews/{iid}/debrief", params={"format": fmt}, headers=alice)
            await call("GET", f"/api/interviews/{iid}", headers=alice)
            await call("POST", "/api/stories", json=STORY, headers=alice)
            await call("GET", "/api/stories", headers={"Authorization": f"Bearer {token}x"})
            await call("GET", "/api/stories", headers={"Authorization": f"Basic {token}"})
            await call("POST", "/api/interviews", content=b"x" * 70_000, headers=alice)
            # Let the background grades (which also fail to reach the model) finish and log.
            for _ in range(100):
                debrief = (await call("GET", f"/api/interviews/{iid}/debrief", headers=alice)).json()
                if not debrief["pending_grades"]:
                    break
                await asyncio.sleep(0.1)
            # The shapes a careless log line takes: a header, bare values, a dict, a traceback.
            planted = logging.getLogger("service.test")
            planted.warning("header was Authorization: Bearer %s", token)
            planted.error("key %s token %s", api_key, token)
            planted.info("headers %s", {"authorization": f"Bearer {token}", "x-api-key": api_key})
            try:
                raise RuntimeError(f"upstream refused key {api_key}")
            except RuntimeError:
                planted.exception("model call failed")
    finally:
        server.should_exit = True
        await task
        for lg, level in zip(loggers, levels, strict=True):
            lg.removeHandler(caplog.handler)
            lg.setLevel(level)
        logging.getLogger("LiteLLM").setLevel(logging.WARNING)
    out, err = capfd.readouterr()
    logs = (
        "\n".join(f"{r.getMessage()}\n{r.exc_text or ''}\n{r.stack_info or ''}" for r in caplog.records)
        + caplog.text
    )
    assert len(caplog.records) > 20, "expected uvicorn and litellm to have logged"
    assert any(r.name.startswith("uvicorn") for r in caplog.records)
    assert logs.count("***") >= 6  # the planted lines were masked, not dropped
    assert "upstream refused key ***" in logs
    for secret in (api_key, token, token[3:]):
        for where, text in (
            ("logs", logs),
            ("stdout", out),
            ("stderr", err),
            ("responses", "\n".join(bodies)),
        ):
            assert secret not in text, f"a secret reached the {where}"
