"""Grade one answer with a model: ask, validate, re-ask once, verify quotes, merge with the rubric.

Model trouble never reaches the caller: a model that fails or replies off-schema twice leaves the
deterministic grade standing (`grader="builtin"`, with the reason on the outcome and on each part).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from service.catalog import Catalog
from service.errors import ModelError
from service.grading.merge import merge
from service.grading.prompt import GraderPrompt, build_prompt
from service.grading.quotes import QuoteLocator
from service.grading.schema import GRADER_SCHEMA, GraderOutput, describe_errors, parse_output
from service.grading.verify import CheckedPart, check_parts
from service.llm.base import ChatModel, Message, Request, Usage
from service.rubric.analyze import grade_reading
from service.rubric.models import Grade
from service.rubric.parts import number_source
from service.rubric.segment import read

log = logging.getLogger(__name__)

ATTEMPTS = 2  # the first ask and one re-ask
MAX_TOKENS = 2000
_ECHO_CHARS = 4000  # how much of an unusable reply is shown back to the model


@dataclass
class GradeOutcome:
    grade: Grade
    usage: list[dict[str, Any]] = field(default_factory=list)
    fallback_reason: str | None = None
    # What the model replied (validated) and its parts after the quote checks, before the merge; None when
    # no model graded (builtin, or a fallback). The eval reads them to say what the checks did.
    reply: GraderOutput | None = None
    checked: dict[str, CheckedPart] | None = None


async def _ask(
    model: ChatModel, prompt: GraderPrompt, usages: list[Usage]
) -> tuple[GraderOutput | None, str]:
    """The validated reply, or None and what was wrong with the last one."""
    messages = list(prompt.messages)
    problem = ""
    for _ in range(ATTEMPTS):
        request = Request(messages=list(messages), max_tokens=MAX_TOKENS, temperature=0.0)
        usages.append(request.usage)
        echo: str | None = None
        try:
            data = await model.structured(request, GRADER_SCHEMA)
        except ModelError as exc:
            problem = f"the model call failed: {exc}"
        except Exception as exc:  # an adapter bug must not take the interview down with it
            log.warning("grader model %s raised unexpectedly", model.name, exc_info=True)
            problem = f"the model call failed: {type(exc).__name__}: {exc}"
        else:
            try:
                return parse_output(data), ""
            except ValidationError as exc:
                problem = f"the reply did not follow the schema: {describe_errors(exc)}"
                echo = json.dumps(data, ensure_ascii=False)[:_ECHO_CHARS]
        request.usage.error = request.usage.error or problem
        if echo is not None:
            messages.append(Message("assistant", echo))
        messages.append(prompt.reask(problem))
    return None, problem


def _fallback(base: Grade, reason: str) -> Grade:
    """The deterministic grade, each part saying why the model's grade was not used."""
    parts = {
        part_id: p.model_copy(update={"note": f"{p.note} (model grade not used: {reason})".strip()})
        for part_id, p in base.parts.items()
    }
    return base.model_copy(update={"parts": parts, "grader": "builtin"})


async def grade_answer(
    *,
    answer: str,
    archetype: str | None,
    question: str | None,
    model: ChatModel,
    catalog: Catalog,
    prompts_dir: Path,
    earlier: Iterable[frozenset[str]] = (),
    base: Grade | None = None,
) -> GradeOutcome:
    """The merged grade (see `merge.py` for the rules); the builtin grade when there is no usable model.
    `base`: the rubric's grade of this answer when the caller has it already (the planner's stored reading),
    so it is not computed a second time."""
    # The reading is CPU work (embeddings, classifier): off the event loop.
    reading = await asyncio.to_thread(read, answer)
    if base is None:
        base = await asyncio.to_thread(grade_reading, reading, archetype, earlier=earlier, catalog=catalog)
    if model.name == "builtin":
        return GradeOutcome(grade=base)
    prompt = build_prompt(
        answer=answer, archetype=archetype, question=question, catalog=catalog, prompts_dir=prompts_dir
    )
    usages: list[Usage] = []
    output, problem = await _ask(model, prompt, usages)
    usage = [u.as_dict() for u in usages]
    if output is None:
        reason = f"no usable reply from {model.name} after {ATTEMPTS} attempts; last: {problem}"
        log.warning("grader fell back to the rubric: %s", reason)
        return GradeOutcome(
            grade=_fallback(base, "the model's reply was unusable"), usage=usage, fallback_reason=reason
        )
    checked = check_parts(output.parts.by_id(), QuoteLocator(answer, avoid=reading.injected()))
    grade = merge(
        checked,
        base,
        grader=model.name,
        number_sourced=number_source(reading) is not None,
        catalog=catalog,
    )
    return GradeOutcome(grade=grade, usage=usage, reply=output, checked=checked)
