"""The holes an attack found (issue 10), each held shut: models a user may name, Host names, headers,
files at rest, text a database cannot hold, the Markdown debrief. API tests run on every backend."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import os
import re
import stat
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import text

from service import engine as engine_module
from service import replying as replying_module
from service.errors import ModelError
from service.llm.base import Request
from tests.test_api import WEAK
from tests.test_auth import STORY, serve_app

JSON = {"Accept": "application/json"}

# --- 1: a user names only a model the operator allowed ----------------------------------------


@asynccontextmanager
async def listener() -> AsyncIterator[tuple[str, list[bytes]]]:
    """A loopback port that records whatever connects to it: where a model call would go."""
    seen: list[bytes] = []

    async def record(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        seen.append(await reader.read(4096))
        writer.close()

    server = await asyncio.start_server(record, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}/v1", seen
    finally:
        server.close()
        await server.wait_closed()


@pytest.mark.parametrize(
    ("settings", "model", "status"),
    [
        ({}, "ollama_chat/x", 422),
        ({}, "openai/gpt-4o", 422),
        ({}, "anthropic/claude-3-opus-20240229", 422),
        ({}, "builtin", 201),
        ({}, None, 201),
        ({"model": "openai/op"}, "openai/op", 201),
        ({"model": "openai/op"}, "openai/other", 422),
        ({"grader_model": "openai/grader"}, "openai/grader", 201),
        ({"allowed_models": "openai/a, openai/b"}, "openai/b", 201),
        ({"allowed_models": "openai/a, openai/b"}, "builtin", 201),  # the operator's own default
        ({"allowed_models": "openai/a", "model": "openai/a"}, "builtin", 422),
        ({"allowed_models": "openai/a, openai/b"}, "ollama_chat/x", 422),
    ],
)
async def test_only_allowed_models_and_no_request_for_others(
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    settings: dict[str, Any],
    model: str | None,
    status: int,
) -> None:
    touched: list[str] = []
    real_validate, real_get = engine_module.validate_model, replying_module.get_model

    def validate(name: str, *args: Any, **kwargs: Any) -> None:
        touched.append(name)
        real_validate(name, *args, **kwargs)

    def get(name: str, *args: Any, **kwargs: Any) -> Any:
        touched.append(name)
        return real_get(name, *args, **kwargs)

    monkeypatch.setattr(engine_module, "validate_model", validate)
    monkeypatch.setattr(replying_module, "get_model", get)
    fast = {"model_retries": 0, "model_timeout_seconds": 2.0, "grading_wait_seconds": 0.0}
    async with listener() as (api_base, seen):
        async with serve_app(database_url, api_base=api_base, **fast, **settings) as (_, client):
            body = {"archetypes": ["mentoring"], **({"model": model} if model else {})}
            res = await client.post("/api/interviews", json=body)
            assert res.status_code == status, res.text
            if status == 422:
                assert res.json()["error"]["code"] == "model_not_allowed"
                assert touched == []  # the model's name went nowhere: not to litellm, not to a gateway
                await asyncio.sleep(0.05)
                assert seen == []  # and nothing reached the model server
                return
            chosen = model or settings.get("model", "builtin")
            assert res.json()["model"] == chosen
            answer = f"/api/interviews/{res.json()['id']}/answers"
            await client.post(answer, json={"text": WEAK}, headers=JSON)
        # The harness sees an outbound call when one is made: an allowed model is called, builtin never.
        assert bool(seen) == (chosen != "builtin")


# --- 8: security headers on every response ------------------------------------------------------


def inline_script_hashes(html: str) -> set[str]:
    """The CSP source expression of each inline <script> in a page."""
    scripts = re.findall(r"<script>(.*?)</script>", html, flags=re.S)
    return {
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'" for s in scripts
    }


def directives(policy: str) -> dict[str, list[str]]:
    parts = (d.strip().split() for d in policy.split(";") if d.strip())
    return {p[0]: p[1:] for p in parts}


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "api"),
    [
        ("GET", "/", None, 200, False),
        ("GET", "/healthz", None, 200, False),
        ("GET", "/openapi.json", None, 200, False),
        ("GET", "/api/stories", None, 200, True),
        ("GET", "/api/interviews/nope", None, 404, True),
        ("GET", "/api/interviews/{iid}", None, 200, True),
        ("GET", "/api/interviews/{iid}/debrief?format=html", None, 200, True),
        ("GET", "/api/interviews/{iid}/debrief?format=md", None, 200, True),
        ("POST", "/api/interviews/{iid}/answers", {"text": "I did it."}, 200, True),  # a stream
        ("POST", "/api/interviews", b"x", 415, True),  # refused before the app (BodyGuard)
        ("POST", "/api/interviews", {"count": 99}, 422, True),
    ],
)
async def test_security_headers_on_every_response(
    database_url: str, method: str, path: str, body: Any, status: int, api: bool
) -> None:
    async with serve_app(database_url) as (_, client):
        iid = (await client.post("/api/interviews", json={"archetypes": ["mentoring"]})).json()["id"]
        page = (await client.get("/")).text
        kwargs: dict[str, Any] = {"content": body} if isinstance(body, bytes) else {"json": body}
        res = await client.request(method, path.format(iid=iid), **kwargs)
    assert res.status_code == status, res.text
    assert res.headers["x-content-type-options"] == "nosniff"
    assert res.headers["referrer-policy"] == "no-referrer"
    assert res.headers["x-frame-options"] == "DENY"
    policy = directives(res.headers["content-security-policy"])
    assert policy["frame-ancestors"] == ["'none'"]
    assert all("'unsafe-eval'" not in sources for sources in policy.values())
    assert "'unsafe-inline'" not in policy["script-src"]  # an injected script runs nowhere
    assert policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'none'"]
    if path == "/":
        # The page's own inline script is allowed by its hash, its files under /static/ as 'self', and
        # nothing else.
        hashes = inline_script_hashes(page)
        assert hashes and set(policy["script-src"]) == hashes | {"'self'"}
    if api:
        assert "no-store" in res.headers["cache-control"]


# --- 4: Host names (DNS rebinding) -----------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "allowed_hosts", "auth", "ok"),
    [
        ("evil.example", None, "none", False),
        ("evil.example:8000", None, "none", False),
        ("localhost.evil.example", None, "none", False),
        ("127.0.0.1.evil.example:8000", None, "none", False),
        ("evil.example", None, "tokens", False),
        ("evil.example", "stardrive.example", "none", False),
        ("localhost:8000", None, "none", True),
        ("LOCALHOST", None, "none", True),
        ("app.localhost:8000", None, "none", True),
        ("127.0.0.1:8000", None, "none", True),
        ("127.8.9.10", None, "none", True),
        ("[::1]:8000", None, "none", True),
        ("10.0.0.5:8000", None, "none", True),  # an address, not a name: nothing to rebind
        ("stardrive.example", "stardrive.example,other.example", "none", True),
        ("Stardrive.Example:443", "stardrive.example", "tokens", True),
    ],
)
async def test_only_loopback_and_configured_host_names(
    database_url: str, host: str, allowed_hosts: str | None, auth: str, ok: bool
) -> None:
    settings: dict[str, Any] = {"auth": auth, **({"allowed_hosts": allowed_hosts} if allowed_hosts else {})}
    async with serve_app(database_url, **settings) as (_, client):
        for path in ["/", "/healthz", "/api/stories"]:
            res = await client.get(path, headers={"Host": host})
            if ok:
                assert res.status_code in (200, 401), (path, res.text)
                continue
            assert res.status_code == 400, path
            assert res.json()["error"]["code"] == "host_not_allowed"
            assert "STARDRIVE_ALLOWED_HOSTS" in res.json()["error"]["message"]
            assert res.headers["x-content-type-options"] == "nosniff"


# --- 7: the Markdown debrief carries no markup from the text in it ------------------------------

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click me](javascript:alert(1))",
    "[click me](JaVaScRiPt:alert(1))",
    "![x](javascript:alert(1))",
    "<javascript:alert(1)>",
    "[see][r]\n\n[r]: javascript:alert(1)",
    "fine\n\n<div onmouseover=alert(1)>x</div>",
    "fine\n# A heading of my own\n- and a list",
    "&lt;script&gt; | a | pipe | `code` **bold** ~~gone~~",
]


def poisoned(debrief: dict[str, Any], payload: str) -> dict[str, Any]:
    """The debrief with `payload` in every field that holds words (answers, quotes, questions, notes)."""
    debrief = {
        **debrief,
        "summary": payload,
        "projects_reused": [[payload, payload]],
        "usage": {"n": payload},
    }
    for fix in debrief["top_fixes"]:
        fix.update(example=payload, advice=payload)
    for bullet in debrief["bullets"]:
        bullet["text"] = payload
    for a in debrief["archetypes"]:
        a.update(title=payload, question=payload, answers=[payload])
        for part in a["grade"]["parts"].values():
            part["note"] = payload
            part["evidence"] = [{"quote": payload, "start": 0, "end": len(payload)}]
        for p in a["pushbacks"]:
            p["question"] = payload
    return debrief


@pytest.fixture(scope="module")
def finished_debrief(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    async def run() -> dict[str, Any]:
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('md') / 'md.db'}"
        async with serve_app(url) as (_, client):
            body = {"archetypes": ["killed_own_project", "mentoring"]}
            iid = (await client.post("/api/interviews", json=body)).json()["id"]
            for _ in range(3):
                answer = {"text": "We cancelled it. <b>I</b> [moved on](javascript:alert(1))."}
                await client.post(f"/api/interviews/{iid}/answers", json=answer, headers=JSON)
            res = await client.post(f"/api/interviews/{iid}/finish")
            assert res.status_code == 200 and res.json()["top_fixes"] and res.json()["archetypes"]
            return res.json()  # type: ignore[no-any-return]

    return asyncio.run(run())


@pytest.mark.parametrize("payload", PAYLOADS)
def test_markdown_debrief_escapes_markup_and_links(finished_debrief: dict[str, Any], payload: str) -> None:
    from markdown_it import MarkdownIt

    from service.report.debrief import Debrief
    from service.report.render import to_markdown

    markdown = to_markdown(Debrief.model_validate(poisoned(finished_debrief, payload)))
    html = MarkdownIt("commonmark", {"html": True}).enable("table").enable("strikethrough").render(markdown)
    tags = set(re.findall(r"<\s*([a-zA-Z][a-zA-Z0-9]*)", html))
    assert tags <= {
        "h1",
        "h2",
        "p",
        "ol",
        "ul",
        "li",
        "strong",
        "em",
        "blockquote",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "code",
    }, tags
    assert "<a " not in html and "<img" not in html
    assert not re.search(r"""(href|src)\s*=\s*["']?\s*javascript""", html, flags=re.I)
    assert html.count("<h2>") == markdown.count("\n## ")  # no heading of the payload's own
    # The candidate's words are still there as written, as text.
    words = " ".join(unescape(re.sub(r"<[^>]*>", " ", html)).split())
    assert " ".join(payload.split()) in words


