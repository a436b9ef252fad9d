"""Prompt tokens the interviewer spends over a five-archetype interview: our bounded prompt (this
archetype's exchange + one line per earlier topic) against sending the full transcript every turn.

    .venv/bin/python bench/tokens.py

Counts with litellm's tokenizer (cl100k, shipped with litellm, no network). The interview is played by
the planner with canned answers, so the figure is reproducible.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

from service.catalog import get_catalog  # noqa: E402
from service.config import get_settings  # noqa: E402
from service.interview.phrasing import load_phrasing, phrase  # noqa: E402
from service.interview.planner import Turn, first_move, next_move  # noqa: E402
from service.interview.prompting import interviewer_messages  # noqa: E402
from service.llm.base import Message  # noqa: E402

ARCHETYPES = ["contested_decision", "killed_own_project", "quality_incident", "cost_negotiation", "mentoring"]
ANSWERS = [
    (ROOT / "examples" / "killed_own_project_staff.txt").read_text(),
    "We had a model that kept regressing and the team spent a few weeks on it. In the end we shipped a fix "
    "and things went back to normal. It was a tough call but I think it was right.",
    "I proposed we split the rollout and I ran the canary myself; latency p99 dropped from 800ms to 300ms "
    "over two weeks, measured on the production dashboard.",
]


def count(messages: list[Message]) -> int:
    import litellm

    return int(litellm.token_counter(model="gpt-4o-mini", messages=[m.__dict__ for m in messages]))


def main() -> None:
    settings, catalog = get_settings(), get_catalog()
    phrasing = load_phrasing(settings.prompts_dir)
    turns: list[Turn] = []
    move = first_move(ARCHETYPES)
    turns.append(
        Turn(
            0,
            "interviewer",
            phrase(move, interview_id="bench", turn_index=0, catalog=catalog, phrasing=phrasing),
            "probe",
            None,
            move.archetype,
        )
    )
    bounded = full = calls = 0
    n = 0
    while move.kind != "wrap_up" and n < 60:
        answer = ANSWERS[n % len(ANSWERS)]
        n += 1
        archetype = turns[-1].archetype
        turns.append(Turn(len(turns), "candidate", answer, None, None, archetype))
        move = next_move(ARCHETYPES, turns, max_pushbacks=settings.max_pushbacks_per_archetype)
        text = phrase(
            move,
            interview_id="bench",
            turn_index=len(turns),
            catalog=catalog,
            phrasing=phrasing,
            asked={t.text for t in turns if t.role == "interviewer"},
        )
        if move.kind != "wrap_up":
            ours = interviewer_messages(
                move,
                turns,
                catalog=catalog,
                prompts_dir=settings.prompts_dir,
                probe=text if move.kind == "probe" else "",
            )
            transcript = "\n".join(
                f"{'Interviewer' if t.role == 'interviewer' else 'Candidate'}: {t.text}" for t in turns
            )
            everything = [ours[0], Message("user", transcript + "\n\n" + ours[1].content)]
            bounded += count(ours)
            full += count(everything)
            calls += 1
        turns.append(Turn(len(turns), "interviewer", text, move.kind, move.code, move.archetype))
    print(f"interview: {len(ARCHETYPES)} archetypes, {n} answers, {calls} interviewer model calls")
    print(f"prompt tokens, bounded context:  {bounded:,}")
    print(f"prompt tokens, full transcript:  {full:,}")
    print(f"ratio: {bounded / full:.2f} (target: at most 0.50)")


if __name__ == "__main__":
    main()
