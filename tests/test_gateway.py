"""The litellm gateway against a mocked OpenAI-compatible API (respx): no network."""

from __future__ import annotations

import httpx
import pytest
import respx

from service.config import Settings
from service.errors import ModelError
from service.llm import Message, Request
from service.llm.gateway import LiteLLMModel
from tests.model_server import API_BASE, COMPLETIONS, completion, cut_stream, error, streamed

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


@respx.mock
@pytest.mark.parametrize(
    ("mode", "expected_format"),
    [("json_object", {"type": "json_object"}), ("prompt", None)],
)
async def test_json_mode_decides_response_format(mode: str, expected_format: object) -> None:
    route = respx.post(COMPLETIONS).mock(return_value=completion('{"ok": true}'))
    await model(json_mode=mode).structured(ask(), {"type": "object"})
    import json

    sent = json.loads(route.calls.last.request.content)
    assert sent.get("response_format") == expected_format
