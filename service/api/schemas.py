"""Request bodies (Contract 3). Responses are the plain dicts of engine.py and the debrief model."""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from service.catalog import ArchetypeId

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# Whitespace, controls and invisible format characters (zero-width space and joiners, BOM, soft hyphen).
_INVISIBLE = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})


def storable(text: str) -> str:
    """Text a database can hold: PostgreSQL refuses NUL in text, and a lone surrogate cannot be encoded
    as UTF-8 by either database (nor by the JSON encoder of the reply)."""
    found = _UNSTORABLE.search(text)
    if found:
        what = "NUL characters" if found.group() == "\x00" else "unpaired surrogates (invalid Unicode)"
        raise ValueError(f"must not contain {what}")
    return text


def visible(text: str) -> str:
    """Text with something in it once whitespace and invisible characters are removed."""
    if all(c.isspace() or unicodedata.category(c) in _INVISIBLE for c in text):
        raise ValueError("must not be empty or only whitespace and invisible characters")
    return text


# Every text field of every body: storable, and not blank (the checks run in this order).
Text = Annotated[str, AfterValidator(storable), AfterValidator(visible)]
# Ids and header values go to a query: storable (a blank id is simply not found).
Storable = Annotated[str, AfterValidator(storable)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class InterviewCreate(_Body):
    archetypes: list[ArchetypeId] | None = None
    count: int | None = Field(default=None, ge=1, le=8)
    model: Text | None = Field(default=None, min_length=1, max_length=200)


class AnswerCreate(_Body):
    text: Text


class StoryIn(_Body):
    title: Text = Field(min_length=1, max_length=200)
    archetype: ArchetypeId
    project: Text = Field(min_length=1, max_length=200)
    year: int | None = Field(default=None, ge=1950, le=2100)
    text: Text = Field(min_length=1, max_length=20_000)
