"""The 25-minute drill (Contract 4): thin; the work is in service/drills/."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from service.api.deps import CurrentUser, DrillsDep
from service.api.drill_schemas import DrillCreate, DrillFinish, DrillOut, DrillSummary, OutlineIn
from service.api.schemas import Storable
from service.catalog import ArchetypeId
from service.drills.report import DrillReport

router = APIRouter(prefix="/drills", tags=["drills"])


@router.post("", status_code=201)
async def create_drill(body: DrillCreate, drills: DrillsDep, user: CurrentUser) -> DrillOut:
    return DrillOut.of(await drills.start(archetypes=body.archetypes, user_id=user))


@router.get("")
async def list_drills(
    drills: DrillsDep, user: CurrentUser, limit: Annotated[int, Query(ge=1, le=100)] = 20
) -> list[DrillSummary]:
    """The caller's drills, newest first (an addition to Contract 4)."""
    return [DrillSummary.of(d) for d in await drills.list(user_id=user, limit=limit)]


@router.get("/{drill_id}")
async def get_drill(drill_id: Storable, drills: DrillsDep, user: CurrentUser) -> DrillOut:
    return DrillOut.of(await drills.get(drill_id=drill_id, user_id=user))


@router.put("/{drill_id}/outlines/{archetype}")
async def save_outline(
    drill_id: Storable, archetype: ArchetypeId, body: OutlineIn, drills: DrillsDep, user: CurrentUser
) -> DrillOut:
    drill = await drills.save_outline(
        drill_id=drill_id, archetype=archetype, parts={str(p): t for p, t in body.parts.items()}, user_id=user
    )
    return DrillOut.of(drill)


@router.post("/{drill_id}/finish")
async def finish_drill(
    drill_id: Storable, drills: DrillsDep, user: CurrentUser, body: DrillFinish | None = None
) -> DrillReport:
    return await drills.finish(drill_id=drill_id, named_gaps=body.gaps if body else [], user_id=user)