# --- 5: at rest: the SQLite file is the owner's alone, and no stored error repeats the API key --


@pytest.mark.parametrize("depth", [1, 3])
async def test_sqlite_file_and_folder_are_the_owners_alone(tmp_path: Path, depth: int) -> None:
    folder = tmp_path.joinpath(*[f"d{i}" for i in range(depth)])
    os.chmod(tmp_path, 0o755)
    url = f"sqlite+aiosqlite:///{folder / 'stardrive.db'}"
    async with serve_app(url) as (_, client):
        await client.post("/api/interviews", json={"archetypes": ["mentoring"]})
        files = sorted(folder.glob("stardrive.db*"))
        assert folder / "stardrive.db" in files
        modes = {f.name: stat.S_IMODE(f.stat().st_mode) for f in files}  # the WAL files too
        assert set(modes.values()) == {0o600}, modes
    for made in [folder, *folder.relative_to(tmp_path).parents][:-1]:
        assert stat.S_IMODE((tmp_path / made).stat().st_mode) == 0o700, made
    assert stat.S_IMODE(tmp_path.stat().st_mode) == 0o755  # a folder it did not make is left alone


class LeakyModel:
    """A provider whose every error repeats the API key, as some do ("Incorrect API key provided: …")."""

    name = "openai/x"

    def __init__(self, key: str) -> None:
        self.key = key

    async def stream(self, request: Request) -> AsyncIterator[str]:
        request.usage.error = f"AuthenticationError: Incorrect API key provided: {self.key}"
        raise ModelError(f"AuthenticationError: Incorrect API key provided: {self.key}")
        yield ""  # pragma: no cover

    async def structured(self, request: Request, schema: dict[str, Any]) -> dict[str, Any]:
        raise ModelError(f"AuthenticationError: key {self.key} (Authorization: Bearer {self.key})")


