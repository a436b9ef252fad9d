"""Several endpoints of one model (`STARDRIVE_MODEL_ENDPOINTS`) through litellm's Router, over respx."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
import respx

from service.config import ModelEndpoint, Settings
from service.errors import ModelError
from service.llm import Message, Request
from service.llm.gateway import LiteLLMModel
from tests.model_server import completion, error, streamed

pytestmark = pytest.mark.usefixtures("litellm_over_httpx")

MODEL = "openai/test-model"
FIRST, SECOND = "http://first.test/v1", "http://second.test/v1"
OK = '{"verdict": "met"}'


@pytest.fixture(autouse=True)
def fresh_routers() -> Iterator[None]:
    from service.llm import endpoints

    endpoints.reset()
    yield
    endpoints.reset()


def settings(*bases: str, **overrides: object) -> Settings:
    options: dict[str, object] = {
        "model": MODEL,
        "model_endpoints": [ModelEndpoint(api_base=b) for b in bases],
        "model_retries": 0,
        "model_retry_initial_seconds": 0.0,
        "model_timeout_seconds": 5.0,
        **overrides,
    }
    return Settings(**options)  # type: ignore[arg-type]


def ask() -> Request:
    return Request(messages=[Message("user", "hello")])


@respx.mock
@pytest.mark.parametrize(
    "failure",
    [error(500), error(503), error(429, {"retry-after": "0"}), httpx.ReadTimeout("slow")],
    ids=["500", "503", "429", "timeout"],
)
async def test_first_endpoint_fails_the_call_lands_on_the_second(failure: object) -> None:
    first = respx.post(f"{FIRST}/chat/completions").mock(side_effect=[failure])
    second = respx.post(f"{SECOND}/chat/completions").mock(return_value=completion(OK))
    request = ask()
    reply = await LiteLLMModel(MODEL, settings(FIRST, SECOND)).structured(request, {"type": "object"})
    assert reply == {"verdict": "met"}
    assert (first.call_count, second.call_count) == (1, 1)
    assert request.usage.retries == 0  # the Router moved on, not the gateway's retry


@respx.mock
@pytest.mark.parametrize("call", ["stream", "structured"])
async def test_a_cooled_down_endpoint_is_skipped(call: str) -> None:
    first = respx.post(f"{FIRST}/chat/completions").mock(return_value=error(500))
    second = respx.post(f"{SECOND}/chat/completions").mock(
        side_effect=lambda _: streamed(["Fine?"]) if call == "stream" else completion(OK)
    )
    config = settings(FIRST, SECOND)
    for _ in range(3):  # a new model object per call, as the engine makes them: the Router is shared
        m = LiteLLMModel(MODEL, config)
        if call == "stream":
            assert "".join([t async for t in m.stream(ask())]) == "Fine?"
        else:
            assert await m.structured(ask(), {"type": "object"}) == {"verdict": "met"}
    assert (first.call_count, second.call_count) == (1, 3)


@respx.mock
async def test_allowed_fails_keeps_an_endpoint_in_rotation() -> None:
    first = respx.post(f"{FIRST}/chat/completions").mock(return_value=error(500))
    respx.post(f"{SECOND}/chat/completions").mock(return_value=completion(OK))
    config = settings(FIRST, SECOND, model_endpoint_allowed_fails=1)
    for _ in range(3):
        await LiteLLMModel(MODEL, config).structured(ask(), {"type": "object"})
    assert first.call_count == 2  # failed twice (more than one allowed), then cooled down


@respx.mock
async def test_every_endpoint_failing_is_a_model_error_after_the_gateways_retries() -> None:
    first = respx.post(f"{FIRST}/chat/completions").mock(return_value=error(500))
    second = respx.post(f"{SECOND}/chat/completions").mock(return_value=error(502))
    request = ask()
    with pytest.raises(ModelError):
        await LiteLLMModel(MODEL, settings(FIRST, SECOND, model_retries=1)).structured(request, {})
    assert first.call_count >= 1 and second.call_count >= 1
    assert request.usage.retries == 1 and request.usage.error is not None


@respx.mock
async def test_an_endpoint_has_its_own_key_and_model() -> None:
    first = respx.post(f"{FIRST}/chat/completions").mock(return_value=error(500))
    second = respx.post(f"{SECOND}/chat/completions").mock(return_value=completion(OK))
    endpoints = [
        ModelEndpoint(api_base=FIRST),
        ModelEndpoint(api_base=SECOND, api_key="sk-second", model="openai/other-model"),  # type: ignore[arg-type]
    ]
    config = settings(api_key="sk-default", model_endpoints=endpoints)
    await LiteLLMModel(MODEL, config).structured(ask(), {})
    assert first.calls.last.request.headers["authorization"] == "Bearer sk-default"
    sent = second.calls.last.request
    assert sent.headers["authorization"] == "Bearer sk-second"
    assert json.loads(sent.content)["model"] == "other-model"


@respx.mock
@pytest.mark.parametrize(
    ("name", "endpoints", "api_base", "expected"),
    [
        (MODEL, [], "http://single.test/v1", "single"),  # unset: straight to STARDRIVE_API_BASE, no Router
        (
            "openai/another",
            [FIRST],
            "http://single.test/v1",
            "single",
        ),  # endpoints serve STARDRIVE_MODEL only
        (MODEL, [FIRST], "http://single.test/v1", "first"),
    ],
)
async def test_which_calls_go_through_the_endpoints(
    name: str, endpoints: list[str], api_base: str, expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import litellm

    if not endpoints:
        monkeypatch.setattr(litellm, "Router", None)  # any use of a Router would fail the call
    routes = {
        "single": respx.post("http://single.test/v1/chat/completions").mock(return_value=completion(OK)),
        "first": respx.post(f"{FIRST}/chat/completions").mock(return_value=completion(OK)),
    }
    config = settings(*endpoints, api_base=api_base)
    await LiteLLMModel(name, config).structured(ask(), {})
    assert {k: r.call_count for k, r in routes.items()} == {k: int(k == expected) for k in routes}


def test_endpoints_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    value = [{"api_base": FIRST}, {"api_base": SECOND, "api_key": "sk-x", "model": "hosted_vllm/qwen"}]
    monkeypatch.setenv("STARDRIVE_MODEL_ENDPOINTS", json.dumps(value))
    monkeypatch.setenv("STARDRIVE_MODEL_ENDPOINT_COOLDOWN_SECONDS", "5")
    loaded = Settings()
    assert [e.api_base for e in loaded.model_endpoints] == [FIRST, SECOND]
    key = loaded.model_endpoints[1].api_key
    assert key is not None and key.get_secret_value() == "sk-x"
    assert loaded.model_endpoints[1].model == "hosted_vllm/qwen"
    assert loaded.model_endpoint_cooldown_seconds == 5.0


def weighted(*pairs: tuple[str, float | None]) -> list[ModelEndpoint]:
    return [ModelEndpoint(api_base=base, weight=w) for base, w in pairs]


@respx.mock
@pytest.mark.parametrize(
    ("pairs", "calls"),
    [
        (((FIRST, 1.0), (SECOND, 0.0)), (3, 0)),
        (((FIRST, None), (SECOND, 2.0)), (0, 3)),  # unset counts 0 once any weight is set
    ],
)
async def test_weights_pick_the_endpoint(
    pairs: tuple[tuple[str, float | None], ...], calls: tuple[int, int]
) -> None:
    first = respx.post(f"{FIRST}/chat/completions").mock(return_value=completion(OK))
    second = respx.post(f"{SECOND}/chat/completions").mock(return_value=completion(OK))
    config = settings(model_endpoints=weighted(*pairs))
    for _ in range(3):
        await LiteLLMModel(MODEL, config).structured(ask(), {})
    assert (first.call_count, second.call_count) == calls
    assert "weight" not in json.loads((first if calls[0] else second).calls.last.request.content)


@respx.mock
@pytest.mark.parametrize("failure", [error(500), httpx.ReadTimeout("slow")], ids=["500", "timeout"])
async def test_weighted_endpoint_fails_over_then_is_skipped(failure: object) -> None:
    first = respx.post(f"{FIRST}/chat/completions").mock(side_effect=[failure])
    second = respx.post(f"{SECOND}/chat/completions").mock(return_value=completion(OK))
    config = settings(model_endpoints=weighted((FIRST, 1.0), (SECOND, 0.0)))
    for _ in range(3):
        assert await LiteLLMModel(MODEL, config).structured(ask(), {}) == {"verdict": "met"}
    assert (first.call_count, second.call_count) == (1, 3)
