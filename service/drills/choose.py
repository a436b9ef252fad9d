"""Which three archetypes a drill asks for: those the bank has no solid story for (the seed: "Pick three of
the eight archetypes you currently have NO solid story for")."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from service.catalog import ARCHETYPE_IDS
from service.rubric.models import LEVELS

DRILL_SIZE = 3
SOLID: frozenset[str] = frozenset({"strong", "staff"})  # a story at these levels needs no drilling


def choose(stories: Sequence[Any]) -> list[str]:
    """`stories`: rows with `archetype` and `grade` (a Contract 2 dict or None). Archetypes with no story
    come first, then those whose best story is the weakest; catalog order breaks ties. When the bank is
    solid nearly everywhere, the weakest of the solid ones fill the three."""
    best: dict[str, int] = {}
    for s in stories:
        level = (s.grade or {}).get("level")
        rank = LEVELS.index(level) if level in LEVELS else 0
        best[s.archetype] = max(best.get(s.archetype, 0), rank + 1)  # 0: no story at all
    ranked = sorted(ARCHETYPE_IDS, key=lambda a: (best.get(a, 0), ARCHETYPE_IDS.index(a)))
    return ranked[:DRILL_SIZE]


def solid(stories: Sequence[Any]) -> set[str]:
    """The archetypes with at least one story at strong or staff level."""
    return {s.archetype for s in stories if (s.grade or {}).get("level") in SOLID}
