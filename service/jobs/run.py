"""`stardrive worker`: grading jobs against the configured database until SIGTERM or Ctrl+C, then the
jobs under way get `grading_drain_seconds` to finish and the rest go back to the queue."""

from __future__ import annotations

import asyncio
import logging
import signal

from service.catalog import load_catalog
from service.config import Settings
from service.jobs.worker import GradingWorker
from service.rubric import prepare as prepare_rubric
from service.store.db import make_engine, make_sessionmaker, migrate

log = logging.getLogger(__name__)


async def run_worker(settings: Settings, *, once: bool = False) -> int:
    """Work jobs until stopped (`once`: until none is due); how many were worked with `once`, else 0."""
    if settings.migrate_on_start:
        await migrate(settings.database_url)
    engine = make_engine(settings.database_url, pool_timeout=settings.database_pool_timeout_seconds)
    try:
        catalog = load_catalog(settings.prompts_dir)
        await asyncio.to_thread(prepare_rubric)
        if settings.grader_model not in (None, "builtin", "scripted") or settings.model not in (
            "builtin",
            "scripted",
        ):
            from service.llm.gateway import load_litellm

            await asyncio.to_thread(load_litellm)
        worker = GradingWorker(sessions=make_sessionmaker(engine), settings=settings, catalog=catalog)
        if once:
            await worker.sweep()
            return await worker.run_until_idle()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await worker.start()
        log.warning("grading worker %s started", worker.id)
        await stop.wait()
        await worker.stop()
        return 0
    finally:
        await engine.dispose()
