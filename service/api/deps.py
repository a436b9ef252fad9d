"""Dependencies as named `Annotated` types."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from service.catalog import Catalog
from service.config import Settings
from service.engine import InterviewService


def _service(request: Request) -> InterviewService:
    service: InterviewService = request.app.state.service
    return service


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _catalog(request: Request) -> Catalog:
    catalog: Catalog = request.app.state.catalog
    return catalog


def _sessions(request: Request) -> async_sessionmaker[AsyncSession]:
    sessions: async_sessionmaker[AsyncSession] = request.app.state.sessions
    return sessions


ServiceDep = Annotated[InterviewService, Depends(_service)]
SettingsDep = Annotated[Settings, Depends(_settings)]
CatalogDep = Annotated[Catalog, Depends(_catalog)]
SessionsDep = Annotated[async_sessionmaker[AsyncSession], Depends(_sessions)]
