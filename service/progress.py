"""Progress over time across finished interviews and drills, and the debrief's `since_last` (I/O here; the
shapes and the arithmetic in service/report/progress.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from service.report.debrief import Debrief
from service.report.progress import Progress, Session, build_progress, since_last
from service.store import drills as store
from service.store.models import Drill, Interview


def interview_session(interview: Interview) -> Session:
    """First-answer grade per archetype from the first candidate turn; final from the cached debrief (the
    model's grades included) or else the last candidate turn's combined grade."""
    first: dict[str, dict[str, Any]] = {}
    final: dict[str, dict[str, Any]] = {}
    for turn in sorted(interview.turns, key=lambda t: t.index):
        if turn.role == "candidate" and turn.archetype and turn.grade and turn.grade.get("parts"):
            first.setdefault(turn.archetype, turn.grade)
            final[turn.archetype] = turn.grade
    for a in (interview.debrief or {}).get("archetypes") or []:
        final[a["archetype"]] = a["grade"]
    at = interview.finished_at or interview.created_at
    return Session("interview", interview.id, at, first=first, final=final)


def drill_session(drill: Drill) -> Session:
    outlines = (drill.report or {}).get("outlines") or {}
    grades = {a: o["grade"] for a, o in outlines.items() if o.get("grade")}
    return Session("drill", drill.id, drill.finished_at or drill.started_at, first=grades, final=grades)


class ProgressService:
    def __init__(self, *, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    async def progress(self, *, user_id: str | None) -> Progress:
        async with self.sessions() as session:
            interviews = await store.finished_interviews(session, user_id=user_id)
            drills = await store.finished_drills(session, user_id=user_id)
        return build_progress([*map(interview_session, interviews), *map(drill_session, drills)])

    async def with_since_last(self, debrief: Debrief, *, user_id: str | None) -> Debrief:
        """The debrief with what improved since the caller's previous finished interview (none: unchanged)."""
        async with self.sessions() as session:
            previous = await store.previous_interview(
                session, interview_id=debrief.interview_id, user_id=user_id
            )
        if previous is None:
            return debrief
        now = {a.archetype: a.grade.model_dump(mode="json") for a in debrief.archetypes}
        return debrief.model_copy(update={"since_last": since_last(now, interview_session(previous))})
