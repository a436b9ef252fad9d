"""The FastAPI app: settings, catalog and store wired once at start-up (migrations applied first)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse

from service.api import errors
from service.api.routes import interviews, stories
from service.catalog import load_catalog
from service.config import Settings, get_settings
from service.engine import InterviewService
from service.interview.phrasing import load_phrasing
from service.llm.registry import OFFLINE
from service.store.db import make_engine, make_sessionmaker, migrate

WEB = Path(__file__).parent / "web"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.migrate_on_start:
            await migrate(settings.database_url)
        engine = make_engine(settings.database_url)
        catalog = load_catalog(settings.prompts_dir)
        app.state.settings = settings
        app.state.catalog = catalog
        app.state.sessions = make_sessionmaker(engine)
        if settings.model not in OFFLINE:
            # litellm takes seconds to import: do it now, off the event loop, not on the first answer.
            from service.llm.gateway import load_litellm

            await asyncio.to_thread(load_litellm)
        app.state.service = InterviewService(
            sessions=app.state.sessions,
            settings=settings,
            catalog=catalog,
            phrasing=load_phrasing(settings.prompts_dir),
        )
        yield
        await engine.dispose()

    app = FastAPI(title="stardrive", version="0.1.0", lifespan=lifespan)
    errors.install(app)
    app.include_router(interviews.router)
    app.include_router(stories.router)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/", include_in_schema=False)
    async def index() -> FileResponse:
        return FileResponse(WEB / "index.html")

    return app
