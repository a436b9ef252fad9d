"""Persistence: SQLAlchemy 2 async over SQLite (default) or Postgres (`STARDRIVE_DATABASE_URL`).

Start-up runs `await migrate(url)` once (idempotent); then:

sessions = make_sessionmaker(make_engine(url))
async with sessions() as session:
    interview = await crud.create_interview(session, archetypes=[...], model="builtin", seed=7)
"""

from __future__ import annotations

from service.store import crud
from service.store.db import make_engine, make_sessionmaker, migrate
from service.store.models import Interview, Move, Role, Status, Story, Turn

__all__ = [
    "Interview",
    "Move",
    "Role",
    "Status",
    "Story",
    "Turn",
    "crud",
    "make_engine",
    "make_sessionmaker",
    "migrate",
]
