"""The model interface: one streaming call, one structured-output call."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol


@dataclass(frozen=True)
class Message:
    role: Literal["system", "user", "assistant"]
    content: str


@dataclass
class Usage:
    """Filled in by the model as it answers (tokens, and cost where litellm knows the model's price)."""

    model: str = ""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float | None = None
    calls: int = 0
    retries: int = 0
    error: str | None = None
    # True when the server sent no usage (llama-cpp-python's server ignores `stream_options`) and the tokens
    # were counted here with litellm's tokenizer for the model: close, not the server's own count.
    estimated: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "cost_usd": self.cost_usd,
            "calls": self.calls,
            "retries": self.retries,
            "error": self.error,
            "estimated": self.estimated,
        }


@dataclass
class Request:
    """What to ask. `builtin` is the offline wording: the builtin model says it, others fall back to it."""

    messages: list[Message]
    builtin: str = ""
    max_tokens: int = 200
    temperature: float = 0.7
    usage: Usage = field(default_factory=Usage)


class ChatModel(Protocol):
    name: str

    def stream(self, request: Request) -> AsyncIterator[str]:
        """Yield the reply as it is made; raises ModelError when the model fails (after its retries)."""
        ...

    async def structured(self, request: Request, schema: dict[str, Any]) -> dict[str, Any]:
        """One JSON object meant to follow `schema` (not yet validated); raises ModelError when it cannot."""
        ...
