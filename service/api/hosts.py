"""The Host header check: the defence against DNS rebinding.

A page on `evil.example` can have its name re-resolved to 127.0.0.1 and then call this server from the
victim's own browser, same-origin, with `Host: evil.example`. In single-user mode that reads everything.
So a request must name the server by a loopback name (`localhost`, `*.localhost`, 127.0.0.0/8, `::1`), a
name in `STARDRIVE_ALLOWED_HOSTS`, or an IP address: an address is not a name, so there is nothing to
rebind, and a browser at that origin is this server's own page. A name equal to the address the server
reports for itself is also accepted; only in-process clients (no socket) report a name there.
"""

from __future__ import annotations

import ipaddress

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from service.api.errors import error_body


def host_name(header: str) -> str:
    """`Host` without its port, lower-case, brackets off an IPv6 literal."""
    host = header.strip().lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    if host.count(":") == 1:
        host = host.split(":", 1)[0]
    return host.rstrip(".")


def _is_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def allowed(name: str, configured: frozenset[str], own: str | None = None) -> bool:
    return (
        name == "localhost"
        or name.endswith(".localhost")
        or _is_address(name)
        or name in configured
        or (own is not None and name == own.lower())
    )


class HostGuard:
    def __init__(self, app: ASGIApp, *, allowed_hosts: list[str]) -> None:
        self.app = app
        self.configured = frozenset(host_name(h) for h in allowed_hosts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        header = Headers(scope=scope).get("host")
        server = scope.get("server")
        own = str(server[0]) if server else None
        # No Host at all is an HTTP/1.0 client, not a browser: nothing to rebind.
        if header is not None and not allowed(host_name(header), self.configured, own):
            message = "this server does not answer to that Host name; add it to STARDRIVE_ALLOWED_HOSTS"
            await error_body(400, "host_not_allowed", message)(scope, receive, send)
            return
        await self.app(scope, receive, send)
