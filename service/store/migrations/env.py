"""Alembic environment. Run through `service.store.db.migrate(url)`, which passes an open connection.

Without one (e.g. `alembic -x url=…` from a hand-made config), it connects to `sqlalchemy.url` itself;
in offline mode (`--sql`) it prints the SQL for that URL's dialect.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import Connection

from service.store.models import Base

config = context.config
target_metadata = Base.metadata


def run_with_connection(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


async def run_with_own_engine(url: str) -> None:
    from service.store.db import make_engine

    engine = make_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(run_with_connection)
    finally:
        await engine.dispose()


def main() -> None:
    connection = config.attributes.get("connection")
    url = config.get_main_option("sqlalchemy.url") or ""
    if connection is not None:
        run_with_connection(connection)
    elif context.is_offline_mode():
        context.configure(url=url, target_metadata=target_metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
    else:
        asyncio.run(run_with_own_engine(url))


main()
