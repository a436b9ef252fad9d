"""`stardrive interview`: the web chat's interview in a terminal, in-process or against a running server.

It speaks the same HTTP API either way (in-process through httpx's ASGI transport), so the terminal and
the web page can never drift apart.
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import httpx
from rich.console import Console
from rich.markdown import Markdown

FINISH = "/finish"
INTERRUPTED = 130  # the shell's code for "ended by SIGINT" (128 + 2)
_T = TypeVar("_T")


async def off_loop(read: Callable[[], _T]) -> _T:
    """`read()` in a daemon thread, so the event loop keeps running (streams, background grading) and
    Ctrl+C reaches it while the terminal waits for a line. Not `asyncio.to_thread`: `asyncio.run` joins
    the default executor's threads on the way out, and a thread blocked in `input()` never returns."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future[_T] = loop.create_future()

    def settle(result: _T | None, error: BaseException | None) -> None:
        if done.done():  # cancelled meanwhile (Ctrl+C)
            return
        if error is not None:
            done.set_exception(error)
        else:
            done.set_result(result)  # type: ignore[arg-type]

    def work() -> None:
        try:
            result = read()
        except BaseException as exc:  # handed to the awaiting task as is
            loop.call_soon_threadsafe(settle, None, exc)
        else:
            loop.call_soon_threadsafe(settle, result, None)

    threading.Thread(target=work, name="stardrive-stdin", daemon=True).start()
    return await done


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


async def _answer(
    client: httpx.AsyncClient, iid: str, text: str, console: Console, accepted: Callable[[], None]
) -> dict[str, Any] | None:
    """Send one answer and print the reply as it streams; returns the turn (None on an error).
    `accepted()` is called once the server has stored the answer (before its reply streams)."""
    turn: dict[str, Any] | None = None
    console.print("[bold cyan]Interviewer:[/] ", end="")
    async with client.stream(
        "POST", f"/api/interviews/{iid}/answers", json={"text": text}, headers={"Accept": "text/event-stream"}
    ) as res:
        if res.status_code != 200:
            await res.aread()
            console.print(f"[red]{_error(res)}[/]")
            return None
        accepted()
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
    save: Path | None = None,
) -> int:
    """Runs the interview until it wraps up, `/finish` or end of input, then prints the debrief (and
    writes its Markdown to `save`). Ctrl+C (the task cancelled by `asyncio.run`) says where the interview
    stands and re-raises: every answer already sent is stored, and the interview stays open to resume."""
    body: dict[str, Any] = {}
    if archetypes:
        body["archetypes"] = archetypes
    if count:
        body["count"] = count
    if model:
        body["model"] = model
    iid: str | None = None
    sent = 0

    def count_sent() -> None:
        nonlocal sent
        sent += 1

    try:
        async with connect(url) as client:
            res = await client.post("/api/interviews", json=body)
            if res.status_code != 201:
                console.print(f"[red]error:[/] {_error(res)}")
                return 2
            interview = res.json()
            iid = interview["id"]
            console.print(
                f"[dim]Interview {iid}: {', '.join(interview['archetypes'])}. "
                f"End an answer with an empty line; type {FINISH} to stop early; Ctrl+C to leave it open.[/]"
            )
            console.print(f"[bold cyan]Interviewer:[/] {interview['turns'][0]['text']}")
            while True:
                text = await off_loop(read_answer)
                if text is None or text.strip() == FINISH:
                    break
                if not text.strip():
                    continue
                turn = await _answer(client, iid, text, console, count_sent)
                if turn and turn["move"] == "wrap_up":
                    break
            res = await client.post(f"/api/interviews/{iid}/finish")
            if res.status_code != 200:
                console.print(f"[red]error:[/] {_error(res)}")
                return 2
            md = await client.get(f"/api/interviews/{iid}/debrief", params={"format": "md"})
            console.print(Markdown(md.text))
    except asyncio.CancelledError:
        console.print(interrupted_message(iid, sent, url))
        raise
    if save is not None:
        try:
            save.write_text(md.text, encoding="utf-8")
        except OSError as exc:
            console.print(f"[red]error:[/] cannot write {save}: {exc.strerror or exc}")
            return 2
        console.print(f"[dim]Debrief saved to {save}[/]")
    return 0


def interrupted_message(iid: str | None, sent: int, url: str | None) -> str:
    if iid is None:
        return "\n[yellow]Interrupted[/] before the interview began; nothing was saved."
    answers = "no answers" if sent == 0 else "1 answer" if sent == 1 else f"{sent} answers"
    where = f"{url.rstrip('/')}/?interview={iid}" if url else f"/?interview={iid} under `stardrive serve`"
    return (
        f"\n[yellow]Interrupted.[/] Interview {iid} is kept with {answers} sent, and stays open: "
        f"resume it in the web chat ({where}, or its History)."
    )


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
