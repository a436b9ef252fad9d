"""Every gap of one archetype accounted for, as the planner saw it: asked and closed, asked and still open,
or never asked (and why). The debrief shows this; it reads the transcript the way the planner read it
while the interview went on, so the two never disagree.

A gap asked is closed when one of the replies to it closed it (`gaps.closed`, on the reading of the
answers up to that reply; a repeated answer closes nothing); still open otherwise: dodged, confirmed to be
someone else's call, or not answered yet. A gap of the last reading that was never asked: the pushback
budget ran out, the story turned out to be someone else's call (no more questions about it), or the
interview ended before the question came.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from service.interview.gaps import closed
from service.interview.listening import repeats
from service.interview.ownership import OWN_CALL, disowns_the_call
from service.interview.planner import Turn, answers_for, asked_codes, open_gaps, other_fingerprints, reading

Status = Literal["closed", "open", "not_asked"]
# open: dodged | not_their_call | unanswered; not_asked: budget | wrong_story | ended
Reason = Literal["dodged", "not_their_call", "unanswered", "budget", "wrong_story", "ended"]


@dataclass(frozen=True)
class GapState:
    code: str
    status: Status
    questions: tuple[str, ...] = ()  # the interviewer's words, each time it was asked
    reason: Reason | None = None  # None for a closed gap


def account(turns: Sequence[Turn], archetype: str, *, max_pushbacks: int) -> list[GapState]:
    """The archetype's gaps: those asked in the order first asked, then those never asked."""
    others = other_fingerprints(turns, archetype)
    ordered = sorted(turns, key=lambda t: t.index)
    states: dict[str, GapState] = {}
    disowned = False
    for at, question in enumerate(ordered):
        if question.move != "pushback" or question.archetype != archetype or question.code is None:
            continue
        code = question.code
        before = states.get(code)
        asked = (*(before.questions if before else ()), question.text)
        if before is not None and before.status == "closed":
            states[code] = GapState(code, "closed", asked)
            continue
        following = ordered[at + 1] if at + 1 < len(ordered) else None
        if following is None or following.role != "candidate":
            states[code] = GapState(code, "open", asked, "unanswered")
            continue
        # What the planner read when it chose the next move: the answers so far, a repeat left out.
        answers = answers_for(ordered[: at + 2], archetype)
        reply = answers[-1]
        state = GapState(code, "open", asked, "dodged")
        if code in OWN_CALL and disowns_the_call(reply, code=code):
            state, disowned = GapState(code, "open", asked, "not_their_call"), True
        elif not (len(answers) > 1 and repeats(reply, answers[:-1])):
            combined = reading(answers, archetype, others)
            if closed(code, combined=combined, reply=reply, archetype=archetype):
                state = GapState(code, "closed", asked)
        states[code] = state
    answers = _distinct(turns, archetype)
    if answers:
        codes, _ = open_gaps(reading(answers, archetype, others), answers)
        asked_list = asked_codes(turns, archetype)
        left: Reason = (
            "wrong_story" if disowned else "budget" if len(asked_list) >= max_pushbacks else "ended"
        )
        for code in codes:
            if code not in states:
                states[code] = GapState(code, "not_asked", (), left)
    return list(states.values())


def _distinct(turns: Sequence[Turn], archetype: str) -> list[str]:
    """The archetype's answers, less any that repeat an earlier one (they add nothing to the reading)."""
    out: list[str] = []
    for text in answers_for(turns, archetype):
        if not repeats(text, out):
            out.append(text)
    return out
