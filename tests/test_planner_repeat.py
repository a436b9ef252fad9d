"""Item 2 of issue 12: an answer sent again (verbatim or nearly) closes nothing; the reply says so and
re-asks the open gap in other words."""

from __future__ import annotations

import pytest

from service.catalog import get_catalog
from service.config import REPO_ROOT
from service.interview.listening import repeats
from service.interview.phrasing import load_phrasing, phrase
from service.interview.planner import Turn, next_move
from tests.test_planner_dodge import ARCHS, CLOSES, DODGES, WE_STORY, _turns

NEAR = WE_STORY.replace("nine engineers", "9 engineers").replace("Next time", "Next time around")
SHUFFLED = " ".join(reversed(WE_STORY.split(". ")))


@pytest.mark.parametrize(
    ("new", "earlier", "expected"),
    [
        (WE_STORY, [WE_STORY], True),
        (NEAR, [WE_STORY], True),
        (SHUFFLED, [WE_STORY], True),
        (WE_STORY.upper(), [WE_STORY], True),
        (DODGES[0], [DODGES[0], WE_STORY], True),
        ("Yes.", ["yes"], True),
        (CLOSES, [WE_STORY], False),
        (DODGES[1], [DODGES[0]], False),
        ("Yes.", ["No."], False),
        (WE_STORY, [], False),
        (WE_STORY.split(". ")[1], [WE_STORY], False),  # one sentence of the story pointed back at
    ],
)
def test_repeats_judges_overlap_not_phrases(new: str, earlier: list[str], expected: bool) -> None:
    assert repeats(new, earlier) is expected


@pytest.mark.parametrize("again", [WE_STORY, NEAR, SHUFFLED])
def test_a_resent_answer_closes_nothing_and_is_reasked(again: str) -> None:
    move = next_move(ARCHS, _turns(WE_STORY, again, codes=("ask_first_person",)), max_pushbacks=3)
    assert (move.kind, move.code, move.repeat, move.press) == ("pushback", "ask_first_person", True, True)


def test_a_resent_answer_after_a_press_moves_on() -> None:
    turns = _turns(WE_STORY, DODGES[0], DODGES[0], codes=("ask_first_person", "ask_first_person"))
    move = next_move(ARCHS, turns, max_pushbacks=3)
    assert move.code != "ask_first_person"


@pytest.mark.parametrize("code", ["ask_reflection", "ask_driver", "ask_number_source"])
def test_an_answer_resent_to_the_next_question_closes_nothing(code: str) -> None:
    # The follow-up answered the first question; sent again to the next one it answers nothing new.
    turns = _turns(WE_STORY, CLOSES, CLOSES, codes=("ask_first_person", code))
    move = next_move(ARCHS, turns, max_pushbacks=3)
    assert (move.code, move.repeat, move.press) == (code, True, True)


def test_a_story_told_again_for_a_new_topic_is_left_to_the_reuse_check() -> None:
    turns = _turns(WE_STORY, CLOSES, codes=("ask_first_person",))
    turns.append(Turn(len(turns), "interviewer", "probe 2", "probe", None, "quality_incident"))
    turns.append(Turn(len(turns), "candidate", WE_STORY, None, None, "quality_incident"))
    move = next_move(ARCHS, turns)
    assert (move.kind, move.code, move.repeat) == ("pushback", "ask_different_story", False)


@pytest.mark.parametrize("again", [WE_STORY, NEAR])
def test_the_reply_says_it_is_a_repeat_and_asks_once(again: str) -> None:
    catalog = get_catalog()
    phrasing = load_phrasing(REPO_ROOT / "prompts")
    move = next_move(ARCHS, _turns(WE_STORY, again, codes=("ask_first_person",)), max_pushbacks=3)
    text = phrase(move, interview_id="r", turn_index=4, catalog=catalog, phrasing=phrasing, last_answer=again)
    assert any(text.startswith(lead) for lead in phrasing.repeat_leads)
    assert text.count("?") == 1
