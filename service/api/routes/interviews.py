"""Interview routes: thin; the work is in engine.py."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.background import BackgroundTask

from service.api.deps import CurrentUser, ProgressDep, ServiceDep, SessionsDep, StreamsDep
from service.api.schemas import (
    AnswerCreate,
    InterviewCreate,
    InterviewOut,
    InterviewSummary,
    Storable,
    TurnOut,
)
from service.errors import Conflict
from service.report.debrief import Debrief
from service.report.render import to_html, to_markdown
from service.store import crud

router = APIRouter(prefix="/interviews", tags=["interviews"])


_TEXT = {"schema": {"type": "string"}}


@router.post("", status_code=201)
async def create_interview(body: InterviewCreate, service: ServiceDep, user: CurrentUser) -> InterviewOut:
    interview = await service.start(
        archetypes=list(body.archetypes or []) or None, count=body.count, model=body.model, user_id=user
    )
    return InterviewOut.of(interview)


@router.get("")
async def list_interviews(
    sessions: SessionsDep,
    user: CurrentUser,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    before: Annotated[Storable | None, Query(max_length=64)] = None,
) -> list[InterviewSummary]:
    """The caller's interviews, newest first; the next page is `before=` the last id of this one."""
    async with sessions() as session:
        rows = await crud.list_interviews(session, user_id=user, limit=limit, before=before)
        return [InterviewSummary.of(row) for row in rows]


@router.get("/{interview_id}")
async def get_interview(interview_id: Storable, service: ServiceDep, user: CurrentUser) -> InterviewOut:
    return InterviewOut.of(await service.get(interview_id=interview_id, user_id=user))


@router.post(
    "/{interview_id}/answers",
    response_model=None,
    responses={
        200: {
            "model": TurnOut,
            "description": "The interviewer's turn (`Accept: application/json`), or its words as they are "
            "made: `text/event-stream` events `token` … (`replace`) then `turn` with this turn",
            "content": {"text/event-stream": _TEXT},
        }
    },
)
async def answer(
    interview_id: Storable,
    body: AnswerCreate,
    request: Request,
    service: ServiceDep,
    user: CurrentUser,
    streams: StreamsDep,
    idempotency_key: Annotated[Storable | None, Header(max_length=200)] = None,
) -> Response:
    service.check_answer(body.text)
    wants_json = "application/json" in request.headers.get(
        "accept", ""
    ) and "text/event-stream" not in request.headers.get("accept", "")
    # One slot of the caller's answers in flight (429 when all are taken), held until the reply is done:
    # the reply being made takes it over, so hanging up does not give it back early.
    with streams.acquire(user) as slot:
        events = service.answer(
            interview_id=interview_id,
            text=body.text,
            idempotency_key=idempotency_key,
            user_id=user,
            slot=slot.hand_over,
        )
        if wants_json:
            turn: TurnOut | None = None
            async for kind, data in events:
                if kind == "turn":
                    turn = TurnOut.model_validate(data)
            assert turn is not None, "every reply ends with its turn"
            return JSONResponse(turn.model_dump(mode="json"))
        # Pull the first event before answering so 404/409 still leave as JSON errors, not a broken stream.
        first = await anext(events)
        return EventSourceResponse(
            slot.carry(_sse(first, events)), ping=15, background=BackgroundTask(slot.release)
        )


async def _sse(
    first: tuple[str, Any], rest: AsyncIterator[tuple[str, Any]]
) -> AsyncIterator[ServerSentEvent]:
    yield _event(first)
    try:
        async for event in rest:
            yield _event(event)
    except (DBAPIError, PoolTimeout, OSError, Conflict) as exc:
        # Headers are sent: the status can no longer say it. End the stream with an explicit error event
        # (the candidate's answer is saved; resending it with the same Idempotency-Key resumes the reply).
        code = "conflict" if isinstance(exc, Conflict) else "unavailable"
        message = (
            str(exc) if isinstance(exc, Conflict) else "a backing service is unavailable; resend to resume"
        )
        yield ServerSentEvent(event="error", data=json.dumps({"error": {"code": code, "message": message}}))


def _event(event: tuple[str, Any]) -> ServerSentEvent:
    kind, data = event
    body = TurnOut.model_validate(data).model_dump(mode="json") if kind == "turn" else {"text": data}
    return ServerSentEvent(event=kind, data=json.dumps(body))


@router.post("/{interview_id}/finish")
async def finish(
    interview_id: Storable, service: ServiceDep, progress: ProgressDep, user: CurrentUser
) -> Debrief:
    report = await service.finish(interview_id=interview_id, user_id=user)
    return await progress.with_since_last(report, user_id=user)


@router.get(
    "/{interview_id}/debrief",
    response_model=None,
    responses={200: {"model": Debrief, "content": {"text/markdown": _TEXT, "text/html": _TEXT}}},
)
async def debrief(
    interview_id: Storable,
    service: ServiceDep,
    progress: ProgressDep,
    user: CurrentUser,
    format: Literal["json", "md", "html"] = "json",
) -> Debrief | Response:
    report = await service.debrief(interview_id=interview_id, user_id=user)
    report = await progress.with_since_last(report, user_id=user)
    # Rendering is CPU work: off the event loop, where other users' requests wait.
    if format == "md":
        return PlainTextResponse(
            await asyncio.to_thread(to_markdown, report), media_type="text/markdown; charset=utf-8"
        )
    if format == "html":
        return HTMLResponse(await asyncio.to_thread(to_html, report))
    return report
