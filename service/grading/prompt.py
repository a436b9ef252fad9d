"""The grader's messages, rendered from `prompts/grader.j2`.

The answer sits between boundary lines carrying a fresh random tag per call
(`<<ANSWER-3f9c2a1b>>` ... `<<END-ANSWER-3f9c2a1b>>`), so the candidate cannot close the block
early, and the instructions are repeated after it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from service.catalog import PART_IDS, Catalog
from service.llm.base import Message

PROMPT_VERSION = "grader-v1"
TEMPLATE = "grader.j2"


@lru_cache(maxsize=8)
def _env(prompts_dir: Path) -> Environment:
    return Environment(
        loader=FileSystemLoader(prompts_dir),
        autoescape=False,  # plain text for a model, not HTML
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _render(prompts_dir: Path, **context: object) -> str:
    text = _env(prompts_dir).get_template(TEMPLATE).render(part_ids=PART_IDS, **context)
    return text.strip()


def new_tag(answer: str, question: str | None = None) -> str:
    """A random boundary tag that occurs nowhere in the candidate's text."""
    while True:
        tag = secrets.token_hex(4)
        if tag not in answer and tag not in (question or ""):
            return tag


@dataclass(frozen=True)
class GraderPrompt:
    tag: str
    messages: tuple[Message, ...]
    prompts_dir: Path

    @property
    def begin(self) -> str:
        return f"<<ANSWER-{self.tag}>>"

    @property
    def end(self) -> str:
        return f"<<END-ANSWER-{self.tag}>>"

    def reask(self, problem: str) -> Message:
        """The follow-up after an unusable reply, saying what was wrong with it."""
        return Message("user", _render(self.prompts_dir, role="reask", problem=problem))


def build_prompt(
    *,
    answer: str,
    archetype: str | None,
    question: str | None,
    catalog: Catalog,
    prompts_dir: Path,
    tag: str | None = None,
) -> GraderPrompt:
    tag = tag or new_tag(answer, question)
    arch = catalog.archetype(archetype) if archetype else None
    system = _render(prompts_dir, role="system", parts=catalog.rubric.parts, archetype=arch)
    user = _render(prompts_dir, role="user", answer=answer, question=question, tag=tag)
    return GraderPrompt(
        tag=tag, messages=(Message("system", system), Message("user", user)), prompts_dir=prompts_dir
    )
