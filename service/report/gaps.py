"""The debrief's account of every gap of one archetype, in words a candidate reads (the planner's view:
service/interview/accounting.py)."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel

from service.interview.accounting import GapState
from service.interview.pickup import QUOTE_PART
from service.rubric import Grade
from service.rubric.models import Evidence

# What each follow-up asks for, as the candidate would put it.
LABELS = {
    "ask_tradeoff": "the trade-off, both sides",
    "ask_first_person": "what you did yourself",
    "ask_number": "a number for the result",
    "ask_number_source": "where the number came from",
    "ask_driver": "why it mattered beyond the project",
    "ask_reflection": "what you would do differently",
    "trim_situation": "a shorter setup",
    "ask_different_story": "a different story (another project, or one that answers the question)",
    "ask_update_conditions": "what would have changed your mind",
    "ask_own_call": "whether the call was yours",
    "ask_nuance": "what the slower path cost",
    "ask_escalation": "who you took it to",
    "ask_structural_fix": "what stops the failure from coming back",
    "ask_trade_ratio": "what you gave up for what",
    "ask_their_growth": "how they grew",
    "ask_action_taken": "what you did about it",
}
REASONS = {
    "dodged": "the answers did not get to it",
    "not_their_call": "you said the call was someone else's",
    "unanswered": "the interview ended before your answer",
    "budget": "the follow-up budget for this story ran out",
    "wrong_story": "the call in this story was someone else's, so the interview moved on",
    "ended": "the interview ended before it came up",
}


class Gap(BaseModel):
    code: str
    label: str
    asked: int  # how many times it was asked (2 when a dodge was pressed)
    questions: list[str]
    # open: dodged | not_their_call | unanswered; not asked: budget | wrong_story | ended
    reason: str | None = None
    reason_text: str | None = None
    evidence: list[Evidence] = []  # what the answers said on the part the question is about


class Gaps(BaseModel):
    closed: list[Gap] = []
    open: list[Gap] = []
    not_asked: list[Gap] = []


def _gap(state: GapState, grade: Grade) -> Gap:
    part = QUOTE_PART.get(state.code)
    if state.code == "trim_situation":
        part = "situation"
    return Gap(
        code=state.code,
        label=LABELS.get(state.code, state.code),
        asked=len(state.questions),
        questions=list(state.questions),
        reason=state.reason,
        reason_text=REASONS.get(state.reason) if state.reason else None,
        evidence=list(grade.parts[part].evidence) if part else [],
    )


def gaps_of(states: Sequence[GapState], grade: Grade) -> Gaps:
    out = Gaps()
    for state in states:
        getattr(out, state.status).append(_gap(state, grade))
    return out
