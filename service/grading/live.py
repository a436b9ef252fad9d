"""The model's reading of an answer, made before the interviewer's move is chosen (issue 13.3).

With a grader model configured, each answer gets one structured reading: `grade_answer` (the grader's
schema, quotes verified in code, merged with the rubric's reading by `merge.py`) on the archetype's answers
together, the planner's own reading as its rubric half. It must land within `reading_budget_seconds`; past
that, or when the model fails or replies off-schema, the rubric's reading decides and the turn says why.
The reading used is stored with the answer, so the grading job and the debrief reuse it.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from service.catalog import Catalog
from service.errors import ModelError
from service.grading.grader import grade_answer
from service.interview.planner import ToRead, reading
from service.llm.base import ChatModel
from service.rubric.models import Grade

log = logging.getLogger(__name__)
RUBRIC = "builtin"


@dataclass
class Reading:
    grade: Grade  # what the move is chosen on
    by: str  # the model's name when its reading stands, else `builtin` (the rubric's)
    fallback: str | None = None  # why the rubric stood in
    usage: list[dict[str, Any]] = field(default_factory=list)

    def note(self) -> dict[str, Any]:
        """What the reply's turn says about it (`TurnOut.reading`)."""
        return {"by": self.by, "fallback": self.fallback}


def summed(usage: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The reading's calls as one usage entry (the debrief adds up one entry a turn)."""
    if not usage:
        return None
    costs = [u["cost_usd"] for u in usage if u.get("cost_usd") is not None]
    errors = [u["error"] for u in usage if u.get("error")]
    return {
        "model": usage[0].get("model", ""),
        "prompt_tokens": sum(int(u.get("prompt_tokens") or 0) for u in usage),
        "completion_tokens": sum(int(u.get("completion_tokens") or 0) for u in usage),
        "cost_usd": sum(costs) if costs else None,
        "calls": sum(int(u.get("calls") or 0) for u in usage),
        "retries": sum(int(u.get("retries") or 0) for u in usage),
        "error": errors[-1] if errors else None,
        "estimated": any(u.get("estimated") for u in usage),
        "purpose": "reading",
    }


def from_stored(grade: Grade) -> Reading:
    """A reading stored with the answer (a retry resuming its reply): used again, not asked again."""
    return Reading(grade=grade, by=grade.grader)


async def live_reading(
    read: ToRead,
    *,
    question: str | None,
    model: ChatModel,
    catalog: Catalog,
    prompts_dir: Path,
    budget: float,
) -> Reading:
    """The model's merged reading of `read`, or the rubric's when the model is too slow or fails."""
    base = await asyncio.to_thread(reading, read.answers, read.archetype, read.others)
    try:
        outcome = await asyncio.wait_for(
            grade_answer(
                answer="\n\n".join(read.answers),
                archetype=read.archetype,
                question=question,
                model=model,
                catalog=catalog,
                prompts_dir=prompts_dir,
                base=base,
            ),
            timeout=budget,
        )
    except TimeoutError:
        why = f"the model's reading took longer than {budget:g} s"
        log.warning("%s (%s): the rubric decided", why, model.name)
        usage = [{"model": model.name, "calls": 1, "error": f"cancelled: {why}"}]
        return Reading(grade=base, by=RUBRIC, fallback=why, usage=usage)
    except ModelError as exc:  # grade_answer keeps model trouble to itself; an adapter may not
        return Reading(grade=base, by=RUBRIC, fallback=f"the model's reading failed: {exc}"[:300])
    if outcome.fallback_reason:
        why = f"the model's reading was unusable: {outcome.fallback_reason}"[:300]
        return Reading(grade=base, by=RUBRIC, fallback=why, usage=outcome.usage)
    return Reading(grade=outcome.grade, by=outcome.grade.grader, usage=outcome.usage)
