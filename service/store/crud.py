"""Async reads and writes over the store's tables. Every function that writes commits.

`user_id=None` on a read means "any user"; pass a user id to see only that user's rows.
After a `Conflict` the session has been rolled back, which expires every object it holds:
load them again before use.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypedDict, Unpack

from sqlalchemy import Executable, func, literal, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defer, joinedload, selectinload

from service.errors import Conflict, NotFound
from service.store.models import (
    ArchetypeGrade,
    Interview,
    Move,
    Role,
    Story,
    Turn,
    User,
    UTCDateTime,
    utcnow,
)
from service.store.scrub import scrub, storable

# --- users ------------------------------------------------------------------------------------


async def create_user(session: AsyncSession, *, name: str, token_hash: str) -> User:
    """Add an account; Conflict when the name (or, astronomically unlikely, the token) is taken."""
    user = User(name=name, token_hash=token_hash, created_at=utcnow())
    session.add(user)
    try:
        await session.commit()
    except IntegrityError as exc:
        await session.rollback()
        raise Conflict(f"a user named {name!r} already exists") from exc
    return user


async def user_by_token_hash(session: AsyncSession, *, token_hash: str) -> User | None:
    return (await session.scalars(select(User).where(User.token_hash == token_hash))).one_or_none()


async def list_users(session: AsyncSession) -> list[User]:
    """Users by name."""
    return list(await session.scalars(select(User).order_by(User.name)))


async def delete_user(session: AsyncSession, *, name: str) -> bool:
    """Remove an account (its token stops working at once); its interviews and stories stay, unreachable."""
    user = (await session.scalars(select(User).where(User.name == name))).one_or_none()
    if user is None:
        return False
    await session.delete(user)
    await session.commit()
    return True


# --- interviews and turns ---------------------------------------------------------------------


async def create_interview(
    session: AsyncSession,
    *,
    archetypes: Sequence[str],
    model: str,
    seed: int,
    user_id: str | None = None,
) -> Interview:
    interview = Interview(
        status="active", archetypes=list(archetypes), model=model, seed=seed, user_id=user_id, turns=[]
    )
    session.add(interview)
    await session.commit()
    return interview


async def count_interviews(session: AsyncSession, *, user_id: str) -> int:
    query = select(func.count()).select_from(Interview).where(Interview.user_id == user_id)
    return int(await session.scalar(query) or 0)


async def list_interviews(
    session: AsyncSession, *, user_id: str | None = None, limit: int = 20, before: str | None = None
) -> list[Interview]:
    """A user's interviews, newest first, with their turns; `before`: only those older than that interview
    (a cursor: the last id of the previous page). NotFound when `before` is not one of this user's."""
    query = select(Interview).options(selectinload(Interview.turns))
    if user_id is not None:
        query = query.where(Interview.user_id == user_id)
    if before is not None:
        cursor = await get_interview(session, interview_id=before, user_id=user_id)
        if cursor is None:
            raise NotFound(f"interview {before} not found")
        # Ties on created_at are broken by id, so a page boundary never skips or repeats one.
        query = query.where(
            (Interview.created_at < cursor.created_at)
            | ((Interview.created_at == cursor.created_at) & (Interview.id < cursor.id))
        )
    query = query.order_by(Interview.created_at.desc(), Interview.id.desc()).limit(limit)
    return list(await session.scalars(query))


async def get_interview(
    session: AsyncSession, *, interview_id: str, user_id: str | None = None
) -> Interview | None:
    """The interview with its turns in order, or None (also when it belongs to another user)."""
    query = (
        select(Interview)
        .where(Interview.id == interview_id)
        .options(selectinload(Interview.turns))
        .execution_options(populate_existing=True)
    )
    if user_id is not None:
        query = query.where(Interview.user_id == user_id)
    return (await session.scalars(query)).one_or_none()


async def get_transcript(
    session: AsyncSession, *, interview_id: str, user_id: str | None = None
) -> tuple[Interview, tuple[int, Any]] | None:
    """`get_interview` for the answer path, and `stories_version(user_id=user_id)`, in one query: the turns
    joined and the version as two subqueries (each statement costs its round trips, and this is read on
    every answer). The debrief, never read there, is not loaded (`raiseload`)."""
    query = (
        select(Interview, *_stories_version_columns(user_id))
        .where(Interview.id == interview_id)
        .options(joinedload(Interview.turns), defer(Interview.debrief, raiseload=True))
        .execution_options(populate_existing=True)
    )
    if user_id is not None:
        query = query.where(Interview.user_id == user_id)
    row = (await session.execute(query)).unique().one_or_none()
    if row is None:
        return None
    interview, count, newest = row
    return interview, (int(count), newest)


