"""Grading jobs across processes: `kill -9` of the process that is grading, two api processes and two
`stardrive worker`s on one PostgreSQL, and a worker stopped mid-grade (issue 14).

The grader is the file-backed `scripted` model, shared by every process: a `{"hang": true}` line keeps a
process in the model call until it is killed. Waits poll the database under a hard time limit; nothing
asserts on a duration.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from service.api.app import create_app
from service.config import Settings
from service.llm.scripted_file import used_lines
from service.store.db import make_engine, make_sessionmaker
from service.store.models import ArchetypeGrade, GradingJob
from tests.db_fixtures import fresh_postgres_database
from tests.test_faults import (
    POSTGRES_URL,
    assert_well_formed,
    client_for,
    launch,
    needs_postgres,
    serve_env,
    serving,
    stardrive,
    stop,
    wait_healthy,
)
from tests.test_grading_jobs import ANSWERS, grader_reply, write_script

HANG: dict[str, Any] = {"hang": True}


def grading_env(database_url: str, script: Path, **extra: str) -> dict[str, str]:
    env = serve_env(database_url)
    env.update(
        STARDRIVE_GRADER_MODEL="scripted",
        STARDRIVE_SCRIPTED_REPLIES_FILE=str(script),
        STARDRIVE_GRADING_POLL_SECONDS="0.1",
        # Only the start-up sweep can free a dead process's job this side of ten minutes.
        STARDRIVE_GRADING_LEASE_SECONDS="600",
        # The jobs' own path: no model reading before each move, so the job is what asks the model.
        STARDRIVE_READING_BUDGET_SECONDS="0",
        **extra,
    )
    return env


@asynccontextmanager
async def database(url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = make_engine(url)
    try:
        yield make_sessionmaker(engine)
    finally:
        await engine.dispose()


async def until(check: Any) -> None:
    """Poll `check()` (async, truthy when done); the test's own time limit ends a wait that never does."""
    while not await check():
        await asyncio.sleep(0.1)


async def answer_to_wrap_up(client: httpx.AsyncClient, archetypes: list[str]) -> str:
    res = await client.post("/api/interviews", json={"archetypes": archetypes})
    assert res.status_code == 201, res.text
    iid = str(res.json()["id"])
    for text in ANSWERS * len(archetypes):
        res = await client.post(
            f"/api/interviews/{iid}/answers", json={"text": text}, headers={"Accept": "application/json"}
        )
        assert res.status_code == 200, res.text
        if res.json()["move"] == "wrap_up":
            return iid
    raise AssertionError("the interview never wrapped up")


async def test_kill_9_while_grading_then_the_grade_lands_after_restart(
    database_url: str, tmp_path: Path
) -> None:
    script = write_script(tmp_path / "grader.jsonl", [HANG, grader_reply()])
    env = grading_env(database_url, script)
    stardrive()
    async with asyncio.timeout(150), database(database_url) as sessions:
        first = launch(env, tmp_path, "first")
        try:
            await wait_healthy(first)
            async with client_for(first.base) as client:
                iid = await answer_to_wrap_up(client, ["killed_own_project"])

            async def grading() -> bool:
                return used_lines(script) == 1  # the first process is in the model call

            await until(grading)
            first.proc.send_signal(signal.SIGKILL)  # no shutdown, no release
            first.proc.wait(timeout=10)
        finally:
            stop(first)
        async with sessions() as session:
            (job,) = await session.scalars(select(GradingJob))
            assert (job.status, job.attempts) == ("running", 1)  # held by a dead process
        second = launch(env, tmp_path, "second")
        try:
            await wait_healthy(second)

            async def graded() -> bool:
                async with sessions() as session:
                    return bool(await session.scalar(select(func.count()).select_from(ArchetypeGrade)))

            await until(graded)
            async with sessions() as session:
                (grade,) = await session.scalars(select(ArchetypeGrade))
                (job,) = await session.scalars(select(GradingJob))
            assert (grade.interview_id, grade.grader) == (iid, "scripted")
            assert (job.status, job.attempts) == ("done", 2)
            async with client_for(second.base) as client:
                debrief = (await client.get(f"/api/interviews/{iid}/debrief")).json()
            assert debrief["archetypes"][0]["grade"]["grader"] == "scripted"
            assert debrief["pending_grades"] == []
        finally:
            stop(second)


def start_worker(env: dict[str, str], workdir: Path, name: str) -> subprocess.Popen[bytes]:
    with (workdir / f"{name}.log").open("ab") as out:
        return subprocess.Popen(
            [stardrive(), "worker"], env=env, cwd=workdir, stdout=out, stderr=subprocess.STDOUT
        )


async def answer_alternating(
    clients: list[httpx.AsyncClient], archetypes: list[str], n: int
) -> tuple[str, list[str]]:
    """An interview answered to its wrap-up, each answer sent to the other api process than the last."""
    res = await clients[n % 2].post("/api/interviews", json={"archetypes": archetypes})
    assert res.status_code == 201, res.text
    iid, sent = str(res.json()["id"]), []
    for i, text in enumerate(ANSWERS * len(archetypes)):
        res = await clients[(n + i + 1) % 2].post(
            f"/api/interviews/{iid}/answers",
            json={"text": text},
            headers={"Accept": "application/json", "Idempotency-Key": f"{iid}-{i}"},
        )
        assert res.status_code == 200, res.text
        sent.append(text)
        if res.json()["move"] == "wrap_up":
            return iid, sent
    raise AssertionError("the interview never wrapped up")


