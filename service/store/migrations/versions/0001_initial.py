"""Initial schema: interviews, turns, stories.

Revision ID: 0001
Revises:
Create Date: 2025-11-26

"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json() -> sa.JSON:
    return sa.JSON(none_as_null=True)


def _timestamp() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "interviews",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("archetypes", _json(), nullable=False),
        sa.Column("model", sa.String(255), nullable=False),
        sa.Column("user_id", sa.String(255), nullable=True),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("created_at", _timestamp(), nullable=False),
        sa.Column("finished_at", _timestamp(), nullable=True),
        sa.Column("debrief", _json(), nullable=True),
        sa.CheckConstraint("status IN ('active', 'finished')", name="ck_interviews_status"),
        sa.PrimaryKeyConstraint("id", name="pk_interviews"),
    )
    op.create_index("ix_interviews_user_id", "interviews", ["user_id"])

    op.create_table(
        "turns",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("interview_id", sa.String(32), nullable=False),
        sa.Column("index", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("move", sa.String(16), nullable=True),
        sa.Column("code", sa.String(64), nullable=True),
        sa.Column("archetype", sa.String(64), nullable=True),
        sa.Column("degraded", sa.Boolean(), nullable=False),
        sa.Column("grade", _json(), nullable=True),
        sa.Column("idempotency_key", sa.String(255), nullable=True),
        sa.Column("usage", _json(), nullable=True),
        sa.Column("created_at", _timestamp(), nullable=False),
        sa.CheckConstraint("role IN ('interviewer', 'candidate')", name="ck_turns_role"),
        sa.CheckConstraint("move IS NULL OR move IN ('probe', 'pushback', 'wrap_up')", name="ck_turns_move"),
        sa.ForeignKeyConstraint(
            ["interview_id"],
            ["interviews.id"],
            name="fk_turns_interview_id_interviews",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_turns"),
        sa.UniqueConstraint("interview_id", "index", name="uq_turns_interview_id_index"),
        sa.UniqueConstraint("interview_id", "idempotency_key", name="uq_turns_interview_id_idempotency_key"),
    )

    op.create_table(
        "stories",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(255), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("archetype", sa.String(64), nullable=False),
        sa.Column("project", sa.Text(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("grade", _json(), nullable=True),
        sa.Column("created_at", _timestamp(), nullable=False),
        sa.Column("updated_at", _timestamp(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_stories"),
    )
    op.create_index("ix_stories_user_id", "stories", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_stories_user_id", table_name="stories")
    op.drop_table("stories")
    op.drop_table("turns")
    op.drop_index("ix_interviews_user_id", table_name="interviews")
    op.drop_table("interviews")
