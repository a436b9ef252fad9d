"""The interview service: ties the planner, the phrasing, the model and the store together.

The candidate's turn is committed before the reply is produced and the reply when it is complete, so a
broken stream never loses the candidate's words; a retry with the same Idempotency-Key returns the first
reply (or finishes producing it) and adds nothing. A reply is made in a task of its own: a retry that
arrives while it streams follows it instead of calling the model again, and a client that goes away
mid-stream does not stop it from being saved.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import random
from collections.abc import AsyncIterator, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from service.bank import BankTexts
from service.catalog import ARCHETYPE_IDS, Catalog
from service.config import Settings
from service.errors import (
    Conflict,
    InputError,
    ModelError,
    ModelNotAllowed,
    NotFound,
    QuotaExceeded,
    TooLarge,
)
from service.grading.live import Reading, summed
from service.interview.phrasing import Phrasing, phrase
from service.interview.planner import Move, Turn, answers_for, first_move
from service.jobs import queue
from service.jobs.grade import by_model
from service.jobs.grades import stored_grades
from service.llm.registry import validate_model
from service.replying import Event, Live, Meta, Replier
from service.report.cache import BuiltOnce
from service.report.debrief import Debrief, build_debrief
from service.store import crud
from service.store.models import Interview
from service.store.models import Turn as TurnRow

# Claims the caller's slot for a reply being made; returns what gives it back (api/limits.py's Lease).
Claim = Callable[[], Callable[[], None]]
log = logging.getLogger(__name__)


def _plain(turns: list[TurnRow]) -> list[Turn]:
    return [
        Turn(t.index, t.role, t.text, t.move, t.code, t.archetype)
        for t in sorted(turns, key=lambda t: t.index)
    ]


class InterviewService:
    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        settings: Settings,
        catalog: Catalog,
        phrasing: Phrasing,
    ) -> None:
        self.sessions = sessions
        self.settings = settings
        self.catalog = catalog
        self.phrasing = phrasing
        bind = sessions.kw.get("bind")
        self._dialect = bind.dialect.name if bind is not None else "sqlite"
        # Called after a grading job is committed: the in-process worker, if any, looks at once.
        self.on_enqueue: Callable[[], None] = lambda: None
        # Replies being made in this process, by (interview, turn index).
        self._live: dict[tuple[str, int], Live] = {}
        self._making: set[asyncio.Task[None]] = set()
        self._debriefs: BuiltOnce[Debrief] = BuiltOnce()
        self._bank_texts = BankTexts()
        self._replier = Replier(sessions=sessions, settings=settings, catalog=catalog, phrasing=phrasing)

    async def start(
        self,
        *,
        archetypes: list[str] | None = None,
        count: int | None = None,
        model: str | None = None,
        user_id: str | None = None,
    ) -> Interview:
        """The new interview, its first probe stored, read back with its turns."""
        chosen = self._choose_archetypes(archetypes, count)
        model_name = model or self.settings.model
        if not self.settings.model_allowed(model_name):
            # Checked before the name reaches litellm: a model string is a destination for the transcript
            # and the operator's key, so nothing is routed, validated or called for a name not allowed.
            raise ModelNotAllowed(
                f"model {model_name!r} is not allowed here; set STARDRIVE_ALLOWED_MODELS to allow it"
            )
        try:
            validate_model(model_name, self.settings)
        except ModelError as exc:
            raise InputError(str(exc)) from exc
        seed = random.SystemRandom().randrange(2**31)
        async with self.sessions() as session:
            quota = self.settings.quota("interviews", user_id)
            if (
                quota
                and user_id is not None
                and await crud.count_interviews(session, user_id=user_id) >= quota
            ):
                raise QuotaExceeded(f"your account keeps {quota} interviews, the most it may")
            interview = await crud.create_interview(
                session, archetypes=chosen, model=model_name, seed=seed, user_id=user_id
            )
            move = first_move(chosen)
            text = phrase(
                move, interview_id=interview.id, turn_index=0, catalog=self.catalog, phrasing=self.phrasing
            )
            await crud.add_turn(
                session,
                interview_id=interview.id,
                role="interviewer",
                text=text,
                move="probe",
                archetype=move.archetype,
            )
            loaded = await crud.get_interview(session, interview_id=interview.id)
            assert loaded is not None
            return loaded

    def _choose_archetypes(self, archetypes: list[str] | None, count: int | None) -> list[str]:
        if archetypes:
            unknown = [a for a in archetypes if a not in ARCHETYPE_IDS]
            if unknown:
                raise InputError(f"unknown archetypes {unknown}; known: {', '.join(ARCHETYPE_IDS)}")
            if len(set(archetypes)) != len(archetypes):
                raise InputError("archetypes must not repeat")
            return list(archetypes)
        n = count if count is not None else self.settings.interview_archetype_count
        if not 1 <= n <= len(ARCHETYPE_IDS):
            raise InputError(f"count must be between 1 and {len(ARCHETYPE_IDS)}")
        return random.SystemRandom().sample(list(ARCHETYPE_IDS), n)

    async def get(self, *, interview_id: str, user_id: str | None = None) -> Interview:
        """The interview with its turns (NotFound for another user's or an unknown id)."""
        return await self._read(interview_id, user_id)

    async def _load(self, session: AsyncSession, interview_id: str, user_id: str | None) -> Interview:
        interview = await crud.get_interview(session, interview_id=interview_id, user_id=user_id)
        if interview is None:
            raise NotFound(f"no interview {interview_id!r}")
        return interview

    def check_answer(self, text: str) -> str:
        if len(text) > self.settings.max_answer_chars:
            raise TooLarge(f"answer is {len(text)} characters; the limit is {self.settings.max_answer_chars}")
        if not text.strip():
            raise InputError("answer is empty")
        return text

    async def answer(
        self,
        *,
        interview_id: str,
        text: str,
        idempotency_key: str | None = None,
        user_id: str | None = None,
        slot: Claim | None = None,
        retried: bool = False,
    ) -> AsyncIterator[Event]:
        """Events: ("token", str) while the reply is made, ("replace", str) if it is withdrawn, ("turn", the
        stored interviewer turn).

        Three short database sessions (read; commit the answer; commit the reply) so that no connection
        is held while a model streams. `slot` is claimed when a reply starts being made here, and given
        back when that reply is done, however long its client stays.
        """
        self.check_answer(text)
        async with self.sessions() as session:
            found = await crud.get_transcript(session, interview_id=interview_id, user_id=user_id)
            if found is None:
                raise NotFound(f"no interview {interview_id!r}")
            interview, version = found
            turns = sorted(interview.turns, key=lambda t: t.index)
            meta = Meta(
                interview.id, interview.model, list(interview.archetypes), interview.user_id, interview.status
            )
            # The owner's bank, read again only when it changed (an answer's cost does not grow with the bank's
            # text); its version came with the transcript when the owner is the caller.
            owner = interview.user_id
            bank = await self._bank_texts.get(session, owner, version if owner == user_id else None)
        plain = _plain(turns)
        if idempotency_key:
            earlier = next((t for t in turns if t.idempotency_key == idempotency_key), None)
            if earlier is not None and earlier.text != text:
                raise InputError("this Idempotency-Key was already used for a different answer")
            if earlier is not None:
                reply = next((t for t in turns if t.index == earlier.index + 1), None)
                if reply is not None:
                    yield ("token", reply.text)
                    yield ("turn", reply)
                    return
                # The first attempt died after saving the answer: make the missing reply now.
                move, read = await self._replier.plan(meta, plain, bank, stored=earlier.grade)
                async for event in self._reply(meta, plain, move, slot, read):
                    yield event
                return
        if meta.status == "finished":
            raise Conflict("this interview is finished")
        if plain and plain[-1].role == "candidate":
            if plain[-1].text != text:
                raise Conflict("the previous answer is still waiting for its reply; resend it to resume")
            move, read = await self._replier.plan(meta, plain, bank, stored=turns[-1].grade)
            async for event in self._reply(meta, plain, move, slot, read):
                yield event
            return
        archetype = plain[-1].archetype if plain else None
        index = plain[-1].index + 1 if plain else 0
        plain.append(Turn(index, "candidate", text, None, None, archetype))
        move, read = await self._replier.plan(meta, plain, bank)
        jobs = self._jobs_completed_by(meta, plain, move)
        try:
            async with self.sessions() as session:
                await crud.add_turn(
                    session,
                    interview_id=meta.id,
                    role="candidate",
                    text=text,
                    archetype=archetype,
                    grade=move.grade.model_dump(mode="json") if move.grade else None,
                    idempotency_key=idempotency_key,
                    usage=summed(read.usage) if read else None,
                    index=index,
                    also=jobs,
                )
        except Conflict:
            if not idempotency_key or retried:
                raise
            # An identical retry (same key) saved this answer a moment earlier: read again, and follow its
            # reply (or make the missing one) like any later retry would.
            again = self.answer(
                interview_id=interview_id,
                text=text,
                idempotency_key=idempotency_key,
                user_id=user_id,
                slot=slot,
                retried=True,
            )
            async for event in again:
                yield event
            return
        if jobs:
            self.on_enqueue()
        async for event in self._reply(meta, plain, move, slot, read):
            yield event

    def _jobs_completed_by(self, meta: Meta, plain: list[Turn], move: Move) -> list[Any]:
        """The grading job of the archetype this answer completes (the next move leaves it), to commit with
        the answer: an answer stored is an archetype that will be graded, whatever happens to this process."""
        done = plain[-1].archetype
        if not done or move.kind not in ("probe", "wrap_up") or move.archetype == done:
            return []
        if not by_model(self.settings, meta.model):
            return []  # the planner's reading, stored with the answer, is the grade
        answers = answers_for(plain, done)
        return [queue.enqueue(dialect=self._dialect, interview_id=meta.id, archetype=done, answers=answers)]

    async def _reply(
        self,
        meta: Meta,
        plain: list[Turn],
        move: Move,
        slot: Claim | None = None,
        read: Reading | None = None,
    ) -> AsyncIterator[Event]:
        key = (meta.id, plain[-1].index + 1)
        live = self._live.get(key)
        if live is None:  # else a retry of an answer whose reply is under way here: follow that one
            live = self._live[key] = Live()
            task = asyncio.create_task(self._make(key, live, meta, plain, move, read))
            self._making.add(task)
            task.add_done_callback(self._making.discard)
            if slot is not None:
                # The reply outlives its request when the client goes away: the caller's slot goes with the
                # reply, so a cap on replies in flight cannot be dodged by hanging up.
                give_back = slot()
                task.add_done_callback(lambda _: give_back())
        async for event in live.follow():
            yield event

    async def _make(
        self,
        key: tuple[str, int],
        live: Live,
        meta: Meta,
        plain: list[Turn],
        move: Move,
        read: Reading | None = None,
    ) -> None:
        try:
            async for event in self._replier.produce(meta, plain, move, read):
                live.publish(event)
        except BaseException as exc:  # followers re-raise it; the task itself ends quietly
            live.close(exc)
            if not isinstance(exc, asyncio.CancelledError):
                log.warning("making the reply for %s failed: %s", key, exc)
        else:
            live.close()
        finally:
            self._live.pop(key, None)

    async def _build(
        self, interview: Interview, wait: float, *, ending: bool = False
    ) -> tuple[Debrief, bool]:
        stored = await stored_grades(
            interview,
            sessions=self.sessions,
            settings=self.settings,
            ending=ending,
            wait=wait,
            on_enqueue=self.on_enqueue,
        )
        graded, pending = stored.graded, stored.pending
        turns = _plain(list(interview.turns))
        # The debrief is a function of the transcript and the grades in: built once per state (a burst of
        # reads of an unfinished interview costs one build), on a worker thread.
        key = (
            interview.id,
            len(turns),
            turns[-1].index if turns else -1,
            tuple(sorted((a, g.grader) for a, g in graded.items())),
            tuple(pending),
        )
        debrief = await self._debriefs.get(
            key,
            lambda: asyncio.to_thread(
                functools.partial(
                    build_debrief,
                    interview_id=interview.id,
                    model=interview.model,
                    archetypes=interview.archetypes,
                    turns=turns,
                    catalog=self.catalog,
                    graded=graded,
                    first_grades=stored.first,
                    usage=stored.usage,
                    pending=pending,
                    max_pushbacks=self.settings.max_pushbacks_per_archetype,
                )
            ),
        )
        return debrief, not pending

    async def _read(self, interview_id: str, user_id: str | None) -> Interview:
        """The interview with its turns, the session closed: no connection is held while a debrief is
        built (and a request never holds two, which a small pool would run out of)."""
        async with self.sessions() as session:
            return await self._load(session, interview_id, user_id)

    async def _finish(self, interview: Interview, wait: float) -> Debrief:
        """Build the debrief; cache it once every model grade is in (until then it is rebuilt on request,
        the rubric standing in for the grades still being made)."""
        debrief, complete = await self._build(interview, wait, ending=True)
        cached = debrief.model_dump(mode="json") if complete else None
        async with self.sessions() as session:
            await crud.finish_interview(session, interview_id=interview.id, debrief=cached)
        return debrief

    async def finish(self, *, interview_id: str, user_id: str | None = None) -> Debrief:
        interview = await self._read(interview_id, user_id)
        if interview.status == "finished" and interview.debrief:
            return await asyncio.to_thread(Debrief.model_validate, interview.debrief)
        return await self._finish(interview, self.settings.grading_wait_seconds)

    async def debrief(self, *, interview_id: str, user_id: str | None = None) -> Debrief:
        interview = await self._read(interview_id, user_id)
        if interview.debrief:
            return await asyncio.to_thread(Debrief.model_validate, interview.debrief)
        if interview.status == "finished":
            return await self._finish(interview, wait=0)
        return (await self._build(interview, wait=0))[0]