@needs_postgres
async def test_two_apis_and_two_workers_on_one_postgres_grade_each_archetype_once(tmp_path: Path) -> None:
    interviews, archetypes = 20, ["killed_own_project", "mentoring"]
    jobs = interviews * len(archetypes)
    script = write_script(tmp_path / "grader.jsonl", [grader_reply()] * (jobs + 5))
    async with asyncio.timeout(300), fresh_postgres_database(POSTGRES_URL) as url:
        env = grading_env(url, script, STARDRIVE_GRADING_CONCURRENCY="4")
        api_env = {**env, "STARDRIVE_GRADING_WORKER": "false"}  # `serve --no-grading-worker`
        workers = [start_worker(env, tmp_path, f"worker{i}") for i in range(2)]
        try:
            async with serving(api_env, tmp_path, count=2) as servers:
                a, b = (client_for(s.base) for s in servers)
                async with a, b:
                    results = await asyncio.gather(
                        *(answer_alternating([a, b], archetypes, n) for n in range(interviews))
                    )
                    for iid, sent in results:
                        turns = (await a.get(f"/api/interviews/{iid}")).json()["turns"]
                        assert_well_formed(turns)  # no lost or duplicated turn
                        assert [t["text"] for t in turns if t["role"] == "candidate"] == sent
            async with database(url) as sessions:

                async def all_done() -> bool:
                    assert all(w.poll() is None for w in workers), "a worker exited"
                    async with sessions() as session:
                        done = await session.scalar(
                            select(func.count()).select_from(GradingJob).where(GradingJob.status == "done")
                        )
                    return done == jobs

                await until(all_done)
                async with sessions() as session:
                    grades = list(await session.scalars(select(ArchetypeGrade)))
                    rows = list(await session.scalars(select(GradingJob)))
        finally:
            for w in workers:
                w.send_signal(signal.SIGTERM)
            for w in workers:
                try:
                    w.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    w.kill()
                    w.wait()
    ids = [iid for iid, _ in results]
    assert sorted((g.interview_id, g.archetype) for g in grades) == sorted(
        (i, a) for i in ids for a in archetypes
    )
    assert {g.grader for g in grades} == {"scripted"}
    assert [r.attempts for r in rows] == [1] * jobs  # no job claimed twice
    assert used_lines(script) == jobs  # the model was asked once per archetype
    assert [w.returncode for w in workers] == [0, 0]  # SIGTERM: a clean stop


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=needs_postgres)])
async def test_a_worker_stopped_mid_grade_gives_the_job_back(backend: str, tmp_path: Path) -> None:
    script = write_script(tmp_path / "grader.jsonl", [HANG, grader_reply()])
    async with asyncio.timeout(150), _url(backend, tmp_path) as url:
        env = grading_env(url, script, STARDRIVE_GRADING_DRAIN_SECONDS="0.2")
        settings = Settings(
            database_url=url,
            grader_model="scripted",
            scripted_replies_file=script,
            grading_worker=False,
            reading_budget_seconds=0,
        )
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                await answer_to_wrap_up(client, ["mentoring"])
        worker = start_worker(env, tmp_path, "worker")
        try:

            async def grading() -> bool:
                assert worker.poll() is None, "the worker exited"
                return used_lines(script) == 1

            await until(grading)
            worker.send_signal(signal.SIGTERM)
            assert await asyncio.to_thread(worker.wait, 30) == 0
        finally:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
        async with database(url) as sessions, sessions() as session:
            (job,) = await session.scalars(select(GradingJob))
        # Given back untouched: due now, for the next worker, its interrupted claim not counted.
        assert (job.status, job.attempts, job.worker) == ("queued", 0, None)


@asynccontextmanager
async def _url(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'stardrive.db'}"
        return
    async with fresh_postgres_database(POSTGRES_URL) as url:
        yield url


async def test_worker_once_works_the_jobs_that_are_due_and_exits(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'stardrive.db'}"
    script = write_script(tmp_path / "grader.jsonl", [grader_reply()])
    settings = Settings(
        database_url=url,
        grader_model="scripted",
        scripted_replies_file=script,
        grading_worker=False,
        reading_budget_seconds=0,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        assert app.state.grading_worker is None  # what `serve --no-grading-worker` sets
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            iid = await answer_to_wrap_up(client, ["mentoring"])
    done = await asyncio.to_thread(
        subprocess.run,
        [stardrive(), "worker", "--once"],
        env=grading_env(url, script),
        cwd=tmp_path,
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert b"1 grading job(s) worked" in done.stdout
    async with database(url) as sessions, sessions() as session:
        (grade,) = await session.scalars(select(ArchetypeGrade))
    assert (grade.interview_id, grade.grader) == (iid, "scripted")
