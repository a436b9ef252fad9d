"""Whether a follow-up closed the gap it was asked about: the planner presses a dodge once, and the
debrief says which gaps stayed open.

A gap is closed when the reading of all the archetype's answers no longer lists its code, or when the
follow-up on its own does the part the code asks for (a long first answer full of "we" can outweigh one
"I made the call" in the combined reading; the follow-up still answered the question). A few codes are
about the reply itself rather than the story: the short version of a setup is judged by its own length.
A different story replaces the answers before it (`planner.answers_for`), so the combined reading is the
new story's own: it closes `ask_different_story` when it answers the question, tells an example and is
not another archetype's project.
"""

from __future__ import annotations

from service.interview.ownership import OWN_CALL, claims_the_call, disowns_the_call
from service.rubric import Grade, analyze
from service.rubric.parts import SITUATION_MAX_WORDS
from service.rubric.provenance import sourced
from service.rubric.segment import read
from service.rubric.traps import steps_out

# The part a follow-up must do on its own to close the code, where the code asks for one part.
PART_OF_CODE = {
    "ask_tradeoff": "tradeoff",
    "ask_first_person": "action",
    "ask_number": "result",
    "ask_driver": "driver",
    "ask_reflection": "reflection",
    # The incident trap's structural fix is a lasting change to the system or process: the driver part.
    "ask_structural_fix": "driver",
}


def closed(
    code: str,
    *,
    combined: Grade,
    reply: str,
    archetype: str | None,
) -> bool:
    if code == "trim_situation":
        # A long setup stays long in the transcript; what counts is that the short version was short.
        return len(reply.split()) <= SITUATION_MAX_WORDS
    if code in OWN_CALL and disowns_the_call(reply, code=code):
        return False  # "it wasn't my call": however the reading takes it, the answer is no
    if code not in combined.pushbacks:
        return True
    if code == "ask_number_source":
        return sourced(reply)
    part = PART_OF_CODE.get(code)
    if part is not None or code in ACTED:
        alone = analyze(reply, archetype, whole=False).parts
        if part is not None and alone[part].verdict == "met":
            return True
        if code in ACTED and alone["action"].verdict == "met":
            return True
    if code == "ask_own_call" and claims_the_call(reply):
        return True
    return (
        combined.trap is not None
        and code == combined.trap.code
        and archetype is not None
        and steps_out(archetype, read(reply))
    )


# Traps about not acting: a follow-up whose load-bearing action is the speaker's own closes them.
ACTED = frozenset({"ask_escalation", "ask_action_taken"})