async def test_stored_usage_and_grades_never_hold_the_api_key(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = "sk-live-" + "k" * 40
    monkeypatch.setattr(replying_module, "get_model", lambda *args, **kwargs: LeakyModel(key))
    settings = {"model": "openai/x", "api_key": SecretStr(key), "grading_wait_seconds": 5.0}
    async with serve_app(database_url, **settings) as (app, client):
        iid = (
            await client.post("/api/interviews", json={"archetypes": ["mentoring", "cost_negotiation"]})
        ).json()["id"]
        for _ in range(8):
            turn = (
                await client.post(f"/api/interviews/{iid}/answers", json={"text": WEAK}, headers=JSON)
            ).json()
            assert turn["degraded"] is True  # the model failed: the builtin wording stood in
            if turn["move"] == "wrap_up":
                break
        debrief = await client.post(f"/api/interviews/{iid}/finish")
        assert key not in debrief.text
        async with app.state.sessions() as session:
            rows = [
                *(await session.execute(text("SELECT usage FROM turns WHERE usage IS NOT NULL"))).all(),
                *(
                    await session.execute(text("SELECT grade, usage, fallback_reason FROM archetype_grades"))
                ).all(),
            ]
    stored = " ".join(str(value) for row in rows for value in row)
    assert "Incorrect API key provided" in stored  # the errors were kept
    assert key not in stored
    assert "***" in stored


# --- 6: text a database cannot hold, and answers that are not answers ---------------------------

UNSTORABLE = ["a\x00b", "\x00", "\ud800", "text \udfff here", "\udbff\udfff"[0]]
BLANK = ["", "   ", "\n\t ", "\u200b\u200c\u200d", "\ufeff \u2060 \u00ad", "\x00 \u200b \x00", "\u3000\u2028"]


def raw_json(body: dict[str, Any]) -> bytes:
    """JSON with non-ASCII as \\u escapes, so a lone surrogate travels as the escape a client would send."""
    return json.dumps(body).encode()


@pytest.mark.parametrize(
    ("method", "path", "field"),
    [
        ("POST", "/api/interviews/{iid}/answers", "text"),
        ("POST", "/api/interviews", "model"),
        ("POST", "/api/stories", "title"),
        ("POST", "/api/stories", "project"),
        ("POST", "/api/stories", "text"),
        ("PUT", "/api/stories/{sid}", "title"),
        ("PUT", "/api/stories/{sid}", "text"),
    ],
)
async def test_unstorable_or_blank_text_is_422_on_every_field(
    database_url: str, method: str, path: str, field: str
) -> None:
    async with serve_app(database_url) as (_, client):
        iid = (await client.post("/api/interviews", json={"archetypes": ["mentoring"]})).json()["id"]
        sid = (await client.post("/api/stories", json=STORY)).json()["id"]
        base = {"text": WEAK} if "answers" in path else ({"count": 1} if path == "/api/interviews" else STORY)
        for value in UNSTORABLE + BLANK:
            res = await client.request(
                method,
                path.format(iid=iid, sid=sid),
                content=raw_json({**base, field: value}),
                headers={"Content-Type": "application/json", **JSON},
            )
            assert res.status_code == 422, (value, res.text)
            assert res.json()["error"]["code"] == "invalid"
            assert field in res.json()["error"]["message"]
        # Nothing was stored, and the database still answers (no connection left broken).
        assert len((await client.get(f"/api/interviews/{iid}")).json()["turns"]) == 1
        stories = (await client.get("/api/stories")).json()
        assert [s["title"] for s in stories] == [STORY["title"]]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/interviews/{bad}"),
        ("POST", "/api/interviews/{bad}/answers"),
        ("POST", "/api/interviews/{bad}/finish"),
        ("GET", "/api/interviews/{bad}/debrief"),
        ("GET", "/api/stories/{bad}"),
        ("PUT", "/api/stories/{bad}"),
        ("DELETE", "/api/stories/{bad}"),
    ],
)
async def test_unstorable_ids_are_refused_not_sent_to_the_database(
    database_url: str, method: str, path: str
) -> None:
    async with serve_app(database_url) as (_, client):
        body = STORY if "stories" in path else {"text": WEAK}
        for bad in ["%00", "x%00y", "%ED%A0%80"]:
            res = await client.request(method, path.format(bad=bad), json=body if method != "GET" else None)
            assert res.status_code in (404, 422), (bad, res.text)
            assert res.json()["error"]["code"] in ("not_found", "invalid")
            assert (await client.get("/api/stories")).status_code == 200  # the database still answers


