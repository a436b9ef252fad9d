"""A tiny OpenAI-compatible chat server for tests: a real socket on loopback, slow on purpose.

`POST /v1/chat/completions` answers with a fixed question. Streamed (`"stream": true`) it sends the
question word by word as `chat.completion.chunk` events, `token_delay` seconds apart (after
`first_token_delay`), so a test can act while a reply is half-way out; otherwise one JSON completion
(`json_reply` when the request asks for `response_format`, e.g. a grader, else the question).
`GET /v1/models` lists the one model. litellm reaches it as `openai/fake` with `api_base`.

In a test (a background thread with its own event loop; settings can be changed while it runs):

    with FakeOpenAI(token_delay=0.3) as fake:
        env["STARDRIVE_API_BASE"] = fake.api_base
        ...
        fake.token_delay = 0.0
        assert fake.stream_calls == 1

As a process:  python -m tests.fake_openai --port 9000 --delay 0.3
(prints `fake-openai listening on http://127.0.0.1:PORT/v1` once it accepts connections).

Plain asyncio HTTP/1.1, one request per connection (`Connection: close`), loopback only.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ipaddress
import json
import re
import threading
import time
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

QUESTION = "Which part of that decision did you make yourself, and what did it cost the team?"
MODEL = "fake"
MAX_BODY = 4 * 1024 * 1024


def words(text: str) -> list[str]:
    """The text as stream tokens: each word with the space after it."""
    return re.findall(r"\S+\s*", text)


def _chunk(delta: dict[str, Any], finish: str | None = None, usage: dict[str, int] | None = None) -> bytes:
    body: dict[str, Any] = {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": MODEL,
        "choices": [] if usage is not None else [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    if usage is not None:
        body["usage"] = usage
    return f"data: {json.dumps(body)}\n\n".encode()


def _usage(prompt: int, completion: int) -> dict[str, int]:
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


@dataclass
class _Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class _BadRequest(Exception):
    pass


async def _read_request(reader: asyncio.StreamReader) -> _Request | None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError:
        return None  # the client connected and went away
    except asyncio.LimitOverrunError as exc:
        raise _BadRequest("headers too large") from exc
    lines = head.decode("latin-1").split("\r\n")
    try:
        method, target, _version = lines[0].split(" ", 2)
    except ValueError as exc:
        raise _BadRequest("bad request line") from exc
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    if "chunked" in headers.get("transfer-encoding", "").lower():
        raise _BadRequest("chunked request bodies are not supported")
    try:
        length = int(headers.get("content-length", "0"))
    except ValueError as exc:
        raise _BadRequest("bad content-length") from exc
    if not 0 <= length <= MAX_BODY:
        raise _BadRequest("body too large")
    body = await reader.readexactly(length) if length else b""
    return _Request(method.upper(), target.split("?", 1)[0], headers, body)


@dataclass
class FakeOpenAI:
    """The server; its fields may be changed while it runs (read once per request)."""

    reply: str = QUESTION
    token_delay: float = 0.3
    first_token_delay: float = 0.0
    json_reply: str = "{}"
    host: str = "127.0.0.1"
    port: int = 0
    # What it has seen: the JSON bodies of the chat requests, in order.
    requests: list[dict[str, Any]] = field(default_factory=list)
    stream_calls: int = 0
    json_calls: int = 0
    streams_cut: int = 0  # streams whose client went away before the end

    def __post_init__(self) -> None:
        if not ipaddress.ip_address(self.host).is_loopback:
            raise ValueError(f"fake_openai binds loopback addresses only, not {self.host}")
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.Server | None = None
        self._lock = threading.Lock()

    # --- URLs ----------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_base(self) -> str:
        return f"{self.base_url}/v1"

    # --- serving -------------------------------------------------------------------------------

    async def serve(self) -> asyncio.Server:
        """Start listening on the running loop; sets `port` when it was 0."""
        self._server = await asyncio.start_server(self._handle, self.host, self.port)
        self.port = int(self._server.sockets[0].getsockname()[1])
        return self._server

    def start(self, timeout: float = 10.0) -> FakeOpenAI:
        """Serve from a daemon thread with its own event loop; returns once it accepts connections."""
        if self._thread is not None:
            raise RuntimeError("already started")
        ready = threading.Event()
        failed: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            try:
                loop.run_until_complete(self.serve())
            except BaseException as exc:
                failed.append(exc)
                ready.set()
                loop.close()
                return
            ready.set()
            try:
                loop.run_forever()
            finally:
                loop.run_until_complete(self._shutdown())
                loop.close()

        self._thread = threading.Thread(target=run, name="fake-openai", daemon=True)
        self._thread.start()
        if not ready.wait(timeout):
            raise RuntimeError("fake_openai did not start in time")
        if failed:
            raise RuntimeError(f"fake_openai could not start: {failed[0]!r}") from failed[0]
        return self

    async def _shutdown(self) -> None:
        if self._server is not None:
            self._server.close()
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2)

    def stop(self, timeout: float = 10.0) -> None:
        if self._loop is not None and self._thread is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout)
        self._thread = None

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(
        self, _t: type[BaseException] | None, _e: BaseException | None, _tb: TracebackType | None
    ) -> None:
        self.stop()

    # --- HTTP ------------------------------------------------------------------------------------

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            try:
                request = await _read_request(reader)
            except _BadRequest as exc:
                await self._send_json(writer, 400, _error(str(exc)))
                return
            if request is None:
                return
            await self._route(request, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass  # the client went away
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _route(self, request: _Request, writer: asyncio.StreamWriter) -> None:
        path = request.path.rstrip("/")
        if request.method == "GET" and path in ("/v1/models", "/models"):
            await self._send_json(writer, 200, {"object": "list", "data": [{"id": MODEL, "object": "model"}]})
            return
        if path not in ("/v1/chat/completions", "/chat/completions"):
            await self._send_json(writer, 404, _error(f"no route {request.path}"))
            return
        if request.method != "POST":
            await self._send_json(writer, 405, _error("use POST"))
            return
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            await self._send_json(writer, 400, _error("body is not JSON"))
            return
        if not isinstance(body, dict):
            await self._send_json(writer, 400, _error("body is not a JSON object"))
            return
        with self._lock:
            self.requests.append(body)
        if body.get("stream"):
            await self._stream(body, writer)
        else:
            await self._complete(body, writer)

    async def _complete(self, body: dict[str, Any], writer: asyncio.StreamWriter) -> None:
        with self._lock:
            self.json_calls += 1
        content = self.json_reply if body.get("response_format") else self.reply
        await asyncio.sleep(self.first_token_delay)
        await self._send_json(
            writer,
            200,
            {
                "id": "chatcmpl-fake",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": MODEL,
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": content},
                        "finish_reason": "stop",
                    }
                ],
                "usage": _usage(_prompt_tokens(body), len(words(content))),
            },
        )

    async def _stream(self, body: dict[str, Any], writer: asyncio.StreamWriter) -> None:
        with self._lock:
            self.stream_calls += 1
        tokens = words(self.reply)
        head = (
            "HTTP/1.1 200 OK\r\n"
            "Content-Type: text/event-stream\r\n"
            "Cache-Control: no-cache\r\n"
            "Transfer-Encoding: chunked\r\n"
            "Connection: close\r\n\r\n"
        )
        writer.write(head.encode())
        complete = False
        try:
            await _send_chunk(writer, _chunk({"role": "assistant", "content": ""}))
            await asyncio.sleep(self.first_token_delay)
            for i, token in enumerate(tokens):
                if i:
                    await asyncio.sleep(self.token_delay)
                await _send_chunk(writer, _chunk({"content": token}))
            await _send_chunk(writer, _chunk({}, finish="stop"))
            if (body.get("stream_options") or {}).get("include_usage"):
                await _send_chunk(writer, _chunk({}, usage=_usage(_prompt_tokens(body), len(tokens))))
            await _send_chunk(writer, b"data: [DONE]\n\n")
            writer.write(b"0\r\n\r\n")
            await writer.drain()
            complete = True
        finally:
            if not complete:
                with self._lock:
                    self.streams_cut += 1

    async def _send_json(self, writer: asyncio.StreamWriter, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        reason = {200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed"}.get(status, "")
        head = (
            f"HTTP/1.1 {status} {reason}\r\n"
            "Content-Type: application/json\r\n"
            f"Content-Length: {len(data)}\r\n"
            "Connection: close\r\n\r\n"
        )
        writer.write(head.encode() + data)
        await writer.drain()


async def _send_chunk(writer: asyncio.StreamWriter, data: bytes) -> None:
    writer.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
    await writer.drain()


def _error(message: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": "invalid_request_error"}}


def _prompt_tokens(body: dict[str, Any]) -> int:
    messages = body.get("messages") or []
    return sum(len(str(m.get("content", "")).split()) for m in messages if isinstance(m, dict))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="A slow, fixed-reply OpenAI-compatible chat server.")
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind")
    parser.add_argument("--port", type=int, default=0, help="port (0: a free one)")
    parser.add_argument("--delay", type=float, default=0.3, help="seconds between streamed tokens")
    parser.add_argument("--first-delay", type=float, default=0.0, help="seconds before the first token")
    parser.add_argument("--reply", default=QUESTION, help="the text every reply carries")
    args = parser.parse_args(argv)
    fake = FakeOpenAI(
        reply=args.reply,
        token_delay=args.delay,
        first_token_delay=args.first_delay,
        host=args.host,
        port=args.port,
    )

    async def run() -> None:
        server = await fake.serve()
        print(f"fake-openai listening on {fake.api_base}", flush=True)
        async with server:
            await server.serve_forever()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run())


if __name__ == "__main__":
    main()
