"""The litellm gateway against a mocked OpenAI-compatible API (respx): no network."""

from __future__ import annotations

import httpx
import pytest
import respx

from service.config import Settings
from service.errors import ModelError
from service.llm import Message, Request
from service.llm.gateway import LiteLLMModel
from tests.model_server import (
    API_BASE,
    COMPLETIONS,
    completion,
    cut_stream,
    error,
    sse_body,
    streamed,
)

pytestmark = pytest.mark.usefixtures("litellm_over_httpx")


def model(**overrides: object) -> LiteLLMModel:
    options: dict[str, object] = {
        "api_base": API_BASE,
        "model_retries": 2,
        "model_retry_initial_seconds": 0.0,
        "model_timeout_seconds": 2.0,
        **overrides,
    }
    settings = Settings(**options)  # type: ignore[arg-type]
    return LiteLLMModel("openai/test-model", settings)


def ask() -> Request:
    return Request(messages=[Message("system", "be brief"), Message("user", "hello")])


async def collect(m: LiteLLMModel, request: Request) -> str:
    return "".join([t async for t in m.stream(request)])


@respx.mock
async def test_streamed_chunks_arrive_in_order_with_usage() -> None:
    respx.post(COMPLETIONS).mock(return_value=streamed(["What ", "did ", "you ", "decide?"]))
    request = ask()
    assert await collect(model(), request) == "What did you decide?"
    assert request.usage.prompt_tokens == 50 and request.usage.completion_tokens == 4
    assert (request.usage.calls, request.usage.retries) == (1, 0)


@respx.mock
@pytest.mark.parametrize(
    ("first", "retry_after"),
    [(error(429, {"retry-after": "0"}), True), (error(503), False), (error(408), False)],
)
async def test_retryable_failure_then_success(first: httpx.Response, retry_after: bool) -> None:
    route = respx.post(COMPLETIONS).mock(side_effect=[first, streamed(["Fine?"])])
    request = ask()
    assert await collect(model(), request) == "Fine?"
    assert route.call_count == 2
    assert request.usage.retries == 1


@respx.mock
async def test_500_until_retries_run_out() -> None:
    route = respx.post(COMPLETIONS).mock(return_value=error(500))
    request = ask()
    with pytest.raises(ModelError, match="500"):
        await collect(model(model_retries=2), request)
    assert route.call_count == 3
    assert request.usage.error is not None


@respx.mock
async def test_client_error_is_not_retried() -> None:
    route = respx.post(COMPLETIONS).mock(return_value=error(400))
    with pytest.raises(ModelError):
        await collect(model(), ask())
    assert route.call_count == 1


@respx.mock
async def test_timeout_is_retried_then_fails() -> None:
    route = respx.post(COMPLETIONS).mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(ModelError):
        await collect(model(model_retries=1), ask())
    assert route.call_count == 2


@respx.mock
async def test_stream_cut_half_way_raises_after_the_tokens_it_sent() -> None:
    respx.post(COMPLETIONS).mock(return_value=cut_stream(["What ", "did "]))
    seen: list[str] = []
    with pytest.raises(ModelError):
        async for token in model().stream(ask()):
            seen.append(token)
    assert "".join(seen) == "What did "


@respx.mock
@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{"parts": {}}', {"parts": {}}),
        ('```json\n{"a": 1}\n```', {"a": 1}),
        ('Sure! Here it is: {"a": 2} Hope that helps.', {"a": 2}),
    ],
)
async def test_structured_parses_json(content: str, expected: dict[str, object]) -> None:
    respx.post(COMPLETIONS).mock(return_value=completion(content))
    request = ask()
    assert await model().structured(request, {"type": "object"}) == expected
    assert request.usage.prompt_tokens == 400


@respx.mock
@pytest.mark.parametrize("content", ["not json at all", '{"unclosed": ', "[1, 2, 3]"])
async def test_structured_malformed_json_is_a_model_error(content: str) -> None:
    respx.post(COMPLETIONS).mock(return_value=completion(content))
    with pytest.raises(ModelError):
        await model().structured(ask(), {"type": "object"})


SCHEMA = {
    "type": "object",
    "properties": {
        "why": {"type": "string"},
        "verdict": {"type": "string", "enum": ["met", "missing"]},
        "quotes": {"type": "array", "items": {"type": "string", "maxLength": 50}},
    },
}
# What a grammar-building server gets: free strings and lists capped, enums and caps already set kept.
BOUNDED = {
    "type": "object",
    "properties": {
        "why": {"type": "string", "maxLength": 300},
        "verdict": {"type": "string", "enum": ["met", "missing"]},
        "quotes": {"type": "array", "items": {"type": "string", "maxLength": 50}, "maxItems": 3},
    },
}


@respx.mock
@pytest.mark.parametrize(
    ("mode", "field", "expected"),
    [
        ("json_object", "response_format", {"type": "json_object"}),
        ("llama_cpp", "response_format", {"type": "json_object", "schema": BOUNDED}),
        (
            "json_schema",
            "response_format",
            {"type": "json_schema", "json_schema": {"name": "grade", "schema": SCHEMA, "strict": False}},
        ),
        ("vllm", "guided_json", SCHEMA),
        ("vllm", "response_format", None),
        ("prompt", "response_format", None),
    ],
)
async def test_json_mode_decides_how_the_schema_is_sent(mode: str, field: str, expected: object) -> None:
    route = respx.post(COMPLETIONS).mock(return_value=completion('{"ok": true}'))
    await model(json_mode=mode).structured(ask(), SCHEMA)
    import json

    sent = json.loads(route.calls.last.request.content)
    assert sent.get(field) == expected


def test_ollama_mode_passes_the_schema_as_format() -> None:
    from service.llm.gateway import schema_params

    assert schema_params("ollama", SCHEMA) == {"format": SCHEMA}


def _no_usage_stream(tokens: list[str]) -> httpx.Response:
    """What llama-cpp-python's server sends: `stream_options` ignored, no usage chunk at all."""
    body = sse_body(tokens).split(b"\n\n")
    kept = [part for part in body if part and b'"usage"' not in part]
    content = b"\n\n".join(kept) + b"\n\n"
    return httpx.Response(200, content=content, headers={"content-type": "text/event-stream"})


@respx.mock
@pytest.mark.parametrize(
    ("response", "estimated", "prompt_tokens"),
    [(streamed(["Hello", " there"]), False, 50), (_no_usage_stream(["Hello", " there"]), None, None)],
    ids=["reported", "counted"],
)
async def test_stream_usage_is_reported_or_counted(
    response: httpx.Response, estimated: bool | None, prompt_tokens: int | None
) -> None:
    # With no usage chunk, litellm's stream wrapper counts the tokens itself, or we do (`estimated`).
    respx.post(COMPLETIONS).mock(return_value=response)
    request = ask()
    text = "".join([t async for t in model().stream(request)])
    assert text == "Hello there"
    if estimated is not None:
        assert request.usage.estimated is estimated
    assert request.usage.completion_tokens > 0 and request.usage.prompt_tokens > 0
    if prompt_tokens is not None:
        assert request.usage.prompt_tokens == prompt_tokens


@respx.mock
async def test_structured_usage_is_counted_when_the_server_sends_none() -> None:
    body = completion('{"ok": true}').json()
    del body["usage"]
    respx.post(COMPLETIONS).mock(return_value=httpx.Response(200, json=body))
    request = ask()
    await model().structured(request, SCHEMA)
    assert request.usage.estimated and request.usage.completion_tokens > 0
