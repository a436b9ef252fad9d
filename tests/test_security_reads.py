"""One user's reads cannot stall everyone (issue 10, item 2): reads are rate-limited per user, the debrief of
an unfinished interview is built once per state of the transcript, off the event loop and with no
database connection held, and a pool with no connection to spare answers a JSON 503 with Retry-After.
Timings are not asserted here: bench/read_flood.py measures them (README)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from service import engine as engine_module
from tests.test_api import WEAK
from tests.test_auth import STORY, add_user, serve_app

JSON = {"Accept": "application/json"}


@pytest.mark.parametrize(
    "path", ["/api/stories", "/api/interviews/{iid}", "/api/interviews/{iid}/debrief?format=md"]
)
async def test_reads_over_the_rate_are_429_with_retry_after(database_url: str, path: str) -> None:
    async with serve_app(database_url, auth="tokens", read_rate_limit_per_minute=60, read_burst=5) as (
        app,
        client,
    ):
        _, alice = await add_user(app, "alice")
        _, bob = await add_user(app, "bob")
        iid = (await client.post("/api/interviews", json={"count": 1}, headers=alice)).json()["id"]
        statuses = [(await client.get(path.format(iid=iid), headers=alice)).status_code for _ in range(6)]
        assert statuses == [200] * 5 + [429]
        refused = await client.get(path.format(iid=iid), headers=alice)
        assert refused.json()["error"]["code"] == "rate_limited"
        assert 1 <= int(refused.headers["Retry-After"]) <= 2  # one read a second comes back
        assert (await client.get("/api/stories", headers=bob)).status_code == 200  # Bob reads on
        # Reads and writes are counted apart: Alice can still answer.
        assert (await client.post("/api/stories", json=STORY, headers=alice)).status_code == 201


async def test_reads_are_not_limited_in_single_user_mode(database_url: str) -> None:
    async with serve_app(database_url, read_burst=2) as (app, client):
        for _ in range(5):
            assert (await client.get("/api/stories")).status_code == 200
        assert app.state.limits.reads is None


def _engine(app: Any) -> AsyncEngine:
    engine: AsyncEngine = app.state.sessions.kw["bind"]
    return engine


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/stories", None),
        ("GET", "/api/interviews/{iid}", None),
        ("GET", "/api/interviews/{iid}/debrief", None),
        ("POST", "/api/interviews/{iid}/answers", {"text": WEAK}),
        ("POST", "/api/interviews", {"count": 1}),
    ],
)
async def test_a_pool_with_no_connection_left_is_a_json_503(
    database_url: str, method: str, path: str, body: dict[str, Any] | None
) -> None:
    async with serve_app(database_url, database_pool_timeout_seconds=0.2) as (app, client):
        iid = (await client.post("/api/interviews", json={"archetypes": ["mentoring"]})).json()["id"]
        pool = _engine(app).pool
        async with AsyncExitStack() as held:
            # Take every connection the pool has (its size plus any overflow) and keep them.
            while pool.checkedout() < pool.size() + max(0, getattr(pool, "_max_overflow", 0)):  # type: ignore[attr-defined]
                session = await held.enter_async_context(app.state.sessions())
                await session.execute(text("SELECT 1"))
            res = await client.request(method, path.format(iid=iid), json=body, headers=JSON)
            assert res.status_code == 503, res.text
            assert res.json()["error"]["code"] == "unavailable"
            assert res.headers["Retry-After"] == "1"
        res = await client.request(method, path.format(iid=iid), json=body, headers=JSON)
        assert res.status_code in (200, 201), res.text  # connections back: served again, no restart


class CountingBuild:
    """Wraps build_debrief: how often it ran, on which thread, and how many connections were out then."""

    def __init__(self, engine: AsyncEngine | None = None) -> None:
        self.calls = 0
        self.threads: set[int] = set()
        self.checked_out: list[int] = []
        self.engine = engine
        self.real = engine_module.build_debrief

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        self.threads.add(threading.get_ident())
        if self.engine is not None:
            self.checked_out.append(self.engine.pool.checkedout())  # type: ignore[attr-defined]
        return self.real(*args, **kwargs)


@pytest.fixture
async def unfinished(database_url: str) -> AsyncIterator[tuple[Any, Any, str]]:
    async with serve_app(database_url) as (app, client):
        iid = (
            await client.post("/api/interviews", json={"archetypes": ["mentoring", "quality_incident"]})
        ).json()["id"]
        for _ in range(2):
            await client.post(f"/api/interviews/{iid}/answers", json={"text": WEAK}, headers=JSON)
        yield app, client, iid


async def test_unfinished_debrief_is_built_once_per_transcript_off_the_loop(
    unfinished: tuple[Any, Any, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    app, client, iid = unfinished
    build = CountingBuild(_engine(app))
    monkeypatch.setattr(engine_module, "build_debrief", build)
    url = f"/api/interviews/{iid}/debrief"
    first = await client.get(url)
    together = await asyncio.gather(*(client.get(f"{url}?format={f}") for f in ("json", "md", "html") * 4))
    again = await client.get(url)
    assert first.status_code == 200 and all(r.status_code == 200 for r in together)
    assert again.json() == first.json()
    assert build.calls == 1  # thirteen reads, one build
    assert threading.get_ident() not in build.threads  # built on a worker thread, not the event loop
    assert build.checked_out == [0]  # and no database connection held while it ran

    await client.post(f"/api/interviews/{iid}/answers", json={"text": WEAK}, headers=JSON)
    changed = await client.get(url)
    assert build.calls == 2  # a new answer: a new debrief
    assert changed.json() != first.json()
    finished = await client.post(f"/api/interviews/{iid}/finish")
    assert finished.status_code == 200 and finished.json() == changed.json()
    await client.get(url)
    assert build.calls == 2  # finishing the same transcript, then reading it: no rebuild


# --- quotas: what one account may keep -----------------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "path", "body", "allowed"),
    [
        ({"max_stories_per_user": 3}, "/api/stories", STORY, 3),
        ({"max_interviews_per_user": 2}, "/api/interviews", {"count": 1}, 2),
    ],
)
async def test_quotas_per_user(
    database_url: str, settings: dict[str, Any], path: str, body: dict[str, Any], allowed: int
) -> None:
    async with serve_app(database_url, auth="tokens", **settings) as (app, client):
        _, alice = await add_user(app, "alice")
        _, bob = await add_user(app, "bob")
        statuses = [
            (await client.post(path, json=body, headers=alice)).status_code for _ in range(allowed + 1)
        ]
        assert statuses == [201] * allowed + [403]
        refused = await client.post(path, json=body, headers=alice)
        assert refused.json()["error"]["code"] == "quota_exceeded"
        assert str(allowed) in refused.json()["error"]["message"]
        assert (await client.post(path, json=body, headers=bob)).status_code == 201  # Bob has his own
        if path == "/api/stories":  # deleting one makes room again
            first = (await client.get(path, headers=alice)).json()[0]["id"]
            assert (await client.delete(f"{path}/{first}", headers=alice)).status_code == 204
            assert (await client.post(path, json=body, headers=alice)).status_code == 201


# --- the answer path does not grow with the story bank ------------------------------------------


async def test_answers_read_the_story_bank_only_when_it_changed(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from service.store import crud

    loads: list[str | None] = []
    real = crud.list_stories

    async def counting(session: Any, *, user_id: str | None = None) -> Any:
        loads.append(user_id)
        return await real(session, user_id=user_id)

    async with serve_app(database_url, auth="tokens") as (app, client):
        _, alice = await add_user(app, "alice")
        for i in range(20):
            await client.post("/api/stories", json={**STORY, "title": f"story {i}"}, headers=alice)
        monkeypatch.setattr(crud, "list_stories", counting)

        async def answers(n: int) -> None:
            body = {"archetypes": ["killed_own_project", "mentoring"]}
            iid = (await client.post("/api/interviews", json=body, headers=alice)).json()["id"]
            for _ in range(n):
                await client.post(
                    f"/api/interviews/{iid}/answers", json={"text": WEAK}, headers={**alice, **JSON}
                )

        await answers(4)
        assert len(loads) == 1  # four answers, one read of the bank's texts
        sid = (await client.post("/api/stories", json=STORY, headers=alice)).json()["id"]
        await answers(2)
        assert len(loads) == 2  # a new story: read again, once
        await client.put(
            f"/api/stories/{sid}", json={**STORY, "text": STORY["text"] + " Again."}, headers=alice
        )
        await answers(2)
        assert len(loads) == 3
        await client.delete(f"/api/stories/{sid}", headers=alice)
        await answers(2)
        assert len(loads) == 4
