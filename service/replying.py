"""Making one interviewer reply: the move (the planner, with the model's reading when a grader model is
configured) and the words (the model's stream, checked as it comes, or the builtin phrasing), saved when
complete. `engine.InterviewService` runs each reply in a task of its own and lets retries follow it (`Live`).
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from service.catalog import Catalog
from service.config import Settings
from service.errors import Conflict, ModelError
from service.grading.live import Reading, from_stored, live_reading
from service.interview.checks import failure
from service.interview.phrasing import Phrasing, phrase, quote_for
from service.interview.planner import Move, Turn, next_move, to_read
from service.interview.prompting import interviewer_messages
from service.jobs.grade import by_model, grader_name
from service.llm import Request, get_model
from service.llm.registry import OFFLINE
from service.rubric import Grade
from service.store import crud
from service.store.models import Turn as TurnRow

Event = tuple[str, Any]


@dataclass
class Live:
    """A reply being made, kept apart from the request that asked for it.

    The model streams into a task of its own; the first request and any retry of the same answer follow
    its events, so a retry that arrives mid-stream costs no second model call, and a client that goes
    away mid-stream does not stop the reply from being saved for its retry.
    """

    events: list[Event] = field(default_factory=list)
    done: bool = False
    error: BaseException | None = None
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def publish(self, event: Event) -> None:
        self.events.append(event)
        self.changed.set()

    def close(self, error: BaseException | None = None) -> None:
        self.done, self.error = True, error
        self.changed.set()

    async def follow(self) -> AsyncIterator[Event]:
        seen = 0
        while True:
            while seen < len(self.events):
                seen += 1
                yield self.events[seen - 1]
            if self.done:
                break
            self.changed.clear()
            if seen == len(self.events) and not self.done:  # checked again after clearing: no lost wake-up
                await self.changed.wait()
        if self.error is not None:
            raise self.error


@dataclass(frozen=True)
class Meta:
    """What the reply path needs of an interview, read once so no session stays open."""

    id: str
    model: str
    archetypes: list[str]
    user_id: str | None
    status: str


@dataclass(frozen=True)
class Replier:
    """What a reply needs: the database, the settings, the catalog and the builtin phrasing."""

    sessions: async_sessionmaker[AsyncSession]
    settings: Settings
    catalog: Catalog
    phrasing: Phrasing

    async def plan(
        self,
        meta: Meta,
        plain: list[Turn],
        bank: list[tuple[str, str]],
        stored: dict[str, Any] | None = None,
    ) -> tuple[Move, Reading | None]:
        """The next move, and the model's reading it was chosen on (None: no grader model, the planner read
        the answers itself). `stored`: the grade saved with this answer by an earlier attempt."""
        # The planner reads the answer (embeddings, classifier: CPU work): off the event loop.
        plan = functools.partial(
            next_move,
            meta.archetypes,
            plain,
            max_pushbacks=self.settings.max_pushbacks_per_archetype,
            bank=bank,
        )
        budget = self.settings.reading_budget_seconds
        if budget <= 0 or not by_model(self.settings, meta.model):
            return await asyncio.to_thread(plan), None
        read = await asyncio.to_thread(to_read, plain, bank)
        if read is None or not read.answers:
            return await asyncio.to_thread(plan), None
        model = get_model(grader_name(self.settings, meta.model), self.settings)
        grade = Grade.model_validate(stored) if stored else None
        if grade is not None and grade.grader == model.name:
            reading = from_stored(grade)  # this answer's model reading, saved by the first attempt
        else:
            question = next(
                (t.text for t in plain if t.move == "probe" and t.archetype == read.archetype), None
            )
            reading = await live_reading(
                read,
                question=question,
                model=model,
                catalog=self.catalog,
                prompts_dir=self.settings.prompts_dir,
                budget=budget,
            )
        return await asyncio.to_thread(plan, read=read, given=reading.grade), reading

    async def produce(
        self, meta: Meta, plain: list[Turn], move: Move, read: Reading | None = None
    ) -> AsyncIterator[Event]:
        index = plain[-1].index + 1
        builtin = phrase(
            move,
            interview_id=meta.id,
            turn_index=index,
            catalog=self.catalog,
            phrasing=self.phrasing,
            asked={t.text for t in plain if t.role == "interviewer"},
            last_answer=plain[-1].text,
        )
        model = get_model("builtin" if move.kind == "wrap_up" else meta.model, self.settings)
        request = Request(messages=[], builtin=builtin, max_tokens=120)
        # The wrap-up is a fixed courtesy with a pointer to the debrief: no model call to get wrong.
        if meta.model not in OFFLINE and move.kind != "wrap_up":
            request.messages = interviewer_messages(
                move,
                plain,
                catalog=self.catalog,
                prompts_dir=self.settings.prompts_dir,
                probe=builtin if move.kind == "probe" else "",
                quote=quote_for(move, plain[-1].text),
            )
        chunks: list[str] = []
        problem: str | None = None
        stream = model.stream(request)
        try:
            async for chunk in stream:
                chunks.append(chunk)
                problem = failure("".join(chunks), final=False, prompts_dir=self.settings.prompts_dir)
                if problem:
                    break
                yield ("token", chunk)
        except ModelError as exc:
            problem = f"model failed: {exc}"
        finally:
            await stream.aclose()  # type: ignore[attr-defined]
        text = "".join(chunks).strip()
        problem = problem or failure(text, final=True, prompts_dir=self.settings.prompts_dir)
        degraded = problem is not None
        if degraded:
            text = builtin
            yield ("replace", text)
        usage = request.usage.as_dict() if request.messages else None
        if usage is not None and problem:
            usage["withdrawn"] = problem
        if read is not None:  # whose reading chose this move (the reading's own calls: the answer's usage)
            usage = {**(usage or {}), "reading": read.note()}
        async with self.sessions() as session:
            try:
                row = await crud.add_turn(
                    session,
                    interview_id=meta.id,
                    role="interviewer",
                    text=text,
                    move=move.kind,
                    code=move.code,
                    archetype=move.archetype,
                    degraded=degraded,
                    usage=usage,
                    index=index,
                    # The wrap-up ends the interview in the same transaction; the debrief is built on first
                    # request (finish / debrief), not on this reply's path.
                    also=[crud.finishing(meta.id)] if move.kind == "wrap_up" else (),
                )
            except Conflict:
                # A retry of the same answer raced this one and saved its reply first: end with that
                # reply (the one in the transcript) instead of cutting the stream.
                saved = await self.saved_reply(meta, index)
                if saved is None:
                    raise
                if saved.text != text:
                    yield ("replace", saved.text)
                yield ("turn", saved)
                return
            yield ("turn", row)

    async def saved_reply(self, meta: Meta, index: int) -> TurnRow | None:
        async with self.sessions() as session:
            interview = await crud.get_interview(session, interview_id=meta.id)
        if interview is None:
            return None
        return next((t for t in interview.turns if t.index == index and t.role == "interviewer"), None)
