"""Bearer tokens: made once by `stardrive users add`, stored only as a SHA-256 hash.

A token is `sd_` + `secrets.token_urlsafe(32)` (256 random bits). With that much entropy a plain SHA-256
is enough: nobody can guess a preimage, so a slow password hash (bcrypt, argon2) would only slow every
request. The `sd_` prefix lets the log filter and secret scanners recognise a token on sight.
No FastAPI here: the command line imports this without the web stack.
"""

from __future__ import annotations

import hashlib
import re
import secrets

PREFIX = "sd_"
# token_urlsafe(32) gives 43 characters of the URL-safe alphabet.
TOKEN_PATTERN = re.compile(rf"\b{PREFIX}[A-Za-z0-9_-]{{20,}}")
MAX_TOKEN_CHARS = 200


def new_token() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
