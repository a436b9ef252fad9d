"""archetype_grades: the model's grade of each archetype's answers, made in the background.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26

"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "archetype_grades",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("interview_id", sa.String(32), nullable=False),
        sa.Column("archetype", sa.String(64), nullable=False),
        sa.Column("grader", sa.String(255), nullable=False),
        sa.Column("grade", sa.JSON(none_as_null=True), nullable=False),
        sa.Column("usage", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("fallback_reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["interview_id"],
            ["interviews.id"],
            name="fk_archetype_grades_interview_id_interviews",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_archetype_grades"),
        sa.UniqueConstraint("interview_id", "archetype", name="uq_archetype_grades_interview_id_archetype"),
    )


def downgrade() -> None:
    op.drop_table("archetype_grades")
