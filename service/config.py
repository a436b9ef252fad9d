"""The one place settings come from: `STARDRIVE_*` environment variables (and `.env`)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="STARDRIVE_", env_file=".env", extra="ignore")

    prompts_dir: Path = REPO_ROOT / "prompts"
    database_url: str = f"sqlite+aiosqlite:///{REPO_ROOT / 'data' / 'stardrive.db'}"
    migrate_on_start: bool = True

    model: str = "builtin"
    api_base: str | None = None
    api_key: SecretStr | None = None
    grader_model: str | None = None
    json_mode: Literal["json_schema", "json_object", "prompt"] = "json_object"
    model_timeout_seconds: float = 30.0
    model_retries: int = Field(default=2, ge=0, le=10)
    model_retry_initial_seconds: float = Field(default=0.5, ge=0)
    # How long finishing waits for model grades still in flight before the rubric stands in for them.
    grading_wait_seconds: float = Field(default=0.75, ge=0)

    interview_archetype_count: int = Field(default=4, ge=1, le=8)
    max_pushbacks_per_archetype: int = Field(default=2, ge=0, le=5)
    max_answer_chars: int = Field(default=20_000, ge=1)


@lru_cache
def get_settings() -> Settings:
    return Settings()
