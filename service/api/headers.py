"""Security headers on every response, refusals from the outer middleware included.

The Content-Security-Policy allows the chat page's inline script by its hash and the app's own files under
/static/ ('self'), and no other script, so
text that reaches a page (a debrief, a story) cannot run even if some renderer let markup through. No
`unsafe-eval`; `frame-ancestors 'none'` (and X-Frame-Options for old browsers) so no site can frame the
page to click through it. API responses are `no-store`: they hold transcripts, which must not stay in a
browser's or a proxy's cache.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# FastAPI's /docs and /redoc load their code from a CDN and start it with an inline script; they hold no
# data, so they get a policy of their own rather than loosening the one every other page has.
_DOCS_PATHS = ("/docs", "/redoc")
_DOCS_POLICY = (
    "default-src 'none'; script-src https://cdn.jsdelivr.net 'unsafe-inline'; "
    "style-src https://cdn.jsdelivr.net https://fonts.googleapis.com 'unsafe-inline'; "
    "font-src https://fonts.gstatic.com; img-src 'self' data: https://fastapi.tiangolo.com "
    "https://cdn.redoc.ly; connect-src 'self'; worker-src blob:; "
    "base-uri 'none'; object-src 'none'; form-action 'none'; frame-ancestors 'none'"
)


def inline_script_sources(page: Path) -> list[str]:
    """The CSP hash source of each inline <script> in `page`."""
    scripts = re.findall(r"<script>(.*?)</script>", page.read_text(encoding="utf-8"), flags=re.S)
    return [
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'" for s in scripts
    ]


def content_security_policy(script_sources: list[str]) -> str:
    # 'self': the page's own files under /static/ (the views' scripts, the vendored chart library). API
    # responses are JSON or text with `nosniff`, so no response of ours runs as a script either.
    scripts = " ".join(["'self'", *script_sources])
    return (
        f"default-src 'none'; script-src {scripts}; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; connect-src 'self'; frame-src 'self'; form-action 'self'; "
        "base-uri 'none'; object-src 'none'; frame-ancestors 'none'"
    )


class SecurityHeaders:
    def __init__(self, app: ASGIApp, *, policy: str) -> None:
        self.app = app
        self.policy = policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        policy = _DOCS_POLICY if path.startswith(_DOCS_PATHS) else self.policy
        api = path == "/api" or path.startswith("/api/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Content-Security-Policy"] = policy
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "no-referrer"
                headers["X-Frame-Options"] = "DENY"
                if api:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)
