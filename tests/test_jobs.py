"""The grading-job queue on both backends (tests/db_fixtures.py): enqueue with the answer, unique per
answers, one claim per job, leases that run out, fencing, sweeping, giving back."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from service.errors import Conflict
from service.jobs import queue
from service.jobs.worker import is_dead_here, new_worker_id
from service.store import crud
from service.store.models import ArchetypeGrade, GradingJob, utcnow

Sessions = async_sessionmaker[AsyncSession]
ARCH = "mentoring"
GRADE: dict[str, Any] = {"archetype": ARCH, "level": "weak", "grader": "scripted"}


async def _interview(session: AsyncSession) -> str:
    interview = await crud.create_interview(session, archetypes=[ARCH], model="builtin", seed=1)
    return interview.id


def _dialect(session: AsyncSession) -> str:
    assert session.bind is not None
    return session.bind.dialect.name


async def _jobs(sessions: Sessions) -> list[GradingJob]:
    async with sessions() as session:
        return list(await session.scalars(select(GradingJob).order_by(GradingJob.id)))


async def _enqueued(sessions: Sessions, iid: str, *answer_sets: list[str]) -> None:
    async with sessions() as session:
        for answers in answer_sets:
            await queue.enqueue_now(session, interview_id=iid, archetype=ARCH, answers=answers)


@pytest.mark.parametrize(
    ("answer_sets", "rows"),
    [
        ([["a", "b"]], 1),
        ([["a", "b"], ["a", "b"]], 1),  # the same answers again: no second job
        ([["a", "b"], ["a", "b", "c"]], 2),
        ([["ab"], ["a", "b"]], 2),  # the split between answers is part of the key
    ],
)
async def test_a_job_is_unique_per_answers(
    session_factory: Sessions, answer_sets: list[list[str]], rows: int
) -> None:
    async with session_factory() as session:
        iid = await _interview(session)
    await _enqueued(session_factory, iid, *answer_sets)
    assert len(await _jobs(session_factory)) == rows


async def test_a_job_commits_with_its_answer_or_not_at_all(session_factory: Sessions) -> None:
    async with session_factory() as session:
        iid = await _interview(session)
        await crud.add_turn(session, interview_id=iid, role="interviewer", text="q", index=0)
        job = queue.enqueue(dialect=_dialect(session), interview_id=iid, archetype=ARCH, answers=["x"])
        await crud.add_turn(session, interview_id=iid, role="candidate", text="x", index=1, also=[job])
    assert [j.fingerprint for j in await _jobs(session_factory)] == [queue.fingerprint(["x"])]
    async with session_factory() as session:
        job = queue.enqueue(dialect=_dialect(session), interview_id=iid, archetype=ARCH, answers=["y"])
        with pytest.raises(Conflict):  # index 1 is taken: the answer is refused, and its job with it
            await crud.add_turn(session, interview_id=iid, role="candidate", text="y", index=1, also=[job])
    assert len(await _jobs(session_factory)) == 1


async def _claim(sessions: Sessions, worker: str, lease: float = 60.0) -> queue.Claimed | None:
    async with sessions() as session:
        return await queue.claim(session, worker=worker, lease_seconds=lease)


async def _expire_leases(sessions: Sessions) -> None:
    async with sessions() as session:
        await session.execute(update(GradingJob).values(lease_until=utcnow() - timedelta(seconds=1)))
        await session.commit()


async def test_one_claim_per_job_until_its_lease_runs_out(session_factory: Sessions) -> None:
    async with session_factory() as session:
        iid = await _interview(session)
    await _enqueued(session_factory, iid, ["a"])
    first = await _claim(session_factory, "w1")
    assert first is not None and first.attempt == 1
    assert await _claim(session_factory, "w2") is None  # held
    await _expire_leases(session_factory)  # w1 died without renewing
    second = await _claim(session_factory, "w2")
    assert second is not None and second.id == first.id and second.attempt == 2
    async with session_factory() as session:
        # w1 comes back: its lease is gone, so neither its renewal nor its grade counts.
        assert not await queue.renew(session, job=first, lease_seconds=60)
        assert not await queue.finish(
            session, job=first, grader="late", grade=GRADE, usage=None, fallback_reason=None
        )
        assert await queue.finish(
            session, job=second, grader="scripted", grade=GRADE, usage=None, fallback_reason=None
        )
        grades = list(await session.scalars(select(ArchetypeGrade)))
    assert [g.grader for g in grades] == ["scripted"]
    assert [j.status for j in await _jobs(session_factory)] == ["done"]
    assert await _claim(session_factory, "w3") is None


async def test_a_job_run_again_replaces_its_grade(session_factory: Sessions) -> None:
    async with session_factory() as session:
        iid = await _interview(session)
    await _enqueued(session_factory, iid, ["a"])
    for grader in ("first", "second"):
        job = await _claim(session_factory, "w")
        assert job is not None
        async with session_factory() as session:
            assert await queue.finish(
                session, job=job, grader=grader, grade=GRADE, usage=None, fallback_reason=None
            )
            # As if the job had not been marked done (a crash between grading and the next claim).
            await session.execute(update(GradingJob).values(status="queued"))
            await session.commit()
    async with session_factory() as session:
        grades = list(await session.scalars(select(ArchetypeGrade)))
    assert [g.grader for g in grades] == ["second"]


async def test_retry_waits_and_release_gives_the_claim_back(session_factory: Sessions) -> None:
    async with session_factory() as session:
        iid = await _interview(session)
    await _enqueued(session_factory, iid, ["a"])
    job = await _claim(session_factory, "w")
    assert job is not None
    async with session_factory() as session:
        await queue.retry(
            session, job=job, delay_seconds=3600, error="model down", fell_back=True, give_up=False
        )
    assert await _claim(session_factory, "w") is None  # not due for an hour
    (row,) = await _jobs(session_factory)
    assert (row.status, row.fallbacks, row.last_error) == ("queued", 1, "model down")
    async with session_factory() as session:
        await session.execute(update(GradingJob).values(run_after=utcnow()))
        await session.commit()
    job = await _claim(session_factory, "w")
    assert job is not None and job.attempt == 2
    async with session_factory() as session:
        await queue.release(session, job=job)
    (row,) = await _jobs(session_factory)
    assert (row.status, row.attempts, row.worker) == ("queued", 1, None)


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


@pytest.mark.parametrize(
    ("holder", "swept"),
    [
        ("dead process here", True),
        ("this process", False),
        ("another machine", False),
    ],
)
async def test_sweep_requeues_jobs_of_dead_workers_here(
    session_factory: Sessions, holder: str, swept: bool
) -> None:
    async with session_factory() as session:
        iid = await _interview(session)
    await _enqueued(session_factory, iid, ["a"])
    worker = {
        "dead process here": new_worker_id().replace(f":{os.getpid()}:", f":{_dead_pid()}:"),
        "this process": new_worker_id(),
        "another machine": f"elsewhere.invalid:{_dead_pid()}:abcd",
    }[holder]
    assert await _claim(session_factory, worker) is not None
    async with session_factory() as session:
        dead = [w for w in await queue.running_workers(session) if is_dead_here(w)]
        assert await queue.sweep(session, dead_workers=dead) == int(swept)
    (row,) = await _jobs(session_factory)
    assert row.status == ("queued" if swept else "running")
