"""Every model other than `builtin` and `scripted`, through litellm: hosted APIs, vLLM, Ollama, llama.cpp.

litellm is imported here only, lazily (it takes seconds): `stardrive grade` and start-up never pay for it.
Retries (tenacity): 408, 429, 5xx and connection errors, exponential backoff with jitter, `Retry-After`
honoured; then `ModelError`, and the caller stands the builtin phrasing in. A stream is retried only
before its first token: once words have reached the candidate, a failure is final for that reply.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
from collections.abc import AsyncIterator
from typing import Any

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential_jitter,
)

from service.config import Settings
from service.errors import ModelError
from service.llm.base import Request, Usage

log = logging.getLogger(__name__)

_RETRY_STATUS = {408, 409, 429, 500, 502, 503, 504}
_MAX_RETRY_AFTER = 30.0


def _litellm() -> Any:
    # Without this every import fetches the price list from the network and waits ~15 s offline.
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    import litellm

    litellm.suppress_debug_info = True
    litellm.drop_params = True  # a local server that lacks an option should not fail the call
    return litellm


def load_litellm() -> None:
    """Import litellm now (the serve command warms it up in the background when a model is configured)."""
    _litellm()


def check_model_name(name: str, api_base: str | None) -> None:
    """Raise ModelError for a model string litellm cannot route (no network involved)."""
    try:
        _litellm().get_llm_provider(name, api_base=api_base)
    except Exception as exc:  # litellm raises its own BadRequestError here
        raise ModelError(
            f"model {name!r} is not a model litellm can route: {str(exc).splitlines()[0]}"
        ) from exc


def _status(exc: BaseException) -> int | None:
    code = getattr(exc, "status_code", None)
    return code if isinstance(code, int) else None


def retryable(exc: BaseException) -> bool:
    if isinstance(exc, asyncio.TimeoutError | TimeoutError):
        return True
    name = type(exc).__name__
    if name in (
        "APIConnectionError",
        "Timeout",
        "ServiceUnavailableError",
        "InternalServerError",
        "BadGatewayError",
    ):
        return True
    status = _status(exc)
    return status in _RETRY_STATUS


def _retry_after(exc: BaseException) -> float | None:
    # OpenAI-shaped errors carry the server's response; for Anthropic and Ollama litellm attaches a stand-in
    # response with no headers and keeps the real ones in `litellm_response_headers`.
    response = getattr(exc, "response", None)
    for headers in (
        getattr(response, "headers", None),
        getattr(exc, "headers", None),
        getattr(exc, "litellm_response_headers", None),
    ):
        value = headers.get("retry-after") or headers.get("Retry-After") if headers else None
        if value is None:
            continue
        try:
            return min(float(value), _MAX_RETRY_AFTER)
        except (TypeError, ValueError):
            return None
    return None


class _Wait:
    """Exponential backoff with jitter, unless the server said how long (Retry-After)."""

    def __init__(self, initial: float) -> None:
        self.backoff = wait_exponential_jitter(multiplier=initial, max=8.0, jitter=initial)

    def __call__(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        told = _retry_after(exc) if exc else None
        return told if told is not None else float(self.backoff(state))


def _clean_json(text: str) -> dict[str, Any]:
    """Parse a model's JSON, tolerating code fences and chatter around one object."""
    stripped = re.sub(r"^```(?:json)?\s*|\s*```$", "", text.strip())
    try:
        data = json.loads(stripped)
    except ValueError:
        start, end = stripped.find("{"), stripped.rfind("}")
        if start < 0 or end <= start:
            raise ModelError("model returned no JSON object") from None
        try:
            data = json.loads(stripped[start : end + 1])
        except ValueError as exc:
            raise ModelError(f"model returned invalid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise ModelError("model returned JSON that is not an object")
    return data


class LiteLLMModel:
    def __init__(self, name: str, settings: Settings, *, api_base: str | None = None) -> None:
        self.name = name
        self.settings = settings
        self.api_base = api_base or settings.api_base
        self.retry_initial = settings.model_retry_initial_seconds
        # `STARDRIVE_MODEL_ENDPOINTS` serve the configured model (unless a caller named its own api_base).
        self.endpoints = len(settings.model_endpoints) if name == settings.model and not api_base else 0

    async def _complete(self, params: dict[str, Any]) -> Any:
        """One call: straight to litellm, or through the Router over the model's endpoints."""
        litellm = _litellm()
        timeout = self.settings.model_timeout_seconds
        if not self.endpoints:
            return await asyncio.wait_for(litellm.acompletion(**params), timeout)
        from service.llm import endpoints

        rest = {k: v for k, v in params.items() if k not in ("model", "api_base", "api_key")}
        router, group = endpoints.router(litellm, self.name, self.settings)
        # Each endpoint may use its whole timeout before the next is asked.
        return await asyncio.wait_for(router.acompletion(model=group, **rest), timeout * self.endpoints)

    def _params(self, request: Request) -> dict[str, Any]:
        params: dict[str, Any] = {
            "model": self.name,
            "messages": [{"role": m.role, "content": m.content} for m in request.messages],
            "max_tokens": request.max_tokens,
            "temperature": request.temperature,
            "timeout": self.settings.model_timeout_seconds,
            "num_retries": 0,  # ours, below, know about Retry-After and stream state
            "max_retries": 0,
        }
        if self.api_base:
            params["api_base"] = self.api_base
        if self.settings.api_key is not None:
            params["api_key"] = self.settings.api_key.get_secret_value()
        elif self.api_base:
            params["api_key"] = "not-needed"  # local OpenAI-compatible servers accept anything
        return params

    def _retrying(self, usage: Usage) -> AsyncRetrying:
        def count(state: RetryCallState) -> None:
            usage.retries += 1

        return AsyncRetrying(
            retry=retry_if_exception(retryable),
            stop=stop_after_attempt(self.settings.model_retries + 1),
            wait=_Wait(self.retry_initial),
            before_sleep=count,
            reraise=True,
        )

    def _record(self, usage: Usage, data: Any) -> bool:
        """Add a reported usage block; whether there was one with tokens in it."""
        if not data:
            return False
        prompt = int(getattr(data, "prompt_tokens", 0) or 0)
        completion = int(getattr(data, "completion_tokens", 0) or 0)
        if not prompt and not completion:
            return False
        self._add(usage, prompt, completion)
        return True

    def _count(self, usage: Usage, messages: list[dict[str, str]], reply: str) -> None:
        """The server reported nothing: count both sides with litellm's tokenizer for this model."""
        litellm = _litellm()
        try:
            prompt = int(litellm.token_counter(model=self.name, messages=messages))
            completion = int(litellm.token_counter(model=self.name, text=reply)) if reply else 0
        except Exception:  # a tokenizer that cannot load leaves the count unknown, not wrong
            log.warning("could not count tokens for %s", self.name, exc_info=True)
            return
        usage.estimated = True
        self._add(usage, prompt, completion)

    def _add(self, usage: Usage, prompt: int, completion: int) -> None:
        usage.prompt_tokens += prompt
        usage.completion_tokens += completion
        try:
            p, c = _litellm().cost_per_token(
                model=self.name, prompt_tokens=prompt, completion_tokens=completion
            )
            usage.cost_usd = (usage.cost_usd or 0.0) + float(p) + float(c)
        except Exception:  # an unpriced (local) model: cost stays unknown, not zero
            pass

    async def stream(self, request: Request) -> AsyncIterator[str]:
        usage = request.usage
        usage.model = self.name
        params = {**self._params(request), "stream": True, "stream_options": {"include_usage": True}}
        timeout = self.settings.model_timeout_seconds
        stream: Any = None
        first: Any = None
        try:
            async for attempt in self._retrying(usage):
                with attempt:
                    usage.calls += 1
                    stream = await self._complete(params)
                    iterator = stream.__aiter__()
                    first = await asyncio.wait_for(iterator.__anext__(), timeout)
        except StopAsyncIteration:
            return
        except Exception as exc:
            usage.error = _describe(exc)
            raise ModelError(f"{self.name}: {usage.error}") from exc
        said: list[str] = []
        reported = False
        try:
            chunk = first
            while True:
                text = _delta(chunk)
                if text:
                    said.append(text)
                    yield text
                reported = self._record(usage, getattr(chunk, "usage", None)) or reported
                chunk = await asyncio.wait_for(iterator.__anext__(), timeout)
        except StopAsyncIteration:
            pass
        except Exception as exc:
            usage.error = f"stream broke: {_describe(exc)}"
            raise ModelError(f"{self.name}: {usage.error}") from exc
        finally:
            # Also when the caller stops reading (a withdrawn reply): the tokens were still spent.
            if not reported:
                self._count(usage, params["messages"], "".join(said))

    async def structured(self, request: Request, schema: dict[str, Any]) -> dict[str, Any]:
        usage = request.usage
        usage.model = self.name
        params = self._params(request)
        params.update(schema_params(self.settings.json_mode, schema))
        try:
            async for attempt in self._retrying(usage):
                with attempt:
                    usage.calls += 1
                    response = await self._complete(params)
        except Exception as exc:
            usage.error = _describe(exc)
            raise ModelError(f"{self.name}: {usage.error}") from exc
        try:
            content = response.choices[0].message.content or ""
        except (AttributeError, IndexError) as exc:
            raise ModelError(f"{self.name}: response has no message") from exc
        if not self._record(usage, getattr(response, "usage", None)):
            self._count(usage, params["messages"], content)
        return _clean_json(content)


_MAX_STRING_CHARS = 300
_MAX_ITEMS = 3


def bounded(schema: Any) -> Any:
    """A copy of `schema` whose free strings and lists have a length cap (enums and set caps are kept)."""
    if isinstance(schema, list):
        return [bounded(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: bounded(value) for key, value in schema.items()}
    if out.get("type") == "string" and "enum" not in out:
        out.setdefault("maxLength", _MAX_STRING_CHARS)
    if out.get("type") == "array":
        out.setdefault("maxItems", _MAX_ITEMS)
    return out


def schema_params(mode: str, schema: dict[str, Any]) -> dict[str, Any]:
    """The request fields that make a server hold its reply to `schema`, in that server's own terms."""
    if mode == "json_schema":
        spec = {"name": "grade", "schema": schema, "strict": False}
        return {"response_format": {"type": "json_schema", "json_schema": spec}}
    if mode == "json_object":
        return {"response_format": {"type": "json_object"}}
    if mode == "llama_cpp":
        # llama-cpp-python's server rejects `type: json_schema`; it takes the schema beside json_object and
        # compiles it to a grammar, bounded so a small model cannot loop inside one string until max_tokens.
        return {"response_format": {"type": "json_object", "schema": bounded(schema)}}
    if mode == "vllm":
        return {"extra_body": {"guided_json": schema}}
    if mode == "ollama":
        return {"format": schema}
    return {}


def _delta(chunk: Any) -> str:
    try:
        return chunk.choices[0].delta.content or ""
    except (AttributeError, IndexError):
        return ""


def _describe(exc: BaseException) -> str:
    status = _status(exc)
    first = (str(exc).splitlines() or [""])[0][:200]
    kind = "timeout" if isinstance(exc, asyncio.TimeoutError | TimeoutError) else type(exc).__name__
    return f"{kind}{f' (HTTP {status})' if status else ''}: {first}" if first else kind
