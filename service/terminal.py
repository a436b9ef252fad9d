"""`stardrive interview`: the web chat's interview in a terminal, in-process or against a running server.

It speaks the same HTTP API either way (in-process through httpx's ASGI transport), so the terminal and
the web page can never drift apart.
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
from rich.console import Console
from rich.markdown import Markdown

FINISH = "/finish"


@asynccontextmanager
async def connect(url: str | None) -> AsyncIterator[httpx.AsyncClient]:
    if url:
        # A server in tokens mode wants `Authorization: Bearer …`: taken from STARDRIVE_TOKEN, never a flag
        # (command lines end up in shell history and process lists).
        token = os.environ.get("STARDRIVE_TOKEN")
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        async with httpx.AsyncClient(
            base_url=url.rstrip("/"), timeout=120, trust_env=False, headers=headers
        ) as client:
            yield client
        return
    from service.api.app import create_app
    from service.config import get_settings

    # In-process there is one person at the keyboard: local single-user mode, whatever the environment says.
    app = create_app(get_settings().model_copy(update={"auth": "none"}))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://stardrive", timeout=120) as client:
            yield client


def _error(res: httpx.Response) -> str:
    try:
        return str(res.json()["error"]["message"])
    except (ValueError, KeyError, TypeError):
        return f"HTTP {res.status_code}"


async def _answer(client: httpx.AsyncClient, iid: str, text: str, console: Console) -> dict[str, Any] | None:
    """Send one answer and print the reply as it streams; returns the turn (None on an error)."""
    turn: dict[str, Any] | None = None
    console.print("[bold cyan]Interviewer:[/] ", end="")
    async with client.stream(
        "POST", f"/api/interviews/{iid}/answers", json={"text": text}, headers={"Accept": "text/event-stream"}
    ) as res:
        if res.status_code != 200:
            await res.aread()
            console.print(f"[red]{_error(res)}[/]")
            return None
        event = "message"
        async for line in res.aiter_lines():
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:"):
                data = json.loads(line[5:].strip())
                if event == "token":
                    console.print(data["text"], end="", markup=False, highlight=False)
                elif event == "replace":
                    console.print(f"\n[dim](reworded)[/] {data['text']}", end="", highlight=False)
                elif event == "turn":
                    turn = data
    console.print()
    return turn


async def run_interview(
    *,
    url: str | None,
    archetypes: list[str] | None,
    count: int | None,
    model: str | None,
    read_answer: Callable[[], str | None],
    console: Console,
) -> int:
    body: dict[str, Any] = {}
    if archetypes:
        body["archetypes"] = archetypes
    if count:
        body["count"] = count
    if model:
        body["model"] = model
    async with connect(url) as client:
        res = await client.post("/api/interviews", json=body)
        if res.status_code != 201:
            console.print(f"[red]error:[/] {_error(res)}")
            return 2
        interview = res.json()
        iid = interview["id"]
        console.print(
            f"[dim]Interview {iid}: {', '.join(interview['archetypes'])}. "
            f"End an answer with an empty line; type {FINISH} to stop early.[/]"
        )
        console.print(f"[bold cyan]Interviewer:[/] {interview['turns'][0]['text']}")
        while True:
            text = read_answer()
            if text is None or text.strip() == FINISH:
                break
            if not text.strip():
                continue
            turn = await _answer(client, iid, text, console)
            if turn and turn["move"] == "wrap_up":
                break
        res = await client.post(f"/api/interviews/{iid}/finish")
        if res.status_code != 200:
            console.print(f"[red]error:[/] {_error(res)}")
            return 2
        md = await client.get(f"/api/interviews/{iid}/debrief", params={"format": "md"})
        console.print(Markdown(md.text))
    return 0


def stdin_answers(prompt: Callable[[], str]) -> Callable[[], str | None]:
    """Answers from a line reader: lines up to an empty line make one answer; None at end of input."""

    def read() -> str | None:
        lines: list[str] = []
        while True:
            try:
                line = prompt()
            except EOFError:
                return "\n".join(lines) if lines else None
            if line.strip() == FINISH and not lines:
                return FINISH
            if not line.strip():
                if lines:
                    return "\n".join(lines)
                continue
            lines.append(line)

    return read
