"""How soon the debrief is ready after the last answer, with the model grading each archetype in the
background as soon as its answers are complete.

    .venv/bin/python bench/debrief_latency.py [--think 20] [--api-base URL --model NAME]

Without --api-base it starts llama-cpp-python's server with SmolLM2-135M (scripts/model.sh installs it).
A simulated candidate answers three archetypes, pausing --think seconds before each answer (people take
minutes; the pause is what lets earlier archetypes be graded while the interview goes on). Reported:
- finish: from the wrap-up reply to POST /finish returning the debrief (waits at most
  STARDRIVE_GRADING_WAIT_SECONDS, default 0.75 s, for grades in flight; the rubric stands in for the rest);
- complete: from the wrap-up reply until every archetype carries the model's grade.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

from ttft import llama  # noqa: E402

ARCHETYPES = ["killed_own_project", "quality_incident", "mentoring"]
ANSWERS = [
    (ROOT / "examples" / "killed_own_project_staff.txt").read_text(),
    "We had a model that kept regressing. I rolled it back and added a release gate that now blocks any model "
    "whose slice metrics drop more than a point; pages fell by roughly a third that quarter.",
    "I paired with her weekly and asked questions instead of giving answers; she found the leak herself "
    "and now owns the pipeline.",
]


async def run(api_base: str, model: str, think: float) -> dict[str, object]:
    from service.api.app import create_app
    from service.config import Settings

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            database_url=f"sqlite+aiosqlite:///{tmp}/d.db",
            api_base=api_base,
            allowed_models=[model],
            model_timeout_seconds=120,
            json_mode="json_object",
        )
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://b", timeout=600) as client:
                res = await client.post("/api/interviews", json={"archetypes": ARCHETYPES, "model": model})
                iid = res.json()["id"]
                answers = 0
                while True:
                    await asyncio.sleep(think)
                    turn = (
                        await client.post(
                            f"/api/interviews/{iid}/answers",
                            json={"text": ANSWERS[answers % len(ANSWERS)]},
                            headers={"Accept": "application/json"},
                        )
                    ).json()
                    answers += 1
                    if turn["move"] == "wrap_up" or answers > 20:
                        break
                last = time.perf_counter()
                debrief = (await client.post(f"/api/interviews/{iid}/finish")).json()
                finish = time.perf_counter() - last
                pending_at_finish = list(debrief["pending_grades"])
                while debrief["pending_grades"] and time.perf_counter() - last < 900:
                    await asyncio.sleep(0.5)
                    debrief = (await client.get(f"/api/interviews/{iid}/debrief")).json()
                complete = time.perf_counter() - last
                graders = {a["archetype"]: a["grade"]["grader"] for a in debrief["archetypes"]}
    return {
        "answers": answers,
        "think_s": think,
        "finish_ms": round(finish * 1000),
        "pending_at_finish": pending_at_finish,
        "complete_ms": round(complete * 1000),
        "graders": graders,
        "usage": debrief["usage"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--think", type=float, default=20.0)
    parser.add_argument("--api-base")
    parser.add_argument("--model", default="openai/smollm2")
    args = parser.parse_args()
    if args.api_base:
        result = asyncio.run(run(args.api_base, args.model, args.think))
    else:
        with llama() as api_base:
            result = asyncio.run(run(api_base, args.model, args.think))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
