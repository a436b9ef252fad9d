"""The model interface: one streaming call, one structured-output call."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol


@dataclass(frozen=True)
class Message:
    role: Literal["system", "user", "assistant"]
    content: str


@dataclass(frozen=True)
class Request:
    """What to say. `builtin` is the offline wording: the builtin model says it, others fall back to it."""

    messages: list[Message]
    builtin: str = ""
    max_tokens: int = 200
    temperature: float = 0.7
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float | None = None


class ChatModel(Protocol):
    name: str

    def stream(self, request: Request) -> AsyncIterator[str]:
        """Yield the reply as it is made."""
        ...

    async def structured(self, request: Request, schema: dict[str, Any]) -> dict[str, Any]:
        """Return one JSON object meant to follow `schema`; raises ModelError when it cannot."""
        ...
