"""Several endpoints of one model through litellm's Router: tried in order, a failing one cooled down.

`STARDRIVE_MODEL_ENDPOINTS` lists them (a JSON list of `{"api_base", "api_key"?, "model"?}`); each is its
own Router model group, the first is asked first and each later one is the fallback of the ones before.
An endpoint that fails more than `STARDRIVE_MODEL_ENDPOINT_ALLOWED_FAILS` times in a minute is cooled
down for `STARDRIVE_MODEL_ENDPOINT_COOLDOWN_SECONDS` and skipped (the Router keeps that state, so there
is one Router per endpoint list for the process). Unset, no Router is built and calls go straight to
litellm with `STARDRIVE_API_BASE`, as before. Imported by gateway.py only, after litellm.
"""

from __future__ import annotations

import json
from typing import Any

from service.config import Settings

_ROUTERS: dict[str, Any] = {}


def group(index: int) -> str:
    return f"stardrive-endpoint-{index}"


def _deployments(model: str, settings: Settings) -> list[dict[str, Any]]:
    out = []
    for i, endpoint in enumerate(settings.model_endpoints):
        key = endpoint.api_key or settings.api_key
        params: dict[str, Any] = {
            "model": endpoint.model or model,
            "api_base": endpoint.api_base,
            "api_key": key.get_secret_value() if key is not None else "not-needed",
            "timeout": settings.model_timeout_seconds,
            "max_retries": 0,
        }
        out.append({"model_name": group(i), "litellm_params": params})
    return out


def router(litellm: Any, model: str, settings: Settings) -> Any:
    """The process's Router for this model and endpoint list (cooldowns live in it)."""
    deployments = _deployments(model, settings)
    options = {
        "allowed_fails": settings.model_endpoint_allowed_fails,
        "cooldown_time": settings.model_endpoint_cooldown_seconds,
    }
    key = json.dumps([deployments, options], sort_keys=True)
    if key not in _ROUTERS:
        names = [d["model_name"] for d in deployments]
        _ROUTERS[key] = litellm.Router(
            model_list=deployments,
            fallbacks=[{names[0]: names[1:]}] if len(names) > 1 else [],
            num_retries=0,  # the gateway's own retries (Retry-After, stream state) wrap the Router
            retry_after=0,
            **options,
        )
    return _ROUTERS[key]


def reset() -> None:
    """Forget every Router and its cooldowns (tests)."""
    _ROUTERS.clear()
