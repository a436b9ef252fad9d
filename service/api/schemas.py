"""Request bodies (Contract 3). Responses are the plain dicts of engine.py and the debrief model."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from service.catalog import ArchetypeId


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class InterviewCreate(_Body):
    archetypes: list[ArchetypeId] | None = None
    count: int | None = Field(default=None, ge=1, le=8)
    model: str | None = Field(default=None, min_length=1, max_length=200)


class AnswerCreate(_Body):
    text: str


class StoryIn(_Body):
    title: str = Field(min_length=1, max_length=200)
    archetype: ArchetypeId
    project: str = Field(min_length=1, max_length=200)
    year: int | None = Field(default=None, ge=1950, le=2100)
    text: str = Field(min_length=1, max_length=20_000)
