"""Engines, sessions and migrations for `sqlite+aiosqlite:///PATH` and `postgresql+asyncpg://…` URLs."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, PoolResetState, event, make_url, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 5_000
# Any constant will do: it only has to be the same in every process migrating one Postgres database.
_MIGRATION_LOCK_ID = 0x57A4D41


def make_engine(url: str, *, pool_timeout: float | None = None, **kwargs: Any) -> AsyncEngine:
    """An async engine; for SQLite also creates the file's directory and turns on WAL and a busy timeout.
    `pool_timeout`: seconds to wait for a pooled connection before SQLAlchemy's TimeoutError."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        kwargs.setdefault("pool_pre_ping", True)
        if pool_timeout is not None:
            kwargs.setdefault("pool_timeout", pool_timeout)
        return create_async_engine(parsed, **kwargs)

    if parsed.database and parsed.database != ":memory:" and not parsed.database.startswith("file:"):
        _private_file(Path(parsed.database).expanduser())
    if parsed.database not in (None, "", ":memory:"):
        # SQLite has one writer: a large pool only makes connections queue on its lock and back off.
        kwargs.setdefault("pool_size", 3)
        kwargs.setdefault("max_overflow", 0)
        if pool_timeout is not None:
            kwargs.setdefault("pool_timeout", pool_timeout)
    # The pool's rollback on return only when there is a transaction to roll back (_sqlite_reset).
    kwargs.setdefault("pool_reset_on_return", None)
    engine = create_async_engine(parsed, **kwargs)
    event.listen(engine.sync_engine, "connect", _sqlite_on_connect)
    event.listen(engine.sync_engine, "reset", _sqlite_reset)
    return engine


def _private_file(path: Path) -> None:
    """Create the database file 0600 and any folder it needs 0700 before SQLite does (it would use the
    umask: 0644 in 0755, the transcripts readable by every account on the machine). SQLite gives its
    -wal and -shm files the database file's mode. Folders that already exist are left as they are."""
    missing = [p for p in [path.parent, *path.parent.parents] if not p.exists()]
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):  # another process made it meanwhile
            folder.mkdir(mode=0o700)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_reset(dbapi_connection: Any, _record: Any, state: PoolResetState) -> None:
    """SQLAlchemy's reset on return (a rollback), skipped when SQLite is in no transaction: after every
    commit, where the rollback would be one more trip to aiosqlite's thread (two an answer) for nothing.
    When it cannot tell, it rolls back."""
    if state.terminate_only or state.transaction_was_reset or not state.asyncio_safe:
        return  # as SQLAlchemy's own reset: nothing to do, or no awaiting here
    try:
        idle = dbapi_connection._connection.in_transaction is False
    except Exception:
        idle = False
    if not idle:
        dbapi_connection.rollback()


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def alembic_config() -> Config:
    """Alembic's configuration, built in code (there is no alembic.ini)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


async def migrate(url: str) -> None:
    """Bring the database at `url` to the newest schema. Idempotent; concurrent callers wait in turn."""
    engine = make_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_upgrade_to_head)
    finally:
        await engine.dispose()


def _upgrade_to_head(connection: Connection) -> None:
    # Take a lock held until this transaction ends, so a second process starting at the same time
    # waits and then finds the schema already at head.
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _MIGRATION_LOCK_ID})
    elif connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, "head")
