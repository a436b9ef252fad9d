"""Database fixtures, as a pytest plugin (registered in tests/conftest.py).

- `database_url`: runs a test once per backend. "sqlite" is a file under tmp_path; "postgres" is a
  fresh database, created for the test and dropped after it, on the server named by
  STARDRIVE_TEST_POSTGRES_URL (skipped when that is unset; `eval "$(bash scripts/postgres.sh)"` starts one).
- `session_factory`: an `async_sessionmaker` over `database_url`, migrated to head.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from sqlalchemy import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool

from service.store.db import make_engine, make_sessionmaker, migrate

POSTGRES_ENV = "STARDRIVE_TEST_POSTGRES_URL"

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param(
        "postgres",
        id="postgres",
        marks=pytest.mark.skipif(
            not os.environ.get(POSTGRES_ENV),
            reason=f'{POSTGRES_ENV} is not set; run `eval "$(bash scripts/postgres.sh)"` to test on Postgres',
        ),
    ),
]


@asynccontextmanager
async def fresh_postgres_database(server_url: str) -> AsyncIterator[str]:
    """Create an empty database on the server at `server_url`; yield its URL; drop it afterwards."""
    server = make_url(server_url)
    name = f"stardrive_test_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(server, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        async with admin.connect() as connection:
            await connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        try:
            yield server.set(database=name).render_as_string(hide_password=False)
        finally:
            async with admin.connect() as connection:
                await connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.dispose()


@pytest.fixture(params=BACKENDS)
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """An empty, unmigrated database: once on SQLite, once on Postgres."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'stardrive.db'}"
        return
    async with fresh_postgres_database(os.environ[POSTGRES_ENV]) as url:
        yield url


@pytest.fixture
async def session_factory(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    await migrate(database_url)
    engine = make_engine(database_url)
    try:
        yield make_sessionmaker(engine)
    finally:
        await engine.dispose()
