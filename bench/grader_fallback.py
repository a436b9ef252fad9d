"""How often the grader falls back to the rubric with a real local server, per JSON mode.

    python bench/grader_fallback.py --api-base http://127.0.0.1:PORT/v1 [--mode llama_cpp] [--answers 5]

Start the server with `bash scripts/model.sh serve PORT` (SmolLM2-135M, model name `local`). Prints one
line per answer (schema-valid or why not, seconds, tokens) and the fallback rate.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from service.catalog import get_catalog
from service.config import Settings
from service.grading import grade_answer
from service.llm.gateway import LiteLLMModel
from tests.real_model import GRADED_ANSWERS


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--api-base", required=True)
    parser.add_argument("--mode", default="llama_cpp")
    parser.add_argument("--answers", type=int, default=len(GRADED_ANSWERS))
    args = parser.parse_args()
    settings = Settings(
        api_base=args.api_base, json_mode=args.mode, model_timeout_seconds=300, model_retries=0
    )
    model = LiteLLMModel("openai/local", settings)
    fallbacks = 0
    answers = GRADED_ANSWERS[: args.answers]
    for archetype, answer in answers:
        start = time.monotonic()
        outcome = await grade_answer(
            answer=answer,
            archetype=archetype,
            question=None,
            model=model,
            catalog=get_catalog(),
            prompts_dir=settings.prompts_dir,
        )
        tokens = sum(u["prompt_tokens"] + u["completion_tokens"] for u in outcome.usage)
        fallbacks += outcome.fallback_reason is not None
        what = outcome.fallback_reason or f"schema-valid, graded by {outcome.grade.grader}"
        print(f"{time.monotonic() - start:6.1f} s  {tokens:5d} tokens  {what[:160]}", flush=True)
    print(f"mode {args.mode}: fallback rate {fallbacks}/{len(answers)} = {fallbacks / len(answers):.2f}")


if __name__ == "__main__":
    asyncio.run(main())
