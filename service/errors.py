"""Every error stardrive raises on purpose derives from `StardriveError`::

StardriveError
├── CatalogError        a prompts/*.yaml file is missing, unparsable or invalid
├── InputError          bad input from a person: unknown archetype, unreadable file, bad JSONL line
│   ├── TooLarge        an answer or body over its size limit (HTTP 413)
│   └── ModelNotAllowed a model the operator did not allow (HTTP 422 model_not_allowed)
├── NotFound            an interview or story id that does not exist (HTTP 404)
├── Conflict            answering a finished interview, a concurrent answer (HTTP 409)
├── QuotaExceeded       an account already keeps as many stories or interviews as it may (HTTP 403)
└── ModelError          the configured model failed after its retries (never reaches the candidate)
"""

from __future__ import annotations


class StardriveError(Exception):
    """Base of every deliberate error."""


class CatalogError(StardriveError):
    pass


class InputError(StardriveError):
    pass


class NotFound(StardriveError):
    pass


class Conflict(StardriveError):
    pass


class ModelError(StardriveError):
    pass


class TooLarge(InputError):
    """An answer or body over its size limit (HTTP 413)."""


class ModelNotAllowed(InputError):
    """A model a request may not name (STARDRIVE_ALLOWED_MODELS): HTTP 422 `model_not_allowed`."""


class QuotaExceeded(StardriveError):
    """An account keeps as many stories or interviews as it may: HTTP 403 `quota_exceeded`."""
