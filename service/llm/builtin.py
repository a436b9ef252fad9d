"""The offline models: `builtin` speaks the template wording; `scripted` replays a queue (tests, evals)."""

from __future__ import annotations

import json
import re
from collections import deque
from collections.abc import AsyncIterator, Iterable
from typing import Any

from service.errors import ModelError
from service.llm.base import Request

_CHUNK = re.compile(r"\S+\s*")


class BuiltinModel:
    name = "builtin"

    async def stream(self, request: Request) -> AsyncIterator[str]:
        for m in _CHUNK.finditer(request.builtin):
            yield m.group()

    async def structured(self, request: Request, schema: dict[str, Any]) -> dict[str, Any]:
        raise ModelError("the builtin model has no structured output; the rubric grades offline")


class ScriptedModel:
    """Replies from a queue, in order. An `Exception` in the queue is raised instead of replying."""

    name = "scripted"

    def __init__(self, replies: Iterable[str | dict[str, Any] | Exception] = ()) -> None:
        self.replies: deque[str | dict[str, Any] | Exception] = deque(replies)
        self.requests: list[Request] = []

    def _next(self) -> str | dict[str, Any]:
        if not self.replies:
            raise ModelError("scripted model has no replies left")
        reply = self.replies.popleft()
        if isinstance(reply, Exception):
            raise reply
        return reply

    async def stream(self, request: Request) -> AsyncIterator[str]:
        self.requests.append(request)
        request.usage.calls += 1
        request.usage.model = self.name
        reply = self._next()
        text = reply if isinstance(reply, str) else str(reply)
        for m in _CHUNK.finditer(text):
            yield m.group()

    async def structured(self, request: Request, schema: dict[str, Any]) -> dict[str, Any]:
        """A dict reply is returned as is; a string reply is parsed as JSON (so tests can script garbage)."""
        self.requests.append(request)
        request.usage.calls += 1
        request.usage.model = self.name
        reply = self._next()
        if isinstance(reply, str):
            try:
                reply = json.loads(reply)
            except ValueError as exc:
                raise ModelError(f"model returned invalid JSON: {exc}") from exc
        if not isinstance(reply, dict):
            raise ModelError("model returned JSON that is not an object")
        return reply