async def add_turn(
    session: AsyncSession,
    *,
    interview_id: str,
    role: Role,
    text: str,
    move: Move | None = None,
    code: str | None = None,
    archetype: str | None = None,
    degraded: bool = False,
    grade: dict[str, Any] | None = None,
    idempotency_key: str | None = None,
    usage: dict[str, Any] | None = None,
    index: int | None = None,
    also: Sequence[Executable] = (),
) -> Turn:
    """Append a turn (indexes count from 0); `also`: statements committed with it, in its transaction
    (the grading jobs this answer completes, service/jobs/). Raises NotFound for an unknown interview, and Conflict
    when another turn took the same index meanwhile or the idempotency key was already used.

    `index`: the index the caller expects this turn to get (it read the transcript); two requests that
    expect the same index race on the unique key and the loser gets Conflict. Saves two queries."""
    if index is None:
        if await session.get(Interview, interview_id) is None:
            raise NotFound(f"interview {interview_id} not found")
        last = await session.scalar(select(func.max(Turn.index)).where(Turn.interview_id == interview_id))
        index = 0 if last is None else last + 1
    turn = Turn(
        interview_id=interview_id,
        index=index,
        role=role,
        text=storable(text),  # a model's words can hold a NUL; a candidate's were refused at the door
        move=move,
        code=code,
        archetype=archetype,
        degraded=degraded,
        grade=grade,
        idempotency_key=idempotency_key,
        usage=scrub(usage),  # a provider's error text can repeat the API key
    )
    session.add(turn)
    try:
        for statement in also:
            await session.execute(statement)
        await session.commit()
    except IntegrityError as exc:
        await session.rollback()
        raise Conflict(
            f"interview {interview_id}: turn {turn.index}"
            + (f" or idempotency key {idempotency_key!r}" if idempotency_key else "")
            + " was taken by another request"
        ) from exc
    return turn


async def find_turn_by_idempotency_key(session: AsyncSession, *, interview_id: str, key: str) -> Turn | None:
    query = select(Turn).where(Turn.interview_id == interview_id, Turn.idempotency_key == key)
    return (await session.scalars(query)).one_or_none()


async def turns_after(session: AsyncSession, *, interview_id: str, index: int) -> list[Turn]:
    """The turns of an interview whose index is greater than `index`, in order."""
    query = select(Turn).where(Turn.interview_id == interview_id, Turn.index > index).order_by(Turn.index)
    return list(await session.scalars(query))


async def finish_interview(
    session: AsyncSession, *, interview_id: str, debrief: dict[str, Any] | None = None
) -> Interview:
    """Mark it finished and cache its debrief (None: built later, on first request).
    Finishing again replaces the debrief, keeps finished_at."""
    interview = await get_interview(session, interview_id=interview_id)
    if interview is None:
        raise NotFound(f"interview {interview_id} not found")
    interview.status = "finished"
    interview.finished_at = interview.finished_at or utcnow()
    interview.debrief = debrief
    await session.commit()
    return interview


def finishing(interview_id: str) -> Executable:
    """`finish_interview` with no debrief, as a statement for `add_turn(also=...)`: the wrap-up and the
    interview's end in one transaction, without reading the interview again."""
    return (
        update(Interview)
        .where(Interview.id == interview_id)
        .values(
            status="finished",
            finished_at=func.coalesce(Interview.finished_at, literal(utcnow(), UTCDateTime())),
            debrief=None,
        )
    )


# --- the story bank ---------------------------------------------------------------------------


class StoryFields(TypedDict, total=False):
    """The fields `update_story` may change."""

    title: str
    archetype: str
    project: str
    year: int | None
    text: str
    grade: dict[str, Any] | None


_STORY_FIELDS = frozenset(StoryFields.__annotations__)


