"""The one place settings come from: `STARDRIVE_*` environment variables (and `.env`)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


class ModelEndpoint(BaseModel):
    """One endpoint of the configured model (`STARDRIVE_MODEL_ENDPOINTS`)."""

    api_base: str
    api_key: SecretStr | None = None  # `STARDRIVE_API_KEY` when unset
    model: str | None = None  # the litellm model string on this endpoint; `STARDRIVE_MODEL` when unset
    # Set on any endpoint: the endpoints share the load by weight (unset counts 0: only when the others
    # fail or cool down) instead of being asked in order.
    weight: float | None = Field(default=None, ge=0)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="STARDRIVE_", env_file=".env", extra="ignore")

    prompts_dir: Path = REPO_ROOT / "prompts"
    database_url: str = f"sqlite+aiosqlite:///{REPO_ROOT / 'data' / 'stardrive.db'}"
    migrate_on_start: bool = True
    # How long a request waits for a pooled connection before it is a 503 with Retry-After (SQLAlchemy's
    # own default, 30 s, stalls a request that long when the pool is busy).
    database_pool_timeout_seconds: float = Field(default=5.0, gt=0)

    model: str = "builtin"
    api_base: str | None = None
    api_key: SecretStr | None = None
    grader_model: str | None = None
    # The models a request may name in `POST /api/interviews`: a model string is a destination (a URL, a
    # provider that bills the operator's key), so a user picks only among the operator's choices. Empty
    # means the default: builtin plus `model` and `grader_model`.
    allowed_models: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # How the grader's JSON schema is enforced, per server: `llama_cpp` (llama-cpp-python's
    # `response_format: {type: json_object, schema}`, a grammar), `vllm` (guided decoding, `guided_json`),
    # `ollama` (`format: SCHEMA`), `json_schema` (OpenAI's structured outputs), `json_object` (JSON only,
    # no schema: every OpenAI-compatible server takes it), `prompt` (nothing but the prompt's wording).
    json_mode: Literal["json_schema", "json_object", "llama_cpp", "vllm", "ollama", "prompt"] = "json_object"
    model_timeout_seconds: float = 30.0
    model_retries: int = Field(default=2, ge=0, le=10)
    model_retry_initial_seconds: float = Field(default=0.5, ge=0)
    # Several endpoints of `model`, a JSON list of {"api_base", "api_key"?, "model"?, "weight"?}, through
    # litellm's Router (service/llm/endpoints.py): asked in order, each the fallback of those before it (or,
    # with weights, picked by weight and the others tried on failure); one that fails more than
    # `allowed_fails` times in a minute is skipped for `cooldown_seconds`. Empty (the default): one
    # endpoint, `api_base`, no Router.
    model_endpoints: list[ModelEndpoint] = Field(default_factory=list)
    model_endpoint_allowed_fails: int = Field(default=0, ge=0)
    model_endpoint_cooldown_seconds: float = Field(default=30.0, ge=0)
    # With a grader model (`grader_model`, else the interview's model, not `builtin`): how long the model's
    # reading of each answer may take before the move is chosen on it (service/grading/live.py). Past it,
    # or when the model fails, the rubric decides and the turn says so. 0 turns the live reading off (the
    # rubric decides every move; the grading jobs ask the model afterwards).
    reading_budget_seconds: float = Field(default=3.0, ge=0)
    # How long finishing waits for model grades still in flight before the rubric stands in for them.
    grading_wait_seconds: float = Field(default=0.75, ge=0)
    # Grading jobs (service/jobs/): `serve` works them in-process unless this is off (`--no-grading-worker`,
    # when `stardrive worker` processes do it). A claimed job's lease is renewed while it runs; a lease
    # not renewed (its worker died) lets another worker claim the job again.
    grading_worker: bool = True
    grading_concurrency: int = Field(default=2, ge=1, le=64)
    grading_lease_seconds: float = Field(default=30.0, gt=0)
    grading_poll_seconds: float = Field(default=1.0, gt=0)
    # A grade that fell back to the rubric (the model failed or replied off-schema twice) is tried again
    # this many times, with backoff, before the rubric's grade stands.
    grading_max_fallbacks: int = Field(default=3, ge=0, le=20)
    # Claims of one job before it is given up (a job whose worker keeps crashing, or a bug).
    grading_max_attempts: int = Field(default=8, ge=1, le=100)
    grading_retry_initial_seconds: float = Field(default=2.0, ge=0)
    grading_retry_max_seconds: float = Field(default=300.0, ge=0)
    # On shutdown, how long jobs under way may run to the end before they are given back to the queue.
    grading_drain_seconds: float = Field(default=10.0, ge=0)
    # `scripted` model only (tests, evals): its replies, one JSON object a line, shared by every process
    # that names the same file (see llm/scripted_file.py).
    scripted_replies_file: Path | None = None

    interview_archetype_count: int = Field(default=4, ge=1, le=8)
    max_pushbacks_per_archetype: int = Field(default=2, ge=0, le=5)
    max_answer_chars: int = Field(default=20_000, ge=1)

    # Accounts and limits (SECURITY.md). "none": one local user, no token; "tokens": every /api request
    # carries `Authorization: Bearer TOKEN` from `stardrive users add NAME`.
    auth: Literal["none", "tokens"] = "none"
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    # Per user, tokens mode only (in "none" mode there is one local user and no per-user limit).
    # 0 turns a limit off.
    rate_limit_per_minute: int = Field(default=120, ge=0)
    # Reads (GET) per user, a bucket of their own: `read_burst` at once, refilled at this rate.
    read_rate_limit_per_minute: int = Field(default=600, ge=0)
    read_burst: int = Field(default=60, ge=1)
    max_streams_per_user: int = Field(default=4, ge=0)
    # What one account may keep (tokens mode; 0 = no quota): stories in its bank, interviews in all.
    max_stories_per_user: int = Field(default=500, ge=0)
    max_interviews_per_user: int = Field(default=2000, ge=0)
    # Host names this server answers to besides loopback names and IP addresses (api/hosts.py: DNS
    # rebinding); a comma-separated list, e.g. stardrive.example behind a reverse proxy.
    allowed_hosts: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # Off unless set: a comma-separated list (or JSON list) of exact origins, e.g. https://app.example.
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)

    @field_validator("cors_origins", "allowed_models", "allowed_hosts", mode="before")
    @classmethod
    def _split_list(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [part.strip() for part in text.split(",") if part.strip()]
        return value

    @field_validator("cors_origins")
    @classmethod
    def _check_origins(cls, origins: list[str]) -> list[str]:
        checked = []
        for origin in origins:
            origin = origin.rstrip("/")
            scheme, sep, rest = origin.partition("://")
            if scheme not in ("http", "https") or not sep or not rest or "/" in rest or "*" in rest:
                raise ValueError(f"CORS origin {origin!r} must be an exact scheme://host[:port]")
            checked.append(origin)
        return checked

    def quota(self, what: Literal["stories", "interviews"], user_id: str | None) -> int:
        """How many of `what` this user may keep; 0 for no quota (the one local user of "none" mode)."""
        if self.auth != "tokens" or user_id is None:
            return 0
        return self.max_stories_per_user if what == "stories" else self.max_interviews_per_user

    def model_allowed(self, name: str) -> bool:
        """Whether a request may name this model (the operator's own default always may)."""
        allowed = set(self.allowed_models) or {"builtin", self.model, self.grader_model or self.model}
        return name in allowed or name == self.model


@lru_cache
def get_settings() -> Settings:
    return Settings()
