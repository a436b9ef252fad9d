"""Secrets out of stored rows: a provider's error can repeat the API key ("Incorrect API key provided:
sk-…"), and that error is kept in `turns.usage` and `archetype_grades`. Stored text gets the same mask
as every log record (service/api/redact.py), before it is written.
"""

from __future__ import annotations

from typing import Any, TypeVar

from service.api.redact import MASKER

T = TypeVar("T")


def scrub(value: T, *, keep: frozenset[str] = frozenset()) -> T:
    """`value` with every string masked, through dicts and lists; keys in `keep` stay as they are (quotes
    of the candidate's answer must stay exactly `answer[start:end]`)."""
    out: Any
    if isinstance(value, str):
        out = MASKER.mask(value)
    elif isinstance(value, dict):
        out = {k: v if k in keep else scrub(v, keep=keep) for k, v in value.items()}
    elif isinstance(value, list):
        out = [scrub(v, keep=keep) for v in value]
    else:
        out = value
    return out  # type: ignore[no-any-return]
