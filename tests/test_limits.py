"""Limits: body size (413), content type (415), writes per user per minute (429 + Retry-After), answers in
flight per user (429), and CORS only when configured. API tests run on every database backend."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from service import replying as replying_module
from service.api.errors import ApiError
from service.api.limits import StreamSlots, TokenBucket, retry_after
from service.llm.base import Request
from tests.test_api import WEAK, parse_sse
from tests.test_auth import STORY, add_user, serve_app

# --- 413: request bodies over the limit -------------------------------------------------------


def _answer_body(size: int) -> bytes:
    """A JSON answer of exactly `size` bytes."""
    head, tail = b'{"text": "' + WEAK.encode() + b" ", b'"}'
    return head + b"x" * (size - len(head) - len(tail)) + tail


async def _chunked(body: bytes, size: int = 8192) -> AsyncIterator[bytes]:
    """The body in pieces, with no Content-Length (Transfer-Encoding: chunked)."""
    for i in range(0, len(body), size):
        yield body[i : i + size]


@pytest.mark.parametrize(
    ("how", "size", "status"),
    [
        ("content-length", 70_000, 413),
        ("content-length", 64 * 1024 + 1, 413),
        ("chunked", 64 * 1024 + 1, 413),
        ("chunked", 1_000_000, 413),
        ("content-length", 10_000, 200),
        ("chunked", 10_000, 200),
    ],
)
async def test_body_over_the_limit_is_413(database_url: str, how: str, size: int, status: int) -> None:
    async with serve_app(database_url) as (_, client):
        iid = (await client.post("/api/interviews", json={"archetypes": ["mentoring"]})).json()["id"]
        body = _answer_body(size)
        assert len(body) == size
        res = await client.post(
            f"/api/interviews/{iid}/answers",
            content=_chunked(body) if how == "chunked" else body,
            headers={"Content-Type": "application/json", "Accept": "application/json"},
        )
        assert res.status_code == status, res.text
        turns = (await client.get(f"/api/interviews/{iid}")).json()["turns"]
        if status == 413:
            assert res.json()["error"]["code"] == "too_large"
            assert len(turns) == 1  # nothing of the refused answer was stored
        else:
            assert len(turns) == 3


async def test_body_limit_is_a_setting(database_url: str) -> None:
    async with serve_app(database_url, max_body_bytes=2048) as (_, client):
        res = await client.post("/api/stories", json={**STORY, "text": "I " * 1500})
        assert res.status_code == 413 and "2048" in res.json()["error"]["message"]


# --- 415: bodies that are not JSON ------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "content_type", "status"),
    [
        ("POST", "/api/interviews", "text/plain", 415),
        ("POST", "/api/interviews", "application/x-www-form-urlencoded", 415),
        ("POST", "/api/interviews", "multipart/form-data; boundary=x", 415),
        ("POST", "/api/interviews", None, 415),
        ("POST", "/api/interviews", "application/json-seq", 415),
        ("POST", "/api/stories", "text/json", 415),
        ("PUT", "/api/stories/{sid}", "text/plain", 415),
        ("POST", "/api/interviews", "application/json", 201),
        ("POST", "/api/interviews", "Application/JSON; charset=utf-8", 201),
        ("PUT", "/api/stories/{sid}", "application/json; charset=utf-8", 200),
    ],
)
async def test_body_must_be_json(
    database_url: str, method: str, path: str, content_type: str | None, status: int
) -> None:
    async with serve_app(database_url) as (_, client):
        sid = (await client.post("/api/stories", json=STORY)).json()["id"]
        body = STORY if "stories" in path else {"archetypes": ["mentoring"]}
        headers = {"Content-Type": content_type} if content_type else {}
        content = httpx.Request("POST", "http://x", json=body).content
        res = await client.request(method, path.format(sid=sid), content=content, headers=headers)
        assert res.status_code == status, res.text
        if status == 415:
            assert res.json()["error"]["code"] == "unsupported_media_type"


async def test_requests_without_a_body_need_no_content_type(database_url: str) -> None:
    async with serve_app(database_url) as (_, client):
        iid = (await client.post("/api/interviews", json={"archetypes": ["mentoring"]})).json()["id"]
        assert (await client.post(f"/api/interviews/{iid}/finish")).status_code == 200
        res = await client.post(f"/api/interviews/{iid}/finish", headers={"Content-Type": "text/plain"})
        assert res.status_code == 200


# --- 429: writes per user per minute ----------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    ("per_minute", "steps", "expected"),
    [
        # (seconds to wait before the write) -> allowed? / seconds to wait
        (3, [0, 0, 0, 0], [0, 0, 0, 20]),
        (3, [0, 0, 0, 0, 20], [0, 0, 0, 20, 0]),
        (3, [0, 0, 0, 0, 10], [0, 0, 0, 20, 10]),
        (60, [0] * 61, [0] * 60 + [1]),
        (120, [0] * 121 + [0.5], [0] * 120 + [0.5, 0]),
    ],
)
def test_token_bucket(per_minute: int, steps: list[float], expected: list[float]) -> None:
    clock = Clock()
    bucket = TokenBucket(per_minute, clock=clock)
    waits = []
    for step in steps:
        clock.now += step
        waits.append(round(bucket.take("alice"), 6))
    assert waits == expected
    assert bucket.take("bob") == 0  # every user has a bucket of their own


@pytest.mark.parametrize(("seconds", "header"), [(0.01, "1"), (1.0, "1"), (1.2, "2"), (20.0, "20")])
def test_retry_after_is_whole_seconds(seconds: float, header: str) -> None:
    assert retry_after(seconds) == header


async def test_writes_over_the_rate_are_429_with_retry_after(database_url: str) -> None:
    async with serve_app(database_url, auth="tokens", rate_limit_per_minute=3) as (app, client):
        _, alice = await add_user(app, "alice")
        _, bob = await add_user(app, "bob")
        for _ in range(3):
            assert (await client.post("/api/stories", json=STORY, headers=alice)).status_code == 201
        for method, path in (
            ("POST", "/api/stories"),
            ("POST", "/api/interviews"),
            ("DELETE", "/api/stories/x"),
        ):
            body = STORY if path == "/api/stories" else ({"count": 1} if method == "POST" else None)
            res = await client.request(method, path, json=body, headers=alice)
            assert res.status_code == 429, (method, path)
            assert res.json()["error"]["code"] == "rate_limited"
            assert 1 <= int(res.headers["Retry-After"]) <= 20
        assert (await client.get("/api/stories", headers=alice)).status_code == 200  # reads are not counted
        assert (await client.post("/api/stories", json=STORY, headers=bob)).status_code == 201
        assert len((await client.get("/api/stories", headers=alice)).json()) == 3


async def test_no_per_user_limits_in_single_user_mode(database_url: str) -> None:
    async with serve_app(database_url, rate_limit_per_minute=2, max_streams_per_user=1) as (app, client):
        for _ in range(6):
            assert (await client.post("/api/stories", json=STORY)).status_code == 201
        assert app.state.limits.writes is None and app.state.limits.streams.per_user == 0


# --- 429: answers in flight per user ----------------------------------------------------------


def test_stream_slots_cap_release_and_carry() -> None:
    slots = StreamSlots(per_user=4)
    leases = [slots.acquire("alice") for _ in range(4)]
    with pytest.raises(ApiError) as refused:
        slots.acquire("alice")
    assert refused.value.status == 429 and refused.value.code == "too_many_streams"
    assert slots.acquire("bob") is not None and slots.held("bob") == 1
    leases[0].release()
    leases[0].release()  # twice is harmless
    assert slots.held("alice") == 3
    with slots.acquire("alice"):
        assert slots.held("alice") == 4
    assert slots.held("alice") == 3
    with pytest.raises(RuntimeError), slots.acquire("alice"):
        raise RuntimeError("the route failed")
    assert slots.held("alice") == 3
    for lease in leases[1:]:
        lease.release()
    assert slots.held("alice") == 0
    assert StreamSlots(per_user=0).acquire("alice") is not None  # 0: no cap
    assert StreamSlots(per_user=4).acquire(None) is not None  # single-user mode


async def test_a_carried_lease_is_released_when_its_stream_ends() -> None:
    slots = StreamSlots(per_user=1)

    async def events() -> AsyncIterator[int]:
        yield 1
        yield 2

    with slots.acquire("alice") as lease:
        stream = lease.carry(events())
    assert slots.held("alice") == 1  # the stream holds it now
    assert [e async for e in stream] == [1, 2]
    assert slots.held("alice") == 0
    with slots.acquire("alice") as lease:
        never_started = lease.carry(events())
    lease.release()  # what the response's background task does when the stream never ran
    assert slots.held("alice") == 0
    del never_started


class Gate:
    """Holds every model reply open after its first words until `open` is set."""

    def __init__(self) -> None:
        self.open = asyncio.Event()
        self.waiting = 0


class HeldModel:
    def __init__(self, gate: Gate) -> None:
        self.gate = gate

    async def stream(self, request: Request) -> AsyncIterator[str]:
        words = request.builtin.split(" ")
        yield words[0]
        self.gate.waiting += 1
        await self.gate.open.wait()
        for word in words[1:]:
            yield " " + word

    async def structured(self, request: Request, schema: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError


async def _until(condition: Callable[[], bool], seconds: float = 10) -> None:
    for _ in range(int(seconds / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("timed out")


async def test_answers_in_flight_are_capped_per_user(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = Gate()
    monkeypatch.setattr(replying_module, "get_model", lambda *args, **kwargs: HeldModel(gate))
    async with serve_app(database_url, auth="tokens") as (app, client):
        alice_id, alice = await add_user(app, "alice")
        _, bob = await add_user(app, "bob")

        async def start(headers: dict[str, str]) -> str:
            res = await client.post("/api/interviews", json={"archetypes": ["mentoring"]}, headers=headers)
            return str(res.json()["id"])

        def answer(iid: str, headers: dict[str, str], accept: str = "text/event-stream") -> Any:
            return client.post(
                f"/api/interviews/{iid}/answers", json={"text": WEAK}, headers={**headers, "Accept": accept}
            )

        iids = [await start(alice) for _ in range(5)]
        accepts = ["text/event-stream", "text/event-stream", "application/json", "application/json"]
        held = [
            asyncio.create_task(answer(iid, alice, accept))
            for iid, accept in zip(iids, accepts, strict=False)
        ]
        await _until(lambda: gate.waiting == 4)
        assert app.state.limits.streams.held(alice_id) == 4

        fifth = await answer(iids[4], alice)
        assert fifth.status_code == 429 and fifth.json()["error"]["code"] == "too_many_streams"
        bobs = asyncio.create_task(answer(await start(bob), bob))  # Bob has slots of his own
        await _until(lambda: gate.waiting == 5)

        gate.open.set()
        done = await asyncio.gather(*held, bobs)
        assert [r.status_code for r in done] == [200] * 5
        assert parse_sse(done[0].text)[-1][0] == "turn" and done[2].json()["role"] == "interviewer"
        # Each slot comes back when its reply is done (that task ends just after its last event).
        await _until(lambda: app.state.limits.streams.held(alice_id) == 0)
        assert (await answer(iids[4], alice)).status_code == 200  # the slots came back


# --- CORS -------------------------------------------------------------------------------------

ORIGIN = "https://coach.example"


@pytest.mark.parametrize(
    ("origins", "origin", "allowed"),
    [
        (None, ORIGIN, False),
        (f"{ORIGIN},http://localhost:5173", ORIGIN, True),
        (f"{ORIGIN},http://localhost:5173", "http://localhost:5173", True),
        (ORIGIN, "https://evil.example", False),
        (ORIGIN, "https://coach.example.evil.example", False),
    ],
)
async def test_cors_only_for_configured_origins(
    database_url: str, monkeypatch: pytest.MonkeyPatch, origins: str | None, origin: str, allowed: bool
) -> None:
    from service.api.app import create_app
    from service.config import Settings

    if origins:
        monkeypatch.setenv("STARDRIVE_CORS_ORIGINS", origins)
    else:
        monkeypatch.delenv("STARDRIVE_CORS_ORIGINS", raising=False)
    app = create_app(Settings(database_url=database_url))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            simple = await client.get("/api/stories", headers={"Origin": origin})
            preflight = await client.options(
                "/api/interviews",
                headers={
                    "Origin": origin,
                    "Access-Control-Request-Method": "POST",
                    "Access-Control-Request-Headers": "authorization, content-type",
                },
            )
            refused = await client.post("/api/interviews", content=b"x", headers={"Origin": origin})
    assert simple.status_code == 200
    assert refused.status_code == 415
    if allowed:
        for res in (simple, preflight, refused):
            assert res.headers["access-control-allow-origin"] == origin
        assert preflight.status_code == 200
        assert "authorization" in preflight.headers["access-control-allow-headers"].lower()
    else:
        for res in (simple, preflight, refused):
            assert "access-control-allow-origin" not in res.headers
        assert preflight.status_code != 200 or "access-control-allow-methods" not in preflight.headers


@asynccontextmanager
async def uvicorn_app(database_url: str, **settings: Any) -> AsyncIterator[tuple[FastAPI, str]]:
    """The app on a real loopback socket (a client can really go away), in this process."""
    import uvicorn

    from service.api.app import create_app
    from service.config import Settings

    app = create_app(Settings(database_url=database_url, **settings))
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, log_config=None, log_level="warning")
    )
    task = asyncio.create_task(server.serve())
    try:
        await _until(lambda: server.started or task.done())
        assert not task.done(), "uvicorn did not start"
        yield app, f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    finally:
        server.should_exit = True
        await task


@pytest.mark.parametrize("clients", [5, 16])
async def test_a_client_that_goes_away_keeps_its_reply_counted(
    database_url: str, monkeypatch: pytest.MonkeyPatch, clients: int
) -> None:
    """Disconnecting does not free the slot: the reply is still being made (and saved) until it is done."""
    gate = Gate()
    monkeypatch.setattr(replying_module, "get_model", lambda *args, **kwargs: HeldModel(gate))
    async with uvicorn_app(database_url, auth="tokens", max_streams_per_user=4) as (app, base):
        alice_id, alice = await add_user(app, "alice")
        async with httpx.AsyncClient(base_url=base, timeout=30, trust_env=False, headers=alice) as client:
            iids = []
            for _ in range(clients + 1):
                res = await client.post("/api/interviews", json={"archetypes": ["mentoring"]})
                iids.append(res.json()["id"])
            statuses = []
            for iid in iids[:clients]:
                # Read the first words of the reply, then hang up.
                async with client.stream(
                    "POST", f"/api/interviews/{iid}/answers", json={"text": WEAK}
                ) as res:
                    statuses.append(res.status_code)
                    if res.status_code == 200:
                        async for _ in res.aiter_text():
                            break
            await asyncio.sleep(0.2)
            assert statuses == [200] * 4 + [429] * (clients - 4)
            assert gate.waiting == 4  # never more than four replies made at once
            assert app.state.limits.streams.held(alice_id) == 4
            refused = await client.post(f"/api/interviews/{iids[-1]}/answers", json={"text": WEAK})
            assert refused.status_code == 429 and refused.json()["error"]["code"] == "too_many_streams"

            gate.open.set()
            await _until(lambda: app.state.limits.streams.held(alice_id) == 0)
            for iid in iids[:4]:  # each reply was finished and saved although its client had gone
                turns = (await client.get(f"/api/interviews/{iid}")).json()["turns"]
                assert [t["role"] for t in turns] == ["interviewer", "candidate", "interviewer"]
            res = await client.post(
                f"/api/interviews/{iids[-1]}/answers",
                json={"text": WEAK},
                headers={"Accept": "application/json"},
            )
            assert res.status_code == 200  # the slots came back
