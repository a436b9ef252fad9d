"""Item 1 of issue 12: a follow-up that does not close the gap is pressed once, in other words; a second
dodge moves on, and the gap stays open. The dodges here are worded unlike the issue's examples."""

from __future__ import annotations

import pytest

from service.catalog import get_catalog
from service.config import REPO_ROOT
from service.interview.phrasing import load_phrasing, phrase
from service.interview.planner import Move, Turn, next_move

# A complete story whose load-bearing actions are all "we": the one open gap is the first person.
WE_STORY = (
    "I led the inference platform group of nine engineers serving forty million requests a day, and a new "
    "hire inherited our flaky batch scheduler. The trade-off was handing over my own design and finishing "
    "sooner against letting the new hire work through it and own the scheduler long term. We agreed as a "
    "team to let the new hire lead it, we reviewed the plan together and we decided collectively on the "
    "rollout. Scheduler failures dropped 40% over the next quarter. The on-call checklist that came out of "
    "it is still used by every platform team. Next time I'd set a written success metric in week one so "
    "progress is visible to the whole group."
)
CLOSES = (
    "I personally chose to hold back my design, I set up a weekly review with the new hire, and I made the "
    "call to let them run the rollout."
)
DODGES = [
    "Honestly the credit belongs to everyone involved; it was a collective thing and I'd rather not single "
    "myself out.",
    "I'd rather not claim a group's work as mine; everybody pitched in equally.",
    "It really was all of us together, nobody did more than anyone else.",
]
ARCHS = ["mentoring", "quality_incident"]


def _turns(*answers: str, codes: tuple[str, ...] = ()) -> list[Turn]:
    """Probe, then alternate answer / pushback (codes in order), ending on the last answer."""
    turns = [Turn(0, "interviewer", "probe", "probe", None, "mentoring")]
    for n, text in enumerate(answers):
        turns.append(Turn(len(turns), "candidate", text, None, None, "mentoring"))
        if n < len(codes):
            turns.append(Turn(len(turns), "interviewer", f"q{n}", "pushback", codes[n], "mentoring"))
    return turns


def test_the_story_opens_the_first_person_gap() -> None:
    move = next_move(ARCHS, _turns(WE_STORY))
    assert (move.kind, move.code, move.press) == ("pushback", "ask_first_person", False)


@pytest.mark.parametrize("dodge", DODGES)
def test_a_dodge_is_pressed_once_with_the_same_code(dodge: str) -> None:
    move = next_move(ARCHS, _turns(WE_STORY, dodge, codes=("ask_first_person",)), max_pushbacks=3)
    assert (move.kind, move.code, move.press) == ("pushback", "ask_first_person", True)


@pytest.mark.parametrize(("first", "second"), [(DODGES[0], DODGES[1]), (DODGES[2], DODGES[0])])
@pytest.mark.parametrize("budget", [2, 3, 5])
def test_a_second_dodge_moves_on_never_a_third_press(first: str, second: str, budget: int) -> None:
    turns = _turns(WE_STORY, first, second, codes=("ask_first_person", "ask_first_person"))
    move = next_move(ARCHS, turns, max_pushbacks=budget)
    assert move.code != "ask_first_person"
    assert move.kind in ("probe", "pushback")
    if move.kind == "probe":
        assert move.archetype == "quality_incident" and move.after == "dodged"


@pytest.mark.parametrize("budget", [2, 3])
def test_a_follow_up_that_closes_the_gap_is_not_pressed(budget: int) -> None:
    move = next_move(ARCHS, _turns(WE_STORY, CLOSES, codes=("ask_first_person",)), max_pushbacks=budget)
    assert move.code != "ask_first_person"
    assert not move.press


def test_no_press_when_the_budget_is_spent() -> None:
    move = next_move(ARCHS, _turns(WE_STORY, DODGES[0], codes=("ask_first_person",)), max_pushbacks=1)
    assert move.kind == "probe" and move.archetype == "quality_incident"


@pytest.mark.parametrize("dodge", DODGES)
def test_the_press_is_worded_otherwise_and_names_what_is_missing(dodge: str) -> None:
    catalog = get_catalog()
    phrasing = load_phrasing(REPO_ROOT / "prompts")
    first = phrase(
        Move("pushback", "mentoring", "ask_first_person"),
        interview_id="x",
        turn_index=2,
        catalog=catalog,
        phrasing=phrasing,
    )
    move = next_move(ARCHS, _turns(WE_STORY, dodge, codes=("ask_first_person",)), max_pushbacks=3)
    pressed = phrase(
        move,
        interview_id="x",
        turn_index=4,
        catalog=catalog,
        phrasing=phrasing,
        asked={first},
        last_answer=dodge,
    )
    assert pressed != first and pressed not in phrasing.pushbacks["ask_first_person"].plain
    assert pressed.count("?") == 1
    assert any(w in pressed.lower() for w in ("you", "your"))
