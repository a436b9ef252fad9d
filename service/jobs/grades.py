"""The stored grades of an interview, as the debrief reads them: the model's (a finished job) where there
is one, else the planner's reading stored with the archetype's last answer. Nothing is graded here.

Archetypes whose answers are complete but that have no job yet (answered before jobs existed, or the last
archetype of an interview being finished) are enqueued here, so every one gets graded exactly once.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from service.config import Settings
from service.interview.planner import answers_for, current_archetype
from service.jobs import queue
from service.jobs.grade import by_model, plain_turns, stored_reading
from service.rubric import Grade
from service.store import crud
from service.store.models import Interview

_POLL_SECONDS = 0.05


@dataclass
class Stored:
    graded: dict[str, Grade] = field(default_factory=dict)
    first: dict[str, Grade] = field(default_factory=dict)
    usage: list[dict[str, Any]] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)
    enqueued: int = 0


def complete_archetypes(interview: Interview, *, ending: bool) -> list[str]:
    """Archetypes whose answers will not grow: all answered ones once the interview ends (or wrapped up),
    else all but the one being asked about."""
    plain = plain_turns(list(interview.turns))
    answered = [a for a in interview.archetypes if answers_for(plain, a)]
    wrapped = any(t.move == "wrap_up" for t in plain)
    if ending or wrapped or interview.status == "finished":
        return answered
    now = current_archetype(plain)
    return [a for a in answered if a != now]


async def _pending(session: AsyncSession, interview_id: str) -> tuple[list[str], set[str]]:
    jobs = await queue.jobs_of(session, interview_id=interview_id)
    waiting = sorted({j.archetype for j in jobs if j.status in ("queued", "running")})
    return waiting, {j.archetype for j in jobs}


async def stored_grades(
    interview: Interview,
    *,
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
    ending: bool = False,
    wait: float = 0.0,
    on_enqueue: Callable[[], None] = lambda: None,
) -> Stored:
    """`wait`: seconds to wait for jobs still under way (finishing waits a little; a GET never does);
    `on_enqueue`: called once jobs were enqueued here, before waiting (to wake an in-process worker)."""
    out = Stored()
    plain = plain_turns(list(interview.turns))
    modelled = by_model(settings, interview.model)
    if modelled:
        async with sessions() as session:
            pending, have = await _pending(session, interview.id)
            # A grade stored before jobs existed counts as done: it is not asked of the model again.
            have |= {r.archetype for r in await crud.archetype_grades(session, interview_id=interview.id)}
            for archetype in complete_archetypes(interview, ending=ending):
                if archetype not in have:
                    await queue.enqueue_now(
                        session,
                        interview_id=interview.id,
                        archetype=archetype,
                        answers=answers_for(plain, archetype),
                    )
                    out.enqueued += 1
            if out.enqueued:
                on_enqueue()
                pending, _ = await _pending(session, interview.id)
        deadline = time.monotonic() + wait
        while pending and time.monotonic() < deadline:
            await asyncio.sleep(_POLL_SECONDS)
            async with sessions() as session:
                pending, _ = await _pending(session, interview.id)
        out.pending = pending
    async with sessions() as session:
        rows = await crud.archetype_grades(session, interview_id=interview.id)
    model_grades = {r.archetype: Grade.model_validate(r.grade) for r in rows}
    out.usage = [u for r in rows for u in (r.usage or [])] + [t.usage for t in interview.turns if t.usage]
    for archetype in interview.archetypes:
        if not answers_for(plain, archetype):
            continue
        grade = model_grades.get(archetype) or stored_reading(list(interview.turns), archetype)
        if grade is not None:
            out.graded[archetype] = grade
        first = stored_reading(list(interview.turns), archetype, first=True)
        if first is not None:
            out.first[archetype] = first
    out.pending = [a for a in out.pending if a not in model_grades]
    return out
