"""The LLM grader measured on a fixed subset of the labeled cases: replayed from cassettes, or live."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from service.catalog import Catalog
from service.config import Settings
from service.evals.cases import PARTS, Case
from service.evals.runner import grader_report
from service.grading import grade_answer
from service.llm.base import ChatModel
from service.rubric import Grade


def llm_subset(cases: list[Case], per_archetype: int) -> list[Case]:
    """Every seed case, and the first `per_archetype` cases of each archetype by id (no injection twins)."""
    chosen = [c for c in cases if c.source == "seed"]
    by_arch: dict[str | None, list[Case]] = {}
    for c in sorted(cases, key=lambda c: c.id):
        if c.source != "seed" and "injection" not in c.tags:
            by_arch.setdefault(c.archetype, []).append(c)
    for group in by_arch.values():
        chosen += group[:per_archetype]
    return chosen


async def grade_all(
    cases: list[Case],
    model: ChatModel,
    *,
    catalog: Catalog,
    settings: Settings,
    progress: Callable[[], None] = lambda: None,
) -> tuple[dict[str, Grade], dict[str, str | None]]:
    grades: dict[str, Grade] = {}
    fallbacks: dict[str, str | None] = {}
    for case in cases:
        outcome = await grade_answer(
            answer=case.answer,
            archetype=case.archetype,
            question=case.question,
            model=model,
            catalog=catalog,
            prompts_dir=settings.prompts_dir,
        )
        grades[case.id] = outcome.grade
        fallbacks[case.id] = outcome.fallback_reason
        progress()
    return grades, fallbacks


def llm_report(
    cases: list[Case], grades: dict[str, Grade], fallbacks: dict[str, str | None]
) -> dict[str, Any]:
    report = grader_report(cases, grades)
    report.pop("misses", None)
    report["fallback_rate"] = sum(1 for c in cases if fallbacks[c.id]) / len(cases) if cases else 0.0
    return report


def flip_rates(epochs: list[dict[str, Grade]], cases: list[Case]) -> dict[str, float]:
    """Per part: the share of cases whose verdict is not the same in every epoch."""
    rates: dict[str, float] = {}
    for part in PARTS:
        flipped = sum(1 for c in cases if len({e[c.id].parts[part].verdict for e in epochs}) > 1)
        rates[part] = flipped / len(cases) if cases else 0.0
    return rates
