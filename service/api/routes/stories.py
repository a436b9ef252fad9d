"""The story bank: CRUD, graded on save, and the coverage audit. Thin; the work is in service/bank.py."""

from __future__ import annotations

from fastapi import APIRouter, Response

from service.api.deps import BankDep, CurrentUser
from service.api.schemas import AuditOut, Storable, StoryIn, StoryOut

router = APIRouter(prefix="/stories", tags=["stories"])


@router.get("")
async def list_stories(bank: BankDep, user: CurrentUser) -> list[StoryOut]:
    return [StoryOut.model_validate(s) for s in await bank.list(user_id=user)]


@router.get("/audit")
async def story_audit(bank: BankDep, user: CurrentUser) -> AuditOut:
    return AuditOut.model_validate(await bank.audit(user_id=user))


@router.post("", status_code=201)
async def create_story(body: StoryIn, bank: BankDep, user: CurrentUser) -> StoryOut:
    return StoryOut.model_validate(await bank.create(**body.model_dump(), user_id=user))


@router.get("/{story_id}")
async def get_story(story_id: Storable, bank: BankDep, user: CurrentUser) -> StoryOut:
    return StoryOut.model_validate(await bank.get(story_id=story_id, user_id=user))


@router.put("/{story_id}")
async def update_story(story_id: Storable, body: StoryIn, bank: BankDep, user: CurrentUser) -> StoryOut:
    return StoryOut.model_validate(await bank.update(story_id=story_id, **body.model_dump(), user_id=user))


@router.delete("/{story_id}", status_code=204, response_class=Response)
async def delete_story(story_id: Storable, bank: BankDep, user: CurrentUser) -> None:
    await bank.delete(story_id=story_id, user_id=user)
