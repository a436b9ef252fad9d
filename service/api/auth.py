"""Who is asking: `STARDRIVE_AUTH=none` is the one local user (None); `tokens` wants a bearer token.

The token is hashed and looked up by its hash, so the comparison never sees a stored secret and leaks
nothing by its timing. A missing or wrong token is 401 with `WWW-Authenticate: Bearer`; the message never
repeats what was sent.
"""

from __future__ import annotations

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from service.api.errors import ApiError
from service.api.tokens import MAX_TOKEN_CHARS, hash_token
from service.config import Settings
from service.store import crud

REALM = 'Bearer realm="stardrive"'


def _unauthorized(message: str, error: str | None = None) -> ApiError:
    challenge = f'{REALM}, error="{error}"' if error else REALM
    return ApiError(401, "unauthorized", message, {"WWW-Authenticate": challenge})


def bearer_token(request: Request) -> str:
    header = request.headers.get("authorization")
    if not header:
        raise _unauthorized("this server needs a bearer token: send 'Authorization: Bearer TOKEN'")
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > MAX_TOKEN_CHARS:
        raise _unauthorized("the Authorization header must be 'Bearer TOKEN'", "invalid_request")
    return token


async def authenticate(
    request: Request, settings: Settings, sessions: async_sessionmaker[AsyncSession]
) -> str | None:
    """The caller's user id; None in single-user mode. Raises a 401 ApiError."""
    if settings.auth == "none":
        return None
    token = bearer_token(request)
    async with sessions() as session:
        user = await crud.user_by_token_hash(session, token_hash=hash_token(token))
    if user is None:
        raise _unauthorized("the bearer token is not valid", "invalid_token")
    return user.id
