"""The grading-job table as a queue: enqueue, claim with a lease, renew, finish, retry, release, sweep.

One table on both backends. A claim is a single `UPDATE … WHERE id = (SELECT … LIMIT 1) RETURNING`; on
PostgreSQL the inner select is `FOR UPDATE SKIP LOCKED`, so workers on any number of machines never claim
the same row; SQLite runs one writer at a time, so the same statement is atomic there without it. A claim
holds a lease; a job whose lease ran out (its worker died) is claimable again. Finishing is fenced on
(worker, attempt): a worker that lost its lease cannot overwrite what the new holder does.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Executable, and_, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from service.store import crud
from service.store.models import GradingJob, utcnow
from service.store.scrub import scrub

J = GradingJob


def fingerprint(answers: Sequence[str]) -> str:
    """The key that makes a job unique per (interview, archetype, these answers)."""
    digest = hashlib.sha256()
    for answer in answers:
        digest.update(answer.encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")  # answers hold no NUL (refused at the door): a safe separator
    return digest.hexdigest()


def enqueue(*, dialect: str, interview_id: str, archetype: str, answers: Sequence[str]) -> Executable:
    """The insert of one job, a no-op when the same answers were enqueued before. A statement, not a
    commit: it runs in the transaction that stores the answer completing them (`crud.add_turn(also=…)`)."""
    values = {
        "interview_id": interview_id,
        "archetype": archetype,
        "fingerprint": fingerprint(answers),
        "status": "queued",
        "attempts": 0,
        "fallbacks": 0,
        "run_after": utcnow(),
        "created_at": utcnow(),
        "updated_at": utcnow(),
    }
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(J).values(**values).on_conflict_do_nothing()


async def enqueue_now(
    session: AsyncSession, *, interview_id: str, archetype: str, answers: Sequence[str]
) -> None:
    """Enqueue and commit on its own (archetypes found without a job, e.g. answered before jobs existed)."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    await session.execute(
        enqueue(dialect=dialect, interview_id=interview_id, archetype=archetype, answers=answers)
    )
    await session.commit()


@dataclass(frozen=True)
class Claimed:
    id: int
    interview_id: str
    archetype: str
    fingerprint: str
    attempt: int
    fallbacks: int
    worker: str


def _eligible(now: datetime) -> Any:
    return or_(
        and_(J.status == "queued", J.run_after <= now),
        and_(J.status == "running", J.lease_until < now),
    )


async def claim(session: AsyncSession, *, worker: str, lease_seconds: float) -> Claimed | None:
    """Take the job that has waited longest, or None when none is due."""
    now = utcnow()
    pick = select(J.id).where(_eligible(now)).order_by(J.run_after, J.id).limit(1)
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        pick = pick.with_for_update(skip_locked=True)
    statement = (
        update(J)
        .where(J.id == pick.scalar_subquery())
        .values(
            status="running",
            attempts=J.attempts + 1,
            worker=worker,
            lease_until=now + timedelta(seconds=lease_seconds),
            updated_at=now,
        )
        .returning(J.id, J.interview_id, J.archetype, J.fingerprint, J.attempts, J.fallbacks)
        .execution_options(synchronize_session=False)
    )
    row = (await session.execute(statement)).one_or_none()
    await session.commit()
    if row is None:
        return None
    return Claimed(row[0], row[1], row[2], row[3], row[4], row[5], worker)


def _held(job: Claimed) -> Any:
    return and_(J.id == job.id, J.worker == job.worker, J.attempts == job.attempt, J.status == "running")


async def renew(session: AsyncSession, *, job: Claimed, lease_seconds: float) -> bool:
    """Extend the lease; False when it was lost (another worker holds the job now)."""
    now = utcnow()
    statement = (
        update(J)
        .where(_held(job))
        .values(lease_until=now + timedelta(seconds=lease_seconds), updated_at=now)
        .execution_options(synchronize_session=False)
    )
    result = await session.execute(statement)
    await session.commit()
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def finish(
    session: AsyncSession,
    *,
    job: Claimed,
    grader: str,
    grade: dict[str, Any],
    usage: list[dict[str, Any]] | None,
    fallback_reason: str | None,
) -> bool:
    """Store the grade and mark the job done, in one transaction, if this worker still holds it."""
    now = utcnow()
    marked = await session.execute(
        update(J)
        .where(_held(job))
        .values(status="done", lease_until=None, updated_at=now, last_error=scrub(fallback_reason))
        .execution_options(synchronize_session=False)
    )
    if not marked.rowcount:  # type: ignore[attr-defined]
        await session.rollback()
        return False
    # An upsert: a job that runs again (its first worker died after grading) replaces, never duplicates.
    await crud.save_archetype_grade(
        session,
        interview_id=job.interview_id,
        archetype=job.archetype,
        grader=grader,
        grade=grade,
        usage=usage,
        fallback_reason=fallback_reason,
        commit=False,
    )
    await session.commit()
    return True


async def retry(
    session: AsyncSession, *, job: Claimed, delay_seconds: float, error: str, fell_back: bool, give_up: bool
) -> bool:
    """Put the job back, due after `delay_seconds` (or mark it failed when `give_up`)."""
    now = utcnow()
    values: dict[str, Any] = {
        "status": "failed" if give_up else "queued",
        "run_after": now + timedelta(seconds=delay_seconds),
        "lease_until": None,
        "worker": None,
        "last_error": scrub(error),
        "updated_at": now,
    }
    if fell_back:
        values["fallbacks"] = J.fallbacks + 1
    result = await session.execute(
        update(J).where(_held(job)).values(**values).execution_options(synchronize_session=False)
    )
    await session.commit()
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def release(session: AsyncSession, *, job: Claimed) -> None:
    """Give a claimed job back untouched (shutdown): due at once, its claim not counted against it."""
    now = utcnow()
    await session.execute(
        update(J)
        .where(_held(job))
        .values(
            status="queued",
            attempts=J.attempts - 1,
            lease_until=None,
            worker=None,
            run_after=now,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    await session.commit()


async def sweep(session: AsyncSession, *, dead_workers: Sequence[str]) -> int:
    """Re-queue running jobs whose lease ran out, and those of workers known to be dead (a process of this
    machine that is gone: its lease need not be waited out). Returns how many."""
    now = utcnow()
    orphaned = (
        or_(J.lease_until < now, J.worker.in_(list(dead_workers))) if dead_workers else J.lease_until < now
    )
    result = await session.execute(
        update(J)
        .where(J.status == "running", orphaned)
        .values(status="queued", lease_until=None, worker=None, run_after=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    await session.commit()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def running_workers(session: AsyncSession) -> list[str]:
    """The workers holding a job now."""
    query = select(J.worker).where(J.status == "running", J.worker.is_not(None)).distinct()
    return [w for w in await session.scalars(query) if w]


async def jobs_of(session: AsyncSession, *, interview_id: str) -> list[GradingJob]:
    query = select(J).where(J.interview_id == interview_id).order_by(J.id)
    return list(await session.scalars(query))
