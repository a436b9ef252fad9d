"""Faults made to happen, and what the service does about them (issue 6).

- PostgreSQL stopped and started again under a running app (between answers, and while a reply streams).
- `kill -9` of `stardrive serve` while it streams a reply, then a retry with the same Idempotency-Key.
- Two `stardrive serve` processes on one PostgreSQL database, one interview's answers alternating.
- Two answers to one interview at once, or one sent while the other's reply still streams.
- The same answer sent again (same Idempotency-Key, or same text) while its reply still streams.

The model's own faults (429, 500, timeouts, cut streams, bad JSON) are in tests/test_model_faults.py.
Every server here listens on loopback; the slow model is tests/fake_openai.py. Each test runs under a
hard time limit and stops what it started in `finally`.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import make_url

from service.api.app import create_app
from service.config import Settings
from tests.db_fixtures import POSTGRES_ENV, fresh_postgres_database
from tests.fake_openai import QUESTION, FakeOpenAI
from tests.servers import free_port, stardrive_executable
from tests.servers import stop as stop_process
from tests.servers import wait_healthy as wait_until_up
from tests.test_api import STRONG_FOLLOWUP, WEAK

POSTGRES_URL = os.environ.get(POSTGRES_ENV, "")
MEDIUM = (
    "Our team was split on whether to keep investing in the new retrieval pipeline. I looked at the "
    "results so far, talked with the product lead, and recommended we pause it and ship the smaller version."
)
STRONG = (
    "I called the kill on my own six-month ranker bet: the trade-off was sunk cost against shipping "
    "known wins. I showed the team my evals, we pivoted, and eval cost dropped 40% the next quarter. "
    "Our bet template now requires an upfront slice analysis."
)
ANSWERS = [WEAK, MEDIUM, STRONG, STRONG_FOLLOWUP]
ROOT = Path(__file__).resolve().parent.parent
JSON = {"Accept": "application/json"}
SSE = {"Accept": "text/event-stream"}

needs_postgres = pytest.mark.skipif(
    not POSTGRES_URL, reason=f'{POSTGRES_ENV} is not set; `eval "$(bash scripts/postgres.sh)"` sets it'
)


# --- helpers: `stardrive serve` as a subprocess ---------------------------------------------------


def stardrive() -> str:
    found = stardrive_executable()
    if not found:
        pytest.skip("no `stardrive` executable next to this Python or on PATH")
    return found


@dataclass
class Server:
    proc: subprocess.Popen[bytes]
    base: str
    log: Path


def serve_env(database_url: str, *, model: str = "builtin", api_base: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STARDRIVE_")}
    env.update(
        STARDRIVE_DATABASE_URL=database_url,
        STARDRIVE_MODEL=model,
        STARDRIVE_MODEL_RETRIES="0",
        STARDRIVE_MODEL_TIMEOUT_SECONDS="10",
        LITELLM_LOCAL_MODEL_COST_MAP="True",
        NO_PROXY="127.0.0.1,localhost",
        no_proxy="127.0.0.1,localhost",
    )
    if api_base:
        env["STARDRIVE_API_BASE"] = api_base
    return env


def launch(env: dict[str, str], workdir: Path, name: str) -> Server:
    """Start `stardrive serve` on a free loopback port (not yet waited for)."""
    port = free_port()
    log = workdir / f"{name}.log"
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [stardrive(), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            cwd=workdir,  # so no .env from the repository is read
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return Server(proc, f"http://127.0.0.1:{port}", log)


async def wait_healthy(server: Server, timeout: float = 60.0) -> None:
    await asyncio.to_thread(wait_until_up, server.proc, f"{server.base}/healthz", server.log, timeout=timeout)


def stop(server: Server) -> None:
    stop_process(server.proc)


@asynccontextmanager
async def serving(env: dict[str, str], workdir: Path, count: int = 1) -> AsyncIterator[list[Server]]:
    """`count` servers started at once (so they also race to migrate), healthy, stopped at the end."""
    servers: list[Server] = []
    try:
        for i in range(count):
            servers.append(launch(env, workdir, f"server{i}"))
        await asyncio.gather(*(wait_healthy(s) for s in servers))
        yield servers
    finally:
        for s in servers:
            stop(s)


@pytest.fixture
def fake_model() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(token_delay=0.3) as fake:
        yield fake


def client_for(base: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=base, trust_env=False, timeout=httpx.Timeout(30, connect=5))


# --- helpers: the API ------------------------------------------------------------------------------


async def sse_events(res: httpx.Response) -> AsyncIterator[tuple[str, dict[str, Any]]]:
    kind, data = "message", ""
    async for line in res.aiter_lines():
        if not line:
            if data:
                yield kind, json.loads(data)
            kind, data = "message", ""
        elif line.startswith("event:"):
            kind = line[6:].strip()
        elif line.startswith("data:"):
            data += line[5:].strip()


async def start_interview(client: httpx.AsyncClient, archetypes: list[str]) -> str:
    res = await client.post("/api/interviews", json={"archetypes": archetypes})
    assert res.status_code == 201, res.text
    return str(res.json()["id"])


async def transcript(client: httpx.AsyncClient, iid: str) -> list[dict[str, Any]]:
    res = await client.get(f"/api/interviews/{iid}")
    assert res.status_code == 200, res.text
    turns: list[dict[str, Any]] = res.json()["turns"]
    return turns


async def answer(client: httpx.AsyncClient, iid: str, text: str, key: str | None = None) -> httpx.Response:
    headers = {**JSON, **({"Idempotency-Key": key} if key else {})}
    return await client.post(f"/api/interviews/{iid}/answers", json={"text": text}, headers=headers)


async def answer_streamed(
    client: httpx.AsyncClient, iid: str, text: str, key: str | None = None
) -> list[tuple[str, dict[str, Any]]]:
    headers = {**SSE, **({"Idempotency-Key": key} if key else {})}
    async with client.stream(
        "POST", f"/api/interviews/{iid}/answers", json={"text": text}, headers=headers
    ) as res:
        assert res.status_code == 200, (await res.aread()).decode()
        return [e async for e in sse_events(res)]


def assert_well_formed(turns: list[dict[str, Any]]) -> None:
    """Indexes 0..n with no gap or repeat; the interviewer and the candidate take turns."""
    assert [t["index"] for t in turns] == list(range(len(turns)))
    assert [t["role"] for t in turns] == [("interviewer", "candidate")[i % 2] for i in range(len(turns))]


# --- PostgreSQL stopped and started under a running app -------------------------------------------


@dataclass(frozen=True)
class Cluster:
    version: str
    name: str
    port: int

    def ctl(self, action: str) -> None:
        subprocess.run(
            ["pg_ctlcluster", self.version, self.name, action],
            check=True,
            timeout=60,
            capture_output=True,
        )

    def running(self) -> bool:
        status = subprocess.run(
            ["pg_ctlcluster", self.version, self.name, "status"], timeout=30, capture_output=True
        )
        return status.returncode == 0

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready = subprocess.run(
                ["pg_isready", "-q", "-h", "127.0.0.1", "-p", str(self.port)], timeout=10, check=False
            )
            if ready.returncode == 0:
                return
            time.sleep(0.2)
        raise AssertionError(f"PostgreSQL on port {self.port} not ready after {timeout:.0f} s")

    def ensure_running(self) -> None:
        if not self.running():
            self.ctl("start")
        self.wait_ready()


def local_cluster() -> Cluster:
    """The pg_ctlcluster cluster that serves STARDRIVE_TEST_POSTGRES_URL (skip when there is none)."""
    if not POSTGRES_URL:
        pytest.skip(f"{POSTGRES_ENV} is not set")
    if not (shutil.which("pg_ctlcluster") and shutil.which("pg_lsclusters") and shutil.which("pg_isready")):
        pytest.skip("pg_ctlcluster is not installed: cannot stop and start PostgreSQL")
    if os.geteuid() != 0:
        pytest.skip("stopping the PostgreSQL cluster needs root")
    url = make_url(POSTGRES_URL)
    if url.host not in ("127.0.0.1", "localhost", "::1"):
        pytest.skip("the test PostgreSQL is not local")
    port = url.port or 5432
    listing = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True, timeout=30, check=True)
    for line in listing.stdout.splitlines():
        fields = line.split()
        if len(fields) >= 3 and fields[2] == str(port):
            return Cluster(fields[0], fields[1], port)
    pytest.skip(f"no local cluster on port {port}")


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    found = local_cluster()
    found.ensure_running()
    try:
        yield found
    finally:
        found.ensure_running()  # whatever happened, leave PostgreSQL up for the rest of the suite


@asynccontextmanager
async def in_process(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test", timeout=30) as client:
            yield client


def assert_unavailable(res: httpx.Response) -> None:
    assert res.status_code == 503, res.text
    assert res.json()["error"]["code"] == "unavailable"
    assert int(res.headers["Retry-After"]) > 0


@needs_postgres
async def test_postgres_restart_between_answers(cluster: Cluster) -> None:
    async with (
        asyncio.timeout(120),
        fresh_postgres_database(POSTGRES_URL) as url,
        in_process(Settings(database_url=url)) as client,
    ):
        iid = await start_interview(client, ["killed_own_project", "mentoring"])
        assert (await answer(client, iid, WEAK)).status_code == 200
        before = await transcript(client, iid)
        try:
            await asyncio.to_thread(cluster.ctl, "stop")
            # Down: a clear 503 with Retry-After, quickly -- not a 500, not a hang.
            calls: list[Callable[[], Awaitable[httpx.Response]]] = [
                lambda: client.get(f"/api/interviews/{iid}"),
                lambda: answer(client, iid, MEDIUM, key="after-restart"),
                lambda: client.post("/api/interviews", json={"archetypes": ["mentoring"]}),
            ]
            for call in calls:
                began = time.monotonic()
                res = await asyncio.wait_for(call(), 15)
                assert_unavailable(res)
                assert time.monotonic() - began < 10
        finally:
            await asyncio.to_thread(cluster.ensure_running)
        # Up again: the same app (no restart) carries on where it was; nothing lost, nothing doubled.
        assert await transcript(client, iid) == before
        res = await answer(client, iid, MEDIUM, key="after-restart")
        assert res.status_code == 200, res.text
        turns = await transcript(client, iid)
        assert turns[: len(before)] == before and len(turns) == len(before) + 2
        assert [t["text"] for t in turns if t["role"] == "candidate"] == [WEAK, MEDIUM]
        assert_well_formed(turns)
        assert (await answer(client, iid, STRONG)).status_code == 200
        assert_well_formed(await transcript(client, iid))


@needs_postgres
async def test_postgres_restart_while_a_reply_streams(cluster: Cluster, fake_model: FakeOpenAI) -> None:
    """The answer is committed, the model is still talking, the database goes away: the reply cannot
    be saved; once the database is back, sending the same answer again produces it, once."""
    async with asyncio.timeout(120), fresh_postgres_database(POSTGRES_URL) as url:
        settings = Settings(
            database_url=url,
            model="openai/fake",
            api_base=fake_model.api_base,
            model_retries=0,
            model_timeout_seconds=10,
        )
        async with in_process(settings) as client:
            iid = await start_interview(client, ["killed_own_project", "mentoring"])
            try:
                pending = asyncio.create_task(answer(client, iid, WEAK, key="k1"))
                while fake_model.stream_calls == 0:  # the model is asked after the answer is committed
                    assert not pending.done(), pending.result().text
                    await asyncio.sleep(0.02)
                await asyncio.to_thread(cluster.ctl, "stop")
                first = await asyncio.wait_for(pending, 30)
                assert_unavailable(first)  # the reply could not be saved: said so, not a 500
            finally:
                await asyncio.to_thread(cluster.ensure_running)
            turns = await transcript(client, iid)
            assert [t["role"] for t in turns] == ["interviewer", "candidate"]  # the answer survived
            fake_model.token_delay = 0.0
            res = await answer(client, iid, WEAK, key="k1")
            assert res.status_code == 200, res.text
            assert res.json()["text"] == QUESTION and res.json()["index"] == 2
            turns = await transcript(client, iid)
            assert [t["text"] for t in turns if t["role"] == "candidate"] == [WEAK]
            assert_well_formed(turns)
            assert len(turns) == 3


# --- kill -9 of the server while it streams -----------------------------------------------------


async def test_kill_9_while_streaming_then_retry_with_the_same_key(
    tmp_path: Path, fake_model: FakeOpenAI
) -> None:
    env = serve_env(
        f"sqlite+aiosqlite:///{tmp_path / 'kill.db'}", model="openai/fake", api_base=fake_model.api_base
    )
    async with asyncio.timeout(150):
        first = launch(env, tmp_path, "first")
        try:
            await wait_healthy(first)
            async with client_for(first.base) as client:
                iid = await start_interview(client, ["killed_own_project", "mentoring"])
                headers = {**SSE, "Idempotency-Key": "answer-1"}
                url = f"/api/interviews/{iid}/answers"
                async with client.stream("POST", url, json={"text": WEAK}, headers=headers) as res:
                    assert res.status_code == 200
                    seen = []
                    async for kind, _ in sse_events(res):
                        seen.append(kind)
                        if kind == "token":
                            first.proc.kill()  # SIGKILL mid-reply: no shutdown, no cleanup
                            first.proc.wait(timeout=10)
                            break
                    assert seen == ["token"], seen
        finally:
            stop(first)
        assert first.proc.returncode == -9

        fake_model.token_delay = 0.02
        second = launch(env, tmp_path, "second")  # same database file
        try:
            await wait_healthy(second)
            async with client_for(second.base) as client:
                turns = await transcript(client, iid)
                assert [(t["role"], t["text"]) for t in turns] == [
                    ("interviewer", turns[0]["text"]),
                    ("candidate", WEAK),
                ]
                events = await answer_streamed(client, iid, WEAK, key="answer-1")
                assert events[-1][0] == "turn"
                reply = events[-1][1]
                assert reply["index"] == 2 and reply["role"] == "interviewer"
                assert reply["text"] == QUESTION and reply["degraded"] is False
                assert "".join(d["text"] for k, d in events if k == "token").strip() == QUESTION
                turns = await transcript(client, iid)
                assert_well_formed(turns)
                assert [t["text"] for t in turns if t["role"] == "candidate"] == [WEAK]
                assert len(turns) == 3
                # The same key once more: the same reply, nothing added.
                again = await answer(client, iid, WEAK, key="answer-1")
                assert again.status_code == 200 and again.json() == reply
                assert len(await transcript(client, iid)) == 3
                # And the interview goes on.
                nxt = await answer(client, iid, STRONG, key="answer-2")
                assert nxt.status_code == 200, nxt.text
                turns = await transcript(client, iid)
                assert_well_formed(turns)
                assert [t["text"] for t in turns if t["role"] == "candidate"] == [WEAK, STRONG]
        finally:
            stop(second)


# --- two servers, one PostgreSQL ------------------------------------------------------------------


@needs_postgres
async def test_two_servers_on_one_postgres_alternate_answers(tmp_path: Path) -> None:
    async with (
        asyncio.timeout(150),
        fresh_postgres_database(POSTGRES_URL) as url,
        serving(serve_env(url), tmp_path, count=2) as servers,
    ):
        a, b = (client_for(s.base) for s in servers)
        async with a, b:
            clients = [a, b]

            async def one_interview(n: int) -> tuple[str, list[str]]:
                iid = await start_interview(clients[n % 2], ["killed_own_project", "mentoring"])
                sent: list[str] = []
                for i in range(14):
                    text = ANSWERS[(n + i) % len(ANSWERS)]
                    server = clients[(n + i + 1) % 2]
                    res = await answer(server, iid, text, key=f"{iid}-{i}")
                    assert res.status_code == 200, res.text
                    sent.append(text)
                    if i == 1:  # a retry that lands on the other server changes nothing
                        again = await answer(clients[(n + i) % 2], iid, text, key=f"{iid}-{i}")
                        assert again.json() == res.json()
                    if res.json()["move"] == "wrap_up":
                        break
                return iid, sent

            # One interview alone, then eight at once, every one alternating between the servers.
            results = [await one_interview(0)]
            results += await asyncio.gather(*(one_interview(n) for n in range(1, 9)))
            for iid, sent in results:
                turns_a, turns_b = await transcript(a, iid), await transcript(b, iid)
                assert turns_a == turns_b
                assert_well_formed(turns_a)
                assert [t["text"] for t in turns_a if t["role"] == "candidate"] == sent
                assert turns_a[-1]["move"] == "wrap_up"
                assert (await a.get(f"/api/interviews/{iid}")).json()["status"] == "finished"
                debrief = await b.post(f"/api/interviews/{iid}/finish")
                assert debrief.status_code == 200, debrief.text


# --- two answers to one interview at once --------------------------------------------------------


async def test_second_answer_while_the_first_reply_streams_gets_409(
    tmp_path: Path, fake_model: FakeOpenAI
) -> None:
    env = serve_env(
        f"sqlite+aiosqlite:///{tmp_path / 'race.db'}", model="openai/fake", api_base=fake_model.api_base
    )
    async with asyncio.timeout(120), serving(env, tmp_path) as [server], client_for(server.base) as client:
        iid = await start_interview(client, ["killed_own_project", "mentoring"])
        url = f"/api/interviews/{iid}/answers"
        async with client.stream("POST", url, json={"text": WEAK}, headers=SSE) as first:
            assert first.status_code == 200
            events = sse_events(first)
            kind, _ = await anext(events)
            assert kind == "token"
            # The first reply is still streaming: a different answer is refused, as JSON or as SSE.
            for headers in (JSON, SSE):
                other = await client.post(url, json={"text": MEDIUM}, headers=headers)
                assert other.status_code == 409, other.text
                assert other.json()["error"]["code"] == "conflict"
            rest = [e async for e in events]
        assert rest[-1][0] == "turn" and rest[-1][1]["text"] == QUESTION
        turns = await transcript(client, iid)
        assert_well_formed(turns)
        assert [t["text"] for t in turns if t["role"] == "candidate"] == [WEAK]
        assert len(turns) == 3


async def test_two_answers_at_once_one_wins(tmp_path: Path, fake_model: FakeOpenAI) -> None:
    # Slow enough (16 tokens, 1.6 s) that both requests are in before the first reply is done.
    fake_model.token_delay = 0.1
    env = serve_env(
        f"sqlite+aiosqlite:///{tmp_path / 'race.db'}", model="openai/fake", api_base=fake_model.api_base
    )
    async with asyncio.timeout(120), serving(env, tmp_path) as [server], client_for(server.base) as client:
        for attempt in range(4):
            iid = await start_interview(client, ["killed_own_project", "mentoring"])
            texts = (WEAK, MEDIUM)
            results = await asyncio.gather(*(answer(client, iid, t, key=f"{attempt}-{t[:8]}") for t in texts))
            statuses = sorted(r.status_code for r in results)
            assert statuses == [200, 409], [r.text for r in results]
            winner = texts[[r.status_code for r in results].index(200)]
            loser = next(r for r in results if r.status_code == 409)
            assert loser.json()["error"]["code"] == "conflict"
            turns = await transcript(client, iid)
            assert_well_formed(turns)
            assert [t["text"] for t in turns if t["role"] == "candidate"] == [winner]
            assert len(turns) == 3


@pytest.mark.parametrize("key", ["retry-1", None], ids=["same-key", "same-text"])
async def test_retry_while_the_first_reply_streams_gets_that_reply(
    tmp_path: Path, fake_model: FakeOpenAI, key: str | None
) -> None:
    """A client that gave up waiting (or a double click) sends the same answer again while the first
    reply is still being made: it should end with the reply that was saved, and add nothing."""
    fake_model.token_delay = 0.2
    env = serve_env(
        f"sqlite+aiosqlite:///{tmp_path / 'retry.db'}", model="openai/fake", api_base=fake_model.api_base
    )
    async with asyncio.timeout(120), serving(env, tmp_path) as [server], client_for(server.base) as client:
        iid = await start_interview(client, ["killed_own_project", "mentoring"])
        first = asyncio.create_task(answer_streamed(client, iid, WEAK, key=key))
        while len(await transcript(client, iid)) < 2:  # the answer is committed, the reply under way
            assert not first.done()
            await asyncio.sleep(0.05)
        try:
            again = await answer_streamed(client, iid, WEAK, key=key)
        finally:
            done = await first
        assert done[-1][0] == "turn"
        turns = await transcript(client, iid)
        assert_well_formed(turns)
        assert len(turns) == 3
        assert again[-1] == ("turn", turns[2])
        # The retry followed the reply under way: the same tokens, and no second model call.
        assert [e for e in again if e[0] == "token"] == [e for e in done if e[0] == "token"]
        assert fake_model.stream_calls == 1


async def test_a_client_gone_mid_stream_still_gets_its_reply_saved(
    tmp_path: Path, fake_model: FakeOpenAI
) -> None:
    """The browser drops while the reply streams: the reply is still made and saved once, and the retry
    with the same Idempotency-Key is answered from it, with no second model call."""
    fake_model.token_delay = 0.1
    env = serve_env(
        f"sqlite+aiosqlite:///{tmp_path / 'gone.db'}", model="openai/fake", api_base=fake_model.api_base
    )
    async with asyncio.timeout(120), serving(env, tmp_path) as [server], client_for(server.base) as client:
        iid = await start_interview(client, ["killed_own_project", "mentoring"])
        headers = {**SSE, "Idempotency-Key": "gone-1"}
        async with client.stream(
            "POST", f"/api/interviews/{iid}/answers", json={"text": WEAK}, headers=headers
        ) as res:
            events = sse_events(res)
            assert (await anext(events))[0] == "token"
        # The stream is closed after one token. The reply goes on being made, and is saved.
        while len(turns := await transcript(client, iid)) < 3:
            await asyncio.sleep(0.1)
        assert_well_formed(turns)
        assert turns[2]["text"] == QUESTION
        again = await answer_streamed(client, iid, WEAK, key="gone-1")
        assert again[-1] == ("turn", turns[2])
        assert fake_model.stream_calls == 1
        assert len(await transcript(client, iid)) == 3