class GarbledModel:
    """A model whose words hold what a database cannot (a NUL, an unpaired surrogate)."""

    name = "openai/x"

    async def stream(self, request: Request) -> AsyncIterator[str]:
        for piece in ("What did", " you\x00 decide", " \ud800then?"):
            yield piece

    async def structured(self, request: Request, schema: dict[str, Any]) -> dict[str, Any]:
        return {"parts": {"note\x00": "\udfff"}}


async def test_a_model_reply_the_database_cannot_hold_is_still_saved(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(replying_module, "get_model", lambda *args, **kwargs: GarbledModel())
    async with serve_app(database_url, model="openai/x", grading_wait_seconds=2.0) as (_, client):
        body = {"archetypes": ["mentoring", "cost_negotiation"]}
        iid = (await client.post("/api/interviews", json=body)).json()["id"]
        for _ in range(6):
            res = await client.post(f"/api/interviews/{iid}/answers", json={"text": WEAK}, headers=JSON)
            assert res.status_code == 200, res.text
            if res.json()["move"] == "wrap_up":
                break
        assert (await client.post(f"/api/interviews/{iid}/finish")).status_code == 200
        turns = (await client.get(f"/api/interviews/{iid}")).json()["turns"]
    assert all("\x00" not in t["text"] for t in turns)
