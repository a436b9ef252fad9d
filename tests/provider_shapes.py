"""Four providers' HTTP shapes as litellm speaks them, for respx: OpenAI, Anthropic, Ollama, vLLM.

Each `Shape` knows its URL, a structured reply in that provider's own terms, a stream in its own framing
(OpenAI SSE, Anthropic's typed SSE events, Ollama's NDJSON), a stream cut half-way, and an error body.
Formats as litellm 1.110 parses them (litellm/llms/anthropic/chat/handler.py, llms/ollama/chat/...).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass
from typing import Any

import httpx

from tests import model_server as openai_shape


class _Cut(httpx.AsyncByteStream):
    """Sends `parts`, then the connection drops before the stream ends."""

    def __init__(self, parts: list[bytes]) -> None:
        self.parts = parts

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for part in self.parts:
            yield part
        raise httpx.ReadError("connection reset by peer")


def _sse(event: str, data: dict[str, Any]) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data)}\n\n".encode()


# --- Anthropic Messages API -------------------------------------------------------------------------


def _anthropic_events(tokens: Iterable[str]) -> list[bytes]:
    message = {
        "id": "msg_test",
        "type": "message",
        "role": "assistant",
        "model": "claude-test",
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": {"input_tokens": 50, "output_tokens": 1},
    }
    parts = [
        _sse("message_start", {"type": "message_start", "message": message}),
        _sse(
            "content_block_start",
            {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
        ),
    ]
    for t in tokens:
        delta = {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": t}}
        parts.append(_sse("content_block_delta", delta))
    return parts


def _anthropic_tail(count: int) -> list[bytes]:
    return [
        _sse("content_block_stop", {"type": "content_block_stop", "index": 0}),
        _sse(
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                "usage": {"output_tokens": count},
            },
        ),
        _sse("message_stop", {"type": "message_stop"}),
    ]


def anthropic_stream(tokens: list[str]) -> httpx.Response:
    body = b"".join(_anthropic_events(tokens) + _anthropic_tail(len(tokens)))
    return httpx.Response(200, content=body, headers={"content-type": "text/event-stream"})


def anthropic_cut(tokens: list[str]) -> httpx.Response:
    return httpx.Response(
        200, stream=_Cut(_anthropic_events(tokens)), headers={"content-type": "text/event-stream"}
    )


def anthropic_reply(content: str) -> httpx.Response:
    """The schema goes to Anthropic as a forced `json_tool_call` tool; JSON comes back as its input."""
    try:
        data = json.loads(content)
    except ValueError:
        data = None
    block: dict[str, Any]
    if isinstance(data, dict):
        block = {"type": "tool_use", "id": "toolu_test", "name": "json_tool_call", "input": data}
    else:  # a model that ignores the tool and answers in prose
        block = {"type": "text", "text": content}
    body = {
        "id": "msg_test",
        "type": "message",
        "role": "assistant",
        "model": "claude-test",
        "content": [block],
        "stop_reason": "tool_use" if block["type"] == "tool_use" else "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": 400, "output_tokens": 120},
    }
    return httpx.Response(200, json=body)


def anthropic_error(status: int, headers: dict[str, str] | None = None) -> httpx.Response:
    kind = {429: "rate_limit_error", 529: "overloaded_error"}.get(status, "api_error")
    body = {"type": "error", "error": {"type": kind, "message": f"test error {status}"}}
    return httpx.Response(status, json=body, headers=headers)


# --- Ollama /api/chat (NDJSON) -------------------------------------------------------------------------


def _ollama_line(content: str, done: bool = False, count: int = 0) -> bytes:
    body: dict[str, Any] = {
        "model": "llama3",
        "created_at": "2026-01-01T00:00:00Z",
        "message": {"role": "assistant", "content": content},
        "done": done,
    }
    if done:
        body.update({"done_reason": "stop", "prompt_eval_count": 50, "eval_count": count})
    return (json.dumps(body) + "\n").encode()


def ollama_stream(tokens: list[str]) -> httpx.Response:
    body = b"".join([_ollama_line(t) for t in tokens] + [_ollama_line("", done=True, count=len(tokens))])
    return httpx.Response(200, content=body, headers={"content-type": "application/x-ndjson"})


def ollama_cut(tokens: list[str]) -> httpx.Response:
    parts = [_ollama_line(t) for t in tokens]
    return httpx.Response(200, stream=_Cut(parts), headers={"content-type": "application/x-ndjson"})


def ollama_reply(content: str) -> httpx.Response:
    body = json.loads(_ollama_line(content, done=True, count=120))
    body["prompt_eval_count"] = 400
    return httpx.Response(200, json=body)


def ollama_error(status: int, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, json={"error": f"test error {status}"}, headers=headers)


# --- the table -----------------------------------------------------------------------------------------


def _openai_cut(tokens: list[str]) -> httpx.Response:
    return openai_shape.cut_stream(tokens)


@dataclass(frozen=True)
class Shape:
    id: str
    model: str  # the litellm model string
    api_base: str
    url: str  # where litellm posts
    json_mode: str  # STARDRIVE_JSON_MODE for this server
    reply: Callable[[str], httpx.Response]
    stream: Callable[[list[str]], httpx.Response]
    cut: Callable[[list[str]], httpx.Response]
    error: Callable[..., httpx.Response]
    # Where the schema lands in the request body, and how it reads there.
    schema_field: Callable[[dict[str, Any]], Any]


SHAPES = [
    Shape(
        id="openai",
        model="openai/test-model",
        api_base="http://openai.test/v1",
        url="http://openai.test/v1/chat/completions",
        json_mode="json_schema",
        reply=openai_shape.completion,
        stream=openai_shape.streamed,
        cut=_openai_cut,
        error=openai_shape.error,
        schema_field=lambda body: body["response_format"]["json_schema"]["schema"],
    ),
    Shape(
        id="anthropic",
        model="anthropic/claude-3-5-sonnet-20241022",
        api_base="http://anthropic.test",
        url="http://anthropic.test/v1/messages",
        json_mode="json_schema",
        reply=anthropic_reply,
        stream=anthropic_stream,
        cut=anthropic_cut,
        error=anthropic_error,
        schema_field=lambda body: next(
            t["input_schema"] for t in body["tools"] if t["name"] == "json_tool_call"
        ),
    ),
    Shape(
        id="ollama",
        model="ollama_chat/llama3",
        api_base="http://ollama.test",
        url="http://ollama.test/api/chat",
        json_mode="ollama",
        reply=ollama_reply,
        stream=ollama_stream,
        cut=ollama_cut,
        error=ollama_error,
        schema_field=lambda body: body["format"],
    ),
    Shape(
        id="vllm",
        model="hosted_vllm/qwen",
        api_base="http://vllm.test/v1",
        url="http://vllm.test/v1/chat/completions",
        json_mode="vllm",
        reply=openai_shape.completion,
        stream=openai_shape.streamed,
        cut=_openai_cut,
        error=openai_shape.error,
        schema_field=lambda body: body["guided_json"],
    ),
]
