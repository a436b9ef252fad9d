"""The story bank: CRUD, graded on save, and the coverage audit."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Response

from service.api.deps import CatalogDep, CurrentUser, SessionsDep
from service.api.schemas import Storable, StoryIn
from service.errors import NotFound
from service.report.audit import audit
from service.rubric import analyze
from service.store import crud
from service.store.models import Story

router = APIRouter(prefix="/stories", tags=["stories"])


def story_json(s: Story) -> dict[str, Any]:
    return {
        "id": s.id,
        "title": s.title,
        "archetype": s.archetype,
        "project": s.project,
        "year": s.year,
        "text": s.text,
        "grade": s.grade,
    }


@router.get("")
async def list_stories(sessions: SessionsDep, user: CurrentUser) -> list[dict[str, Any]]:
    async with sessions() as session:
        return [story_json(s) for s in await crud.list_stories(session, user_id=user)]


@router.get("/audit")
async def story_audit(sessions: SessionsDep, catalog: CatalogDep, user: CurrentUser) -> dict[str, Any]:
    async with sessions() as session:
        return audit(await crud.list_stories(session, user_id=user), catalog)


@router.post("", status_code=201)
async def create_story(
    body: StoryIn, sessions: SessionsDep, catalog: CatalogDep, user: CurrentUser
) -> dict[str, Any]:
    grade = (await asyncio.to_thread(analyze, body.text, body.archetype, catalog=catalog)).model_dump(
        mode="json"
    )
    async with sessions() as session:
        story = await crud.create_story(session, **body.model_dump(), grade=grade, user_id=user)
        return story_json(story)


@router.get("/{story_id}")
async def get_story(story_id: Storable, sessions: SessionsDep, user: CurrentUser) -> dict[str, Any]:
    async with sessions() as session:
        story = await crud.get_story(session, story_id=story_id, user_id=user)
        if story is None:
            raise NotFound(f"no story {story_id!r}")
        return story_json(story)


@router.put("/{story_id}")
async def update_story(
    story_id: Storable, body: StoryIn, sessions: SessionsDep, catalog: CatalogDep, user: CurrentUser
) -> dict[str, Any]:
    grade = (await asyncio.to_thread(analyze, body.text, body.archetype, catalog=catalog)).model_dump(
        mode="json"
    )
    async with sessions() as session:
        story = await crud.update_story(
            session, story_id=story_id, user_id=user, **body.model_dump(), grade=grade
        )
        if story is None:
            raise NotFound(f"no story {story_id!r}")
        return story_json(story)


@router.delete("/{story_id}", status_code=204)
async def delete_story(story_id: Storable, sessions: SessionsDep, user: CurrentUser) -> Response:
    async with sessions() as session:
        if not await crud.delete_story(session, story_id=story_id, user_id=user):
            raise NotFound(f"no story {story_id!r}")
    return Response(status_code=204)
