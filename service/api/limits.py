"""Limits on what one request or one user may take (SECURITY.md).

- `BodyGuard` (ASGI middleware, every path): a body over `max_body_bytes` is 413 whether it announces its
  length or streams in chunks; a POST/PUT/PATCH body that is not `application/json` is 415.
- `TokenBucket`: writes, and reads, per user per minute, in memory per process; over it is 429 with
  Retry-After.
- `StreamSlots`: answers in flight per user; one more is 429.
"""

from __future__ import annotations

import math
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from types import TracebackType
from typing import TypeVar

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.api.errors import ApiError, error_body
from service.config import Settings

T = TypeVar("T")
JSON_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})

# --- request bodies ---------------------------------------------------------------------------


def is_json(content_type: str | None) -> bool:
    return (content_type or "").split(";", 1)[0].strip().lower() == "application/json"


class BodyGuard:
    """Refuses oversized and non-JSON bodies before the app reads them.

    A body is read here (it is at most `max_bytes`) and handed on whole, so no route ever sees more than
    the limit, however the client sends it."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        declared = headers.get("content-length")
        length = 0
        if declared is not None:
            try:
                length = int(declared)
            except ValueError:
                await error_body(400, "bad_request", "Content-Length is not a number")(scope, receive, send)
                return
            if length > self.max_bytes:
                await self._too_large(scope, receive, send)
                return
        if length <= 0 and "transfer-encoding" not in headers:
            await self.app(scope, receive, send)  # no body
            return
        if scope["method"] in JSON_BODY_METHODS and not is_json(headers.get("content-type")):
            await error_body(
                415, "unsupported_media_type", "send the body as JSON with 'Content-Type: application/json'"
            )(scope, receive, send)
            return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            if len(body) > self.max_bytes:
                await self._too_large(scope, receive, send)
                return
            if not message.get("more_body", False):
                break
        await self.app(scope, _replay(bytes(body), receive), send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        message = f"the request body is over the limit of {self.max_bytes} bytes"
        await error_body(413, "too_large", message)(scope, receive, send)


def _replay(body: bytes, receive: Receive) -> Receive:
    """The body once, then whatever the client sends next (a disconnect, for a stream to notice)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


# --- writes per user per minute ---------------------------------------------------------------


class TokenBucket:
    """`per_minute` requests per key, refilled continuously; a full bucket allows a burst of `burst`
    (default: `per_minute`)."""

    def __init__(
        self, per_minute: int, clock: Callable[[], float] = time.monotonic, *, burst: int | None = None
    ) -> None:
        self.per_minute = per_minute
        self.capacity = float(burst if burst is not None else per_minute)
        self.rate = per_minute / 60.0
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}

    def take(self, key: str) -> float:
        """0 when allowed (and counted); else the seconds until the next write is allowed."""
        now = self.clock()
        tokens, then = self._buckets.get(key, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - then) * self.rate)
        if tokens >= 1.0:
            self._buckets[key] = (tokens - 1.0, now)
            return 0.0
        self._buckets[key] = (tokens, now)
        return (1.0 - tokens) / self.rate


def retry_after(seconds: float) -> str:
    return str(max(1, math.ceil(seconds)))


# --- answers in flight per user ---------------------------------------------------------------


class Lease:
    """One answer slot. Released when the `with` block ends, unless `carry` handed it to a stream, which
    releases it when the stream ends, or `hand_over` gave it to the reply being made, which keeps it
    until that reply is done (a client that hangs up does not free it). Releasing twice is harmless."""

    def __init__(self, release: Callable[[], None]) -> None:
        self._release: Callable[[], None] | None = release
        self._carried = False

    def release(self) -> None:
        release, self._release = self._release, None
        if release is not None:
            release()

    def hand_over(self) -> Callable[[], None]:
        """The slot now belongs to the caller of the returned function (once; later calls do nothing);
        `release` and the end of the `with` block or stream no longer give it back."""
        release, self._release = self._release, None
        return Lease(release or (lambda: None)).release

    def carry(self, events: AsyncIterator[T]) -> AsyncIterator[T]:
        self._carried = True
        return self._releasing(events)

    async def _releasing(self, events: AsyncIterator[T]) -> AsyncIterator[T]:
        try:
            async for event in events:
                yield event
        finally:
            self.release()

    def __enter__(self) -> Lease:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if kind is not None or not self._carried:
            self.release()


class StreamSlots:
    """At most `per_user` answers in flight per key (0: no cap). One event loop per process, so the
    check and the count need no lock."""

    def __init__(self, per_user: int) -> None:
        self.per_user = per_user
        self._held: dict[str, int] = {}

    def held(self, key: str) -> int:
        return self._held.get(key, 0)

    def acquire(self, key: str | None) -> Lease:
        """A lease on one slot; a 429 ApiError when the key already holds all of its slots."""
        if key is None or self.per_user == 0:
            return Lease(lambda: None)
        if self._held.get(key, 0) >= self.per_user:
            raise ApiError(
                429,
                "too_many_streams",
                f"at most {self.per_user} answers may be in progress at once; wait for one to finish",
                {"Retry-After": "1"},
            )
        self._held[key] = self._held.get(key, 0) + 1
        return Lease(lambda: self._give_back(key))

    def _give_back(self, key: str) -> None:
        left = self._held.get(key, 0) - 1
        if left > 0:
            self._held[key] = left
        else:
            self._held.pop(key, None)


@dataclass
class Limits:
    """The per-user limits of one app; they apply to accounts (`STARDRIVE_AUTH=tokens`) only."""

    writes: TokenBucket | None
    streams: StreamSlots
    reads: TokenBucket | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        per_user = settings.auth == "tokens"
        rate = settings.rate_limit_per_minute if per_user else 0
        reads = settings.read_rate_limit_per_minute if per_user else 0
        return cls(
            writes=TokenBucket(rate) if rate else None,
            streams=StreamSlots(settings.max_streams_per_user if per_user else 0),
            reads=TokenBucket(reads, burst=settings.read_burst) if reads else None,
        )

    def check_write(self, user_id: str | None) -> None:
        """Count one write; a 429 ApiError with Retry-After when the user is over the rate."""
        self._take(self.writes, user_id, "writes")

    def check_read(self, user_id: str | None) -> None:
        """Count one read; a 429 ApiError with Retry-After when the user is over the read rate."""
        self._take(self.reads, user_id, "reads")

    @staticmethod
    def _take(bucket: TokenBucket | None, user_id: str | None, what: str) -> None:
        if bucket is None or user_id is None:
            return
        wait = bucket.take(user_id)
        if wait > 0:
            raise ApiError(
                429,
                "rate_limited",
                f"too many requests: at most {bucket.per_minute} {what} a minute",
                {"Retry-After": retry_after(wait)},
            )
