"""The FastAPI app: settings, catalog and store wired once at start-up (migrations applied first).

Outside in: security headers (headers.py), the Host check (hosts.py, 400), CORS (only when STARDRIVE_CORS_ORIGINS is set), the body guard
(413/415), then the routes;
every /api route needs a user (routes/__init__.py). Logs are masked for secrets from here on (redact.py).
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from service.api import errors, redact, routes
from service.api.headers import SecurityHeaders, content_security_policy, inline_script_sources
from service.api.hosts import HostGuard
from service.api.limits import BodyGuard, Limits
from service.api.schemas import Health
from service.bank import StoryBank
from service.catalog import load_catalog
from service.config import Settings, get_settings
from service.drills.service import DrillService
from service.engine import InterviewService
from service.interview import tone
from service.interview.phrasing import load_phrasing
from service.jobs.worker import GradingWorker
from service.llm.registry import OFFLINE
from service.progress import ProgressService
from service.rubric import prepare as prepare_rubric
from service.store.db import make_engine, make_sessionmaker, migrate

WEB = Path(__file__).parent / "web"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    redact.install([settings.api_key.get_secret_value() if settings.api_key else None])

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.migrate_on_start:
            await migrate(settings.database_url)
        engine = make_engine(settings.database_url, pool_timeout=settings.database_pool_timeout_seconds)
        catalog = load_catalog(settings.prompts_dir)
        # Every answer is graded by the rubric, and read against the other archetypes' stories: load both
        # now, off the event loop.
        await asyncio.to_thread(prepare_rubric, reuse=True)
        # A model's replies are read for tone against these examples: a broken file fails here, not mid-reply.
        await asyncio.to_thread(tone.reader, settings.prompts_dir)
        app.state.settings = settings
        app.state.catalog = catalog
        app.state.sessions = make_sessionmaker(engine)
        if settings.model not in OFFLINE:
            # litellm takes seconds to import: do it now, off the event loop, not on the first answer.
            from service.llm.gateway import load_litellm

            await asyncio.to_thread(load_litellm)
        app.state.drills = DrillService(sessions=app.state.sessions, catalog=catalog, settings=settings)
        app.state.progress = ProgressService(sessions=app.state.sessions)
        app.state.bank = StoryBank(sessions=app.state.sessions, catalog=catalog, settings=settings)
        app.state.service = InterviewService(
            sessions=app.state.sessions,
            settings=settings,
            catalog=catalog,
            phrasing=load_phrasing(settings.prompts_dir),
        )
        worker = None
        if settings.grading_worker:
            # One in-process worker (a `serve --workers N` process each runs one); `stardrive worker`
            # processes may work the same jobs from anywhere.
            worker = GradingWorker(sessions=app.state.sessions, settings=settings, catalog=catalog)
            await worker.start()
            app.state.service.on_enqueue = worker.wake
        app.state.grading_worker = worker
        # What start-up loaded (weights, catalog, classifiers, the ORM's and pydantic's machinery, ~145,000
        # objects) lives as long as the app: out of the collector's sight, so a full collection walks only
        # what requests made instead of stopping the event loop ~40 ms to walk it all. Given back at the end.
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            gc.unfreeze()
            if worker is not None:
                await worker.stop()
            await engine.dispose()

    app = FastAPI(title="stardrive", version="0.1.0", lifespan=lifespan)
    app.state.limits = Limits.from_settings(settings)
    errors.install(app)
    app.include_router(routes.router)
    app.add_middleware(BodyGuard, max_bytes=settings.max_body_bytes)
    if settings.cors_origins:  # added last: the outermost layer, so refusals carry CORS headers too
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "Accept", "Idempotency-Key"],
            expose_headers=["Retry-After"],
        )
    app.add_middleware(HostGuard, allowed_hosts=settings.allowed_hosts)  # DNS rebinding: 400
    policy = content_security_policy(inline_script_sources(WEB / "index.html"))
    app.add_middleware(SecurityHeaders, policy=policy)  # outermost: every response, refusals too

    @app.get("/healthz")
    async def healthz() -> Health:
        return Health(status="ok")

    app.mount("/static", StaticFiles(directory=WEB / "static"), name="static")  # the page's scripts, vendored

    @app.get("/", include_in_schema=False)
    async def index() -> FileResponse:
        return FileResponse(WEB / "index.html")

    return app
