"""Progress over time (Contract 3, additions: `GET /api/progress`) and the debrief's `since_last`.

Pure: built from what finished interviews and drills stored (each archetype's first-answer and final
Contract 2 grades); no I/O. Oldest first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from service.catalog import ARCHETYPE_IDS, PART_IDS, ArchetypeId, PartId, get_catalog
from service.rubric.models import Level, Verdict


@dataclass(frozen=True)
class Session:
    """One finished interview or drill: per archetype its first-answer grade and its final grade (dicts)."""

    kind: str  # "interview" | "drill"
    id: str
    at: datetime
    first: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    final: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


class PartPoint(BaseModel):
    at: datetime
    interview_id: str | None  # null for a drill
    drill_id: str | None = None
    archetype: ArchetypeId
    first: Verdict
    final: Verdict


class LevelPoint(BaseModel):
    at: datetime
    interview_id: str | None
    drill_id: str | None = None
    first: Level
    level: Level  # after the follow-ups (a drill has none: the same as first)


class Progress(BaseModel):
    parts: dict[PartId, list[PartPoint]]
    archetypes: dict[ArchetypeId, list[LevelPoint]]


def build_progress(sessions: Sequence[Session]) -> Progress:
    parts: dict[str, list[PartPoint]] = {p: [] for p in PART_IDS}
    levels: dict[str, list[LevelPoint]] = {a: [] for a in ARCHETYPE_IDS}
    for s in sorted(sessions, key=lambda s: (s.at, s.id)):
        ids = {
            "interview_id": s.id if s.kind == "interview" else None,
            "drill_id": s.id if s.kind == "drill" else None,
        }
        for arch, final in s.final.items():
            first = s.first.get(arch, final)
            for part in PART_IDS:
                parts[part].append(
                    PartPoint(
                        at=s.at,
                        archetype=arch,
                        first=first["parts"][part]["verdict"],
                        final=final["parts"][part]["verdict"],
                        **ids,
                    )
                )
            levels[arch].append(LevelPoint(at=s.at, first=first["level"], level=final["level"], **ids))
    return Progress(parts=parts, archetypes={a: p for a, p in levels.items() if p})


class PartChange(BaseModel):
    part: PartId
    before_met: int
    before_of: int
    now_met: int
    now_of: int


class LevelChange(BaseModel):
    before: Level
    now: Level


class SinceLast(BaseModel):
    """What changed since the last finished interview, by the final grades of each."""

    interview_id: str
    at: datetime
    improved: list[PartChange]
    slipped: list[PartChange]
    levels: dict[ArchetypeId, LevelChange]  # archetypes answered in both
    summary: str


def _met(grades: Mapping[str, Mapping[str, Any]], part: str) -> tuple[int, int]:
    return sum(g["parts"][part]["verdict"] == "met" for g in grades.values()), len(grades)


def since_last(now: Mapping[str, Mapping[str, Any]], before: Session) -> SinceLast | None:
    """`now`: this interview's final grades by archetype; `before`: the last finished interview."""
    if not now or not before.final:
        return None
    improved, slipped = [], []
    for part in PART_IDS:
        (bm, bo), (nm, no) = _met(before.final, part), _met(now, part)
        change = PartChange(part=part, before_met=bm, before_of=bo, now_met=nm, now_of=no)
        if nm / no > bm / bo:
            improved.append(change)
        elif nm / no < bm / bo:
            slipped.append(change)
    levels = {
        a: LevelChange(before=before.final[a]["level"], now=g["level"])
        for a, g in now.items()
        if a in before.final
    }
    said = [
        f"{get_catalog().rubric.part(c.part).name} met in {c.now_met} of {c.now_of}, up from {c.before_met} of {c.before_of}"
        for c in improved
    ]
    summary = (
        "Since your last interview: " + "; ".join(said) + "."
        if said
        else "No part improved since your last interview: the fixes below are where to start."
    )
    if slipped:
        summary += " Slipped: " + ", ".join(get_catalog().rubric.part(c.part).name for c in slipped) + "."
    return SinceLast(
        interview_id=before.id,
        at=before.at,
        improved=improved,
        slipped=slipped,
        levels=levels,
        summary=summary,
    )
