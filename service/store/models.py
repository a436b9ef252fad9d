"""The tables: users, interviews, their turns, and the story bank.

Times are stored as timezone-aware UTC on both backends. JSON columns use the plain `JSON`
type (not JSONB) so a grade's keys keep their order; a Python `None` is stored as SQL NULL.
Schema changes need a new migration in `migrations/versions/`.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

Status = Literal["active", "finished"]
Role = Literal["interviewer", "candidate"]
Move = Literal["probe", "pushback", "wrap_up"]

# Deterministic constraint names, identical on SQLite and Postgres (the migration uses the same ones).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s_%(column_1_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return uuid.uuid4().hex


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that always comes back timezone-aware in UTC (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime; use an aware one (UTC)")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


JSONValue = JSON(none_as_null=True)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class User(Base):
    """An account of a shared instance (`STARDRIVE_AUTH=tokens`). Only the SHA-256 of its bearer token is
    kept. `interviews.user_id` and `stories.user_id` hold a user's id; they carry no foreign key, so rows
    made in single-user mode (user_id NULL) stay valid and are visible to no account."""

    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(100), unique=True, index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Interview(Base):
    __tablename__ = "interviews"
    __table_args__ = (CheckConstraint("status IN ('active', 'finished')", name="status"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    status: Mapped[Status] = mapped_column(String(16), default="active")
    archetypes: Mapped[list[str]] = mapped_column(JSONValue)
    model: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[str | None] = mapped_column(String(255), index=True)
    seed: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    debrief: Mapped[dict[str, Any] | None] = mapped_column(JSONValue)

    turns: Mapped[list[Turn]] = relationship(
        back_populates="interview",
        order_by="Turn.index",
        cascade="all, delete-orphan",
        passive_deletes=True,
        lazy="raise",
    )


class Turn(Base):
    __tablename__ = "turns"
    # The unique (interview_id, index) index also serves every lookup by interview_id.
    __table_args__ = (
        UniqueConstraint("interview_id", "index"),
        UniqueConstraint("interview_id", "idempotency_key"),
        CheckConstraint("role IN ('interviewer', 'candidate')", name="role"),
        CheckConstraint("move IS NULL OR move IN ('probe', 'pushback', 'wrap_up')", name="move"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    interview_id: Mapped[str] = mapped_column(ForeignKey("interviews.id", ondelete="CASCADE"))
    index: Mapped[int] = mapped_column(Integer)
    role: Mapped[Role] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    move: Mapped[Move | None] = mapped_column(String(16))
    code: Mapped[str | None] = mapped_column(String(64))
    archetype: Mapped[str | None] = mapped_column(String(64))
    degraded: Mapped[bool] = mapped_column(default=False)
    grade: Mapped[dict[str, Any] | None] = mapped_column(JSONValue)
    idempotency_key: Mapped[str | None] = mapped_column(String(255))
    usage: Mapped[dict[str, Any] | None] = mapped_column(JSONValue)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    interview: Mapped[Interview] = relationship(back_populates="turns", lazy="raise")

    @property
    def reading(self) -> dict[str, Any] | None:
        """For a reply when a grader model is configured: whose reading chose the move, and why the rubric
        stood in if it did (kept in `usage`, service/grading/live.py)."""
        value = (self.usage or {}).get("reading")
        return value if isinstance(value, dict) else None


class Story(Base):
    __tablename__ = "stories"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    user_id: Mapped[str | None] = mapped_column(String(255), index=True)
    title: Mapped[str] = mapped_column(Text)
    archetype: Mapped[str] = mapped_column(String(64))
    project: Mapped[str] = mapped_column(Text)
    year: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    grade: Mapped[dict[str, Any] | None] = mapped_column(JSONValue)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ArchetypeGrade(Base):
    """The model's grade of one archetype's answers (probe answer plus follow-ups), made in the background."""

    __tablename__ = "archetype_grades"
    __table_args__ = (UniqueConstraint("interview_id", "archetype"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    interview_id: Mapped[str] = mapped_column(ForeignKey("interviews.id", ondelete="CASCADE"))
    archetype: Mapped[str] = mapped_column(String(64))
    grader: Mapped[str] = mapped_column(String(255))
    grade: Mapped[dict[str, Any]] = mapped_column(JSONValue)
    usage: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONValue)
    fallback_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


JobStatus = Literal["queued", "running", "done", "failed"]


class GradingJob(Base):
    """One archetype's answers waiting to be graded (service/jobs/). Enqueued with the answer that completes
    them; `fingerprint` is a hash of those answers, so the same answers are never enqueued twice."""

    __tablename__ = "grading_jobs"
    __table_args__ = (
        UniqueConstraint("interview_id", "archetype", "fingerprint"),
        CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="status"),
        Index("ix_grading_jobs_status_run_after", "status", "run_after"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    interview_id: Mapped[str] = mapped_column(ForeignKey("interviews.id", ondelete="CASCADE"))
    archetype: Mapped[str] = mapped_column(String(64))
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[JobStatus] = mapped_column(String(16), default="queued")
    # Claims so far (a crashed worker's claim counts) and grades that fell back to the rubric.
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    fallbacks: Mapped[int] = mapped_column(Integer, default=0)
    run_after: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    worker: Mapped[str | None] = mapped_column(String(255))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Drill(Base):
    """The 25-minute drill (DESIGN.md Contract 4): three archetypes, one STAR-DRIVE outline each, a report."""

    __tablename__ = "drills"
    __table_args__ = (CheckConstraint("status IN ('active', 'finished')", name="status"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    user_id: Mapped[str | None] = mapped_column(String(255), index=True)
    status: Mapped[Status] = mapped_column(String(16), default="active")
    archetypes: Mapped[list[str]] = mapped_column(JSONValue)
    time_box_seconds: Mapped[int] = mapped_column(Integer)
    # {archetype: {"started_at": ISO time, "parts": {part: paragraph}}}
    outlines: Mapped[dict[str, Any]] = mapped_column(JSONValue)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    report: Mapped[dict[str, Any] | None] = mapped_column(JSONValue)
