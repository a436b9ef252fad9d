"""Pick the interviewer's next move from the transcript so far. Pure: no I/O, no clock, no randomness.

After each answer the planner grades the candidate's answers to the current archetype *together* (a
follow-up that supplies the missing number closes `ask_number`). A follow-up that leaves the gap it was
asked about open is pressed once, with the same code in other words (`Move.press`); a second dodge moves
on. Otherwise it asks the most important open pushback not yet asked for this archetype; every question
counts against `max_pushbacks`. Then the next archetype's probe, then the wrap-up; `Move.after` says how
the topic just left ended, so the transition can follow the conversation.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from service.catalog import get_catalog
from service.interview.gaps import closed
from service.interview.listening import repeats
from service.interview.ownership import OWN_CALL, disowns_the_call, with_own_call
from service.interview.plausibility import implausible
from service.rubric import Grade, analyze, project_fingerprint, tells_a_story
from service.rubric.provenance import sourced

MoveKind = Literal["probe", "pushback", "wrap_up"]
# How the topic being left ended: its last gap closed, it was dodged twice, it needed no follow-up, or the
# candidate confirmed the call in the story was someone else's (the story is the wrong one for it).
After = Literal["closed", "dodged", "strong", "not_their_call"]


@dataclass(frozen=True)
class Turn:
    index: int
    role: Literal["interviewer", "candidate"]
    text: str
    move: str | None = None
    code: str | None = None
    archetype: str | None = None


@dataclass(frozen=True)
class Move:
    kind: MoveKind
    archetype: str | None
    code: str | None = None
    grade: Grade | None = None  # the combined grade that led to this move
    press: bool = False  # the same code again: the follow-up did not close the gap
    after: After | None = None  # for a probe or the wrap-up: how the previous topic ended
    repeat: bool = False  # the answer repeats an earlier one: say so, ask again
    number: str | None = None  # an implausible figure being challenged, as the candidate wrote it


def answers_for(turns: Sequence[Turn], archetype: str) -> list[str]:
    """The candidate's answers to one archetype: every candidate turn after a question about it. A story
    told when asked for a different one replaces the answers before it: the first answered another
    question, told no example, or was another archetype's project, and the archetype is graded on the
    story that answers it. A reply that tells no story ("I don't have another one") replaces nothing."""
    out: list[str] = []
    current: str | None = None
    asked_anew = False
    for t in turns:
        if t.role == "interviewer":
            current = t.archetype
            asked_anew = t.move == "pushback" and t.code == "ask_different_story"
        elif current == archetype:
            if asked_anew and tells_a_story(t.text):
                out = []
            out.append(t.text)
            asked_anew = False
    return out


def current_archetype(turns: Sequence[Turn]) -> str | None:
    for t in reversed(turns):
        if t.role == "interviewer" and t.move in ("probe", "pushback"):
            return t.archetype
    return None


def asked_codes(turns: Sequence[Turn], archetype: str) -> list[str]:
    return [t.code for t in turns if t.move == "pushback" and t.archetype == archetype and t.code]


def other_fingerprints(
    turns: Sequence[Turn], archetype: str, bank: Iterable[tuple[str, str]] = ()
) -> list[frozenset[str]]:
    """Fingerprints of answers about *other* archetypes: this interview's, and story-bank (archetype, text)."""
    prints = []
    for other in {t.archetype for t in turns if t.archetype and t.archetype != archetype}:
        text = " ".join(answers_for(turns, other))
        if text.strip():
            prints.append(project_fingerprint(text))
    prints += [project_fingerprint(text) for arch, text in bank if arch != archetype and text.strip()]
    return prints


def first_move(archetypes: Sequence[str]) -> Move:
    return Move(kind="probe", archetype=archetypes[0])


# An unsourced headline number is asked about before these (the reading lists it after them): a number
# that cannot survive "where did that come from?" undoes the story's result, driver and reflection alike.
_AFTER_THE_SOURCE = ("ask_driver", "ask_reflection", "trim_situation")


