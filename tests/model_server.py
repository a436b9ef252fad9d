"""An OpenAI-compatible chat server mocked with respx: streamed chunks, failures, cut streams."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterable
from typing import Any

import httpx

API_BASE = "http://model.test/v1"
COMPLETIONS = f"{API_BASE}/chat/completions"


def _chunk(delta: dict[str, Any], finish: str | None = None, usage: dict[str, int] | None = None) -> bytes:
    body: dict[str, Any] = {
        "id": "chatcmpl-test",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "test-model",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}] if usage is None else [],
    }
    if usage is not None:
        body["usage"] = usage
    return f"data: {json.dumps(body)}\n\n".encode()


def sse_body(tokens: Iterable[str], *, prompt_tokens: int = 50) -> bytes:
    tokens = list(tokens)
    parts = [_chunk({"role": "assistant", "content": ""})]
    parts += [_chunk({"content": t}) for t in tokens]
    parts.append(_chunk({}, finish="stop"))
    usage = {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": len(tokens),
        "total_tokens": prompt_tokens + len(tokens),
    }
    parts.append(_chunk({}, usage=usage))
    parts.append(b"data: [DONE]\n\n")
    return b"".join(parts)


def streamed(tokens: Iterable[str]) -> httpx.Response:
    return httpx.Response(200, content=sse_body(tokens), headers={"content-type": "text/event-stream"})


class _CutStream(httpx.AsyncByteStream):
    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield _chunk({"role": "assistant", "content": ""})
        for t in self.tokens:
            yield _chunk({"content": t})
        raise httpx.ReadError("connection reset by peer")


def cut_stream(tokens: list[str]) -> httpx.Response:
    """Sends `tokens`, then the connection drops before the stream ends."""
    return httpx.Response(200, stream=_CutStream(tokens), headers={"content-type": "text/event-stream"})


def completion(content: str, *, prompt_tokens: int = 400, completion_tokens: int = 120) -> httpx.Response:
    body = {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 1,
        "model": "test-model",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": 520,
        },
    }
    return httpx.Response(200, json=body)


def error(status: int, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(
        status, json={"error": {"message": f"test error {status}", "type": "x"}}, headers=headers
    )
