"""Whose call it was: the candidate's own ("I made the call"), or someone else's ("the VP decided").

The killed-project trap is a story about a decision someone else made; so is any story whose
load-bearing "what did *you* do?" is answered "it wasn't my call". The interviewer asks once for the
candidate's own call; a reply that confirms it was someone else's means the story is the wrong one for
the question (the lesson: bring one where the call was yours), and the interview moves on.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from service.rubric import Grade
from service.rubric.grammar import conditional, subject

DECISION = re.compile(
    r"\b(?:call|decid\w*|decision|kill\w*|stop\w*|cancel\w*|shut\w*|ended|end(?:ed)? it|pull\w* the plug|"
    r"wound (?:it )?down|sunset\w*|scrap\w*|halt\w*)\b",
    re.IGNORECASE,
)
_NEGATED = re.compile(r"\b(?:not|never|no|wasn['’]t|didn['’]t|isn['’]t)\b|n['’]t\b", re.IGNORECASE)
_MINE = re.compile(r"\bmy (?:own )?(?:call|decision)\b", re.IGNORECASE)
# Clauses, so "I agreed when she decided" is not read as the speaker deciding.
_CLAUSES = re.compile(
    r"(?:[^.!?;,\n]|,(?!\s))+?(?=[.!?;,\n]|\b(?:when|after|because|while|once|since|that|and)\b|$)"
)
# Plainer pieces for who decided: "the VP made that decision" stays one piece.
_PIECES = re.compile(r"[^.!?;:,\n]+")


def claims_the_call(reply: str) -> bool:
    """The follow-up says, unnegated and in the first person, that the decision was the speaker's."""
    for m in _CLAUSES.finditer(reply):
        s = m.group().strip()
        if _NEGATED.search(s) or conditional(s):  # "I'd have stopped it sooner" claims nothing
            continue
        if _MINE.search(s) or (subject(s) == "i" and DECISION.search(s)):
            return True
    return False


# The questions that ask for the candidate's own call.
OWN_CALL = frozenset({"ask_own_call", "ask_first_person"})
_NOT_MINE = re.compile(
    r"\b(?:(?:was|is|were)\s*n['’]t|(?:was|is|were) not|not)\s+(?:really\s+|actually\s+|entirely\s+)?"
    r"(?:my (?:own )?(?:call|decision|choice|idea)s?|mine|up to me|me who)\b|"
    r"\b(?:out of my hands|over my head|above my head|had no say|no say in)\b",
    re.IGNORECASE,
)
_I_DID_NOT = re.compile(
    r"\bI\s+(?:did\s*n['’]t|did not|never|was\s*n['’]t|was not|had\s*n['’]t|had not)\s+(?:\w+\s+){0,3}?"
    r"(?:make|made|call|decide|decided|choose|chose|kill|killed|stop|stopped|cancel|the one)\b",
    re.IGNORECASE,
)
# Someone named as deciding: a role, a pronoun, or a possessive other than the speaker's ("the VP's call").
_OTHER = re.compile(
    r"\b(?:director|manager|vp|boss|head of \w+|cto|ceo|cpo|leadership|skip[- ]level|exec\w*|management|"
    r"committee|council|board|steering \w+|product (?:lead|manager|team)|pm|he|she|they|someone else|"
    r"somebody else)\b|\b(?!my\b|our\b)\w+['’]s (?:call|decision)\b",
    re.IGNORECASE,
)
_GROUP = re.compile(r"^\s*(?:we|us|our team|the team|together|everyone|everybody|all of us)\b", re.IGNORECASE)
_BARE_NO = re.compile(r"^\W*(?:no|nope|not really|not exactly|not me|not mine)\b", re.IGNORECASE)


def someone_else_decided(text: str) -> bool:
    """A piece of `text`, unnegated, names someone other than the speaker (not "we") deciding."""
    for m in _PIECES.finditer(text):
        piece = m.group().strip()
        if _NEGATED.search(piece) or _GROUP.match(piece):
            continue
        if _OTHER.search(piece) and DECISION.search(piece) and subject(piece) != "i":
            return True
    return False


def disowns_the_call(reply: str, *, code: str) -> bool:
    """The follow-up to `code` says the call was someone else's ("it wasn't my call", "the VP decided",
    a bare "No." to "was stopping it your decision?"); a claim of the call, or a credit-sharing dodge
    ("it was all of us"), does not."""
    if _NOT_MINE.search(reply) or _I_DID_NOT.search(reply):
        return True
    if claims_the_call(reply):
        return False
    if code == "ask_own_call" and _BARE_NO.match(reply):
        return True
    return someone_else_decided(reply)


def with_own_call(grade: Grade, answers: Sequence[str], trap_code: str | None) -> Grade:
    """The reading, with the killed-project trap's question added when an answer names someone else
    making the call and none claims it (the reading's trap signal can miss a plainly worded one)."""
    if trap_code != "ask_own_call" or trap_code in grade.pushbacks:
        return grade
    if any(claims_the_call(a) for a in answers) or not any(someone_else_decided(a) for a in answers):
        return grade
    codes = list(grade.pushbacks)
    at = 1 if codes[:1] == ["ask_different_story"] else 0
    return grade.model_copy(update={"pushbacks": [*codes[:at], trap_code, *codes[at:]]})
