"""The interviewer prompt: the planner's move, the current topic's exchange, a compact summary of the rest.

The model sees only this archetype's exchange (the last few turns, each cut to a bound) and one line per
earlier topic, never the whole transcript, so a prompt stays the same size however long the interview.
The candidate's words go in between a random boundary, as data.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from service.catalog import Catalog
from service.interview.planner import Move, Turn
from service.llm.base import Message

PROMPT_VERSION = "interviewer-v1"
MAX_WORDS = 40
_TURN_CHARS = 1_200
_EXCHANGE_TURNS = 6

# What each pushback asks for, in the interviewer's own terms (no rubric vocabulary reaches the model's reply).
INSTRUCTIONS = {
    "ask_tradeoff": "ask what they were trading off: what they gave up to get what they chose, both sides.",
    "ask_first_person": "ask what they personally did or decided, not the team.",
    "ask_number": "ask how big the effect was, in numbers.",
    "ask_number_source": "ask where the number they gave came from, how it was measured.",
    "ask_driver": "ask why it mattered beyond that project, what changed in the organisation afterwards.",
    "ask_reflection": "ask what they would do differently if they did it again, concretely.",
    "trim_situation": "politely cut the long setup short and ask for the stakes and their role in one sentence.",
    "ask_different_story": "say this sounds like a project they already described and ask for a different example.",
    "ask_update_conditions": "ask what evidence would have changed their mind.",
    "ask_own_call": "ask who made the call to stop it, and whether it was their decision.",
    "ask_nuance": "ask what the slower path cost users or the business in the meantime.",
    "ask_escalation": "ask who they took the concern to and how they escalated it.",
    "ask_structural_fix": "ask what they changed so that this class of failure cannot happen again.",
    "ask_trade_ratio": "ask exactly what they gave up and what they got in exchange.",
    "ask_their_growth": "ask what the other person figured out on their own and how they grew.",
    "ask_action_taken": "ask what they actually did about their concern.",
}


# Said before the next topic's question, by how the topic being left ended (planner.After).
AFTER = {
    "closed": "Their last reply answered your follow-up: acknowledge that in a few words, then",
    "dodged": "Their last reply still did not answer your follow-up: say in a few words, without judging, that "
    "you will leave it there, then",
    "strong": "The last topic needed no follow-up: say in a few words that you have nothing more on it, then",
    "not_their_call": "They confirmed that the call in their last story was someone else's: first say plainly, "
    "in one sentence, that for this question they should bring a story where the call was their own, then",
}


@lru_cache
def _env(prompts_dir: Path) -> Environment:
    return Environment(
        loader=FileSystemLoader(prompts_dir),
        undefined=StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
    )


def _exchange(turns: Sequence[Turn], archetype: str | None) -> str:
    start = 0
    for i, t in enumerate(turns):
        if t.role == "interviewer" and t.move == "probe" and t.archetype == archetype:
            start = i
    lines = []
    for t in list(turns[start:])[-_EXCHANGE_TURNS:]:
        who = "Interviewer" if t.role == "interviewer" else "Candidate"
        text = t.text if len(t.text) <= _TURN_CHARS else t.text[:_TURN_CHARS] + " […]"
        lines.append(f"{who}: {text}")
    return "\n".join(lines)


def _summary(turns: Sequence[Turn], archetype: str | None, catalog: Catalog) -> str:
    done: dict[str, int] = {}
    for t in turns:
        if t.role == "candidate" and t.archetype and t.archetype != archetype:
            done[t.archetype] = done.get(t.archetype, 0) + 1
    return "; ".join(f"{catalog.archetype(a).title} ({n} answers)" for a, n in done.items())


def interviewer_messages(
    move: Move,
    turns: Sequence[Turn],
    *,
    catalog: Catalog,
    prompts_dir: Path,
    probe: str = "",
    quote: str | None = None,
) -> list[Message]:
    archetype = move.archetype
    if move.kind == "probe":
        instruction = "open this new topic with its question."
        if move.after:
            instruction = f"{AFTER[move.after]} {instruction}"
        exchange = ""
    elif move.kind == "wrap_up":
        instruction = "close the interview: say there are no more questions (this one is not a question)."
        exchange = ""
    else:
        instruction = INSTRUCTIONS[move.code or ""]
        signals = move.grade.signals if move.grade is not None else None
        held = signals.held if signals is not None and move.code == "ask_different_story" else None
        if held == "off_topic" and signals is not None and signals.off_topic:
            other = catalog.archetype(signals.off_topic).title
            instruction = (
                f"say, without judging, that the story sounds more like a {other!r} story than an answer to "
                "this question, and ask for one that fits this question."
            )
        elif held == "no_example":
            instruction = "ask them to walk you through one specific time it actually happened."
        elif held == "outside_work":
            instruction = "say, without judging, that this round is about their work, and ask for a story from their job."
        if move.press:
            # Same question, asked once more: the model must not read it back word for word.
            instruction += " Their last reply did not answer this; ask it once more, in different words."
        exchange = _exchange(turns, archetype)
    arch = catalog.archetype(archetype) if archetype else None
    text = (
        _env(prompts_dir)
        .get_template("interviewer.j2")
        .render(
            archetype_title=arch.title if arch else "wrap-up",
            tradeoff=arch.tradeoff if arch else "",
            summary=_summary(turns, archetype, catalog),
            instruction=instruction,
            probe=probe,
            quote=quote,
            number=move.number,
            repeat=move.repeat,
            max_words=MAX_WORDS,
            exchange=exchange,
            boundary=f"CANDIDATE-{secrets.token_hex(4)}",
        )
    )
    system, user = text.split("---USER---", 1)
    return [Message("system", system.strip()), Message("user", user.strip())]
