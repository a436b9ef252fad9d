"""The `scripted` model read from a file, for tests and evals that span processes (a worker killed and
restarted): one JSON object a line, used in order by every process naming the file.

    {"reply": {...}}   the structured reply (a dict) or streamed text (a string)
    {"error": "..."}   the call fails with ModelError
    {"hang": true}     the call never returns (a process to kill mid-call)
    {"delay": 0.5, …}  any of the above after that many seconds (a model of known latency: bench/ttft.py)

Which line is next is kept in `FILE.next`, under an exclusive lock, so two processes never get the same line.
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from service.errors import ModelError
from service.llm.base import Request

_CHUNK = re.compile(r"\S+\s*")


def take_line(path: Path) -> dict[str, Any] | None:
    """The next unused line of the script (None when all are used), marked used."""
    counter = path.with_name(path.name + ".next")
    with counter.open("a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        used = int(handle.read().strip() or 0)
        lines = [line for line in path.read_text().splitlines() if line.strip()]
        if used >= len(lines):
            return None
        handle.seek(0)
        handle.truncate()
        handle.write(str(used + 1))
        handle.flush()
    entry = json.loads(lines[used])
    if not isinstance(entry, dict):
        raise ModelError(f"scripted line {used + 1} of {path} is not an object")
    return entry


def used_lines(path: Path) -> int:
    counter = path.with_name(path.name + ".next")
    return int(counter.read_text().strip() or 0) if counter.exists() else 0


class FileScriptedModel:
    name = "scripted"

    def __init__(self, path: Path) -> None:
        self.path = path

    async def _next(self, request: Request) -> str | dict[str, Any]:
        request.usage.calls += 1
        request.usage.model = self.name
        entry = await asyncio.to_thread(take_line, self.path)
        if entry is None:
            raise ModelError("scripted model has no replies left")
        if entry.get("delay"):
            await asyncio.sleep(float(entry["delay"]))
        if entry.get("hang"):
            await asyncio.Event().wait()  # until the process is killed or the call cancelled
        if "error" in entry:
            raise ModelError(str(entry["error"]))
        reply = entry.get("reply")
        if not isinstance(reply, str | dict):
            raise ModelError("scripted reply is neither text nor an object")
        return reply

    async def stream(self, request: Request) -> AsyncIterator[str]:
        reply = await self._next(request)
        text = reply if isinstance(reply, str) else json.dumps(reply)
        for m in _CHUNK.finditer(text):
            yield m.group()

    async def structured(self, request: Request, schema: dict[str, Any]) -> dict[str, Any]:
        reply = await self._next(request)
        if not isinstance(reply, dict):
            raise ModelError("model returned JSON that is not an object")
        return reply