def open_gaps(combined: Grade, answers: Sequence[str]) -> tuple[list[str], str | None]:
    """The reading's pushbacks, most important first, less those the answers already settle; and the
    implausible figure, if any, whose challenge then comes first."""
    codes = list(combined.pushbacks)
    odd = next((n for n in map(implausible, answers) if n), None)
    if odd is not None:
        return ["ask_number_source"] + [c for c in codes if c != "ask_number_source"], odd
    if "ask_number_source" not in codes:
        return codes, None
    codes.remove("ask_number_source")
    if any(sourced(a) for a in answers):
        return codes, None
    at = next((i for i, c in enumerate(codes) if c in _AFTER_THE_SOURCE), len(codes))
    return [*codes[:at], "ask_number_source", *codes[at:]], None


def reading(answers: Sequence[str], archetype: str, others: Iterable[frozenset[str]] = ()) -> Grade:
    """The planner's reading of one archetype's answers together: the rubric's, plus the trap question
    an answer plainly calls for (someone else named as making the call)."""
    trap = get_catalog().archetype(archetype).trap.code
    return with_own_call(analyze("\n\n".join(answers), archetype, earlier=others), answers, trap)


def _last_question(turns: Sequence[Turn]) -> Turn | None:
    return next((t for t in reversed(turns) if t.role == "interviewer"), None)


@dataclass(frozen=True)
class ToRead:
    """What the planner reads after an answer: the current archetype's answers (a repeat left out) and the
    other archetypes' fingerprints. The engine hands the same to a model (the model's reading)."""

    archetype: str
    answers: list[str]
    others: list[frozenset[str]]
    repeat: bool


def to_read(turns: Sequence[Turn], bank: Iterable[tuple[str, str]] = ()) -> ToRead | None:
    archetype = current_archetype(turns)
    if archetype is None:
        return None
    answers = answers_for(turns, archetype)
    # Within the topic: a story told again for another topic is the reuse check's to catch (its own
    # project, by fingerprint), and two thin answers to two questions may share their few words.
    repeat = len(answers) > 1 and repeats(answers[-1], answers[:-1])
    if repeat:
        answers = answers[:-1]  # the same words again add nothing to the reading
    return ToRead(archetype, answers, other_fingerprints(turns, archetype, bank), repeat)


def next_move(
    archetypes: Sequence[str],
    turns: Sequence[Turn],
    *,
    max_pushbacks: int = 2,
    bank: Iterable[tuple[str, str]] = (),
    read: ToRead | None = None,
    given: Grade | None = None,
) -> Move:
    """`read`, `given`: what `to_read` returns and a reading of it made already (the model's, merged with
    the rubric's by `grading/merge.py`); without `given` the planner reads the answers itself (`reading`)."""
    read = read or to_read(turns, bank)
    if read is None:
        return first_move(archetypes)
    archetype, answers, others, repeat = read.archetype, read.answers, read.others, read.repeat
    combined = given if given is not None else reading(answers, archetype, others)
    asked = asked_codes(turns, archetype)
    last = _last_question(turns)
    after: After | None = None if asked else "strong"
    budget = max_pushbacks
    if last is not None and last.move == "pushback" and last.code and answers:
        if not repeat and last.code in OWN_CALL and disowns_the_call(answers[-1], code=last.code):
            # Confirmed: the call was someone else's. More detail of this story would not help; the
            # advice (bring one where the call was yours) goes with the move on.
            after, budget = "not_their_call", 0
        elif not repeat and closed(last.code, combined=combined, reply=answers[-1], archetype=archetype):
            after = "closed"
        elif asked.count(last.code) >= 2:
            after = "dodged"  # pressed once already: never a third time
        elif len(asked) < max_pushbacks:
            return Move("pushback", archetype, last.code, grade=combined, press=True, repeat=repeat)
        else:
            after = "dodged"
    if len(asked) < budget:
        codes, odd = open_gaps(combined, answers)
        open_codes = [c for c in codes if c not in asked]
        if open_codes:
            number = odd if open_codes[0] == "ask_number_source" else None
            return Move("pushback", archetype, open_codes[0], grade=combined, number=number)
    probed = {t.archetype for t in turns if t.move == "probe"}
    for nxt in archetypes:
        if nxt not in probed:
            return Move(kind="probe", archetype=nxt, grade=combined, after=after)
    return Move(kind="wrap_up", archetype=None, grade=combined, after=after)