async def create_story(
    session: AsyncSession,
    *,
    title: str,
    archetype: str,
    project: str,
    text: str,
    year: int | None = None,
    grade: dict[str, Any] | None = None,
    user_id: str | None = None,
) -> Story:
    now = utcnow()
    story = Story(
        title=title,
        archetype=archetype,
        project=project,
        text=text,
        year=year,
        grade=grade,
        user_id=user_id,
        created_at=now,
        updated_at=now,
    )
    session.add(story)
    await session.commit()
    return story


async def get_story(session: AsyncSession, *, story_id: str, user_id: str | None = None) -> Story | None:
    query = select(Story).where(Story.id == story_id)
    if user_id is not None:
        query = query.where(Story.user_id == user_id)
    return (await session.scalars(query)).one_or_none()


async def count_stories(session: AsyncSession, *, user_id: str) -> int:
    return int(
        await session.scalar(select(func.count()).select_from(Story).where(Story.user_id == user_id)) or 0
    )


async def stories_version(session: AsyncSession, *, user_id: str | None) -> tuple[int, Any]:
    """(count, newest updated_at) of a user's stories: changes whenever one is added, changed or removed
    (a new or changed story is the newest), in one indexed query that reads no story text."""
    query = select(func.count(), func.max(Story.updated_at)).select_from(Story)
    if user_id is not None:
        query = query.where(Story.user_id == user_id)
    count, newest = (await session.execute(query)).one()
    return int(count), newest


def _stories_version_columns(user_id: str | None) -> tuple[Any, Any]:
    """`stories_version`'s two figures as scalar subqueries, to read along with another query."""
    count, newest = select(func.count()).select_from(Story), select(func.max(Story.updated_at))
    if user_id is not None:
        count, newest = count.where(Story.user_id == user_id), newest.where(Story.user_id == user_id)
    return count.scalar_subquery(), newest.scalar_subquery()


async def list_stories(session: AsyncSession, *, user_id: str | None = None) -> list[Story]:
    """Stories, oldest first."""
    query = select(Story).order_by(Story.created_at, Story.id)
    if user_id is not None:
        query = query.where(Story.user_id == user_id)
    return list(await session.scalars(query))


async def update_story(
    session: AsyncSession, *, story_id: str, user_id: str | None = None, **fields: Unpack[StoryFields]
) -> Story | None:
    """Change the given fields; None when there is no such story (for this user)."""
    unknown = fields.keys() - _STORY_FIELDS
    if unknown:
        raise TypeError(f"update_story: unknown fields {sorted(unknown)}")
    story = await get_story(session, story_id=story_id, user_id=user_id)
    if story is None:
        return None
    for name, value in fields.items():
        setattr(story, name, value)
    await session.commit()
    return story


async def delete_story(session: AsyncSession, *, story_id: str, user_id: str | None = None) -> bool:
    story = await get_story(session, story_id=story_id, user_id=user_id)
    if story is None:
        return False
    await session.delete(story)
    await session.commit()
    return True


# --- background grades ------------------------------------------------------------------------


_QUOTES = frozenset({"evidence"})


async def save_archetype_grade(
    session: AsyncSession,
    *,
    interview_id: str,
    archetype: str,
    grader: str,
    grade: dict[str, Any],
    usage: list[dict[str, Any]] | None = None,
    fallback_reason: str | None = None,
    commit: bool = True,
) -> ArchetypeGrade:
    """Store (or replace) the model's grade of one archetype of an interview; `commit=False` leaves it in
    the caller's transaction (a grading job marks itself done in the same one)."""
    query = select(ArchetypeGrade).where(
        ArchetypeGrade.interview_id == interview_id, ArchetypeGrade.archetype == archetype
    )
    row = (await session.scalars(query)).one_or_none()
    if row is None:
        row = ArchetypeGrade(interview_id=interview_id, archetype=archetype, grader=grader, grade=grade)
        session.add(row)
    # The model's notes, its usage and its errors are masked; the quotes stay exact spans of the answer.
    grade, usage, fallback_reason = scrub(grade, keep=_QUOTES), scrub(usage), scrub(fallback_reason)
    row.grader, row.grade, row.usage, row.fallback_reason = grader, grade, usage, fallback_reason
    if commit:
        await session.commit()
    else:
        await session.flush()
    return row


async def archetype_grades(session: AsyncSession, *, interview_id: str) -> list[ArchetypeGrade]:
    query = (
        select(ArchetypeGrade).where(ArchetypeGrade.interview_id == interview_id).order_by(ArchetypeGrade.id)
    )
    return list(await session.scalars(query))
