"""Contract 4's shapes (the 25-minute drill): request bodies and the response models its routes declare."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from service.api.schemas import Text
from service.catalog import ArchetypeId, PartId
from service.drills.report import DrillReport
from service.rubric.models import Level

PARAGRAPH_CHARS = 5_000
# Storable and not blank (leave a letter out to leave it unwritten), and bounded.
Paragraph = Annotated[Text, Field(max_length=PARAGRAPH_CHARS)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DrillCreate(_Body):
    """No archetypes: the drill picks three the caller's bank has no solid story for."""

    archetypes: list[ArchetypeId] | None = Field(default=None, min_length=3, max_length=3)


class OutlineIn(_Body):
    """One paragraph per STAR-DRIVE letter; partial outlines allowed (`{}` starts the story's clock)."""

    parts: dict[PartId, Paragraph] = Field(default_factory=dict)


class DrillFinish(_Body):
    """The archetypes the candidate names as still without material (the Staff bar of coverage discovery)."""

    gaps: list[ArchetypeId] = Field(default_factory=list, max_length=8)


class OutlineOut(BaseModel):
    started_at: datetime
    saved_at: datetime | None = None
    parts: dict[PartId, str]


class DrillOut(BaseModel):
    id: str
    status: Literal["active", "finished"]
    archetypes: list[ArchetypeId]
    time_box_seconds: int
    started_at: datetime
    outlines: dict[ArchetypeId, OutlineOut]
    report: DrillReport | None = None  # once finished

    @classmethod
    def of(cls, drill: Any) -> DrillOut:
        return cls(
            id=drill.id,
            status=drill.status,
            archetypes=list(drill.archetypes),
            time_box_seconds=drill.time_box_seconds,
            started_at=drill.started_at,
            outlines={a: OutlineOut.model_validate(o) for a, o in (drill.outlines or {}).items()},
            report=DrillReport.model_validate(drill.report) if drill.report else None,
        )


class DrillSummary(BaseModel):
    """One row of `GET /api/drills` (an addition): the caller's drills, newest first."""

    id: str
    status: Literal["active", "finished"]
    archetypes: list[ArchetypeId]
    started_at: datetime
    levels: dict[ArchetypeId, Level]  # each graded outline's level, once finished
    gaps: list[ArchetypeId]  # archetypes still without material, once finished

    @classmethod
    def of(cls, drill: Any) -> DrillSummary:
        report = drill.report or {}
        outlines = report.get("outlines") or {}
        return cls(
            id=drill.id,
            status=drill.status,
            archetypes=list(drill.archetypes),
            started_at=drill.started_at,
            levels={a: o["grade"]["level"] for a, o in outlines.items() if o.get("grade")},
            gaps=list(report.get("gaps") or []),
        )
