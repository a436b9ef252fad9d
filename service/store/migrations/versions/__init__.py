"""Alembic revisions, applied in order by `service.store.db.migrate`."""
