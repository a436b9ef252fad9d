"""Reads and writes of drills (Contract 4), and the reads progress over time needs. Every write commits.

Kept apart from crud.py (interviews, turns, stories); same rules: keyword-only, `user_id=None` on a read
means "any user".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from service.store.models import Drill, Interview, utcnow


async def create_drill(
    session: AsyncSession, *, archetypes: Sequence[str], time_box_seconds: int, user_id: str | None = None
) -> Drill:
    drill = Drill(
        status="active",
        archetypes=list(archetypes),
        time_box_seconds=time_box_seconds,
        outlines={},
        user_id=user_id,
        started_at=utcnow(),
    )
    session.add(drill)
    await session.commit()
    return drill


async def count_drills(session: AsyncSession, *, user_id: str) -> int:
    query = select(func.count()).select_from(Drill).where(Drill.user_id == user_id)
    return int(await session.scalar(query) or 0)


async def get_drill(session: AsyncSession, *, drill_id: str, user_id: str | None = None) -> Drill | None:
    """The drill, or None (also when it belongs to another user). Its row is locked until the session
    commits (PostgreSQL), so two outlines saved at once do not overwrite each other."""
    query = (
        select(Drill).where(Drill.id == drill_id).execution_options(populate_existing=True).with_for_update()
    )
    if user_id is not None:
        query = query.where(Drill.user_id == user_id)
    return (await session.scalars(query)).one_or_none()


async def list_drills(session: AsyncSession, *, user_id: str | None = None, limit: int = 20) -> list[Drill]:
    """The drills, newest first."""
    query = select(Drill)
    if user_id is not None:
        query = query.where(Drill.user_id == user_id)
    return list(await session.scalars(query.order_by(Drill.started_at.desc(), Drill.id.desc()).limit(limit)))


async def save_outline(
    session: AsyncSession, *, drill: Drill, archetype: str, parts: dict[str, str]
) -> Drill:
    """Replace one archetype's paragraphs; its `started_at` is set by the first save and kept after,
    `saved_at` is the time of this one."""
    now = utcnow().isoformat()
    outlines = dict(drill.outlines or {})
    started = (outlines.get(archetype) or {}).get("started_at") or now
    outlines[archetype] = {"started_at": started, "saved_at": now, "parts": dict(parts)}
    drill.outlines = outlines  # a new dict: the JSON column sees the change
    await session.commit()
    return drill


async def finish_drill(session: AsyncSession, *, drill: Drill, report: dict[str, Any]) -> Drill:
    drill.status = "finished"
    drill.finished_at = drill.finished_at or utcnow()
    drill.report = report
    await session.commit()
    return drill


async def finished_drills(session: AsyncSession, *, user_id: str | None = None) -> list[Drill]:
    """The finished drills, oldest first."""
    query = select(Drill).where(Drill.status == "finished")
    if user_id is not None:
        query = query.where(Drill.user_id == user_id)
    return list(await session.scalars(query.order_by(Drill.finished_at, Drill.id)))


async def finished_interviews(session: AsyncSession, *, user_id: str | None = None) -> list[Interview]:
    """The finished interviews with their turns, oldest first (by when they were finished)."""
    query = select(Interview).where(Interview.status == "finished").options(selectinload(Interview.turns))
    if user_id is not None:
        query = query.where(Interview.user_id == user_id)
    return list(await session.scalars(query.order_by(Interview.finished_at, Interview.id)))


async def previous_interview(
    session: AsyncSession, *, interview_id: str, user_id: str | None = None
) -> Interview | None:
    """The caller's last interview finished before this one (or before now, if this one is not finished),
    with its turns; None when there is none."""
    this = await session.get(Interview, interview_id)
    query = (
        select(Interview)
        .where(Interview.status == "finished", Interview.id != interview_id)
        .options(selectinload(Interview.turns))
    )
    if this is not None and this.finished_at is not None:
        query = query.where(Interview.finished_at < this.finished_at)
    if user_id is not None:
        query = query.where(Interview.user_id == user_id)
    query = query.order_by(Interview.finished_at.desc(), Interview.id.desc()).limit(1)
    return (await session.scalars(query)).one_or_none()
