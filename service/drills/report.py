"""The drill's finish report (Contract 4): each outline graded, the self-assessment, gaps and same project.

Pure: built from the drill's outlines and the bank's stories as they are read; no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel

from service.catalog import ARCHETYPE_IDS, PART_IDS, ArchetypeId, Catalog, PartId
from service.drills.assess import Dimension, Written, assess
from service.rubric import Grade, analyze, project_fingerprint
from service.rubric.fingerprint import same_project
from service.rubric.models import Level

# A story has material once it has a scene and what you did in it (the seed: "if you can't find a story
# for an archetype, that's the most important diagnostic finding of this drill").
MATERIAL: tuple[PartId, ...] = ("situation", "action")


class OutlineReport(BaseModel):
    archetype: ArchetypeId
    title: str
    written: list[PartId]  # the paragraphs written, in STAR-DRIVE order
    material: bool
    over_time: bool  # last saved after its time box ran out
    text: str  # the six paragraphs joined: what was graded, and what "save to bank" keeps
    grade: Grade | None  # Contract 2, of `text`; null when nothing was written


class DimensionReport(BaseModel):
    level: Level
    reason: str


class DrillReport(BaseModel):
    drill_id: str
    archetypes: list[ArchetypeId]
    outlines: dict[ArchetypeId, OutlineReport]
    self_assessment: dict[Dimension, DimensionReport]
    gaps: list[ArchetypeId]  # archetypes still without material: not in the bank, not in this drill
    named_gaps: list[ArchetypeId]  # the gaps the candidate named when finishing
    same_project: list[list[ArchetypeId]]  # outlines of this drill that tell one project


def joined(parts: Mapping[str, str]) -> str:
    """One paragraph per letter, in order, blank-line separated."""
    return "\n\n".join(parts[p].strip() for p in PART_IDS if parts.get(p, "").strip())


def _over_time(outline: Mapping[str, Any], time_box_seconds: int) -> bool:
    started, saved = outline.get("started_at"), outline.get("saved_at")
    if not started or not saved:
        return False
    return datetime.fromisoformat(saved) - datetime.fromisoformat(started) > timedelta(
        seconds=time_box_seconds
    )


def build_report(
    *,
    drill_id: str,
    archetypes: Sequence[str],
    outlines: Mapping[str, Mapping[str, Any]],
    time_box_seconds: int,
    started_at: datetime,
    bank: Sequence[Any],
    named_gaps: Sequence[str],
    catalog: Catalog,
) -> DrillReport:
    """`bank`: the caller's stories (archetype, text, created_at)."""
    titles = {a: catalog.archetype(a).title for a in ARCHETYPE_IDS}
    reports: dict[str, OutlineReport] = {}
    for arch in archetypes:
        outline = outlines.get(arch) or {}
        parts: dict[str, str] = {p: t for p, t in (outline.get("parts") or {}).items() if t.strip()}
        text = joined(parts)
        reports[arch] = OutlineReport(
            archetype=arch,
            title=titles[arch],
            written=[p for p in PART_IDS if p in parts],
            material=all(p in parts for p in MATERIAL),
            over_time=_over_time(outline, time_box_seconds),
            text=text,
            grade=analyze(text, arch, catalog=catalog) if text else None,
        )
    told = [r for r in reports.values() if r.text]
    prints = [project_fingerprint(r.text) for r in told]
    pairs = [
        [a.archetype, b.archetype]
        for i, a in enumerate(told)
        for j, b in enumerate(told[i + 1 :], start=i + 1)
        if same_project(prints[i], prints[j])
    ]
    written = [
        Written(r.archetype, r.title, (outlines.get(r.archetype) or {}).get("parts") or {}, r.grade)
        for r in reports.values()
        if r.material and r.grade is not None
    ]
    covered = {s.archetype for s in bank} | {w.archetype for w in written}
    gaps = [a for a in ARCHETYPE_IDS if a not in covered]
    before = {s.archetype for s in bank if s.created_at < started_at}
    named = [a for a in ARCHETYPE_IDS if a in set(named_gaps)]
    dims = assess(
        written,
        drilled=list(archetypes),
        same_project=pairs,
        stretches=[a for a in archetypes if a not in before],
        gaps=gaps,
        named_gaps=named,
        titles=titles,
    )
    return DrillReport(
        drill_id=drill_id,
        archetypes=list(archetypes),
        outlines=reports,
        self_assessment={d: DimensionReport(level=a.level, reason=a.reason) for d, a in dims.items()},
        gaps=gaps,
        named_gaps=named,
        same_project=pairs,
    )
