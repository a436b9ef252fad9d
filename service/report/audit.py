"""The story bank's coverage audit: the seed's Story Coverage Matrix and pre-loop checks."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from service.catalog import ARCHETYPE_IDS, Catalog
from service.rubric import project_fingerprint
from service.rubric.fingerprint import same_project

MAX_ARCHETYPES_PER_PROJECT = 2
MIN_STRUCTURAL_DRIVERS = 2


def audit(stories: Sequence[Any], catalog: Catalog) -> dict[str, Any]:
    """`stories`: rows with id, title, archetype, project, year and grade (a Contract 2 dict)."""
    matrix = []
    for arch in ARCHETYPE_IDS:
        filed = [s for s in stories if s.archetype == arch]
        matrix.append(
            {
                "archetype": arch,
                "title": catalog.archetype(arch).title,
                "stories": [
                    {"id": s.id, "title": s.title, "project": s.project, "year": s.year} for s in filed
                ],
                "covered": bool(filed),
            }
        )
    projects: dict[str, set[str]] = defaultdict(set)
    for s in stories:
        projects[s.project.strip().lower()].add(s.archetype)
    overused = {p: sorted(a) for p, a in projects.items() if len(a) > MAX_ARCHETYPES_PER_PROJECT}
    structural = [s.id for s in stories if s.grade and s.grade["parts"]["driver"]["verdict"] == "met"]
    checklists = [
        {
            "id": s.id,
            "title": s.title,
            "level": s.grade["level"] if s.grade else None,
            "checklist": {p: v["verdict"] for p, v in s.grade["parts"].items()} if s.grade else {},
            "pushbacks": s.grade["pushbacks"] if s.grade else [],
        }
        for s in stories
    ]
    missing = [row["archetype"] for row in matrix if not row["covered"]]
    return {
        "matrix": matrix,
        "missing_archetypes": missing,
        "projects_over_two_archetypes": overused,
        "structural_driver_stories": structural,
        "checks": {
            "one_story_per_archetype": not missing,
            "no_project_over_two_archetypes": not overused,
            "at_least_two_structural_drivers": len(structural) >= MIN_STRUCTURAL_DRIVERS,
        },
        "stories": checklists,
        "projects_reused": projects_reused(stories),
    }


def projects_reused(stories: Sequence[Any]) -> list[dict[str, Any]]:
    """Pairs of stories filed for different archetypes that tell the same project, by what the texts say
    (service/rubric/meaning.py), whatever their `project` labels: `{"stories": [id, id], "archetypes":
    [a, b], "titles": [t, t]}`."""
    told = [s for s in stories if getattr(s, "text", "").strip()]
    prints = [project_fingerprint(s.text) for s in told]
    return [
        {"stories": [a.id, b.id], "archetypes": [a.archetype, b.archetype], "titles": [a.title, b.title]}
        for i, a in enumerate(told)
        for j, b in enumerate(told[i + 1 :], start=i + 1)
        if a.archetype != b.archetype and same_project(prints[i], prints[j])
    ]
