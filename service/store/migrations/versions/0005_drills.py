"""drills: the 25-minute drill (Contract 4), its outlines and its report.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04

"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "drills",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(255), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("archetypes", sa.JSON(none_as_null=True), nullable=False),
        sa.Column("time_box_seconds", sa.Integer(), nullable=False),
        sa.Column("outlines", sa.JSON(none_as_null=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("report", sa.JSON(none_as_null=True), nullable=True),
        sa.CheckConstraint("status IN ('active', 'finished')", name="ck_drills_status"),
        sa.PrimaryKeyConstraint("id", name="pk_drills"),
    )
    op.create_index("ix_drills_user_id", "drills", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_drills_user_id", table_name="drills")
    op.drop_table("drills")
