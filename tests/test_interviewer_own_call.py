"""Item 5 of issue 12: when the reading shows someone else made the call, the interviewer asks once for
the candidate's own call; if they confirm it was not theirs, it gives the lesson's advice plainly (bring a
story where the call was yours) and moves on, never asking for more detail of the wrong story."""

from __future__ import annotations

import pytest

from service.catalog import get_catalog
from service.config import REPO_ROOT
from service.interview.checks import failure
from service.interview.gaps import closed
from service.interview.ownership import disowns_the_call
from service.interview.phrasing import load_phrasing, phrase
from service.interview.planner import Turn, next_move
from service.rubric import analyze

# Someone else stopped it: the trap the reading shows, with other gaps left (the figure's source).
SOMEONE_ELSE = (
    "For three quarters I pushed for a learned query rewriter in our travel search, with six engineers on "
    "it. The trade-off was the half year already spent against putting those people on the booking funnel. "
    "After the planning offsite our VP of engineering decided to shut the rewriter down. We moved the six "
    "engineers onto the booking funnel. Bookings per search rose 18% in the next half. The offsite format "
    "is now how our org reviews every bet. Looking back, I'd have put a stop date in the first plan."
)
MENTOR_NOT_MINE = (
    "I was the tech lead for our ranking group of eight, and a junior engineer had to rebuild the feature "
    "backfill. The trade-off was handing over a design and finishing sooner against letting them work it "
    "out and own it. We agreed as a group on the plan and we reviewed it together each week. Backfill "
    "failures fell 25% that quarter, according to the job dashboard. The weekly review is still how the "
    "group runs. Next time I'd write the success measure down in week one."
)
CONFIRMS = [
    "No, it wasn't my call. The VP decided to stop it after the offsite.",
    "Honestly, the VP made that decision; I went along with it.",
    "It was my VP's call, not mine.",
    "I didn't make the call, the VP did.",
    "That decision came from leadership after the offsite, and I was told to wind it down.",
    "Not really, it was out of my hands: the steering group pulled the plug.",
    "No.",
]
NOT_CONFIRMS = [
    "Yes, I made the call myself after the offsite.",
    "It was my call: I stopped it once the third checkpoint slipped.",
    "The VP wanted to keep going, but I made the call to stop it.",
    "It was a group effort really, everybody had a say.",
    "That's hard to pin on one person; credit belongs to the whole group.",
]
ARCHS = ["killed_own_project", "mentoring"]


def _turns(archetype: str, *answers: str, codes: tuple[str, ...] = ()) -> list[Turn]:
    turns = [Turn(0, "interviewer", "probe", "probe", None, archetype)]
    for n, text in enumerate(answers):
        turns.append(Turn(len(turns), "candidate", text, None, None, archetype))
        if n < len(codes):
            turns.append(Turn(len(turns), "interviewer", f"q{n}", "pushback", codes[n], archetype))
    return turns


def test_someone_elses_call_is_asked_about_first() -> None:
    move = next_move(ARCHS, _turns("killed_own_project", SOMEONE_ELSE))
    assert (move.kind, move.code) == ("pushback", "ask_own_call")


@pytest.mark.parametrize("reply", CONFIRMS)
def test_a_confirmation_is_read_as_such(reply: str) -> None:
    assert disowns_the_call(reply, code="ask_own_call")


@pytest.mark.parametrize("reply", NOT_CONFIRMS)
def test_a_claim_or_a_dodge_is_not_a_confirmation(reply: str) -> None:
    assert not disowns_the_call(reply, code="ask_own_call")


@pytest.mark.parametrize("reply", CONFIRMS)
@pytest.mark.parametrize("budget", [2, 3, 5])
def test_confirmed_not_theirs_moves_on_with_the_advice(reply: str, budget: int) -> None:
    move = next_move(
        ARCHS,
        _turns("killed_own_project", SOMEONE_ELSE, reply, codes=("ask_own_call",)),
        max_pushbacks=budget,
    )
    # No press, no other follow-up about this story: the next topic, after the advice.
    assert (move.kind, move.archetype, move.after) == ("probe", "mentoring", "not_their_call")


@pytest.mark.parametrize("reply", CONFIRMS[:4])
def test_a_confirmation_never_closes_the_gap(reply: str) -> None:
    combined = analyze(f"{SOMEONE_ELSE}\n\n{reply}", "killed_own_project")
    assert not closed("ask_own_call", combined=combined, reply=reply, archetype="killed_own_project")


@pytest.mark.parametrize("reply", NOT_CONFIRMS[3:])
def test_a_dodge_is_still_pressed_once(reply: str) -> None:
    move = next_move(
        ARCHS, _turns("killed_own_project", SOMEONE_ELSE, reply, codes=("ask_own_call",)), max_pushbacks=3
    )
    assert (move.kind, move.code, move.press) == ("pushback", "ask_own_call", True)


@pytest.mark.parametrize("reply", CONFIRMS[:3])
def test_confirmed_after_the_press_moves_on_too(reply: str) -> None:
    turns = _turns(
        "killed_own_project",
        SOMEONE_ELSE,
        NOT_CONFIRMS[3],
        reply,
        codes=("ask_own_call", "ask_own_call"),
    )
    move = next_move(ARCHS, turns, max_pushbacks=3)
    assert (move.kind, move.archetype, move.after) == ("probe", "mentoring", "not_their_call")


# Elsewhere "what did *you* do?" is the same question: a reply that says the decisions were someone
# else's gets the same advice instead of more questions about that story.
@pytest.mark.parametrize(
    "reply",
    [
        "To be honest the key decisions weren't mine; my manager decided the plan and I passed it on.",
        "I didn't decide any of it, the staff engineer on the team did.",
    ],
)
def test_the_first_person_question_confirmed_moves_on(reply: str) -> None:
    first = next_move(["mentoring", "killed_own_project"], _turns("mentoring", MENTOR_NOT_MINE))
    assert first.code == "ask_first_person"
    turns = _turns("mentoring", MENTOR_NOT_MINE, reply, codes=("ask_first_person",))
    move = next_move(["mentoring", "killed_own_project"], turns, max_pushbacks=3)
    assert (move.kind, move.archetype, move.after) == ("probe", "killed_own_project", "not_their_call")


@pytest.mark.parametrize(("archetypes", "kind"), [(ARCHS, "probe"), (["killed_own_project"], "wrap_up")])
@pytest.mark.parametrize("interview_id", ["a", "b", "c", "d"])
def test_the_advice_is_said_plainly_and_the_reply_passes_the_checks(
    archetypes: list[str], kind: str, interview_id: str
) -> None:
    move = next_move(
        archetypes, _turns("killed_own_project", SOMEONE_ELSE, CONFIRMS[0], codes=("ask_own_call",))
    )
    assert move.kind == kind
    text = phrase(
        move,
        interview_id=interview_id,
        turn_index=4,
        catalog=get_catalog(),
        phrasing=load_phrasing(REPO_ROOT / "prompts"),
    )
    assert any(lead in text for lead in load_phrasing(REPO_ROOT / "prompts").after["not_their_call"])
    lowered = text.lower()
    assert "your call" in lowered or "call was yours" in lowered or "your own call" in lowered
    assert failure(text, final=True) is None
    # Nothing more about the wrong story: the only question is the next topic's (or none at the end).
    if kind == "probe":
        assert any(text.endswith(p) for p in get_catalog().archetype("mentoring").probes), text
    else:
        assert "?" not in text
