"""The candidate's own words worth putting back to them in a pushback ("You said 80% — measured how?",
"You mentioned your director made the call — was stopping it your decision?").

A quote is a verbatim clause of the answer, 2 to 12 words, taken from the reading's evidence for the part
the pushback is about, and within it the clause that shows the gap: the "we" doing the load-bearing work,
someone else making the call, the figure with no source.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from service.rubric import Grade
from service.rubric.grammar import subject

MAX_WORDS = 12
# Which part's evidence holds the words worth quoting back, per pushback code.
QUOTE_PART = {
    "ask_tradeoff": "tradeoff",
    "ask_first_person": "action",
    "ask_number": "result",
    "ask_number_source": "result",
    "ask_driver": "result",
    "ask_reflection": "reflection",
    "ask_own_call": "action",
    "ask_action_taken": "action",
    "ask_escalation": "action",
    "ask_structural_fix": "action",
    "ask_their_growth": "action",
    "ask_trade_ratio": "tradeoff",
    "ask_nuance": "tradeoff",
    "ask_update_conditions": "tradeoff",
}
_CLAUSE = re.compile(r"[^,;:—–()]+")
_DIGIT = re.compile(r"\d")
# A decision made (a verb, not a noun like "the shutdown checklist").
_DECIDED = re.compile(
    r"\b(?:made the (?:\w+ )?call|decided|killed|stopped|cancell?ed|shut (?:it |the \w+ )?down|ended|"
    r"pulled the plug|scrapped|halted|wound (?:it )?down|called it)\b",
    re.IGNORECASE,
)
_WE = re.compile(r"^(?:we|our team|the team|together)\b", re.IGNORECASE)
# A quote ends on a word that carries meaning, not mid-phrase on "the" or "to".
_DANGLING = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "in",
        "to",
        "and",
        "or",
        "for",
        "on",
        "at",
        "with",
        "our",
        "my",
        "their",
        "by",
        "from",
        "as",
        "that",
    ]
)


def _by_others(clause: str) -> bool:
    """Someone other than the speaker ("we", the team, a director) made the decision."""
    return subject(clause) != "i" and _DECIDED.search(clause) is not None


# The clause that shows the gap, per code; any clause of the evidence otherwise.
_SHOWS: dict[str, Callable[[str], bool]] = {
    "ask_first_person": lambda c: _WE.match(c) is not None or subject(c) == "we",
    "ask_own_call": _by_others,
    "ask_number_source": lambda c: _DIGIT.search(c) is not None,
}


def _any(clause: str) -> bool:
    return True


def _clauses(text: str) -> list[str]:
    out = []
    for m in _CLAUSE.finditer(text):
        words = m.group().split()[:MAX_WORDS]
        while words and words[-1].lower() in _DANGLING:
            words.pop()
        if len(words) >= 2:
            out.append(" ".join(words).rstrip(".!?"))
    return out


def quote(grade: Grade | None, code: str, answer: str) -> str | None:
    """A verbatim clause of `answer` for the pushback `code`, or None when none shows the gap."""
    part = QUOTE_PART.get(code)
    if grade is None or part is None:
        return None
    shows = _SHOWS.get(code, _any)
    texts = [ev.quote for ev in grade.parts[part].evidence]
    if code == "ask_own_call":  # someone else's call may sit in any sentence, not only the actions
        texts += [ev.quote for p in grade.parts.values() for ev in p.evidence]
    clauses = [c for text in texts for c in _clauses(text) if c in answer]
    if code == "ask_first_person":  # "we ..." itself before a clause merely about others
        clauses.sort(key=lambda c: _WE.match(c) is None)
    return next((c for c in clauses if shows(c)), None)
