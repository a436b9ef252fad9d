"""Several endpoints of one model through litellm's Router, a failing one cooled down and skipped.

`STARDRIVE_MODEL_ENDPOINTS` lists them (a JSON list of `{"api_base", "api_key"?, "model"?, "weight"?}`).
Without weights each endpoint is its own Router model group: the first is asked first and each later one
is the fallback of those before it. With a weight on any of them they form one group: each call picks an
endpoint by weight and, when it fails, re-picks among the others (the Router's weighted failover). An
endpoint that fails more than `STARDRIVE_MODEL_ENDPOINT_ALLOWED_FAILS` times in a minute is cooled down
for `STARDRIVE_MODEL_ENDPOINT_COOLDOWN_SECONDS` and skipped (the Router keeps that state, so there is one
Router per endpoint list for the process). Unset, no Router is built and calls go straight to litellm
with `STARDRIVE_API_BASE`, as before. Imported by gateway.py only, after litellm.
"""

from __future__ import annotations

import json
from typing import Any

from service.config import Settings

_ROUTERS: dict[str, tuple[Any, str]] = {}
_GROUP = "stardrive-endpoints"


def _deployments(model: str, settings: Settings, weighted: bool) -> list[dict[str, Any]]:
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
        if weighted:
            params["weight"] = endpoint.weight or 0.0
        out.append({"model_name": _GROUP if weighted else f"{_GROUP}-{i}", "litellm_params": params})
    return out


def router(litellm: Any, model: str, settings: Settings) -> tuple[Any, str]:
    """The process's Router for this model and endpoint list (cooldowns live in it), and what to call."""
    weighted = any(e.weight is not None for e in settings.model_endpoints)
    deployments = _deployments(model, settings, weighted)
    options = {
        "allowed_fails": settings.model_endpoint_allowed_fails,
        "cooldown_time": settings.model_endpoint_cooldown_seconds,
    }
    key = json.dumps([deployments, options], sort_keys=True)
    if key not in _ROUTERS:
        names = [d["model_name"] for d in deployments]
        chain = [{names[0]: names[1:]}] if not weighted and len(names) > 1 else []
        built = litellm.Router(
            model_list=deployments,
            fallbacks=chain,
            enable_weighted_failover=weighted,
            num_retries=0,  # the gateway's own retries (Retry-After, stream state) wrap the Router
            retry_after=0,
            **options,
        )
        _ROUTERS[key] = (built, names[0])
    return _ROUTERS[key]


def reset() -> None:
    """Forget every Router and its cooldowns (tests)."""
    _ROUTERS.clear()
