"""Dependencies as named `Annotated` types."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from service.api.auth import authenticate
from service.api.limits import Limits, StreamSlots
from service.bank import StoryBank
from service.catalog import Catalog
from service.config import Settings
from service.drills.service import DrillService
from service.engine import InterviewService
from service.progress import ProgressService


async def _service(request: Request) -> InterviewService:
    service: InterviewService = request.app.state.service
    return service


async def _bank(request: Request) -> StoryBank:
    bank: StoryBank = request.app.state.bank
    return bank


async def _drills(request: Request) -> DrillService:
    drills: DrillService = request.app.state.drills
    return drills


async def _progress(request: Request) -> ProgressService:
    progress: ProgressService = request.app.state.progress
    return progress


async def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def _catalog(request: Request) -> Catalog:
    catalog: Catalog = request.app.state.catalog
    return catalog


async def _sessions(request: Request) -> async_sessionmaker[AsyncSession]:
    sessions: async_sessionmaker[AsyncSession] = request.app.state.sessions
    return sessions


async def _limits(request: Request) -> Limits:
    limits: Limits = request.app.state.limits
    return limits


ServiceDep = Annotated[InterviewService, Depends(_service)]
BankDep = Annotated[StoryBank, Depends(_bank)]
DrillsDep = Annotated[DrillService, Depends(_drills)]
ProgressDep = Annotated[ProgressService, Depends(_progress)]
SettingsDep = Annotated[Settings, Depends(_settings)]
CatalogDep = Annotated[Catalog, Depends(_catalog)]
SessionsDep = Annotated[async_sessionmaker[AsyncSession], Depends(_sessions)]
LimitsDep = Annotated[Limits, Depends(_limits)]


async def _current_user(request: Request, settings: SettingsDep, sessions: SessionsDep) -> str | None:
    return await authenticate(request, settings, sessions)


# The caller's user id (None in single-user mode); 401 without a valid token in tokens mode.
# FastAPI solves it once per request, however many dependencies ask for it.
CurrentUser = Annotated[str | None, Depends(_current_user)]


async def _streams(limits: LimitsDep) -> StreamSlots:
    return limits.streams


StreamsDep = Annotated[StreamSlots, Depends(_streams)]


async def require_user(user: CurrentUser) -> None:
    """Every /api route depends on this (routes/__init__.py): no route is reachable without a user."""


async def limit_rate(request: Request, user: CurrentUser, limits: LimitsDep) -> None:
    """Counts each POST/PUT/PATCH/DELETE against the caller's write rate and each GET/HEAD against their
    read rate, apart (429 with Retry-After when over): one user's reads cannot crowd out everyone."""
    if request.method in ("GET", "HEAD"):
        limits.check_read(user)
    elif request.method != "OPTIONS":
        limits.check_write(user)
