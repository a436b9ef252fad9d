"""The litellm gateway over four providers' real HTTP shapes (respx, no network): OpenAI, Anthropic,
Ollama, vLLM. Per provider: structured output, streaming, retries with Retry-After, a cut stream, and a
model that ignores the schema."""

from __future__ import annotations

import functools
import json
from typing import Any

import pytest
import respx
from pydantic import ValidationError

from service.catalog import load_catalog
from service.config import Settings
from service.errors import ModelError
from service.grading import GRADER_SCHEMA, grade_answer
from service.grading.schema import parse_output
from service.llm import Message, Request, gateway
from service.llm.gateway import LiteLLMModel
from tests.provider_shapes import SHAPES, Shape

pytestmark = [
    pytest.mark.usefixtures("litellm_over_httpx"),
    pytest.mark.parametrize("shape", SHAPES, ids=[s.id for s in SHAPES]),
]

SCHEMA = {
    "type": "object",
    "properties": {"verdict": {"type": "string", "enum": ["met", "missing"]}, "why": {"type": "string"}},
    "required": ["verdict", "why"],
}


def model(shape: Shape, **overrides: object) -> LiteLLMModel:
    options: dict[str, object] = {
        "api_base": shape.api_base,
        "json_mode": shape.json_mode,
        "model_retries": 2,
        "model_retry_initial_seconds": 0.0,
        "model_timeout_seconds": 5.0,
        **overrides,
    }
    return LiteLLMModel(shape.model, Settings(**options))  # type: ignore[arg-type]


def ask() -> Request:
    return Request(messages=[Message("system", "be brief"), Message("user", "hello")])


async def collect(m: LiteLLMModel, request: Request) -> str:
    return "".join([t async for t in m.stream(request)])


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The gateway's waits between attempts, recorded instead of slept (no timed assertions)."""
    waited: list[float] = []

    async def sleep(seconds: float) -> None:
        waited.append(seconds)

    monkeypatch.setattr(gateway, "AsyncRetrying", functools.partial(gateway.AsyncRetrying, sleep=sleep))
    return waited


@respx.mock
async def test_structured_reply_is_parsed_and_the_schema_sent_the_servers_way(shape: Shape) -> None:
    route = respx.post(shape.url).mock(return_value=shape.reply('{"verdict": "met", "why": "a number"}'))
    request = ask()
    assert await model(shape).structured(request, SCHEMA) == {"verdict": "met", "why": "a number"}
    sent = json.loads(route.calls.last.request.content)
    assert shape.schema_field(sent) == SCHEMA
    assert (request.usage.prompt_tokens, request.usage.completion_tokens) == (400, 120)


@respx.mock
async def test_stream_yields_tokens_in_order(shape: Shape) -> None:
    tokens = ["What ", "did ", "you ", "decide?"]
    route = respx.post(shape.url).mock(return_value=shape.stream(tokens))
    request = ask()
    seen = [t async for t in model(shape).stream(request)]
    assert "".join(seen) == "What did you decide?"
    assert len(seen) >= 2  # streamed, not one block at the end
    assert json.loads(route.calls.last.request.content)["stream"] is True
    assert request.usage.completion_tokens > 0 and request.usage.calls == 1


@respx.mock
@pytest.mark.parametrize("call", ["stream", "structured"])
async def test_429_with_retry_after_then_200_is_retried(shape: Shape, call: str, sleeps: list[float]) -> None:
    ok = shape.stream(["Fine?"]) if call == "stream" else shape.reply('{"verdict": "met", "why": "x"}')
    route = respx.post(shape.url).mock(side_effect=[shape.error(429, {"retry-after": "7"}), ok])
    request = ask()
    m = model(shape)
    if call == "stream":
        assert await collect(m, request) == "Fine?"
    else:
        assert (await m.structured(request, SCHEMA))["verdict"] == "met"
    assert route.call_count == 2
    assert request.usage.retries == 1
    assert sleeps == [7.0]  # the server's Retry-After, not the (zero) backoff


@respx.mock
@pytest.mark.parametrize("status", [500, 503])
async def test_5xx_until_retries_run_out_is_a_model_error(
    shape: Shape, status: int, sleeps: list[float]
) -> None:
    route = respx.post(shape.url).mock(return_value=shape.error(status))
    request = ask()
    with pytest.raises(ModelError, match=str(status)):
        await collect(model(shape, model_retries=2), request)
    assert route.call_count == 3
    assert len(sleeps) == 2 and request.usage.error is not None


@respx.mock
async def test_stream_cut_half_way_raises_after_the_tokens_it_sent(shape: Shape) -> None:
    route = respx.post(shape.url).mock(return_value=shape.cut(["What ", "did "]))
    seen: list[str] = []
    request = ask()
    with pytest.raises(ModelError, match="stream broke"):
        async for token in model(shape).stream(request):
            seen.append(token)
    assert "".join(seen) == "What did "
    assert route.call_count == 1  # words reached the candidate: not retried


@respx.mock
async def test_prose_instead_of_json_is_a_model_error(shape: Shape) -> None:
    respx.post(shape.url).mock(return_value=shape.reply("I think the candidate did well overall."))
    with pytest.raises(ModelError, match="no JSON"):
        await model(shape).structured(ask(), SCHEMA)


@respx.mock
async def test_json_missing_fields_is_refused_by_the_schema(shape: Shape) -> None:
    respx.post(shape.url).mock(return_value=shape.reply('{"parts": {"situation": {"note": "ok"}}}'))
    data = await model(shape).structured(ask(), GRADER_SCHEMA)
    with pytest.raises(ValidationError):
        parse_output(data)


@respx.mock
@pytest.mark.parametrize(
    "content", ["Great answer, strong level.", '{"level": "strong"}'], ids=["prose", "missing-fields"]
)
async def test_grader_falls_back_to_the_rubric_when_the_model_ignores_the_schema(
    shape: Shape, content: str
) -> None:
    route = respx.post(shape.url).mock(return_value=shape.reply(content))
    settings = Settings(api_base=shape.api_base, json_mode=shape.json_mode, model_retry_initial_seconds=0.0)
    outcome = await grade_answer(
        answer="I cut the launch by two weeks because the eval showed a 4% regression.",
        archetype="killed_own_project",
        question="Tell me about a project you killed.",
        model=LiteLLMModel(shape.model, settings),
        catalog=load_catalog(settings.prompts_dir),
        prompts_dir=settings.prompts_dir,
    )
    assert outcome.grade.grader == "builtin"
    assert outcome.fallback_reason is not None and "no usable reply" in outcome.fallback_reason
    assert route.call_count == 2  # asked, then re-asked once
    usage: list[dict[str, Any]] = outcome.usage
    assert all(u["error"] for u in usage)
