"""The grading worker: claims jobs, grades them, retries with backoff, gives jobs back on shutdown.

`stardrive worker` runs one on its own; `serve` runs one in-process (unless `--no-grading-worker`). Any
number of them may share a database. At start-up a worker re-queues the jobs of workers that are gone: those
whose lease ran out, and at once those of a dead process on this machine (a `kill -9`, an OOM kill), whose
lease need not be waited out.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import socket
import uuid

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from service.catalog import Catalog
from service.config import Settings
from service.jobs import queue
from service.jobs.grade import grade_job
from service.jobs.queue import Claimed

log = logging.getLogger(__name__)


def new_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def is_dead_here(worker: str) -> bool:
    """True for a worker id of a process of this machine that no longer runs."""
    host, _, rest = worker.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit() or int(pid_text) == os.getpid():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # alive, another user's
    return False


def backoff(settings: Settings, tries: int) -> float:
    """Seconds before try `tries + 1`: exponential, capped, with jitter so retries do not arrive together."""
    delay = min(
        settings.grading_retry_max_seconds, settings.grading_retry_initial_seconds * 2.0 ** max(0, tries - 1)
    )
    return float(delay * random.uniform(0.5, 1.0))


class GradingWorker:
    def __init__(
        self, *, sessions: async_sessionmaker[AsyncSession], settings: Settings, catalog: Catalog
    ) -> None:
        self.sessions = sessions
        self.settings = settings
        self.catalog = catalog
        self.id = new_worker_id()
        self._wake = asyncio.Event()
        self._stopping = False
        self._loop: asyncio.Task[None] | None = None
        self._running: dict[asyncio.Task[None], Claimed] = {}

    def wake(self) -> None:
        """A job was just enqueued by this process: look now rather than at the next poll."""
        self._wake.set()

    async def sweep(self) -> int:
        async with self.sessions() as session:
            dead = [w for w in await queue.running_workers(session) if is_dead_here(w)]
            count = await queue.sweep(session, dead_workers=dead)
        if count:
            log.info("re-queued %d grading job(s) of workers that are gone", count)
        return count

    async def start(self) -> None:
        try:
            await self.sweep()
        except Exception as exc:  # the database may be away at start-up; the lease expiry still frees them
            log.warning("sweeping grading jobs at start-up failed: %s: %s", type(exc).__name__, exc)
        self._loop = asyncio.create_task(self._run(), name=f"grading-worker {self.id}")

    async def _run(self) -> None:
        while not self._stopping:
            try:
                claimed = await self._fill()
            except Exception as exc:
                # SQLite busy with another writer, or the database away (refused connections are OSErrors,
                # not SQLAlchemy's): try again at the next poll, never let the loop die.
                log.warning("claiming a grading job failed: %s: %s", type(exc).__name__, exc)
                claimed = 0
            if claimed:
                continue
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.settings.grading_poll_seconds)

    async def _fill(self) -> int:
        """Claim jobs while there is a free slot; how many were claimed."""
        claimed = 0
        while len(self._running) < self.settings.grading_concurrency and not self._stopping:
            async with self.sessions() as session:
                job = await queue.claim(
                    session, worker=self.id, lease_seconds=self.settings.grading_lease_seconds
                )
            if job is None:
                break
            task = asyncio.create_task(self._work(job))
            self._running[task] = job
            task.add_done_callback(self._done)
            claimed += 1
        return claimed

    def _done(self, task: asyncio.Task[None]) -> None:
        self._running.pop(task, None)
        self._wake.set()  # a slot is free

    async def run_until_idle(self) -> int:
        """Work every job that is due, one at a time, until none is (tests, `stardrive worker --once`);
        how many were worked."""
        worked = 0
        while True:
            async with self.sessions() as session:
                job = await queue.claim(
                    session, worker=self.id, lease_seconds=self.settings.grading_lease_seconds
                )
            if job is None:
                return worked
            await self._work(job)
            worked += 1

    async def _work(self, job: Claimed) -> None:
        heartbeat = asyncio.create_task(self._renew(job))
        try:
            await self._grade(job)
        except asyncio.CancelledError:
            with contextlib.suppress(Exception):
                async with self.sessions() as session:
                    await queue.release(session, job=job)
            raise
        except Exception as exc:  # a bug or the database: the job is tried again later, never lost
            log.exception("grading job %s (%s/%s) failed", job.id, job.interview_id, job.archetype)
            with contextlib.suppress(Exception):
                async with self.sessions() as session:
                    await queue.retry(
                        session,
                        job=job,
                        delay_seconds=backoff(self.settings, job.attempt),
                        error=f"{type(exc).__name__}: {exc}",
                        fell_back=False,
                        give_up=job.attempt >= self.settings.grading_max_attempts,
                    )
        finally:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat

    async def _renew(self, job: Claimed) -> None:
        while True:
            await asyncio.sleep(self.settings.grading_lease_seconds / 3)
            try:
                async with self.sessions() as session:
                    if not await queue.renew(
                        session, job=job, lease_seconds=self.settings.grading_lease_seconds
                    ):
                        log.warning("grading job %s: lease lost; its result will be dropped", job.id)
                        return
            except Exception as exc:
                log.warning(
                    "grading job %s: renewing the lease failed: %s: %s", job.id, type(exc).__name__, exc
                )

    async def _grade(self, job: Claimed) -> None:
        if job.attempt > self.settings.grading_max_attempts:
            # Claimed this often and never finished: its worker dies on it. Stop feeding it workers.
            async with self.sessions() as session:
                await queue.retry(
                    session,
                    job=job,
                    delay_seconds=0,
                    error="too many attempts",
                    fell_back=False,
                    give_up=True,
                )
            return
        outcome = await grade_job(job, sessions=self.sessions, settings=self.settings, catalog=self.catalog)
        async with self.sessions() as session:
            if outcome is None:  # the interview was deleted, or has no answers to this archetype
                await queue.retry(
                    session, job=job, delay_seconds=0, error="nothing to grade", fell_back=False, give_up=True
                )
                return
            if outcome.fallback_reason and job.fallbacks < self.settings.grading_max_fallbacks:
                await queue.retry(
                    session,
                    job=job,
                    delay_seconds=backoff(self.settings, job.fallbacks + 1),
                    error=outcome.fallback_reason,
                    fell_back=True,
                    give_up=False,
                )
                return
            # The model's grade, or the rubric's after the last retry: it stands.
            await queue.finish(
                session,
                job=job,
                grader=outcome.grade.grader,
                grade=outcome.grade.model_dump(mode="json"),
                usage=outcome.usage,
                fallback_reason=outcome.fallback_reason,
            )

    async def stop(self, *, drain_seconds: float | None = None) -> None:
        """Stop claiming; let jobs under way finish for `drain_seconds`, then give the rest back."""
        self._stopping = True
        self._wake.set()
        if self._loop is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._loop
        wait = self.settings.grading_drain_seconds if drain_seconds is None else drain_seconds
        tasks = list(self._running)
        if tasks and wait > 0:
            await asyncio.wait(tasks, timeout=wait)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
