"""What a row may hold. Secrets out: a provider's error can repeat the API key ("Incorrect API key
provided: sk-…"), and that error is kept in `turns.usage` and `archetype_grades`, so stored text gets the
same mask as every log record (service/api/redact.py). And only text a database can hold: a model's
words may carry a NUL (PostgreSQL refuses it) or an unpaired surrogate (no database can encode it);
people's input is refused at the door (api/schemas.py), a model's is cleaned here.
"""

from __future__ import annotations

import re
from typing import Any, TypeVar

from service.api.redact import MASKER

T = TypeVar("T")
_SURROGATE = re.compile("[\ud800-\udfff]")


def storable(text: str) -> str:
    """`text` without NUL characters, each unpaired surrogate replaced by U+FFFD."""
    return _SURROGATE.sub("\ufffd", text.replace("\x00", ""))


def scrub(value: T, *, keep: frozenset[str] = frozenset()) -> T:
    """`value` with every string masked, through dicts and lists; keys in `keep` stay as they are (quotes
    of the candidate's answer must stay exactly `answer[start:end]`)."""
    out: Any
    if isinstance(value, str):
        out = MASKER.mask(storable(value))
    elif isinstance(value, dict):
        out = {storable(str(k)): v if k in keep else scrub(v, keep=keep) for k, v in value.items()}
    elif isinstance(value, list):
        out = [scrub(v, keep=keep) for v in value]
    else:
        out = value
    return out  # type: ignore[no-any-return]
