"""Recorded model responses for the LLM-grader eval: replayed offline in CI, re-recorded on demand.

A cassette is keyed by a hash of the model, the grader's prompt version, the messages, the call's
parameters and the epoch (the same call recorded again, to measure how often the model changes its mind). The grader's random answer boundary is normalised first (it changes every call by design).
In replay mode a missing cassette is recorded in `missing` and the call fails; the eval then fails the
run, rather than letting the grader's fallback hide that the recording is stale.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from pathlib import Path
from typing import Any, Literal

from service.errors import ModelError
from service.grading import PROMPT_VERSION
from service.llm.base import ChatModel, Request

_BOUNDARY = re.compile(r"<<(?:END-)?ANSWER-([0-9a-f]+)>>")
Mode = Literal["replay", "record"]


def normalised(request: Request) -> list[list[str]]:
    """The messages with the grader's random boundary replaced wherever it appears (even wrapped)."""
    tags = {m.group(1) for msg in request.messages for m in _BOUNDARY.finditer(msg.content)}
    out = []
    for msg in request.messages:
        content = msg.content
        for tag in tags:
            content = content.replace(tag, "TAG")
        out.append([msg.role, content])
    return out


def cassette_key(model: str, request: Request, schema: dict[str, Any], epoch: int = 0) -> str:
    payload: dict[str, Any] = {
        "model": model,
        "prompt_version": PROMPT_VERSION,
        "messages": normalised(request),
        "params": {"max_tokens": request.max_tokens, "temperature": request.temperature},
        "schema": schema,
    }
    if epoch:  # epoch 0 keeps the key it always had
        payload["epoch"] = epoch
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:24]


class CassetteModel:
    """A `ChatModel` for the grader: structured calls come from (or go to) `directory`."""

    def __init__(
        self, name: str, directory: Path, mode: Mode, inner: ChatModel | None = None, *, epoch: int = 0
    ) -> None:
        if mode == "record" and inner is None:
            raise ValueError("recording needs a live model")
        self.name = name
        self.directory = directory
        self.mode = mode
        self.inner = inner
        self.epoch = epoch
        self.missing: list[str] = []
        self.used: set[str] = set()

    def stream(self, request: Request) -> Any:
        raise ModelError("cassettes hold grader calls only")

    async def structured(self, request: Request, schema: dict[str, Any]) -> dict[str, Any]:
        key = cassette_key(self.name, request, schema, self.epoch)
        path = self.directory / f"{key}.json"
        self.used.add(key)
        if self.mode == "record":
            assert self.inner is not None
            record: dict[str, Any] = {
                "key": key,
                "model": self.name,
                "prompt_version": PROMPT_VERSION,
                "epoch": self.epoch,
                "messages": normalised(request),
            }
            start = time.monotonic()
            try:
                record["response"] = await self.inner.structured(request, schema)
            except ModelError as exc:
                record["error"] = str(exc)
            record["seconds"] = round(time.monotonic() - start, 2)
            record["usage"] = request.usage.as_dict()
            self.directory.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        else:
            if not path.exists():
                self.missing.append(key)
                raise ModelError(f"no cassette {key} for {self.name} (re-record with --record)")
            record = json.loads(path.read_text(encoding="utf-8"))
            usage = record.get("usage") or {}
            request.usage.model = self.name
            request.usage.calls += 1
            request.usage.prompt_tokens += int(usage.get("prompt_tokens") or 0)
            request.usage.completion_tokens += int(usage.get("completion_tokens") or 0)
        if "error" in record:
            raise ModelError(record["error"])
        response: dict[str, Any] = record["response"]
        return response
